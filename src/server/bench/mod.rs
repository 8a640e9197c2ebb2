//! Benchmarks the binary runs (`aurora bench-sessions`, `bench-delete`, `bench-inbox`).

pub mod abuse;
pub mod delete;
pub mod inbox;
pub mod sessions;
pub mod support;
