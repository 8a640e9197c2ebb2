//! Webhooks in the database: a company's endpoints, the outbox (one row per event and
//! endpoint, written by `queue_webhook!` in the transaction of the change that caused the
//! event, so a crash loses nothing), and each endpoint's last tries.

use super::audit::{audit_company_action, Initiator};
use super::{on_pool, Db};

/// The endpoints of a company that want an event kind (`LIKE` its column pattern).
pub(crate) const WANTS: &str = "SELECT id FROM webhook_endpoints \
     WHERE company_id = $1 AND paused_at IS NULL AND events LIKE $2 ORDER BY id";
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO webhook_events (uid, company_id, kind, created_at, body) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
pub(crate) const INSERT_OUTBOX: &str =
    "INSERT INTO webhook_outbox (event_id, endpoint_id, next_attempt_at, created_at) \
     VALUES ($1, $2, $3, $3)";
/// A channel's company and what its event says of it, when an endpoint of that company
/// wants `channel.status_changed`.
pub(crate) const CHANNEL_FOR_EVENT: &str =
    "SELECT a.company_id, a.status, COALESCE(a.name, ''), COALESCE(a.phone, a.linked_phone) \
     FROM whatsapp_accounts a WHERE a.id = $1 AND EXISTS (SELECT 1 FROM webhook_endpoints e \
     WHERE e.company_id = a.company_id AND e.paused_at IS NULL AND e.events LIKE $2)";

/// Inside `on_pool!`, on its transaction `tx`: queues an event of `kind` for every endpoint
/// of `company` that wants it. `data` (a `serde_json::Value` expression) is evaluated only
/// when one does, so a company without webhooks pays one indexed read.
/// `queue_webhook!(@to tx, endpoints, …)` queues for `endpoints` (a `&[i64]` read with
/// `WANTS` once for several events of one change) instead of reading them.
macro_rules! queue_webhook {
    ($tx:expr, $company:expr, $kind:expr, $at:expr, $data:expr) => {{
        let kind: $crate::domain::webhooks::EventKind = $kind;
        let company: i64 = $company;
        let endpoints: Vec<i64> = sqlx::query_scalar($crate::server::db::webhooks::WANTS)
            .bind(company)
            .bind(kind.column_pattern())
            .fetch_all(&mut *$tx)
            .await?;
        $crate::server::db::webhooks::queue_webhook!(@to $tx, &endpoints, company, kind, $at, $data)
    }};
    (@to $tx:expr, $endpoints:expr, $company:expr, $kind:expr, $at:expr, $data:expr) => {{
        let endpoints: &[i64] = $endpoints;
        let kind: $crate::domain::webhooks::EventKind = $kind;
        let company: i64 = $company;
        let at: i64 = $at;
        if !endpoints.is_empty() {
            let data: serde_json::Value = $data;
            let event = $crate::server::webhooks::event::Event::new(kind.code(), at, data);
            let event_id: i64 = sqlx::query_scalar($crate::server::db::webhooks::INSERT_EVENT)
                .bind(&event.uid)
                .bind(company)
                .bind(kind.code())
                .bind(at)
                .bind(&event.body)
                .fetch_one(&mut *$tx)
                .await?;
            for endpoint in endpoints {
                sqlx::query($crate::server::db::webhooks::INSERT_OUTBOX)
                    .bind(event_id)
                    .bind(*endpoint)
                    .bind(at)
                    .execute(&mut *$tx)
                    .await?;
            }
            $crate::server::metrics::webhooks_queued(endpoints.len());
        }
    }};
}
pub(crate) use queue_webhook;

/// The channel events that change its status, each a `channel.status_changed`.
pub fn changes_status(event: &str) -> bool {
    matches!(
        event,
        "added"
            | "linking_started"
            | "connected"
            | "disconnected"
            | "disabled"
            | "enabled"
            | "deletion_started"
    )
}

/// An endpoint as stored (its secret apart).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub created_at: i64,
    pub failures_in_row: i64,
    pub paused_at: Option<i64>,
    pub pause_reason: Option<String>,
    pub waiting: i64,
}

/// A new endpoint: its secret is stored as given (sealed or not, `sealed` says).
pub struct NewEndpoint<'a> {
    pub company_id: i64,
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a [u8],
    pub sealed: bool,
    /// Who adds it, for the audit log.
    pub by: &'a Initiator,
    pub now: i64,
}

/// Adds an endpoint unless the company has `max` already: its id, or `None`.
pub async fn insert_endpoint(
    db: &Db,
    new: &NewEndpoint<'_>,
    max: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        // The company's row lock orders two admins adding the last allowed endpoint at once.
        sqlx::query(super::accounts::lock_company(db))
            .bind(new.company_id)
            .execute(&mut *tx)
            .await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE company_id = $1")
            .bind(new.company_id)
            .fetch_one(&mut *tx)
            .await?;
        if count >= max {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhook_endpoints (company_id, url, events, secret, secret_sealed, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.company_id)
        .bind(new.url)
        .bind(new.events)
        .bind(new.secret)
        .bind(new.sealed)
        .bind(new.by.user_id)
        .bind(new.now)
        .fetch_one(&mut *tx)
        .await?;
        audit_company_action!(tx, new.company_id, new.now, new.by, "webhook_added", new.url);
        tx.commit().await?;
        Ok(Some(id))
    })
}

