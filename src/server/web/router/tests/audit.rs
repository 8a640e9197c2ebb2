//! A channel's History and the company's audit log (page, server function and CSV) for
//! each role: anonymous, member, Channels Admin, Global Admin, another company's admin.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;

use super::*;
use crate::views::activity::{AuditPage, HistoryPage};

/// A request as if from `peer`, the way the listener hands it over.
fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

/// Ana adds a channel from 198.51.100.4 and Carlos one from 2001:db8::7.
async fn two_adds(app: &Router) -> (i64, i64) {
    let mut ids = Vec::new();
    for (email, peer) in [
        ("ana@demo.test", "198.51.100.4:50000"),
        ("carlos@demo.test", "[2001:db8::7]:50000"),
    ] {
        let cookie = sign_in(app, email).await;
        let add = from_peer(post_form("/api/add_account", "", None, Some(&cookie)), peer);
        let response = send(app, add).await;
        assert_eq!(response.status(), StatusCode::OK, "{email} adds");
        let view: crate::views::channels::AccountView =
            serde_json::from_str(&body_text(response).await).unwrap();
        ids.push(view.id);
    }
    (ids[0], ids[1])
}

#[tokio::test]
async fn the_audit_log_is_for_the_companys_global_admins() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let (_, carlos_channel) = two_adds(&app).await;
        let ana = sign_in(&app, "ana@demo.test").await;
        let carlos = sign_in(&app, "carlos@demo.test").await;
        let lucia = sign_in(&app, "lucia@demo.test").await;
        let omar = sign_in(&app, "omar@other.test").await;

        // The server function.
        let call =
            |cookie: Option<&str>, form: &str| post_form("/api/audit_log", form, None, cookie);
        assert_eq!(
            send(&app, call(None, "")).await.status(),
            StatusCode::UNAUTHORIZED
        );
        for (who, cookie) in [("member", &lucia), ("channels admin", &carlos)] {
            let response = send(&app, call(Some(cookie), "")).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{who}");
            assert!(
                body_text(response).await.contains("Only global admins"),
                "{who} is told why"
            );
        }
        let response = send(&app, call(Some(&ana), "")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let page: AuditPage = serde_json::from_str(&body_text(response).await).unwrap();
        let who: Vec<_> = page
            .entries
            .iter()
            .map(|e| (e.by.as_str(), e.event.as_str(), e.address.as_deref()))
            .collect();
        assert_eq!(
            who,
            [
                ("Carlos Ruiz", "added", Some("2001:db8::7")),
                ("Ana Torres", "added", Some("198.51.100.4")),
            ],
            "each Add once, with its person and address, newest first"
        );
        let carlos_id = page.people.iter().find(|p| p.1 == "Carlos Ruiz").unwrap().0;
        let response = send(&app, call(Some(&ana), &format!("person={carlos_id}"))).await;
        let page: AuditPage = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].channel_id, Some(carlos_channel));
        let response = send(&app, call(Some(&ana), "channel=first")).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a filter that is no number"
        );
        let response = send(&app, call(Some(&omar), "")).await;
        let page: AuditPage = serde_json::from_str(&body_text(response).await).unwrap();
        assert!(
            page.entries.is_empty() && page.people.is_empty(),
            "nothing of another company"
        );

        // The CSV.
        let csv = |cookie: Option<&str>, query: &str| {
            get(&format!("{}{query}", paths::AUDIT_CSV), cookie)
        };
        assert_eq!(
            send(&app, csv(None, "")).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            send(&app, csv(Some(&lucia), "")).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(&app, csv(Some(&carlos), "")).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(&app, csv(Some(&ana), "?channel=first")).await.status(),
            StatusCode::BAD_REQUEST
        );
        let response = send(&app, csv(Some(&ana), "")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        assert!(response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let text = body_text(response).await;
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[1].contains(",Carlos Ruiz,2001:db8::7,added,"),
            "{text}"
        );
        assert!(
            lines[2].contains(",Ana Torres,198.51.100.4,added,"),
            "{text}"
        );
        let filtered =
            body_text(send(&app, csv(Some(&ana), &format!("?person={carlos_id}"))).await).await;
        assert_eq!(
            filtered.lines().count(),
            2,
            "the page's filters apply to the file"
        );
        let theirs = body_text(send(&app, csv(Some(&omar), "")).await).await;
        assert_eq!(
            theirs.lines().count(),
            1,
            "only the header for another company"
        );

        // The page.
        let page = send(&app, get(paths::AUDIT_LOG, None)).await;
        assert_eq!(location(&page), paths::LOGIN);
        let page = send(&app, get(paths::AUDIT_LOG, Some(&carlos))).await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        assert!(!body_text(page).await.contains("198.51.100.4"));
        let page = send(&app, get(paths::AUDIT_LOG, Some(&ana))).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = body_text(page).await;
        assert!(
            html.contains("198.51.100.4") && html.contains("Carlos Ruiz"),
            "rendered on the server"
        );
        assert!(
            html.contains(&format!("href=\"{}\"", paths::AUDIT_CSV)),
            "the export link"
        );
    })
    .await;
}

#[tokio::test]
async fn a_channels_history_is_for_its_companys_channels_admins() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let (ana_channel, _) = two_adds(&app).await;
        let form = format!("id={ana_channel}");
        let history = |cookie: Option<&str>, form: &str| {
            post_form("/api/channel_history", form, None, cookie)
        };
        assert_eq!(
            send(&app, history(None, &form)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let lucia = sign_in(&app, "lucia@demo.test").await;
        assert_eq!(
            send(&app, history(Some(&lucia), &form)).await.status(),
            StatusCode::FORBIDDEN
        );
        let omar = sign_in(&app, "omar@other.test").await;
        assert_eq!(
            send(&app, history(Some(&omar), &form)).await.status(),
            StatusCode::NOT_FOUND
        );
        let carlos = sign_in(&app, "carlos@demo.test").await;
        assert_eq!(
            send(&app, history(Some(&carlos), "id=seven"))
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let response = send(&app, history(Some(&carlos), &form)).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "any channels admin of the company"
        );
        let page: HistoryPage = serde_json::from_str(&body_text(response).await).unwrap();
        let events: Vec<_> = page
            .entries
            .iter()
            .map(|e| (e.event.as_str(), e.by.as_deref()))
            .collect();
        assert_eq!(events.last(), Some(&("added", Some("Ana Torres"))));
        assert!(
            events.iter().any(|(e, _)| *e == "linking_started"),
            "{events:?}"
        );
        assert!(!page.more);
    })
    .await;
}
