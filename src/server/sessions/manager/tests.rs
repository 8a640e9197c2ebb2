//! The manager with the simulator as its driver, on a real database and real (short) timings.

use std::time::Duration;

use super::*;
use crate::server::boot::config::SimTimings;
use crate::server::db::{companies, testing::with_db, users};
use crate::server::drivers::simulator::{ScanOutcome, Simulator};
use crate::server::testing::eventually;

const TIMINGS: SimTimings = SimTimings {
    first_ms: 600,
    next_ms: 250,
    count: 3,
};

fn fast() -> ManagerOptions {
    ManagerOptions {
        backoff: Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
        },
        ..Default::default()
    }
}

fn ana() -> Initiator {
    Initiator {
        user_id: ANA,
        name: "Ana Torres".into(),
        address: "127.0.0.1".into(),
    }
}

/// Ana is the first user of the rig's database.
const ANA: i64 = 1;

struct Rig {
    db: Db,
    sim: Simulator,
    manager: SessionManager,
    company: i64,
}

impl Rig {
    async fn new(db: Db) -> Rig {
        let company = companies::insert(&db, "Demo", true, 10).await.unwrap();
        let ana = users::NewUser {
            company_id: company,
            email: "ana@demo.test",
            display_name: "Ana Torres",
            password_hash: "h",
            global_admin: true,
            channels_admin: true,
        };
        assert_eq!(users::insert(&db, &ana).await.unwrap(), ANA);
        let sim = Simulator::new(TIMINGS);
        let manager = SessionManager::new(db.clone(), Arc::new(sim.clone()), fast());
        Rig {
            db,
            sim,
            manager,
            company,
        }
    }

    async fn add(&self) -> i64 {
        let id = accounts::insert_within_limit(&self.db, self.company, 10, Some(&ana()), now_ms())
            .await
            .unwrap()
            .unwrap();
        self.manager
            .start_linking(self.company, id, Some(ana()))
            .await
            .unwrap();
        id
    }

    async fn status(&self, id: i64) -> Option<AccountStatus> {
        accounts::get_any(&self.db, id)
            .await
            .unwrap()
            .map(|r| r.status())
    }

    fn showing_qr(&self, id: i64) -> Option<String> {
        match self.manager.live(id).link {
            Some(LinkState::Showing { qr, .. }) => Some(qr),
            _ => None,
        }
    }

    async fn link(&self, id: i64, phone: &str) {
        let qr = eventually(|| async { self.showing_qr(id) }).await;
        assert_eq!(
            self.sim.scan(&qr, phone, "Tacos Ana").await,
            ScanOutcome::Linked(id)
        );
        eventually(|| async {
            (self.manager.live(id).health == Some(Health::Online)).then_some(())
        })
        .await;
    }

    async fn events(&self, id: i64) -> Vec<String> {
        accounts::history(&self.db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|(e, _)| e)
            .collect()
    }
}

#[tokio::test]
async fn add_shows_rotating_refs_then_a_scan_connects() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let mut changes = rig.manager.subscribe();
        let id = rig.add().await;
        let first = eventually(|| async { rig.showing_qr(id) }).await;
        assert!(matches!(rig.manager.live(id).link, Some(LinkState::Showing { ref svg, .. }) if svg.contains("<svg")));
        let second = eventually(|| async { rig.showing_qr(id).filter(|qr| *qr != first) }).await;
        assert_eq!(rig.sim.linking()[0].qr, second, "the page and the simulator agree on the current ref");

        rig.link(id, "+5215512345678").await;
        let row = accounts::get_any(&rig.db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), AccountStatus::Connected);
        assert_eq!(row.phone.as_deref(), Some("+5215512345678"));
        assert_eq!(row.business_name.as_deref(), Some("Tacos Ana"));
        assert!(changes.try_recv().is_ok(), "changes were published");
        assert_eq!(rig.events(id).await, ["added", "linking_started", "connected"]);
    })
    .await;
}

