//! What an account holds, as the Delete dialog counts it.

use serde::{Deserialize, Serialize};

/// The counts the Delete dialog lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDataCounts {
    pub conversations: i64,
    /// Contacts linked to this account and no other.
    pub contacts: i64,
    pub scheduled_messages: i64,
    pub media_files: i64,
    pub media_bytes: i64,
    pub messages: i64,
}
