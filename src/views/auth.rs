//! Who is signed in, as the top bar shows them.

use serde::{Deserialize, Serialize};

/// The signed-in user as the page header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub company_name: String,
    /// The language the server chose for them (a tag): their own, else their browser's,
    /// else their company's.
    pub language: String,
    /// May read the audit log (the settings list offers it).
    pub global_admin: bool,
}