#[tokio::test]
async fn cancelling_a_new_account_removes_it_and_an_old_one_is_disconnected() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let fresh = rig.add().await;
        eventually(|| async { rig.showing_qr(fresh) }).await;
        rig.manager
            .cancel_linking(rig.company, fresh, ana())
            .await
            .unwrap();
        assert_eq!(rig.status(fresh).await, None);
        assert!(rig.sim.linking().is_empty(), "the attempt is closed");

        let old = rig.add().await;
        rig.link(old, "+573001234567").await;
        rig.manager
            .disconnect(rig.company, old, ana())
            .await
            .unwrap();
        rig.manager
            .start_linking(rig.company, old, Some(ana()))
            .await
            .unwrap();
        rig.manager
            .cancel_linking(rig.company, old, ana())
            .await
            .unwrap();
        let row = accounts::get_any(&rig.db, old).await.unwrap().unwrap();
        assert_eq!(row.status(), AccountStatus::Disconnected);
        assert_eq!(row.disconnect_reason.as_deref(), Some("linking_cancelled"));
    })
    .await;
}

#[tokio::test]
async fn an_unscanned_attempt_expires_and_a_new_code_can_be_generated() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        eventually(|| async {
            (rig.manager.live(id).link == Some(LinkState::Expired)).then_some(())
        })
        .await;
        assert_eq!(rig.status(id).await, Some(AccountStatus::Connecting));
        assert!(rig.events(id).await.contains(&"qr_expired".to_string()));

        rig.manager
            .start_linking(rig.company, id, Some(ana()))
            .await
            .unwrap();
        eventually(|| async { rig.showing_qr(id) }).await;
    })
    .await;
}

#[tokio::test]
async fn a_pairing_code_links_the_account() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        eventually(|| async { rig.showing_qr(id) }).await;
        let code = rig
            .manager
            .request_pair_code(rig.company, id, "+56912345678".into())
            .await
            .unwrap();
        assert_eq!(
            rig.manager.live(id).pair_code.as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            rig.sim
                .enter_pair_code("+56912345678", &code, "Santiago")
                .await,
            ScanOutcome::Linked(id)
        );
        eventually(|| async {
            (rig.manager.live(id).health == Some(Health::Online)).then_some(())
        })
        .await;
        assert_eq!(rig.status(id).await, Some(AccountStatus::Connected));
    })
    .await;
}

#[tokio::test]
async fn the_phone_unlinking_disconnects_with_that_reason() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        rig.link(id, "+5491112345678").await;
        rig.sim.unlink("+5491112345678").await;
        eventually(|| async {
            (rig.status(id).await == Some(AccountStatus::Disconnected)).then_some(())
        })
        .await;
        let row = accounts::get_any(&rig.db, id).await.unwrap().unwrap();
        assert_eq!(row.disconnect_reason.as_deref(), Some("unlinked_401"));
        assert_eq!(accounts::credentials(&rig.db, id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn disconnect_logs_the_device_out_and_wipes_its_keys() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        rig.link(id, "+5215500000001").await;
        let keys = accounts::credentials(&rig.db, id).await.unwrap().unwrap();
        rig.manager
            .disconnect(rig.company, id, ana())
            .await
            .unwrap();
        let row = accounts::get_any(&rig.db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), AccountStatus::Disconnected);
        assert_eq!(row.disconnect_actor.as_deref(), Some("Ana Torres"));
        assert!(
            rig.sim.phones().is_empty(),
            "the phone no longer lists the device"
        );
        let (tx, _rx) = mpsc::channel(4);
        let stale = rig.sim.open(id, Some(keys), tx).await;
        assert!(stale.is_err(), "the old keys are dead");
        let again = rig.manager.disconnect(rig.company, id, ana()).await;
        assert!(matches!(again, Err(ManagerError::Refused(_))), "{again:?}");
    })
    .await;
}

