//! The Channels page: one card per channel, its linking panel (QR, countdown, pairing code),
//! its health line and Details, the Delete dialog, and the live card store.

pub mod account_card;
pub mod cards;
pub mod delete_dialog;
pub mod linking_panel;
pub mod session_health;
