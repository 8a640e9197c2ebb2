//! Status changes with no WhatsApp side: Disable, Enable and the start of a Delete.
//! Each is one conditional write with its history entry; a write that finds the account
//! in another status (or the company at its limit) changes nothing and answers false.

use super::account_data::AccountDataCounts;
use super::audit::{record_event, Initiator};
use super::{on_pool, Db};
use crate::server::metrics;

/// `lock_company`: a company whose row lock the write takes first (a limit check that
/// must see every change committed before it).
#[allow(clippy::too_many_arguments)]
async fn change(
    db: &Db,
    update: &str,
    id: i64,
    more_binds: &[i64],
    event: &str,
    initiator: &Initiator,
    now: i64,
    lock_company: Option<i64>,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if let Some(company) = lock_company {
            sqlx::query(super::accounts::lock_company(db)).bind(company).execute(&mut *tx).await?;
        }
        let mut query = sqlx::query(update).bind(id).bind(now);
        for value in more_binds {
            query = query.bind(*value);
        }
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        record_event!(tx, id, now, event, None, Some(initiator), None);
        tx.commit().await?;
        metrics::channel_event(event, None);
        Ok(true)
    })
}

pub async fn disable(
    db: &Db,
    id: i64,
    initiator: &Initiator,
    now: i64,
) -> Result<bool, sqlx::Error> {
    change(
        db,
        "UPDATE whatsapp_accounts SET status = 'disabled', updated_at = $2, version = version + 1 \
         WHERE id = $1 AND status = 'disconnected'",
        id,
        &[],
        "disabled",
        initiator,
        now,
        None,
    )
    .await
}

/// Under the company's row lock, so concurrent Enables (and Adds) cannot both slip under
/// the limit.
pub async fn enable_within_limit(
    db: &Db,
    company_id: i64,
    id: i64,
    limit: i64,
    initiator: &Initiator,
    now: i64,
) -> Result<bool, sqlx::Error> {
    change(
        db,
        "UPDATE whatsapp_accounts SET status = 'disconnected', updated_at = $2, version = version + 1 \
         WHERE id = $1 AND status = 'disabled' AND company_id = $3 AND \
         (SELECT COUNT(*) FROM whatsapp_accounts WHERE company_id = $3 AND status <> 'disabled') < $4",
        id,
        &[company_id, limit],
        "enabled",
        initiator,
        now,
        Some(company_id),
    )
    .await
}

/// A Delete as confirmed: who asked, and what the dialog said would go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionJob {
    pub account_id: i64,
    pub company_id: i64,
    pub account_name: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: i64,
    pub counts: AccountDataCounts,
}

impl DeletionJob {
    /// Units of work for the progress bar: each row and file, plus the account itself.
    pub fn total_items(&self) -> i64 {
        let c = &self.counts;
        c.messages + c.conversations + c.scheduled_messages + c.contacts + c.media_files + 1
    }
}

/// Disabled → Deleting and the job row, atomically.
/// `initiator` is who confirmed, as the audit log records them.
pub async fn begin_deletion(
    db: &Db,
    job: &DeletionJob,
    initiator: &Initiator,
) -> Result<bool, sqlx::Error> {
    let c = job.counts;
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE whatsapp_accounts SET status = 'deleting', updated_at = $2, version = version + 1 \
             WHERE id = $1 AND status = 'disabled'",
        )
        .bind(job.account_id)
        .bind(job.requested_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO account_deletions (account_id, company_id, account_name, requested_by, \
             requested_by_name, requested_at, conversations, contacts, scheduled_messages, media_files, \
             media_bytes, messages, total_items) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(job.account_id)
        .bind(job.company_id)
        .bind(&job.account_name)
        .bind(job.requested_by)
        .bind(&job.requested_by_name)
        .bind(job.requested_at)
        .bind(c.conversations)
        .bind(c.contacts)
        .bind(c.scheduled_messages)
        .bind(c.media_files)
        .bind(c.media_bytes)
        .bind(c.messages)
        .bind(job.total_items())
        .execute(&mut *tx)
        .await?;
        record_event!(tx, job.account_id, job.requested_at, "deletion_started", None, Some(initiator), None);
        tx.commit().await?;
        Ok(true)
    })
}
