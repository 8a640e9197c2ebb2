//! Start-up and shutdown: configuration from the environment, the command line, the shared
//! state every request sees, and the demo data.

pub mod cli;
pub mod config;
pub mod demo;
pub mod serve;
pub mod state;
pub mod supervisor;