const ENDPOINT_COLUMNS: &str =
    "SELECT e.id, e.url, e.events, e.created_at, e.failures_in_row, e.paused_at, \
     e.pause_reason, (SELECT COUNT(*) FROM webhook_outbox o WHERE o.endpoint_id = e.id) AS waiting \
     FROM webhook_endpoints e";

/// The company's endpoints, oldest first.
pub async fn endpoints(db: &Db, company_id: i64) -> Result<Vec<EndpointRow>, sqlx::Error> {
    let sql = format!("{ENDPOINT_COLUMNS} WHERE e.company_id = $1 ORDER BY e.id");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(company_id).fetch_all(pool).await)
}

/// One endpoint of the company.
pub async fn endpoint(
    db: &Db,
    company_id: i64,
    id: i64,
) -> Result<Option<EndpointRow>, sqlx::Error> {
    let sql = format!("{ENDPOINT_COLUMNS} WHERE e.company_id = $1 AND e.id = $2");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(company_id).bind(id).fetch_optional(pool).await)
}

/// An endpoint's URL and stored secret (sealed or not), for sending to it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub endpoint_id: i64,
    pub company_id: i64,
    pub url: String,
    pub secret: Vec<u8>,
    pub secret_sealed: bool,
}

pub async fn target(db: &Db, company_id: i64, id: i64) -> Result<Option<Target>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT id AS endpoint_id, company_id, url, secret, secret_sealed FROM webhook_endpoints \
         WHERE company_id = $1 AND id = $2",
    )
    .bind(company_id)
    .bind(id)
    .fetch_optional(pool)
    .await)
}

/// Removes an endpoint with what waits for it and its log; false when the company has none
/// with that id.
pub async fn delete_endpoint(
    db: &Db,
    company_id: i64,
    id: i64,
    by: &Initiator,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let url: Option<String> = sqlx::query_scalar(
            "DELETE FROM webhook_endpoints WHERE company_id = $1 AND id = $2 RETURNING url",
        )
        .bind(company_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(url) = url else {
            return Ok(false);
        };
        audit_company_action!(tx, company_id, now, by, "webhook_removed", &url);
        tx.commit().await?;
        Ok(true)
    })
}

/// Sends to a paused endpoint again, from a clean count; what waited for it is due now.
pub async fn resume(
    db: &Db,
    company_id: i64,
    id: i64,
    by: &Initiator,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let url: Option<String> = sqlx::query_scalar(
            "UPDATE webhook_endpoints SET paused_at = NULL, pause_reason = NULL, failures_in_row = 0 \
             WHERE company_id = $1 AND id = $2 RETURNING url",
        )
        .bind(company_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(url) = url else {
            return Ok(false);
        };
        sqlx::query("UPDATE webhook_outbox SET next_attempt_at = $2 WHERE endpoint_id = $1 AND next_attempt_at > $2")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        audit_company_action!(tx, company_id, now, by, "webhook_resumed", &url);
        tx.commit().await?;
        Ok(true)
    })
}

/// A try of an endpoint, as its log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub event_uid: String,
    pub outcome: String,
    pub response_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next_retry_at: Option<i64>,
}

/// An endpoint's last `limit` tries, newest first.
pub async fn attempts(
    db: &Db,
    endpoint_id: i64,
    limit: i64,
) -> Result<Vec<AttemptRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT id, at, kind, event_uid, outcome, response_code, latency_ms, error, next_retry_at \
         FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// A try to log.
#[derive(Debug, Clone)]
pub struct Tried<'a> {
    pub endpoint_id: i64,
    pub event_uid: &'a str,
    pub kind: &'a str,
    pub at: i64,
    pub outcome: &'a str,
    pub response_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<&'a str>,
    pub next_retry_at: Option<i64>,
}

const INSERT_ATTEMPT: &str =
    "INSERT INTO webhook_attempts (endpoint_id, event_uid, kind, at, outcome, \
     response_code, latency_ms, error, next_retry_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
/// Keeps an endpoint's last `LOG_LENGTH` tries.
const PRUNE_ATTEMPTS: &str = "DELETE FROM webhook_attempts WHERE endpoint_id = $1 AND id <= \
     (SELECT id FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)";

macro_rules! log_attempt {
    ($tx:expr, $tried:expr) => {{
        let tried: &Tried = $tried;
        sqlx::query(INSERT_ATTEMPT)
            .bind(tried.endpoint_id)
            .bind(tried.event_uid)
            .bind(tried.kind)
            .bind(tried.at)
            .bind(tried.outcome)
            .bind(tried.response_code)
            .bind(tried.latency_ms)
            .bind(tried.error)
            .bind(tried.next_retry_at)
            .execute(&mut *$tx)
            .await?;
        sqlx::query(PRUNE_ATTEMPTS)
            .bind(tried.endpoint_id)
            .bind(crate::domain::webhooks::LOG_LENGTH)
            .execute(&mut *$tx)
            .await?;
    }};
}

