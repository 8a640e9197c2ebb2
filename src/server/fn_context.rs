//! What a server function may ask of the request it is serving.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Extension;
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::db::sessions::SessionUser;
use super::gate::SessionContext;
use super::state::AppState;
use crate::domain::access::{may_manage_channels, may_use_inbox};
use crate::error::AppError;

pub fn app_state() -> AppState {
    expect_context::<AppState>()
}

pub async fn session() -> SessionContext {
    leptos_axum::extract::<Extension<SessionContext>>()
        .await
        .map(|e| e.0)
        .unwrap_or_default()
}

pub async fn require_user() -> Result<SessionUser, AppError> {
    session().await.user.ok_or(AppError::Unauthenticated)
}

/// The client's address; "unknown" when the server was not started with connection info.
pub async fn client_address() -> String {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

pub fn set_cookie(value: HeaderValue) {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.append_header(header::SET_COOKIE, value);
    }
}

/// Gives the HTTP response the status that matches the error, so clients and logs see
/// 401/403/404/409/422/429 rather than a generic 500.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let (Some(options), Ok(status)) = (
            use_context::<ResponseOptions>(),
            StatusCode::from_u16(error.status_code()),
        ) {
            options.set_status(status);
        }
    }
    result
}

/// Signed in, Channels Admin, and the company's subscription is active.
pub async fn require_channels_admin() -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    may_manage_channels(user.roles()).map_err(|message| AppError::Forbidden(message.into()))?;
    Ok(user)
}

/// Signed in, and the company's subscription is active.
pub async fn require_inbox_user() -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    may_use_inbox(user.roles()).map_err(|message| AppError::Forbidden(message.into()))?;
    Ok(user)
}
