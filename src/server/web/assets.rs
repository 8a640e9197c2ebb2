//! How the browser bundle and the pages are served so that a first visit is small and a
//! second one is nearly free. The build names each bundle file after its content
//! (cargo-leptos `hash-files`) and writes brotli and gzip copies beside it
//! (`--precompress`): a browser gets the smallest copy it accepts and keeps it for good,
//! since a new release has new names. Pages are asked for again every time (`no-cache`),
//! so a release never leaves a browser on a stale bundle. Everything else the server
//! writes is compressed as it goes, except the live event streams, which must reach the
//! page event by event.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Response, StatusCode, Version};
use axum::middleware::Next;
use axum::Router;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::services::ServeDir;

use crate::paths;

/// What cargo-leptos writes beside the server binary when it hashes the bundle's names.
const HASH_FILE: &str = "hash.txt";

/// A bundle file a browser may keep for good: its name carries the content hash.
const FOR_GOOD: &str = "public, max-age=31536000, immutable";
/// Use it only after asking whether it changed.
const ASK_FIRST: &str = "no-cache";

fn hash_file() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(HASH_FILE))
}

/// The bundle's file names in `/pkg/` for this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleNames {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// The loader of the lazily fetched parts of the WASM (`#[lazy]`, `#[lazy_route]`).
    pub split_js: String,
    /// Which lazy parts each lazy function needs, so a page can preload its own.
    pub split_manifest: String,
}

/// This build's bundle names, read from `hash.txt` once per process: every page links them,
/// and a release is a new process (Leptos's own components read the file on every page).
pub fn bundle_names() -> &'static BundleNames {
    static NAMES: OnceLock<BundleNames> = OnceLock::new();
    NAMES.get_or_init(|| {
        let hashes = hash_file()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        names_for(OUTPUT_NAME, &hashes)
    })
}

/// What cargo-leptos calls the bundle (`output-name`).
pub const OUTPUT_NAME: &str = "aurora";

/// `js: <hash>` lines as cargo-leptos writes them; a file without a line keeps its plain name.
pub fn names_for(output_name: &str, hashes: &str) -> BundleNames {
    let hash = |kind: &str| {
        hashes.lines().find_map(|line| {
            let (file, hash) = line.split_once(':')?;
            (file.trim() == kind && !hash.trim().is_empty()).then(|| hash.trim())
        })
    };
    let name = |stem: &str, kind: &str, extension: &str| match hash(kind) {
        Some(hash) => format!("{stem}.{hash}.{extension}"),
        None => format!("{stem}.{extension}"),
    };
    BundleNames {
        js: name(output_name, "js", "js"),
        wasm: name(output_name, "wasm", "wasm"),
        css: name(output_name, "css", "css"),
        // cargo-leptos's own names for the split's files, whatever the output name.
        split_js: match hash("split") {
            Some(hash) => format!("__wasm_split.{hash}.js"),
            None => "__wasm_split.______________________.js".to_string(),
        },
        split_manifest: name("__wasm_split_manifest", "manifest", "json"),
    }
}

/// Which lazy parts of the WASM (by file stem) each lazy function needs; the shell keeps
/// what it reads for the life of the process.
pub fn read_split_manifest(site_root: &str) -> HashMap<String, Vec<String>> {
    let path = PathBuf::from(site_root)
        .join(paths::PKG.trim_matches('/'))
        .join(&bundle_names().split_manifest);
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// `/pkg/…`: the precompressed copy the browser accepts, with how long it may keep it.
pub fn bundle_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let files = ServeDir::new(PathBuf::from(site_root).join(paths::PKG.trim_matches('/')))
        .precompressed_br()
        .precompressed_gzip();
    Router::new().nest_service(paths::PKG.trim_end_matches('/'), files)
}

