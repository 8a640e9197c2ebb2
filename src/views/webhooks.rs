//! Settings > Company > Webhooks: the company's endpoints and each one's last tries.

use serde::{Deserialize, Serialize};

use crate::domain::webhooks::EventKind;

/// An endpoint as the page lists it (never its secret: that is shown once, on creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub events: Vec<EventKind>,
    pub created_at_ms: i64,
    pub failures_in_row: i64,
    /// Why and since when it is paused (too many failures in a row), when it is.
    pub paused: Option<Paused>,
    /// Events waiting to be delivered to it.
    pub waiting: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paused {
    pub at_ms: i64,
    pub reason: String,
}

/// A new endpoint and its signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEndpoint {
    pub endpoint: Endpoint,
    pub secret: String,
}

/// One try to deliver an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub id: i64,
    pub at_ms: i64,
    /// The event's type and idempotency id.
    pub kind: String,
    pub event_id: String,
    /// `delivered`, `failed` or `given_up`.
    pub outcome: String,
    pub response_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next_retry_at_ms: Option<i64>,
}

/// The Webhooks page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksPage {
    pub endpoints: Vec<Endpoint>,
}
