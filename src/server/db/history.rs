//! The chats WhatsApp sends after pairing, stored a batch at a time. A message already
//! stored (live, or in an earlier delivery of the batch) is skipped, so an import that
//! starts over after a restart adds nothing twice. History never counts as unread.

use super::account_data::Routing;
use super::accounts::Fence;
use super::audit::{tally_messages, TALLY_HOUR_MS};
use super::{fence_holds, on_pool, Db};
use crate::domain::inbox::preview;

/// A history message, its customer's address already resolved (`from`: E.164, or the
/// `lid:` address while WhatsApp hides the number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHistory<'a> {
    pub customer: &'a str,
    pub from_me: bool,
    pub name: &'a str,
    pub text: &'a str,
    pub wa_message_id: &'a str,
    pub sent_at: i64,
    pub media: Option<PendingMedia<'a>>,
}

/// An attachment known by its driver reference only: stored without a file until it is
/// first opened (`media_files.pending_ref`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingMedia<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub reference: &'a str,
}

/// What one batch added: the conversations that gained messages (new ones included), and
/// how many messages and new conversations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub conversations: Vec<i64>,
    pub new_conversations: u64,
    pub messages: u64,
}

/// Stores a batch in one transaction; `None` when `fence` no longer holds (nothing written).
pub async fn import(
    db: &Db,
    account_id: i64,
    routing: &Routing,
    batch: &[NewHistory<'_>],
    now: i64,
    fence: Option<&Fence>,
) -> Result<Option<Imported>, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if !fence_holds!(tx, account_id, fence) {
            return Ok(None);
        }
        let mut imported = Imported::default();
        // Messages in and out by hour, counted once for the batch.
        let mut tallies: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
        for message in batch {
            let known: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM messages WHERE account_id = $1 AND wa_message_id = $2",
            )
            .bind(account_id)
            .bind(message.wa_message_id)
            .fetch_optional(&mut *tx)
            .await?;
            if known.is_some() {
                continue;
            }
            // The linked number's own messages carry its name, not the customer's.
            let name = if message.from_me { "" } else { message.name.trim() };
            let contact: i64 = sqlx::query_scalar(
                "INSERT INTO contacts (company_id, phone, name, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (company_id, phone) DO UPDATE SET name = \
                 CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END \
                 RETURNING id",
            )
            .bind(routing.company_id)
            .bind(message.customer)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO contact_channels (contact_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(contact)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM conversations WHERE account_id = $1 AND contact_id = $2",
            )
            .bind(account_id)
            .bind(contact)
            .fetch_optional(&mut *tx)
            .await?;
            let text = preview(message.text, message.media.map(|m| m.filename));
            let conversation = match existing {
                Some(id) => {
                    // An older message does not become the conversation's latest.
                    sqlx::query(
                        "UPDATE conversations SET last_message_at = $2, last_message_text = $3, \
                         last_message_outbound = $4 WHERE id = $1 AND last_message_at < $2",
                    )
                    .bind(id)
                    .bind(message.sent_at)
                    .bind(&text)
                    .bind(message.from_me)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => {
                    imported.new_conversations += 1;
                    sqlx::query_scalar(
                        "INSERT INTO conversations (company_id, account_id, contact_id, funnel_id, \
                         owner_user_id, last_message_at, created_at, last_message_text, \
                         last_message_outbound) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(routing.company_id)
                    .bind(account_id)
                    .bind(contact)
                    .bind(routing.funnel_id)
                    .bind(routing.owner_user_id)
                    .bind(message.sent_at)
                    .bind(now)
                    .bind(&text)
                    .bind(message.from_me)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            let (direction, status) = if message.from_me {
                ("outbound", "sent")
            } else {
                ("inbound", "received")
            };
            let media_id: Option<i64> = match message.media {
                Some(media) => Some(
                    sqlx::query_scalar(
                        "INSERT INTO media_files (company_id, account_id, path, filename, \
                         content_type, size_bytes, created_at, pending_ref) \
                         VALUES ($1, $2, '', $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(routing.company_id)
                    .bind(account_id)
                    .bind(media.filename)
                    .bind(media.content_type)
                    .bind(media.size_bytes.max(0))
                    .bind(now)
                    .bind(media.reference)
                    .fetch_one(&mut *tx)
                    .await?,
                ),
                None => None,
            };
            sqlx::query(
                "INSERT INTO messages (conversation_id, account_id, direction, text, wa_message_id, \
                 sent_at, created_at, status, media_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(conversation)
            .bind(account_id)
            .bind(direction)
            .bind(message.text)
            .bind(message.wa_message_id)
            .bind(message.sent_at)
            .bind(now)
            .bind(status)
            .bind(media_id)
            .execute(&mut *tx)
            .await?;
            imported.messages += 1;
            let tally = tallies.entry(message.sent_at.div_euclid(TALLY_HOUR_MS)).or_default();
            match message.from_me {
                true => tally.1 += 1,
                false => tally.0 += 1,
            }
            if !imported.conversations.contains(&conversation) {
                imported.conversations.push(conversation);
            }
        }
        for (hour, (inbound, outbound)) in tallies {
            tally_messages!(tx, account_id, hour * TALLY_HOUR_MS, inbound, outbound);
        }
        tx.commit().await?;
        Ok(Some(imported))
    })
}

/// Whether the channel takes in its history (its setup's choice).
pub async fn imports(db: &Db, account_id: i64) -> Result<bool, sqlx::Error> {
    let on: Option<bool> = on_pool!(db, pool => sqlx::query_scalar(
        "SELECT import_history FROM whatsapp_accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await)?;
    Ok(on.unwrap_or(false))
}

/// The channel's history records what an import added (`result`, in words).
pub async fn record_result(
    db: &Db,
    account_id: i64,
    result: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO account_events (account_id, at, event, reason_code) \
         VALUES ($1, $2, 'history_imported', $3)",
    )
    .bind(account_id)
    .bind(now)
    .bind(result)
    .execute(pool)
    .await
    .map(|_| ()))
}

#[cfg(test)]
mod tests;
