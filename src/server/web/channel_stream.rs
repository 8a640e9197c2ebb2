//! The Channels page's live stream (Server-Sent Events): every change of the signed-in
//! company's accounts, as it happens. Browsers reconnect by themselves; a `Resync`
//! tells the page to reload the list after missed events.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::gate::SignInContext;
use super::security::error_response;
use super::stream_guard::while_allowed;
use crate::domain::access::may_manage_channels;
use crate::error::AppError;
use crate::server::boot::state::AppState;
use crate::server::workers::channel_feed::resync_json;

pub async fn channel_events(
    State(state): State<AppState>,
    sign_in: Option<Extension<SignInContext>>,
) -> Response {
    let Some(SignInContext {
        user: Some(user),
        token,
    }) = sign_in.map(|Extension(s)| s)
    else {
        return error_response(StatusCode::UNAUTHORIZED, &AppError::Unauthenticated);
    };
    if let Err(denied) = may_manage_channels(user.roles()) {
        return error_response(StatusCode::FORBIDDEN, &AppError::from(denied));
    }
    let company = user.company_id;
    let updates = BroadcastStream::new(state.feed.subscribe()).filter_map(move |item| async move {
        let data = match item {
            Ok(item) if item.company_id.is_none_or(|c| c == company) => {
                crate::server::metrics::stream_delivered(item.origin);
                item.json.to_string()
            }
            Ok(_) => return None,
            // This page missed updates: it reloads the list rather than show stale cards.
            Err(_) => resync_json(),
        };
        Some(Ok::<_, Infallible>(Event::default().data(data)))
    });
    let updates = while_allowed(updates, &state, token, |user| {
        may_manage_channels(user.roles()).is_ok()
    });
    Sse::new(updates)
        .keep_alive(KeepAlive::default())
        .into_response()
}
