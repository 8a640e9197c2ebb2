//! Signed-in pages kept rendered. The Channels page and the inbox's list are built from
//! answers that change only with what the session manager announces for the company (a
//! card, a conversation, a read: the same news that keeps an open page right), besides the
//! reader, the address and the language. So the finished page (its HTML, its compressed
//! copies, the policy that allows its scripts) is kept under those, with the company's page
//! generation, and served again without rendering until the generation moves.
//!
//! A page is kept only when every server function it called said its answer may be
//! (`fn_context::respond_keepable`): anything else it reads, a countdown on a card, an error,
//! and the page is rendered every time. Kept pages carry no nonce: their policy allows their
//! inline scripts by hash, so the same bytes can be sent to every request.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use leptos::prelude::use_context;
use sha2::{Digest, Sha256};

use super::gate::SignInContext;
use super::security::{error_response, policy_allowing_scripts, CspNonce};
use crate::error::AppError;
use crate::paths;
use crate::server::boot::state::AppState;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::sessions::manager::PageGeneration;

/// What is announced nowhere (a company's channel limit changed from the command line) is
/// at most this old.
const KEEP_FOR: Duration = Duration::from_secs(60);
/// Past this, kept pages are dropped (first the old ones): about a hundred Channels pages of
/// 50 numbers, with their compressed copies.
const MOST_BYTES: usize = 32 << 20;
/// A larger page is served as rendered and not kept.
const LARGEST_PAGE: usize = 8 << 20;

/// The pages that may be kept: built only from keepable answers.
fn may_keep(path: &str) -> bool {
    path == paths::CHANNELS || path == paths::INBOX
}

/// Whom a page was rendered for: the sign-in as a page may show it, without when it began
/// or was last used (those change between requests; a page shows neither).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Reader(SignedInUser);

impl From<&SignedInUser> for Reader {
    fn from(user: &SignedInUser) -> Self {
        Reader(SignedInUser {
            signed_in_at: 0,
            last_seen_at: 0,
            address: String::new(),
            ..user.clone()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PageKey {
    /// Path and query.
    address: String,
    reader: Reader,
    /// The browser's `Accept-Language`, as sent.
    languages: Option<Vec<u8>>,
    generation: PageGeneration,
}

/// The copies a browser may be sent, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Plain,
}

impl Encoding {
    /// The smallest the request accepts (`Accept-Encoding`, a `q=0` refuses).
    pub fn accepted(headers: &HeaderMap) -> Encoding {
        let accepts = |name: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let coding = parts.next().unwrap_or_default();
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_some_and(|q| q <= 0.0)
                    });
                    coding.eq_ignore_ascii_case(name) && !refused
                })
        };
        if accepts("br") {
            Encoding::Brotli
        } else if accepts("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Plain
        }
    }
}

/// A finished page: compressed copies made the first time one is asked for.
struct KeptPage {
    made: Instant,
    policy: HeaderValue,
    plain: Bytes,
    brotli: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

impl KeptPage {
    fn body(&self, encoding: Encoding) -> (Bytes, Option<&'static str>) {
        match encoding {
            Encoding::Brotli => (
                self.brotli.get_or_init(|| brotli(&self.plain)).clone(),
                Some("br"),
            ),
            Encoding::Gzip => (
                self.gzip.get_or_init(|| gzip(&self.plain)).clone(),
                Some("gzip"),
            ),
            Encoding::Plain => (self.plain.clone(), None),
        }
    }

    fn response(&self, encoding: Encoding, how: &'static str) -> Response {
        let (body, coding) = self.body(encoding);
        let mut response = Response::new(Body::from(body));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CONTENT_SECURITY_POLICY, self.policy.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        // Visible in the browser's network panel, and to tests: kept or rendered now.
        headers.insert("server-timing", HeaderValue::from_static(how));
        if let Some(coding) = coding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    }
}

fn brotli(plain: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(plain.len() / 4);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        let _ = writer.write_all(plain);
    }
    out.into()
}

fn gzip(plain: &[u8]) -> Bytes {
    let mut writer = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 4),
        flate2::Compression::new(6),
    );
    let _ = writer.write_all(plain);
    writer.finish().unwrap_or_default().into()
}

/// The kept pages of this server.
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<(HashMap<PageKey, Arc<KeptPage>>, usize)>,
}

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<PageKey, Arc<KeptPage>>, usize)> {
        self.pages
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &PageKey) -> Option<Arc<KeptPage>> {
        let (pages, _) = &mut *self.lock();
        pages
            .get(key)
            .filter(|page| page.made.elapsed() < KEEP_FOR)
            .cloned()
    }

    fn keep(&self, key: PageKey, page: Arc<KeptPage>) {
        // A page with its compressed copies: about twice its plain size.
        let weight = |kept: &KeptPage| kept.plain.len() * 2;
        let (pages, bytes) = &mut *self.lock();
        *bytes += weight(&page);
        if *bytes > MOST_BYTES {
            pages.retain(|_, kept| kept.made.elapsed() < KEEP_FOR);
            *bytes = pages.values().map(|kept| weight(kept)).sum();
            if *bytes > MOST_BYTES / 2 {
                pages.clear();
                *bytes = 0;
            }
        }
        pages.insert(key, page);
    }
}

