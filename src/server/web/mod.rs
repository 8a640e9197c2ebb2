//! The HTTP edge: the router, the sign-in gate, security headers and origin checks, what a
//! server function may ask of its request, signed-in pages kept rendered, the live streams and
//! media downloads, and what operators call (health, readiness, metrics).

pub mod assets;
pub mod audit_http;
pub mod channel_stream;
pub mod fn_context;
pub mod gate;
pub mod inbox_http;
pub mod listener;
pub mod operations;
pub mod page_cache;
pub mod passkey_http;
pub mod rate_limit;
pub mod router;
pub mod security;
pub mod stream_guard;
