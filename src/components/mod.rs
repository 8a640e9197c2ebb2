pub mod account_card;
pub mod cards;
pub mod form_error;
pub mod linking_panel;
pub mod settings_shell;
