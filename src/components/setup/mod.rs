//! The setup wizard: its five steps and the country picker.

pub mod country_picker;
pub mod setup_wizard;
pub mod wizard_steps;