#[tokio::test]
async fn a_network_drop_reconnects_with_backoff_once_it_is_back() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        rig.link(id, "+5215500000002").await;
        rig.sim.set_network(false).await;
        eventually(|| async {
            matches!(rig.manager.live(id).health, Some(Health::Reconnecting { attempt, .. }) if attempt >= 3).then_some(())
        })
        .await;
        assert_eq!(rig.status(id).await, Some(AccountStatus::Connected), "still connected, only reconnecting");
        rig.sim.set_network(true).await;
        eventually(|| async { (rig.manager.live(id).health == Some(Health::Online)).then_some(()) }).await;
        let events = rig.events(id).await;
        assert!(events.ends_with(&["connection_lost".into(), "reconnected".into()]), "{events:?}");
        assert_eq!(rig.manager.live(id).reconnects, 1, "the health line counts the reconnect");
    })
    .await;
}

#[tokio::test]
async fn a_refused_version_keeps_the_keys_says_so_and_passes_once_whatsapp_accepts_it() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        rig.link(id, "+5215500000009").await;
        // A WhatsApp Web release: the session drops and the reconnect meets a 405.
        rig.sim.set_version_refused(None, true).await;
        eventually(|| async {
            let live = rig.manager.live(id);
            (live.client_outdated && matches!(live.health, Some(Health::Reconnecting { .. })))
                .then_some(())
        })
        .await;
        assert_eq!(
            rig.status(id).await,
            Some(AccountStatus::Connected),
            "not logged out"
        );
        assert!(
            accounts::credentials(&rig.db, id).await.unwrap().is_some(),
            "the keys are kept"
        );
        // A new QR attempt meets the same refusal.
        let again = rig.add().await;
        eventually(|| async {
            let live = rig.manager.live(again);
            (live.client_outdated && matches!(live.link, Some(LinkState::Unreachable { .. })))
                .then_some(())
        })
        .await;

        rig.sim.set_version_refused(None, false).await;
        eventually(|| async {
            let live = rig.manager.live(id);
            (live.health == Some(Health::Online) && !live.client_outdated).then_some(())
        })
        .await;
        eventually(|| async {
            let live = rig.manager.live(again);
            (!live.client_outdated && rig.showing_qr(again).is_some()).then_some(())
        })
        .await;
    })
    .await;
}

#[tokio::test]
async fn adding_while_whatsapp_is_unreachable_retries_until_it_is_back() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        rig.sim.set_network(false).await;
        let id = rig.add().await;
        eventually(|| async {
            matches!(
                rig.manager.live(id).link,
                Some(LinkState::Unreachable { .. })
            )
            .then_some(())
        })
        .await;
        assert_eq!(rig.status(id).await, Some(AccountStatus::Connecting));
        rig.sim.set_network(true).await;
        let qr = eventually(|| async { rig.showing_qr(id) }).await;
        assert_eq!(
            rig.sim.scan(&qr, "+5215500000009", "Back").await,
            ScanOutcome::Linked(id)
        );
    })
    .await;
}

#[tokio::test]
async fn texts_go_out_through_the_session_and_only_while_online() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        let refused = rig
            .manager
            .send_text(rig.company, id, "+573001112233".into(), "hola".into())
            .await;
        assert_eq!(refused, Err(ManagerError::NotConnected), "not linked yet");
        rig.link(id, "+5215500000003").await;
        let message_id = rig
            .manager
            .send_text(
                rig.company,
                id,
                "+573001112233".into(),
                "¿En qué le ayudo?".into(),
            )
            .await
            .unwrap();
        let outbox = rig.sim.outbox("+5215500000003");
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].id, message_id);
        assert_eq!(outbox[0].to, "+573001112233");
        assert_eq!(outbox[0].text, "¿En qué le ayudo?");
        let stats = rig.manager.session_stats(rig.company, id).await.unwrap();
        assert_eq!(stats.messages_sent, 1);
        assert!(stats.last_activity_ms > 0);

        rig.sim.set_network(false).await;
        eventually(|| async {
            matches!(
                rig.manager.live(id).health,
                Some(Health::Reconnecting { .. })
            )
            .then_some(())
        })
        .await;
        let offline = rig
            .manager
            .send_text(rig.company, id, "+573001112233".into(), "x".into())
            .await;
        assert_eq!(offline, Err(ManagerError::NotConnected));
        assert_eq!(
            rig.sim.outbox("+5215500000003").len(),
            1,
            "nothing was sent"
        );
    })
    .await;
}

