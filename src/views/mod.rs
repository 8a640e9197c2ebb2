//! The serde types the server sends and the browser reads, one module per part of the app.
//! They import nothing but `domain`: services build them, server functions return them,
//! components render them.

pub mod activity;
pub mod auth;
pub mod channels;
pub mod inbox;
pub mod setup;
pub mod webhooks;
