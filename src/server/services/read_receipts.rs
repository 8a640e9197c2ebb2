//! An agent with a conversation open has read what the customer sent: WhatsApp is told,
//! so the customer's phone shows blue ticks, unless the channel's "Send read receipts" is
//! off. This runs beside the page load and never holds it.

use crate::server::db::{receipts, Db};
use crate::server::sessions::manager::SessionManager;

/// WhatsApp takes up to this many ids in one receipt.
const AT_ONCE: i64 = 256;

/// Tells WhatsApp, through the channel's session on this server, that the customer's
/// messages in the conversation were read. Without an online session here they stay owed
/// and go out the next time the conversation is opened.
pub fn send_for(
    db: &Db,
    manager: &SessionManager,
    company_id: i64,
    account_id: i64,
    conversation_id: i64,
    customer: String,
) {
    let (db, manager) = (db.clone(), manager.clone());
    tokio::spawn(async move {
        let owed = match receipts::owed(&db, conversation_id, AT_ONCE).await {
            Ok(owed) if !owed.is_empty() => owed,
            Ok(_) => return,
            Err(e) => return tracing::warn!(conversation_id, "read receipts not read: {e}"),
        };
        // Taken before they are sent: a second opening meanwhile (the page reloads when
        // its list hears it was read) finds them taken and tells the customer nothing again.
        let taken = match receipts::take_owed(&db, conversation_id, &owed).await {
            Ok(taken) if !taken.is_empty() => taken,
            Ok(_) => return,
            Err(e) => return tracing::warn!(conversation_id, "read receipts not taken: {e}"),
        };
        let sent = manager
            .mark_read(company_id, account_id, customer, taken.clone())
            .await;
        if let Err(e) = sent {
            tracing::debug!(conversation_id, "read receipts wait: {e}");
            if let Err(e) = receipts::owe_again(&db, conversation_id, &taken).await {
                tracing::warn!(conversation_id, "read receipts not sent and not kept: {e}");
            }
        }
    });
}
