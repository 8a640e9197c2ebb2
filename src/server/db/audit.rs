//! Who did what to which channel: each channel's history (`account_events`, gone with the
//! channel) and the company's audit log (`company_audit_log`, kept after it). A change a
//! person caused writes both, in the transaction of the change itself (`record_event!`),
//! with the `channel.status_changed` webhook when the change is one of status.

use std::collections::HashMap;

use super::{on_pool, Db};

/// Who asked for an action: the person, and the address their request came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiator {
    pub user_id: i64,
    pub name: String,
    pub address: String,
}

/// The audit entry of an action on a channel, named as the channel is named after it.
pub(crate) const AUDIT_ACTION: &str =
    "INSERT INTO company_audit_log (company_id, at, actor_user_id, actor_name, action, subject, details, account_id, address) \
     SELECT company_id, $2, $3, $4, $5, COALESCE(NULLIF(name, ''), phone, linked_phone, ''), $6, id, $7 \
     FROM whatsapp_accounts WHERE id = $1";

/// The audit entry of an action on the company's own settings (no channel); `details`
/// names what it was done to.
pub(crate) const AUDIT_COMPANY_ACTION: &str =
    "INSERT INTO company_audit_log (company_id, at, actor_user_id, actor_name, action, subject, details, address) \
     VALUES ($1, $2, $3, $4, $5, '', $6, $7)";

