//! Use cases. Each takes the database and plain inputs, returns values or an `AppError`.

pub mod channel_feed;
pub mod channels;
pub mod cluster;
pub mod cluster_events;
pub mod cluster_sends;
pub mod deletion;
pub mod demo;
pub mod identity;
pub mod inbox;
pub mod lifecycle;
pub mod replies;
pub mod scheduler;
pub mod setup;

use crate::error::AppError;

/// Logs an unexpected failure with its details and returns the generic user-facing error.
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!("{context}: {error}");
    AppError::Internal
}
