//! Defences every route inherits: security headers and refusal of cross-site writes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::AppError;
use crate::server::boot::config::PublicUrl;

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    response
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
    if !safe {
        let allowed = match headers.get(header::ORIGIN) {
            Some(origin) => origin.to_str().is_ok_and(|o| match &public {
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
