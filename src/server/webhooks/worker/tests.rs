use super::*;
use crate::domain::webhooks::EventKind;
use crate::server::db::accounts::{self, Change};
use crate::server::db::webhooks::tests::{add_endpoint, admin, queued};
use crate::server::db::{companies, on_pool, testing::with_db};
use crate::server::webhooks::receiver::Receiver;
use crate::server::webhooks::signature;

fn worker(db: &Db, allow_private: bool) -> WebhookWorker {
    WebhookWorker {
        db: db.clone(),
        keys: None,
        allow_private,
    }
}

/// A company with an endpoint at `url` for every event, and a channel just added (one
/// `channel.status_changed` queued at `now`).
async fn company_with_endpoint(db: &Db, url: &str, now: i64) -> (i64, i64, i64) {
    let company = companies::insert(db, "Demo", true, 5).await.unwrap();
    let ana = admin(db, company).await;
    let endpoint = add_endpoint(db, company, ana.user_id, url, &EventKind::ALL).await;
    let channel = accounts::insert_within_limit(db, company, 5, Some(&ana), now)
        .await
        .unwrap()
        .unwrap();
    (company, endpoint, channel)
}

#[tokio::test]
async fn a_receiver_verifies_the_signature_and_the_event_id_of_each_event() {
    with_db(|db| async move {
        let (receiver, url) = Receiver::start(&[]).await;
        let now = now_ms();
        let (_, endpoint, channel) = company_with_endpoint(&db, &url, now).await;
        let linked = Change::Connected {
            phone: "+573001234567",
            business_name: "Tacos",
            credentials: "k",
        };
        accounts::apply(&db, channel, linked, None, now)
            .await
            .unwrap();
        assert_eq!(worker(&db, true).deliver_due(now).await.unwrap(), 2);
        let got = receiver.got();
        assert_eq!(got.len(), 2);
        for (headers, body) in &got {
            let header = headers[signature::HEADER].to_str().unwrap();
            assert!(
                signature::verify(
                    b"whsec_test",
                    header,
                    body.as_bytes(),
                    signature::unix_seconds(),
                    300
                ),
                "{header}"
            );
            assert!(!signature::verify(
                b"whsec_other",
                header,
                body.as_bytes(),
                signature::unix_seconds(),
                300
            ));
            let event: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(
                headers["aurora-event-id"].to_str().unwrap(),
                event["id"].as_str().unwrap()
            );
            assert_eq!(headers["aurora-event-type"], "channel.status_changed");
            assert_eq!(headers["content-type"], "application/json");
        }
        let last: serde_json::Value = serde_json::from_str(&got[1].1).unwrap();
        assert_eq!(last["data"]["status"], "connected");
        assert!(
            queued(&db).await.is_empty(),
            "delivered events leave the outbox"
        );
        let log = db::attempts(&db, endpoint, 10).await.unwrap();
        assert_eq!(log.len(), 2);
        assert!(log
            .iter()
            .all(|a| a.outcome == "delivered" && a.response_code == Some(200)));
        assert_eq!(
            worker(&db, true).deliver_due(now + 1).await.unwrap(),
            0,
            "nothing twice"
        );
    })
    .await;
}

#[tokio::test]
async fn a_receiver_that_fails_three_times_gets_the_event_once_after_retries() {
    with_db(|db| async move {
        let (receiver, url) = Receiver::start(&[500, 503, 502]).await;
        let t0 = now_ms();
        let (company, endpoint, _) = company_with_endpoint(&db, &url, t0).await;
        let worker = worker(&db, true);
        assert_eq!(worker.deliver_due(t0).await.unwrap(), 1);
        assert_eq!(
            worker.deliver_due(t0 + 1_000).await.unwrap(),
            0,
            "not before its retry is due"
        );
        for hour in 1..=3 {
            assert_eq!(worker.deliver_due(t0 + hour * 3_600_000).await.unwrap(), 1);
        }
        assert_eq!(worker.deliver_due(t0 + 5 * 3_600_000).await.unwrap(), 0);
        let got = receiver.got();
        assert_eq!(got.len(), 4);
        let ids: Vec<_> = got
            .iter()
            .map(|(h, _)| h["aurora-event-id"].clone())
            .collect();
        assert!(
            ids.iter().all(|id| *id == ids[0]),
            "the same event each time: {ids:?}"
        );
        assert!(
            got.iter().all(|(_, body)| *body == got[0].1),
            "the same body each time"
        );
        let log = db::attempts(&db, endpoint, 10).await.unwrap();
        let outcomes: Vec<_> = log
            .iter()
            .map(|a| (a.outcome.as_str(), a.response_code))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("delivered", Some(200)),
                ("failed", Some(502)),
                ("failed", Some(503)),
                ("failed", Some(500))
            ]
        );
        let first_retry = log[3].next_retry_at.unwrap() - log[3].at;
        assert!(
            (22_500..=37_500).contains(&first_retry),
            "30 s ± 25 %: {first_retry}"
        );
        let row = db::endpoint(&db, company, endpoint).await.unwrap().unwrap();
        assert_eq!(row.failures_in_row, 0, "a delivery clears the count");
    })
    .await;
}

