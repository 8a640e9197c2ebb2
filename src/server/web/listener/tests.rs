use std::time::Instant;

use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

async fn start(limits: Limits) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new().route(
        "/",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    let stop = CancellationToken::new();
    tokio::spawn(serve(
        listener,
        app,
        limits,
        stop.clone(),
        Duration::from_secs(1),
    ));
    (address, stop)
}

/// Reads until the server closes the connection; how long that took.
async fn closed_after(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

async fn get_root(address: SocketAddr) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn requests_are_served_with_the_peer_address() {
    let (address, _stop) = start(Limits::default()).await;
    let answer = get_root(address).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("127.0.0.1"), "{answer}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_closed() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (address, _stop) = start(limits).await;
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: te").await.unwrap();
    let closed = closed_after(&mut slow, Duration::from_secs(3)).await;
    assert!(
        closed.is_some_and(|d| d < Duration::from_secs(2)),
        "{closed:?}"
    );
}

#[tokio::test]
async fn one_address_keeps_at_most_its_share_of_connections() {
    let limits = Limits {
        per_address: 2,
        ..Limits::default()
    };
    let (address, _stop) = start(limits).await;
    let first = TcpStream::connect(address).await.unwrap();
    let _second = TcpStream::connect(address).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(address).await.unwrap();
    let refused = closed_after(&mut third, Duration::from_secs(2)).await;
    assert!(
        refused.is_some(),
        "the third connection is closed on arrival"
    );
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        get_root(address).await.starts_with("HTTP/1.1 200"),
        "a place came free"
    );
}

#[tokio::test]
async fn stopping_ends_idle_connections_and_the_listener() {
    let (address, stop) = start(Limits::default()).await;
    let mut idle = TcpStream::connect(address).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.cancel();
    assert!(closed_after(&mut idle, Duration::from_secs(2))
        .await
        .is_some());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        TcpStream::connect(address).await.is_err(),
        "no longer listening"
    );
}
