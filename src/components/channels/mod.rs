//! The Channels page: one card per channel, its linking panel (QR, countdown, pairing code),
//! its health line and Details, its History and activity chart, the Delete dialog, and the
//! live card store.

pub mod account_card;
pub mod activity_chart;
pub mod cards;
pub mod delete_dialog;
pub mod history_panel;
pub mod linking_panel;
pub mod session_health;
