//! The inbox's rules: who sees a conversation, what a reply or a scheduled message may
//! be, and the states an outbound message goes through.

use serde::{Deserialize, Serialize};

/// WhatsApp refuses longer texts.
pub const MAX_TEXT_CHARS: usize = 4096;
/// How far ahead a message may be scheduled.
pub const MAX_SCHEDULE_AHEAD_MS: i64 = 365 * 24 * 3600 * 1000;
/// Rows per inbox page.
pub const INBOX_PAGE: usize = 50;

/// A user sees a channel's conversations when the channel's restricted-access list is
/// empty or names the user; global admins see every channel of their company.
pub fn may_see(global_admin: bool, restricted_to: &[i64], user_id: i64) -> bool {
    global_admin || restricted_to.is_empty() || restricted_to.contains(&user_id)
}

/// Whose conversations the list shows: the viewer's own, nobody's yet, or every one the
/// viewer may see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Whose {
    Mine,
    Unassigned,
    #[default]
    All,
}

impl Whose {
    pub const EVERY: [Whose; 3] = [Whose::Mine, Whose::Unassigned, Whose::All];

    /// The URL's word (`?who=mine`).
    pub fn code(self) -> &'static str {
        match self {
            Whose::Mine => "mine",
            Whose::Unassigned => "unassigned",
            Whose::All => "all",
        }
    }

    pub fn parse(code: &str) -> Option<Whose> {
        Whose::EVERY.into_iter().find(|w| w.code() == code)
    }
}

/// Longest search the inbox accepts.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Shorter terms match contact names and numbers only: a message text index works on
/// three-character pieces.
pub const MIN_MESSAGE_SEARCH_CHARS: usize = 3;

/// What the agent typed in the search box, ready for the queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// Trimmed, inner spaces collapsed.
    pub text: String,
    /// The digits alone when the text looks like a phone number ("+57 300-123"), so it
    /// matches numbers stored without spaces; otherwise the text.
    pub phone: String,
}

impl Search {
    /// Whether message texts are searched too.
    pub fn covers_messages(&self) -> bool {
        self.text.chars().count() >= MIN_MESSAGE_SEARCH_CHARS
    }
}

/// Why a typed text (a reply, a search, a time to send at) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
    NotInFuture,
    TooFarAhead,
    SearchTooLong,
}

/// The search box's text as a search; `None` when empty; an error when too long.
pub fn search(raw: &str) -> Result<Option<Search>, TextProblem> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(TextProblem::SearchTooLong);
    }
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && text.chars().any(|c| c.is_ascii_digit());
    let phone = if phone_like {
        text.chars().filter(char::is_ascii_digit).collect()
    } else {
        text.clone()
    };
    Ok(Some(Search { text, phone }))
}

/// The accented letters search reads as their plain ones (lower case; capitals are
/// lowered first). PostgreSQL's `aurora_fold` (migration 0014) folds the same letters.
#[rustfmt::skip]
pub const FOLDS: [(char, char); 24] = [
    ('á', 'a'), ('é', 'e'), ('í', 'i'), ('ó', 'o'), ('ú', 'u'),
    ('à', 'a'), ('è', 'e'), ('ì', 'i'), ('ò', 'o'), ('ù', 'u'),
    ('â', 'a'), ('ê', 'e'), ('î', 'i'), ('ô', 'o'), ('û', 'u'),
    ('ä', 'a'), ('ë', 'e'), ('ï', 'i'), ('ö', 'o'), ('ü', 'u'),
    ('ã', 'a'), ('õ', 'o'), ('ñ', 'n'), ('ç', 'c'),
];

/// `text` as search compares it: lower case, without the accents of [`FOLDS`].
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            FOLDS
                .iter()
                .find(|(accented, _)| *accented == c)
                .map_or(c, |(_, plain)| *plain)
        })
        .collect()
}

