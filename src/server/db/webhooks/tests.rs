use super::*;
use crate::domain::webhooks::{events_column, EventKind};
use crate::server::db::account_data::{store_inbound, NewInbound, Routing};
use crate::server::db::accounts::{self, Change};
use crate::server::db::audit::tests::added_linked_lost_and_disconnected;
use crate::server::db::audit::Initiator;
use crate::server::db::{companies, testing::with_db};

pub(crate) async fn admin(db: &Db, company: i64) -> Initiator {
    let email = format!("ana{company}@demo.test");
    crate::server::db::audit::tests::person(db, company, &email, "Ana").await
}

/// A company and its Global Admin, Ana.
async fn company_with_admin(db: &Db) -> (i64, Initiator) {
    let company = companies::insert(db, "Demo", true, 5).await.unwrap();
    (company, admin(db, company).await)
}

pub(crate) async fn add_endpoint(
    db: &Db,
    company: i64,
    by: i64,
    url: &str,
    kinds: &[EventKind],
) -> i64 {
    let by = Initiator {
        user_id: by,
        name: "Ana".into(),
        address: "127.0.0.1".into(),
    };
    let new = NewEndpoint {
        company_id: company,
        url,
        events: &events_column(kinds),
        secret: b"whsec_test",
        sealed: false,
        by: &by,
        now: 1,
    };
    insert_endpoint(db, &new, 10).await.unwrap().unwrap()
}

/// (endpoint, kind, body) of every queued delivery, oldest first.
pub(crate) async fn queued(db: &Db) -> Vec<(i64, String, serde_json::Value)> {
    let rows: Vec<(i64, String, String)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT o.endpoint_id, v.kind, v.body FROM webhook_outbox o JOIN webhook_events v ON v.id = o.event_id ORDER BY o.id",
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    rows.into_iter()
        .map(|(e, k, b)| (e, k, serde_json::from_str(&b).unwrap()))
        .collect()
}

#[tokio::test]
async fn status_changes_are_queued_with_the_change_for_the_endpoints_that_want_them() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 5).await.unwrap();
        let other = companies::insert(&db, "Other", true, 5).await.unwrap();
        let ana = admin(&db, company).await;
        let statuses = add_endpoint(
            &db,
            company,
            ana.user_id,
            "https://a.example/h",
            &[EventKind::ChannelStatusChanged],
        )
        .await;
        let messages = add_endpoint(
            &db,
            company,
            ana.user_id,
            "https://b.example/h",
            &[EventKind::MessageReceived],
        )
        .await;
        let elsewhere = admin(&db, other).await;
        add_endpoint(
            &db,
            other,
            elsewhere.user_id,
            "https://c.example/h",
            &EventKind::ALL,
        )
        .await;

        // Added, connected, connection lost (not a change of status: no event), disconnected.
        let id = added_linked_lost_and_disconnected(&db, company, &ana).await;

        let events = queued(&db).await;
        let statuses_seen: Vec<&str> = events
            .iter()
            .map(|(_, _, b)| b["data"]["status"].as_str().unwrap())
            .collect();
        assert!(
            events
                .iter()
                .all(|(e, k, _)| *e == statuses && k == "channel.status_changed"),
            "{events:?}"
        );
        assert_eq!(
            statuses_seen.len(),
            3,
            "added, connected, disconnected: {events:?}"
        );
        assert_eq!(statuses_seen[1], "connected");
        assert_eq!(statuses_seen[2], "disconnected");
        let last = &events[2].2;
        assert_eq!(last["type"], "channel.status_changed");
        assert_eq!(last["data"]["channel"]["id"], id);
        assert_eq!(last["data"]["channel"]["phone"], "+573001234567");
        assert_eq!(last["data"]["reason"], "by_user");
        assert_eq!(last["data"]["by"], "Ana");
        assert!(last["id"].as_str().unwrap().starts_with("evt_"));

        // A message: for the endpoint that wants messages, once (a replay adds nothing).
        let routing = Routing {
            company_id: company,
            funnel_id: None,
            owner_user_id: None,
        };
        let message = NewInbound {
            account_id: id,
            routing: &routing,
            from: "+525512345678",
            name: "Cliente",
            text: "hola",
            wa_message_id: "wa-1",
            sent_at: 5,
            media: None,
            now: 5,
            fence: None,
        };
        store_inbound(&db, &message).await.unwrap().unwrap();
        assert!(store_inbound(&db, &message).await.unwrap().is_none());
        let events = queued(&db).await;
        let received: Vec<_> = events
            .iter()
            .filter(|(_, k, _)| k == "message.received")
            .collect();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].0, messages);
        assert_eq!(received[0].2["data"]["text"], "hola");
        assert_eq!(received[0].2["data"]["from"], "+525512345678");
        assert_eq!(received[0].2["data"]["channel_id"], id);
    })
    .await;
}

