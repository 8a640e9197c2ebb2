//! Benchmarks the binary runs (`aurora bench-sessions`, `bench-delete`, `bench-inbox`,
//! `bench-history`, `bench-webhooks`), and the data
//! `make bench-web` loads pages against (`bench-web-seed`).

pub mod abuse;
pub mod delete;
pub mod history;
pub mod inbox;
pub mod sessions;
pub mod support;
pub mod web;
pub mod webhooks;