/// Marks the page being rendered for this request as one to render again every time: one
/// of its answers may not be kept. Does nothing outside a page that may be kept.
pub fn render_again() {
    if let Some(watch) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RenderWatch>().cloned())
    {
        watch.0.store(true, Ordering::Relaxed);
    }
}

/// Set while a page that may be kept is rendered; true once something it read may not be.
#[derive(Debug, Clone, Default)]
struct RenderWatch(Arc<AtomicBool>);

fn key_for(state: &AppState, request: &Request) -> Option<PageKey> {
    if request.method() != Method::GET || !may_keep(request.uri().path()) {
        return None;
    }
    let user = request.extensions().get::<SignInContext>()?.user.as_ref()?;
    Some(PageKey {
        address: request.uri().path_and_query()?.as_str().to_owned(),
        languages: request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .map(|value| value.as_bytes().to_vec()),
        // Read before the page's data: what is rendered is at least this new.
        generation: state.manager.page_generation(user.company_id),
        reader: Reader::from(user),
    })
}

/// Serves a kept page when there is one for this request, else renders it and keeps it if
/// it may be kept. Sits behind the sign-in gate and in front of compression.
pub async fn keep_pages(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(key) = key_for(&state, &request) else {
        return next.run(request).await;
    };
    let encoding = Encoding::accepted(request.headers());
    if let Some(page) = state.pages.get(&key) {
        return page.response(encoding, "page;desc=kept");
    }
    let nonce = request.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let watch = RenderWatch::default();
    request.extensions_mut().insert(watch.clone());
    // Rendered plain: compressed here, once for every request that gets it.
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if !html {
        return response;
    }
    // A refusal, an error or a renewed session is this request's alone.
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !watch.0.load(Ordering::Relaxed);
    let (parts, body) = response.into_parts();
    let Ok(plain) = axum::body::to_bytes(body, LARGEST_PAGE).await else {
        tracing::error!("a page over {LARGEST_PAGE} bytes");
        return error_response(StatusCode::INTERNAL_SERVER_ERROR, &AppError::Internal);
    };
    let keep = match &nonce {
        Some(nonce) if keepable => {
            let text = String::from_utf8_lossy(&plain);
            let (page, scripts) = without_nonce(&text, nonce);
            HeaderValue::from_str(&policy_allowing_scripts(&scripts.join(" ")))
                .ok()
                .map(|policy| (Bytes::from(page), policy))
        }
        _ => None,
    };
    match keep {
        Some((plain, policy)) => {
            let page = Arc::new(KeptPage {
                made: Instant::now(),
                policy,
                plain,
                brotli: OnceLock::new(),
                gzip: OnceLock::new(),
            });
            let response = page.response(encoding, "page;desc=rendered");
            state.pages.keep(key, page);
            response
        }
        // Rendered for this request only, under its nonce.
        None => {
            let mut response = Response::from_parts(parts, Body::empty());
            let (body, coding) = match encoding {
                Encoding::Brotli => (brotli(&plain), Some("br")),
                Encoding::Gzip => (gzip(&plain), Some("gzip")),
                Encoding::Plain => (plain, None),
            };
            let headers = response.headers_mut();
            headers.remove(header::CONTENT_LENGTH);
            headers.insert(
                "server-timing",
                HeaderValue::from_static("page;desc=rendered-only"),
            );
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            if let Some(coding) = coding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            *response.body_mut() = Body::from(body);
            response
        }
    }
}

/// The page without its nonce, and the policy sources (`'sha256-…'`) of its inline scripts,
/// each hashed as the browser will: the exact text between the tags.
pub fn without_nonce(html: &str, nonce: &str) -> (String, Vec<String>) {
    let page = html.replace(&format!(" nonce=\"{nonce}\""), "");
    let mut scripts = Vec::new();
    let mut rest = page.as_str();
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let Some(close) = rest[open_end..].find("</script>") else {
            break;
        };
        let text = &rest[open_end + 1..open_end + close];
        if !tag.contains(" src=") {
            let digest = Sha256::digest(text.as_bytes());
            let source = format!("'sha256-{}'", STANDARD.encode(digest));
            if !scripts.contains(&source) {
                scripts.push(source);
            }
        }
        rest = &rest[open_end + close..];
    }
    (page, scripts)
}

#[cfg(test)]
mod tests;
