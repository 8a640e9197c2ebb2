//! What happened: a channel's history, the company's audit log (and its CSV), and the
//! messages a channel carried lately.

use super::internal;
use crate::error::AppError;
use crate::server::db::audit::{self, ActivityOf, AuditFilter, AuditRow};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{accounts, now_ms, Db};
use crate::views::activity::{Activity, AuditEntry, AuditPage, HistoryEntry, HistoryPage};

/// Entries per page of a history or of the audit log.
pub const PAGE: i64 = 50;
/// The most entries one CSV export holds.
pub const CSV_ROWS: i64 = 100_000;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// A channel's history, newest first, `PAGE` entries older than `before`.
pub async fn channel_history(
    db: &Db,
    user: &SignedInUser,
    id: i64,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    accounts::get(db, user.company_id, id)
        .await
        .map_err(|e| internal("load account", e))?
        .ok_or(AppError::NotFound)?;
    let mut rows = audit::channel_history(db, id, before, PAGE + 1)
        .await
        .map_err(|e| internal("read channel history", e))?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let entries = rows
        .into_iter()
        .map(|row| HistoryEntry {
            id: row.id,
            at_ms: row.at,
            event: row.event,
            reason: row.reason_code,
            by: row.actor_name,
            details: row.details.filter(|d| !d.is_empty()),
        })
        .collect();
    Ok(HistoryPage { entries, more })
}

fn audit_entry(row: AuditRow) -> AuditEntry {
    let deleted = (row.action == "whatsapp_account_deleted")
        .then(|| serde_json::from_str(&row.details).ok())
        .flatten();
    AuditEntry {
        deleted,
        id: row.id,
        at_ms: row.at,
        by: row.actor_name,
        address: row.address.filter(|a| !a.is_empty()),
        event: row.action,
        channel: row.subject,
        channel_id: row.account_id,
        details: row.details,
    }
}

/// The company's audit log, newest first, `PAGE` entries older than `before`.
pub async fn audit_log(
    db: &Db,
    user: &SignedInUser,
    filter: AuditFilter,
    before: Option<i64>,
) -> Result<AuditPage, AppError> {
    let mut rows = audit::audit_entries(db, user.company_id, filter, before, PAGE + 1)
        .await
        .map_err(|e| internal("read audit log", e))?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let (channels, people) = audit::audit_subjects(db, user.company_id)
        .await
        .map_err(|e| internal("read audit subjects", e))?;
    Ok(AuditPage {
        entries: rows.into_iter().map(audit_entry).collect(),
        more,
        channels,
        people,
    })
}

/// The audit log as CSV (RFC 4180), newest first: time (ISO 8601, UTC), person,
/// address, action, channel, channel id, details.
pub async fn audit_csv(
    db: &Db,
    user: &SignedInUser,
    filter: AuditFilter,
) -> Result<String, AppError> {
    let rows = audit::audit_entries(db, user.company_id, filter, None, CSV_ROWS)
        .await
        .map_err(|e| internal("export audit log", e))?;
    Ok(csv(rows.into_iter().map(audit_entry)))
}

pub fn csv(entries: impl Iterator<Item = AuditEntry>) -> String {
    let mut out = String::from("time,person,address,action,channel,channel_id,details\r\n");
    for e in entries {
        let fields = [
            crate::domain::time::format_iso(e.at_ms),
            e.by,
            e.address.unwrap_or_default(),
            e.event,
            e.channel,
            e.channel_id.map(|id| id.to_string()).unwrap_or_default(),
            e.details,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quoted when it must be; a value a spreadsheet would run as a formula (a channel named
/// "=HYPERLINK(…)") starts with an apostrophe instead. A phone number ("+57 300 123 4567")
/// is left as it is: digits and signs call no function and name no cell.
fn csv_field(value: &str) -> String {
    let number_like = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number_like {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn to_activity(counts: Vec<(i64, i64)>) -> Activity {
    let clamp = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Activity(
        counts
            .into_iter()
            .map(|(i, o)| (clamp(i), clamp(o)))
            .collect(),
    )
}

/// Each Connected channel's messages in and out per day over the last 7 days.
pub async fn week_of_connected(db: &Db, company_id: i64) -> Result<Vec<(i64, Activity)>, AppError> {
    let mut week = audit::activity(db, ActivityOf::ConnectedOf(company_id), now_ms(), DAY_MS, 7)
        .await
        .map_err(|e| internal("count messages by day", e))?
        .into_iter()
        .map(|(id, counts)| (id, to_activity(counts)))
        .collect::<Vec<_>>();
    week.sort_unstable_by_key(|(id, _)| *id);
    Ok(week)
}

/// A channel's messages in and out per hour over the last 24 hours.
pub async fn day_of(db: &Db, account_id: i64) -> Result<Activity, AppError> {
    let mut day = audit::activity(db, ActivityOf::Account(account_id), now_ms(), HOUR_MS, 24)
        .await
        .map_err(|e| internal("count messages by hour", e))?;
    Ok(day
        .remove(&account_id)
        .map(to_activity)
        .unwrap_or_else(|| Activity::empty(24)))
}

#[cfg(test)]
mod tests;
