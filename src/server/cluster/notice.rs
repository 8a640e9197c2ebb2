//! What one server of a cluster tells the others when an account changes (`pg_notify`):
//! the account, and the live state only its owner knows (the QR on screen, the health
//! line). Times travel as "in N ms", so servers' clocks never need to agree; the QR
//! travels as its text and each server draws it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::server::sessions::manager::{Health, LinkState, LiveState};
use crate::server::sessions::qr::qr_svg;
use crate::views::channels::ImportProgress;

/// The `pg_notify` channel account changes go out on.
pub const CHANNEL: &str = "aurora_accounts";
/// PostgreSQL refuses a payload of 8000 bytes or more; a notice near it goes out without
/// its live state and the receivers read what the database has.
pub const MAX_PAYLOAD: usize = 7000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The sending server (its own notices come back to it and are ignored).
    pub node: String,
    pub company: i64,
    pub account: i64,
    pub removed: bool,
    /// None: only "this account changed"; read it again.
    pub live: Option<WireLive>,
    /// Set when a conversation of the account changed (a message), not the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<i64>,
    /// Replies wait: the account's owner sends them (typed on another server).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub send: bool,
    /// The owner's claim when `live` is set: a lower one than already seen is stale.
    #[serde(default)]
    pub epoch: i64,
    /// The sender's count of its notices: under one claim, a live state numbered lower
    /// than one already taken from the same server is stale.
    #[serde(default)]
    pub seq: u64,
}

/// Where the live state last taken for an account came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveOrigin {
    pub epoch: i64,
    pub node: String,
    pub seq: u64,
}

impl LiveOrigin {
    pub fn of(notice: &Notice) -> Self {
        LiveOrigin {
            epoch: notice.epoch,
            node: notice.node.clone(),
            seq: notice.seq,
        }
    }
}

