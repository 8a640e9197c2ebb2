//! The one boundary between the session manager and WhatsApp. A driver opens one
//! connection per account; the connection reports what happens as `DriverEvent`s and
//! takes `DriverCommand`s. Dropping the command sender closes the connection.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::domain::account::DisconnectReason;
pub use crate::domain::inbox::Receipt;
use crate::server::db::accounts::Fence;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverEvent {
    /// A QR ref to show, valid for `valid_for`.
    Qr { code: String, valid_for: Duration },
    /// Every ref of the attempt went by without a scan; the connection is over.
    LinkingExpired,
    /// The phone scanned or typed the code. `phone` is E.164; `credentials` let the
    /// session resume later without a new QR.
    Paired {
        phone: String,
        business_name: String,
        credentials: String,
    },
    /// After the scan, WhatsApp asks for a WebAuthn assertion from a passkey registered to
    /// the account (`options_json`: the server's request options, verbatim); nothing moves
    /// until one is handed over or the attempt ends.
    PasskeyRequested { options_json: String },
    /// The passkey was accepted: the phone shows `code` (8 characters, dashed) for the
    /// user to confirm; `confirm_on_phone` false when WhatsApp needs no confirmation.
    PasskeyCode {
        code: String,
        confirm_on_phone: bool,
    },
    /// The session is online (after pairing, or after resuming).
    Connected,
    /// WhatsApp ended the session for good; the keys are dead.
    LoggedOut(DisconnectReason),
    /// WhatsApp banned the number until `until_ms` (402): the session is over.
    TemporarilyBanned { until_ms: i64 },
    /// The connection dropped; the credentials are still good.
    ConnectionLost,
    /// This attempt could not reach WhatsApp (network, TLS, handshake); the connection
    /// is over and a later attempt may succeed.
    Unreachable(String),
    /// Linking failed after the phone answered (e.g. the phone refused the pairing).
    LinkFailed(String),
    /// An inbound chat message.
    Message(InboundMessage),
    /// WhatsApp revealed the number (`phone`, E.164) of a customer it showed by the LID
    /// `lid` (digits) until now.
    LidMapped { lid: String, phone: String },
    /// WhatsApp's server took the reply `id` (what a sent message waits for), or refused
    /// it: `error` is WhatsApp's code then.
    ServerAck { id: String, error: Option<String> },
    /// WhatsApp refused this client's version (405), also after fetching the current one;
    /// the keys are still good, this attempt is over.
    ClientOutdated,
    /// A part of the chats WhatsApp sends after pairing (the phone's recent history).
    History(HistoryBatch),
    /// The customer's phone reports replies (WhatsApp's message ids) delivered or read.
    Receipt {
        ids: Vec<String>,
        receipt: Receipt,
        at_ms: i64,
    },
}

/// A chat message a customer sent to the linked number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// WhatsApp's message id: the same message delivered twice carries the same id.
    pub id: String,
    /// The sender's address: their number (E.164), or `lid:<digits>` while WhatsApp hides
    /// it (`domain::address`).
    pub from: String,
    /// The sender's WhatsApp name (may be empty).
    pub name: String,
    pub text: String,
    pub sent_at_ms: i64,
    pub media: Option<InboundMedia>,
}

/// One part of the history: one-to-one chats' messages, oldest first or not; a batch sent
/// again (after a reconnect) carries the same WhatsApp ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryBatch {
    pub messages: Vec<HistoryMessage>,
    /// How far the whole transfer is, 0 to 100 (WhatsApp's own figure); 100 ends it.
    pub progress: Option<u32>,
}

/// A message of a chat's history, either way.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryMessage {
    pub id: String,
    /// The customer: their number (E.164) or `lid:<digits>`.
    pub chat: String,
    /// Sent by the linked number (from this channel or the phone itself).
    pub from_me: bool,
    /// The customer's WhatsApp name, when the message says it.
    pub name: String,
    pub text: String,
    pub sent_at_ms: i64,
    /// The message's attachment, not yet downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<HistoryMedia>,
}

/// An attachment of the history: what it is, and the driver's own reference to download
/// it with later (`DriverCommand::FetchMedia`). Nothing is downloaded before someone opens it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryMedia {
    pub filename: String,
    pub content_type: String,
    /// What the message declares (the sender's word: shown, never trusted); 0 when unknown.
    pub size_bytes: i64,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMedia {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    #[error("WhatsApp cannot be reached: {0}")]
    Unreachable(String),
    #[error("WhatsApp ended the session")]
    LoggedOut(DisconnectReason),
    #[error("{0}")]
    Rejected(String),
    #[error("the connection is closed")]
    Closed,
}

/// Decides, when a send is given up on, whether the message can have gone out: the
/// connection takes the ticket as the message reaches the socket, the caller withdraws
/// it when it stops waiting, and only one of the two wins.
#[derive(Debug, Clone, Default)]
pub struct SendTicket(Arc<AtomicU8>);

const WAITING: u8 = 0;
const TAKEN: u8 = 1;
const WITHDRAWN: u8 = 2;

