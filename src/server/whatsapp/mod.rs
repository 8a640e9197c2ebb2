//! WhatsApp sessions: the driver boundary, the simulator, and the session manager.

mod actor;
pub mod backoff;
pub mod driver;
pub mod inbound;
pub mod key_rows;
pub mod key_store;
pub mod manager;
pub mod qr;
pub mod simulator;
pub mod unavailable;
