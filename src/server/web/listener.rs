//! The HTTP listener: hyper's HTTP/1.1 server under two limits axum's own `serve` does not
//! offer. A client gets `HEADER_READ_TIMEOUT` to send a request's headers (a slow-headers
//! client cannot hold a connection open forever), and one address keeps at most
//! `MAX_CONNECTIONS_PER_ADDRESS` connections open at once (more are closed on arrival).
//! Each request carries its peer's address (`ConnectInfo`), as with axum's `serve`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Browsers open six connections to a host, plus one per live stream; a whole office behind
/// one address stays far below this.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 256;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            per_address: MAX_CONNECTIONS_PER_ADDRESS,
        }
    }
}

type Open = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One address's place among the open connections, given back when dropped.
struct Slot {
    open: Open,
    address: IpAddr,
}

impl Slot {
    fn take(open: &Open, address: IpAddr, limit: usize) -> Option<Slot> {
        let mut counts = open.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(address).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            open: open.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// Serves `app` until `stop` is cancelled; then open connections finish their requests in
/// flight, for `grace` at most (live streams never end by themselves).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: CancellationToken,
    grace: Duration,
) {
    let open: Open = Arc::default();
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: pause rather than spin.
            Err(e) => {
                tracing::warn!("could not accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let Some(slot) = Slot::take(&open, peer.ip(), limits.per_address) else {
            tracing::debug!(%peer, "too many connections from one address; closed");
            continue;
        };
        let (app, stop) = (app.clone(), stop.clone());
        connections.spawn(async move {
            let _slot = slot;
            serve_connection(stream, peer, app, limits, stop).await;
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::info!("open streams closed after {grace:?}");
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    stop: CancellationToken,
) {
    let app = app.map_request(move |mut request: http::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app))
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

#[cfg(test)]
mod tests;
