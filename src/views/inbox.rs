//! What the inbox shows: the list of conversations, one conversation with its messages,
//! media and scheduled messages.

use crate::domain::account::AccountStatus;
use crate::domain::inbox::{MessageStatus, ScheduleStatus};
use serde::{Deserialize, Serialize};

/// A funnel, channel or user to choose, by id and name.
pub use crate::views::setup::Choice;

/// One row of the inbox list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRow {
    pub id: i64,
    /// The contact's name, or their number when WhatsApp gave no name.
    pub contact: String,
    /// International format.
    pub contact_phone: String,
    pub channel: String,
    pub owner: Option<String>,
    pub funnel: Option<String>,
    pub last_message: String,
    pub last_message_at_ms: i64,
    /// The last message was ours: the list says "You: …".
    pub last_message_ours: bool,
    /// The contact's messages the viewer has not seen (the row is bold with this count).
    pub unread: i64,
    /// The viewer owns the conversation (their new messages may notify them).
    pub mine: bool,
    /// A reply in it failed or may not have gone out: the row is flagged.
    pub not_sent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
    /// Filled on the first page only.
    pub funnels: Vec<Choice>,
    pub channels: Vec<Choice>,
    /// Conversations with unread messages among all the viewer may see (first page only):
    /// the tab title's "(3)".
    pub unread_conversations: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaView {
    pub id: i64,
    pub url: String,
    pub filename: String,
    pub content_type: String,
    /// "1.5 MB".
    pub size: String,
    /// Shown inline (a raster image); anything else is a download.
    pub inline_image: bool,
    /// A file of the chat history still on WhatsApp: downloaded when someone first opens it.
    pub pending: bool,
    /// Why its last download failed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub outbound: bool,
    pub text: String,
    pub status: MessageStatus,
    pub failure: Option<String>,
    pub at_ms: i64,
    /// When the customer's phone reported a reply delivered, and read.
    pub delivered_at_ms: Option<i64>,
    pub read_at_ms: Option<i64>,
    /// Who replied, for outbound messages.
    pub author: Option<String>,
    pub media: Option<MediaView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledView {
    pub id: i64,
    pub text: String,
    pub send_at_ms: i64,
    pub status: ScheduleStatus,
    pub failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub id: i64,
    pub contact: String,
    pub contact_phone: String,
    pub channel: String,
    pub channel_status: AccountStatus,
    /// The channel is Connected but its session is reconnecting: replies are queued and
    /// go out by themselves when it is back.
    pub reconnecting: bool,
    /// Why replies are refused right now (the channel is not connected); `None` when
    /// replying is possible.
    pub reply_blocked: Option<String>,
    pub funnel: Option<String>,
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    /// Who the owner may be: the members of the conversation's funnel.
    pub owner_choices: Vec<Choice>,
    pub messages: Vec<MessageView>,
    pub scheduled: Vec<ScheduledView>,
}
