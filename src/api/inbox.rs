//! The inbox: conversations from linked numbers, their threads, replies and scheduled
//! messages. Every function checks on the server that the viewer may see the conversation.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::account::AccountStatus;
use crate::domain::inbox::{MessageStatus, ScheduleStatus};
use crate::error::AppError;

pub const INBOX_EVENTS_PATH: &str = "/api/inbox/events";

/// A funnel, channel or user to choose, by id and name.
pub use crate::api::setup::Choice;

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
    pub funnels: Vec<Choice>,
    pub channels: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaView {
    pub url: String,
    pub filename: String,
    pub content_type: String,
    /// "1.5 MB".
    pub size: String,
    /// Shown inline (a raster image); anything else is a download.
    pub inline_image: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub outbound: bool,
    pub text: String,
    pub status: MessageStatus,
    pub failure: Option<String>,
    pub at_ms: i64,
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

#[server(endpoint = "load_inbox")]
pub async fn load_inbox(
    funnel: Option<i64>,
    channel: Option<i64>,
    after: Option<String>,
) -> Result<InboxPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::inbox;

    respond(
        async {
            let user = require_inbox_user().await?;
            inbox::page(&app_state().db, &user, funnel, channel, after.as_deref()).await
        }
        .await,
    )
}

#[server(endpoint = "load_conversation")]
pub async fn load_conversation(id: i64) -> Result<ConversationPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::inbox;

    respond(
        async {
            let user = require_inbox_user().await?;
            inbox::conversation(&app_state().db, &user, id).await
        }
        .await,
    )
}

#[server(endpoint = "send_reply")]
pub async fn send_reply(conversation: i64, text: String) -> Result<ConversationPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::replies;

    respond(
        async {
            let user = require_inbox_user().await?;
            let state = app_state();
            replies::send(&state.db, &state.manager, &user, conversation, &text).await
        }
        .await,
    )
}

#[server(endpoint = "retry_reply")]
pub async fn retry_reply(conversation: i64, message: i64) -> Result<ConversationPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::replies;

    respond(
        async {
            let user = require_inbox_user().await?;
            let state = app_state();
            replies::retry(&state.db, &state.manager, &user, conversation, message).await
        }
        .await,
    )
}

#[server(endpoint = "schedule_message")]
pub async fn schedule_message(
    conversation: i64,
    text: String,
    send_at_ms: i64,
) -> Result<ConversationPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::replies;

    respond(
        async {
            let user = require_inbox_user().await?;
            let state = app_state();
            replies::schedule(
                &state.db,
                &state.manager,
                &state.scheduler,
                &user,
                conversation,
                &text,
                send_at_ms,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "cancel_scheduled")]
pub async fn cancel_scheduled(
    conversation: i64,
    scheduled: i64,
) -> Result<ConversationPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::replies;

    respond(
        async {
            let user = require_inbox_user().await?;
            let state = app_state();
            replies::cancel(&state.db, &state.manager, &user, conversation, scheduled).await
        }
        .await,
    )
}

#[server(endpoint = "set_conversation_owner")]
pub async fn set_conversation_owner(
    conversation: i64,
    owner: Option<i64>,
) -> Result<ConversationPage, AppError> {
    use crate::server::fn_context::{app_state, require_inbox_user, respond};
    use crate::server::services::inbox;

    respond(
        async {
            let user = require_inbox_user().await?;
            let state = app_state();
            inbox::set_owner(&state.db, &state.manager, &user, conversation, owner).await
        }
        .await,
    )
}
