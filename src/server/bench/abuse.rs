//! `aurora abuse --url http://127.0.0.1:PORT`: what a stranger can try against a running
//! server (the release build with the demo data, on loopback), one line per result:
//! oversized bodies, slow headers, parallel password guesses, too many connections from one
//! address, and 2 000 open inbox streams while pages keep loading. It sends traffic only to
//! the address it is given, which must be a loopback one.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;

use crate::server::bench::support::{exchange, summary};

/// Streams are opened from this many loopback source addresses, so the per-address
/// connection cap (256) is not what the test measures.
const SOURCES: u8 = 10;
const STREAMS: usize = 2_000;

pub async fn run(url: String) -> Result<(), String> {
    let address = url
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse::<SocketAddr>()
        .map_err(|_| format!("--url: '{url}' must be http://IP:PORT"))?;
    if !address.ip().is_loopback() {
        return Err("--url: only a server on this machine's loopback is a target".into());
    }
    println!("{}", oversized_body(address).await?);
    println!("{}", parallel_guesses(address).await?);
    println!("{}", slow_headers(address).await?);
    println!("{}", connections_from_one_address(address).await?);
    println!("{}", many_streams(address).await?);
    Ok(())
}

/// A connection from `source` (a loopback address) to the server.
async fn connect_from(source: u8, address: SocketAddr) -> Result<TcpStream, String> {
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    let local: SocketAddr = format!("127.0.0.{source}:0").parse().unwrap();
    socket.bind(local).map_err(|e| e.to_string())?;
    socket.connect(address).await.map_err(|e| e.to_string())
}

/// One request on a fresh connection; the response's status and the time it took.
async fn request(address: SocketAddr, source: u8, raw: &str) -> Result<(u16, Duration), String> {
    let started = Instant::now();
    let mut stream = connect_from(source, address).await?;
    stream
        .write_all(raw.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .await
        .map_err(|e| e.to_string())?;
    let status = String::from_utf8_lossy(&head[9..12])
        .parse()
        .map_err(|_| "an answer that is not HTTP".to_string())?;
    Ok((status, started.elapsed()))
}

fn post(address: SocketAddr, path: &str, length: usize, body: &str, cookie: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nOrigin: http://{address}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}"
    )
}

async fn oversized_body(address: SocketAddr) -> Result<String, String> {
    // Declares 3 MB and sends none of it: the answer must not wait for the body.
    let raw = post(address, "/api/login", 3 * 1024 * 1024, "", "");
    let (status, took) = request(address, 1, &raw).await?;
    Ok(format!(
        "oversized body (3 MB declared): {status} after {:.1} ms (want 413 at once)",
        took.as_secs_f64() * 1000.0
    ))
}

async fn parallel_guesses(address: SocketAddr) -> Result<String, String> {
    let body = "email=abuse-target%40demo.test&password=a+wrong+guess";
    let guesses = (0..40u8).map(|i| {
        let raw = post(address, "/api/login", body.len(), body, "");
        async move { request(address, 100 + i, &raw).await }
    });
    let outcomes = futures::future::join_all(guesses).await;
    let checked = outcomes
        .iter()
        .filter(|o| matches!(o, Ok((422, _))))
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Ok((429, _))))
        .count();
    Ok(format!(
        "40 parallel guesses for one email: {checked} checked, {refused} refused with 429, {} other (want at most 10 checked)",
        40 - checked - refused
    ))
}

async fn slow_headers(address: SocketAddr) -> Result<String, String> {
    let mut stream = connect_from(2, address).await?;
    let started = Instant::now();
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: x")
        .await
        .map_err(|e| e.to_string())?;
    let mut buffer = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await;
    Ok(match closed {
        Ok(()) => format!(
            "slow headers: closed by the server after {:.1} s (want about 10 s)",
            started.elapsed().as_secs_f64()
        ),
        Err(_) => "slow headers: still open after 30 s (want closed after about 10 s)".into(),
    })
}

async fn connections_from_one_address(address: SocketAddr) -> Result<String, String> {
    let mut open = Vec::new();
    for _ in 0..300 {
        open.push(connect_from(3, address).await?);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut closed = 0;
    for stream in &mut open {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(5), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    Ok(format!(
        "300 idle connections from one address: {closed} closed on arrival (want 44: the cap is 256)"
    ))
}

async fn sign_in(address: SocketAddr, email: &str) -> Result<String, String> {
    let body = format!("email={}&password=demo-password", email.replace('@', "%40"));
    let mut stream = connect_from(4, address).await?;
    let raw = post(address, "/api/login", body.len(), &body, "");
    let response = exchange(&mut stream, &raw).await?;
    let text = String::from_utf8_lossy(&response);
    text.lines()
        .find_map(|line| {
            let lower = line.to_ascii_lowercase();
            lower.starts_with("set-cookie: aurora_session=").then(|| {
                line["set-cookie: ".len()..]
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
        })
        .ok_or_else(|| format!("could not sign in as {email} (is AURORA_DEMO=1 set?)"))
}

async fn many_streams(address: SocketAddr) -> Result<String, String> {
    let cookie = sign_in(address, "lucia@demo.test").await?;
    let get = |path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n")
    };
    let baseline = page_loads(address, &get("/inbox"), 100).await?;
    let mut streams = Vec::with_capacity(STREAMS);
    let raw = format!(
        "GET /api/inbox/events HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    );
    for n in 0..STREAMS {
        let source = 20 + (n % SOURCES as usize) as u8;
        let mut stream = connect_from(source, address).await?;
        stream
            .write_all(raw.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        streams.push(stream);
    }
    let mut open = 0;
    for stream in &mut streams {
        let mut head = [0u8; 12];
        if let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut head)).await
        {
            open += usize::from(&head[9..12] == b"200");
        }
    }
    let loaded = page_loads(address, &get("/inbox"), 200).await?;
    drop(streams);
    Ok(format!(
        "{open} of {STREAMS} inbox streams open; {}; before them, {} (want p99 under 200 ms)",
        summary("inbox page loads", loaded),
        summary("inbox page loads", baseline)
    ))
}

async fn page_loads(address: SocketAddr, raw: &str, n: usize) -> Result<Vec<Duration>, String> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let mut stream = connect_from(5, address).await?;
        let response = exchange(&mut stream, raw).await?;
        if !response.starts_with(b"HTTP/1.1 200") {
            return Err("an inbox page load failed".into());
        }
        samples.push(started.elapsed());
    }
    Ok(samples)
}
