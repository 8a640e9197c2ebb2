//! The Channels page: one card per channel, its linking panel (QR, countdown, pairing code),
//! its health line and Details, its History and activity chart, the confirmation and Delete
//! dialogs, and the live card store. What a card opens on request (History, Details, the
//! dialogs, the wizard) is a lazily fetched part of the bundle.

pub mod account_card;
pub mod activity_chart;
pub mod cards;
pub mod confirm_dialog;
pub mod delete_dialog;
pub mod history_panel;
pub mod linking_panel;
pub mod session_health;