#[tokio::test]
async fn a_delivery_a_stopped_server_had_claimed_goes_out_later() {
    with_db(|db| async move {
        let (receiver, url) = Receiver::start(&[]).await;
        let now = now_ms();
        let (company, _, _) = company_with_endpoint(&db, &url, now).await;
        // A server claims it and dies before sending.
        let claimed = db::claim_due(&db, now, now + 60_000, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(
            worker(&db, true).deliver_due(now + 1_000).await.unwrap(),
            0,
            "still claimed"
        );
        // Another server, once the claim has run out…
        assert_eq!(
            worker(&db, true).deliver_due(now + 61_000).await.unwrap(),
            1
        );
        assert_eq!(receiver.got().len(), 1);
        // …or, alone on SQLite, the same server when it starts again.
        accounts::insert_within_limit(&db, company, 5, None, now)
            .await
            .unwrap()
            .unwrap();
        db::claim_due(&db, now, now + 60_000, 10).await.unwrap();
        db::release_claims(&db).await.unwrap();
        let expected = match db {
            Db::Sqlite(_) => 1,
            Db::Postgres(_) => 0,
        };
        assert_eq!(
            worker(&db, true).deliver_due(now + 1_000).await.unwrap(),
            expected
        );
    })
    .await;
}

#[tokio::test]
async fn private_addresses_are_refused_without_the_override() {
    with_db(|db| async move {
        let (receiver, url) = Receiver::start(&[]).await;
        let now = now_ms();
        let (company, endpoint, _) = company_with_endpoint(&db, &url, now).await;
        let by = companies_admin(&db, company).await;
        let ten = add_endpoint(&db, company, by, "https://10.0.0.1/hook", &EventKind::ALL).await;
        let by_name = add_endpoint(
            &db,
            company,
            by,
            &url.replace("127.0.0.1", "localhost"),
            &EventKind::ALL,
        )
        .await;
        accounts::insert_within_limit(&db, company, 5, None, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            worker(&db, false).deliver_due(now).await.unwrap(),
            4,
            "the first endpoint's two, and one each"
        );
        assert!(receiver.got().is_empty(), "nothing reached 127.0.0.1");
        for id in [endpoint, ten, by_name] {
            let log = db::attempts(&db, id, 10).await.unwrap();
            assert!(!log.is_empty());
            for attempt in log {
                assert_eq!(attempt.outcome, "failed");
                let error = attempt.error.unwrap();
                assert!(error.contains("private or local address"), "{error}");
            }
        }
    })
    .await;
}

async fn companies_admin(db: &Db, company: i64) -> i64 {
    on_pool!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE company_id = $1 ORDER BY id LIMIT 1")
        .bind(company)
        .fetch_one(pool)
        .await)
    .unwrap()
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_a_day_of_failures_is_given_up() {
    with_db(|db| async move {
        let (receiver, url) = Receiver::start(&[307, 500]).await;
        let t0 = now_ms();
        let (company, endpoint, _) = company_with_endpoint(&db, &url, t0).await;
        let worker = worker(&db, true);
        worker.deliver_due(t0).await.unwrap();
        let log = db::attempts(&db, endpoint, 10).await.unwrap();
        assert_eq!(log[0].response_code, Some(307));
        assert!(log[0]
            .error
            .as_deref()
            .unwrap()
            .contains("redirects are not followed"));
        worker.deliver_due(t0 + 25 * 3_600_000).await.unwrap();
        let log = db::attempts(&db, endpoint, 10).await.unwrap();
        assert_eq!(log[0].outcome, "given_up");
        assert_eq!(log[0].next_retry_at, None);
        assert!(queued(&db).await.is_empty());
        assert_eq!(receiver.got().len(), 2);
        let row = db::endpoint(&db, company, endpoint).await.unwrap().unwrap();
        assert_eq!(row.failures_in_row, 2);
        assert_eq!(db::forget_settled_events(&db).await.unwrap(), 1);
    })
    .await;
}
