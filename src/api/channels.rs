//! The Settings > Company > Channels > WhatsApp Web page: its data and its actions.

use crate::error::AppError;
use crate::views::channels::{AccountView, ChannelsOverview, DeletionPreview, SessionDetails};
use leptos::prelude::*;

#[server(endpoint = "channels_page")]
pub async fn channels_page() -> Result<ChannelsOverview, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve_page, Role};

    serve_page(
        Role::ChannelsAdmin,
        |user, state| async move { channels::overview(&state.db, &state.manager, &user).await },
        |page: &ChannelsOverview| !page.counts_down(),
    )
    .await
}

#[server(endpoint = "add_account")]
pub async fn add_account() -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::add(&state.db, &state.manager, &user).await
    })
    .await
}

/// Cancel on a Connecting card. `None`: the account was new and is gone.
#[server(endpoint = "cancel_linking")]
pub async fn cancel_linking(id: i64) -> Result<Option<AccountView>, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::cancel_linking(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// Generate new code (expired QR) and Connect (Disconnected card): a new linking attempt.
#[server(endpoint = "start_linking")]
pub async fn start_linking(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::start_linking(&state.db, &state.manager, &user, id).await
    })
    .await
}

#[server(endpoint = "request_pair_code")]
pub async fn request_pair_code(id: i64, phone: String) -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::request_pair_code(&state.db, &state.manager, &user, id, &phone).await
    })
    .await
}

#[server(endpoint = "disconnect_account")]
pub async fn disconnect_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::disconnect(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// **Keep the new number** when another phone than the configured one scanned.
#[server(endpoint = "keep_linked_number")]
pub async fn keep_linked_number(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::keep_linked_number(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// **Unlink and scan again** when another phone than the configured one scanned.
#[server(endpoint = "relink_account")]
pub async fn relink_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::relink(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// **Retry now** while a card waits to reconnect.
#[server(endpoint = "retry_connection")]
pub async fn retry_connection(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::retry_now(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// Disable on a Disconnected card.
#[server(endpoint = "disable_account")]
pub async fn disable_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::lifecycle;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        lifecycle::disable(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// Enable on a Disabled card.
#[server(endpoint = "enable_account")]
pub async fn enable_account(id: i64) -> Result<AccountView, AppError> {
    use crate::server::services::lifecycle;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        lifecycle::enable(&state.db, &state.manager, &user, id).await
    })
    .await
}

#[server(endpoint = "preview_deletion")]
pub async fn preview_deletion(id: i64) -> Result<DeletionPreview, AppError> {
    use crate::server::services::lifecycle;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        lifecycle::deletion_preview(&state.db, &state.manager, &user, id).await
    })
    .await
}

/// Confirms a Delete; `name` repeats the account's name.
#[server(endpoint = "delete_account")]
pub async fn delete_account(id: i64, name: String) -> Result<AccountView, AppError> {
    use crate::server::services::lifecycle;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        lifecycle::delete(&state.db, &state.manager, &state.deletion, &user, id, &name).await
    })
    .await
}

/// The details view of a Connected card.
#[server(endpoint = "read_session_details")]
pub async fn read_session_details(id: i64) -> Result<SessionDetails, AppError> {
    use crate::server::services::channels;
    use crate::server::web::fn_context::{serve, Role};

    serve(Role::ChannelsAdmin, |user, state| async move {
        channels::session_details(&state.db, &state.manager, &user, id).await
    })
    .await
}
