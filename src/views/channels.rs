//! What the Channels page shows: one card per account, the page as a whole, its live
//! stream's updates, a session's details, and what a Delete would remove.

use crate::domain::account::{AccountStatus, DisconnectReason};
use crate::domain::time::format_utc;
use crate::views::activity::Activity;
use serde::{Deserialize, Serialize};

/// One card of the page, as the server renders it and the live stream updates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    /// Higher is newer: the page keeps the newest card it has seen.
    pub revision: u64,
    pub status: AccountStatus,
    pub name: String,
    /// International format, e.g. "+52 1 55 1234 5678".
    pub phone: Option<String>,
    /// Another phone than the configured one scanned, on a Connected card.
    pub phone_mismatch: Option<PhoneMismatch>,
    pub business_name: Option<String>,
    pub cellphone_user: Option<String>,
    pub funnel: Option<String>,
    pub owner: Option<String>,
    /// Empty means every team member may see the conversations.
    pub restricted_users: Vec<String>,
    /// Why a Disconnected card is disconnected.
    pub disconnection: Option<Disconnection>,
    pub disconnected_at_ms: Option<i64>,
    /// How the session of a Connected card is doing.
    pub health: Option<HealthView>,
    pub link: Option<LinkView>,
    /// How far a Delete has got, 0 to 100, while the account is Deleting.
    pub deleting_percent: Option<u8>,
    /// WhatsApp refused this server's version on the last attempt: the page says so once,
    /// above the cards, instead of an error on each.
    pub client_outdated: bool,
    /// The chats WhatsApp sends after linking, while they are being imported.
    pub importing: Option<ImportProgress>,
}

/// Why an account is disconnected, and who or until when where that matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disconnection {
    pub reason: DisconnectReason,
    /// Who pressed Disconnect, when a person did.
    pub by: Option<String>,
    /// The end of a temporary ban.
    pub banned_until_ms: Option<i64>,
}

impl Disconnection {
    /// The card's sentence in English (each language's is in `i18n`).
    pub fn english(&self) -> String {
        match (self.reason, self.banned_until_ms) {
            (DisconnectReason::Banned, Some(until)) => {
                format!("WhatsApp banned this number until {}", format_utc(until))
            }
            (reason, _) => reason.message(self.by.as_deref()),
        }
    }
}

/// Why a linking attempt ended. The driver writes it in English (logs read it); the card
/// words it in the page's language, keeping WhatsApp's own reason as WhatsApp gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkFailure {
    /// The server showing the QR stopped.
    Interrupted,
    PasskeyRefused(String),
    NotLinked(String),
    /// Words Aurora does not know, shown as they came.
    Other(String),
}

impl LinkFailure {
    const PASSKEY_REFUSED: &'static str = "WhatsApp did not accept the passkey: ";
    const NOT_LINKED: &'static str = "The phone could not be linked: ";

    pub fn english(&self) -> String {
        match self {
            LinkFailure::Interrupted => DisconnectReason::LinkingInterrupted.message(None),
            LinkFailure::PasskeyRefused(why) => format!("{}{why}", Self::PASSKEY_REFUSED),
            LinkFailure::NotLinked(why) => format!("{}{why}", Self::NOT_LINKED),
            LinkFailure::Other(words) => words.clone(),
        }
    }

    /// The failure a driver's message (from [`LinkFailure::english`]) is.
    pub fn parse(message: &str) -> LinkFailure {
        if let Some(why) = message.strip_prefix(Self::PASSKEY_REFUSED) {
            LinkFailure::PasskeyRefused(why.to_string())
        } else if let Some(why) = message.strip_prefix(Self::NOT_LINKED) {
            LinkFailure::NotLinked(why.to_string())
        } else if message == LinkFailure::Interrupted.english() {
            LinkFailure::Interrupted
        } else {
            LinkFailure::Other(message.to_string())
        }
    }
}

/// The linked phone's number and the configured one, both in international format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneMismatch {
    pub linked: String,
    pub configured: String,
}

impl PhoneMismatch {
    pub fn english(&self) -> String {
        format!(
            "Linked phone {} differs from the configured number {}",
            self.linked, self.configured
        )
    }
}

