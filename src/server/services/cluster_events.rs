//! Account changes between the servers of a cluster: each change this server publishes
//! goes out as a `pg_notify`, and one `PgListener` per server hands the others' changes to
//! its pages. A notice carries the live state only its owner knows (the QR, the health).

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::cluster::ClusterNode;
use crate::server::whatsapp::cluster_notice::{Notice, WireLive, CHANNEL};
use crate::server::whatsapp::manager::{Outgoing, SessionManager};

pub fn spawn(
    node: ClusterNode,
    manager: SessionManager,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
) {
    let sender = node.clone();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while outgoing.recv_many(&mut batch, 256).await > 0 {
            for change in coalesce(std::mem::take(&mut batch)) {
                send(&sender, change).await;
            }
        }
    });
    tokio::spawn(async move {
        let mut first = true;
        loop {
            if let Err(e) = listen(&node, &manager, first).await {
                tracing::warn!("cluster notices: {e}; listening again");
            }
            first = false;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

/// Under a burst of messages one conversation changes many times before its notice goes
/// out: it goes out once, at its latest place. Account changes all go, in order.
fn coalesce(batch: Vec<Outgoing>) -> Vec<Outgoing> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<Outgoing> = batch
        .into_iter()
        .rev()
        .filter(|change| change.conversation.is_none_or(|c| seen.insert(c)))
        .collect();
    kept.reverse();
    kept
}

async fn send(sender: &ClusterNode, change: Outgoing) {
    let notice = Notice {
        node: sender.id(),
        company: change.company_id,
        account: change.account_id,
        removed: change.removed,
        live: change
            .live
            .map(|live| WireLive::from_live(&live, Instant::now())),
        conversation: change.conversation,
    };
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(notice.payload())
        .execute(&sender.pool)
        .await;
    if let Err(e) = sent {
        tracing::warn!(
            account = change.account_id,
            "could not tell the other servers: {e}"
        );
    }
}

/// Listens until the connection is lost. Listening again after a loss, it tells every page
/// to read everything again once LISTEN is in place, so nothing missed stays missed.
async fn listen(
    node: &ClusterNode,
    manager: &SessionManager,
    first: bool,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(&node.pool).await?;
    listener.listen(CHANNEL).await?;
    if !first {
        manager.resync_pages();
    }
    loop {
        let Some(notification) = listener.try_recv().await? else {
            return Err(sqlx::Error::Protocol(
                "the listener's connection was lost".into(),
            ));
        };
        match serde_json::from_str::<Notice>(notification.payload()) {
            Ok(notice) if notice.node == node.id() => {}
            Ok(notice) => manager.apply_notice(notice),
            Err(e) => tracing::warn!("cluster notices: unreadable: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::server::config::SimTimings;
    use crate::server::db::testing::with_postgres;
    use crate::server::db::{accounts, companies, Db};
    use crate::server::services::identity::{create_user, NewAccount};
    use crate::server::testing::eventually;
    use crate::server::whatsapp::manager::{Actor, Health, LinkState, ManagerOptions};
    use crate::server::whatsapp::simulator::{ScanOutcome, Simulator};

    fn showing(manager: &SessionManager, account: i64) -> Option<String> {
        match manager.live(account).link {
            Some(LinkState::Showing { qr, .. }) => Some(qr),
            _ => None,
        }
    }

    struct TwoServers {
        company: i64,
        account: i64,
        sim: Simulator,
        a: SessionManager,
        b: SessionManager,
    }

    /// Two servers of one cluster on `pool`, both listening, and one new account.
    async fn two_servers(pool: &sqlx::PgPool) -> TwoServers {
        let db = Db::Postgres(pool.clone());
        let company = companies::insert(&db, "Cluster", true, 5).await.unwrap();
        let account = accounts::insert_within_limit(&db, company, 5, None, 1)
            .await
            .unwrap()
            .unwrap();
        let sim = Simulator::new(SimTimings::default());
        let manager = |node: ClusterNode| {
            let options = ManagerOptions {
                cluster: Some(node),
                ..Default::default()
            };
            SessionManager::new(db.clone(), Arc::new(sim.clone()), options)
        };
        let a = manager(ClusterNode::join(pool.clone(), "a".into()).await.unwrap());
        let b = manager(ClusterNode::join(pool.clone(), "b".into()).await.unwrap());
        eventually(|| async {
            let listening: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' \
                 AND datname = current_database()",
            )
            .fetch_one(pool)
            .await
            .ok()?;
            (listening >= 2).then_some(())
        })
        .await;
        TwoServers {
            company,
            account,
            sim,
            a,
            b,
        }
    }

    #[tokio::test]
    async fn a_qr_shown_by_one_server_reaches_the_pages_of_another() {
        with_postgres(|pool| async move {
            let TwoServers {
                company,
                account,
                a,
                b,
                ..
            } = two_servers(&pool).await;
            let mut pages_on_b = b.subscribe();

            a.start_linking(company, account, None).await.unwrap();
            let on_a = eventually(|| async { showing(&a, account) }).await;
            let on_b = eventually(|| async { showing(&b, account) }).await;
            assert_eq!(on_a, on_b, "server b shows the QR server a generated");
            let told = tokio::time::timeout(Duration::from_secs(5), pages_on_b.recv())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(told.account_id, account);

            // A change made on b, which runs no session for it, leaves a's live view alone.
            b.settings_changed(company, account);
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(showing(&a, account), Some(on_a));
        })
        .await;
    }

    fn conversation(id: i64) -> Outgoing {
        Outgoing {
            company_id: 1,
            account_id: 2,
            removed: false,
            live: None,
            conversation: Some(id),
        }
    }

    #[test]
    fn a_burst_on_one_conversation_goes_out_once() {
        let account_change = Outgoing {
            conversation: None,
            ..conversation(0)
        };
        let batch = vec![
            conversation(7),
            conversation(8),
            account_change,
            conversation(7),
            conversation(7),
        ];
        let kept: Vec<Option<i64>> = coalesce(batch).iter().map(|c| c.conversation).collect();
        assert_eq!(kept, vec![Some(8), None, Some(7)]);
    }

    #[tokio::test]
    async fn a_message_on_one_server_reaches_the_inbox_pages_of_another() {
        with_postgres(|pool| async move {
            let TwoServers {
                company,
                account,
                a,
                b,
                ..
            } = two_servers(&pool).await;
            let mut inbox_on_b = b.subscribe_conversations();
            a.conversation_changed(company, account, 42);
            let told = tokio::time::timeout(Duration::from_secs(5), inbox_on_b.recv())
                .await
                .expect("within 5 s")
                .unwrap();
            assert_eq!(
                (told.company_id, told.account_id, told.conversation_id),
                (company, account, 42)
            );
        })
        .await;
    }

    #[tokio::test]
    async fn a_lost_listener_listens_again_and_makes_every_page_resync() {
        with_postgres(|pool| async move {
            let TwoServers { b, .. } = two_servers(&pool).await;
            let mut resyncs = b.subscribe_resyncs();
            let cut = Instant::now();
            let killed: Vec<bool> = sqlx::query_scalar(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE query LIKE 'LISTEN%' AND datname = current_database()",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            assert_eq!(killed.len(), 2, "both servers' listeners");
            tokio::time::timeout(Duration::from_secs(6), resyncs.recv())
                .await
                .expect("a resync within 6 s")
                .unwrap();
            println!(
                "listener cut: pages told to resync after {:?}",
                cut.elapsed()
            );
            eventually(|| async {
                let listening: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' \
                     AND datname = current_database()",
                )
                .fetch_one(&pool)
                .await
                .ok()?;
                (listening >= 2).then_some(())
            })
            .await;
        })
        .await;
    }

    #[tokio::test]
    async fn disconnect_on_another_server_closes_the_owners_socket_at_once() {
        with_postgres(|pool| async move {
            let TwoServers {
                company,
                account,
                sim,
                a,
                b,
            } = two_servers(&pool).await;
            let db = Db::Postgres(pool.clone());
            let new_user = NewAccount {
                company_id: company,
                email: "ana@cluster.test",
                display_name: "Ana",
                password: "a long password",
                global_admin: true,
                channels_admin: true,
            };
            let ana = create_user(&db, new_user).await.unwrap();

            a.start_linking(company, account, None).await.unwrap();
            let qr = eventually(|| async { showing(&a, account) }).await;
            let linked = sim.scan(&qr, "+573001112233", "Ventas").await;
            assert_eq!(linked, ScanOutcome::Linked(account));
            eventually(|| async {
                matches!(a.live(account).health, Some(Health::Online)).then_some(())
            })
            .await;

            let clicked = Instant::now();
            let actor = Actor {
                user_id: ana,
                name: "Ana".into(),
            };
            b.disconnect(company, account, actor).await.unwrap();
            eventually(|| async { sim.connection_log().open.is_empty().then_some(()) }).await;
            let closed_after = clicked.elapsed();
            println!("disconnect on the other server: socket closed after {closed_after:?}");
            assert!(closed_after < Duration::from_secs(1), "{closed_after:?}");
            let log = sim.connection_log();
            assert_eq!(
                (log.connects, log.conflicts),
                (1, 0),
                "no second connection"
            );
            assert!(sim.phones().is_empty(), "the owner logged the device out");
            let status: String =
                sqlx::query_scalar("SELECT status FROM whatsapp_accounts WHERE id = $1")
                    .bind(account)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            assert_eq!(status, "disconnected");
        })
        .await;
    }
}
