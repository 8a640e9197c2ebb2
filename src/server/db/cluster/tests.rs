//! Leases and ownership on a real PostgreSQL (the cluster does not exist on SQLite).

use std::collections::HashSet;

use super::*;
use crate::server::db::testing::with_postgres;
use crate::server::db::{accounts, companies, Db};

/// `n` accounts of one company, all Connected (meant to be online).
async fn connected_accounts(pool: &PgPool, n: usize) -> Vec<i64> {
    let db = Db::Postgres(pool.clone());
    let company = companies::insert(&db, "Cluster", true, 1000).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = accounts::insert_within_limit(&db, company, 1000, None, i as i64)
            .await
            .unwrap()
            .unwrap();
        ids.push(id);
    }
    sqlx::query("UPDATE whatsapp_accounts SET status = 'connected'")
        .execute(pool)
        .await
        .unwrap();
    ids
}

async fn expire_lease(pool: &PgPool, node: &str, seconds_ago: i64) {
    sqlx::query(
        "UPDATE cluster_nodes SET lease_until = now() - make_interval(secs => $2) WHERE id = $1",
    )
    .bind(node)
    .bind(seconds_ago as f64)
    .execute(pool)
    .await
    .unwrap();
}

/// Whether `node` owns the account under `epoch`, as the servers read it.
async fn owns(pool: &PgPool, node: &str, account: i64, epoch: i64) -> bool {
    owner_of(pool, account).await.unwrap() == Some((node.to_string(), epoch))
}

fn ids(claimed: &[Claimed]) -> HashSet<i64> {
    claimed.iter().map(|c| c.account_id).collect()
}