/// Caching for every response: hashed bundle files for good, pages and anything else of
/// the bundle only after asking. The address decides, since a hashed name is only ever
/// served with the content it names.
pub async fn cache_policy(request: Request, next: Next) -> Response<Body> {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let success = response.status().is_success();
    let headers = response.headers_mut();
    let policy = match path.strip_prefix(paths::PKG) {
        Some(file) => {
            // The same address answers in brotli, gzip or plain: caches keep them apart.
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            match is_hashed_name(file) && success {
                true => FOR_GOOD,
                false => ASK_FIRST,
            }
        }
        None if is_html(headers) => ASK_FIRST,
        None => return response,
    };
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // Kept for good is never asked about again, nor fetched in ranges: these would be bytes
    // on every part of the bundle for nothing.
    if policy == FOR_GOOD {
        headers.remove(header::LAST_MODIFIED);
        headers.remove(header::ACCEPT_RANGES);
    }
    response
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

fn is_html(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("text/html")
}

/// Pages, server functions' answers and the bundle when no precompressed copy fits: text
/// that shrinks. Not the live streams (each event must reach the page at once), and not
/// media files, which are compressed already.
pub fn worth_compressing() -> impl Predicate {
    SizeAbove::new(256).and(
        |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
            let kind = content_type(headers);
            let text = kind.starts_with("text/") && !kind.starts_with("text/event-stream");
            text || [
                "application/json",
                "application/javascript",
                "application/wasm",
                "image/svg+xml",
            ]
            .iter()
            .any(|shrinks| kind.starts_with(shrinks))
        },
    )
}

/// `aurora.<22 characters of base64url MD5>.wasm`, as cargo-leptos names a hashed file.
pub fn is_hashed_name(file: &str) -> bool {
    let mut parts = file.rsplit('.');
    let (Some(_extension), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && !file.contains('/')
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_that_carry_a_content_hash_are_kept_for_good() {
        assert!(is_hashed_name("aurora.Zp3dT1cO5bAqk0P9xYw2_A.wasm"));
        assert!(is_hashed_name("aurora.Zp3dT1cO5bAqk0P9xYw2-A.js"));
        assert!(!is_hashed_name("aurora.wasm"));
        assert!(!is_hashed_name("aurora.css"));
        assert!(!is_hashed_name("aurora.short.js"));
        assert!(!is_hashed_name(
            "snippets/leptos-1/inline0.Zp3dT1cO5bAqk0P9xYw2_A.js"
        ));
        assert!(!is_hashed_name(".Zp3dT1cO5bAqk0P9xYw2_A.js"));
    }

    #[test]
    fn bundle_names_come_from_the_hash_file() {
        let hashed = names_for(
            "aurora",
            "js: -BH5_yQXqrqSCjkajGKTfQ\nwasm: ohSI_oRI97EzJ-JctpEXAw\ncss: VN61TrJQPO0tj2r2PgG6-A\n",
        );
        assert_eq!(hashed.js, "aurora.-BH5_yQXqrqSCjkajGKTfQ.js");
        assert_eq!(hashed.wasm, "aurora.ohSI_oRI97EzJ-JctpEXAw.wasm");
        assert_eq!(hashed.css, "aurora.VN61TrJQPO0tj2r2PgG6-A.css");
        assert_eq!(hashed.split_js, "__wasm_split.______________________.js");
        let split = names_for(
            "aurora",
            "split: 4LQjgs1nUOoVoSLGQdW5Gg\nmanifest: ab_cdefghijklmnopqrstu\n",
        );
        assert_eq!(split.split_js, "__wasm_split.4LQjgs1nUOoVoSLGQdW5Gg.js");
        assert_eq!(
            split.split_manifest,
            "__wasm_split_manifest.ab_cdefghijklmnopqrstu.json"
        );
        assert!(is_hashed_name(&split.split_js) && is_hashed_name(&split.split_manifest));
        assert!(is_hashed_name(&hashed.wasm));
        let plain = names_for("aurora", "");
        assert_eq!(
            (plain.js.as_str(), plain.wasm.as_str(), plain.css.as_str()),
            ("aurora.js", "aurora.wasm", "aurora.css")
        );
    }
}
