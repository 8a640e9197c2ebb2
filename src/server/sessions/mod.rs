//! WhatsApp sessions: one actor per channel, reached only through the cloneable
//! [`manager::SessionManager`]; reconnect backoff, QR drawing, and storing what arrives.

mod actor;
pub mod backoff;
pub mod inbound;
pub mod manager;
pub mod membership;
pub mod passkey;
pub mod qr;
pub mod state;

pub use actor::acks::NOT_ACCEPTED;
