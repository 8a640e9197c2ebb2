//! What a channel carries: contacts, conversations, messages, media and scheduled
//! messages. Inbound messages are stored here, and counted for the Delete dialog.

use super::accounts::Fence;
use super::audit::tally_messages;
use super::webhooks::queue_webhook;
use super::{fence_holds, on_pool, Db};
use crate::domain::inbox::preview;
use crate::domain::time::format_iso;
use crate::domain::webhooks::EventKind;

/// Where a new conversation of the account goes: its funnel and owner.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Routing {
    pub company_id: i64,
    pub funnel_id: Option<i64>,
    pub owner_user_id: Option<i64>,
}

pub async fn routing(db: &Db, account_id: i64) -> Result<Option<Routing>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT company_id, funnel_id, owner_user_id FROM whatsapp_accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await)
}

pub async fn message_stored(
    db: &Db,
    account_id: i64,
    wa_message_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_pool!(db, pool => sqlx::query_scalar(
        "SELECT id FROM messages WHERE account_id = $1 AND wa_message_id = $2",
    )
    .bind(account_id)
    .bind(wa_message_id)
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMedia<'a> {
    pub path: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredInbound {
    pub message_id: i64,
    pub conversation_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInbound<'a> {
    pub account_id: i64,
    pub routing: &'a Routing,
    /// E.164.
    pub from: &'a str,
    pub name: &'a str,
    pub text: &'a str,
    pub wa_message_id: &'a str,
    pub sent_at: i64,
    pub media: Option<NewMedia<'a>>,
    pub now: i64,
    /// In a cluster: stored only while this claim on the account holds.
    pub fence: Option<&'a Fence>,
}

/// Stores an inbound message in one transaction: the contact is found or created and
/// linked to the channel, the conversation found or opened in the account's funnel with
/// its owner, the message appended, and `message.received` queued for the company's
/// webhooks. `None` when WhatsApp's id was already stored, or when
/// the `fence` no longer holds (a peer owns the account now): nothing is written then.
pub async fn store_inbound(
    db: &Db,
    message: &NewInbound<'_>,
) -> Result<Option<StoredInbound>, sqlx::Error> {
    let routing = message.routing;
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if !fence_holds!(tx, message.account_id, message.fence) {
            return Ok(None);
        }
        let contact: i64 = sqlx::query_scalar(
            "INSERT INTO contacts (company_id, phone, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (company_id, phone) DO UPDATE SET name = \
             CASE WHEN excluded.name <> '' THEN excluded.name ELSE contacts.name END \
             RETURNING id",
        )
        .bind(routing.company_id)
        .bind(message.from)
        .bind(message.name)
        .bind(message.now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO contact_channels (contact_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(contact)
        .bind(message.account_id)
        .execute(&mut *tx)
        .await?;
        let conversation: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (company_id, account_id, contact_id, funnel_id, owner_user_id, \
             last_message_at, created_at, last_message_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (account_id, contact_id) DO UPDATE SET last_message_at = \
             CASE WHEN excluded.last_message_at > conversations.last_message_at \
             THEN excluded.last_message_at ELSE conversations.last_message_at END, \
             last_message_text = CASE WHEN excluded.last_message_at >= conversations.last_message_at \
             THEN excluded.last_message_text ELSE conversations.last_message_text END, \
             last_message_outbound = CASE WHEN excluded.last_message_at >= conversations.last_message_at \
             THEN FALSE ELSE conversations.last_message_outbound END \
             RETURNING id",
        )
        .bind(routing.company_id)
        .bind(message.account_id)
        .bind(contact)
        .bind(routing.funnel_id)
        .bind(routing.owner_user_id)
        .bind(message.sent_at)
        .bind(message.now)
        .bind(preview(message.text, message.media.as_ref().map(|m| m.filename)))
        .fetch_one(&mut *tx)
        .await?;
        let media_id: Option<i64> = match &message.media {
            Some(media) => Some(
                sqlx::query_scalar(
                    "INSERT INTO media_files (company_id, account_id, path, filename, content_type, \
                     size_bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(routing.company_id)
                .bind(message.account_id)
                .bind(media.path)
                .bind(media.filename)
                .bind(media.content_type)
                .bind(media.size_bytes)
                .bind(message.now)
                .fetch_one(&mut *tx)
                .await?,
            ),
            None => None,
        };
        let stored: Option<i64> = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, account_id, direction, text, media_id, \
             wa_message_id, sent_at, created_at, read_receipt_owed) \
             VALUES ($1, $2, 'inbound', $3, $4, $5, $6, $7, TRUE) \
             ON CONFLICT (account_id, wa_message_id) DO NOTHING RETURNING id",
        )
        .bind(conversation)
        .bind(message.account_id)
        .bind(message.text)
        .bind(media_id)
        .bind(message.wa_message_id)
        .bind(message.sent_at)
        .bind(message.now)
        .fetch_optional(&mut *tx)
        .await?;
        if stored.is_some() {
            sqlx::query("UPDATE conversations SET inbound_count = inbound_count + 1 WHERE id = $1")
                .bind(conversation)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(message_id) = stored {
            queue_webhook!(tx, routing.company_id, EventKind::MessageReceived, message.now, serde_json::json!({
                "channel_id": message.account_id,
                "conversation_id": conversation,
                "message_id": message_id,
                "whatsapp_message_id": message.wa_message_id,
                "from": message.from,
                "name": message.name,
                "text": message.text,
                "sent_at": format_iso(message.sent_at),
                "media": message.media.as_ref().map(|m| serde_json::json!({
                    "filename": m.filename,
                    "content_type": m.content_type,
                    "size_bytes": m.size_bytes,
                })),
            }));
            tally_messages!(tx, message.account_id, message.sent_at, 1, 0);
            tx.commit().await?;
        }
        // A replay that raced past the check above: dropping the transaction undoes it all.
        Ok(stored.map(|message_id| StoredInbound {
            message_id,
            conversation_id: conversation,
        }))
    })
}

pub use crate::domain::account_data::AccountDataCounts;

pub async fn counts(db: &Db, account_id: i64) -> Result<AccountDataCounts, sqlx::Error> {
    let (conversations, contacts, scheduled_messages, media_files, media_bytes, messages): (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = on_pool!(db, pool => sqlx::query_as(
        "SELECT \
         (SELECT COUNT(*) FROM conversations WHERE account_id = $1), \
         (SELECT COUNT(*) FROM contact_channels c WHERE c.account_id = $1 AND NOT EXISTS \
            (SELECT 1 FROM contact_channels o WHERE o.contact_id = c.contact_id AND o.account_id <> $1)), \
         (SELECT COUNT(*) FROM scheduled_messages WHERE account_id = $1), \
         (SELECT COUNT(*) FROM media_files WHERE account_id = $1), \
         (SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM media_files \
         WHERE account_id = $1 AND pending_ref IS NULL), \
         (SELECT COUNT(*) FROM messages WHERE account_id = $1)",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await)?;
    Ok(AccountDataCounts {
        conversations,
        contacts,
        scheduled_messages,
        media_files,
        media_bytes,
        messages,
    })
}
