//! A webhook survives its server being killed: the event is written with the change that
//! caused it, so a server killed while sending (the receiver never answered) sends it again
//! after it restarts, with the same event id; the receiver keeps it once.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

mod common {
    pub mod http;
    pub mod server;
}
use common::server::{Folder, Server};

/// A request the receiver read: its event id and body.
struct Received {
    event_id: String,
    body: String,
    stream: TcpStream,
}

/// Reads one HTTP request from `stream` (head and `Content-Length` body).
fn read_request(mut stream: TcpStream) -> Option<Received> {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&data).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let header = |name: &str| {
                head.lines().find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    key.eq_ignore_ascii_case(name)
                        .then(|| value.trim().to_string())
                })
            };
            let length: usize = header("content-length")?.parse().ok()?;
            if body.len() >= length {
                return Some(Received {
                    event_id: header("aurora-event-id")?,
                    body: body[..length].to_string(),
                    stream,
                });
            }
        }
    }
}

#[test]
fn a_server_killed_while_sending_delivers_the_event_after_it_restarts() {
    let folder = Folder::new("webhooks");
    let receiver = TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/hook", receiver.local_addr().unwrap());
    let (got, requests) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in receiver.incoming().flatten() {
            if let Some(request) = read_request(stream) {
                let _ = got.send(request);
            }
        }
    });
    let allow = [("AURORA_WEBHOOK_ALLOW_PRIVATE", "1")];

    let first = Server::start(&folder.0, &allow);
    let ana = first.sign_in("ana@demo.test");
    let form = format!(
        "url={}&events%5B0%5D=channel.status_changed",
        hook.replace(':', "%3A").replace('/', "%2F")
    );
    first.form("/api/add_webhook", &form, &ana);
    let channel = first.form("/api/add_account", "", &ana)["id"]
        .as_i64()
        .unwrap();

    // The first tries arrive (the channel was added, then started linking); the receiver
    // holds them unanswered and the server dies.
    let mut held = vec![requests
        .recv_timeout(Duration::from_secs(20))
        .expect("a first try")];
    while let Ok(more) = requests.recv_timeout(Duration::from_secs(2)) {
        held.push(more);
    }
    for request in &held {
        let event: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(event["type"], "channel.status_changed");
        assert_eq!(event["data"]["channel"]["id"], channel);
    }
    first.kill();
    let held: Vec<(String, String)> = held.into_iter().map(|r| (r.event_id, r.body)).collect();

    // The next server sends them again: the same events, ids and bodies. Answered, they are done.
    let second = Server::start(&folder.0, &allow);
    let mut again: Vec<(String, String)> = Vec::new();
    let all_seen =
        |again: &[(String, String)]| held.iter().all(|h| again.iter().any(|a| a.0 == h.0));
    loop {
        let wait = if all_seen(&again) {
            Duration::from_secs(3)
        } else {
            Duration::from_secs(20)
        };
        let Ok(mut request) = requests.recv_timeout(wait) else {
            assert!(
                all_seen(&again),
                "not every held event came again: {again:?}"
            );
            break;
        };
        request
            .stream
            .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        again.push((request.event_id, request.body));
    }
    for (id, body) in &held {
        let copies: Vec<_> = again.iter().filter(|a| &a.0 == id).collect();
        assert_eq!(copies.len(), 1, "{id} delivered once after the restart");
        assert_eq!(&copies[0].1, body, "the same body, byte for byte");
    }
    let ana = second.sign_in("ana@demo.test");
    let endpoints = second.form("/api/webhooks", "", &ana);
    let id = endpoints["endpoints"][0]["id"].as_i64().unwrap();
    let log = second.form("/api/webhook_log", &format!("id={id}"), &ana);
    for (id, _) in &held {
        let tries: Vec<_> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event_id"] == id.as_str())
            .collect();
        assert_eq!(tries.len(), 1, "one try logged for {id}: {log}");
        assert_eq!(tries[0]["outcome"], "delivered", "{log}");
        assert_eq!(tries[0]["response_code"], 204);
    }
}
