//! The passkey hand-off: WhatsApp's request for a passkey-gated link, read and answered
//! under the attempt's one-time token by a channels admin of the account's company
//! (through the Aurora extension on web.whatsapp.com, where the passkey works).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::channels::manager_error;
use super::internal;
use crate::domain::access::may_manage_channels;
use crate::error::AppError;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{accounts, Db};
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
    may_manage_channels(user.roles()).map_err(|m| AppError::Forbidden(m.into()))?;
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
    check_assertion(assertion).map_err(AppError::Invalid)?;
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

/// The shape WebAuthn's JSON form of an assertion has: an id and the response's parts,
/// each base64url. What they prove is WhatsApp's to check.
pub fn check_assertion(json: &str) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|_| "The passkey answer is not JSON".to_string())?;
    if value["type"] != "public-key" {
        return Err("The passkey answer is not a public-key credential".into());
    }
    for (field, text) in [
        ("rawId", &value["rawId"]),
        (
            "response.clientDataJSON",
            &value["response"]["clientDataJSON"],
        ),
        (
            "response.authenticatorData",
            &value["response"]["authenticatorData"],
        ),
        ("response.signature", &value["response"]["signature"]),
    ] {
        let decoded = text
            .as_str()
            .and_then(|t| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')).ok())
            .filter(|bytes| !bytes.is_empty());
        if decoded.is_none() {
            return Err(format!(
                "The passkey answer's {field} is missing or not base64url"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_assertion;

    #[test]
    fn an_assertion_needs_every_part_in_base64url() {
        let good = r#"{"id":"AQI","rawId":"AQI","type":"public-key","response":{"clientDataJSON":"eyJ9","authenticatorData":"AAEC","signature":"MEUC","userHandle":null}}"#;
        assert_eq!(check_assertion(good), Ok(()));
        assert!(check_assertion("nope").unwrap_err().contains("not JSON"));
        let wrong_type = good.replace("public-key", "password");
        assert!(check_assertion(&wrong_type)
            .unwrap_err()
            .contains("public-key"));
        let no_signature = good.replace(r#""signature":"MEUC""#, r#""signature":"""#);
        assert!(check_assertion(&no_signature)
            .unwrap_err()
            .contains("response.signature"));
        let not_b64 = good.replace("AAEC", "***");
        assert!(check_assertion(&not_b64)
            .unwrap_err()
            .contains("authenticatorData"));
    }
}