#[tokio::test]
async fn a_company_without_webhooks_queues_nothing_and_a_paused_endpoint_gets_nothing_new() {
    with_db(|db| async move {
        let (company, ana) = company_with_admin(&db).await;
        let id = accounts::insert_within_limit(&db, company, 5, Some(&ana), 1).await.unwrap().unwrap();
        assert!(queued(&db).await.is_empty());
        let hook = add_endpoint(&db, company, ana.user_id, "https://a.example/h", &EventKind::ALL).await;
        on_pool!(&db, pool => sqlx::query("UPDATE webhook_endpoints SET paused_at = 1, pause_reason = 'x' WHERE id = $1")
            .bind(hook)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        accounts::apply(&db, id, Change::Linking, Some(&ana), 2).await.unwrap();
        assert!(queued(&db).await.is_empty());
        assert!(resume(&db, company, hook, &ana, 3).await.unwrap());
        accounts::apply(&db, id, Change::LinkingInterrupted, None, 4).await.unwrap();
        assert!(queued(&db).await.is_empty(), "not a change of status");
        assert!(!resume(&db, company + 1, hook, &ana, 3).await.unwrap(), "another company's");
    })
    .await;
}

#[tokio::test]
async fn an_endpoint_is_paused_after_fifty_failures_in_a_row_and_keeps_its_last_hundred_tries() {
    with_db(|db| async move {
        let (company, ana) = company_with_admin(&db).await;
        let hook = add_endpoint(
            &db,
            company,
            ana.user_id,
            "https://a.example/h",
            &EventKind::ALL,
        )
        .await;
        for n in 0..120i64 {
            let tried = Tried {
                endpoint_id: hook,
                event_uid: "evt_x",
                kind: "aurora.test",
                at: n,
                outcome: "failed",
                response_code: Some(500),
                latency_ms: 3,
                error: Some("answered 500"),
                next_retry_at: None,
            };
            let paused = settle(&db, -1, Settled::Retry(n + 10), &tried, 50)
                .await
                .unwrap();
            assert_eq!(paused, n == 49, "paused at the 50th failure, once");
        }
        let row = endpoint(&db, company, hook).await.unwrap().unwrap();
        assert_eq!(row.failures_in_row, 120);
        assert_eq!(row.paused_at, Some(49));
        assert_eq!(row.pause_reason.as_deref(), Some("answered 500"));
        let log = attempts(&db, hook, 1000).await.unwrap();
        assert_eq!(log.len(), 100);
        assert_eq!(log[0].at, 119, "newest first");
        assert_eq!(log[99].at, 20);
        assert!(resume(&db, company, hook, &ana, 200).await.unwrap());
        let row = endpoint(&db, company, hook).await.unwrap().unwrap();
        assert_eq!((row.failures_in_row, row.paused_at), (0, None));
    })
    .await;
}

#[tokio::test]
async fn a_company_has_at_most_ten_endpoints_and_removes_only_its_own() {
    with_db(|db| async move {
        let (company, ana) = company_with_admin(&db).await;
        let mut ids = Vec::new();
        for n in 0..10 {
            ids.push(
                add_endpoint(
                    &db,
                    company,
                    ana.user_id,
                    &format!("https://a.example/{n}"),
                    &EventKind::ALL,
                )
                .await,
            );
        }
        let eleventh = NewEndpoint {
            company_id: company,
            url: "https://a.example/11",
            events: ",message.received,",
            secret: b"s",
            sealed: false,
            by: &ana,
            now: 1,
        };
        assert_eq!(insert_endpoint(&db, &eleventh, 10).await.unwrap(), None);
        assert!(!delete_endpoint(&db, company + 1, ids[0], &ana, 2)
            .await
            .unwrap());
        assert!(delete_endpoint(&db, company, ids[0], &ana, 2)
            .await
            .unwrap());
        assert!(insert_endpoint(&db, &eleventh, 10).await.unwrap().is_some());
        assert_eq!(endpoints(&db, company).await.unwrap().len(), 10);
    })
    .await;
}

#[tokio::test]
async fn a_reply_delivered_and_a_conversation_assigned_are_queued() {
    with_db(|db| async move {
        let (company, ana) = company_with_admin(&db).await;
        let hook = add_endpoint(&db, company, ana.user_id, "https://a.example/h", &[EventKind::MessageStatusChanged, EventKind::ConversationAssigned]).await;
        let id = added_linked_lost_and_disconnected(&db, company, &ana).await;
        let routing = Routing { company_id: company, funnel_id: None, owner_user_id: None };
        let message = NewInbound {
            account_id: id,
            routing: &routing,
            from: "+525512345678",
            name: "Cliente",
            text: "hola",
            wa_message_id: "wa-1",
            sent_at: 5,
            media: None,
            now: 5,
            fence: None,
        };
        let stored = store_inbound(&db, &message).await.unwrap().unwrap();
        on_pool!(&db, pool => sqlx::query("UPDATE messages SET direction = 'outbound', status = 'sent' WHERE wa_message_id = 'wa-1'")
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        let moved = crate::server::db::receipts::advance(&db, id, &["wa-1".into()], crate::domain::inbox::Receipt::Delivered, 10)
            .await
            .unwrap();
        assert_eq!(moved.len(), 1);
        crate::server::db::inbox::set_owner(&db, stored.conversation_id, Some(ana.user_id)).await.unwrap();
        let events = queued(&db).await;
        let kinds: Vec<&str> = events.iter().map(|(_, k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["message.status_changed", "conversation.assigned"]);
        assert!(events.iter().all(|(e, _, _)| *e == hook));
        assert_eq!(events[0].2["data"]["whatsapp_message_id"], "wa-1");
        assert_eq!(events[0].2["data"]["status"], "delivered");
        assert_eq!(events[1].2["data"]["owner"]["name"], "Ana");
        assert_eq!(events[1].2["data"]["conversation_id"], stored.conversation_id);
    })
    .await;
}

#[tokio::test]
async fn adding_resuming_and_removing_an_endpoint_are_in_the_audit_log_with_who_and_where() {
    use crate::server::db::audit::{audit_entries, AuditFilter};
    with_db(|db| async move {
        let (company, ana) = company_with_admin(&db).await;
        let hook = add_endpoint(
            &db,
            company,
            ana.user_id,
            "https://a.example/h",
            &EventKind::ALL,
        )
        .await;
        assert!(resume(&db, company, hook, &ana, 2).await.unwrap());
        assert!(!resume(&db, company + 1, hook, &ana, 3).await.unwrap());
        assert!(!delete_endpoint(&db, company + 1, hook, &ana, 3)
            .await
            .unwrap());
        assert!(delete_endpoint(&db, company, hook, &ana, 4).await.unwrap());
        assert!(
            !delete_endpoint(&db, company, hook, &ana, 5).await.unwrap(),
            "gone already"
        );
        let log = audit_entries(&db, company, AuditFilter::default(), None, 10)
            .await
            .unwrap();
        let seen: Vec<_> = log
            .iter()
            .map(|e| {
                (
                    e.action.as_str(),
                    e.details.as_str(),
                    e.actor_name.as_str(),
                    e.account_id,
                    e.at,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("webhook_removed", "https://a.example/h", "Ana", None, 4),
                ("webhook_resumed", "https://a.example/h", "Ana", None, 2),
                ("webhook_added", "https://a.example/h", "Ana", None, 1),
            ],
            "once each, newest first; refused and repeated actions write nothing"
        );
        let addresses: Vec<_> = log.iter().map(|e| e.address.as_deref()).collect();
        assert_eq!(
            addresses,
            [Some("203.0.113.7"), Some("203.0.113.7"), Some("127.0.0.1")]
        );
        assert!(log.iter().all(|e| e.subject.is_empty()), "no channel");
    })
    .await;
}
