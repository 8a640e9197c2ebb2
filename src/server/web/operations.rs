//! What a load balancer and a metrics scraper call: `/healthz` (the process answers),
//! `/readyz` (it can serve: database, migrations, sessions, cluster lease) and `/metrics`
//! (Prometheus text, to this machine or to a bearer of `AURORA_METRICS_TOKEN`). None needs
//! a sign-in and none tells anything of a company; they sit in front of the sign-in gate.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics::{counter, gauge};
use serde_json::json;
use sha2::{Digest, Sha256};
use tower_http::limit::RequestBodyLimitLayer;

use crate::paths;
use crate::server::boot::state::AppState;
use crate::server::db::operations as ops_db;
use crate::server::metrics::{self as m, handle};

/// How long the database may take to answer a readiness check.
pub const READY_WITHIN: Duration = Duration::from_secs(1);
/// These routes take no body.
const BODY_LIMIT: usize = 1024;
/// The channel statuses (`whatsapp_accounts.status`), each shown even when none is in it.
const CHANNEL_STATUSES: [&str; 5] = [
    "connecting",
    "connected",
    "disconnected",
    "disabled",
    "deleting",
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTHZ, get(healthz))
        .route(paths::READYZ, get(readyz))
        .route(paths::METRICS, get(scrape))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
}

async fn healthz() -> Response {
    no_store(Json(json!({ "status": "ok" })).into_response())
}

/// What keeps this server from serving, by name; empty when it is ready.
pub async fn unready(state: &AppState) -> Vec<&'static str> {
    let mut failed = Vec::new();
    match tokio::time::timeout(READY_WITHIN, ops_db::pending_migrations(&state.db)).await {
        Ok(Ok(0)) => {}
        Ok(Ok(_)) => failed.push("migrations"),
        Ok(Err(_)) | Err(_) => failed.push("database"),
    }
    if !state.manager.is_running() {
        failed.push("sessions");
    }
    if state
        .cluster
        .as_ref()
        .is_some_and(|node| !node.lease_is_fresh())
    {
        failed.push("lease");
    }
    failed
}

async fn readyz(State(state): State<AppState>) -> Response {
    let failed = unready(&state).await;
    let response = if failed.is_empty() {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        tracing::warn!(?failed, "not ready");
        let body = json!({ "status": "unready", "failed": failed });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    };
    no_store(response)
}

async fn scrape(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    let allowed = may_scrape(
        peer.is_some_and(|ip| ip.is_loopback()),
        request.headers(),
        state.config.metrics_token.as_deref(),
    );
    if let Err((status, why)) = allowed {
        let mut refusal = (status, why).into_response();
        if status == StatusCode::UNAUTHORIZED {
            refusal
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return refusal;
    }
    let Some(handle) = handle() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not recorded").into_response();
    };
    record_current(&state).await;
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    no_store(response)
}

/// Loopback peers may scrape, unless a proxy on this machine relays them (then they are
/// whoever reached the proxy) or the host asked for is a name other than `localhost` (a
/// page in a browser on this machine whose name was rebound to 127.0.0.1); anyone else
/// needs the token.
pub fn may_scrape(
    loopback: bool,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Result<(), (StatusCode, &'static str)> {
    let relayed = headers.contains_key("forwarded") || headers.contains_key("x-forwarded-for");
    let local_host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_none_or(is_local_host);
    if loopback && !relayed && local_host {
        return Ok(());
    }
    let Some(token) = token else {
        return Err((
            StatusCode::FORBIDDEN,
            "metrics are served to this machine only; set AURORA_METRICS_TOKEN to scrape from elsewhere",
        ));
    };
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    // Compared as digests, so the time taken says nothing of how much matched.
    let matches = offered.is_some_and(|offered| {
        Sha256::digest(offered.trim().as_bytes()) == Sha256::digest(token.as_bytes())
    });
    match matches {
        true => Ok(()),
        false => Err((StatusCode::UNAUTHORIZED, "a valid bearer token is required")),
    }
}

/// `localhost` or an IP address, with or without a port.
fn is_local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => {
            return v6
                .split(']')
                .next()
                .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
        }
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The figures read at scrape time: what the database and the session manager hold now.
async fn record_current(state: &AppState) {
    match ops_db::channels_by_status(&state.db).await {
        Ok(counts) => {
            for status in CHANNEL_STATUSES {
                let n = counts
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                gauge!(m::CHANNELS, "status" => status).set(n as f64);
            }
        }
        Err(e) => tracing::warn!("metrics: could not count channels: {e}"),
    }
    match ops_db::scheduler_lag_ms(&state.db).await {
        Ok(lag) => gauge!(m::SCHEDULER_LAG).set(lag as f64 / 1000.0),
        Err(e) => tracing::warn!("metrics: could not read the scheduler's lag: {e}"),
    }
    match ops_db::deletion_progress(&state.db).await {
        Ok((jobs, done, total)) => {
            gauge!(m::DELETIONS).set(jobs as f64);
            gauge!(m::DELETION_ITEMS, "state" => "done").set(done as f64);
            gauge!(m::DELETION_ITEMS, "state" => "left").set((total - done).max(0) as f64);
        }
        Err(e) => tracing::warn!("metrics: could not read the deletions' progress: {e}"),
    }
    match crate::server::db::webhooks::waiting(&state.db).await {
        Ok(waiting) => gauge!(m::WEBHOOKS_WAITING).set(waiting as f64),
        Err(e) => tracing::warn!("metrics: could not count waiting webhooks: {e}"),
    }
    let (open, idle) = ops_db::pool_use(&state.db);
    gauge!(m::DB_CONNECTIONS, "state" => "idle").set(idle as f64);
    gauge!(m::DB_CONNECTIONS, "state" => "busy").set(open.saturating_sub(idle as u32) as f64);
    gauge!(m::SESSIONS_RUNNING).set(state.manager.running_actors() as f64);
    counter!(m::SESSION_RESTARTS).absolute(state.manager.actor_restarts());
    counter!(m::MESSAGES_INBOUND).absolute(state.manager.inbound_messages());
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
