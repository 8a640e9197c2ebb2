//! The whole HTTP stack (security layers, session gate, server functions) driven in-process.

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::*;
use crate::error::AppError;
use crate::paths;
use crate::server::boot::demo::seed_if_empty;
use crate::server::db::{testing::with_db, Db};

const HOST: &str = "aurora.test:3000";

fn app(db: Db) -> Router {
    let config = Config::from_lookup(|_| None).unwrap();
    router(AppState::new(leptos_options(&config), db, config))
}

async fn seeded_app(db: Db) -> Router {
    seed_if_empty(&db).await.unwrap();
    app(db)
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

fn post_form(path: &str, body: &str, origin: Option<&str>, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.unwrap()
}

async fn body_text(response: Response<Body>) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

fn location(response: &Response<Body>) -> &str {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Signs in through the real server function and returns the `Cookie` header to send back.
async fn sign_in(app: &Router, email: &str) -> String {
    let body = format!("email={}&password=demo-password", email.replace('@', "%40"));
    let response = send(
        app,
        post_form("/api/login", &body, Some(&format!("http://{HOST}")), None),
    )
    .await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    let set_cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .expect("session cookie set");
    set_cookie
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        for request in [
            get("/login", None),
            get(paths::CHANNELS, None),
            post_form("/api/me", "", Some("https://evil.test"), None),
        ] {
            let response = send(&app, request).await;
            let headers = response.headers();
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
            let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            for part in [
                "default-src 'self'",
                "script-src 'self' 'wasm-unsafe-eval' 'nonce-",
                "object-src 'none'",
                "frame-ancestors 'none'",
            ] {
                assert!(policy.contains(part), "{part} missing from {policy}");
            }
            assert!(!policy.contains("unsafe-inline"), "{policy}");
        }
    })
    .await;
}

#[tokio::test]
async fn each_page_carries_a_fresh_nonce_and_every_inline_script_has_it() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        // A page rendered for each request (kept pages: `kept_pages`).
        let mut seen = Vec::new();
        for _ in 0..2 {
            let response = send(&app, get(paths::LOGIN, None)).await;
            let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .to_string();
            let nonce = policy
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .expect("a nonce")
                .to_string();
            let html = body_text(response).await;
            let scripts: Vec<&str> = html.split("<script").skip(1).collect();
            assert!(!scripts.is_empty(), "the page has its hydration script");
            for script in scripts {
                let tag = script.split('>').next().unwrap_or_default();
                let external = tag.contains(" src=");
                assert!(
                    external || tag.contains(&format!("nonce=\"{nonce}\"")),
                    "an inline script without the nonce: <script{tag}>"
                );
            }
            seen.push(nonce);
        }
        assert_ne!(seen[0], seen[1], "a nonce is used once");
    })
    .await;
}

#[tokio::test]
async fn server_function_arguments_that_do_not_decode_are_a_422_not_a_500() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let cookie = sign_in(&app, "ana@demo.test").await;
        let origin = format!("http://{HOST}");
        for body in [
            "conversation=1&message=2",                  // `confirmed` missing
            "conversation=one&message=2&confirmed=true", // not a number
            "",
        ] {
            let response = send(
                &app,
                post_form("/api/retry_reply", body, Some(&origin), Some(&cookie)),
            )
            .await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body:?}"
            );
            let text = body_text(response).await;
            let error: AppError = serde_json::from_str(&text).unwrap();
            assert!(
                matches!(&error, AppError::Invalid(m) if m.contains("not understood")),
                "{text}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn cross_origin_posts_to_server_functions_are_refused() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let cookie = sign_in(&app, "ana@demo.test").await;
        let evil = send(
            &app,
            post_form(
                "/api/channels_page",
                "",
                Some("https://evil.test"),
                Some(&cookie),
            ),
        )
        .await;
        assert_eq!(evil.status(), StatusCode::FORBIDDEN);
        let error: AppError = serde_json::from_str(&body_text(evil).await).unwrap();
        assert!(matches!(error, AppError::Forbidden(_)));

        let same = send(
            &app,
            post_form(
                "/api/channels_page",
                "",
                Some(&format!("http://{HOST}")),
                Some(&cookie),
            ),
        )
        .await;
        assert_eq!(same.status(), StatusCode::OK);

        let mut fetch_metadata = post_form("/api/logout", "", None, Some(&cookie));
        fetch_metadata
            .headers_mut()
            .insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert_eq!(
            send(&app, fetch_metadata).await.status(),
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn anonymous_requests_are_sent_to_sign_in_or_refused() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let page = send(&app, get(paths::CHANNELS, None)).await;
        assert!(page.status().is_redirection());
        assert_eq!(location(&page), paths::LOGIN);

        let api = send(&app, post_form("/api/channels_page", "", None, None)).await;
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
        let error: AppError = serde_json::from_str(&body_text(api).await).unwrap();
        assert_eq!(error, AppError::Unauthenticated);

        let forged = send(
            &app,
            post_form(
                "/api/channels_page",
                "",
                None,
                Some("aurora_session=forged"),
            ),
        )
        .await;
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        assert!(
            forged.headers().get(header::SET_COOKIE).is_none(),
            "an API call doesn't clear it: it may be a request from before a new sign-in"
        );
        let page = send(&app, get(paths::CHANNELS, Some("aurora_session=forged"))).await;
        assert_eq!(location(&page), paths::LOGIN);
        let cleared = page
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cleared.contains("Max-Age=0"),
            "a page load clears an unknown cookie: {cleared}"
        );
    })
    .await;
}

