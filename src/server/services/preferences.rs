//! What a person chooses for themselves: their language.

use super::internal;
use crate::domain::locale::Locale;
use crate::error::AppError;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{users, Db};

/// Keeps `tag` (`en`, `es`, `pt-BR`, exactly) as the person's language.
pub async fn set_language(db: &Db, user: &SignedInUser, tag: &str) -> Result<(), AppError> {
    let locale = Locale::ALL
        .into_iter()
        .find(|l| l.tag() == tag)
        .ok_or_else(|| AppError::Invalid(format!("{tag:?} is not one of Aurora's languages")))?;
    users::set_language(db, user.user_id, Some(locale.tag()))
        .await
        .map_err(|e| internal("language not saved", e))
}
