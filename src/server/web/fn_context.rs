//! What a server function may ask of the request it is serving.

use std::future::Future;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::gate::SignInContext;
use super::page_cache;
use super::security::error_response;
use crate::domain::access::{
    may_manage_channels, may_manage_webhooks, may_read_audit_log, may_use_inbox,
};
use crate::error::AppError;
use crate::i18n::refusals::in_locale;
use crate::paths;
use crate::server::boot::state::AppState;
use crate::server::db::sign_ins::SignedInUser;

pub fn app_state() -> AppState {
    expect_context::<AppState>()
}

pub async fn current_sign_in() -> SignInContext {
    leptos_axum::extract::<Extension<SignInContext>>()
        .await
        .map(|e| e.0)
        .unwrap_or_default()
}

pub async fn require_user() -> Result<SignedInUser, AppError> {
    current_sign_in()
        .await
        .user
        .ok_or(AppError::Unauthenticated)
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
/// 401/403/404/409/422/429 rather than a generic 500. A page that called it is rendered
/// afresh every time (`page_cache`): only answers declared keepable may be shown again.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    respond_keepable(result, false)
}

/// `respond`, for an answer that depends only on the signed-in user, the request's address
/// and language, and what the session manager announces for the company (`keep`): a page
/// built from such answers may be kept rendered and served again until the next change.
pub fn respond_keepable<T>(result: Result<T, AppError>, keep: bool) -> Result<T, AppError> {
    if !keep || result.is_err() {
        page_cache::render_again();
    }
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

/// Runs a service for the request being served: its refusals are worded in the request's
/// language (`i18n::refusals`), and the response gets the error's status.
pub async fn answer<T>(work: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    respond(in_locale(crate::i18n::page_locale(), work).await)
}

/// An error raised before a server function runs (arguments that don't decode, one
/// missing) leaves the library as a 500; it is the client's mistake, so it is answered
/// with its own status (422) here. Every other answer passes untouched.
pub async fn decode_errors_status(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with(paths::API);
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(error @ AppError::Invalid(_)) => {
            error_response(StatusCode::UNPROCESSABLE_ENTITY, &error)
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// Signed in, Channels Admin, and the company's subscription is active.
pub async fn require_channels_admin() -> Result<SignedInUser, AppError> {
    let user = require_user().await?;
    may_manage_channels(user.roles())?;
    Ok(user)
}

/// Signed in, and the company's subscription is active.
pub async fn require_inbox_user() -> Result<SignedInUser, AppError> {
    let user = require_user().await?;
    may_use_inbox(user.roles())?;
    Ok(user)
}

/// Who may call a server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Signed in, Channels Admin, and the company's subscription is active.
    ChannelsAdmin,
    /// Signed in, and the company's subscription is active.
    InboxUser,
    /// Signed in as a Global Admin (the audit log).
    GlobalAdmin,
    /// Signed in as a Global Admin (webhooks; refused with their own words).
    WebhooksAdmin,
}

/// The body of a server function: checks that the caller has `role` (401 without a
/// sign-in, 403 without the role), runs `call` with the signed-in user and the state, and
/// gives the response the status of the error.
pub async fn serve<T, F, Fut>(role: Role, call: F) -> Result<T, AppError>
where
    F: FnOnce(SignedInUser, AppState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    serve_page(role, call, |_| false).await
}

/// `serve`, for the data a page is rendered from: when `keepable` holds for the answer, it
/// changes only with what the session manager announces for the company, and the page
/// built from it may be kept rendered (`respond_keepable`).
pub async fn serve_page<T, F, Fut>(
    role: Role,
    call: F,
    keepable: fn(&T) -> bool,
) -> Result<T, AppError>
where
    F: FnOnce(SignedInUser, AppState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let outcome = async {
        let user = match role {
            Role::ChannelsAdmin => require_channels_admin().await?,
            Role::InboxUser => require_inbox_user().await?,
            Role::GlobalAdmin => {
                let user = require_user().await?;
                may_read_audit_log(user.roles())?;
                user
            }
            Role::WebhooksAdmin => {
                let user = require_user().await?;
                may_manage_webhooks(user.roles())?;
                user
            }
        };
        call(user, app_state()).await
    };
    let result = in_locale(crate::i18n::page_locale(), outcome).await;
    let keep = result.as_ref().is_ok_and(keepable);
    respond_keepable(result, keep)
}
