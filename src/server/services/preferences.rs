//! Languages chosen on purpose: a person's own, and their company's default.

use super::internal;
use crate::domain::locale::Locale;
use crate::error::AppError;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{companies, users, Db};

/// One of Aurora's languages by its exact tag (`en`, `es`, `pt-BR`).
pub fn language(tag: &str) -> Result<Locale, AppError> {
    Locale::ALL
        .into_iter()
        .find(|l| l.tag() == tag)
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "{tag:?} is not one of Aurora's languages (en, es, pt-BR)"
            ))
        })
}

/// Keeps `tag` as the person's language.
pub async fn set_language(db: &Db, user: &SignedInUser, tag: &str) -> Result<(), AppError> {
    let locale = language(tag)?;
    users::set_language(db, user.user_id, Some(locale.tag()))
        .await
        .map_err(|e| internal("language not saved", e))
}

/// Keeps `tag` as the company's default: the language of its people who chose none and
/// whose browsers ask for none of Aurora's.
pub async fn set_company_language(db: &Db, company_id: i64, tag: &str) -> Result<(), AppError> {
    let locale = language(tag)?;
    companies::set_language(db, company_id, locale.tag())
        .await
        .map_err(|e| internal("company language not saved", e))
}
