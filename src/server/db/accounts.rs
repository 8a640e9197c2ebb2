//! WhatsApp Web accounts. Every status change writes the account and its history
//! entry in one transaction, so the history never disagrees with the status.

use super::audit::{record_event, Initiator};
use super::{fence_holds, on_pool, Db};
use crate::domain::account::{AccountStatus, DisconnectReason};
use crate::server::metrics;

/// An account as the Channels page shows it, with the names it refers to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub company_id: i64,
    pub status: String,
    pub name: String,
    /// The configured number (the wizard's); the linked one until someone sets it.
    pub phone: Option<String>,
    /// The number the phone reported when it last linked.
    pub linked_phone: Option<String>,
    pub business_name: Option<String>,
    pub ever_linked: bool,
    pub disconnect_reason: Option<String>,
    pub disconnect_actor: Option<String>,
    pub disconnected_at: Option<i64>,
    /// When a temporary ban ends.
    pub disconnect_until: Option<i64>,
    pub cellphone_user: Option<String>,
    pub funnel: Option<String>,
    pub owner: Option<String>,
    /// Progress of a running Delete: items done and in all.
    pub deletion_done: Option<i64>,
    pub deletion_total: Option<i64>,
}

impl AccountRow {
    pub fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status).unwrap_or(AccountStatus::Disconnected)
    }
}

const SELECT: &str =
    "SELECT a.id, a.company_id, a.status, a.name, a.phone, a.linked_phone, a.business_name, \
     a.ever_linked, a.disconnect_reason, a.disconnect_actor, a.disconnected_at, a.disconnect_until, \
     cu.display_name AS cellphone_user, f.name AS funnel, o.display_name AS owner, \
     d.done_items AS deletion_done, d.total_items AS deletion_total \
     FROM whatsapp_accounts a \
     LEFT JOIN account_deletions d ON d.account_id = a.id \
     LEFT JOIN users cu ON cu.id = a.cellphone_user_id \
     LEFT JOIN funnels f ON f.id = a.funnel_id \
     LEFT JOIN users o ON o.id = a.owner_user_id";

/// Creates a Connecting account unless the company already uses `limit` channels
/// (Disabled accounts do not count). `None` means the limit is reached.
/// Takes the company's row lock until the transaction ends: `FOR UPDATE` on PostgreSQL; on
/// SQLite a no-op write, which takes the database's write lock (one writer at a time).
pub(crate) fn lock_company(db: &Db) -> &'static str {
    match db {
        Db::Postgres(_) => "SELECT id FROM companies WHERE id = $1 FOR UPDATE",
        Db::Sqlite(_) => "UPDATE companies SET channel_limit = channel_limit WHERE id = $1",
    }
}

pub async fn insert_within_limit(
    db: &Db,
    company_id: i64,
    limit: i64,
    initiator: Option<&Initiator>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        // Adds of one company queue on its row, so the count below sees every account
        // committed before: without it, on PostgreSQL, concurrent Adds each saw room (10 at
        // 0 of 3 made 8). SQLite has one writer at a time anyway.
        sqlx::query(lock_company(db)).bind(company_id).execute(&mut *tx).await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO whatsapp_accounts (company_id, status, created_at, updated_at) \
             SELECT $1, 'connecting', $3, $3 \
             WHERE (SELECT COUNT(*) FROM whatsapp_accounts WHERE company_id = $1 AND status <> 'disabled') < $2 \
             RETURNING id",
        )
        .bind(company_id)
        .bind(limit)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            record_event!(tx, id, now, "added", None, initiator, None);
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn count_toward_limit(db: &Db, company_id: i64) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM whatsapp_accounts WHERE company_id = $1 AND status <> 'disabled'",
    )
    .bind(company_id)
    .fetch_one(pool)
    .await)
}

/// The account if it belongs to `company_id` (never reveals other companies' accounts).
pub async fn get(db: &Db, company_id: i64, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.id = $1 AND a.company_id = $2");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(id).bind(company_id).fetch_optional(pool).await)
}

pub async fn get_any(db: &Db, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Newest first, so a freshly added card is on top.
pub async fn list(db: &Db, company_id: i64) -> Result<Vec<AccountRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.company_id = $1 ORDER BY a.id DESC");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(company_id).fetch_all(pool).await)
}

/// Display names of the users an account is restricted to, by account id.
pub async fn restricted_user_names(
    db: &Db,
    company_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT r.account_id, u.display_name FROM account_restricted_users r \
         JOIN whatsapp_accounts a ON a.id = r.account_id JOIN users u ON u.id = r.user_id \
         WHERE a.company_id = $1 ORDER BY u.display_name",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await)
}

/// Ids (and stored credentials) of every account in `status`, across companies: for recovery at start.
pub async fn ids_with_status(
    db: &Db,
    status: AccountStatus,
) -> Result<Vec<(i64, Option<String>)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as("SELECT id, credentials FROM whatsapp_accounts WHERE status = $1 ORDER BY id")
        .bind(status.as_str())
        .fetch_all(pool)
        .await)
}

pub async fn credentials(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    let found: Option<Option<String>> = on_pool!(db, pool => sqlx::query_scalar("SELECT credentials FROM whatsapp_accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(found.flatten())
}

/// What a status change writes besides the status itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    Linking,
    /// The attempt died with the server showing it; the account stays Connecting.
    LinkingInterrupted,
    Connected {
        phone: &'a str,
        business_name: &'a str,
        credentials: &'a str,
    },
    Disconnected {
        reason: DisconnectReason,
        initiator_name: Option<&'a str>,
        /// When a temporary ban ends.
        until_ms: Option<i64>,
    },
}

/// The owner a write must come from, in a cluster: the node and the epoch of its claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub node: String,
    pub epoch: i64,
}

