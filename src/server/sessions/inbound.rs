//! Stores what customers send to a linked number: the message, its contact and
//! conversation, and its media file. A message WhatsApp delivers twice is stored once.
//! Their phones' receipts move our replies' ticks on.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::manager::Inner;
use crate::domain::address::Address;
use crate::domain::inbox::Receipt;
use crate::server::db::account_data::{self, NewInbound, NewMedia, StoredInbound};
use crate::server::db::accounts::Fence;
use crate::server::db::{contacts, receipts};
use crate::server::db::{now_ms, Db};
use crate::server::drivers::driver::InboundMessage;
use crate::server::media::MediaStore;
use crate::server::services::phone::parse_international;

/// `Ok(None)`: already stored (a replay), or `fence` no longer holds; nothing written.
pub async fn store(
    db: &Db,
    media: &MediaStore,
    account_id: i64,
    message: &InboundMessage,
    fence: Option<&Fence>,
) -> Result<Option<StoredInbound>, String> {
    let db_error = |e: sqlx::Error| format!("database: {e}");
    if account_data::message_stored(db, account_id, &message.id)
        .await
        .map_err(db_error)?
    {
        return Ok(None);
    }
    let routing = account_data::routing(db, account_id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| format!("account {account_id} is gone"))?;
    let from = customer_address(db, routing.company_id, &message.from)
        .await
        .map_err(db_error)?;
    let written = match &message.media {
        Some(file) => Some(
            media
                .write(routing.company_id, account_id, &file.filename, &file.bytes)
                .await
                .map_err(|e| format!("media file: {e}"))?,
        ),
        None => None,
    };
    let new = NewInbound {
        account_id,
        routing: &routing,
        from: &from,
        name: message.name.trim(),
        text: &message.text,
        wa_message_id: &message.id,
        sent_at: message.sent_at_ms,
        media: message
            .media
            .as_ref()
            .zip(written.as_deref())
            .map(|(file, path)| NewMedia {
                path,
                filename: &file.filename,
                content_type: &file.content_type,
                size_bytes: file.bytes.len() as i64,
            }),
        now: now_ms(),
        fence,
    };
    let stored = account_data::store_inbound(db, &new).await;
    if !matches!(stored, Ok(Some(_))) {
        // Nothing refers to the file: don't leave it behind.
        if let Some(path) = &written {
            let _ = media.remove(path).await;
        }
    }
    stored.map_err(db_error)
}

/// The contact address a customer's messages are stored under. WhatsApp gives the number;
/// it is kept as sent if our metadata doesn't know it. A customer it hides behind a LID goes
/// to the contact that LID was learned for, or stays `lid:…` until then.
pub(super) async fn customer_address(
    db: &Db,
    company_id: i64,
    from: &str,
) -> Result<String, sqlx::Error> {
    Ok(match Address::parse(from) {
        Address::Hidden { lid } => contacts::phone_for_lid(db, company_id, lid)
            .await?
            .unwrap_or_else(|| from.to_string()),
        Address::Phone(number) => parse_international(number).unwrap_or_else(|_| from.to_string()),
    })
}

/// WhatsApp revealed the number behind `lid`: the contact known by it takes the number,
/// or merges into the contact that has it; every page of what changed hears of it.
pub(super) async fn lid_learned(
    inner: &Inner,
    account_id: i64,
    company_id: i64,
    lid: &str,
    phone: &str,
) {
    match contacts::learn_lid(&inner.db, account_id, lid, phone).await {
        Ok(learned) => {
            for conversation in learned.changed.into_iter().chain(learned.removed) {
                inner.conversation_changed(company_id, account_id, conversation);
            }
        }
        Err(e) => tracing::error!(account = account_id, "a LID's number not stored: {e}"),
    }
}

/// A receipt that names a reply not yet known by its WhatsApp id (the receipt overtook the
/// send's own answer) is tried once more after this long.
const RECEIPT_RETRY: Duration = Duration::from_secs(2);

/// Moves the replies `ids` on to `receipt` and tells the pages of each conversation that
/// changed. Ids that matched nothing are tried once more a little later.
pub(super) async fn receipt(
    inner: Arc<Inner>,
    account_id: i64,
    company_id: i64,
    ids: Vec<String>,
    receipt: Receipt,
    at_ms: i64,
) {
    let left = advance(&inner, account_id, company_id, &ids, receipt, at_ms).await;
    if left.is_empty() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(RECEIPT_RETRY).await;
        advance(&inner, account_id, company_id, &left, receipt, at_ms).await;
    });
}

/// One try: answers the ids that moved nothing.
async fn advance(
    inner: &Inner,
    account_id: i64,
    company_id: i64,
    ids: &[String],
    receipt: Receipt,
    at_ms: i64,
) -> Vec<String> {
    match receipts::advance(&inner.db, account_id, ids, receipt, at_ms).await {
        Ok(moved) => {
            let conversations: BTreeSet<i64> = moved.iter().map(|(c, _)| *c).collect();
            for conversation in conversations {
                inner.conversation_changed(company_id, account_id, conversation);
            }
            ids.iter()
                .filter(|id| !moved.iter().any(|(_, m)| m == *id))
                .cloned()
                .collect()
        }
        Err(e) => {
            tracing::error!(account = account_id, "receipt not stored: {e}");
            Vec::new()
        }
    }
}
