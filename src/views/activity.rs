//! What the pages show of what happened: a channel's history, the company's audit log, and
//! how many messages a channel carried lately.

use serde::{Deserialize, Serialize};

use crate::domain::account_data::AccountDataCounts;

/// One entry of a channel's history. `event` and `reason` are the stored codes; the
/// interface words them (`i18n::activity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub at_ms: i64,
    pub event: String,
    pub reason: Option<String>,
    /// The person who caused it; none when WhatsApp or the server did.
    pub by: Option<String>,
    /// The number that scanned, the setup fields a save changed.
    pub details: Option<String>,
}

/// A page of a channel's history, newest first; `more`: older entries exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub more: bool,
}

/// One entry of the company's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    pub by: String,
    /// The address the request came from (none for entries older than addresses).
    pub address: Option<String>,
    pub event: String,
    /// The channel's name as it was then.
    pub channel: String,
    pub channel_id: Option<i64>,
    /// As stored: the setup fields a save changed, the number kept, or (a deletion) the
    /// counts as JSON, which `deleted` carries read.
    pub details: String,
    pub deleted: Option<AccountDataCounts>,
}

/// A page of the audit log, newest first, with what its filters may choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub more: bool,
    /// (id, name) of every channel and person the log names.
    pub channels: Vec<(i64, String)>,
    pub people: Vec<(i64, String)>,
}

/// Messages in and out per period (a day on a card, an hour in Details), oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity(pub Vec<(u32, u32)>);

impl Activity {
    /// `periods` empty periods: a channel that carried nothing yet.
    pub fn empty(periods: usize) -> Self {
        Activity(vec![(0, 0); periods])
    }

    /// Messages in and out over all the periods.
    pub fn totals(&self) -> (u64, u64) {
        self.0.iter().fold((0, 0), |(i, o), &(a, b)| {
            (i + u64::from(a), o + u64::from(b))
        })
    }

    /// The busiest period's messages in or out, at least 1 (the chart's scale).
    pub fn peak(&self) -> u32 {
        self.0
            .iter()
            .map(|&(i, o)| i.max(o))
            .max()
            .unwrap_or(0)
            .max(1)
    }
}