/// How far a history import has got: what it has added so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    pub conversations: u64,
    pub messages: u64,
}

impl AccountView {
    /// Why the card is disconnected, in English.
    pub fn disconnect_message(&self) -> Option<String> {
        self.disconnection.as_ref().map(Disconnection::english)
    }

    /// Which phone scanned instead of the configured one, in English.
    pub fn phone_mismatch_message(&self) -> Option<String> {
        self.phone_mismatch.as_ref().map(PhoneMismatch::english)
    }

    /// The card's title: the name, else what the phone reported, else the number.
    pub fn title(&self) -> String {
        [
            Some(self.name.as_str()),
            self.business_name.as_deref(),
            self.phone.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or("New WhatsApp account")
        .trim()
        .to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkView {
    /// A QR code to scan, valid for `expires_in_ms` from when this view was made.
    Qr {
        svg: String,
        expires_in_ms: u64,
        pair_code: Option<String>,
    },
    /// The attempt is starting: the first QR code is on its way.
    Waiting,
    Expired,
    Failed {
        failure: LinkFailure,
    },
    /// WhatsApp could not be reached; a new attempt starts in `retry_in_ms`.
    Unreachable {
        message: String,
        retry_in_ms: u64,
    },
    /// Scanned, and WhatsApp asks for a passkey registered to the account.
    /// `handoff`: the one-time code the Aurora extension on web.whatsapp.com answers with;
    /// `None` once an answer was handed over and WhatsApp is checking it.
    Passkey {
        handoff: Option<String>,
    },
    /// The passkey passed: the code to confirm on the phone (`None`: nothing to confirm,
    /// the link is finishing).
    PasskeyCode {
        code: Option<String>,
    },
}

/// The health line of a Connected card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthView {
    Online {
        /// When data last arrived from WhatsApp, ms since the epoch.
        last_activity_ms: Option<i64>,
        /// Reconnects since the server started.
        reconnects: u32,
        /// WhatsApp has not accepted the channel's messages since then (ms since the
        /// epoch): the session is up, yet what it sends goes nowhere.
        unaccepted_since_ms: Option<i64>,
    },
    /// The session dropped (`reason` None) or WhatsApp can't be reached (`reason`).
    Reconnecting {
        attempt: u32,
        retry_in_ms: u64,
        reason: Option<String>,
    },
}

/// The figures of an account's details view: the session's own counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDetails {
    pub frames_received: u64,
    pub frames_sent: u64,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub messages_received: u64,
    pub messages_sent: u64,
    /// Reconnects since the server started, the manager's and the connection's own.
    pub reconnects: u64,
    pub last_activity_ms: Option<i64>,
    pub retained_bytes: Option<u64>,
    /// Messages in and out per hour over the last 24 hours.
    pub hourly: Activity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsOverview {
    pub channel_limit: i64,
    pub accounts: Vec<AccountView>,
    /// The viewer is a global admin: Disabled cards offer Delete.
    pub may_delete: bool,
    /// Each Connected card's messages in and out per day over the last 7 days, by account
    /// id (none: nothing carried).
    pub activity: Vec<(i64, Activity)>,
}

impl ChannelsOverview {
    /// Some card counts down from when this was made (a QR's life, the next attempt): shown
    /// later, it would count from the wrong moment.
    pub fn counts_down(&self) -> bool {
        self.accounts.iter().any(|account| {
            matches!(
                account.link,
                Some(LinkView::Qr { .. } | LinkView::Unreachable { .. })
            ) || matches!(account.health, Some(HealthView::Reconnecting { .. }))
        })
    }
}

/// What the live stream sends: one card changed or appeared, one card is gone,
/// or the client must reload the whole list (it missed events).
// Built, sent and dropped at once: boxing the card would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelUpdate {
    Upsert(AccountView),
    Removed { id: i64 },
    Resync,
}

/// What deleting an account would remove, for the Delete dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionPreview {
    pub account_name: String,
    pub counts: AccountDataCounts,
}

pub use crate::domain::account_data::AccountDataCounts;
