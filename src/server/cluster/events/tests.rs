//! Two servers of one cluster on a real PostgreSQL, hearing each other.

use std::sync::Arc;

use super::*;
use crate::server::boot::config::SimTimings;
use crate::server::db::testing::with_postgres;
use crate::server::db::{accounts, companies, Db};
use crate::server::drivers::simulator::{ScanOutcome, Simulator};
use crate::server::services::identity::{create_user, NewUser};
use crate::server::sessions::manager::{Health, Initiator, LinkState, ManagerOptions};
use crate::server::testing::eventually;

fn showing(manager: &SessionManager, account: i64) -> Option<String> {
    match manager.live(account).link {
        Some(LinkState::Showing { qr, .. }) => Some(qr),
        _ => None,
    }
}

pub(crate) struct TwoServers {
    pub company: i64,
    pub account: i64,
    pub sim: Simulator,
    pub a: SessionManager,
    pub b: SessionManager,
    /// Server a's membership (b's is not needed by any test).
    pub node_a: ClusterNode,
}

/// Two servers of one cluster on `pool`, both listening, and one new account.
pub(crate) async fn two_servers(pool: &sqlx::PgPool) -> TwoServers {
    let db = Db::Postgres(pool.clone());
    let company = companies::insert(&db, "Cluster", true, 5).await.unwrap();
    let account = accounts::insert_within_limit(&db, company, 5, None, 1)
        .await
        .unwrap()
        .unwrap();
    let sim = Simulator::new(SimTimings::default());
    let manager = |node: ClusterNode| {
        let driver = Arc::new(sim.clone());
        session_manager(
            &node,
            db.clone(),
            driver,
            ManagerOptions::default(),
            &Supervisor::new(),
        )
    };
    let node_a = ClusterNode::join(pool.clone(), "a".into()).await.unwrap();
    let a = manager(node_a.clone());
    let b = manager(ClusterNode::join(pool.clone(), "b".into()).await.unwrap());
    eventually(|| async {
        let listening: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'aurora-listener' \
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
        node_a,
    }
}

/// Links the rig's account through server a (its owner from then on), online.
async fn link_on_a(rig: &TwoServers, phone: &str) {
    rig.a
        .start_linking(rig.company, rig.account, None)
        .await
        .unwrap();
    let qr = eventually(|| async { showing(&rig.a, rig.account) }).await;
    let linked = rig.sim.scan(&qr, phone, "Ventas").await;
    assert_eq!(linked, ScanOutcome::Linked(rig.account));
    eventually(|| async {
        matches!(rig.a.live(rig.account).health, Some(Health::Online)).then_some(())
    })
    .await;
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

fn conversation(id: i64) -> PeerChange {
    PeerChange {
        company_id: 1,
        account_id: 2,
        removed: false,
        live: None,
        conversation: Some(id),
        send: false,
        epoch: 0,
    }
}

#[test]
fn a_burst_on_one_conversation_goes_out_once() {
    let account_change = PeerChange {
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
             WHERE application_name = 'aurora-listener' AND datname = current_database()",
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
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'aurora-listener' \
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
            ..
        } = two_servers(&pool).await;
        let db = Db::Postgres(pool.clone());
        let new_user = NewUser {
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
        let actor = Initiator {
            user_id: ana,
            name: "Ana".into(),
            address: "127.0.0.1".into(),
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

#[tokio::test]
async fn a_reply_typed_on_another_server_goes_out_once_through_the_owners_session() {
    use crate::server::cluster::{node as cluster, sends as cluster_sends};
    use crate::server::db::{now_ms, replies as stored};
    use crate::server::drivers::simulator::customer_message;
    use crate::server::services::replies::{deliver, Delivery, Outgoing as Reply};

    with_postgres(|pool| async move {
        let rig = two_servers(&pool).await;
        let db = Db::Postgres(pool.clone());
        link_on_a(&rig, "+573001112233").await;
        let customer = customer_message(None, "+573009998877", "Eva", "hola", None);
        assert!(rig.sim.deliver("+573001112233", customer).await);
        let conversation: i64 = eventually(|| async {
            sqlx::query_scalar("SELECT id FROM conversations WHERE account_id = $1")
                .bind(rig.account)
                .fetch_optional(&pool)
                .await
                .ok()
                .flatten()
        })
        .await;
        let stop = tokio_util::sync::CancellationToken::new();
        let sends = cluster_sends::run(rig.node_a.clone(), db.clone(), rig.a.clone(), stop.clone());
        tokio::spawn(sends);
        let mut pages_on_b = rig.b.subscribe_conversations();
        let status = |message: i64| {
            let pool = pool.clone();
            async move {
                sqlx::query_as::<_, (String, String)>(
                    "SELECT status, wa_message_id FROM messages WHERE id = $1",
                )
                .bind(message)
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };

        // Typed on b, which runs no session: a sends it, at once.
        let text = "¿En qué le ayudo?";
        let message = stored::insert_sending(
            &db,
            conversation,
            rig.account,
            text,
            None,
            "local-1",
            now_ms(),
        )
        .await
        .unwrap();
        let typed = Instant::now();
        let reply = Reply {
            company_id: rig.company,
            account_id: rig.account,
            conversation_id: conversation,
            message_id: message,
            to: "+573009998877",
            text,
            queue_when_offline: true,
        };
        assert_eq!(
            deliver(&db, &rig.b, &reply).await.unwrap(),
            Delivery::Handed
        );
        let sent = eventually(|| async {
            let outbox = rig.sim.outbox("+573001112233");
            (outbox.len() == 1).then(|| outbox[0].clone())
        })
        .await;
        let took = typed.elapsed();
        println!("a reply typed on another server went out after {took:?}");
        assert!(took < Duration::from_secs(1), "{took:?}");
        assert_eq!(
            (sent.to.as_str(), sent.text.as_str()),
            ("+573009998877", text)
        );
        eventually(|| async {
            // Sent, or already Delivered: the simulated customer acknowledges at once.
            let (state, id) = status(message).await;
            (matches!(state.as_str(), "sent" | "delivered") && id == sent.id).then_some(())
        })
        .await;
        let told = tokio::time::timeout(Duration::from_secs(5), pages_on_b.recv())
            .await
            .expect("b's inbox pages are told")
            .unwrap();
        assert_eq!(told.conversation_id, conversation);

        // A reply whose notice was lost still goes out, at the owner's next heartbeat.
        let unheard = stored::insert_sending(
            &db,
            conversation,
            rig.account,
            "¿Sigue ahí?",
            None,
            "local-2",
            now_ms(),
        )
        .await
        .unwrap();
        let waited = Instant::now();
        eventually(|| async {
            matches!(status(unheard).await.0.as_str(), "sent" | "delivered").then_some(())
        })
        .await;
        assert!(waited.elapsed() < cluster::RENEW_EVERY + Duration::from_secs(1));

        // Each went out once, through the one connection.
        tokio::time::sleep(cluster::RENEW_EVERY + Duration::from_millis(500)).await;
        assert_eq!(rig.sim.outbox("+573001112233").len(), 2);
        let log = rig.sim.connection_log();
        assert_eq!((log.connects, log.conflicts), (1, 0));
        stop.cancel();
    })
    .await;
}

#[tokio::test]
async fn a_notice_from_an_older_claim_changes_nothing() {
    use crate::server::cluster::notice::{WireHealth, WireLive};
    with_postgres(|pool| async move {
        let rig = two_servers(&pool).await;
        let notice = |epoch: i64, health: WireHealth| Notice {
            node: "elsewhere".into(),
            company: rig.company,
            account: rig.account,
            removed: false,
            live: Some(WireLive {
                link: None,
                pair_code: None,
                health: Some(health),
                reconnects: 0,
                last_activity_ms: None,
                unaccepted_since_ms: None,
                client_outdated: false,
                importing: None,
            }),
            conversation: None,
            send: false,
            epoch,
            seq: epoch as u64,
        };
        let stale = WireHealth::Reconnecting {
            attempt: 1,
            retry_in_ms: 1000,
            reason: Some("replaced".into()),
        };
        let mut origins = HashMap::new();
        apply(&rig.b, &mut origins, notice(5, WireHealth::Online));
        assert_eq!(rig.b.live(rig.account).health, Some(Health::Online));
        apply(&rig.b, &mut origins, notice(4, stale.clone()));
        assert_eq!(
            rig.b.live(rig.account).health,
            Some(Health::Online),
            "the server that lost the account (claim 4) does not speak for it"
        );
        apply(&rig.b, &mut origins, notice(6, stale));
        assert!(matches!(
            rig.b.live(rig.account).health,
            Some(Health::Reconnecting { .. })
        ));
    })
    .await;
}