impl SendTicket {
    /// The connection's side: true when the message may now be sent.
    pub fn take(&self) -> bool {
        self.0
            .compare_exchange(WAITING, TAKEN, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// The caller's side: true when the message never reached the socket (and now never
    /// will); false when it was already on its way, so it may have gone out.
    pub fn withdraw(&self) -> bool {
        match self
            .0
            .compare_exchange(WAITING, WITHDRAWN, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => true,
            Err(now) => now == WITHDRAWN,
        }
    }
}

#[derive(Debug)]
pub enum DriverCommand {
    /// Asks for an 8-character pairing code for `phone` (E.164) during linking.
    RequestPairCode {
        phone: String,
        reply: oneshot::Sender<Result<String, DriverError>>,
    },
    /// Logs the device out so the phone shows it removed, then closes.
    Logout {
        reply: oneshot::Sender<Result<(), DriverError>>,
    },
    /// Sends a text message to `to` (E.164); answers WhatsApp's message id. The connection
    /// takes the ticket just before the message reaches the socket, and drops the command
    /// unsent when the caller has withdrawn it.
    SendText {
        to: String,
        text: String,
        ticket: SendTicket,
        reply: oneshot::Sender<Result<String, DriverError>>,
    },
    /// Tells the customer `chat` (E.164) that their messages `ids` were read.
    MarkRead {
        chat: String,
        ids: Vec<String>,
        reply: oneshot::Sender<Result<(), DriverError>>,
    },
    /// Hands WhatsApp the WebAuthn assertion it asked for (`json`: the credential as
    /// WebAuthn's JSON form, binary fields base64url).
    PasskeyAssertion {
        json: String,
        reply: oneshot::Sender<Result<(), DriverError>>,
    },
    /// Downloads an attachment of the history by the reference the driver gave it, within
    /// the server's media limits; answers the file's bytes. Never holds the session up.
    FetchMedia {
        reference: String,
        reply: oneshot::Sender<Result<Vec<u8>, DriverError>>,
    },
    /// The connection's own counters.
    Stats {
        reply: oneshot::Sender<SessionStats>,
    },
}

/// What the connection itself counted: the honest figures behind the health line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionStats {
    pub frames_received: u64,
    pub frames_sent: u64,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub messages_received: u64,
    pub messages_sent: u64,
    /// Reconnects the connection made by itself (not counting the manager's).
    pub reconnects: u64,
    /// When data last arrived from WhatsApp, ms since the epoch; 0 when never.
    pub last_activity_ms: i64,
    /// Memory the session keeps in caches, when the driver can tell.
    pub retained_bytes: Option<u64>,
}

/// Where a `FetchMedia` download answers.
pub type MediaAnswer = oneshot::Receiver<Result<Vec<u8>, DriverError>>;

/// An open connection: send commands; drop it to close the socket.
pub struct Connection {
    pub commands: mpsc::Sender<DriverCommand>,
}

impl Connection {
    pub async fn request_pair_code(&self, phone: String) -> Result<String, DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::RequestPairCode { phone, reply })
            .await
            .map_err(|_| DriverError::Closed)?;
        answer.await.map_err(|_| DriverError::Closed)?
    }

    pub async fn logout(&self) -> Result<(), DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::Logout { reply })
            .await
            .map_err(|_| DriverError::Closed)?;
        answer.await.map_err(|_| DriverError::Closed)?
    }

    pub async fn send_text(
        &self,
        to: String,
        text: String,
        ticket: SendTicket,
    ) -> Result<String, DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::SendText {
                to,
                text,
                ticket,
                reply,
            })
            .await
            .map_err(|_| DriverError::Closed)?;
        answer.await.map_err(|_| DriverError::Closed)?
    }

    pub async fn mark_read(&self, chat: String, ids: Vec<String>) -> Result<(), DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::MarkRead { chat, ids, reply })
            .await
            .map_err(|_| DriverError::Closed)?;
        answer.await.map_err(|_| DriverError::Closed)?
    }

    pub async fn passkey_assertion(&self, json: String) -> Result<(), DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::PasskeyAssertion { json, reply })
            .await
            .map_err(|_| DriverError::Closed)?;
        answer.await.map_err(|_| DriverError::Closed)?
    }

    /// Asks for a download and answers where its result will come, so the caller need not
    /// hold the connection open while it runs (a connection that closes drops the answer).
    pub async fn fetch_media(&self, reference: String) -> Result<MediaAnswer, DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::FetchMedia { reference, reply })
            .await
            .map_err(|_| DriverError::Closed)?;
        Ok(answer)
    }

    pub async fn stats(&self) -> Result<SessionStats, DriverError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(DriverCommand::Stats { reply })
            .await
            .map_err(|_| DriverError::Closed)?;
        answer.await.map_err(|_| DriverError::Closed)
    }
}

pub trait Driver: Send + Sync + 'static {
    /// Opens a connection for `account`: a new linking attempt when `credentials` is
    /// `None`, otherwise the stored session is resumed.
    fn open(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>>;

    /// The same for a server of a cluster: what the session writes of its own (its keys)
    /// is written only while `fence` holds. Drivers that keep nothing ignore it.
    fn open_fenced(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
        fence: Option<Fence>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        let _ = fence;
        self.open(account, credentials, events)
    }
}