#[tokio::test]
async fn a_lease_that_ran_out_is_never_renewed() {
    with_postgres(|pool| async move {
        register(&pool, "a", "127.0.0.1:1").await.unwrap();
        register(&pool, "b", "127.0.0.1:2").await.unwrap();
        assert!(
            register(&pool, "a", "again").await.is_err(),
            "ids are unique"
        );
        assert!(renew(&pool, "a").await.unwrap());
        assert_eq!(live_nodes(&pool).await.unwrap(), 2);

        expire_lease(&pool, "b", 1).await;
        assert!(!renew(&pool, "b").await.unwrap(), "a dead lease stays dead");
        assert_eq!(live_nodes(&pool).await.unwrap(), 1);
        assert!(!renew(&pool, "nobody").await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn orphans_are_shared_out_and_a_live_owner_keeps_its_accounts() {
    with_postgres(|pool| async move {
        let all = connected_accounts(&pool, 6).await;
        register(&pool, "a", "x").await.unwrap();
        register(&pool, "b", "y").await.unwrap();

        let first = claim_orphans(&pool, "a", 3, 50).await.unwrap();
        assert_eq!(first.len(), 3, "never-owned accounts go by share");
        assert!(first.iter().all(|c| c.epoch == 1));
        assert_eq!(load(&pool, "a").await.unwrap(), (6, 3));

        let second = claim_orphans(&pool, "b", 10, 50).await.unwrap();
        assert_eq!(second.len(), 3, "only the accounts without a live owner");
        assert!(ids(&first).is_disjoint(&ids(&second)));
        assert_eq!(ids(&first).union(&ids(&second)).count(), all.len());
        assert!(claim_orphans(&pool, "b", 10, 50).await.unwrap().is_empty());

        // a dies: its accounts go by share at first, and to anyone once overdue.
        expire_lease(&pool, "a", 1).await;
        let early = claim_orphans(&pool, "b", 1, 50).await.unwrap();
        assert_eq!(early.len(), 1);
        assert_eq!(early[0].epoch, 2, "every claim raises the epoch");
        expire_lease(&pool, "a", OVERDUE_SECS + 1).await;
        let overdue = claim_orphans(&pool, "b", 0, 50).await.unwrap();
        assert_eq!(
            overdue.len(),
            2,
            "overdue orphans are taken whatever the share"
        );
        let (_, mine) = load(&pool, "b").await.unwrap();
        assert_eq!(mine, 6);
    })
    .await;
}

/// Claims that overlap in time: the second one's snapshot may predate the first one's
/// commit, so the "no live owner" test must be made again on the row it locks (a join
/// to the leases would be re-read as it was, and both nodes would take the account).
#[tokio::test]
async fn two_nodes_claiming_at_once_never_take_the_same_account() {
    with_postgres(|pool| async move {
        connected_accounts(&pool, 1000).await;
        register(&pool, "a", "x").await.unwrap();
        register(&pool, "b", "y").await.unwrap();
        for round in 0..20 {
            sqlx::query("UPDATE whatsapp_accounts SET owner_node = NULL")
                .execute(&pool)
                .await
                .unwrap();
            let (a, b) = tokio::join!(
                claim_orphans(&pool, "a", 100, 100),
                claim_orphans(&pool, "b", 100, 100)
            );
            let (a, b) = (ids(&a.unwrap()), ids(&b.unwrap()));
            let both: Vec<_> = a.intersection(&b).collect();
            assert!(both.is_empty(), "round {round}: both claimed {both:?}");
            let owners: Vec<(i64, Option<String>)> = sqlx::query_as(
                "SELECT id, owner_node FROM whatsapp_accounts WHERE owner_node IS NOT NULL",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            for (id, owner) in owners {
                let expected = if a.contains(&id) { "a" } else { "b" };
                assert_eq!(
                    owner.as_deref(),
                    Some(expected),
                    "round {round}: account {id}"
                );
            }
            assert_eq!(a.len() + b.len(), 200, "round {round}");
        }
    })
    .await;
}

#[tokio::test]
async fn release_and_leave_are_checked_against_the_epoch() {
    with_postgres(|pool| async move {
        let all = connected_accounts(&pool, 3).await;
        register(&pool, "a", "x").await.unwrap();
        let claimed = claim_orphans(&pool, "a", 3, 10).await.unwrap();
        let first = claimed[0];
        assert!(owns(&pool, "a", first.account_id, first.epoch).await);
        assert!(!owns(&pool, "a", first.account_id, first.epoch - 1).await);

        let newer = take(&pool, "a", first.account_id).await.unwrap();
        assert_eq!(newer, first.epoch + 1);
        assert!(
            !release(&pool, "a", first.account_id, first.epoch)
                .await
                .unwrap(),
            "a stale epoch releases nothing"
        );
        assert!(release(&pool, "a", first.account_id, newer).await.unwrap());
        assert!(!owns(&pool, "a", first.account_id, newer).await);

        assert_eq!(leave(&pool, "a").await.unwrap(), (all.len() - 1) as u64);
        assert_eq!(live_nodes(&pool).await.unwrap(), 0);
        register(&pool, "b", "y").await.unwrap();
        // Let go gracefully: overdue at once only after OVERDUE_SECS; by share before that.
        assert_eq!(claim_orphans(&pool, "b", 0, 10).await.unwrap().len(), 0);
        assert_eq!(claim_orphans(&pool, "b", 3, 10).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn long_dead_nodes_are_forgotten_and_their_accounts_stay_claimable() {
    with_postgres(|pool| async move {
        connected_accounts(&pool, 2).await;
        register(&pool, "old", "x").await.unwrap();
        claim_orphans(&pool, "old", 2, 10).await.unwrap();
        expire_lease(&pool, "old", 120).await;
        assert_eq!(forget_dead(&pool, 60).await.unwrap(), 1);
        register(&pool, "new", "y").await.unwrap();
        let claimed = claim_orphans(&pool, "new", 0, 10).await.unwrap();
        assert_eq!(
            claimed.len(),
            2,
            "orphaned since the dead lease ran out: overdue"
        );
    })
    .await;
}

#[tokio::test]
async fn a_dead_node_s_linking_attempt_is_ended_once_and_a_live_one_s_is_not() {
    with_postgres(|pool| async move {
        let all = connected_accounts(&pool, 3).await;
        let (dead, live, linked) = (all[0], all[1], all[2]);
        register(&pool, "dead", "x").await.unwrap();
        register(&pool, "live", "y").await.unwrap();
        take(&pool, "dead", dead).await.unwrap();
        take(&pool, "live", live).await.unwrap();
        take(&pool, "dead", linked).await.unwrap();
        sqlx::query("UPDATE whatsapp_accounts SET status = 'connecting' WHERE id = ANY($1)")
            .bind(vec![dead, live])
            .execute(&pool)
            .await
            .unwrap();
        expire_lease(&pool, "dead", 1).await;

        let ended = end_orphaned_links(&pool, 42).await.unwrap();
        assert_eq!(ids(&ended), HashSet::from([dead]), "only the dead node's QR");
        let (status, reason): (String, Option<String>) = sqlx::query_as(
            "SELECT status, disconnect_reason FROM whatsapp_accounts WHERE id = $1",
        )
        .bind(dead)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            (status.as_str(), reason.as_deref()),
            ("connecting", Some("linking_interrupted"))
        );
        assert!(
            end_orphaned_links(&pool, 43).await.unwrap().is_empty(),
            "ended once"
        );
        let logged: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM account_events WHERE event = 'linking_interrupted' AND account_id = $1",
        )
        .bind(dead)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(logged, 1);

        // Generate new code on a live node: its attempt is its own, never ended for it.
        take(&pool, "live", dead).await.unwrap();
        let db = Db::Postgres(pool.clone());
        accounts::apply(&db, dead, accounts::Change::Linking, None, 44)
            .await
            .unwrap();
        assert!(end_orphaned_links(&pool, 45).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_write_under_a_stale_claim_is_refused() {
    use crate::domain::account::DisconnectReason;
    use crate::server::db::account_data::{self, NewInbound};
    use crate::server::db::accounts::{apply_fenced, Change, Fence};
    with_postgres(|pool| async move {
        let db = Db::Postgres(pool.clone());
        let account = connected_accounts(&pool, 1).await[0];
        register(&pool, "a", "x").await.unwrap();
        let claimed = claim_orphans(&pool, "a", 1, 10).await.unwrap();
        let a = Fence {
            node: "a".into(),
            epoch: claimed[0].epoch,
        };
        let lost = || Change::Disconnected {
            reason: DisconnectReason::UnlinkedFromPhone,
            initiator_name: None,
            until_ms: None,
        };
        let relinked = Change::Connected {
            phone: "+573001112233",
            business_name: "Ventas",
            credentials: "sim1|+573001112233|d",
        };
        assert!(apply_fenced(&db, account, relinked, None, 1, Some(&a))
            .await
            .unwrap());

        // a freezes; b claims the account once a's lease has been over for a while.
        expire_lease(&pool, "a", OVERDUE_SECS + 1).await;
        register(&pool, "b", "y").await.unwrap();
        let taken = claim_orphans(&pool, "b", 0, 10).await.unwrap();
        assert_eq!(taken[0].epoch, a.epoch + 1);

        assert!(!apply_fenced(&db, account, lost(), None, 2, Some(&a))
            .await
            .unwrap());
        let (status, credentials): (String, Option<String>) =
            sqlx::query_as("SELECT status, credentials FROM whatsapp_accounts WHERE id = $1")
                .bind(account)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(status, "connected", "the stale owner's write was refused");
        assert!(credentials.is_some(), "and the keys were not wiped");
        let stale_events: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM account_events WHERE account_id = $1 AND at = 2",
        )
        .bind(account)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(stale_events, 0);

        // What the stale owner's session still receives is not stored by it either.
        let b = Fence {
            node: "b".into(),
            epoch: taken[0].epoch,
        };
        let routing = account_data::routing(&db, account).await.unwrap().unwrap();
        let inbound = |wa_id: &'static str, fence| NewInbound {
            account_id: account,
            routing: &routing,
            from: "+573009998877",
            name: "Eva",
            text: "hola",
            wa_message_id: wa_id,
            sent_at: 5,
            media: None,
            now: 5,
            fence,
        };
        let stale = account_data::store_inbound(&db, &inbound("3EB0STALE", Some(&a)))
            .await
            .unwrap();
        assert_eq!(stale, None, "refused under the old claim");
        let fresh = account_data::store_inbound(&db, &inbound("3EB0FRESH", Some(&b)))
            .await
            .unwrap();
        assert!(fresh.is_some(), "stored under the current claim");
        let stored: Vec<String> =
            sqlx::query_scalar("SELECT wa_message_id FROM messages WHERE account_id = $1")
                .bind(account)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(stored, vec!["3EB0FRESH".to_string()]);

        assert!(apply_fenced(&db, account, lost(), None, 3, Some(&b))
            .await
            .unwrap());
        assert!(
            apply_fenced(&db, account, lost(), None, 4, None)
                .await
                .unwrap(),
            "unfenced writes (a person's action) always go"
        );
    })
    .await;
}

#[tokio::test]
async fn a_session_connected_under_a_stale_claim_cannot_touch_the_keys() {
    use crate::server::db::accounts::Fence;
    use crate::server::db::key_rows::{KeyRow, KeyRows, NOT_OWNER};
    with_postgres(|pool| async move {
        let db = Db::Postgres(pool.clone());
        let account = connected_accounts(&pool, 1).await[0];
        register(&pool, "a", "x").await.unwrap();
        let a = Fence {
            node: "a".into(),
            epoch: take(&pool, "a", account).await.unwrap(),
        };
        let row = |value: &'static [u8]| KeyRow {
            key: "k",
            value,
            ..Default::default()
        };
        let keys_of_a = KeyRows::new(db.clone(), account).fenced(Some(a));
        keys_of_a.put("session", &[row(b"one")]).await.unwrap();

        register(&pool, "b", "y").await.unwrap();
        let b = Fence {
            node: "b".into(),
            epoch: take(&pool, "b", account).await.unwrap(),
        };
        let refused = keys_of_a.put("session", &[row(b"stale")]).await;
        assert!(
            matches!(&refused, Err(sqlx::Error::Protocol(m)) if m == NOT_OWNER),
            "{refused:?}"
        );
        assert!(keys_of_a.delete("session", &["k"]).await.is_err());
        assert!(keys_of_a.delete_by_aux("session", None).await.is_err());
        assert!(keys_of_a.set_flag("session", &["k"], true).await.is_err());
        let kept = keys_of_a.get("session", "k").await.unwrap().unwrap();
        assert_eq!(kept.value, b"one", "reads still work; nothing was written");

        let keys_of_b = KeyRows::new(db.clone(), account).fenced(Some(b));
        keys_of_b.put("session", &[row(b"two")]).await.unwrap();
        let now = keys_of_b.get("session", "k").await.unwrap().unwrap();
        assert_eq!(now.value, b"two", "the current owner writes");
    })
    .await;
}

/// The next notice within half a second, if any.
async fn next(listener: &mut sqlx::postgres::PgListener) -> Option<String> {
    let wait = tokio::time::timeout(std::time::Duration::from_millis(500), listener.recv());
    wait.await.ok().map(|n| n.unwrap().payload().to_string())
}

#[tokio::test]
async fn a_change_is_announced_by_the_transaction_that_commits_it_and_a_claim_is_not() {
    use sqlx::postgres::PgListener;
    with_postgres(|pool| async move {
        let account = connected_accounts(&pool, 1).await[0];
        let mut listener = PgListener::connect_with(&pool).await.unwrap();
        listener.listen("aurora_accounts").await.unwrap();

        register(&pool, "a", "x").await.unwrap();
        take(&pool, "a", account).await.unwrap();
        assert_eq!(
            next(&mut listener).await,
            None,
            "a claim alone is not announced"
        );

        let mut tx = pool.begin().await.unwrap();
        sqlx::query("UPDATE whatsapp_accounts SET status = 'disconnected' WHERE id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(
            next(&mut listener).await,
            None,
            "nothing for a rolled-back change"
        );

        sqlx::query("UPDATE whatsapp_accounts SET status = 'disconnected' WHERE id = $1")
            .bind(account)
            .execute(&pool)
            .await
            .unwrap();
        let notice: serde_json::Value =
            serde_json::from_str(&next(&mut listener).await.expect("announced")).unwrap();
        assert_eq!(notice["account"], account);
        assert_eq!(notice["removed"], false);
        assert_eq!(notice["epoch"], 1);
        let read: crate::server::cluster::notice::Notice =
            serde_json::from_value(notice).expect("servers read it as a notice");
        assert_eq!(read.live, None);
    })
    .await;
}
