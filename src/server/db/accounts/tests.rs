use super::*;
use crate::server::db::{companies, testing::with_db};

#[tokio::test]
async fn adding_stops_at_the_channel_limit_and_disabled_accounts_do_not_count() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 2).await.unwrap();
        let other = companies::insert(&db, "Other", true, 2).await.unwrap();
        let first = insert_within_limit(&db, company, 2, None, 1).await.unwrap().unwrap();
        insert_within_limit(&db, company, 2, None, 2).await.unwrap().unwrap();
        assert_eq!(insert_within_limit(&db, company, 2, None, 3).await.unwrap(), None);
        assert!(insert_within_limit(&db, other, 2, None, 3).await.unwrap().is_some(), "limits are per company");
        assert_eq!(count_toward_limit(&db, company).await.unwrap(), 2);

        on_pool!(&db, pool => sqlx::query("UPDATE whatsapp_accounts SET status = 'disabled' WHERE id = $1")
            .bind(first)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        assert_eq!(count_toward_limit(&db, company).await.unwrap(), 1);
        assert!(insert_within_limit(&db, company, 2, None, 4).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn status_changes_write_the_account_and_its_history_together() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 3).await.unwrap();
        let id = insert_within_limit(&db, company, 3, None, 1)
            .await
            .unwrap()
            .unwrap();
        let linked = Change::Connected {
            phone: "+5215512345678",
            business_name: "Tacos",
            credentials: "k",
        };
        apply(&db, id, linked, None, 10).await.unwrap();

        let row = get(&db, company, id).await.unwrap().unwrap();
        assert_eq!(row.status(), AccountStatus::Connected);
        assert_eq!(row.phone.as_deref(), Some("+5215512345678"));
        assert_eq!(row.business_name.as_deref(), Some("Tacos"));
        assert!(row.ever_linked);
        assert_eq!(credentials(&db, id).await.unwrap().as_deref(), Some("k"));
        assert_eq!(
            ids_with_status(&db, AccountStatus::Connected)
                .await
                .unwrap(),
            vec![(id, Some("k".into()))]
        );

        let by_ana = Change::Disconnected {
            reason: DisconnectReason::ByUser,
            initiator_name: Some("Ana Torres"),
            until_ms: None,
        };
        apply(&db, id, by_ana, None, 20).await.unwrap();
        let row = get(&db, company, id).await.unwrap().unwrap();
        assert_eq!(row.status(), AccountStatus::Disconnected);
        assert_eq!(row.disconnect_reason.as_deref(), Some("by_user"));
        assert_eq!(row.disconnect_actor.as_deref(), Some("Ana Torres"));
        assert_eq!(row.disconnected_at, Some(20));
        assert_eq!(
            row.phone.as_deref(),
            Some("+5215512345678"),
            "the number stays for the card"
        );
        assert_eq!(credentials(&db, id).await.unwrap(), None, "keys are wiped");

        record_event(&db, id, "qr_expired", None, 30).await.unwrap();
        let events: Vec<String> = history(&db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        assert_eq!(events, ["added", "connected", "disconnected", "qr_expired"]);
        assert_eq!(
            history(&db, id).await.unwrap()[2].1.as_deref(),
            Some("by_user")
        );
    })
    .await;
}

#[tokio::test]
async fn accounts_are_only_visible_within_their_company() {
    with_db(|db| async move {
        let demo = companies::insert(&db, "Demo", true, 3).await.unwrap();
        let other = companies::insert(&db, "Other", true, 3).await.unwrap();
        let a = insert_within_limit(&db, demo, 3, None, 1)
            .await
            .unwrap()
            .unwrap();
        let b = insert_within_limit(&db, demo, 3, None, 2)
            .await
            .unwrap()
            .unwrap();
        insert_within_limit(&db, other, 3, None, 3)
            .await
            .unwrap()
            .unwrap();
        assert!(get(&db, other, a).await.unwrap().is_none());
        let ids: Vec<i64> = list(&db, demo)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, vec![b, a], "newest first");
        remove(&db, a).await.unwrap();
        assert!(get_any(&db, a).await.unwrap().is_none());
        assert!(
            history(&db, a).await.unwrap().is_empty(),
            "history goes with the account"
        );
    })
    .await;
}

/// Ten Adds and ten Enables at once at 0 of 3: exactly three of each get through, on both
/// databases (on PostgreSQL the count used to see no concurrent insert: 8 Adds of 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_and_enables_stop_at_the_limit() {
    use crate::server::db::account_lifecycle::enable_within_limit;

    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 3).await.unwrap();
        let adds = (0..10).map(|n| {
            let db = db.clone();
            tokio::spawn(async move { insert_within_limit(&db, company, 3, None, n).await })
        });
        let made = futures::future::join_all(adds)
            .await
            .into_iter()
            .map(|joined| joined.unwrap().unwrap())
            .filter(Option::is_some)
            .count();
        assert_eq!(made, 3);
        assert_eq!(count_toward_limit(&db, company).await.unwrap(), 3);

        let other = companies::insert(&db, "Other", true, 3).await.unwrap();
        let admin = crate::server::db::users::NewUser {
            company_id: other,
            email: "admin@other.test",
            display_name: "Admin",
            password_hash: "x",
            global_admin: true,
            channels_admin: true,
        };
        let admin = crate::server::db::audit::Initiator {
            user_id: crate::server::db::users::insert(&db, &admin).await.unwrap(),
            name: "Admin".into(),
            address: "127.0.0.1".into(),
        };
        let mut disabled = Vec::new();
        for n in 0..10 {
            let id = insert_within_limit(&db, other, 100, None, n).await.unwrap().unwrap();
            disabled.push(id);
        }
        on_pool!(&db, pool => sqlx::query("UPDATE whatsapp_accounts SET status = 'disabled' WHERE company_id = $1")
            .bind(other)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        let enables = disabled.into_iter().map(|id| {
            let db = db.clone();
            let admin = admin.clone();
            tokio::spawn(async move { enable_within_limit(&db, other, id, 3, &admin, 5).await })
        });
        let enabled = futures::future::join_all(enables)
            .await
            .into_iter()
            .filter(|joined| matches!(joined, Ok(Ok(true))))
            .count();
        assert_eq!(enabled, 3);
        assert_eq!(count_toward_limit(&db, other).await.unwrap(), 3);
    })
    .await;
}
