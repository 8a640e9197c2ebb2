//! Kept pages (`web::page_cache`): served again only to the same reader, in the same
//! language, until what the page shows changes; the copy is the page as rendered, and its
//! policy allows exactly its scripts.

use std::time::Duration;

use super::*;
use crate::server::web::page_cache::without_nonce;

const KEPT: &str = "page;desc=kept";
const RENDERED: &str = "page;desc=rendered";
const RENDERED_ONLY: &str = "page;desc=rendered-only";
/// A row of the list with messages its reader has not seen.
const UNREAD: &str = "conversation-row unread";

struct Served {
    status: StatusCode,
    how: String,
    policy: String,
    body: String,
}

async fn load(app: &Router, path: &str, cookie: Option<&str>, language: Option<&str>) -> Served {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(language) = language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    let response = send(app, request.body(Body::empty()).unwrap()).await;
    let text = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (status, how) = (response.status(), text("server-timing"));
    let policy = text("content-security-policy");
    Served {
        status,
        how,
        policy,
        body: body_text(response).await,
    }
}

/// Loads until the page is served kept twice in a row, or rendered and then kept with the
/// same bytes (nothing moved in between); returns that page. Panics when it never settles.
async fn settled(app: &Router, path: &str, cookie: &str, language: Option<&str>) -> Served {
    let mut last = load(app, path, Some(cookie), language).await;
    for _ in 0..300 {
        let next = load(app, path, Some(cookie), language).await;
        if (last.how == RENDERED || last.how == KEPT) && next.how == KEPT {
            assert_eq!(next.body, last.body, "a kept page is the page as rendered");
            assert_eq!(next.policy, last.policy);
            return next;
        }
        last = next;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{path} was never kept: last served {}", last.how);
}

/// The policy allows each of the page's inline scripts by hash, and nothing by nonce.
fn assert_scripts_allowed(page: &Served) {
    assert!(!page.body.contains(" nonce="), "a kept page has no nonce");
    assert!(!page.policy.contains("'nonce-"), "{}", page.policy);
    let (_, scripts) = without_nonce(&page.body, "-");
    assert!(!scripts.is_empty(), "the page has its inline scripts");
    for script in scripts {
        assert!(
            page.policy.contains(&script),
            "{script} not in {}",
            page.policy
        );
    }
}

/// A Connected number of Ana's company, and the cookie of her sign-in.
async fn connected_account(app: &Router, phone: &str, business: &str) -> (i64, String) {
    let id = add_demo_account(app).await;
    let qr = linking_qr(app, id).await;
    let scan = format!(r#"{{"qr":"{qr}","phone":"{phone}","business_name":"{business}"}}"#);
    let linked = send(app, post_json(paths::SIMULATOR_SCAN, &scan)).await;
    assert_eq!(linked.status(), StatusCode::OK);
    let ana = sign_in(app, "ana@demo.test").await;
    for _ in 0..300 {
        let page = load(app, paths::CHANNELS, Some(&ana), None).await;
        if page.body.contains(business) && !page.body.contains("Scan") {
            return (id, ana);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{business} never showed as connected");
}

#[tokio::test]
async fn the_channels_page_is_kept_for_its_reader_until_a_card_changes() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        // While a QR counts down, every load renders the page: a kept one would count wrong.
        let linking = add_demo_account(&app).await;
        linking_qr(&app, linking).await;
        let ana = sign_in(&app, "ana@demo.test").await;
        for _ in 0..2 {
            let page = load(&app, paths::CHANNELS, Some(&ana), None).await;
            assert_eq!(page.how, RENDERED_ONLY);
            assert!(page.policy.contains("'nonce-"), "{}", page.policy);
        }
        let cancel = format!("id={linking}");
        let cancelled = send(
            &app,
            post_form("/api/cancel_linking", &cancel, None, Some(&ana)),
        )
        .await;
        assert_eq!(cancelled.status(), StatusCode::OK);

        let (id, ana) = connected_account(&app, "+525512345678", "Tacos").await;
        let page = settled(&app, paths::CHANNELS, &ana, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Tacos") && page.body.contains("Ana Torres"));
        assert_scripts_allowed(&page);

        // Another language is another page, kept on its own.
        let spanish = settled(&app, paths::CHANNELS, &ana, Some("es-MX,es;q=0.9")).await;
        assert!(spanish.body.contains(r#"lang="es""#) && spanish.body.contains("Tacos"));
        assert_eq!(
            load(&app, paths::CHANNELS, Some(&ana), None).await.how,
            KEPT
        );

        // Other readers never get Ana's page.
        let sofia = sign_in(&app, "sofia@demo.test").await;
        let theirs = load(&app, paths::CHANNELS, Some(&sofia), None).await;
        assert_eq!(theirs.how, RENDERED);
        assert!(theirs.body.contains("Sofía Herrera") && !theirs.body.contains("Ana Torres"));
        let omar = sign_in(&app, "omar@other.test").await;
        let stranger = load(&app, paths::CHANNELS, Some(&omar), None).await;
        assert!(stranger.body.contains("Omar Haddad") && !stranger.body.contains("Tacos"));
        let lucia = sign_in(&app, "lucia@demo.test").await;
        for _ in 0..2 {
            // Refused data (no Channels Admin role) is never kept either.
            let member = load(&app, paths::CHANNELS, Some(&lucia), None).await;
            assert_eq!(member.how, RENDERED_ONLY);
            assert!(member.body.contains("Channels Admin role") && !member.body.contains("Tacos"));
        }
        let anonymous = load(&app, paths::CHANNELS, None, None).await;
        assert!(anonymous.status.is_redirection() && anonymous.how.is_empty());

        // A change to a card: the next load renders the page that shows it.
        let form = format!("id={id}");
        let cut = send(
            &app,
            post_form("/api/disconnect_account", &form, None, Some(&ana)),
        )
        .await;
        assert_eq!(cut.status(), StatusCode::OK);
        let after = load(&app, paths::CHANNELS, Some(&ana), None).await;
        assert_eq!(after.how, RENDERED);
        assert_ne!(after.body, page.body);
        settled(&app, paths::CHANNELS, &ana, None).await;
        let disabled = send(
            &app,
            post_form("/api/disable_account", &form, None, Some(&ana)),
        )
        .await;
        assert_eq!(disabled.status(), StatusCode::OK);
        assert_ne!(
            load(&app, paths::CHANNELS, Some(&ana), None).await.how,
            KEPT
        );
        let shown = load(
            &app,
            &format!("{}?active=false", paths::CHANNELS),
            Some(&ana),
            None,
        )
        .await;
        assert!(shown.body.contains("Tacos") && shown.body.contains("Disabled"));

        // And back: rendered again, then kept again.
        settled(&app, paths::CHANNELS, &ana, None).await;
        let enabled = send(
            &app,
            post_form("/api/enable_account", &form, None, Some(&ana)),
        )
        .await;
        assert_eq!(enabled.status(), StatusCode::OK);
        assert_ne!(
            load(&app, paths::CHANNELS, Some(&ana), None).await.how,
            KEPT
        );
        settled(&app, paths::CHANNELS, &ana, None).await;
    })
    .await;
}

#[tokio::test]
async fn the_inbox_is_kept_until_a_message_or_a_read_changes_it() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let (_, ana) = connected_account(&app, "+525512345670", "Tacos").await;
        let message =
            |text: &str| format!(r#"{{"from":"+5215500000000","name":"Valeria","text":"{text}"}}"#);
        let path = "/simulator/api/phones/%2B525512345670/messages";
        assert_eq!(
            send(&app, post_json(path, &message("primer mensaje")))
                .await
                .status(),
            StatusCode::ACCEPTED
        );
        let shows = |page: &Served, text: &str| page.body.contains(text);
        let mut page = settled(&app, paths::INBOX, &ana, None).await;
        for _ in 0..300 {
            if shows(&page, "primer mensaje") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            page = settled(&app, paths::INBOX, &ana, None).await;
        }
        assert!(
            shows(&page, "primer mensaje") && shows(&page, UNREAD),
            "unread"
        );
        assert_scripts_allowed(&page);

        // A new message moves the list.
        assert_eq!(
            send(&app, post_json(path, &message("segundo")))
                .await
                .status(),
            StatusCode::ACCEPTED
        );
        let mut moved = load(&app, paths::INBOX, Some(&ana), None).await;
        for _ in 0..300 {
            if shows(&moved, "segundo") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            moved = load(&app, paths::INBOX, Some(&ana), None).await;
        }
        assert!(
            shows(&moved, "segundo"),
            "the kept list was served after a message"
        );
        assert_eq!(moved.how, RENDERED);

        // Carlos's list is his own; Ana reading the conversation moves hers, not his count.
        let carlos = sign_in(&app, "carlos@demo.test").await;
        let his = settled(&app, paths::INBOX, &carlos, None).await;
        assert!(shows(&his, "Carlos") && !shows(&his, "Ana Torres"));
        settled(&app, paths::INBOX, &ana, None).await;
        let inbox = send(&app, post_form("/api/load_inbox", "", None, Some(&ana))).await;
        let inbox: crate::views::inbox::InboxPage =
            serde_json::from_str(&body_text(inbox).await).unwrap();
        let read = format!("id={}", inbox.rows[0].id);
        let opened = send(
            &app,
            post_form("/api/load_conversation", &read, None, Some(&ana)),
        )
        .await;
        assert_eq!(opened.status(), StatusCode::OK);
        let after = load(&app, paths::INBOX, Some(&ana), None).await;
        assert_eq!(after.how, RENDERED);
        assert!(!shows(&after, UNREAD) && shows(&after, "segundo"), "read");
        // Reading it again changes nothing: the kept list stands.
        let again = send(
            &app,
            post_form("/api/load_conversation", &read, None, Some(&ana)),
        )
        .await;
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(load(&app, paths::INBOX, Some(&ana), None).await.how, KEPT);
    })
    .await;
}
