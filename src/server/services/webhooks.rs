//! Settings > Company > Webhooks: adding an endpoint (its URL checked where it points, its
//! secret shown once and stored sealed), listing, resuming and removing endpoints, their
//! delivery logs, and "Send test event".

use url::Url;

use super::channels::initiator;
use super::internal;
use crate::domain::time::format_iso;
use crate::domain::webhooks::{
    events_column, parse_events, parse_events_column, EndpointProblem, LOG_LENGTH, MAX_ENDPOINTS,
    MAX_URL_CHARS, TEST_EVENT,
};
use crate::error::AppError;
use crate::i18n::refusals::Refusal;
use crate::server::db::key_seal::KeySeal;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::webhooks::{self as db, AttemptRow, EndpointRow, NewEndpoint, Tried};
use crate::server::db::{now_ms, Db};
use crate::server::webhooks::event::Event;
use crate::server::webhooks::send::{self, Post};
use crate::server::webhooks::target::{self, TargetProblem};
use crate::server::webhooks::{new_secret, open_secret, store_secret};
use crate::views::webhooks::{Attempt, CreatedEndpoint, Endpoint, Paused, WebhooksPage};

/// What the webhooks need of the server's settings.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    pub keys: Option<&'a KeySeal>,
    pub allow_private: bool,
}

fn refused(problem: EndpointProblem) -> AppError {
    Refusal::Endpoint(problem).into()
}

fn target_problem(problem: TargetProblem) -> EndpointProblem {
    match problem {
        TargetProblem::Malformed => EndpointProblem::Malformed,
        TargetProblem::NotHttps => EndpointProblem::NotHttps,
        TargetProblem::Unresolved => EndpointProblem::Unresolved,
        TargetProblem::Private(ip) => EndpointProblem::Private(ip.to_string()),
    }
}

fn endpoint(row: EndpointRow) -> Endpoint {
    Endpoint {
        id: row.id,
        url: row.url,
        events: parse_events_column(&row.events),
        created_at_ms: row.created_at,
        failures_in_row: row.failures_in_row,
        paused: row.paused_at.map(|at_ms| Paused {
            at_ms,
            reason: row.pause_reason.unwrap_or_default(),
        }),
        waiting: row.waiting,
    }
}

fn attempt(row: AttemptRow) -> Attempt {
    Attempt {
        id: row.id,
        at_ms: row.at,
        kind: row.kind,
        event_id: row.event_uid,
        outcome: row.outcome,
        response_code: row.response_code,
        latency_ms: row.latency_ms,
        error: row.error,
        next_retry_at_ms: row.next_retry_at,
    }
}

pub async fn page(db: &Db, user: &SignedInUser) -> Result<WebhooksPage, AppError> {
    let rows = db::endpoints(db, user.company_id)
        .await
        .map_err(|e| internal("list webhook endpoints", e))?;
    Ok(WebhooksPage {
        endpoints: rows.into_iter().map(endpoint).collect(),
    })
}

/// Checks the URL as entered and where its name points now (the worker checks again at
/// every try: a name can be pointed elsewhere later).
async fn checked_url(raw: &str, allow_private: bool) -> Result<Url, AppError> {
    if raw.trim().chars().count() > MAX_URL_CHARS {
        return Err(refused(EndpointProblem::Malformed));
    }
    let url = target::check_url(raw, allow_private).map_err(|p| refused(target_problem(p)))?;
    target::resolve(&url, allow_private)
        .await
        .map_err(|p| refused(target_problem(p)))?;
    Ok(url)
}

