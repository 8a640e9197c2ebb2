//! A real server process for the process tests: the built `aurora` binary on a free port,
//! with the simulator and the demo data, its database and media in `folder`.

// Each test program uses a part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http::parse_answer;

/// A folder removed when the test ends, kept across the servers started in it.
pub struct Folder(pub PathBuf);

impl Folder {
    pub fn new(label: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("aurora-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Folder(path)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Server {
    child: Child,
    pub address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts a server on `folder`'s database with `env` besides the usual, and waits
    /// until it is ready.
    pub fn start(folder: &Path, env: &[(&str, &str)]) -> Server {
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .to_string();
        let child = Command::new(env!("CARGO_BIN_EXE_aurora"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/aurora.db", folder.display()),
            )
            .env("LEPTOS_SITE_ADDR", &address)
            .env("LEPTOS_SITE_ROOT", folder)
            .env("AURORA_MEDIA_DIR", folder.join("media"))
            .env("AURORA_WHATSAPP", "simulator")
            .env("AURORA_DEMO", "1")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stderr(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the server starts");
        let server = Server { child, address };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.call("GET", "/readyz", "", "", None).0 != 200 {
            assert!(Instant::now() < deadline, "the server never became ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Stops the process at once (SIGKILL): no shutdown, nothing flushed.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// One request on its own connection: status, head, body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        kind: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> (u16, String, String) {
        let Ok(mut stream) = TcpStream::connect(&self.address) else {
            return (0, String::new(), String::new());
        };
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{cookie}\
             Content-Type: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        parse_answer(&answer)
    }

    /// A server function called with a form: its JSON answer (200 expected).
    pub fn form(&self, path: &str, form: &str, cookie: &str) -> serde_json::Value {
        let kind = "application/x-www-form-urlencoded";
        let (status, _, body) = self.call("POST", path, kind, form, Some(cookie));
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    pub fn json(&self, path: &str, json: &str) -> (u16, String) {
        let (status, _, body) = self.call("POST", path, "application/json", json, None);
        (status, body)
    }

    /// Signs in a demo person: the session cookie.
    pub fn sign_in(&self, email: &str) -> String {
        let form = format!("email={}&password=demo-password", email.replace('@', "%40"));
        let kind = "application/x-www-form-urlencoded";
        let (status, head, body) = self.call("POST", "/api/login", kind, &form, None);
        assert_eq!(status, 200, "{body}");
        head.lines()
            .find_map(|line| {
                let value = line.strip_prefix("set-cookie: ")?;
                value
                    .starts_with("aurora_session=")
                    .then(|| value.split(';').next().unwrap().to_string())
            })
            .expect("a session cookie")
    }
}
