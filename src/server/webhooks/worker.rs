//! Sends what the outbox holds when it is due. Each pass claims a batch (on PostgreSQL
//! `FOR UPDATE SKIP LOCKED`, so each delivery goes out from one server of a cluster),
//! sends it a few at a time, and settles each try: gone when delivered or given up, due
//! again after `retry::next_try` otherwise. A claim lasts `CLAIM`: a server that dies
//! mid-send leaves its deliveries to be claimed again then (at start, on SQLite, where no
//! other server can hold them). Delivery is at least once; the event's id lets a receiver
//! drop a repeat.

use std::time::Duration;

use futures::StreamExt;
use rand::Rng;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::send::{self, Post};
use super::{open_secret, retry, signature};
use crate::domain::webhooks::PAUSE_AFTER_FAILURES;
use crate::server::db::key_seal::KeySeal;
use crate::server::db::webhooks::{self as db, Claimed, Settled, Tried};
use crate::server::db::{now_ms, Db};
use crate::server::metrics;

/// How long a claimed delivery is this server's: well over a try's `send::TIMEOUT`.
const CLAIM: Duration = Duration::from_secs(60);
/// How often the outbox is read for what is due.
const POLL: Duration = Duration::from_millis(250);
/// Deliveries claimed at once, and sent at once.
const BATCH: i64 = 128;
const AT_ONCE: usize = 64;
/// How often events no endpoint waits for are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct WebhookWorker {
    pub db: Db,
    pub keys: Option<KeySeal>,
    /// `AURORA_WEBHOOK_ALLOW_PRIVATE=1`.
    pub allow_private: bool,
}

pub async fn run(worker: WebhookWorker, stop: CancellationToken) {
    if let Err(e) = db::release_claims(&worker.db).await {
        tracing::warn!("webhooks: could not release earlier claims: {e}");
    }
    let mut swept = tokio::time::Instant::now();
    loop {
        let sent = tokio::select! {
            _ = stop.cancelled() => return,
            sent = worker.deliver_due(now_ms()) => sent,
        };
        let busy = match sent {
            Ok(count) => count as i64 == BATCH,
            Err(e) => {
                tracing::warn!("webhooks: could not read the outbox: {e}");
                false
            }
        };
        if swept.elapsed() >= SWEEP_EVERY {
            swept = tokio::time::Instant::now();
            if let Err(e) = db::forget_settled_events(&worker.db).await {
                tracing::warn!("webhooks: could not forget delivered events: {e}");
            }
        }
        if !busy {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

impl WebhookWorker {
    /// Claims and sends what is due at `now` (Unix ms): how many were tried.
    pub async fn deliver_due(&self, now: i64) -> Result<usize, sqlx::Error> {
        let claimed = db::claim_due(&self.db, now, now + CLAIM.as_millis() as i64, BATCH).await?;
        let count = claimed.len();
        let results: Vec<Result<(), sqlx::Error>> = futures::stream::iter(claimed)
            .map(|delivery| self.deliver(delivery, now))
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        results.into_iter().collect::<Result<(), _>>()?;
        Ok(count)
    }

    async fn deliver(&self, delivery: Claimed, now: i64) -> Result<(), sqlx::Error> {
        let sent = match (
            Url::parse(&delivery.url),
            open_secret(
                self.keys.as_ref(),
                delivery.company_id,
                &delivery.url,
                &delivery.secret,
                delivery.secret_sealed,
            ),
        ) {
            (Ok(url), Ok(secret)) => {
                let post = Post {
                    url: &url,
                    secret: &secret,
                    event_id: &delivery.uid,
                    kind: &delivery.kind,
                    body: &delivery.body,
                    timestamp: signature::unix_seconds(),
                };
                send::post(&post, self.allow_private).await
            }
            (Err(_), _) => failed("the URL is not valid"),
            (_, Err(_)) => failed("the signing secret does not open with AURORA_KEYS_SECRET"),
        };
        let failures = delivery.attempts as u32 + 1;
        let settled = if sent.delivered() {
            Settled::Delivered
        } else {
            let elapsed = Duration::from_millis((now - delivery.event_at).max(0) as u64);
            match retry::next_try(failures, rand::thread_rng().gen(), elapsed) {
                Some(wait) => Settled::Retry(now + wait.as_millis() as i64),
                None => Settled::GivenUp,
            }
        };
        let (outcome, next_retry_at) = match settled {
            Settled::Delivered => ("delivered", None),
            Settled::Retry(at) => ("failed", Some(at)),
            Settled::GivenUp => ("given_up", None),
        };
        let tried = Tried {
            endpoint_id: delivery.endpoint_id,
            event_uid: &delivery.uid,
            kind: &delivery.kind,
            at: now,
            outcome,
            response_code: sent.status.map(i64::from),
            latency_ms: sent.latency.as_millis() as i64,
            error: sent.error.as_deref(),
            next_retry_at,
        };
        let paused =
            db::settle(&self.db, delivery.id, settled, &tried, PAUSE_AFTER_FAILURES).await?;
        if paused {
            tracing::warn!(
                endpoint = delivery.endpoint_id,
                "webhooks: endpoint paused after {PAUSE_AFTER_FAILURES} failures in a row"
            );
        }
        metrics::webhook_tried(outcome, sent.latency.as_secs_f64(), paused);
        Ok(())
    }
}

fn failed(why: &str) -> send::Sent {
    send::Sent {
        status: None,
        latency: Duration::ZERO,
        error: Some(why.to_string()),
    }
}

#[cfg(test)]
mod tests;
