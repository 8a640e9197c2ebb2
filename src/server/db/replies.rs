//! What agents send: replies (stored before they go out, then marked sent or failed) and
//! scheduled messages (claimed once before sending, so none goes out twice).

use super::audit::tally_messages;
use super::{on_pool, retry_when_locked, Db};
use crate::domain::inbox::preview;

/// Appends an outbound message in the Sending state under a local id (WhatsApp's id
/// replaces it once sent) and makes it the conversation's latest.
pub async fn insert_sending(
    db: &Db,
    conversation_id: i64,
    account_id: i64,
    text: &str,
    author: Option<i64>,
    local_id: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    retry_when_locked(|| async {
        on_pool!(db, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO messages (conversation_id, account_id, direction, text, wa_message_id, \
                 sent_at, created_at, status, author_user_id) \
                 VALUES ($1, $2, 'outbound', $3, $4, $5, $5, 'sending', $6) RETURNING id",
            )
            .bind(conversation_id)
            .bind(account_id)
            .bind(text)
            .bind(local_id)
            .bind(now)
            .bind(author)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE conversations SET last_message_at = $2, last_message_text = $3, \
                 last_message_outbound = TRUE WHERE id = $1 AND last_message_at <= $2",
            )
            .bind(conversation_id)
            .bind(now)
            .bind(preview(text, None))
            .execute(&mut *tx)
            .await?;
            tally_messages!(tx, account_id, now, 0, 1);
            tx.commit().await?;
            Ok(id)
        })
    })
    .await
}

/// Takes a reply in Sending for `node` to send. Only one server's take can succeed, so a
/// reply typed on one server and sent by another still goes out at most once.
pub async fn take_for_sending(db: &Db, message_id: i64, node: &str) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE messages SET sender_node = $2 \
         WHERE id = $1 AND status = 'sending' AND sender_node IS NULL",
    )
    .bind(message_id)
    .bind(node)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1))
}

pub async fn mark_sent(db: &Db, message_id: i64, wa_message_id: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE messages SET status = 'sent', failure = NULL, wa_message_id = $2 WHERE id = $1",
    )
    .bind(message_id)
    .bind(wa_message_id)
    .execute(pool)
    .await
    .map(|_| ()))
}

pub async fn mark_failed(db: &Db, message_id: i64, reason: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE messages SET status = 'failed', failure = $2 WHERE id = $1",
    )
    .bind(message_id)
    .bind(reason)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// A reply that found the session offline waits for it, released for any server to send.
pub async fn mark_queued(db: &Db, message_id: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE messages SET status = 'queued', failure = NULL, sender_node = NULL WHERE id = $1",
    )
    .bind(message_id)
    .execute(pool)
    .await
    .map(|_| ()))
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedRow {
    pub id: i64,
    pub company_id: i64,
    pub conversation_id: i64,
    pub contact_phone: String,
    pub text: String,
}

/// The channel's queued replies, oldest first.
pub async fn queued_of(db: &Db, account_id: i64) -> Result<Vec<QueuedRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT m.id, c.company_id, m.conversation_id, ct.phone AS contact_phone, m.text \
         FROM messages m JOIN conversations c ON c.id = m.conversation_id \
         JOIN contacts ct ON ct.id = c.contact_id \
         WHERE m.account_id = $1 AND m.status = 'queued' ORDER BY m.sent_at, m.id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await)
}

/// Channels with queued replies.
pub async fn accounts_with_queued(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM messages WHERE status = 'queued'",
    )
    .fetch_all(pool)
    .await)
}

/// Takes a queued reply for sending (back to Sending); false when another took it first.
pub async fn unqueue(db: &Db, message_id: i64) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE messages SET status = 'sending' WHERE id = $1 AND status = 'queued'",
    )
    .bind(message_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// Queued replies of channels that are no longer Connected (disconnected, disabled) will
/// not go out by themselves: they fail with `reason`, for the agent to see. Returns
/// (company, account, conversation) of each.
pub async fn fail_queued_of_unconnected(
    db: &Db,
    reason: &str,
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    // One statement that writes and answers: a SQLite transaction that reads first and then
    // writes cannot wait for another writer ("database is locked" at once, seen on a busy
    // server); a write waits its turn (busy timeout).
    let mut stranded: Vec<(i64, i64, i64)> = on_pool!(db, pool => sqlx::query_as(
        "UPDATE messages SET status = 'failed', failure = $1 WHERE status = 'queued' \
         AND account_id IN (SELECT id FROM whatsapp_accounts WHERE status <> 'connected') \
         RETURNING (SELECT company_id FROM whatsapp_accounts a WHERE a.id = messages.account_id), \
         account_id, conversation_id",
    )
    .bind(reason)
    .fetch_all(pool)
    .await)?;
    stranded.sort_unstable();
    stranded.dedup();
    Ok(stranded)
}

/// A reply given up on after it reached WhatsApp's socket: it may have gone out.
pub async fn mark_unconfirmed(db: &Db, message_id: i64, reason: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE messages SET status = 'unconfirmed', failure = $2 WHERE id = $1",
    )
    .bind(message_id)
    .bind(reason)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// At start: replies a stopped server was still sending. Whether they went out is
/// unknown; they are marked "may have gone out" (not resent, which could duplicate them)
/// so the agent sees them and decides. Returns (company, account, conversation) of each.
pub async fn fail_stuck_sending(
    db: &Db,
    reason: &str,
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let stuck: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT DISTINCT c.company_id, c.account_id, c.id FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id WHERE m.status = 'sending'",
        )
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("UPDATE messages SET status = 'unconfirmed', failure = $1 WHERE status = 'sending'")
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stuck)
    })
}

