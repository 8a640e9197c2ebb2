//! Opening a message's file. A file of the chat history is stored by reference only; the
//! first time someone opens it, this server's session downloads it from WhatsApp (the same
//! hosts, byte cap and time limit as live media, with a re-upload when WhatsApp's copy
//! expired), keeps it beside the live files and tells the conversation's pages.

use std::time::Duration;

use crate::error::AppError;
use crate::i18n::refusals::{current_locale, StoredReason};
use crate::server::db::inbox::{self, MediaRow, Viewer};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::Db;
use crate::server::media::MediaStore;
use crate::server::services::inbox::conversation_live;
use crate::server::services::internal;
use crate::server::sessions::manager::{ManagerError, SessionManager};
use crate::views::inbox::ConversationPage;

/// A download (60 s), WhatsApp's re-upload (30 s) and a second download, with room to spare.
const FETCH_LIMIT: Duration = Duration::from_secs(160);

/// The file `media_id`, downloaded first when it is a history file nobody opened yet.
/// `NotFound` when the viewer may not see it (not visible and not existing look the same).
pub async fn open(
    db: &Db,
    manager: &SessionManager,
    store: &MediaStore,
    viewer: Viewer,
    media_id: i64,
) -> Result<MediaRow, AppError> {
    let row = inbox::media(db, viewer, media_id)
        .await
        .map_err(|e| internal("media lookup", e))?
        .ok_or(AppError::NotFound)?;
    let Some(reference) = row.pending_ref.clone() else {
        return Ok(row);
    };
    let fetched = manager
        .fetch_media(row.company_id, row.account_id, reference, FETCH_LIMIT)
        .await;
    let bytes = match fetched {
        Ok(bytes) => bytes,
        Err(e) => {
            let reason = refusal(&e);
            if let Err(e) = inbox::media_fetch_failed(db, media_id, &reason.english()).await {
                tracing::warn!(media_id, "the failed download was not noted: {e}");
            }
            manager.conversation_changed(row.company_id, row.account_id, row.conversation_id);
            // Not our fault nor the user's: the file's state on WhatsApp's side (a 409, so
            // the page shows the reason beside the file).
            return Err(AppError::Conflict(reason.words(current_locale())));
        }
    };
    let path = store
        .write(row.company_id, row.account_id, &row.filename, &bytes)
        .await
        .map_err(|e| internal("history file not written", e))?;
    let size = bytes.len() as i64;
    let taken = inbox::media_fetched(db, media_id, &path, size)
        .await
        .map_err(|e| internal("history file not recorded", e))?;
    if !taken {
        // Someone else's download of the same file finished first: theirs is kept.
        let _ = store.remove(&path).await;
        return inbox::media(db, viewer, media_id)
            .await
            .map_err(|e| internal("media lookup", e))?
            .ok_or(AppError::NotFound);
    }
    manager.conversation_changed(row.company_id, row.account_id, row.conversation_id);
    Ok(MediaRow {
        path,
        size_bytes: size,
        pending_ref: None,
        ..row
    })
}

/// A history file's **Download** in the chat: the file is fetched, and the conversation
/// comes back as it is now (the file shown in place).
pub async fn load(
    db: &Db,
    manager: &SessionManager,
    store: &MediaStore,
    user: &SignedInUser,
    media_id: i64,
) -> Result<ConversationPage, AppError> {
    let row = open(db, manager, store, user.viewer(), media_id).await?;
    conversation_live(db, manager, user, row.conversation_id).await
}

/// The words the chat shows under a file that could not be downloaded.
fn refusal(error: &ManagerError) -> StoredReason {
    match error {
        ManagerError::NotConnected | ManagerError::NotFound => StoredReason::FileWaitsForConnection,
        other => StoredReason::FileRefused(other.to_string()),
    }
}
