//! Background work that outlives a request: confirmed Deletes, scheduled messages, and the
//! feed that turns session changes into Channels-page updates.

pub mod channel_feed;
pub mod deletion;
pub mod scheduler;
pub mod sign_in_purge;
