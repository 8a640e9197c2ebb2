//! What the session manager tells and answers: the live state of an account (QR, health),
//! the changes it publishes, who asked for an action, and its errors.

use tokio::time::Instant;

use crate::domain::account::Refused;
use crate::server::drivers::driver::{DriverError, SendTicket};
use crate::views::channels::ImportProgress;

/// Who asked for an action, for the account's history, the audit log and the card
/// ("Disconnected by Ana").
pub use crate::server::db::audit::Initiator;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Online,
    /// The session dropped or WhatsApp could not be reached (`reason`); next try at `retry_at`.
    Reconnecting {
        attempt: u32,
        retry_at: Instant,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Showing {
        qr: String,
        svg: String,
        expires_at: Instant,
    },
    Expired,
    Failed {
        message: String,
    },
    /// WhatsApp could not be reached; the attempt starts again at `retry_at`.
    Unreachable {
        message: String,
        retry_at: Instant,
    },
    /// Scanned; WhatsApp asks for the account's passkey (`options_json`: its request).
    /// `token` lets one assertion be handed over for this attempt; gone once used.
    Passkey {
        options_json: String,
        token: Option<String>,
    },
    /// The passkey passed; the phone shows `code` to confirm.
    PasskeyCode {
        code: String,
        confirm_on_phone: bool,
    },
}

/// What is true of an account right now but is not stored: the QR on screen, the health line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveState {
    pub link: Option<LinkState>,
    pub pair_code: Option<String>,
    pub health: Option<Health>,
    /// Reconnects of the session since this server started.
    pub reconnects: u32,
    /// When data last arrived from WhatsApp, ms since the epoch.
    pub last_activity_ms: Option<i64>,
    /// Online, but WhatsApp's server has not acknowledged what was sent since then (ms
    /// since the epoch): the session looks fine and messages go nowhere.
    pub unaccepted_since_ms: Option<i64>,
    /// WhatsApp refused this server's version, also after fetching the current one.
    pub client_outdated: bool,
    /// The chats WhatsApp sends after pairing, while they come in.
    pub importing: Option<ImportProgress>,
}

/// Published after every change of an account (status, QR, health), once it is persisted.
#[derive(Debug, Clone)]
pub struct AccountChanged {
    pub company_id: i64,
    pub account_id: i64,
    pub removed: bool,
    pub at: Instant,
}

/// Published when a conversation gains a message or a message changes state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationChanged {
    pub company_id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("no such account")]
    NotFound,
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error("the database failed: {0}")]
    Database(String),
    #[error("the session manager is shutting down")]
    ShuttingDown,
    #[error("the channel limit is reached")]
    LimitReached,
    #[error("the channel is not connected to WhatsApp")]
    NotConnected,
    /// A send was given up on after it reached WhatsApp's socket: it may have gone out.
    #[error("WhatsApp did not confirm the message in time; it may have gone out")]
    MaybeSent,
}

impl ManagerError {
    /// What a send that was given up on became: Not sent when it never reached the
    /// socket (and now never will), "may have gone out" when it did.
    pub fn gave_up(ticket: &SendTicket) -> ManagerError {
        if ticket.withdraw() {
            DriverError::Rejected("WhatsApp did not take the message in time".into()).into()
        } else {
            ManagerError::MaybeSent
        }
    }
}

impl From<sqlx::Error> for ManagerError {
    fn from(error: sqlx::Error) -> Self {
        ManagerError::Database(error.to_string())
    }
}
