//! Server functions: each authorizes, calls one service and maps its errors. Nothing else.

pub mod activity;
pub mod auth;
pub mod channels;
pub mod inbox;
pub mod setup;
pub mod webhooks;
