//! WhatsApp's ticks both ways: receipts from customers move replies to Delivered and Read
//! (forward only), WhatsApp's own acks settle whether a reply went out at all, and the read
//! receipts we owe customers for what they sent.

use super::webhooks::queue_webhook;
use super::{on_pool, Db};
use crate::domain::inbox::Receipt;
use crate::domain::webhooks::EventKind;

/// At most this many ids go into one statement.
const CHUNK: usize = 100;

/// `$first, $first+1, …`: `count` numbered parameters for an `IN (…)` list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Moves the account's replies `ids` (WhatsApp's ids) on to `receipt`'s state, dating the
/// step `at`, with `message.status_changed` queued for each that moved; a reply already
/// there or beyond is left as it is. Answers the conversations
/// changed and the ids that moved.
pub async fn advance(
    db: &Db,
    account_id: i64,
    ids: &[String],
    receipt: Receipt,
    at: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let from = receipt
        .moves_from()
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let read_at = match receipt {
        Receipt::Read => "COALESCE(read_at, $3)",
        Receipt::Delivered => "read_at",
    };
    let mut moved = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let placeholders = placeholders(4, chunk.len());
        let sql = format!(
            "UPDATE messages SET status = $2, delivered_at = COALESCE(delivered_at, $3), \
             read_at = {read_at}, failure = NULL \
             WHERE account_id = $1 AND direction = 'outbound' AND status IN ({from}) \
             AND wa_message_id IN ({placeholders}) RETURNING conversation_id, wa_message_id"
        );
        let rows: Vec<(i64, String)> = on_pool!(db, pool => {
            let mut tx = pool.begin().await?;
            let mut query = sqlx::query_as(&sql)
                .bind(account_id)
                .bind(receipt.status().code())
                .bind(at);
            for id in chunk {
                query = query.bind(id);
            }
            let rows: Vec<(i64, String)> = query.fetch_all(&mut *tx).await?;
            if !rows.is_empty() {
                let company: i64 = sqlx::query_scalar("SELECT company_id FROM whatsapp_accounts WHERE id = $1")
                    .bind(account_id)
                    .fetch_one(&mut *tx)
                    .await?;
                // One read of who wants these, however many replies moved.
                let kind = EventKind::MessageStatusChanged;
                let endpoints: Vec<i64> = sqlx::query_scalar(super::webhooks::WANTS)
                    .bind(company)
                    .bind(kind.column_pattern())
                    .fetch_all(&mut *tx)
                    .await?;
                for (conversation, wa_id) in &rows {
                    queue_webhook!(@to tx, &endpoints, company, kind, at, serde_json::json!({
                        "channel_id": account_id,
                        "conversation_id": conversation,
                        "whatsapp_message_id": wa_id,
                        "status": receipt.status().code(),
                    }));
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        })?;
        moved.extend(rows);
    }
    Ok(moved)
}

/// The customer's messages in the conversation that WhatsApp has not been told we read,
/// newest first, up to `limit`: their WhatsApp ids. None while the channel's "Send read
/// receipts" is off.
pub async fn owed(db: &Db, conversation_id: i64, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT m.wa_message_id FROM messages m JOIN whatsapp_accounts a ON a.id = m.account_id \
         WHERE m.conversation_id = $1 AND m.read_receipt_owed AND a.send_read_receipts \
         ORDER BY m.sent_at DESC, m.id DESC LIMIT $2",
    )
    .bind(conversation_id)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// Takes `ids` off what the conversation owes, answering those this call took: of two
/// openings at once, each id goes to one of them, so the customer is told once.
pub async fn take_owed(
    db: &Db,
    conversation_id: i64,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut taken = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let placeholders = placeholders(2, chunk.len());
        let sql = format!(
            "UPDATE messages SET read_receipt_owed = FALSE \
             WHERE conversation_id = $1 AND read_receipt_owed \
             AND wa_message_id IN ({placeholders}) RETURNING wa_message_id"
        );
        let took: Vec<String> = on_pool!(db, pool => {
            let mut query = sqlx::query_scalar(&sql).bind(conversation_id);
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        taken.extend(took);
    }
    Ok(taken)
}

/// Receipts taken but not sent (the session was gone): owed again, for the next opening.
pub async fn owe_again(db: &Db, conversation_id: i64, ids: &[String]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(CHUNK) {
        let placeholders = placeholders(2, chunk.len());
        let sql = format!(
            "UPDATE messages SET read_receipt_owed = TRUE \
             WHERE conversation_id = $1 AND wa_message_id IN ({placeholders})"
        );
        on_pool!(db, pool => {
            let mut query = sqlx::query(&sql).bind(conversation_id);
            for id in chunk {
                query = query.bind(id);
            }
            query.execute(pool).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// WhatsApp never acknowledged the account's replies `ids`: they become "not confirmed"
/// with `reason`, unless something already moved them on. Answers their conversations.
pub async fn not_accepted(
    db: &Db,
    account_id: i64,
    ids: &[String],
    reason: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut changed = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let placeholders = placeholders(3, chunk.len());
        let sql = format!(
            "UPDATE messages SET status = 'unconfirmed', failure = $2 \
             WHERE account_id = $1 AND direction = 'outbound' AND status IN ('sending', 'sent') \
             AND wa_message_id IN ({placeholders}) RETURNING conversation_id"
        );
        let rows: Vec<i64> = on_pool!(db, pool => {
            let mut query = sqlx::query_scalar(&sql).bind(account_id).bind(reason);
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        changed.extend(rows);
    }
    Ok(changed)
}

/// WhatsApp's ack came after all: a reply marked not confirmed is Sent again.
pub async fn accepted_late(db: &Db, account_id: i64, id: &str) -> Result<Vec<i64>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "UPDATE messages SET status = 'sent', failure = NULL \
         WHERE account_id = $1 AND direction = 'outbound' AND status = 'unconfirmed' \
         AND wa_message_id = $2 RETURNING conversation_id",
    )
    .bind(account_id)
    .bind(id)
    .fetch_all(pool)
    .await)
}

/// WhatsApp refused the reply `id`: it is Not sent, with `reason`.
pub async fn refused(
    db: &Db,
    account_id: i64,
    id: &str,
    reason: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "UPDATE messages SET status = 'failed', failure = $3 \
         WHERE account_id = $1 AND direction = 'outbound' \
         AND status IN ('sending', 'sent', 'unconfirmed') AND wa_message_id = $2 \
         RETURNING conversation_id",
    )
    .bind(account_id)
    .bind(id)
    .bind(reason)
    .fetch_all(pool)
    .await)
}
