//! What every page shares: the top bar, the settings shell, form errors, and the few things
//! components ask of the page directly (focus, scrolling, live streams).

pub mod disclosure;
pub mod dom;
pub mod form_error;
pub mod lazy_parts;
pub mod page_data;
pub mod settings_shell;
pub mod time;
pub mod top_bar;
