//! Use cases. Each takes the database and plain inputs, returns values or an `AppError`.

pub mod activity;
pub mod channels;
pub mod country_names;
pub mod identity;
pub mod inbox;
pub mod lifecycle;
pub mod media;
pub mod passkey;
pub mod password;
pub mod phone;
pub mod preferences;
pub mod read_receipts;
pub mod replies;
pub mod setup;
pub mod webhooks;

use crate::error::AppError;

/// Logs an unexpected failure with its details and returns the generic user-facing error.
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!("{context}: {error}");
    AppError::Internal
}
