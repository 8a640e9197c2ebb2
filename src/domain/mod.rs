//! Pure rules, compiled for server and browser alike. No IO here.

pub mod access;
pub mod account;
pub mod account_data;
pub mod address;
pub mod identity;
pub mod inbox;
pub mod locale;
pub mod size;
pub mod time;
pub mod webhooks;
pub mod wizard;
