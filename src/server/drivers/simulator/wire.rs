//! The networked simulator's wire (`aurora wa-sim`, `AURORA_WHATSAPP=simulator+http://…`):
//! one upgraded HTTP connection per WhatsApp connection, one JSON object per line both
//! ways. Closing the socket closes the connection, as with WhatsApp itself.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::domain::account::DisconnectReason;
use crate::server::drivers::driver::{
    DriverError, DriverEvent, HistoryBatch, HistoryMessage, InboundMedia, InboundMessage, Receipt,
    SessionStats,
};

/// The `Upgrade` protocol name the wire endpoint answers to.
pub const PROTOCOL: &str = "aurora-sim-wire";
/// The header carrying stored credentials when a session resumes.
pub const CREDENTIALS_HEADER: &str = "x-sim-credentials";
/// The header naming the node (process) that opens the connection, for the simulator's log.
pub const NODE_HEADER: &str = "x-sim-node";

pub fn wire_path(account: i64) -> String {
    crate::paths::simulator_wire(account)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WireEvent {
    Qr {
        code: String,
        valid_for_ms: u64,
    },
    LinkingExpired,
    Paired {
        phone: String,
        business_name: String,
        credentials: String,
    },
    Connected,
    LoggedOut {
        reason: String,
    },
    TemporarilyBanned {
        until_ms: i64,
    },
    ConnectionLost,
    Unreachable {
        message: String,
    },
    LinkFailed {
        message: String,
    },
    Message {
        id: String,
        from: String,
        name: String,
        text: String,
        sent_at_ms: i64,
        media: Option<WireMedia>,
    },
    Receipt {
        ids: Vec<String>,
        read: bool,
        at_ms: i64,
    },
    ServerAck {
        id: String,
        error: Option<String>,
    },
    ClientOutdated,
    PasskeyRequested {
        options_json: String,
    },
    PasskeyCode {
        code: String,
        confirm_on_phone: bool,
    },
    LidMapped {
        lid: String,
        phone: String,
    },
    History {
        messages: Vec<HistoryMessage>,
        progress: Option<u32>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMedia {
    pub filename: String,
    pub content_type: String,
    pub base64: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum WireCommand {
    PairCode { phone: String },
    Logout,
    SendText { to: String, text: String },
    MarkRead { chat: String, ids: Vec<String> },
    PasskeyAssertion { json: String },
    FetchMedia { reference: String },
    Stats,
}

/// What a command answers: a pairing code or message id, nothing, or the counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireAnswer {
    Text(String),
    Done,
    Stats(SessionStats),
    /// A file's bytes, base64.
    Bytes(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum WireError {
    Unreachable(String),
    /// A `DisconnectReason` code.
    LoggedOut(String),
    Rejected(String),
    Closed,
}

/// Node → simulator: a command with the id its answer will carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    #[serde(flatten)]
    pub command: WireCommand,
}

/// Simulator → node: an event of the connection, or the answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Frame {
    Answer {
        id: u64,
        result: Result<WireAnswer, WireError>,
    },
    Event(WireEvent),
}

impl From<DriverEvent> for WireEvent {
    fn from(event: DriverEvent) -> Self {
        match event {
            DriverEvent::Qr { code, valid_for } => WireEvent::Qr {
                code,
                valid_for_ms: valid_for.as_millis() as u64,
            },
            DriverEvent::LinkingExpired => WireEvent::LinkingExpired,
            DriverEvent::Paired {
                phone,
                business_name,
                credentials,
            } => WireEvent::Paired {
                phone,
                business_name,
                credentials,
            },
            DriverEvent::Connected => WireEvent::Connected,
            DriverEvent::LoggedOut(reason) => WireEvent::LoggedOut {
                reason: reason.code().into(),
            },
            DriverEvent::TemporarilyBanned { until_ms } => {
                WireEvent::TemporarilyBanned { until_ms }
            }
            DriverEvent::ConnectionLost => WireEvent::ConnectionLost,
            DriverEvent::Unreachable(message) => WireEvent::Unreachable { message },
            DriverEvent::LinkFailed(message) => WireEvent::LinkFailed { message },
            DriverEvent::ServerAck { id, error } => WireEvent::ServerAck { id, error },
            DriverEvent::ClientOutdated => WireEvent::ClientOutdated,
            DriverEvent::PasskeyRequested { options_json } => {
                WireEvent::PasskeyRequested { options_json }
            }
            DriverEvent::PasskeyCode {
                code,
                confirm_on_phone,
            } => WireEvent::PasskeyCode {
                code,
                confirm_on_phone,
            },
            DriverEvent::LidMapped { lid, phone } => WireEvent::LidMapped { lid, phone },
            DriverEvent::History(HistoryBatch { messages, progress }) => {
                WireEvent::History { messages, progress }
            }
            DriverEvent::Receipt {
                ids,
                receipt,
                at_ms,
            } => WireEvent::Receipt {
                ids,
                read: receipt == Receipt::Read,
                at_ms,
            },
            DriverEvent::Message(m) => WireEvent::Message {
                id: m.id,
                from: m.from,
                name: m.name,
                text: m.text,
                sent_at_ms: m.sent_at_ms,
                media: m.media.map(|media| WireMedia {
                    filename: media.filename,
                    content_type: media.content_type,
                    base64: STANDARD.encode(media.bytes),
                }),
            },
        }
    }
}

fn reason(code: &str) -> DisconnectReason {
    // A code this build does not know still ends the session; "unlinked" is the honest guess.
    DisconnectReason::parse(code).unwrap_or(DisconnectReason::UnlinkedFromPhone)
}

impl TryFrom<WireEvent> for DriverEvent {
    type Error = String;

    fn try_from(event: WireEvent) -> Result<Self, String> {
        Ok(match event {
            WireEvent::Qr { code, valid_for_ms } => DriverEvent::Qr {
                code,
                valid_for: Duration::from_millis(valid_for_ms),
            },
            WireEvent::LinkingExpired => DriverEvent::LinkingExpired,
            WireEvent::Paired {
                phone,
                business_name,
                credentials,
            } => DriverEvent::Paired {
                phone,
                business_name,
                credentials,
            },
            WireEvent::Connected => DriverEvent::Connected,
            WireEvent::LoggedOut { reason: code } => DriverEvent::LoggedOut(reason(&code)),
            WireEvent::TemporarilyBanned { until_ms } => {
                DriverEvent::TemporarilyBanned { until_ms }
            }
            WireEvent::ConnectionLost => DriverEvent::ConnectionLost,
            WireEvent::Unreachable { message } => DriverEvent::Unreachable(message),
            WireEvent::LinkFailed { message } => DriverEvent::LinkFailed(message),
            WireEvent::ServerAck { id, error } => DriverEvent::ServerAck { id, error },
            WireEvent::ClientOutdated => DriverEvent::ClientOutdated,
            WireEvent::PasskeyRequested { options_json } => {
                DriverEvent::PasskeyRequested { options_json }
            }
            WireEvent::PasskeyCode {
                code,
                confirm_on_phone,
            } => DriverEvent::PasskeyCode {
                code,
                confirm_on_phone,
            },
            WireEvent::LidMapped { lid, phone } => DriverEvent::LidMapped { lid, phone },
            WireEvent::History { messages, progress } => {
                DriverEvent::History(HistoryBatch { messages, progress })
            }
            WireEvent::Receipt { ids, read, at_ms } => DriverEvent::Receipt {
                ids,
                receipt: if read {
                    Receipt::Read
                } else {
                    Receipt::Delivered
                },
                at_ms,
            },
            WireEvent::Message {
                id,
                from,
                name,
                text,
                sent_at_ms,
                media,
            } => {
                let media = match media {
                    Some(m) => Some(InboundMedia {
                        bytes: STANDARD
                            .decode(m.base64)
                            .map_err(|e| format!("media of message {id}: {e}"))?,
                        filename: m.filename,
                        content_type: m.content_type,
                    }),
                    None => None,
                };
                DriverEvent::Message(InboundMessage {
                    id,
                    from,
                    name,
                    text,
                    sent_at_ms,
                    media,
                })
            }
        })
    }
}

impl From<DriverError> for WireError {
    fn from(error: DriverError) -> Self {
        match error {
            DriverError::Unreachable(m) => WireError::Unreachable(m),
            DriverError::LoggedOut(r) => WireError::LoggedOut(r.code().into()),
            DriverError::Rejected(m) => WireError::Rejected(m),
            DriverError::Closed => WireError::Closed,
        }
    }
}

impl From<WireError> for DriverError {
    fn from(error: WireError) -> Self {
        match error {
            WireError::Unreachable(m) => DriverError::Unreachable(m),
            WireError::LoggedOut(code) => DriverError::LoggedOut(reason(&code)),
            WireError::Rejected(m) => DriverError::Rejected(m),
            WireError::Closed => DriverError::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(event: DriverEvent) -> DriverEvent {
        let line = serde_json::to_string(&Frame::Event(event.into())).unwrap();
        match serde_json::from_str::<Frame>(&line).unwrap() {
            Frame::Event(wire) => wire.try_into().unwrap(),
            other => panic!("{line} read back as {other:?}"),
        }
    }

    #[test]
    fn every_event_crosses_the_wire_unchanged() {
        let events = vec![
            DriverEvent::Qr {
                code: "2@abc,k1,k2,k3,1".into(),
                valid_for: Duration::from_millis(60_000),
            },
            DriverEvent::LinkingExpired,
            DriverEvent::Paired {
                phone: "+573001112233".into(),
                business_name: "Ventas".into(),
                credentials: "sim1|+573001112233|dev".into(),
            },
            DriverEvent::Connected,
            DriverEvent::LoggedOut(DisconnectReason::Replaced),
            DriverEvent::TemporarilyBanned { until_ms: 42 },
            DriverEvent::ConnectionLost,
            DriverEvent::Unreachable("refused".into()),
            DriverEvent::LinkFailed("no".into()),
            DriverEvent::Receipt {
                ids: vec!["3EB0A".into(), "3EB0B".into()],
                receipt: Receipt::Read,
                at_ms: 7,
            },
            DriverEvent::Receipt {
                ids: vec!["3EB0C".into()],
                receipt: Receipt::Delivered,
                at_ms: 8,
            },
            DriverEvent::ServerAck {
                id: "3EB0D".into(),
                error: None,
            },
            DriverEvent::ServerAck {
                id: "3EB0E".into(),
                error: Some("479".into()),
            },
            DriverEvent::ClientOutdated,
            DriverEvent::PasskeyRequested {
                options_json: r#"{"challenge":"AAEC","rpId":"web.whatsapp.com"}"#.into(),
            },
            DriverEvent::PasskeyCode {
                code: "ABCD-EFGH".into(),
                confirm_on_phone: true,
            },
            DriverEvent::LidMapped {
                lid: "123456789012345".into(),
                phone: "+573001112233".into(),
            },
            DriverEvent::History(HistoryBatch {
                messages: vec![HistoryMessage {
                    id: "3EB0F".into(),
                    chat: "lid:123456789012345".into(),
                    from_me: true,
                    name: String::new(),
                    text: "ya salió".into(),
                    sent_at_ms: 1_700_000_000_000,
                    media: None,
                }],
                progress: Some(40),
            }),
            DriverEvent::Message(InboundMessage {
                id: "3EB0AA".into(),
                from: "+5491122334455".into(),
                name: "Ana".into(),
                text: "hola\nqué tal".into(),
                sent_at_ms: 1_700_000_000_000,
                media: Some(InboundMedia {
                    filename: "a.jpg".into(),
                    content_type: "image/jpeg".into(),
                    bytes: vec![0, 255, 10, 13],
                }),
            }),
        ];
        for event in events {
            assert_eq!(round_trip(event.clone()), event);
        }
    }

    #[test]
    fn answers_and_errors_are_told_apart_from_events() {
        let answers = [
            Frame::Answer {
                id: 7,
                result: Ok(WireAnswer::Text("ABCD1234".into())),
            },
            Frame::Answer {
                id: 8,
                result: Err(WireError::LoggedOut("unlinked_401".into())),
            },
            Frame::Answer {
                id: 9,
                result: Ok(WireAnswer::Done),
            },
        ];
        for frame in answers {
            let line = serde_json::to_string(&frame).unwrap();
            assert!(!line.contains('\n'));
            assert_eq!(serde_json::from_str::<Frame>(&line).unwrap(), frame);
        }
        let error: DriverError = WireError::LoggedOut("unlinked_401".into()).into();
        assert_eq!(
            error,
            DriverError::LoggedOut(DisconnectReason::UnlinkedFromPhone)
        );
        let request = Request {
            id: 3,
            command: WireCommand::SendText {
                to: "+1".into(),
                text: "hi".into(),
            },
        };
        let line = serde_json::to_string(&request).unwrap();
        assert_eq!(serde_json::from_str::<Request>(&line).unwrap(), request);
    }

    #[test]
    fn broken_media_is_an_error_not_a_panic() {
        let wire = WireEvent::Message {
            id: "x".into(),
            from: "+1".into(),
            name: String::new(),
            text: String::new(),
            sent_at_ms: 0,
            media: Some(WireMedia {
                filename: "f".into(),
                content_type: "text/plain".into(),
                base64: "not base64!".into(),
            }),
        };
        assert!(DriverEvent::try_from(wire).is_err());
    }
}
