//! WhatsApp sessions: the driver boundary, the simulator, and the session manager.

mod actor;
pub mod backoff;
pub mod cluster_notice;
pub mod driver;
pub mod inbound;
pub mod key_rows;
pub mod key_store;
pub mod live;
pub mod manager;
pub mod qr;
pub mod session_state;
pub mod sim_connections;
pub mod sim_remote;
pub mod sim_session;
pub mod sim_wire;
pub mod simulator;