#[tokio::test]
async fn channels_page_data_follows_roles_and_subscription() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let cases = [
            ("ana@demo.test", StatusCode::OK, ""),
            (
                "lucia@demo.test",
                StatusCode::FORBIDDEN,
                "Channels Admin role",
            ),
            (
                "ines@lapsed.test",
                StatusCode::FORBIDDEN,
                "active subscription",
            ),
        ];
        for (email, status, message) in cases {
            let cookie = sign_in(&app, email).await;
            let response = send(
                &app,
                post_form("/api/channels_page", "", None, Some(&cookie)),
            )
            .await;
            assert_eq!(response.status(), status, "{email}");
            assert!(body_text(response).await.contains(message), "{email}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_header_shows_only_the_users_own_company() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let cookie = sign_in(&app, "omar@other.test").await;
        let response = send(
            &app,
            post_form("/api/signed_in_user", "", None, Some(&cookie)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let me: crate::views::auth::Me = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(me.company_name, "Other Company");
        assert_eq!(me.display_name, "Omar Haddad");
    })
    .await;
}

#[tokio::test]
async fn signed_in_users_skip_the_login_page_and_sign_out_ends_the_session() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let cookie = sign_in(&app, "carlos@demo.test").await;
        let login = send(&app, get(paths::LOGIN, Some(&cookie))).await;
        assert_eq!(location(&login), paths::CHANNELS);
        let page = send(&app, get(paths::CHANNELS, Some(&cookie))).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(body_text(page).await.contains("WhatsApp Web"));

        send(&app, post_form("/api/logout", "", None, Some(&cookie))).await;
        let after = send(&app, get(paths::CHANNELS, Some(&cookie))).await;
        assert_eq!(location(&after), paths::LOGIN);
    })
    .await;
}

