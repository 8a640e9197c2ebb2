//! Several servers on one PostgreSQL database: each node's lease and claims, the notices
//! that carry changes between servers, and replies sent by a session's owner.

pub mod events;
pub mod node;
pub mod notice;
pub mod sends;
