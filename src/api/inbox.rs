//! The inbox: conversations from linked numbers, their threads, replies and scheduled
//! messages. Every function checks on the server that the viewer may see the conversation.

use crate::error::AppError;
use crate::views::inbox::{ConversationPage, InboxPage};
use leptos::prelude::*;

/// `who`: "mine", "unassigned" or "all" (the default); `q`: the search box.
#[server(endpoint = "load_inbox")]
pub async fn load_inbox(
    funnel: Option<i64>,
    channel: Option<i64>,
    who: Option<String>,
    q: Option<String>,
    after: Option<String>,
) -> Result<InboxPage, AppError> {
    use crate::server::services::inbox::{self, ListRequest};
    use crate::server::web::fn_context::{serve_page, Role};

    serve_page(
        Role::InboxUser,
        |user, state| async move {
            let request = ListRequest {
                funnel,
                channel,
                whose: who.as_deref(),
                search: q.as_deref(),
                after: after.as_deref(),
            };
            inbox::page(&state.db, &user, request).await
        },
        |_: &InboxPage| true,
    )
    .await
}

#[server(endpoint = "load_conversation")]
pub async fn load_conversation(id: i64) -> Result<ConversationPage, AppError> {
    use crate::server::services::inbox;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
        inbox::conversation_live(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// Downloads a file of the chat history from WhatsApp (it is stored by reference until
/// first opened); answers the conversation with the file in place.
#[server(endpoint = "load_media")]
pub async fn load_media(media: i64) -> Result<ConversationPage, AppError> {
    use crate::server::media::MediaStore;
    use crate::server::services::media;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
        let store = MediaStore::new(state.config.media_dir.clone());
        media::load(&state.db, &state.manager, &store, &user, media).await
    })
    .await
}

#[server(endpoint = "send_reply")]
pub async fn send_reply(conversation: i64, text: String) -> Result<ConversationPage, AppError> {
    use crate::server::services::replies;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
        replies::send(&state.db, &state.manager, &user, conversation, &text).await
    })
    .await
}

/// `confirmed`: the agent answered yes to "may already have been delivered. Send again?".
#[server(endpoint = "retry_reply")]
pub async fn retry_reply(
    conversation: i64,
    message: i64,
    confirmed: bool,
) -> Result<ConversationPage, AppError> {
    use crate::server::services::replies;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
        replies::retry(
            &state.db,
            &state.manager,
            &user,
            conversation,
            message,
            confirmed,
        )
        .await
    })
    .await
}

#[server(endpoint = "schedule_message")]
pub async fn schedule_message(
    conversation: i64,
    text: String,
    send_at_ms: i64,
) -> Result<ConversationPage, AppError> {
    use crate::server::services::replies;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
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
    })
    .await
}

#[server(endpoint = "cancel_scheduled")]
pub async fn cancel_scheduled(
    conversation: i64,
    scheduled: i64,
) -> Result<ConversationPage, AppError> {
    use crate::server::services::replies;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
        replies::cancel(&state.db, &state.manager, &user, conversation, scheduled).await
    })
    .await
}

#[server(endpoint = "set_conversation_owner")]
pub async fn set_conversation_owner(
    conversation: i64,
    owner: Option<i64>,
) -> Result<ConversationPage, AppError> {
    use crate::server::services::inbox;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::InboxUser, |user, state| async move {
        inbox::set_owner(&state.db, &state.manager, &user, conversation, owner).await
    })
    .await
}