#[tokio::test]
async fn the_health_line_learns_the_last_activity_from_the_session() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        rig.link(id, "+5215500000004").await;
        let message = crate::server::drivers::simulator::customer_message(
            None,
            "+573001112233",
            "Lucía",
            "Hola",
            None,
        );
        assert!(rig.sim.deliver("+5215500000004", message).await);
        let seen = eventually(|| async { rig.manager.live(id).last_activity_ms }).await;
        let stats = rig.manager.session_stats(rig.company, id).await.unwrap();
        assert_eq!(stats.messages_received, 1);
        assert!(
            stats.last_activity_ms <= seen + 1_000,
            "{stats:?} vs {seen}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_restart_resumes_connected_sessions_and_ends_pending_qrs() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let connected = rig.add().await;
        rig.link(connected, "+5215500000003").await;
        let pending = rig.add().await;
        eventually(|| async { rig.showing_qr(pending) }).await;
        rig.manager.shutdown(Duration::from_secs(2)).await;
        assert_eq!(rig.manager.running_actors(), 0);

        // A new process: same database, same simulated phones.
        let restarted = SessionManager::new(rig.db.clone(), Arc::new(rig.sim.clone()), fast());
        assert_eq!(restarted.recover().await.unwrap(), (1, 1));
        eventually(|| async {
            (restarted.live(connected).health == Some(Health::Online)).then_some(())
        })
        .await;
        // The attempt is over but the card stays where it was, offering a new code.
        let row = accounts::get_any(&rig.db, pending).await.unwrap().unwrap();
        assert_eq!(row.status(), AccountStatus::Connecting);
        assert_eq!(
            row.disconnect_reason.as_deref(),
            Some("linking_interrupted")
        );
        // A second restart finds it already ended and writes nothing more.
        let again = SessionManager::new(rig.db.clone(), Arc::new(rig.sim.clone()), fast());
        again.end_interrupted_links(&[pending]).await.unwrap();
        let interrupted = |events: &[String]| {
            events
                .iter()
                .filter(|e| *e == "linking_interrupted")
                .count()
        };
        assert_eq!(interrupted(&rig.events(pending).await), 1);

        // Generate new code: a fresh attempt, and the mark is gone.
        restarted
            .start_linking(rig.company, pending, Some(ana()))
            .await
            .unwrap();
        eventually(|| async {
            match restarted.live(pending).link {
                Some(LinkState::Showing { qr, .. }) => Some(qr),
                _ => None,
            }
        })
        .await;
        let row = accounts::get_any(&rig.db, pending).await.unwrap().unwrap();
        assert_eq!(row.disconnect_reason, None);
        restarted.shutdown(Duration::from_secs(2)).await;
    })
    .await;
}

#[tokio::test]
async fn a_crashed_actor_is_restarted_and_its_session_resumes() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        rig.link(id, "+5215500000004").await;
        rig.manager.crash_actor(rig.company, id).await;
        eventually(|| async { (rig.manager.actor_restarts() == 1).then_some(()) }).await;
        eventually(|| async { rig.sim.phones().iter().any(|(_, a)| *a == id).then_some(()) }).await;
        assert_eq!(rig.status(id).await, Some(AccountStatus::Connected));
        assert!(rig
            .events(id)
            .await
            .contains(&"actor_restarted".to_string()));
    })
    .await;
}

#[tokio::test]
async fn refused_actions_leave_the_account_as_it_was() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        let refused = rig.manager.disconnect(rig.company, id, ana()).await;
        assert!(matches!(refused, Err(ManagerError::Refused(_))));
        assert_eq!(rig.status(id).await, Some(AccountStatus::Connecting));
        let missing = rig.manager.start_linking(rig.company, 9_999, None).await;
        assert_eq!(missing, Err(ManagerError::NotFound));
    })
    .await;
}

mod history;