/// Logs a try that was not of a queued event ("Send test event").
pub async fn log_test(db: &Db, tried: &Tried<'_>) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        log_attempt!(tx, tried);
        tx.commit().await
    })
}

/// A queued delivery a server has claimed, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub attempts: i64,
    pub endpoint_id: i64,
    pub company_id: i64,
    pub url: String,
    pub secret: Vec<u8>,
    pub secret_sealed: bool,
    pub uid: String,
    pub kind: String,
    pub event_at: i64,
    pub body: String,
}

/// Claims up to `limit` due deliveries of endpoints that are not paused until `until`; on
/// PostgreSQL rows another server is claiming are skipped, not waited for.
pub async fn claim_due(
    db: &Db,
    now: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let lock = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => "FOR UPDATE OF o SKIP LOCKED",
    };
    let claim = format!(
        "UPDATE webhook_outbox SET claimed_until = $2 WHERE id IN (SELECT o.id FROM webhook_outbox o \
         JOIN webhook_endpoints e ON e.id = o.endpoint_id WHERE o.next_attempt_at <= $1 \
         AND (o.claimed_until IS NULL OR o.claimed_until < $1) AND e.paused_at IS NULL \
         ORDER BY o.next_attempt_at, o.id LIMIT $3 {lock}) RETURNING id"
    );
    on_pool!(db, pool => {
        // A read first: most passes find nothing, and on SQLite a claim is a write.
        let due: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM webhook_outbox WHERE next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1))",
        )
        .bind(now)
        .fetch_one(pool)
        .await?;
        if !due {
            return Ok(Vec::new());
        }
        let mut tx = pool.begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(&claim)
            .bind(now)
            .bind(until)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let claimed = sqlx::query_as(&format!(
            "SELECT o.id, o.attempts, o.endpoint_id, e.company_id, e.url, e.secret, e.secret_sealed, \
             v.uid, v.kind, v.created_at AS event_at, v.body FROM webhook_outbox o \
             JOIN webhook_endpoints e ON e.id = o.endpoint_id JOIN webhook_events v ON v.id = o.event_id \
             WHERE o.id IN ({list}) ORDER BY o.next_attempt_at, o.id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(claimed)
    })
}

/// What became of a claimed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Delivered,
    /// Failed; tried again at this time.
    Retry(i64),
    /// Failed, and its day of tries is over.
    GivenUp,
}

/// Records a claimed delivery's try: the outbox row goes (delivered, given up) or waits
/// for its next try; the endpoint's failures in a row count on, pausing it at `pause_after`
/// with `tried.error` as the reason. Answers whether this try paused it.
pub async fn settle(
    db: &Db,
    outbox_id: i64,
    settled: Settled,
    tried: &Tried<'_>,
    pause_after: i64,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        match settled {
            Settled::Retry(at) => {
                sqlx::query(
                    "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = $2, \
                     claimed_until = NULL WHERE id = $1",
                )
                .bind(outbox_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            Settled::Delivered | Settled::GivenUp => {
                sqlx::query("DELETE FROM webhook_outbox WHERE id = $1")
                    .bind(outbox_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let paused = match settled {
            Settled::Delivered => {
                sqlx::query("UPDATE webhook_endpoints SET failures_in_row = 0 WHERE id = $1")
                    .bind(tried.endpoint_id)
                    .execute(&mut *tx)
                    .await?;
                false
            }
            _ => {
                let paused_now: Option<i64> = sqlx::query_scalar(
                    "UPDATE webhook_endpoints SET failures_in_row = failures_in_row + 1, \
                     paused_at = CASE WHEN paused_at IS NULL AND failures_in_row + 1 >= $2 THEN $3 ELSE paused_at END, \
                     pause_reason = CASE WHEN paused_at IS NULL AND failures_in_row + 1 >= $2 THEN $4 ELSE pause_reason END \
                     WHERE id = $1 RETURNING paused_at",
                )
                .bind(tried.endpoint_id)
                .bind(pause_after)
                .bind(tried.at)
                .bind(tried.error.unwrap_or(""))
                .fetch_optional(&mut *tx)
                .await?
                .flatten();
                paused_now == Some(tried.at)
            }
        };
        log_attempt!(tx, tried);
        tx.commit().await?;
        Ok(paused)
    })
}

/// Forgets events no endpoint waits for any more.
pub async fn forget_settled_events(db: &Db) -> Result<u64, sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "DELETE FROM webhook_events WHERE NOT EXISTS \
         (SELECT 1 FROM webhook_outbox o WHERE o.event_id = webhook_events.id)",
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
}

/// On a server alone (SQLite): claims left by a server that stopped mid-send are its own,
/// so they are free again at start.
pub async fn release_claims(db: &Db) -> Result<(), sqlx::Error> {
    if let Db::Sqlite(pool) = db {
        sqlx::query(
            "UPDATE webhook_outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL",
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Deliveries waiting (for the metrics).
pub async fn waiting(db: &Db) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM webhook_outbox").fetch_one(pool).await)
}

#[cfg(test)]
pub(crate) mod tests;
