//! Deleting a channel's data in bounded batches, each its own short transaction, so a
//! big delete never holds the database for long and can stop and resume anywhere.

use super::{on_pool, Db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingDeletion {
    pub account_id: i64,
    pub company_id: i64,
    pub account_name: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: String,
    pub conversations: i64,
    pub contacts: i64,
    pub scheduled_messages: i64,
    pub media_files: i64,
    pub media_bytes: i64,
    pub messages: i64,
    pub total_items: i64,
    pub done_items: i64,
}

const PENDING: &str =
    "SELECT account_id, company_id, account_name, requested_by, requested_by_name, \
     conversations, contacts, scheduled_messages, media_files, media_bytes, messages, total_items, \
     done_items FROM account_deletions";

/// Every job not finished yet, oldest first (after a restart too).
pub async fn pending(db: &Db) -> Result<Vec<PendingDeletion>, sqlx::Error> {
    let sql = format!("{PENDING} ORDER BY requested_at, account_id");
    on_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// (done, total) of every running deletion of the company, by account.
pub async fn progress(db: &Db, company_id: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT account_id, done_items, total_items FROM account_deletions WHERE company_id = $1",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await)
}

/// The tables emptied row by row, in an order that never breaks a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Messages,
    ScheduledMessages,
    Conversations,
    /// Contacts linked to this channel only; shared contacts just lose the link.
    Contacts,
    ContactLinks,
}

impl Stage {
    pub const ORDER: [Stage; 5] = [
        Stage::Messages,
        Stage::ScheduledMessages,
        Stage::Conversations,
        Stage::Contacts,
        Stage::ContactLinks,
    ];

    fn delete_sql(self) -> &'static str {
        match self {
            Stage::Messages => {
                "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE account_id = $1 LIMIT $2)"
            }
            Stage::ScheduledMessages => {
                "DELETE FROM scheduled_messages WHERE id IN \
                 (SELECT id FROM scheduled_messages WHERE account_id = $1 LIMIT $2)"
            }
            Stage::Conversations => {
                "DELETE FROM conversations WHERE id IN \
                 (SELECT id FROM conversations WHERE account_id = $1 LIMIT $2)"
            }
            Stage::Contacts => {
                "DELETE FROM contacts WHERE id IN (SELECT c.contact_id FROM contact_channels c \
                 WHERE c.account_id = $1 AND NOT EXISTS (SELECT 1 FROM contact_channels o \
                 WHERE o.contact_id = c.contact_id AND o.account_id <> $1) LIMIT $2)"
            }
            Stage::ContactLinks => {
                "DELETE FROM contact_channels WHERE account_id = $1 AND contact_id IN \
                 (SELECT contact_id FROM contact_channels WHERE account_id = $1 LIMIT $2)"
            }
        }
    }

    /// Whether the rows this stage removes count toward the progress bar.
    fn counted(self) -> bool {
        !matches!(self, Stage::ContactLinks)
    }
}

/// Deletes up to `batch` rows of the stage and advances the job's progress in the same
/// transaction. Returns how many rows went (0: the stage is done).
pub async fn delete_batch(
    db: &Db,
    account_id: i64,
    stage: Stage,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let deleted = sqlx::query(stage.delete_sql())
            .bind(account_id)
            .bind(batch)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted > 0 && stage.counted() {
            sqlx::query("UPDATE account_deletions SET done_items = done_items + $2 WHERE account_id = $1")
                .bind(account_id)
                .bind(deleted as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(deleted)
    })
}

/// The next media files of the account: (id, path relative to the media root).
pub async fn media_batch(
    db: &Db,
    account_id: i64,
    batch: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT id, path FROM media_files WHERE account_id = $1 ORDER BY id LIMIT $2",
    )
    .bind(account_id)
    .bind(batch)
    .fetch_all(pool)
    .await)
}

/// Forgets media rows whose files are already removed from disk.
pub async fn forget_media(db: &Db, account_id: i64, ids: &[i64]) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        for id in ids {
            sqlx::query("DELETE FROM media_files WHERE id = $1 AND account_id = $2")
                .bind(id)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE account_deletions SET done_items = done_items + $2 WHERE account_id = $1")
            .bind(account_id)
            .bind(ids.len() as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// The last step: credentials wiped with the account row (its history and restrictions
/// go with it), the job closed and the audit entry written, in one transaction. A job
/// already closed (a second run) changes nothing.
pub async fn finish(
    db: &Db,
    job: &PendingDeletion,
    details: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let open = sqlx::query("DELETE FROM account_deletions WHERE account_id = $1")
            .bind(job.account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if open == 0 {
            return Ok(());
        }
        sqlx::query("UPDATE whatsapp_accounts SET credentials = NULL WHERE id = $1")
            .bind(job.account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM whatsapp_accounts WHERE id = $1")
            .bind(job.account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO company_audit_log (company_id, at, actor_user_id, actor_name, action, subject, details, account_id) \
             VALUES ($1, $2, $3, $4, 'whatsapp_account_deleted', $5, $6, $7)",
        )
        .bind(job.company_id)
        .bind(now)
        .bind(job.requested_by)
        .bind(&job.requested_by_name)
        .bind(&job.account_name)
        .bind(details)
        .bind(job.account_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    })
}