#[tokio::test]
async fn a_fresh_install_is_set_up_once_through_setup() {
    with_db(|db| async move {
        let config = Config::from_lookup(|_| None).unwrap();
        let state = AppState::new(leptos_options(&config), db, config);
        let code = state.setup_code.to_string();
        let app = router(state);
        let page = send(&app, get(paths::CHANNELS, None)).await;
        assert_eq!(location(&page), paths::SETUP);
        assert_eq!(location(&send(&app, get(paths::LOGIN, None)).await), paths::SETUP);
        assert_eq!(send(&app, get(paths::SETUP, None)).await.status(), StatusCode::OK);

        let form = "company_name=Acme&channel_limit=2&display_name=Founder&email=founder%40acme.test&password=a+long+password";
        // Whoever reaches the page first without the code from the log gets nothing.
        for wrong in ["", "&code=AAAA-AAAA"] {
            let refused = send(&app, post_form("/api/setup", &format!("{form}{wrong}"), None, None)).await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong:?}");
        }
        assert_eq!(send(&app, get(paths::SETUP, None)).await.status(), StatusCode::OK, "nothing was created");

        let typed = code.to_lowercase().replace('-', " ");
        let with_code = format!("{form}&code={}", typed.replace(' ', "+"));
        let created = send(&app, post_form("/api/setup", &with_code, None, None)).await;
        assert!(created.status().is_success() || created.status().is_redirection(), "{}", created.status());
        let cookie = created.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();

        assert_eq!(send(&app, get(paths::SETUP, None)).await.status(), StatusCode::NOT_FOUND);
        let again = send(&app, post_form("/api/setup", &with_code, None, None)).await;
        assert_ne!(again.status(), StatusCode::OK, "set-up cannot run twice");
        let page = send(&app, get(paths::CHANNELS, Some(&cookie))).await;
        assert_eq!(page.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn with_a_public_url_other_hosts_and_origins_are_refused() {
    with_db(|db| async move {
        seed_if_empty(&db).await.unwrap();
        let config = Config::from_lookup(|name| {
            (name == "AURORA_PUBLIC_URL").then(|| format!("http://{HOST}"))
        })
        .unwrap();
        let app = router(AppState::new(leptos_options(&config), db, config));
        // The public host works as before.
        assert_eq!(
            send(&app, get(paths::LOGIN, None)).await.status(),
            StatusCode::OK
        );
        let cookie = sign_in(&app, "ana@demo.test").await;
        // A rebinding page: another name for this server, and its own origin to match.
        let rebound = Request::get(paths::LOGIN)
            .header(header::HOST, "evil.example:3000")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&app, rebound).await.status(),
            StatusCode::MISDIRECTED_REQUEST
        );
        let mut forged = post_form(
            "/api/add_account",
            "",
            Some("http://evil.example:3000"),
            Some(&cookie),
        );
        forged
            .headers_mut()
            .insert(header::HOST, "evil.example:3000".parse().unwrap());
        assert_eq!(
            send(&app, forged).await.status(),
            StatusCode::MISDIRECTED_REQUEST
        );
        // The right host with another origin is still a cross-site write.
        let cross = post_form(
            "/api/add_account",
            "",
            Some("http://evil.example:3000"),
            Some(&cookie),
        );
        assert_eq!(send(&app, cross).await.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

async fn simulator_app(db: Db) -> Router {
    seed_if_empty(&db).await.unwrap();
    let config =
        Config::from_lookup(|name| (name == "AURORA_WHATSAPP").then(|| "simulator".to_string()))
            .unwrap();
    router(AppState::new(leptos_options(&config), db, config))
}

/// A simulator server whose media folder is a fresh temporary one (the caller removes it).
async fn simulator_app_with_media(db: Db) -> (Router, std::path::PathBuf) {
    seed_if_empty(&db).await.unwrap();
    let media = std::env::temp_dir().join(format!("aurora-media-{}", rand::random::<u32>()));
    let media_dir = media.display().to_string();
    let config = Config::from_lookup(|name| match name {
        "AURORA_WHATSAPP" => Some("simulator".to_string()),
        "AURORA_MEDIA_DIR" => Some(media_dir.clone()),
        _ => None,
    })
    .unwrap();
    (
        router(AppState::new(leptos_options(&config), db, config)),
        media,
    )
}

/// The QR the account's card shows, once its linking attempt has one.
async fn linking_qr(app: &Router, id: i64) -> String {
    loop {
        let linking = body_text(send(app, get(paths::SIMULATOR_LINKING, None)).await).await;
        let list: Vec<serde_json::Value> = serde_json::from_str(&linking).unwrap();
        if let Some(entry) = list.iter().find(|e| e["account_id"] == id) {
            return entry["qr"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The id of a fresh account of Ana's company (Demo Company).
async fn add_demo_account(app: &Router) -> i64 {
    let cookie = sign_in(app, "ana@demo.test").await;
    let response = send(app, post_form("/api/add_account", "", None, Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view: crate::views::channels::AccountView =
        serde_json::from_str(&body_text(response).await).unwrap();
    view.id
}

#[tokio::test]
async fn every_channel_function_refuses_outsiders() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let id = add_demo_account(&app).await;
        let lucia = sign_in(&app, "lucia@demo.test").await;
        let omar = sign_in(&app, "omar@other.test").await;
        let calls = [
            ("/api/channels_page", String::new()),
            ("/api/add_account", String::new()),
            ("/api/start_linking", format!("id={id}")),
            ("/api/cancel_linking", format!("id={id}")),
            (
                "/api/request_pair_code",
                format!("id={id}&phone=%2B525512345678"),
            ),
            ("/api/disconnect_account", format!("id={id}")),
        ];
        for (path, form) in &calls {
            let anonymous = send(&app, post_form(path, form, None, None)).await;
            assert_eq!(
                anonymous.status(),
                StatusCode::UNAUTHORIZED,
                "{path} anonymous"
            );
            let member = send(&app, post_form(path, form, None, Some(&lucia))).await;
            assert_eq!(
                member.status(),
                StatusCode::FORBIDDEN,
                "{path} member without the role"
            );
            if !form.is_empty() {
                let stranger = send(&app, post_form(path, form, None, Some(&omar))).await;
                assert_eq!(
                    stranger.status(),
                    StatusCode::NOT_FOUND,
                    "{path} other company's admin"
                );
            }
        }
        let ana = sign_in(&app, "ana@demo.test").await;
        let page = send(&app, post_form("/api/channels_page", "", None, Some(&ana))).await;
        assert!(
            body_text(page).await.contains(&format!("\"id\":{id}")),
            "the account is still there, untouched"
        );
    })
    .await;
}

/// Reads the next SSE `data:` line of a stream, or `None` after `wait`.
async fn next_sse_data(
    body: &mut axum::body::BodyDataStream,
    wait: std::time::Duration,
) -> Option<String> {
    use futures::StreamExt;
    let deadline = tokio::time::Instant::now() + wait;
    let mut buffer = String::new();
    loop {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .ok()??
            .ok()?;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(line) = buffer.lines().find(|l| l.starts_with("data:")) {
            return Some(line.trim_start_matches("data:").trim().to_string());
        }
    }
}

#[tokio::test]
async fn the_live_stream_carries_only_the_companys_own_accounts() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let ana = sign_in(&app, "ana@demo.test").await;
        let omar = sign_in(&app, "omar@other.test").await;
        let lucia = sign_in(&app, "lucia@demo.test").await;
        assert_eq!(
            send(&app, get("/api/channels/events", None)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            send(&app, get("/api/channels/events", Some(&lucia)))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );

        let ana_stream = send(&app, get("/api/channels/events", Some(&ana))).await;
        assert_eq!(ana_stream.status(), StatusCode::OK);
        let mut ana_stream = ana_stream.into_body().into_data_stream();
        let mut omar_stream = send(&app, get("/api/channels/events", Some(&omar)))
            .await
            .into_body()
            .into_data_stream();

        let id = add_demo_account(&app).await;
        let update = next_sse_data(&mut ana_stream, std::time::Duration::from_secs(5))
            .await
            .expect("Ana hears of it");
        let update: crate::views::channels::ChannelUpdate = serde_json::from_str(&update).unwrap();
        assert!(
            matches!(update, crate::views::channels::ChannelUpdate::Upsert(ref v) if v.id == id),
            "{update:?}"
        );
        let leaked = next_sse_data(&mut omar_stream, std::time::Duration::from_millis(700)).await;
        assert_eq!(leaked, None, "another company's change never reaches Omar");
    })
    .await;
}

#[tokio::test]
async fn the_simulator_exists_only_in_simulator_mode() {
    with_db(|db| async move {
        let live = seeded_app(db.clone()).await;
        assert_eq!(
            send(&live, get("/simulator/api/linking", None))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&live, get("/simulator", None)).await.status(),
            StatusCode::NOT_FOUND
        );

        let sim = simulator_app(db).await;
        let linking = send(&sim, get("/simulator/api/linking", None)).await;
        assert_eq!(linking.status(), StatusCode::OK);
        assert_eq!(body_text(linking).await, "[]");
        assert_eq!(
            send(&sim, get("/simulator", None)).await.status(),
            StatusCode::OK
        );
    })
    .await;
}

fn post_json(path: &str, json: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json.to_string()))
        .unwrap()
}

#[tokio::test]
async fn the_simulator_api_scans_unlinks_and_drops_the_network() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let id = add_demo_account(&app).await;
        let qr = linking_qr(&app, id).await;
        let scan = format!(r#"{{"qr":"{qr}","phone":"+525512345678","business_name":"Tacos"}}"#);
        let linked = send(&app, post_json("/simulator/api/scan", &scan)).await;
        assert_eq!(linked.status(), StatusCode::OK);
        assert_eq!(body_text(linked).await, format!(r#"{{"account_id":{id}}}"#));
        assert_eq!(
            send(&app, post_json("/simulator/api/scan", &scan))
                .await
                .status(),
            StatusCode::GONE
        );
        let unknown = r#"{"qr":"2@nope,a,b,c,1","phone":"+1","business_name":"x"}"#;
        assert_eq!(
            send(&app, post_json("/simulator/api/scan", unknown))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        let message = r#"{"from":"+5215500000000","name":"Cliente","text":"hola"}"#;
        let delivered = send(
            &app,
            post_json("/simulator/api/phones/%2B525512345678/messages", message),
        )
        .await;
        assert_eq!(delivered.status(), StatusCode::ACCEPTED);
        let nobody = send(
            &app,
            post_json("/simulator/api/phones/%2B19999999999/messages", message),
        )
        .await;
        assert_eq!(nobody.status(), StatusCode::NOT_FOUND);

        assert_eq!(
            send(&app, post_json("/simulator/api/network", r#"{"up":false}"#))
                .await
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            send(&app, post_json("/simulator/api/network", r#"{"up":true}"#))
                .await
                .status(),
            StatusCode::OK
        );
        let unlinked = send(
            &app,
            post_json("/simulator/api/phones/%2B525512345678/unlink", ""),
        )
        .await;
        // The drop made the session reconnect; once back, the phone can unlink it.
        assert!(
            matches!(unlinked.status(), StatusCode::OK | StatusCode::NOT_FOUND),
            "{}",
            unlinked.status()
        );
    })
    .await;
}

#[tokio::test]
async fn an_attachment_link_in_a_conversation_opens_the_file() {
    with_db(|db| async move {
        let (app, media) = simulator_app_with_media(db).await;
        let id = add_demo_account(&app).await;
        let qr = linking_qr(&app, id).await;
        let scan = format!(r#"{{"qr":"{qr}","phone":"+525512345678","business_name":"Tacos"}}"#);
        let linked = send(&app, post_json(paths::SIMULATOR_SCAN, &scan)).await;
        assert_eq!(linked.status(), StatusCode::OK);
        // "%PDF-1.4" in base64.
        let message = r#"{"from":"+5215500000000","name":"Cliente","text":"la factura",
            "media":{"filename":"factura.pdf","content_type":"application/pdf","base64":"JVBERi0xLjQ="}}"#;
        let path = "/simulator/api/phones/%2B525512345678/messages";
        assert_eq!(
            send(&app, post_json(path, message)).await.status(),
            StatusCode::ACCEPTED
        );

        let ana = sign_in(&app, "ana@demo.test").await;
        let conversation = loop {
            let inbox = send(&app, post_form("/api/load_inbox", "", None, Some(&ana))).await;
            let inbox: crate::views::inbox::InboxPage =
                serde_json::from_str(&body_text(inbox).await).unwrap();
            if let Some(row) = inbox.rows.first() {
                break row.id;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        let body = format!("id={conversation}");
        let page = send(&app, post_form("/api/load_conversation", &body, None, Some(&ana))).await;
        let page: crate::views::inbox::ConversationPage =
            serde_json::from_str(&body_text(page).await).unwrap();
        let link = page.messages[0].media.as_ref().expect("an attachment").url.clone();

        // The link as the page renders it, followed as the browser would.
        let file = send(&app, get(&link, Some(&ana))).await;
        assert_eq!(file.status(), StatusCode::OK, "{link}");
        assert_eq!(body_text(file).await, "%PDF-1.4");
        let anonymous = send(&app, get(&link, None)).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let omar = sign_in(&app, "omar@other.test").await;
        let stranger = send(&app, get(&link, Some(&omar))).await;
        assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
        let _ = std::fs::remove_dir_all(&media);
    })
    .await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_before_it_is_read() {
    with_db(|db| async move {
        let app = seeded_app(db).await;
        let huge = format!("email={}&password=x", "a".repeat(3 * 1024 * 1024));
        let origin = format!("http://{HOST}");
        let response = send(&app, post_form("/api/login", &huge, Some(&origin), None)).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let cookie = sign_in(&app, "ana@demo.test").await;
        let big = format!("id=1&name={}", "a".repeat(BODY_LIMIT));
        let response = send(
            &app,
            post_form("/api/delete_account", &big, None, Some(&cookie)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Under the limit, the same call is answered on its merits.
        let small = "email=ana%40demo.test&password=wrong";
        let response = send(&app, post_form("/api/login", small, Some(&origin), None)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

/// Reads `body` until it ends; false when it is still open after `within`.
async fn ends_within(body: &mut Body, within: std::time::Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn live_streams_end_with_the_sign_in_that_opened_them() {
    use crate::server::bench::support::exec;
    use std::time::Duration;

    with_db(|db| async move {
        seed_if_empty(&db).await.unwrap();
        let config = Config::from_lookup(|_| None).unwrap();
        let mut state = AppState::new(leptos_options(&config), db.clone(), config);
        state.stream_recheck = Duration::from_millis(200);
        let app = router(state);
        let open = |path: &'static str, cookie: String| {
            let app = app.clone();
            async move {
                let response = send(&app, get(path, Some(&cookie))).await;
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                response.into_body()
            }
        };

        // Signing out ends both of the user's streams at once, and nobody else's.
        let ana = sign_in(&app, "ana@demo.test").await;
        let carlos = sign_in(&app, "carlos@demo.test").await;
        let mut channels = open(paths::CHANNEL_EVENTS, ana.clone()).await;
        let mut inbox = open(paths::INBOX_EVENTS, ana.clone()).await;
        let mut carlos_inbox = open(paths::INBOX_EVENTS, carlos.clone()).await;
        assert!(!ends_within(&mut channels, Duration::from_millis(500)).await);
        let signed_out = send(&app, post_form("/api/logout", "", None, Some(&ana))).await;
        assert!(signed_out.status().is_success() || signed_out.status().is_redirection());
        assert!(ends_within(&mut channels, Duration::from_secs(2)).await, "Channels stream");
        assert!(ends_within(&mut inbox, Duration::from_secs(2)).await, "inbox stream");
        assert!(!ends_within(&mut carlos_inbox, Duration::from_millis(500)).await);

        // Losing the role ends the Channels stream; the inbox is still his.
        let mut carlos_channels = open(paths::CHANNEL_EVENTS, carlos.clone()).await;
        exec(&db, "UPDATE users SET channels_admin = FALSE WHERE email = 'carlos@demo.test'", &[])
            .await
            .unwrap();
        assert!(ends_within(&mut carlos_channels, Duration::from_secs(2)).await, "role lost");
        assert!(!ends_within(&mut carlos_inbox, Duration::from_millis(500)).await);

        // Expiry ends it too.
        exec(&db, "UPDATE sessions SET last_seen_at = 0 WHERE user_id = (SELECT id FROM users WHERE email = 'carlos@demo.test')", &[])
            .await
            .unwrap();
        assert!(ends_within(&mut carlos_inbox, Duration::from_secs(2)).await, "expired");

        // And a lapsed subscription.
        let omar = sign_in(&app, "omar@other.test").await;
        let mut omar_channels = open(paths::CHANNEL_EVENTS, omar.clone()).await;
        let mut omar_inbox = open(paths::INBOX_EVENTS, omar).await;
        exec(&db, "UPDATE companies SET subscription_status = 'inactive' WHERE name = 'Other Company'", &[])
            .await
            .unwrap();
        assert!(ends_within(&mut omar_channels, Duration::from_secs(2)).await, "lapsed");
        assert!(ends_within(&mut omar_inbox, Duration::from_secs(2)).await, "lapsed");
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_in_use_renews_its_cookie_at_most_once_a_minute() {
    use crate::server::bench::support::exec;

    with_db(|db| async move {
        let app = seeded_app(db.clone()).await;
        let cookie = sign_in(&app, "ana@demo.test").await;
        let fresh = send(&app, get(paths::CHANNELS, Some(&cookie))).await;
        assert!(
            fresh.headers().get(header::SET_COOKIE).is_none(),
            "used a moment ago"
        );
        exec(
            &db,
            "UPDATE sessions SET last_seen_at = last_seen_at - 120000",
            &[],
        )
        .await
        .unwrap();
        let renewed = send(&app, get(paths::CHANNELS, Some(&cookie))).await;
        let set = renewed
            .headers()
            .get(header::SET_COOKIE)
            .expect("renewed")
            .to_str()
            .unwrap();
        assert!(set.starts_with(&format!("{cookie};")), "{set}");
        assert!(set.contains("Max-Age=43200"), "{set}");
    })
    .await;
}

mod assets;
mod audit;
mod history_media;
mod kept_pages;
mod languages;
mod operations;
mod passkey;
mod webhooks;
