//! Who is asking, and may they come in: resolves the sign-in cookie on every request,
//! sends anonymous visitors to /login (pages) or answers 401 (server functions), and
//! routes a fresh install to /setup.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::security::error_response;
use crate::domain::access::home_page;
use crate::error::AppError;
use crate::paths;
use crate::server::boot::state::AppState;
use crate::server::db::now_ms;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::services::identity::{resume_and_renew, IDLE_TIMEOUT_MS};

pub const SIGN_IN_COOKIE: &str = "aurora_session";
/// Behind HTTPS: the `__Host-` prefix makes browsers refuse the cookie unless it is
/// `Secure`, for `Path=/` and without `Domain`, so no subdomain can plant or read it.
pub const SECURE_SIGN_IN_COOKIE: &str = "__Host-aurora_session";

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SIGN_IN_COOKIE
    } else {
        SIGN_IN_COOKIE
    }
}

/// The request's sign-in, placed in its extensions for server functions to read.
#[derive(Debug, Clone, Default)]
pub struct SignInContext {
    pub user: Option<SignedInUser>,
    pub token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Built files and public assets: served to anyone, no sign-in lookup.
    Asset,
    /// Server functions that work without a sign-in (the login form, first-run set-up).
    PublicApi,
    Api,
    Login,
    Setup,
    Root,
    Page,
}

pub fn classify(path: &str) -> Area {
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    match path {
        paths::ROOT => Area::Root,
        paths::LOGIN => Area::Login,
        paths::SETUP => Area::Setup,
        paths::API_LOGIN | paths::API_SETUP => Area::PublicApi,
        _ if path.starts_with(paths::API) => Area::Api,
        // The fake WhatsApp network: mounted only in simulator mode, and not ours to guard.
        paths::SIMULATOR => Area::Asset,
        _ if path
            .strip_prefix(paths::SIMULATOR)
            .is_some_and(|rest| rest.starts_with('/')) =>
        {
            Area::Asset
        }
        _ if path.starts_with(paths::PKG) || last_segment.contains('.') => Area::Asset,
        _ => Area::Page,
    }
}

/// Where a signed-in user starts: channels admins on the Channels page, everyone else
/// in the inbox.
pub fn home(user: Option<&SignedInUser>) -> &'static str {
    home_page(user.is_some_and(|user| user.channels_admin))
}

pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The cookie of a new sign-in.
pub fn sign_in_cookie(token: &str, secure: bool) -> HeaderValue {
    cookie(token, secure, IDLE_TIMEOUT_MS)
}

/// The cookie again, for `lifetime_ms` more: renewed as the sign-in is used.
pub fn renewed_sign_in_cookie(token: &str, secure: bool, lifetime_ms: i64) -> HeaderValue {
    cookie(token, secure, lifetime_ms)
}

pub fn cleared_sign_in_cookie(secure: bool) -> HeaderValue {
    cookie("", secure, 0)
}

fn cookie(token: &str, secure: bool, lifetime_ms: i64) -> HeaderValue {
    let name = cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    let max_age = lifetime_ms.max(0) / 1000;
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{flag}"
    ))
    .expect("hex token is a valid header value")
}

fn server_error(context: &str, error: sqlx::Error) -> Response {
    tracing::error!("{context}: {error}");
    error_response(StatusCode::INTERNAL_SERVER_ERROR, &AppError::Internal)
}

