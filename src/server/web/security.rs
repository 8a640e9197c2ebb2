//! Defences every route inherits: security headers and refusal of cross-site writes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use crate::error::AppError;
use crate::paths;
use crate::server::boot::config::PublicUrl;

/// This response's script nonce: the page shell puts it on the scripts Leptos writes
/// (hydration, serialized data), and the policy allows only scripts carrying it.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Scripts only from this origin or carrying the response's nonce, WebAssembly compiled
/// from them ('wasm-unsafe-eval' is what the module loader needs), nothing else inline.
pub fn content_security_policy(nonce: &str) -> String {
    policy_allowing_scripts(&format!("'nonce-{nonce}'"))
}

/// The same policy, with inline scripts allowed by `sources` (a nonce, or hashes of a kept
/// page's scripts: `web::page_cache`).
pub fn policy_allowing_scripts(sources: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {sources}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let bundle_file = request.uri().path().starts_with(paths::PKG);
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A script, WASM part or stylesheet runs under its page's policy: a policy or referrer
    // rule of its own would change nothing, and a page loads a few dozen of them.
    if bundle_file {
        return response;
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // A page that needs another policy (the simulator's) sets its own.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    response
}

/// A browser extension's own pages (Chromium's and Firefox's).
pub fn is_extension_origin(origin: &str) -> bool {
    ["chrome-extension://", "moz-extension://"]
        .iter()
        .any(|scheme| {
            origin
                .strip_prefix(scheme)
                .is_some_and(|id| !id.is_empty() && !id.contains('/'))
        })
}

/// True when `origin` (e.g. `http://127.0.0.1:3000`) names the host the request was sent to.
pub fn is_same_origin(origin: &str, host: &str) -> bool {
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .map(|rest| rest.trim_end_matches('/'));
    matches!(authority, Some(a) if !a.is_empty() && a.eq_ignore_ascii_case(host.trim()))
}

/// A JSON-encoded `AppError` response, decodable by server-function clients.
/// `error_response` with the error's own status (401, 403, 404, 422…).
pub fn app_error_response(error: &AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_response(status, error)
}

pub fn error_response(status: StatusCode, error: &AppError) -> Response {
    let body = serde_json::to_vec(error).unwrap_or_default();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// With `AURORA_PUBLIC_URL` set: a request for any other host (a DNS-rebinding page, a
/// stray name) is refused with 421, and a state-changing request must come from exactly
/// that origin. Without it, the Origin is compared with the request's own Host.
/// Refuses any state-changing request that a page on another site made the browser send.
pub async fn same_origin_only(
    State(public): State<Option<PublicUrl>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if let Some(public) = &public {
        if !host.trim().eq_ignore_ascii_case(&public.host) {
            tracing::warn!(host, "refused a request for another host");
            let error = AppError::Forbidden(format!("This server answers at {}", public.origin));
            return error_response(StatusCode::MISDIRECTED_REQUEST, &error);
        }
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // The passkey hand-off is answered by the Aurora extension, whose requests carry its
    // own origin; no web page has such an origin, and the hand-off also needs its token.
    let from_extension = request.uri().path().starts_with(paths::PASSKEY_PREFIX);
    if !safe {
        let allowed = match headers.get(header::ORIGIN) {
            Some(origin) => origin.to_str().is_ok_and(|o| match &public {
                _ if from_extension && is_extension_origin(o) => true,
                Some(public) => o.trim_end_matches('/').eq_ignore_ascii_case(&public.origin),
                None => is_same_origin(o, host),
            }),
            // Without Origin (old browsers, curl), fall back on Fetch Metadata when present.
            None => headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok())
                .is_none_or(|site| site == "same-origin" || site == "none"),
        };
        if !allowed {
            tracing::warn!(
                host,
                "refused a cross-site {} to {}",
                request.method(),
                request.uri().path()
            );
            let error = AppError::Forbidden("Cross-site requests are not allowed".into());
            return error_response(StatusCode::FORBIDDEN, &error);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::is_same_origin;

    #[test]
    fn only_an_extension_s_own_origin_counts_as_one() {
        use super::is_extension_origin;
        assert!(is_extension_origin("chrome-extension://abcdefghijklmnop"));
        assert!(is_extension_origin("moz-extension://0f1e2d3c"));
        assert!(!is_extension_origin("chrome-extension://"));
        assert!(!is_extension_origin("https://chrome-extension.example"));
        assert!(!is_extension_origin("chrome-extension://abc/../evil"));
    }

    #[test]
    fn same_origin_compares_host_and_port() {
        assert!(is_same_origin("http://127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(is_same_origin("https://Aurora.example", "aurora.example"));
        assert!(!is_same_origin("http://127.0.0.1:3001", "127.0.0.1:3000"));
        assert!(!is_same_origin("https://evil.example", "aurora.example"));
        assert!(!is_same_origin(
            "https://aurora.example.evil.example",
            "aurora.example"
        ));
        assert!(!is_same_origin("null", "aurora.example"));
        assert!(!is_same_origin("http://", ""));
    }
}
