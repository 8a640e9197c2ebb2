//! Settings > Company > Webhooks through the whole HTTP stack, for each role: anonymous,
//! member, Channels Admin, Global Admin, another company's admin; bad input; the secret
//! shown once; a test event and a real one reaching a local receiver, signed.

use super::*;
use crate::server::testing::eventually;
use crate::server::webhooks::receiver::Receiver;
use crate::server::webhooks::signature;
use crate::views::webhooks::{Attempt, CreatedEndpoint, WebhooksPage};

/// A server that may send webhooks to this machine (`AURORA_WEBHOOK_ALLOW_PRIVATE=1`).
async fn private_ok_app(db: Db) -> Router {
    seed_if_empty(&db).await.unwrap();
    let config = Config::from_lookup(|name| match name {
        "AURORA_WHATSAPP" => Some("simulator".to_string()),
        "AURORA_WEBHOOK_ALLOW_PRIVATE" => Some("1".to_string()),
        _ => None,
    })
    .unwrap();
    router(AppState::new(leptos_options(&config), db, config))
}

fn add_form(url: &str, events: &[&str]) -> String {
    let mut form = format!("url={}", encode(url));
    for (n, event) in events.iter().enumerate() {
        form.push_str(&format!("&events%5B{n}%5D={event}"));
    }
    form
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn status_and_text(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = send(app, request).await;
    (response.status(), body_text(response).await)
}

#[tokio::test]
async fn webhooks_are_for_the_companys_global_admins_and_refuse_bad_endpoints() {
    with_db(|db| async move {
        let app = private_ok_app(db).await;
        let (receiver, url) = Receiver::start(&[]).await;
        let ana = sign_in(&app, "ana@demo.test").await;
        let carlos = sign_in(&app, "carlos@demo.test").await;
        let lucia = sign_in(&app, "lucia@demo.test").await;
        let omar = sign_in(&app, "omar@other.test").await;
        let call = |path: &str, form: &str, cookie: Option<&str>| {
            post_form(&format!("/api/{path}"), form, None, cookie)
        };
        let form = add_form(&url, &["channel.status_changed", "message.received"]);

        // Who may.
        assert_eq!(
            send(&app, call("add_webhook", &form, None)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            send(&app, call("webhooks", "", None)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        for (who, cookie) in [("member", &lucia), ("channels admin", &carlos)] {
            for (path, form) in [
                ("add_webhook", form.as_str()),
                ("webhooks", ""),
                ("webhook_log", "id=1"),
            ] {
                let (status, text) = status_and_text(&app, call(path, form, Some(cookie))).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} {path}");
                assert!(
                    text.contains("Only global admins can manage webhooks"),
                    "{who} is told why: {text}"
                );
            }
        }

        // Bad input.
        for (bad, says) in [
            ("ftp://example.com/x", "https://"),
            ("http://example.com/hook", "https://"),
            ("https://user:pw@example.com/", "full URL"),
            ("not a url", "full URL"),
        ] {
            let (status, text) = status_and_text(
                &app,
                call(
                    "add_webhook",
                    &add_form(bad, &["message.received"]),
                    Some(&ana),
                ),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {text}");
            assert!(text.contains(says), "{bad}: {text}");
        }
        let (status, text) =
            status_and_text(&app, call("add_webhook", &add_form(&url, &[]), Some(&ana))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("at least one event"), "{text}");
        let (status, text) = status_and_text(
            &app,
            call(
                "add_webhook",
                &add_form(&url, &["message.deleted"]),
                Some(&ana),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("message.deleted"), "{text}");
        assert_eq!(
            send(&app, call("remove_webhook", "id=seven", Some(&ana)))
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Ana adds one: its secret is in this answer only.
        let (status, text) = status_and_text(&app, call("add_webhook", &form, Some(&ana))).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let created: CreatedEndpoint = serde_json::from_str(&text).unwrap();
        assert!(created.secret.starts_with("whsec_"));
        let id = created.endpoint.id;
        let (_, listed) = status_and_text(&app, call("webhooks", "", Some(&ana))).await;
        assert!(!listed.contains(&created.secret), "never listed again");
        let page: WebhooksPage = serde_json::from_str(&listed).unwrap();
        assert_eq!(page.endpoints.len(), 1);
        assert_eq!(page.endpoints[0].url, url);

        // Another company sees nothing and touches nothing.
        let (_, theirs) = status_and_text(&app, call("webhooks", "", Some(&omar))).await;
        let theirs: WebhooksPage = serde_json::from_str(&theirs).unwrap();
        assert!(theirs.endpoints.is_empty());
        for path in [
            "remove_webhook",
            "resume_webhook",
            "webhook_log",
            "send_test_webhook",
        ] {
            assert_eq!(
                send(&app, call(path, &format!("id={id}"), Some(&omar)))
                    .await
                    .status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        assert!(receiver.got().is_empty(), "no test event went out for Omar");

        // Send test event: signed with the secret Ana was shown.
        let (status, text) = status_and_text(
            &app,
            call("send_test_webhook", &format!("id={id}"), Some(&ana)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let tried: Attempt = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (tried.outcome.as_str(), tried.response_code),
            ("delivered", Some(200))
        );
        let got = receiver.got();
        assert_eq!(got.len(), 1);
        let header = got[0].0[signature::HEADER].to_str().unwrap();
        assert!(signature::verify(
            created.secret.as_bytes(),
            header,
            got[0].1.as_bytes(),
            signature::unix_seconds(),
            300
        ));
        assert!(got[0].1.contains("\"type\":\"aurora.test\""));

        // A real event: Ana adds a channel, the worker sends it.
        assert_eq!(
            send(&app, call("add_account", "", Some(&ana)))
                .await
                .status(),
            StatusCode::OK
        );
        let event = eventually(|| async {
            receiver
                .got()
                .into_iter()
                .find(|(_, body)| body.contains("channel.status_changed"))
        })
        .await;
        let header = event.0[signature::HEADER].to_str().unwrap();
        assert!(signature::verify(
            created.secret.as_bytes(),
            header,
            event.1.as_bytes(),
            signature::unix_seconds(),
            300
        ));
        let body: serde_json::Value = serde_json::from_str(&event.1).unwrap();
        assert_eq!(body["data"]["by"], "Ana Torres");
        // The log's entry is written once the receiver's answer is in: a moment after.
        eventually(|| async {
            let log: Vec<Attempt> = serde_json::from_str(
                &body_text(send(&app, call("webhook_log", &format!("id={id}"), Some(&ana))).await)
                    .await,
            )
            .unwrap();
            log.iter()
                .any(|a| a.kind == "channel.status_changed" && a.outcome == "delivered")
                .then_some(())
        })
        .await;

        // At most ten.
        for n in 1..10 {
            let form = add_form(&format!("{url}/{n}"), &["message.received"]);
            assert_eq!(
                send(&app, call("add_webhook", &form, Some(&ana)))
                    .await
                    .status(),
                StatusCode::OK
            );
        }
        let (status, text) = status_and_text(&app, call("add_webhook", &form, Some(&ana))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(text.contains("at most 10"), "{text}");

        // Removed: gone for good.
        assert_eq!(
            send(
                &app,
                call("remove_webhook", &format!("id={id}"), Some(&ana))
            )
            .await
            .status(),
            StatusCode::OK
        );
        assert_eq!(
            send(&app, call("webhook_log", &format!("id={id}"), Some(&ana)))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // The page.
        let page = send(&app, get(paths::WEBHOOKS, None)).await;
        assert_eq!(location(&page), paths::LOGIN);
        let page = send(&app, get(paths::WEBHOOKS, Some(&carlos))).await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        let page = send(&app, get(paths::WEBHOOKS, Some(&ana))).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = body_text(page).await;
        assert!(html.contains(&format!("{url}/1")), "rendered on the server");
        assert!(!html.contains("whsec_"), "no secret in the page");
    })
    .await;
}

/// On a server that keeps webhooks to the public internet (the default), an endpoint that is
/// or resolves to a private or local address is refused when added.
#[tokio::test]
async fn private_addresses_are_refused_without_the_override() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let ana = sign_in(&app, "ana@demo.test").await;
        let add = |url: &str| {
            let form = add_form(url, &["message.received"]);
            post_form("/api/add_webhook", &form, None, Some(&ana))
        };
        for (bad, says) in [
            (
                "https://10.0.0.1/hook",
                "10.0.0.1 is a private or local address",
            ),
            (
                "https://127.0.0.1/hook",
                "127.0.0.1 is a private or local address",
            ),
            (
                "http://127.0.0.1:9/hook",
                "127.0.0.1 is a private or local address",
            ),
            ("https://[::1]/hook", "::1 is a private or local address"),
            (
                "https://169.254.169.254/latest",
                "169.254.169.254 is a private or local address",
            ),
            (
                "https://[::ffff:10.0.0.1]/",
                "is a private or local address",
            ),
            ("http://localhost:9/hook", "is a private or local address"),
        ] {
            let (status, text) = status_and_text(&app, add(bad)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {text}");
            assert!(text.contains(says), "{bad}: {text}");
        }
        let list = post_form("/api/webhooks", "", None, Some(&ana));
        let (_, listed) = status_and_text(&app, list).await;
        let page: WebhooksPage = serde_json::from_str(&listed).unwrap();
        assert!(page.endpoints.is_empty());
    })
    .await;
}