/// Locks the account's row while `$2` owns it under epoch `$3` (PostgreSQL): no row, the
/// fence no longer holds and the write must be rolled back.
pub(crate) const FENCE_HOLDS: &str = "SELECT id FROM whatsapp_accounts \
     WHERE id = $1 AND owner_node = $2 AND owner_epoch = $3 FOR UPDATE";

/// The same check for writes that may run side by side (a session's keys): it only
/// keeps a claim from being taken until the write commits.
pub(crate) const FENCE_HOLDS_SHARED: &str = "SELECT id FROM whatsapp_accounts \
     WHERE id = $1 AND owner_node = $2 AND owner_epoch = $3 FOR SHARE";

/// "Keep the new number": a Connected account linked from another phone than the one
/// configured takes the linked phone as its number. False when there is no such mismatch
/// (anymore).
pub async fn adopt_linked_phone(
    db: &Db,
    company_id: i64,
    id: i64,
    initiator: &Initiator,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let kept: Option<String> = sqlx::query_scalar(
            "UPDATE whatsapp_accounts SET phone = linked_phone, version = version + 1, updated_at = $3 \
             WHERE id = $1 AND company_id = $2 AND status = 'connected' \
               AND linked_phone IS NOT NULL AND phone IS NOT NULL AND phone <> linked_phone \
             RETURNING phone",
        )
        .bind(id)
        .bind(company_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(kept) = kept else {
            return Ok(false);
        };
        record_event!(tx, id, now, "number_kept", None, Some(initiator), Some(kept.as_str()));
        tx.commit().await?;
        Ok(true)
    })
}

/// Applies a status change and appends its history entry, atomically.
pub async fn apply(
    db: &Db,
    id: i64,
    change: Change<'_>,
    initiator: Option<&Initiator>,
    now: i64,
) -> Result<(), sqlx::Error> {
    apply_fenced(db, id, change, initiator, now, None)
        .await
        .map(|_| ())
}

/// The same, for what a server's own WhatsApp session reports: with a `fence`, the change
/// is written only while that node owns the account under that epoch (checked under the
/// row's lock, in the same transaction). False when refused: a peer has claimed it since.
pub async fn apply_fenced(
    db: &Db,
    id: i64,
    change: Change<'_>,
    initiator: Option<&Initiator>,
    now: i64,
    fence: Option<&Fence>,
) -> Result<bool, sqlx::Error> {
    let (sql, event, reason) = match &change {
        Change::Linking => (
            "UPDATE whatsapp_accounts SET status = 'connecting', disconnect_reason = NULL, \
             updated_at = $2 WHERE id = $1",
            "linking_started",
            None,
        ),
        Change::LinkingInterrupted => (
            "UPDATE whatsapp_accounts SET disconnect_reason = $3, updated_at = $2 \
             WHERE id = $1 AND status = 'connecting'",
            "linking_interrupted",
            Some(DisconnectReason::LinkingInterrupted.code()),
        ),
        Change::Connected { .. } => (
            "UPDATE whatsapp_accounts SET status = 'connected', phone = COALESCE(phone, $3), \
             linked_phone = $3, business_name = $4, \
             credentials = $5, ever_linked = TRUE, disconnect_reason = NULL, disconnect_actor = NULL, \
             disconnected_at = NULL, disconnect_until = NULL, updated_at = $2, version = version + 1 WHERE id = $1",
            "connected",
            None,
        ),
        Change::Disconnected { reason, .. } => (
            "UPDATE whatsapp_accounts SET status = 'disconnected', credentials = NULL, \
             disconnect_reason = $3, disconnect_actor = $4, disconnect_until = $5, disconnected_at = $2, updated_at = $2, \
             version = version + 1 WHERE id = $1",
            "disconnected",
            Some(reason.code()),
        ),
    };
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if !fence_holds!(tx, id, fence) {
            tx.rollback().await?;
            return Ok(false);
        }
        let update = sqlx::query(sql).bind(id).bind(now);
        let update = match &change {
            Change::Linking => update,
            Change::LinkingInterrupted => update.bind(DisconnectReason::LinkingInterrupted.code()),
            Change::Connected { phone, business_name, credentials } => {
                update.bind(*phone).bind(*business_name).bind(*credentials)
            }
            Change::Disconnected { reason, initiator_name, until_ms } => {
                update.bind(reason.code()).bind(*initiator_name).bind(*until_ms)
            }
        };
        update.execute(&mut *tx).await?;
        if matches!(change, Change::Disconnected { .. }) {
            // The device keys die with the session.
            sqlx::query("DELETE FROM whatsapp_keys WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        // The number that scanned, for the history ("Linked from +57…").
        let details = match &change {
            Change::Connected { phone, .. } => Some(*phone),
            _ => None,
        };
        record_event!(tx, id, now, event, reason, initiator, details);
        tx.commit().await?;
        metrics::channel_event(event, reason);
        Ok(true)
    })
}

/// A history entry that changes no status (QR expired, reconnecting, reconnected, initiator restarted).
pub async fn record_event(
    db: &Db,
    id: i64,
    event: &str,
    initiator: Option<&Initiator>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        record_event!(tx, id, now, event, None, initiator, None);
        tx.commit().await?;
    });
    metrics::channel_event(event, None);
    Ok(())
}

/// The account's history, oldest first: (event, reason code).
pub async fn history(db: &Db, id: i64) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as("SELECT event, reason_code FROM account_events WHERE account_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(pool)
        .await)
}

/// Removes a never-linked account whose first linking was cancelled.
pub async fn remove(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("DELETE FROM whatsapp_accounts WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[cfg(test)]
mod tests;