/// The status of one of the conversation's replies, if it is one.
pub async fn reply_status(
    db: &Db,
    conversation_id: i64,
    message_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT status FROM messages WHERE id = $1 AND conversation_id = $2 AND direction = 'outbound'",
    )
    .bind(message_id)
    .bind(conversation_id)
    .fetch_optional(pool)
    .await)
}

/// A reply of the conversation in `status` (failed, or unconfirmed once the agent said
/// to send it again) goes back to Sending for a retry; `None` when it is no longer in
/// that state, so two clicks don't send it twice.
pub async fn retry(
    db: &Db,
    conversation_id: i64,
    message_id: i64,
    status: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "UPDATE messages SET status = 'sending', failure = NULL, sender_node = NULL \
         WHERE id = $1 AND conversation_id = $2 AND direction = 'outbound' AND status = $3 \
         RETURNING text",
    )
    .bind(message_id)
    .bind(conversation_id)
    .bind(status)
    .fetch_optional(pool)
    .await)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduledRow {
    pub id: i64,
    pub conversation_id: i64,
    pub account_id: i64,
    pub company_id: i64,
    pub text: String,
    pub send_at: i64,
    pub status: String,
    pub failure: Option<String>,
    pub created_by: Option<i64>,
    /// Who receives it, E.164.
    pub contact_phone: String,
}

const SCHEDULED: &str =
    "SELECT s.id, s.conversation_id, s.account_id, c.company_id, s.text, s.send_at, \
     s.status, s.failure, s.created_by, ct.phone AS contact_phone FROM scheduled_messages s \
     JOIN conversations c ON c.id = s.conversation_id JOIN contacts ct ON ct.id = c.contact_id";

pub async fn schedule(
    db: &Db,
    conversation_id: i64,
    account_id: i64,
    text: &str,
    send_at: i64,
    created_by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "INSERT INTO scheduled_messages (conversation_id, account_id, text, send_at, status, \
         created_at, created_by) VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING id",
    )
    .bind(conversation_id)
    .bind(account_id)
    .bind(text)
    .bind(send_at)
    .bind(now)
    .bind(created_by)
    .fetch_one(pool)
    .await)
}

/// The conversation's scheduled messages, soonest first.
pub async fn scheduled_of(db: &Db, conversation_id: i64) -> Result<Vec<ScheduledRow>, sqlx::Error> {
    let sql = format!("{SCHEDULED} WHERE s.conversation_id = $1 ORDER BY s.send_at, s.id");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(conversation_id).fetch_all(pool).await)
}

/// Cancels a message that has not started going out; false otherwise.
pub async fn cancel(db: &Db, conversation_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE scheduled_messages SET status = 'cancelled' \
         WHERE id = $1 AND conversation_id = $2 AND status = 'pending' AND claimed_at IS NULL",
    )
    .bind(id)
    .bind(conversation_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// Messages due by `now` that nobody has claimed.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<ScheduledRow>, sqlx::Error> {
    let sql = format!(
        "{SCHEDULED} WHERE s.status = 'pending' AND s.send_at <= $1 AND s.claimed_at IS NULL \
         ORDER BY s.send_at, s.id LIMIT $2"
    );
    on_pool!(db, pool => sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(pool).await)
}

/// When the next unclaimed message is due.
pub async fn next_due(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT MIN(send_at) FROM scheduled_messages WHERE status = 'pending' AND claimed_at IS NULL",
    )
    .fetch_one(pool)
    .await)
}

/// Takes a due message for sending. Only one claim can succeed, ever: this is what makes
/// sending at most once.
pub async fn claim(db: &Db, id: i64, now: i64, by: &str) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE scheduled_messages SET claimed_at = $2, claimed_by = $3 \
         WHERE id = $1 AND status = 'pending' AND claimed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1))
}

pub async fn finish(db: &Db, id: i64, failure: Option<&str>) -> Result<(), sqlx::Error> {
    let status = if failure.is_some() { "failed" } else { "sent" };
    on_pool!(db, pool => sqlx::query(
        "UPDATE scheduled_messages SET status = $2, failure = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(failure)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// At start: messages claimed by a run that stopped before it knew the outcome. They may
/// or may not have gone out; sending again could duplicate them, so they are failed with
/// a reason the agent can act on. Returns them.
pub async fn fail_interrupted(db: &Db, reason: &str) -> Result<Vec<ScheduledRow>, sqlx::Error> {
    let sql = format!(
        "{SCHEDULED} WHERE s.status = 'pending' AND s.claimed_at IS NOT NULL ORDER BY s.id"
    );
    let rows: Vec<ScheduledRow> = on_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    for row in &rows {
        finish(db, row.id, Some(reason)).await?;
    }
    Ok(rows)
}
