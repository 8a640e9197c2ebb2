//! Everything that only runs on the server.

pub mod cli;
pub mod config;
pub mod db;
pub mod fn_context;
pub mod gate;
pub mod http;
pub mod password;
pub mod rate_limit;
pub mod security;
pub mod services;
pub mod state;
pub mod whatsapp;
