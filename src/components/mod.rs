//! Components, one folder per part of the app: the Channels page's cards, the setup wizard,
//! the inbox, and what every page shares.

pub mod channels;
pub mod common;
pub mod inbox;
pub mod setup;