/// Whether a notice's live state replaces the one last taken (`last`): a newer claim
/// always does, an older one never; under the same claim, a later notice of the same
/// server does (another server under the same claim has no order with it, and is taken).
pub fn supersedes(notice: &Notice, last: Option<&LiveOrigin>) -> bool {
    let Some(last) = last else { return true };
    match notice.epoch.cmp(&last.epoch) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => notice.node != last.node || notice.seq > last.seq,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireLive {
    pub link: Option<WireLink>,
    pub pair_code: Option<String>,
    pub health: Option<WireHealth>,
    pub reconnects: u32,
    pub last_activity_ms: Option<i64>,
    #[serde(default)]
    pub unaccepted_since_ms: Option<i64>,
    #[serde(default)]
    pub client_outdated: bool,
    #[serde(default)]
    pub importing: Option<ImportProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireLink {
    Showing {
        qr: String,
        expires_in_ms: u64,
    },
    Expired,
    Failed {
        message: String,
    },
    Unreachable {
        message: String,
        retry_in_ms: u64,
    },
    Passkey {
        options_json: String,
        token: Option<String>,
    },
    PasskeyCode {
        code: String,
        confirm_on_phone: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireHealth {
    Online,
    Reconnecting {
        attempt: u32,
        retry_in_ms: u64,
        reason: Option<String>,
    },
}

fn until(at: Instant, now: Instant) -> u64 {
    at.saturating_duration_since(now).as_millis() as u64
}

fn after(ms: u64, now: Instant) -> Instant {
    now + Duration::from_millis(ms)
}

impl WireLive {
    pub fn from_live(live: &LiveState, now: Instant) -> Self {
        WireLive {
            link: live.link.as_ref().map(|link| match link {
                LinkState::Showing { qr, expires_at, .. } => WireLink::Showing {
                    qr: qr.clone(),
                    expires_in_ms: until(*expires_at, now),
                },
                LinkState::Expired => WireLink::Expired,
                LinkState::Failed { message } => WireLink::Failed {
                    message: message.clone(),
                },
                LinkState::Unreachable { message, retry_at } => WireLink::Unreachable {
                    message: message.clone(),
                    retry_in_ms: until(*retry_at, now),
                },
                LinkState::Passkey {
                    options_json,
                    token,
                } => WireLink::Passkey {
                    options_json: options_json.clone(),
                    token: token.clone(),
                },
                LinkState::PasskeyCode {
                    code,
                    confirm_on_phone,
                } => WireLink::PasskeyCode {
                    code: code.clone(),
                    confirm_on_phone: *confirm_on_phone,
                },
            }),
            pair_code: live.pair_code.clone(),
            health: live.health.as_ref().map(|health| match health {
                Health::Online => WireHealth::Online,
                Health::Reconnecting {
                    attempt,
                    retry_at,
                    reason,
                } => WireHealth::Reconnecting {
                    attempt: *attempt,
                    retry_in_ms: until(*retry_at, now),
                    reason: reason.clone(),
                },
            }),
            reconnects: live.reconnects,
            last_activity_ms: live.last_activity_ms,
            unaccepted_since_ms: live.unaccepted_since_ms,
            client_outdated: live.client_outdated,
            importing: live.importing,
        }
    }

    pub fn into_live(self, now: Instant) -> LiveState {
        LiveState {
            link: self.link.map(|link| match link {
                WireLink::Showing { qr, expires_in_ms } => LinkState::Showing {
                    svg: qr_svg(&qr).unwrap_or_default(),
                    qr,
                    expires_at: after(expires_in_ms, now),
                },
                WireLink::Expired => LinkState::Expired,
                WireLink::Failed { message } => LinkState::Failed { message },
                WireLink::Unreachable {
                    message,
                    retry_in_ms,
                } => LinkState::Unreachable {
                    message,
                    retry_at: after(retry_in_ms, now),
                },
                WireLink::Passkey {
                    options_json,
                    token,
                } => LinkState::Passkey {
                    options_json,
                    token,
                },
                WireLink::PasskeyCode {
                    code,
                    confirm_on_phone,
                } => LinkState::PasskeyCode {
                    code,
                    confirm_on_phone,
                },
            }),
            pair_code: self.pair_code,
            health: self.health.map(|health| match health {
                WireHealth::Online => Health::Online,
                WireHealth::Reconnecting {
                    attempt,
                    retry_in_ms,
                    reason,
                } => Health::Reconnecting {
                    attempt,
                    retry_at: after(retry_in_ms, now),
                    reason,
                },
            }),
            reconnects: self.reconnects,
            last_activity_ms: self.last_activity_ms,
            unaccepted_since_ms: self.unaccepted_since_ms,
            client_outdated: self.client_outdated,
            importing: self.importing,
        }
    }
}

impl Notice {
    /// The payload to notify: with the live state, unless that would come near the limit.
    pub fn payload(&self) -> String {
        let full = serde_json::to_string(self).unwrap_or_default();
        if full.len() < MAX_PAYLOAD {
            return full;
        }
        let bare = Notice {
            live: None,
            ..self.clone()
        };
        serde_json::to_string(&bare).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_state_crosses_servers_with_its_deadlines() {
        let now = Instant::now();
        let live = LiveState {
            link: Some(LinkState::Showing {
                qr: "2@abc,k1,k2,k3,1".into(),
                svg: "<svg/>".into(),
                expires_at: now + Duration::from_secs(60),
            }),
            pair_code: Some("ABCD1234".into()),
            health: Some(Health::Reconnecting {
                attempt: 3,
                retry_at: now + Duration::from_secs(4),
                reason: Some("timeout".into()),
            }),
            reconnects: 2,
            last_activity_ms: Some(1_700_000_000_000),
            unaccepted_since_ms: Some(1_700_000_000_500),
            client_outdated: true,
            importing: Some(ImportProgress {
                conversations: 3,
                messages: 40,
            }),
        };
        let notice = Notice {
            node: "a".into(),
            company: 1,
            account: 2,
            removed: false,
            live: Some(WireLive::from_live(&live, now)),
            conversation: None,
            send: false,
            epoch: 3,
            seq: 9,
        };
        let read: Notice = serde_json::from_str(&notice.payload()).unwrap();
        assert_eq!(read, notice);
        let later = now + Duration::from_millis(250);
        let rebuilt = read.live.unwrap().into_live(later);
        let Some(LinkState::Showing {
            qr,
            svg,
            expires_at,
        }) = &rebuilt.link
        else {
            panic!("showing")
        };
        assert_eq!(qr, "2@abc,k1,k2,k3,1");
        assert!(
            svg.starts_with("<?xml") || svg.contains("<svg"),
            "drawn here"
        );
        assert_eq!(*expires_at, later + Duration::from_secs(60));
        assert_eq!(rebuilt.pair_code.as_deref(), Some("ABCD1234"));
        assert_eq!(
            rebuilt.health,
            Some(Health::Reconnecting {
                attempt: 3,
                retry_at: later + Duration::from_secs(4),
                reason: Some("timeout".into())
            })
        );
        assert_eq!(
            (rebuilt.reconnects, rebuilt.last_activity_ms),
            (2, live.last_activity_ms)
        );
        assert_eq!(
            (rebuilt.unaccepted_since_ms, rebuilt.client_outdated),
            (live.unaccepted_since_ms, true),
            "another server shows the same stall and version warnings"
        );
    }

    #[test]
    fn a_notice_near_the_limit_goes_without_its_live_state() {
        let live = WireLive {
            link: Some(WireLink::Failed {
                message: "x".repeat(MAX_PAYLOAD),
            }),
            pair_code: None,
            health: None,
            reconnects: 0,
            last_activity_ms: None,
            unaccepted_since_ms: None,
            client_outdated: false,
            importing: None,
        };
        let notice = Notice {
            node: "a".into(),
            company: 1,
            account: 2,
            removed: false,
            live: Some(live),
            conversation: None,
            send: false,
            epoch: 3,
            seq: 9,
        };
        let payload = notice.payload();
        assert!(payload.len() < MAX_PAYLOAD);
        let read: Notice = serde_json::from_str(&payload).unwrap();
        assert_eq!(read.live, None);
        assert_eq!((read.company, read.account), (1, 2));
    }

    #[test]
    fn a_live_state_is_taken_only_when_newer_than_the_last_one() {
        let notice = |node: &str, epoch: i64, seq: u64| Notice {
            node: node.into(),
            company: 1,
            account: 2,
            removed: false,
            live: None,
            conversation: None,
            send: false,
            epoch,
            seq,
        };
        let last = LiveOrigin::of(&notice("a", 5, 10));
        assert!(supersedes(&notice("a", 5, 10), None), "nothing taken yet");
        assert!(
            supersedes(&notice("a", 5, 11), Some(&last)),
            "later, same claim"
        );
        assert!(
            !supersedes(&notice("a", 5, 10), Some(&last)),
            "the same notice again"
        );
        assert!(
            !supersedes(&notice("a", 5, 9), Some(&last)),
            "earlier, same claim"
        );
        assert!(supersedes(&notice("b", 6, 1), Some(&last)), "a newer claim");
        assert!(
            !supersedes(&notice("a", 4, 99), Some(&last)),
            "an older claim"
        );
        assert!(
            supersedes(&notice("b", 5, 1), Some(&last)),
            "another server, same claim"
        );
    }
}
