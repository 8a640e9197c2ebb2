//! Benchmarks the binary runs (`aurora bench-sessions`, `bench-delete`, `bench-inbox`,
//! `bench-history`).

pub mod abuse;
pub mod delete;
pub mod history;
pub mod inbox;
pub mod sessions;
pub mod support;