/// A LIKE pattern matching `text` anywhere, its wildcards escaped with `\`.
pub fn like_anywhere(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A full-text phrase query for `text` (quotes doubled, as the query syntax wants).
pub fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A reply's text, trimmed; or why it can't be sent.
pub fn reply_text(raw: &str) -> Result<String, TextProblem> {
    let text = raw.trim();
    if text.is_empty() {
        Err(TextProblem::Empty)
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Err(TextProblem::TooLong)
    } else {
        Ok(text.to_string())
    }
}

/// When a scheduled message may go out: in the future (a minute's grace for slow
/// typing is not given: "now" means send it now), within a year.
pub fn schedule_time(send_at_ms: i64, now_ms: i64) -> Result<i64, TextProblem> {
    if send_at_ms <= now_ms {
        Err(TextProblem::NotInFuture)
    } else if send_at_ms - now_ms > MAX_SCHEDULE_AHEAD_MS {
        Err(TextProblem::TooFarAhead)
    } else {
        Ok(send_at_ms)
    }
}

/// Where a message stands. Inbound messages are `Received`; a reply is `Sending` until
/// WhatsApp takes it, then `Sent`, or `Failed` with the reason, or `Unconfirmed` when it
/// reached WhatsApp's socket but no confirmation came (a retry could send it twice). A
/// reply written while its Connected channel is reconnecting is `Queued`: it goes out by
/// itself, once, when the session is back. The customer's phone then reports it
/// `Delivered` and `Read` (WhatsApp's ticks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageStatus {
    Received,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Failed,
    Unconfirmed,
}

/// What the customer's phone reports of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Receipt {
    Delivered,
    Read,
}

impl Receipt {
    pub fn status(self) -> MessageStatus {
        match self {
            Receipt::Delivered => MessageStatus::Delivered,
            Receipt::Read => MessageStatus::Read,
        }
    }

    /// The states this receipt moves a reply on from. Ticks only move forward: a late
    /// delivery receipt never takes a read message back, and a receipt proves that a
    /// message in doubt (or still marked sending) did go out.
    pub fn moves_from(self) -> &'static [MessageStatus] {
        match self {
            Receipt::Delivered => &[
                MessageStatus::Sending,
                MessageStatus::Sent,
                MessageStatus::Unconfirmed,
            ],
            Receipt::Read => &[
                MessageStatus::Sending,
                MessageStatus::Sent,
                MessageStatus::Unconfirmed,
                MessageStatus::Delivered,
            ],
        }
    }
}

impl MessageStatus {
    pub fn code(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
            MessageStatus::Unconfirmed => "unconfirmed",
        }
    }

    pub fn parse(code: &str) -> Option<MessageStatus> {
        [
            MessageStatus::Received,
            MessageStatus::Queued,
            MessageStatus::Sending,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Failed,
            MessageStatus::Unconfirmed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// A reply the agent may send again (after a question when it may have gone out).
    pub fn retryable(self) -> bool {
        matches!(self, MessageStatus::Failed | MessageStatus::Unconfirmed)
    }

    /// WhatsApp's ticks for a reply: one when WhatsApp took it, two when the customer's
    /// phone has it (blue once read); none before or after a failure.
    pub fn ticks(self) -> &'static str {
        match self {
            MessageStatus::Sent => "✓",
            MessageStatus::Delivered | MessageStatus::Read => "✓✓",
            _ => "",
        }
    }
}

/// A scheduled message's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScheduleStatus {
    Pending,
    Sent,
    Failed,
    Cancelled,
}

