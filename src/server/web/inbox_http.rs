//! The inbox's HTTP endpoints beside its server functions: media downloads (only for
//! users who may see the conversation; a history file is fetched from WhatsApp first) and the live stream of conversation changes.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::gate::SignInContext;
use super::security::{app_error_response, error_response};
use super::stream_guard::while_allowed;
use crate::domain::access::may_use_inbox;
use crate::error::AppError;
use crate::server::boot::state::AppState;
use crate::server::db::inbox;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::media::MediaStore;
use crate::server::services::inbox::inline_image;
use crate::server::services::media;

// The error is the answer itself (an axum Response); boxing it buys nothing here.
#[allow(clippy::result_large_err)]
fn inbox_user(sign_in: Option<Extension<SignInContext>>) -> Result<SignedInUser, Response> {
    let user = sign_in
        .and_then(|Extension(s)| s.user)
        .ok_or_else(|| error_response(StatusCode::UNAUTHORIZED, &AppError::Unauthenticated))?;
    may_use_inbox(user.roles())
        .map_err(|denied| error_response(StatusCode::FORBIDDEN, &AppError::from(denied)))?;
    Ok(user)
}

/// `Content-Disposition` with the file's own name, safe for the header.
fn disposition(inline: bool, filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `type/subtype` in lower case when `raw` is one (parameters dropped), else `None`.
fn document_type(raw: &str) -> Option<String> {
    let essence = raw.split(';').next()?.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    let (kind, subtype) = essence.split_once('/')?;
    (token(kind) && token(subtype)).then_some(essence)
}

pub async fn media_file(
    State(state): State<AppState>,
    sign_in: Option<Extension<SignInContext>>,
    Path(id): Path<i64>,
) -> Response {
    let user = match inbox_user(sign_in) {
        Ok(user) => user,
        Err(response) => return response,
    };
    let store = MediaStore::new(state.config.media_dir.clone());
    let row = match media::open(&state.db, &state.manager, &store, user.viewer(), id).await {
        Ok(row) => row,
        Err(e) => return app_error_response(&e),
    };
    let bytes = match store.resolve(&row.path) {
        Some(path) => tokio::fs::read(path).await,
        None => Err(std::io::Error::other("outside the media folder")),
    };
    let Ok(bytes) = bytes else {
        return error_response(StatusCode::NOT_FOUND, &AppError::NotFound);
    };
    let inline = inline_image(&row.content_type);
    // The sender chose the type: only raster images are shown; anything else is a download
    // (`attachment`, and `nosniff` on every response), named with its own type when that is
    // a plain `type/subtype`.
    let stated = document_type(&row.content_type);
    let content_type = stated.as_deref().unwrap_or("application/octet-stream");
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        disposition(inline, &row.filename),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    response
}

/// One line per change of a conversation the user may see: `{"conversation_id": N}`,
/// or `{"resync": true}` after missed changes. Pages refetch what they show.
pub async fn inbox_events(
    State(state): State<AppState>,
    sign_in: Option<Extension<SignInContext>>,
) -> Response {
    let token = sign_in.as_ref().and_then(|Extension(s)| s.token.clone());
    let user = match inbox_user(sign_in) {
        Ok(user) => user,
        Err(response) => return response,
    };
    let viewer = user.viewer();
    let db = state.db.clone();
    let changes =
        BroadcastStream::new(state.manager.subscribe_conversations()).filter_map(move |item| {
            let db = db.clone();
            async move {
                let data = match item {
                    Ok(change) if change.company_id == viewer.company_id => {
                        // The rule is checked for every change: a restriction added while the
                        // page is open takes effect at once.
                        match inbox::may_see_account(&db, viewer, change.account_id).await {
                            Ok(true) => {
                                serde_json::json!({ "conversation_id": change.conversation_id })
                            }
                            _ => return None,
                        }
                    }
                    Ok(_) => return None,
                    Err(_) => serde_json::json!({ "resync": true }),
                };
                Some(Ok::<_, Infallible>(Event::default().data(data.to_string())))
            }
        });
    let changes = while_allowed(changes, &state, token, |user| {
        may_use_inbox(user.roles()).is_ok()
    });
    Sse::new(changes)
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::document_type;

    #[test]
    fn a_documents_type_is_kept_only_when_it_is_a_plain_type() {
        assert_eq!(
            document_type("application/PDF").as_deref(),
            Some("application/pdf")
        );
        assert_eq!(
            document_type("text/plain; charset=utf-8").as_deref(),
            Some("text/plain")
        );
        for junk in [
            "",
            "pdf",
            "text/html\r\nX: y",
            "a/b/c",
            "/x",
            "application/",
        ] {
            assert_eq!(document_type(junk), None, "{junk:?}");
        }
    }
}
