//! Everything that only runs on the server, one folder per subsystem:
//!
//! - `boot/`: configuration, the command line, start-up and ordered shutdown.
//! - `web/`: the HTTP edge (router, sign-in gate, security headers, live streams).
//! - `services/`: the use cases a request runs.
//! - `workers/`: background work (deletions, scheduled messages, the Channels feed).
//! - `db/`: every SQL statement, on SQLite and PostgreSQL.
//! - `sessions/`: one actor per WhatsApp session, reached through the session manager.
//! - `drivers/`: the seam to WhatsApp: the live client and the simulator.
//! - `cluster/`: several servers on one PostgreSQL database.
//! - `metrics.rs`: what `/metrics` shows, every metric's name in one place.
//! - `bench/`: the benchmarks the binary runs.

pub mod bench;
pub mod boot;
pub mod cluster;
pub mod db;
pub mod drivers;
pub mod media;
pub mod metrics;
pub mod services;
pub mod sessions;
#[cfg(test)]
pub mod testing;
pub mod web;
pub mod webhooks;
pub mod workers;
