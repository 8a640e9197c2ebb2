//! The passkey hand-off: WhatsApp's request for a passkey-gated link, read and answered
//! under the attempt's one-time token by a channels admin of the account's company
//! (through the Aurora extension on web.whatsapp.com, where the passkey works).

use super::channels::manager_error;
use super::internal;
use crate::domain::access::may_manage_channels;
use crate::error::AppError;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{accounts, Db};
use crate::server::drivers::assertion;
use crate::server::sessions::manager::SessionManager;

/// The largest assertion accepted: WebAuthn's are well under 4 KiB.
pub const MAX_ASSERTION_BYTES: usize = 16 * 1024;

/// The account the token belongs to, if the user may link it; WhatsApp's request options.
async fn attempt(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    token: &str,
) -> Result<(i64, String), AppError> {
    may_manage_channels(user.roles())?;
    // Unknown, spent and another company's tokens look the same.
    let (account, options) = manager.passkey_request(token).ok_or(AppError::NotFound)?;
    let row = accounts::get_any(db, account)
        .await
        .map_err(|e| internal("passkey account", e))?
        .filter(|row| row.company_id == user.company_id)
        .ok_or(AppError::NotFound)?;
    Ok((row.id, options))
}

/// WhatsApp's `PublicKeyCredentialRequestOptions` for the attempt (JSON, verbatim).
pub async fn request(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    token: &str,
) -> Result<String, AppError> {
    attempt(db, manager, user, token)
        .await
        .map(|(_, options)| options)
}

/// Hands the assertion to WhatsApp; the token is spent whatever WhatsApp then says.
pub async fn hand_over(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    token: &str,
    assertion: &str,
) -> Result<(), AppError> {
    let (account, _) = attempt(db, manager, user, token).await?;
    assertion::parse(assertion).map_err(AppError::Invalid)?;
    manager
        .passkey_assertion(
            user.company_id,
            account,
            token.to_string(),
            assertion.to_string(),
        )
        .await
        .map_err(manager_error)
}
