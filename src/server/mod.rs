//! Everything that only runs on the server.

pub mod bench;
pub mod bench_delete;
pub mod bench_inbox;
pub mod bench_support;
pub mod cli;
pub mod config;
pub mod country_names;
pub mod db;
pub mod fn_context;
pub mod gate;
pub mod http;
pub mod inbox_http;
pub mod media;
pub mod password;
pub mod phone;
pub mod rate_limit;
pub mod security;
pub mod services;
pub mod sim_wire_http;
pub mod simulator_http;
pub mod state;
pub mod stream;
#[cfg(test)]
pub mod testing;
pub mod whatsapp;
