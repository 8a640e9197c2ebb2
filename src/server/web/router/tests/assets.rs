//! The bundle goes out precompressed and, under a hashed name, is kept by the browser for
//! good; pages are asked for again each time and compressed on the fly, but never the live
//! streams.

use super::*;

const HASHED: &str = "aurora.Zp3dT1cO5bAqk0P9xYw2_A.wasm";

/// A site root holding one hashed bundle file with its brotli and gzip copies (their
/// contents tell which one was served), and the unhashed stylesheet.
fn site_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!(
        "aurora-assets-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(HASHED), vec![b'w'; 4096]).unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.br")), b"brotli copy").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.gz")), b"gzip copy").unwrap();
    std::fs::write(pkg.join("aurora.css"), "body { color: black }").unwrap();
    root
}

fn app_at(db: Db, root: &std::path::Path) -> Router {
    let root = root.to_string_lossy().to_string();
    let config =
        Config::from_lookup(|key| (key == "LEPTOS_SITE_ROOT").then(|| root.clone())).unwrap();
    router(AppState::new(leptos_options(&config), db, config))
}

fn accepting(mut request: Request<Body>, encodings: &str) -> Request<Body> {
    request.headers_mut().insert(
        header::ACCEPT_ENCODING,
        header::HeaderValue::from_str(encodings).unwrap(),
    );
    request
}

fn header_of(response: &Response<Body>, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_hashed_bundle_file_goes_out_precompressed_and_is_kept_for_good() {
    with_db(|db| async move {
        seed_if_empty(&db).await.unwrap();
        let root = site_root();
        let app = app_at(db, &root);
        let path = format!("/pkg/{HASHED}");
        for (accepts, encoding, body) in [
            ("gzip, deflate, br, zstd", "br", "brotli copy".to_string()),
            ("gzip", "gzip", "gzip copy".to_string()),
            ("identity", "", "w".repeat(4096)),
        ] {
            let response = send(&app, accepting(get(&path, None), accepts)).await;
            assert_eq!(response.status(), StatusCode::OK, "{accepts}");
            assert_eq!(
                header_of(&response, header::CONTENT_ENCODING),
                encoding,
                "{accepts}"
            );
            assert_eq!(
                header_of(&response, header::CACHE_CONTROL),
                "public, max-age=31536000, immutable"
            );
            assert!(header_of(&response, header::VARY).contains("accept-encoding"));
            assert_eq!(
                header_of(&response, header::CONTENT_TYPE),
                "application/wasm"
            );
            // Only what the browser uses: it runs under its page's policy, is never
            // revalidated, and a page loads dozens of parts.
            assert_eq!(
                header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
                "nosniff"
            );
            for unused in [
                header::CONTENT_SECURITY_POLICY,
                header::REFERRER_POLICY,
                header::LAST_MODIFIED,
                header::ACCEPT_RANGES,
            ] {
                assert!(
                    !response.headers().contains_key(&unused),
                    "{unused} on {path}"
                );
            }
            assert_eq!(body_text(response).await, body, "{accepts}");
        }
        // A name without a hash could change under the same address: asked for again.
        let css = send(&app, get("/pkg/aurora.css", None)).await;
        assert_eq!(css.status(), StatusCode::OK);
        assert_eq!(header_of(&css, header::CACHE_CONTROL), "no-cache");
        let missing = send(&app, get("/pkg/aurora.AAAAAAAAAAAAAAAAAAAAAA.wasm", None)).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_ne!(
            header_of(&missing, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        std::fs::remove_dir_all(root).unwrap();
    })
    .await;
}

#[tokio::test]
async fn pages_are_compressed_and_asked_for_again_but_live_streams_are_not_compressed() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let page = send(&app, accepting(get("/login", None), "gzip, br")).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(header_of(&page, header::CONTENT_ENCODING), "br");
        assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
        assert!(header_of(&page, header::VARY).contains("accept-encoding"));
        // Without the header, the same page in plain text.
        let plain = send(&app, get("/login", None)).await;
        assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
        assert!(body_text(plain).await.contains("<html"));

        let ana = sign_in(&app, "ana@demo.test").await;
        for stream in [paths::CHANNEL_EVENTS, paths::INBOX_EVENTS] {
            let events = send(&app, accepting(get(stream, Some(&ana)), "gzip, br")).await;
            assert_eq!(events.status(), StatusCode::OK, "{stream}");
            assert!(header_of(&events, header::CONTENT_TYPE).starts_with("text/event-stream"));
            assert_eq!(header_of(&events, header::CONTENT_ENCODING), "", "{stream}");
        }
    })
    .await;
}
