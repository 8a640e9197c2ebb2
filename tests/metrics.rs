//! `/metrics` of a real server process (its own recorder: nothing else counts in it) after a
//! scripted scenario through HTTP, as users and WhatsApp would drive it: a number linked, a
//! message in, a reply out, a Disconnect. Each counter moves by exactly that much, and no
//! label names a company, a person or a number.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod common {
    pub mod http;
    pub mod server;
}
use common::server::{Folder, Server};

const PHONE: &str = "+525512340077";
const CUSTOMER: &str = "+5215587654321";

/// `/metrics` as the scraper reads it.
trait Scrape {
    fn scrape(&self) -> String;
    fn scrape_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String;
}

impl Scrape for Server {
    fn scrape(&self) -> String {
        let (status, _, body) = self.call("GET", "/metrics", "text/plain", "", None);
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Waits until `done` holds for a scrape; answers that scrape.
    fn scrape_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.scrape();
            if done(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "never saw {what}:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A sample's value (0 when the series is not shown yet).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |n| n.parse().unwrap())
}

const INBOUND: &str = "aurora_messages_inbound_total";
const OUTBOUND: &str = "aurora_messages_outbound_total";
const STREAMS: &str = "aurora_open_streams";
const DELIVERED: &str = "aurora_stream_delivery_seconds_count";
const CONNECTED: &str = r#"aurora_channels{status="connected"}"#;
const LINKING: &str = r#"aurora_channel_events_total{event="linking_started",reason=""}"#;
const LINKED: &str = r#"aurora_channel_events_total{event="connected",reason=""}"#;
const CUT: &str = r#"aurora_channel_events_total{event="disconnected",reason="by_user"}"#;

#[test]
fn a_scripted_day_moves_each_counter_by_exactly_its_events() {
    let folder = Folder::new("metrics");
    let server = Server::start(&folder.0, &[]);
    let before = server.scrape();
    let ana = server.sign_in("ana@demo.test");
    // An open Channels page: its stream is counted, and so is each card update it gets.
    let mut page = TcpStream::connect(&server.address).unwrap();
    let open = format!(
        "GET /api/channels/events HTTP/1.1\r\nHost: {}\r\nCookie: {ana}\r\n\r\n",
        server.address
    );
    page.write_all(open.as_bytes()).unwrap();
    server.scrape_until("the open stream", |t| {
        value(t, STREAMS) == value(&before, STREAMS) + 1.0
    });

    // Link a number: Add, then the phone scans the QR the card shows.
    let account = server.form("/api/add_account", "", &ana)["id"]
        .as_i64()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let qr = loop {
        let (_, _, body) = server.call("GET", "/simulator/api/linking", "", "", None);
        let list: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        if let Some(entry) = list.iter().find(|e| e["account_id"] == account) {
            break entry["qr"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no QR for the new channel");
        std::thread::sleep(Duration::from_millis(50));
    };
    let scan = format!(r#"{{"qr":"{qr}","phone":"{PHONE}","business_name":"Tacos Prometeo"}}"#);
    assert_eq!(server.json("/simulator/api/scan", &scan).0, 200);
    let connected_now = value(&before, CONNECTED) + 1.0;
    server.scrape_until("the channel connected", |t| {
        value(t, CONNECTED) == connected_now
    });

    // A customer writes; an agent answers.
    let phone = PHONE.replace('+', "%2B");
    let message = format!(r#"{{"from":"{CUSTOMER}","name":"Valeria Prometeo","text":"hola"}}"#);
    assert_eq!(
        server
            .json(&format!("/simulator/api/phones/{phone}/messages"), &message)
            .0,
        202
    );
    let inbound = value(&before, INBOUND) + 1.0;
    server.scrape_until("the message in", |t| value(t, INBOUND) == inbound);
    // Counted when it arrives; stored a moment later.
    let deadline = Instant::now() + Duration::from_secs(20);
    let conversation = loop {
        let inbox = server.form("/api/load_inbox", "", &ana);
        if let Some(id) = inbox["rows"][0]["id"].as_i64() {
            break id;
        }
        assert!(
            Instant::now() < deadline,
            "the conversation never showed: {inbox}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    server.form(
        "/api/send_reply",
        &format!("conversation={conversation}&text=Buenas"),
        &ana,
    );
    let outbound = value(&before, OUTBOUND) + 1.0;
    server.scrape_until("the reply out", |t| value(t, OUTBOUND) == outbound);

    // Disconnect from Aurora.
    server.form("/api/disconnect_account", &format!("id={account}"), &ana);
    let after = server.scrape_until("the disconnection", |t| value(t, CUT) >= 1.0);

    for (series, moved) in [
        (INBOUND, 1.0),
        (OUTBOUND, 1.0),
        (LINKING, 1.0),
        (LINKED, 1.0),
        (CUT, 1.0),
        (CONNECTED, 0.0),
    ] {
        assert_eq!(
            value(&after, series) - value(&before, series),
            moved,
            "{series}:\n{after}"
        );
    }
    // The page heard the link and the disconnection at least (a card update each).
    assert!(value(&after, DELIVERED) >= 2.0, "{after}");
    drop(page);
    server.scrape_until("the stream closed", |t| {
        value(t, STREAMS) == value(&before, STREAMS)
    });
    let disconnected = r#"aurora_channels{status="disconnected"}"#;
    assert_eq!(
        value(&after, disconnected),
        value(&before, disconnected) + 1.0
    );
    assert!(after.contains(r#"method="POST",status="2xx"}"#), "{after}");

    // Nothing that names a tenant, a person or a number.
    for private in [
        "5512340077",
        "5587654321",
        "Tacos",
        "Prometeo",
        "Demo Company",
        "demo.test",
        "Ana ",
    ] {
        assert!(!after.contains(private), "{private} appears in:\n{after}");
    }
    // Every label is one of the bounded sets.
    for line in after
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('{'))
    {
        let labels = &line[line.find('{').unwrap() + 1..line.rfind('}').unwrap()];
        for pair in labels.split("\",") {
            let name = pair.split('=').next().unwrap().trim_start_matches(',');
            assert!(
                [
                    "route", "method", "status", "state", "event", "reason", "outcome", "le",
                    "quantile"
                ]
                .contains(&name)
                    || line.starts_with("wa_")
                    || line.starts_with("whatsapp"),
                "unexpected label {name} in {line}"
            );
        }
    }
}
