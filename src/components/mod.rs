pub mod form_error;
pub mod settings_shell;
