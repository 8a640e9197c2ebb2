use super::*;

#[test]
fn a_kept_page_loses_its_nonce_and_its_inline_scripts_are_allowed_by_hash() {
    let html = concat!(
        r#"<head><script type="module" nonce="N0nce">import("/pkg/a.js")</script>"#,
        r#"<script src="/pkg/b.js" nonce="N0nce"></script></head>"#,
        r#"<body><p>nonce="N0nce" said someone</p><script nonce="N0nce">window.x=1</script>"#,
        r#"<script nonce="N0nce">window.x=1</script></body>"#,
    );
    let (page, scripts) = without_nonce(html, "N0nce");
    assert!(!page.contains(r#" nonce="N0nce""#), "{page}");
    assert!(
        page.contains(r#"<p>nonce="N0nce" said someone</p>"#),
        "only attributes go"
    );
    let hash = |text: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(text)));
    assert_eq!(
        scripts,
        vec![hash(r#"import("/pkg/a.js")"#), hash("window.x=1")],
        "each inline script once, external ones not at all"
    );
    // A known value: the policy must hold what the browser computes.
    assert_eq!(
        hash("alert(1)"),
        "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    );
}

#[test]
fn the_smallest_accepted_copy_is_chosen() {
    let accepted = |value: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Encoding::accepted(&headers)
    };
    assert_eq!(accepted("gzip, deflate, br, zstd"), Encoding::Brotli);
    assert_eq!(accepted("gzip"), Encoding::Gzip);
    assert_eq!(accepted("br;q=0, gzip;q=0.8"), Encoding::Gzip);
    assert_eq!(accepted("identity"), Encoding::Plain);
    assert_eq!(Encoding::accepted(&HeaderMap::new()), Encoding::Plain);
}

#[test]
fn compressed_copies_open_to_the_page() {
    use std::io::Read;
    let plain = "<p>Olá</p>".repeat(500);
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gzip(plain.as_bytes())[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
    let mut unbrotlied = String::new();
    brotli::Decompressor::new(&brotli(plain.as_bytes())[..], 4096)
        .read_to_string(&mut unbrotlied)
        .unwrap();
    assert_eq!(unbrotlied, plain);
}
