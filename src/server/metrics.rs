//! What `/metrics` shows (Prometheus text, through the `metrics` facade, so the WhatsApp
//! client's own counters appear beside ours). Every name is here. Labels are bounded sets
//! (a route's template, a method, a status class, a channel status): never a company, a
//! user, a phone number or an id, for the scraper's sake and the customers'.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Seconds from a request's arrival to its response's headers, by route template.
pub const HTTP_DURATION: &str = "aurora_http_request_duration_seconds";
/// Channels by status (`connected`, `disconnected`, …), across the whole database.
pub const CHANNELS: &str = "aurora_channels";
/// WhatsApp sessions this server runs now.
pub const SESSIONS_RUNNING: &str = "aurora_sessions_running";
/// Session actors restarted after a crash, on this server since it started.
pub const SESSION_RESTARTS: &str = "aurora_session_restarts_total";
/// Messages received from WhatsApp by this server.
pub const MESSAGES_INBOUND: &str = "aurora_messages_inbound_total";
/// Replies WhatsApp accepted from this server.
pub const MESSAGES_OUTBOUND: &str = "aurora_messages_outbound_total";
/// Events in channels' histories on this server: `event` (`connected`, `disconnected`,
/// `connection_lost`, `reconnected`, `qr_expired`, `disabled`, …) and, for a disconnection,
/// its `reason` (`logged_out`, `banned`, …; empty otherwise). Both are the code's own words.
pub const CHANNEL_EVENTS: &str = "aurora_channel_events_total";
/// Seconds from a channel's change being announced to its card update being handed to an
/// open Channels page's stream.
pub const STREAM_DELIVERY: &str = "aurora_stream_delivery_seconds";
/// Live streams (Channels and inbox pages) open on this server.
pub const OPEN_STREAMS: &str = "aurora_open_streams";
/// The database pool's connections, `state` = `idle` or `busy`.
pub const DB_CONNECTIONS: &str = "aurora_db_connections";
/// Deletes under way (jobs), and their items (rows and files) done and still to go.
pub const DELETIONS: &str = "aurora_deletions_running";
pub const DELETION_ITEMS: &str = "aurora_deletion_items";
/// How late the oldest scheduled message that is due and not yet sent is, in seconds.
pub const SCHEDULER_LAG: &str = "aurora_scheduler_lag_seconds";

/// Webhook events queued for endpoints (one per event and endpoint).
pub const WEBHOOKS_QUEUED: &str = "aurora_webhooks_queued_total";
/// Webhook tries by `outcome`: `delivered`, `failed` (tried again later), `given_up`.
pub const WEBHOOK_DELIVERIES: &str = "aurora_webhook_deliveries_total";
/// Seconds one webhook try took, answer or not.
pub const WEBHOOK_DURATION: &str = "aurora_webhook_delivery_seconds";
/// Endpoints paused after too many failures in a row, on this server since it started.
pub const WEBHOOK_PAUSES: &str = "aurora_webhook_endpoints_paused_total";
/// Webhook deliveries waiting in the outbox, every company together.
pub const WEBHOOKS_WAITING: &str = "aurora_webhooks_waiting";

/// Upper bounds of the latency histograms: a page is fast under 10 ms, slow over a second.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use (once per process: the tests' many
/// servers share it). None when another recorder got there first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!("metrics are not recorded: {e}"))
                .ok()
                .inspect(|_| describe())
        })
        .as_ref()
}

/// Each metric's help text, and the counters shown at zero before anything happens.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "From a request's arrival to its response's headers"
    );
    describe_gauge!(CHANNELS, "Channels by status, every company together");
    describe_gauge!(SESSIONS_RUNNING, "WhatsApp sessions this server runs");
    describe_counter!(SESSION_RESTARTS, "Session actors restarted after a crash");
    describe_counter!(MESSAGES_INBOUND, "Messages received from WhatsApp");
    describe_counter!(MESSAGES_OUTBOUND, "Replies WhatsApp accepted");
    describe_counter!(
        CHANNEL_EVENTS,
        "Events in channels' histories, by event and reason"
    );
    describe_histogram!(
        STREAM_DELIVERY,
        Unit::Seconds,
        "From a change's announcement to its open pages' streams"
    );
    describe_gauge!(OPEN_STREAMS, "Live streams open on this server");
    describe_gauge!(DB_CONNECTIONS, "Database pool connections by state");
    describe_gauge!(DELETIONS, "Channel deletions under way");
    describe_gauge!(
        DELETION_ITEMS,
        "Rows and files of the deletions under way, by state (done, left)"
    );
    describe_gauge!(
        SCHEDULER_LAG,
        Unit::Seconds,
        "How late the oldest due scheduled message is"
    );
    describe_counter!(WEBHOOKS_QUEUED, "Webhook deliveries queued");
    describe_counter!(WEBHOOK_DELIVERIES, "Webhook tries by outcome");
    describe_histogram!(
        WEBHOOK_DURATION,
        Unit::Seconds,
        "How long a webhook try took"
    );
    describe_counter!(
        WEBHOOK_PAUSES,
        "Webhook endpoints paused after failing in a row"
    );
    describe_gauge!(WEBHOOKS_WAITING, "Webhook deliveries waiting in the outbox");
    counter!(MESSAGES_OUTBOUND).absolute(0);
    for outcome in ["delivered", "failed", "given_up"] {
        counter!(WEBHOOK_DELIVERIES, "outcome" => outcome).absolute(0);
    }
    gauge!(OPEN_STREAMS).increment(0.0);
}

/// Times every routed request. Behind the router's routing, so the route is its template
/// (`/inbox/{id}`), never the address asked for; anything unrouted counts as `other`.
pub async fn time_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let method = match request.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let status = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    histogram!(HTTP_DURATION, "route" => route, "method" => method, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// An event written to a channel's history (after its transaction committed).
pub fn channel_event(event: &str, reason: Option<&str>) {
    let (event, reason) = (event.to_owned(), reason.unwrap_or_default().to_owned());
    counter!(CHANNEL_EVENTS, "event" => event, "reason" => reason).increment(1);
}

/// A card update handed to a Channels page's stream, `origin` being when it was announced.
pub fn stream_delivered(origin: tokio::time::Instant) {
    histogram!(STREAM_DELIVERY).record(origin.elapsed().as_secs_f64());
}

/// A reply WhatsApp accepted.
pub fn message_sent() {
    counter!(MESSAGES_OUTBOUND).increment(1);
}

/// Webhook deliveries written to the outbox (after their transaction committed or not:
/// counted as queued when written).
pub fn webhooks_queued(count: usize) {
    counter!(WEBHOOKS_QUEUED).increment(count as u64);
}

/// A webhook try's outcome (`delivered`, `failed`, `given_up`) and duration.
pub fn webhook_tried(outcome: &'static str, seconds: f64, paused: bool) {
    counter!(WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1);
    histogram!(WEBHOOK_DURATION).record(seconds);
    if paused {
        counter!(WEBHOOK_PAUSES).increment(1);
    }
}

/// Counts an open live stream for as long as it is held.
pub struct OpenStream(());

impl OpenStream {
    pub fn opened() -> Self {
        gauge!(OPEN_STREAMS).increment(1.0);
        OpenStream(())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        gauge!(OPEN_STREAMS).decrement(1.0);
    }
}
