//! A file of the chat history over HTTP: stored by reference at the link, downloaded from
//! the phone the first time someone who may see it opens it, and honest when it cannot be.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::*;
use crate::i18n::refusals::StoredReason;
use crate::views::inbox::{ConversationPage, InboxPage, MediaView};

const PHONE: &str = "+525512340077";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really an image";

async fn linked_with_history_files(app: &Router) -> i64 {
    let id = add_demo_account(app).await;
    let qr = linking_qr(app, id).await;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let scan = serde_json::json!({
        "qr": qr, "phone": PHONE, "business_name": "Fotos",
        "history": [
            {"id": "HF1", "from": "+573001110001", "name": "Rosa", "at": yesterday,
             "media": {"filename": "recibo.png", "content_type": "image/png",
                       "base64": STANDARD.encode(PNG)}},
            {"id": "HF2", "from": "+573001110001", "name": "Rosa", "text": "la cotización",
             "at": yesterday,
             "media": {"filename": "cotizacion.pdf", "content_type": "application/pdf",
                       "base64": "JVBERi0xLjQ=", "gone": true}}
        ]
    });
    let bad = serde_json::json!({
        "qr": qr, "phone": PHONE, "business_name": "Fotos",
        "history": [{"id": "X", "from": "+573001110001", "at": yesterday,
                     "media": {"filename": "x.png", "content_type": "image/png", "base64": "%%"}}]
    });
    let refused = send(app, post_json(paths::SIMULATOR_SCAN, &bad.to_string())).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(refused)
        .await
        .contains("X: media.base64 must be base64"));
    let linked = send(app, post_json(paths::SIMULATOR_SCAN, &scan.to_string())).await;
    assert_eq!(linked.status(), StatusCode::OK);
    id
}

async fn conversation(app: &Router, cookie: &str) -> ConversationPage {
    for _ in 0..300 {
        let inbox = send(app, post_form("/api/load_inbox", "", None, Some(cookie))).await;
        let inbox: InboxPage = serde_json::from_str(&body_text(inbox).await).unwrap();
        if let Some(row) = inbox.rows.first() {
            let body = format!("id={}", row.id);
            let page = send(
                app,
                post_form("/api/load_conversation", &body, None, Some(cookie)),
            );
            let page: ConversationPage =
                serde_json::from_str(&body_text(page.await).await).unwrap();
            if page.messages.len() == 2 {
                return page;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the history never reached the inbox");
}

fn files(page: &ConversationPage) -> (MediaView, MediaView) {
    let media = |i: usize| page.messages[i].media.clone().expect("a file");
    (media(0), media(1))
}

#[tokio::test]
async fn a_history_file_is_downloaded_when_first_opened_by_someone_who_may_see_it() {
    with_db(|db| async move {
        let (app, media) = simulator_app_with_media(db).await;
        linked_with_history_files(&app).await;
        let ana = sign_in(&app, "ana@demo.test").await;
        let page = conversation(&app, &ana).await;
        let (photo, quote) = files(&page);
        assert!(photo.pending && quote.pending, "{page:?}");
        assert!(!photo.inline_image || photo.pending);
        assert_eq!(page.messages[0].text, "");
        assert_eq!(photo.size, format!("{} bytes", PNG.len()));
        // Nothing was downloaded at the link.
        assert!(!media.exists() || std::fs::read_dir(&media).unwrap().next().is_none());

        // Outsiders learn nothing, and nothing is downloaded for them.
        assert_eq!(
            send(&app, get(&photo.url, None)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let omar = sign_in(&app, "omar@other.test").await;
        assert_eq!(
            send(&app, get(&photo.url, Some(&omar))).await.status(),
            StatusCode::NOT_FOUND
        );
        let asked = format!("media={}", photo.id);
        let refused = send(
            &app,
            post_form("/api/load_media", &asked, None, Some(&omar)),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        let bad = send(
            &app,
            post_form("/api/load_media", "media=abc", None, Some(&ana)),
        )
        .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let none = send(
            &app,
            post_form("/api/load_media", "media=987654", None, Some(&ana)),
        )
        .await;
        assert_eq!(none.status(), StatusCode::NOT_FOUND);
        let page = conversation(&app, &ana).await;
        assert!(
            files(&page).0.pending,
            "an outsider's try downloaded nothing"
        );

        // A channels admin's Download fetches it from the phone; the page shows it in place.
        let carlos = sign_in(&app, "carlos@demo.test").await;
        let loaded = send(
            &app,
            post_form("/api/load_media", &asked, None, Some(&carlos)),
        )
        .await;
        assert_eq!(loaded.status(), StatusCode::OK);
        let loaded: ConversationPage = serde_json::from_str(&body_text(loaded).await).unwrap();
        let (photo, _) = files(&loaded);
        assert!(
            !photo.pending && photo.inline_image && photo.error.is_none(),
            "{photo:?}"
        );
        // The link as the page renders it, followed as the browser would, by each role.
        let file = send(&app, get(&photo.url, Some(&ana))).await;
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.headers()[header::CONTENT_TYPE], "image/png");
        let body = file.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], PNG);
        let lucia = sign_in(&app, "lucia@demo.test").await;
        let inbox = send(&app, post_form("/api/load_inbox", "", None, Some(&lucia))).await;
        let sees: InboxPage = serde_json::from_str(&body_text(inbox).await).unwrap();
        let expected = if sees.rows.is_empty() {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(
            send(&app, get(&photo.url, Some(&lucia))).await.status(),
            expected
        );

        // A file the phone no longer has: the reason, on the link and in the chat.
        let (_, quote) = files(&conversation(&app, &ana).await);
        let gone = send(&app, get(&quote.url, Some(&ana))).await;
        assert_eq!(gone.status(), StatusCode::CONFLICT);
        assert!(body_text(gone)
            .await
            .contains("the phone no longer has this file"));
        let (_, quote) = files(&conversation(&app, &ana).await);
        assert!(quote.pending);
        assert!(quote
            .error
            .unwrap_or_default()
            .contains("the phone no longer has this file"));

        // With the channel unlinked, the file waits for it to be connected again.
        let unlink = format!("/simulator/api/phones/{}/unlink", PHONE.replace('+', "%2B"));
        assert_eq!(
            send(&app, post_json(&unlink, "")).await.status(),
            StatusCode::OK
        );
        // Until the session has ended, the phone still answers (that the file is gone).
        let mut answer = (StatusCode::OK, String::new());
        for _ in 0..200 {
            let waiting = send(&app, get(&quote.url, Some(&ana))).await;
            answer = (waiting.status(), body_text(waiting).await);
            if answer
                .1
                .contains(&StoredReason::FileWaitsForConnection.english())
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(answer.0, StatusCode::CONFLICT, "{}", answer.1);
        assert!(
            answer
                .1
                .contains(&StoredReason::FileWaitsForConnection.english()),
            "{}",
            answer.1
        );
        let _ = std::fs::remove_dir_all(&media);
    })
    .await;
}