pub async fn sign_in_gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let area = classify(request.uri().path());
    if area == Area::Asset {
        return next.run(request).await;
    }
    let company_exists = match state.company_exists().await {
        Ok(exists) => exists,
        Err(e) => return server_error("check first-run state", e),
    };
    match (area, company_exists) {
        (Area::Setup, true) => return (StatusCode::NOT_FOUND, "Not found").into_response(),
        (Area::Setup | Area::PublicApi, false) => return next.run(request).await,
        (Area::Api, false) => {
            return error_response(StatusCode::UNAUTHORIZED, &AppError::Unauthenticated)
        }
        (_, false) => return Redirect::to(paths::SETUP).into_response(),
        _ => {}
    }

    let secure = state.config.cookie_secure;
    let token = read_cookie(request.headers(), cookie_name(secure)).map(str::to_owned);
    let (user, renew_for) = match &token {
        Some(token) => match resume_and_renew(&state.db, token, now_ms()).await {
            Ok(Some((user, renew_for))) => (Some(user), renew_for),
            Ok(None) => (None, None),
            Err(e) => return server_error("resume sign-in", e),
        },
        None => (None, None),
    };
    let stale_cookie = token.is_some() && user.is_none();
    let early = match (area, user.is_some()) {
        (Area::Api, false) => Some(error_response(
            StatusCode::UNAUTHORIZED,
            &AppError::Unauthenticated,
        )),
        (Area::Page | Area::Root, false) => Some(Redirect::to(paths::LOGIN).into_response()),
        (Area::Login | Area::Root, true) => Some(Redirect::to(home(user.as_ref())).into_response()),
        _ => None,
    };
    let mut response = match early {
        Some(response) => response,
        None => {
            let address = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip().to_string());
            let user = user.map(|user| SignedInUser {
                address: address.unwrap_or_default(),
                ..user
            });
            request.extensions_mut().insert(SignInContext {
                user,
                token: token.clone(),
            });
            next.run(request).await
        }
    };
    // Only page loads clear a stale cookie. A request already in flight when the sign-in
    // was rotated (a live stream reconnecting just after signing in again) carries the old
    // id; clearing it then would delete the new cookie the browser just received.
    if stale_cookie && matches!(area, Area::Page | Area::Root | Area::Login) {
        let clear = cleared_sign_in_cookie(secure);
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    // Renewed at most once a minute, never past the sign-in's absolute lifetime. A sign-out
    // or a new sign-in in this response sets its own cookie, which stands.
    if let (Some(token), Some(lifetime_ms)) = (&token, renew_for) {
        if !response.headers().contains_key(header::SET_COOKIE) {
            let renewed = renewed_sign_in_cookie(token, secure, lifetime_ms);
            response.headers_mut().append(header::SET_COOKIE, renewed);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_classified() {
        assert_eq!(classify("/"), Area::Root);
        assert_eq!(classify("/login"), Area::Login);
        assert_eq!(classify("/setup"), Area::Setup);
        assert_eq!(classify("/api/login"), Area::PublicApi);
        assert_eq!(classify("/api/logout"), Area::Api);
        assert_eq!(classify("/api/whatever123"), Area::Api);
        assert_eq!(classify("/pkg/aurora.wasm"), Area::Asset);
        assert_eq!(classify("/favicon.svg"), Area::Asset);
        assert_eq!(classify("/simulator/api/scan"), Area::Asset);
        assert_eq!(
            classify("/settings/company/channels/whatsapp-web"),
            Area::Page
        );
        assert_eq!(
            classify("/api/../settings"),
            Area::Api,
            "no path tricks out of the api area"
        );
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; aurora_session=abc; b=2"),
        );
        assert_eq!(read_cookie(&headers, SIGN_IN_COOKIE), Some("abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("aurora_session="));
        assert_eq!(read_cookie(&headers, SIGN_IN_COOKIE), None);
    }

    #[test]
    fn sign_in_cookie_is_http_only_and_lax() {
        let cookie = sign_in_cookie("abc", false);
        let text = cookie.to_str().unwrap();
        assert!(text.starts_with("aurora_session=abc;"));
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax") && !text.contains("Secure")
        );
        let secure = sign_in_cookie("abc", true);
        let secure = secure.to_str().unwrap();
        assert!(
            secure.starts_with("__Host-aurora_session=abc; Path=/;"),
            "{secure}"
        );
        assert!(secure.ends_with("; Secure") && !secure.contains("Domain"));
        assert!(renewed_sign_in_cookie("abc", false, 3_600_000)
            .to_str()
            .unwrap()
            .contains("Max-Age=3600"));
        assert!(cleared_sign_in_cookie(false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }
}