pub async fn create(
    db: &Db,
    settings: Settings<'_>,
    user: &SignedInUser,
    url: &str,
    events: &[String],
) -> Result<CreatedEndpoint, AppError> {
    let kinds = parse_events(events).map_err(refused)?;
    let url = checked_url(url, settings.allow_private).await?;
    let secret = new_secret();
    let (stored, sealed) = store_secret(settings.keys, user.company_id, url.as_str(), &secret);
    let new = NewEndpoint {
        company_id: user.company_id,
        url: url.as_str(),
        events: &events_column(&kinds),
        secret: &stored,
        sealed,
        by: &initiator(user),
        now: now_ms(),
    };
    let id = db::insert_endpoint(db, &new, MAX_ENDPOINTS as i64)
        .await
        .map_err(|e| internal("add webhook endpoint", e))?
        .ok_or_else(|| refused(EndpointProblem::TooMany))?;
    let row = db::endpoint(db, user.company_id, id)
        .await
        .map_err(|e| internal("read webhook endpoint", e))?
        .ok_or(AppError::NotFound)?;
    Ok(CreatedEndpoint {
        endpoint: endpoint(row),
        secret,
    })
}

pub async fn delete(db: &Db, user: &SignedInUser, id: i64) -> Result<(), AppError> {
    match db::delete_endpoint(db, user.company_id, id, &initiator(user), now_ms()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) => Err(internal("remove webhook endpoint", e)),
    }
}

pub async fn resume(db: &Db, user: &SignedInUser, id: i64) -> Result<Endpoint, AppError> {
    if !db::resume(db, user.company_id, id, &initiator(user), now_ms())
        .await
        .map_err(|e| internal("resume webhook endpoint", e))?
    {
        return Err(AppError::NotFound);
    }
    db::endpoint(db, user.company_id, id)
        .await
        .map_err(|e| internal("read webhook endpoint", e))?
        .map(endpoint)
        .ok_or(AppError::NotFound)
}

/// An endpoint's last tries, newest first.
pub async fn attempts(db: &Db, user: &SignedInUser, id: i64) -> Result<Vec<Attempt>, AppError> {
    db::endpoint(db, user.company_id, id)
        .await
        .map_err(|e| internal("read webhook endpoint", e))?
        .ok_or(AppError::NotFound)?;
    let rows = db::attempts(db, id, LOG_LENGTH)
        .await
        .map_err(|e| internal("read webhook log", e))?;
    Ok(rows.into_iter().map(attempt).collect())
}

/// Sends `aurora.test` to the endpoint now (paused or not) and logs the try: what the
/// admin sees is what a real event would meet.
pub async fn send_test(
    db: &Db,
    settings: Settings<'_>,
    user: &SignedInUser,
    id: i64,
) -> Result<Attempt, AppError> {
    let target = db::target(db, user.company_id, id)
        .await
        .map_err(|e| internal("read webhook endpoint", e))?
        .ok_or(AppError::NotFound)?;
    let url = Url::parse(&target.url).map_err(|_| refused(EndpointProblem::Malformed))?;
    let secret = open_secret(
        settings.keys,
        target.company_id,
        &target.url,
        &target.secret,
        target.secret_sealed,
    )
    .map_err(|e| internal("open webhook secret", e))?;
    let now = now_ms();
    let event = Event::new(
        TEST_EVENT,
        now,
        serde_json::json!({
            "message": "A test event from Aurora Channels",
            "sent_by": user.display_name,
            "at": format_iso(now),
        }),
    );
    let post = Post {
        url: &url,
        secret: &secret,
        event_id: &event.uid,
        kind: TEST_EVENT,
        body: &event.body,
        timestamp: crate::server::webhooks::signature::unix_seconds(),
    };
    let sent = send::post(&post, settings.allow_private).await;
    let tried = Tried {
        endpoint_id: id,
        event_uid: &event.uid,
        kind: TEST_EVENT,
        at: now,
        outcome: if sent.delivered() {
            "delivered"
        } else {
            "failed"
        },
        response_code: sent.status.map(i64::from),
        latency_ms: sent.latency.as_millis() as i64,
        error: sent.error.as_deref(),
        next_retry_at: None,
    };
    db::log_test(db, &tried)
        .await
        .map_err(|e| internal("log webhook test", e))?;
    let latest = db::attempts(db, id, 1)
        .await
        .map_err(|e| internal("read webhook log", e))?;
    latest
        .into_iter()
        .next()
        .map(attempt)
        .ok_or(AppError::Internal)
}
