//! Plain HTTP/1.1 over loopback, as a browser would speak it to any server of the cluster:
//! requests, sign-in, and a Channels page's live stream (Server-Sent Events).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use super::PASSWORD;

#[path = "../../common/http.rs"]
mod http;
use http::parse_answer;

/// One request on its own connection; answers the status and the body.
pub async fn request(
    address: &str,
    method: &str,
    path: &str,
    form: &str,
    cookie: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let (status, _, body) = exchange(address, method, path, form, cookie).await?;
    Ok((status, body))
}

async fn exchange(
    address: &str,
    method: &str,
    path: &str,
    form: &str,
    cookie: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect(address).await?;
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(parse_answer(&answer))
}

/// Signs in on the server at `address`; answers the session cookie ("aurora_session=…"),
/// good on every server of the cluster.
pub async fn sign_in(address: &str, email: &str) -> String {
    let form = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    let (status, head, body) = exchange(address, "POST", "/api/login", &form, None)
        .await
        .unwrap();
    assert_eq!(status, 200, "sign-in refused: {body}");
    head.lines()
        .find_map(|line| {
            let lower = line.to_ascii_lowercase();
            lower.starts_with("set-cookie: aurora_session=").then(|| {
                line["set-cookie: ".len()..]
                    .split(';')
                    .next()
                    .unwrap()
                    .to_string()
            })
        })
        .expect("a session cookie")
}

/// One open Channels page: every update its live stream brought, with when it came.
pub struct Page {
    pub heard: Arc<Mutex<Vec<(Instant, Value)>>>,
    task: JoinHandle<()>,
}

impl Drop for Page {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Page {
    /// Opens the stream and returns once the server has answered its headers.
    pub async fn open(address: &str, cookie: &str) -> Page {
        let mut socket = TcpStream::connect(address).await.unwrap();
        let request = format!(
            "GET /api/channels/events HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\
             Accept: text/event-stream\r\n\r\n"
        );
        socket.write_all(request.as_bytes()).await.unwrap();
        let mut reader = BufReader::new(socket);
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        assert!(line.contains(" 200 "), "the stream opened: {line}");
        loop {
            line.clear();
            if reader.read_line(&mut line).await.unwrap() == 0 || line == "\r\n" {
                break;
            }
        }
        let heard: Arc<Mutex<Vec<(Instant, Value)>>> = Arc::default();
        let sink = heard.clone();
        let task = tokio::spawn(async move {
            let mut line = String::new();
            let mut pending = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0u8; size + 2];
                if reader.read_exact(&mut chunk).await.is_err() {
                    return;
                }
                let now = Instant::now();
                pending.push_str(&String::from_utf8_lossy(&chunk[..size]));
                while let Some(end) = pending.find('\n') {
                    let text: String = pending.drain(..=end).collect();
                    if let Some(data) = text.strip_prefix("data:") {
                        if let Ok(update) = serde_json::from_str::<Value>(data.trim()) {
                            sink.lock().unwrap().push((now, update));
                        }
                    }
                }
            }
        });
        Page { heard, task }
    }

    /// Updates heard so far.
    pub fn updates(&self) -> Vec<(Instant, Value)> {
        self.heard.lock().unwrap().clone()
    }
}

/// The card an update carries, if it is one ("Upsert").
pub fn card(update: &Value) -> Option<&Value> {
    update.get("Upsert")
}

pub fn is_resync(update: &Value) -> bool {
    update == "Resync"
}
