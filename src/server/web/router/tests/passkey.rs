//! The passkey hand-off over HTTP: who may read WhatsApp's request and answer it, and a
//! passkey-gated link through the simulator from the scan to Connected.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::*;

fn request(
    method: &str,
    path: &str,
    body: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

/// The account's link as the Channels page data shows it to `cookie`.
async fn link_of(app: &Router, cookie: &str, id: i64) -> serde_json::Value {
    let page = send(app, post_form("/api/channels_page", "", None, Some(cookie))).await;
    let page: serde_json::Value = serde_json::from_str(&body_text(page).await).unwrap();
    let accounts = page["accounts"].as_array().cloned().unwrap_or_default();
    accounts
        .into_iter()
        .find(|a| a["id"] == id)
        .map(|a| a["link"].clone())
        .unwrap_or_default()
}

async fn eventually_link(app: &Router, cookie: &str, id: i64, kind: &str) -> serde_json::Value {
    for _ in 0..200 {
        let link = link_of(app, cookie, id).await;
        if link.get(kind).is_some() {
            return link[kind].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!(
        "the card never showed {kind}: {}",
        link_of(app, cookie, id).await
    );
}

/// Scans the account's QR as a phone whose account is passkey-gated.
async fn scan_gated(app: &Router, id: i64, phone: &str) {
    let qr = linking_qr(app, id).await;
    let scan =
        format!(r#"{{"qr":"{qr}","phone":"{phone}","business_name":"Llave","passkey":true}}"#);
    let scanned = send(
        app,
        request("POST", "/simulator/api/scan", &scan, None, None),
    )
    .await;
    assert_eq!(scanned.status(), StatusCode::OK);
}

/// What a browser's `navigator.credentials.get` would hand back for `challenge`.
fn assertion(challenge: &str) -> String {
    let client_data = format!(
        r#"{{"type":"webauthn.get","challenge":"{challenge}","origin":"https://web.whatsapp.com"}}"#
    );
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    serde_json::json!({
        "id": b64(b"credential"),
        "rawId": b64(b"credential"),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(client_data.as_bytes()),
            "authenticatorData": b64(&[5; 37]),
            "signature": b64(&[7; 70]),
            "userHandle": b64(b"user")
        }
    })
    .to_string()
}

#[tokio::test]
async fn the_passkey_hand_off_answers_only_the_company_s_channel_admins_and_links_the_number() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let id = add_demo_account(&app).await;
        let carlos = sign_in(&app, "carlos@demo.test").await;
        let ana = sign_in(&app, "ana@demo.test").await;
        let lucia = sign_in(&app, "lucia@demo.test").await;
        let omar = sign_in(&app, "omar@other.test").await;
        scan_gated(&app, id, "+525512340001").await;
        let step = eventually_link(&app, &carlos, id, "Passkey").await;
        let token = step["handoff"]
            .as_str()
            .expect("a one-time code")
            .to_string();
        let path = format!("/api/passkey/{token}");

        // Who may read WhatsApp's request: the company's channel admins only.
        let read = |cookie: Option<String>| {
            let app = app.clone();
            let path = path.clone();
            async move { send(&app, request("GET", &path, "", None, cookie.as_deref())).await }
        };
        assert_eq!(read(None).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            read(Some(lucia.clone())).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            read(Some(omar.clone())).await.status(),
            StatusCode::NOT_FOUND
        );
        let wrong = send(
            &app,
            request(
                "GET",
                "/api/passkey/AAAAAAAAAAAAAAAAAAAAAA",
                "",
                None,
                Some(&carlos),
            ),
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
        let global = read(Some(ana.clone())).await;
        assert_eq!(global.status(), StatusCode::OK);
        let options: serde_json::Value =
            serde_json::from_str(&body_text(read(Some(carlos.clone())).await).await).unwrap();
        assert_eq!(options["rpId"], "web.whatsapp.com");
        let challenge = options["challenge"].as_str().unwrap().to_string();

        // Bad answers are refused with the reason and leave the token usable.
        let extension = Some("chrome-extension://aurorahandoff");
        let post = |body: String, origin: Option<&'static str>, cookie: Option<String>| {
            let app = app.clone();
            let path = path.clone();
            async move {
                send(
                    &app,
                    request("POST", &path, &body, origin, cookie.as_deref()),
                )
                .await
            }
        };
        assert_eq!(
            post(assertion(&challenge), extension, None).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            post(assertion(&challenge), extension, Some(lucia))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(assertion(&challenge), extension, Some(omar))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let cross_site = post(
            assertion(&challenge),
            Some("https://evil.example"),
            Some(carlos.clone()),
        )
        .await;
        assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
        let not_json = post("{".into(), extension, Some(carlos.clone())).await;
        assert_eq!(not_json.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(not_json).await.contains("not JSON"));
        let huge = post("x".repeat(MAX_BYTES), extension, Some(carlos.clone())).await;
        assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // The real answer: WhatsApp takes it, the phone shows a code, the token is spent.
        let handed = post(assertion(&challenge), extension, Some(carlos.clone())).await;
        assert_eq!(handed.status(), StatusCode::ACCEPTED);
        let again = post(assertion(&challenge), extension, Some(carlos.clone())).await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND, "single use");
        let code = eventually_link(&app, &carlos, id, "PasskeyCode").await;
        let code = code["code"]
            .as_str()
            .expect("a code to confirm")
            .to_string();
        assert_eq!((code.len(), &code[4..5]), (9, "-"));
        let confirmed = send(
            &app,
            request(
                "POST",
                "/simulator/api/phones/%2B525512340001/confirm-passkey",
                "{}",
                None,
                None,
            ),
        )
        .await;
        assert_eq!(confirmed.status(), StatusCode::OK);
        for _ in 0..200 {
            if link_of(&app, &carlos, id).await.is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let page = body_text(
            send(
                &app,
                post_form("/api/channels_page", "", None, Some(&carlos)),
            )
            .await,
        )
        .await;
        assert!(page.contains("\"status\":\"Connected\""), "{page}");
    })
    .await;
}

#[tokio::test]
async fn an_answer_that_does_not_meet_whatsapp_s_challenge_ends_the_attempt_with_the_reason() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let id = add_demo_account(&app).await;
        let carlos = sign_in(&app, "carlos@demo.test").await;
        scan_gated(&app, id, "+525512340002").await;
        let step = eventually_link(&app, &carlos, id, "Passkey").await;
        let path = format!("/api/passkey/{}", step["handoff"].as_str().unwrap());
        let stale = assertion("c29tZSBvdGhlciBjaGFsbGVuZ2U");
        let handed = send(
            &app,
            request(
                "POST",
                &path,
                &stale,
                Some("chrome-extension://x"),
                Some(&carlos),
            ),
        )
        .await;
        assert_eq!(handed.status(), StatusCode::ACCEPTED);
        let failed = eventually_link(&app, &carlos, id, "Failed").await;
        // WhatsApp's reason, which the card words as a refused passkey.
        assert!(failed["failure"]["PasskeyRefused"].is_string(), "{failed}");
    })
    .await;
}

const MAX_BYTES: usize = crate::server::services::passkey::MAX_ASSERTION_BYTES + 1;