impl ScheduleStatus {
    pub fn code(self) -> &'static str {
        match self {
            ScheduleStatus::Pending => "pending",
            ScheduleStatus::Sent => "sent",
            ScheduleStatus::Failed => "failed",
            ScheduleStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<ScheduleStatus> {
        [
            ScheduleStatus::Pending,
            ScheduleStatus::Sent,
            ScheduleStatus::Failed,
            ScheduleStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// The first line of a message as the inbox list shows it.
pub fn preview(text: &str, attachment: Option<&str>) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let line = if line.is_empty() {
        attachment
            .map(|name| format!("📎 {name}"))
            .unwrap_or_default()
    } else {
        line.to_string()
    };
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_only_move_a_reply_forward() {
        use MessageStatus::*;
        assert!(Receipt::Delivered.moves_from().contains(&Sent));
        assert!(!Receipt::Delivered.moves_from().contains(&Read));
        assert!(!Receipt::Delivered.moves_from().contains(&Delivered));
        assert!(Receipt::Read.moves_from().contains(&Delivered));
        for receipt in [Receipt::Delivered, Receipt::Read] {
            for never in [Received, Queued, Failed, receipt.status()] {
                assert!(
                    !receipt.moves_from().contains(&never),
                    "{receipt:?} from {never:?}"
                );
            }
        }
        assert_eq!(
            (Sent.ticks(), Delivered.ticks(), Read.ticks()),
            ("✓", "✓✓", "✓✓")
        );
        assert_eq!(MessageStatus::parse("read"), Some(Read));
    }

    #[test]
    fn folding_drops_case_and_the_accents_of_spanish_and_portuguese() {
        assert_eq!(
            fold("Lucía PEÑA Conceição Über"),
            "lucia pena conceicao uber"
        );
        assert_eq!(fold("ÀÉÎÕÇ"), "aeioc");
        // Letters outside the table stay as they are, lowered.
        assert_eq!(fold("Łódź"), "łodź");
    }

    #[test]
    fn an_empty_list_lets_everyone_see_and_a_list_only_its_users() {
        assert!(may_see(false, &[], 7));
        assert!(may_see(false, &[3, 7], 7));
        assert!(!may_see(false, &[3, 4], 7));
        assert!(may_see(true, &[3, 4], 7), "global admins see all");
    }

    #[test]
    fn replies_are_trimmed_and_bounded() {
        assert_eq!(reply_text("  Hola \n"), Ok("Hola".into()));
        assert!(reply_text("   \n\t").is_err());
        assert!(reply_text(&"á".repeat(4096)).is_ok());
        assert!(reply_text(&"á".repeat(4097)).is_err());
    }

    #[test]
    fn schedules_are_in_the_future_within_a_year() {
        assert_eq!(schedule_time(2_000, 1_000), Ok(2_000));
        assert!(schedule_time(1_000, 1_000).is_err());
        assert!(schedule_time(500, 1_000).is_err());
        assert!(schedule_time(1_000 + MAX_SCHEDULE_AHEAD_MS + 1, 1_000).is_err());
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            MessageStatus::Received,
            MessageStatus::Queued,
            MessageStatus::Sending,
            MessageStatus::Sent,
            MessageStatus::Failed,
            MessageStatus::Unconfirmed,
        ] {
            assert_eq!(MessageStatus::parse(s.code()), Some(s));
        }
        for s in [
            ScheduleStatus::Pending,
            ScheduleStatus::Sent,
            ScheduleStatus::Failed,
            ScheduleStatus::Cancelled,
        ] {
            assert_eq!(ScheduleStatus::parse(s.code()), Some(s));
        }
        assert_eq!(MessageStatus::parse("nope"), None);
    }

    #[test]
    fn previews_take_the_first_line_or_the_attachment() {
        assert_eq!(preview("\n  Hola\nqué tal", None), "Hola");
        assert_eq!(preview("", Some("factura.pdf")), "📎 factura.pdf");
        assert_eq!(preview("", None), "");
        let long = "x".repeat(200);
        assert_eq!(preview(&long, None).chars().count(), 121);
    }

    #[test]
    fn searches_are_trimmed_bounded_and_numbers_lose_their_punctuation() {
        assert_eq!(search("   "), Ok(None));
        let s = search("  Lucía   Pérez ").unwrap().unwrap();
        assert_eq!(
            (s.text.as_str(), s.phone.as_str()),
            ("Lucía Pérez", "Lucía Pérez")
        );
        let s = search("+57 300-123").unwrap().unwrap();
        assert_eq!(s.phone, "57300123");
        assert!(search(&"a".repeat(101)).is_err());
        assert!(search(&"a".repeat(100)).is_ok());
        assert!(!search("ab").unwrap().unwrap().covers_messages());
        assert!(search("abc").unwrap().unwrap().covers_messages());
    }

    #[test]
    fn patterns_escape_what_the_engines_would_read_as_syntax() {
        assert_eq!(like_anywhere("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(phrase(r#"say "hi""#), r#""say ""hi""""#);
    }

    #[test]
    fn whose_round_trips_through_the_url() {
        for w in Whose::EVERY {
            assert_eq!(Whose::parse(w.code()), Some(w));
        }
        assert_eq!(Whose::parse("everyone"), None);
    }
}
