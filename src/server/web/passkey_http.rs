//! `GET/POST /api/passkey/{token}`: what the Aurora extension on web.whatsapp.com reads
//! (WhatsApp's passkey request) and answers (the assertion), for a signed-in channels
//! admin holding the attempt's one-time token.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::gate::SignInContext;
use super::security::error_response;
use crate::error::AppError;
use crate::server::boot::state::AppState;
use crate::server::services::passkey::{self, MAX_ASSERTION_BYTES};

fn failure(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    error_response(status, &error)
}

pub async fn passkey_request(
    State(state): State<AppState>,
    sign_in: Option<Extension<SignInContext>>,
    Path(token): Path<String>,
) -> Response {
    let Some(user) = sign_in.and_then(|Extension(s)| s.user) else {
        return failure(AppError::Unauthenticated);
    };
    match passkey::request(&state.db, &state.manager, &user, &token).await {
        Ok(options) => ([(header::CONTENT_TYPE, "application/json")], options).into_response(),
        Err(error) => failure(error),
    }
}

pub async fn passkey_answer(
    State(state): State<AppState>,
    sign_in: Option<Extension<SignInContext>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let Some(user) = sign_in.and_then(|Extension(s)| s.user) else {
        return failure(AppError::Unauthenticated);
    };
    if body.len() > MAX_ASSERTION_BYTES {
        let error = AppError::Invalid("The passkey answer is too large".into());
        return error_response(StatusCode::PAYLOAD_TOO_LARGE, &error);
    }
    let Ok(assertion) = std::str::from_utf8(&body) else {
        return failure(AppError::Invalid("The passkey answer is not text".into()));
    };
    match passkey::hand_over(&state.db, &state.manager, &user, &token, assertion).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"handed_over":true}"#,
        )
            .into_response(),
        Err(error) => failure(error),
    }
}
