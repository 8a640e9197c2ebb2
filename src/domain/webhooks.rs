//! Webhooks as a company sets them up: which events an endpoint wants, and what is wrong
//! with an endpoint an admin enters. Sending them is the server's (`server::webhooks`).

use serde::{Deserialize, Serialize};

/// The events an endpoint may ask for, as receivers see them in `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    ChannelStatusChanged,
    MessageReceived,
    MessageStatusChanged,
    ConversationAssigned,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::ChannelStatusChanged,
        EventKind::MessageReceived,
        EventKind::MessageStatusChanged,
        EventKind::ConversationAssigned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::ChannelStatusChanged => "channel.status_changed",
            EventKind::MessageReceived => "message.received",
            EventKind::MessageStatusChanged => "message.status_changed",
            EventKind::ConversationAssigned => "conversation.assigned",
        }
    }

    pub fn parse(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// How `webhook_endpoints.events` matches this kind (`LIKE`).
    pub fn column_pattern(self) -> String {
        format!("%,{},%", self.code())
    }
}

/// The test event "Send test event" sends; no endpoint subscribes to it.
pub const TEST_EVENT: &str = "aurora.test";

/// How many endpoints a company may have.
pub const MAX_ENDPOINTS: usize = 10;
/// The longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2_000;
/// An endpoint is paused after this many failed tries in a row.
pub const PAUSE_AFTER_FAILURES: i64 = 50;
/// How many tries of an endpoint its delivery log keeps.
pub const LOG_LENGTH: i64 = 100;

/// `kinds` as stored: each code between commas, in a fixed order, no repeats.
pub fn events_column(kinds: &[EventKind]) -> String {
    let chosen: Vec<&str> = EventKind::ALL
        .into_iter()
        .filter(|k| kinds.contains(k))
        .map(EventKind::code)
        .collect();
    format!(",{},", chosen.join(","))
}

/// The kinds a stored `events` column names (unknown codes are skipped).
pub fn parse_events_column(column: &str) -> Vec<EventKind> {
    column.split(',').filter_map(EventKind::parse).collect()
}

/// What is wrong with an endpoint an admin entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointProblem {
    /// Not a URL, too long, or one with a user name or password in it.
    Malformed,
    /// Not `https://` (plain `http://` only to this machine).
    NotHttps,
    /// Its name resolves to no address.
    Unresolved,
    /// It is, or resolves to, an address of a private network or of this machine.
    Private(String),
    /// No event chosen, or one that does not exist.
    NoEvents,
    UnknownEvent(String),
    /// The company has `MAX_ENDPOINTS` already.
    TooMany,
}

/// The kinds `codes` name, or what is wrong with them.
pub fn parse_events(codes: &[String]) -> Result<Vec<EventKind>, EndpointProblem> {
    let mut kinds = Vec::new();
    for code in codes {
        let kind = EventKind::parse(code.trim())
            .ok_or_else(|| EndpointProblem::UnknownEvent(code.chars().take(60).collect()))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(EndpointProblem::NoEvents);
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_column_round_trips_and_matches_whole_codes_only() {
        let column = events_column(&[EventKind::MessageReceived, EventKind::ChannelStatusChanged]);
        assert_eq!(column, ",channel.status_changed,message.received,");
        assert_eq!(
            parse_events_column(&column),
            [EventKind::ChannelStatusChanged, EventKind::MessageReceived]
        );
        for kind in EventKind::ALL {
            let pattern = kind.column_pattern();
            let needle = pattern.trim_matches('%');
            assert_eq!(
                column.contains(needle),
                matches!(
                    kind,
                    EventKind::ChannelStatusChanged | EventKind::MessageReceived
                ),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn chosen_events_are_checked() {
        assert_eq!(parse_events(&[]), Err(EndpointProblem::NoEvents));
        assert_eq!(
            parse_events(&["message.deleted".into()]),
            Err(EndpointProblem::UnknownEvent("message.deleted".into()))
        );
        assert_eq!(
            parse_events(&["message.received".into(), " message.received ".into()]),
            Ok(vec![EventKind::MessageReceived])
        );
    }
}