/// Inside `on_pool!`, on its transaction `tx`: the audit entry of a person's action on the
/// company's settings. Arguments: company id, time, `&Initiator`, action, details.
macro_rules! audit_company_action {
    ($tx:expr, $company:expr, $at:expr, $initiator:expr, $action:expr, $details:expr) => {{
        let initiator: &$crate::server::db::audit::Initiator = $initiator;
        sqlx::query($crate::server::db::audit::AUDIT_COMPANY_ACTION)
            .bind($company)
            .bind($at)
            .bind(initiator.user_id)
            .bind(&initiator.name)
            .bind($action)
            .bind($details)
            .bind(&initiator.address)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use audit_company_action;

pub(crate) const HISTORY_ENTRY: &str =
    "INSERT INTO account_events (account_id, at, event, reason_code, actor_user_id, details) \
     VALUES ($1, $2, $3, $4, $5, $6)";

/// Inside `on_pool!`, on its transaction `tx`: appends the channel's history entry and,
/// when a person caused it (`initiator`), the company's audit entry. Arguments: account id,
/// time, event, reason code, `Option<&Initiator>`, details.
macro_rules! record_event {
    ($tx:expr, $account:expr, $at:expr, $event:expr, $reason:expr, $initiator:expr, $details:expr) => {{
        let initiator: Option<&$crate::server::db::audit::Initiator> = $initiator;
        let details: Option<&str> = $details;
        let reason: Option<&str> = $reason;
        sqlx::query($crate::server::db::audit::HISTORY_ENTRY)
            .bind($account)
            .bind($at)
            .bind($event)
            .bind(reason)
            .bind(initiator.map(|i| i.user_id))
            .bind(details)
            .execute(&mut *$tx)
            .await?;
        if let Some(initiator) = initiator {
            sqlx::query($crate::server::db::audit::AUDIT_ACTION)
                .bind($account)
                .bind($at)
                .bind(initiator.user_id)
                .bind(&initiator.name)
                .bind($event)
                .bind(details.unwrap_or(""))
                .bind(&initiator.address)
                .execute(&mut *$tx)
                .await?;
        }
        if $crate::server::db::webhooks::changes_status($event) {
            let kind = $crate::domain::webhooks::EventKind::ChannelStatusChanged;
            let channel: Option<(i64, String, String, Option<String>)> =
                sqlx::query_as($crate::server::db::webhooks::CHANNEL_FOR_EVENT)
                    .bind($account)
                    .bind(kind.column_pattern())
                    .fetch_optional(&mut *$tx)
                    .await?;
            if let Some((company, status, name, phone)) = channel {
                $crate::server::db::webhooks::queue_webhook!($tx, company, kind, $at, serde_json::json!({
                    "channel": { "id": $account, "name": name, "phone": phone },
                    "status": status,
                    "event": $event,
                    "reason": reason,
                    "by": initiator.map(|i| i.name.as_str()),
                }));
            }
        }
    }};
}
pub(crate) use record_event;

/// One entry of a channel's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub reason_code: Option<String>,
    pub actor_name: Option<String>,
    pub details: Option<String>,
}

/// A channel's history, newest first: `limit` entries older than `before` (an entry id).
pub async fn channel_history(
    db: &Db,
    account_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT e.id, e.at, e.event, e.reason_code, u.display_name AS actor_name, e.details \
         FROM account_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         WHERE e.account_id = $1 AND ($2 IS NULL OR e.id < $2) \
         ORDER BY e.id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// One entry of the company's audit log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    pub account_id: Option<i64>,
    pub address: Option<String>,
}

/// Which entries of the audit log: of one channel, of one person, or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub account_id: Option<i64>,
    pub actor_user_id: Option<i64>,
}

/// The company's audit log, newest first: `limit` entries older than `before` (an entry id).
pub async fn audit_entries(
    db: &Db,
    company_id: i64,
    filter: AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT id, at, actor_user_id, actor_name, action, subject, details, account_id, address \
         FROM company_audit_log \
         WHERE company_id = $1 AND ($2 IS NULL OR account_id = $2) \
           AND ($3 IS NULL OR actor_user_id = $3) AND ($4 IS NULL OR id < $4) \
         ORDER BY id DESC LIMIT $5",
    )
    .bind(company_id)
    .bind(filter.account_id)
    .bind(filter.actor_user_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// The channels and the people the log names, for its filters: (id, latest name), sorted
/// by name.
pub async fn audit_subjects(
    db: &Db,
    company_id: i64,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), sqlx::Error> {
    // Each id with the name its newest entry gives it.
    let latest = |id: &str, name: &str| {
        format!(
            "SELECT l.{id}, l.{name} FROM company_audit_log l \
             WHERE l.company_id = $1 AND l.id = (SELECT MAX(m.id) FROM company_audit_log m \
               WHERE m.company_id = $1 AND m.{id} = l.{id}) \
             ORDER BY l.{name}, l.{id}"
        )
    };
    let (channels, people) = (
        latest("account_id", "subject"),
        latest("actor_user_id", "actor_name"),
    );
    on_pool!(db, pool => {
        let channels = sqlx::query_as(&channels).bind(company_id).fetch_all(pool).await?;
        let people = sqlx::query_as(&people).bind(company_id).fetch_all(pool).await?;
        Ok((channels, people))
    })
}

/// Whose messages an activity count covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityOf {
    /// Every Connected channel of the company.
    ConnectedOf(i64),
    Account(i64),
}

/// An hour of `message_tallies`.
pub const TALLY_HOUR_MS: i64 = 3_600_000;

pub(crate) const TALLY: &str =
    "INSERT INTO message_tallies (account_id, hour, inbound, outbound) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (account_id, hour) DO UPDATE SET inbound = message_tallies.inbound + excluded.inbound, \
     outbound = message_tallies.outbound + excluded.outbound";

/// Inside `on_pool!`, on its transaction `tx`: counts messages stored on a channel in the
/// hour of `sent_at`, in and out. Arguments: account id, sent at (Unix ms), in, out. Best
/// written last before the commit: on PostgreSQL the hour's row stays locked until then.
macro_rules! tally_messages {
    ($tx:expr, $account:expr, $sent_at:expr, $inbound:expr, $outbound:expr) => {{
        let hour: i64 = $sent_at.div_euclid($crate::server::db::audit::TALLY_HOUR_MS);
        sqlx::query($crate::server::db::audit::TALLY)
            .bind($account)
            .bind(hour)
            .bind($inbound as i64)
            .bind($outbound as i64)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use tally_messages;

/// Messages in and out per channel and period, from the hourly tallies: `periods` of
/// `period_ms` each (whole hours), the last ending with the hour of `now`; per channel
/// oldest first, as (in, out). A channel without messages in that time is not listed.
pub async fn activity(
    db: &Db,
    of: ActivityOf,
    now: i64,
    period_ms: i64,
    periods: i64,
) -> Result<HashMap<i64, Vec<(i64, i64)>>, sqlx::Error> {
    let per_period = (period_ms / TALLY_HOUR_MS).max(1);
    let last_hour = now.div_euclid(TALLY_HOUR_MS);
    let first_hour = last_hour - per_period * periods + 1;
    let (accounts, id) = match of {
        ActivityOf::ConnectedOf(company) => (
            "SELECT id FROM whatsapp_accounts WHERE company_id = $1 AND status = 'connected'",
            company,
        ),
        ActivityOf::Account(account) => ("SELECT $1", account),
    };
    let sql = format!(
        "SELECT account_id, (hour - $2) / $3 AS period, CAST(SUM(inbound) AS BIGINT), \
         CAST(SUM(outbound) AS BIGINT) FROM message_tallies \
         WHERE account_id IN ({accounts}) AND hour >= $2 AND hour <= $4 \
         GROUP BY account_id, period"
    );
    let rows: Vec<(i64, i64, i64, i64)> = on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(first_hour)
        .bind(per_period)
        .bind(last_hour)
        .fetch_all(pool)
        .await)?;
    let mut all: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for (account, period, inbound, outbound) in rows {
        let counts = all
            .entry(account)
            .or_insert_with(|| vec![(0, 0); periods as usize]);
        let slot = &mut counts[period.clamp(0, periods - 1) as usize];
        slot.0 += inbound;
        slot.1 += outbound;
    }
    Ok(all)
}

#[cfg(test)]
pub(crate) mod tests;
