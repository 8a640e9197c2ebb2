//! The inbox on a real database (SQLite, and PostgreSQL with TEST_POSTGRES_URL): the
//! visibility rule in lists, pages and media; replies and their states through the
//! simulator; scheduled messages sent exactly once across a restart.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::account::AccountStatus;
use crate::domain::inbox::{MessageStatus, ScheduleStatus};
use crate::error::AppError;
use crate::server::db::accounts::{self, Change};
use crate::server::db::inbox::{self as inbox_db, Cursor, InboxFilter};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{
    companies, funnels, now_ms, on_pool, replies as replies_db, testing::with_db, users, Db,
};
use crate::server::drivers::driver::InboundMedia;
use crate::server::drivers::simulator::{customer_message, ScanOutcome, Simulator};
use crate::server::media::MediaStore;
use crate::server::services::inbox::ListRequest;
use crate::server::services::{inbox, replies};
use crate::server::sessions::backoff::Backoff;
use crate::server::sessions::inbound;
use crate::server::sessions::manager::{Health, LinkState, ManagerOptions, SessionManager};
use crate::server::testing::eventually;
use crate::server::workers::scheduler;

const LINKED: &str = "+5215511110000";
const CUSTOMER: &str = "+573001234567";

/// A reply WhatsApp took: Sent, or already Delivered (the simulated customer's phone
/// acknowledges a moment later).
fn went_out(status: MessageStatus) -> bool {
    matches!(status, MessageStatus::Sent | MessageStatus::Delivered)
}

struct Rig {
    db: Db,
    sim: Simulator,
    manager: SessionManager,
    media: MediaStore,
    company: i64,
    account: i64,
    ana: SignedInUser,
    carlos: SignedInUser,
    lucia: SignedInUser,
    omar: SignedInUser,
}

fn session(id: i64, company_id: i64, name: &str, global_admin: bool) -> SignedInUser {
    SignedInUser {
        user_id: id,
        company_id,
        email: format!("{id}@inbox.test"),
        display_name: name.into(),
        global_admin,
        channels_admin: global_admin,
        company_name: "Demo".into(),
        subscription_active: true,
        signed_in_at: 0,
        last_seen_at: 0,
        language: None,
        company_language: None,
        address: String::new(),
    }
}

async fn user(db: &Db, company: i64, email: &str, name: &str, global_admin: bool) -> SignedInUser {
    let new = users::NewUser {
        company_id: company,
        email,
        display_name: name,
        password_hash: "h",
        global_admin,
        channels_admin: global_admin,
    };
    let id = users::insert(db, &new).await.unwrap();
    session(id, company, name, global_admin)
}

impl Rig {
    async fn new(db: Db) -> Rig {
        Rig::with_send_timeout(db, Duration::from_secs(30)).await
    }

    async fn with_send_timeout(db: Db, send_timeout: Duration) -> Rig {
        Rig::with_timeouts(db, send_timeout, Duration::from_secs(60)).await
    }

    async fn with_timeouts(db: Db, send_timeout: Duration, ack_timeout: Duration) -> Rig {
        let company = companies::insert(&db, "Demo", true, 10).await.unwrap();
        let other = companies::insert(&db, "Other", true, 10).await.unwrap();
        let ana = user(&db, company, "ana@inbox.test", "Ana Torres", true).await;
        let carlos = user(&db, company, "carlos@inbox.test", "Carlos Ruiz", false).await;
        let lucia = user(&db, company, "lucia@inbox.test", "Lucía Gómez", false).await;
        let omar = user(&db, other, "omar@inbox.test", "Omar Haddad", true).await;
        let funnel = funnels::insert(&db, company, "Sales", &[ana.user_id, carlos.user_id])
            .await
            .unwrap();
        let account = accounts::insert_within_limit(&db, company, 10, None, 1)
            .await
            .unwrap()
            .unwrap();
        on_pool!(&db, pool => sqlx::query(
            "UPDATE whatsapp_accounts SET name = 'Ventas MX', funnel_id = $2, owner_user_id = $3 WHERE id = $1",
        )
        .bind(account)
        .bind(funnel)
        .bind(carlos.user_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let sim = Simulator::new(crate::server::boot::config::SimTimings {
            first_ms: 5_000,
            next_ms: 5_000,
            count: 2,
        });
        let media = MediaStore::new(std::env::temp_dir().join(format!(
            "aurora-inbox-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        )));
        let options = ManagerOptions {
            backoff: Backoff {
                base: Duration::from_millis(20),
                max: Duration::from_millis(100),
            },
            media: media.clone(),
            send_timeout,
            ack_timeout,
            ..Default::default()
        };
        let manager = SessionManager::new(db.clone(), Arc::new(sim.clone()), options);
        Rig {
            db,
            sim,
            manager,
            media,
            company,
            account,
            ana,
            carlos,
            lucia,
            omar,
        }
    }

    async fn restrict_to(&self, users: &[&SignedInUser]) {
        on_pool!(&self.db, pool => sqlx::query("DELETE FROM account_restricted_users WHERE account_id = $1")
            .bind(self.account)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        for user in users {
            on_pool!(&self.db, pool => sqlx::query("INSERT INTO account_restricted_users (account_id, user_id) VALUES ($1, $2)")
                .bind(self.account)
                .bind(user.user_id)
                .execute(pool)
                .await
                .map(|_| ()))
            .unwrap();
        }
    }

    /// A customer's message stored as the driver would; returns its conversation.
    async fn receive(&self, from: &str, text: &str, media: Option<InboundMedia>) -> i64 {
        let message = customer_message(None, from, "Cliente", text, media);
        inbound::store(&self.db, &self.media, self.account, &message, None)
            .await
            .unwrap()
            .expect("stored")
            .conversation_id
    }

    /// WhatsApp becomes unreachable; returns once the session says it is reconnecting.
    async fn lose_network(&self) {
        self.sim.set_network(false).await;
        eventually(|| async {
            matches!(
                self.manager.live(self.account).health,
                Some(Health::Reconnecting { .. })
            )
            .then_some(())
        })
        .await;
    }

    async fn link(&self) {
        self.link_as(self.account, LINKED).await
    }

    async fn link_as(&self, account: i64, phone: &str) {
        self.manager
            .start_linking(self.company, account, None)
            .await
            .unwrap();
        let qr = eventually(|| async {
            match self.manager.live(account).link {
                Some(LinkState::Showing { qr, .. }) => Some(qr),
                _ => None,
            }
        })
        .await;
        assert_eq!(
            self.sim.scan(&qr, phone, "Ventas").await,
            ScanOutcome::Linked(account)
        );
        eventually(|| async {
            (self.manager.live(account).health == Some(Health::Online)).then_some(())
        })
        .await;
    }

    async fn ids(&self, viewer: &SignedInUser) -> Vec<i64> {
        inbox::page(&self.db, viewer, ListRequest::default())
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }
}

#[tokio::test]
async fn the_restricted_list_decides_who_sees_conversations_and_their_media() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let photo = InboundMedia {
            filename: "pedido.jpg".into(),
            content_type: "image/jpeg".into(),
            bytes: vec![0xFF, 0xD8, 0xFF, 0xE0],
        };
        let id = rig.receive(CUSTOMER, "Hola", Some(photo)).await;
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let media_id: i64 = page.messages[0]
            .media
            .as_ref()
            .unwrap()
            .url
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        // Empty list: everyone in the company.
        for viewer in [&rig.ana, &rig.carlos, &rig.lucia] {
            assert_eq!(rig.ids(viewer).await, vec![id], "{}", viewer.display_name);
            assert!(inbox_db::media(&rig.db, viewer.viewer(), media_id)
                .await
                .unwrap()
                .is_some());
        }
        // Another company: never, not even its global admin.
        assert!(rig.ids(&rig.omar).await.is_empty());
        assert_eq!(
            inbox::conversation(&rig.db, &rig.omar, id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert!(inbox_db::media(&rig.db, rig.omar.viewer(), media_id)
            .await
            .unwrap()
            .is_none());

        // Restricted to Ana and Carlos: Lucía loses the list, the page and the file.
        rig.restrict_to(&[&rig.ana, &rig.carlos]).await;
        assert_eq!(rig.ids(&rig.carlos).await, vec![id]);
        assert!(rig.ids(&rig.lucia).await.is_empty());
        assert_eq!(
            inbox::conversation(&rig.db, &rig.lucia, id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert!(inbox_db::media(&rig.db, rig.lucia.viewer(), media_id)
            .await
            .unwrap()
            .is_none());
        assert!(
            !inbox_db::may_see_account(&rig.db, rig.lucia.viewer(), rig.account)
                .await
                .unwrap()
        );
        let sent = replies::send(&rig.db, &rig.manager, &rig.lucia, id, "hola").await;
        assert_eq!(
            sent.unwrap_err(),
            AppError::NotFound,
            "she can't reply either"
        );

        // Restricted to Carlos only: a global admin still sees it.
        rig.restrict_to(&[&rig.carlos]).await;
        assert_eq!(rig.ids(&rig.ana).await, vec![id]);
        assert!(
            inbox_db::may_see_account(&rig.db, rig.ana.viewer(), rig.account)
                .await
                .unwrap()
        );

        // The list emptied: Lucía sees it again.
        rig.restrict_to(&[]).await;
        assert_eq!(rig.ids(&rig.lucia).await, vec![id]);
        let _ = tokio::fs::remove_dir_all(rig.media.root()).await;
    })
    .await;
}

#[tokio::test]
async fn new_conversations_get_the_channel_owner_and_the_list_pages_by_activity() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let mut expected = Vec::new();
        for n in 0..120 {
            let from = format!("+5730012{n:05}");
            expected.push(rig.receive(&from, &format!("mensaje {n}"), None).await);
        }
        expected.reverse(); // newest first
        let first = inbox::page(&rig.db, &rig.lucia, ListRequest::default())
            .await
            .unwrap();
        assert_eq!(first.rows.len(), 50);
        assert_eq!(first.rows[0].owner.as_deref(), Some("Carlos Ruiz"));
        assert_eq!(first.rows[0].channel, "Ventas MX");
        assert_eq!(first.rows[0].last_message, "mensaje 119");
        let mut seen: Vec<i64> = first.rows.iter().map(|r| r.id).collect();
        let mut next = first.next;
        while let Some(after) = next {
            let page = inbox::page(
                &rig.db,
                &rig.lucia,
                ListRequest {
                    after: Some(&after),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            seen.extend(page.rows.iter().map(|r| r.id));
            next = page.next;
        }
        assert_eq!(seen, expected, "every conversation once, newest first");

        // Filters: another channel's conversations are not listed under this one.
        let filter = InboxFilter {
            account_id: Some(rig.account + 1000),
            ..Default::default()
        };
        let none = inbox_db::list(&rig.db, rig.lucia.viewer(), &filter, None::<Cursor>, 10)
            .await
            .unwrap();
        assert!(none.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_owner_can_be_any_member_of_the_funnel() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        let page = inbox::set_owner(
            &rig.db,
            &rig.manager,
            &rig.carlos,
            id,
            Some(rig.ana.user_id),
        )
        .await
        .unwrap();
        assert_eq!(page.owner.as_deref(), Some("Ana Torres"));
        let names: Vec<_> = page.owner_choices.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ana Torres", "Carlos Ruiz"]);
        let refused = inbox::set_owner(
            &rig.db,
            &rig.manager,
            &rig.carlos,
            id,
            Some(rig.lucia.user_id),
        )
        .await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "Lucía is not in Sales"
        );
        let cleared = inbox::set_owner(&rig.db, &rig.manager, &rig.carlos, id, None)
            .await
            .unwrap();
        assert_eq!(cleared.owner, None);
    })
    .await;
}

#[tokio::test]
async fn replies_go_out_through_the_session_and_record_their_state() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        // Not linked: refused, nothing stored, the conversation stays readable.
        let refused = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "Buenas").await;
        assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
        assert_eq!(
            inbox::conversation(&rig.db, &rig.carlos, id)
                .await
                .unwrap()
                .messages
                .len(),
            1
        );

        rig.link().await;
        let mut changes = rig.manager.subscribe_conversations();
        let page = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "  Buenas tardes  ")
            .await
            .unwrap();
        let reply = page.messages.last().unwrap();
        assert!(reply.outbound);
        assert_eq!(reply.text, "Buenas tardes");
        assert!(went_out(reply.status), "{reply:?}");
        assert_eq!(reply.author.as_deref(), Some("Carlos Ruiz"));
        assert_eq!(
            changes.recv().await.unwrap().conversation_id,
            id,
            "open pages hear of it"
        );
        let outbox = rig.sim.outbox(LINKED);
        assert_eq!(outbox.len(), 1);
        assert_eq!(
            (outbox[0].to.as_str(), outbox[0].text.as_str()),
            (CUSTOMER, "Buenas tardes")
        );
        let listed = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.rows[0].last_message, "Buenas tardes");
        assert!(listed.rows[0].last_message_ours, "the list says You:");

        // The session drops: the reply waits, queued, and goes out once when it is back.
        rig.lose_network().await;
        let page = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "¿Sigue ahí?")
            .await
            .unwrap();
        assert!(
            page.reconnecting,
            "the page says the channel is reconnecting"
        );
        let queued = page.messages.last().unwrap().clone();
        assert_eq!(queued.status, MessageStatus::Queued, "{queued:?}");
        assert_eq!(rig.sim.outbox(LINKED).len(), 1, "nothing more went out");
        rig.sim.set_network(true).await;
        eventually(|| async {
            (rig.manager.live(rig.account).health == Some(Health::Online)).then_some(())
        })
        .await;
        scheduler::sweep_queued(&rig.db, &rig.manager)
            .await
            .unwrap();
        scheduler::sweep_queued(&rig.db, &rig.manager)
            .await
            .unwrap();
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let sent = page.messages.iter().find(|m| m.id == queued.id).unwrap();
        assert!(went_out(sent.status), "{sent:?}");
        let texts: Vec<String> = rig.sim.outbox(LINKED).into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["Buenas tardes", "¿Sigue ahí?"], "sent once");
        let again = replies::retry(&rig.db, &rig.manager, &rig.carlos, id, queued.id, false).await;
        assert!(
            matches!(again, Err(AppError::Conflict(_))),
            "a sent message is not retried"
        );

        // Bad input is refused before anything is stored.
        let empty = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "  ").await;
        assert!(matches!(empty, Err(AppError::Invalid(_))));
        let long = replies::send(&rig.db, &rig.manager, &rig.carlos, id, &"x".repeat(4097)).await;
        assert!(matches!(long, Err(AppError::Invalid(_))));

        // Disconnected: refused with a reason; the thread is still there.
        let gone = Change::Disconnected {
            reason: crate::domain::account::DisconnectReason::ByUser,
            initiator_name: Some("Ana"),
            until_ms: None,
        };
        rig.manager.shutdown(Duration::from_secs(1)).await;
        accounts::apply(&rig.db, rig.account, gone, None, now_ms())
            .await
            .unwrap();
        let refused = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "hola").await;
        match refused {
            Err(AppError::Conflict(reason)) => assert!(reason.contains("Disconnected"), "{reason}"),
            other => panic!("{other:?}"),
        }
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        assert_eq!(page.channel_status, AccountStatus::Disconnected);
        assert!(page.reply_blocked.is_some());
        assert_eq!(
            page.messages.len(),
            3,
            "Hola, the reply, and the one that waited"
        );
    })
    .await;
}

#[tokio::test]
async fn scheduled_messages_go_out_once_even_across_a_restart() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        // Two messages fell due while "the server was down"; a third is in the future.
        let past = now_ms() - 60_000;
        for text in ["Recordatorio 1", "Recordatorio 2"] {
            replies_db::schedule(
                &rig.db,
                id,
                rig.account,
                text,
                past,
                rig.carlos.user_id,
                past - 1,
            )
            .await
            .unwrap();
        }
        let later = replies_db::schedule(
            &rig.db,
            id,
            rig.account,
            "Mañana",
            now_ms() + 3_600_000,
            rig.carlos.user_id,
            now_ms(),
        )
        .await
        .unwrap();

        // Start: both due go out; running again (a second scheduler, or a restart) sends nothing more.
        assert_eq!(scheduler::recover(&rig.db, &rig.manager).await.unwrap(), 0);
        assert_eq!(scheduler::run_due(&rig.db, &rig.manager).await.unwrap(), 2);
        assert_eq!(scheduler::run_due(&rig.db, &rig.manager).await.unwrap(), 0);
        let (a, b) = tokio::join!(
            scheduler::run_due(&rig.db, &rig.manager),
            scheduler::run_due(&rig.db, &rig.manager)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 0);
        let texts: Vec<String> = rig.sim.outbox(LINKED).into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["Recordatorio 1", "Recordatorio 2"]);
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let states: Vec<_> = page.scheduled.iter().map(|s| s.status).collect();
        assert_eq!(
            states,
            [
                ScheduleStatus::Sent,
                ScheduleStatus::Sent,
                ScheduleStatus::Pending
            ]
        );
        assert_eq!(
            page.messages
                .iter()
                .filter(|m| m.outbound && went_out(m.status))
                .count(),
            2
        );

        // One claimed by a run that died before it knew the outcome: failed at restart, never resent.
        let claimed = replies_db::schedule(
            &rig.db,
            id,
            rig.account,
            "Interrumpido",
            past,
            rig.carlos.user_id,
            past,
        )
        .await
        .unwrap();
        assert!(replies_db::claim(&rig.db, claimed, now_ms(), "local")
            .await
            .unwrap());
        assert_eq!(scheduler::recover(&rig.db, &rig.manager).await.unwrap(), 1);
        assert_eq!(scheduler::run_due(&rig.db, &rig.manager).await.unwrap(), 0);
        assert_eq!(rig.sim.outbox(LINKED).len(), 2);
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let interrupted = page.scheduled.iter().find(|s| s.id == claimed).unwrap();
        assert_eq!(interrupted.status, ScheduleStatus::Failed);
        assert!(interrupted.failure.as_deref().unwrap().contains("stopped"));

        // Cancel works before it goes, and not after.
        let page = replies::cancel(&rig.db, &rig.manager, &rig.carlos, id, later)
            .await
            .unwrap();
        assert_eq!(
            page.scheduled
                .iter()
                .find(|s| s.id == later)
                .unwrap()
                .status,
            ScheduleStatus::Cancelled
        );
        assert!(matches!(
            replies::cancel(&rig.db, &rig.manager, &rig.carlos, id, later).await,
            Err(AppError::Conflict(_))
        ));

        // Scheduling checks the time and who asks.
        let sched = scheduler::Scheduler::default();
        let past_time = replies::schedule(
            &rig.db,
            &rig.manager,
            &sched,
            &rig.carlos,
            id,
            "x",
            now_ms() - 1,
        )
        .await;
        assert!(matches!(past_time, Err(AppError::Invalid(_))));
        let stranger = replies::schedule(
            &rig.db,
            &rig.manager,
            &sched,
            &rig.omar,
            id,
            "x",
            now_ms() + 60_000,
        )
        .await;
        assert_eq!(stranger.unwrap_err(), AppError::NotFound);
    })
    .await;
}

#[tokio::test]
async fn open_pages_hear_of_each_change_to_a_scheduled_message() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        // Carlos has read it: only the schedule's changes are heard, not his reading.
        inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let mut changes = rig.manager.subscribe_conversations();
        let mut notices = move || {
            let mut heard = 0;
            while let Ok(change) = changes.try_recv() {
                assert_eq!(change.conversation_id, id);
                heard += 1;
            }
            heard
        };
        // Another agent with the conversation open sees it scheduled and cancelled.
        let sched = scheduler::Scheduler::default();
        let later = now_ms() + 3_600_000;
        let page = replies::schedule(
            &rig.db,
            &rig.manager,
            &sched,
            &rig.carlos,
            id,
            "Luego",
            later,
        )
        .await
        .unwrap();
        assert_eq!(notices(), 1, "scheduled");
        replies::cancel(&rig.db, &rig.manager, &rig.carlos, id, page.scheduled[0].id)
            .await
            .unwrap();
        assert_eq!(notices(), 1, "cancelled");

        let due = now_ms() - 1_000;
        replies_db::schedule(&rig.db, id, rig.account, "Ya", due, rig.carlos.user_id, due)
            .await
            .unwrap();
        assert_eq!(scheduler::run_due(&rig.db, &rig.manager).await.unwrap(), 1);
        // A page reloads on each notice. The message's own notice comes before the scheduled
        // row is finished, so only a later one lets the page show the row as Sent.
        assert_eq!(
            notices(),
            2,
            "one when the message is sent, one when its row is"
        );
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let states: Vec<_> = page.scheduled.iter().map(|s| s.status).collect();
        assert_eq!(
            states,
            [ScheduleStatus::Sent, ScheduleStatus::Cancelled],
            "by when they are due"
        );
    })
    .await;
}

#[tokio::test]
async fn a_scheduler_stopped_mid_run_sends_each_message_once_after_the_restart() {
    use crate::server::boot::supervisor::{Phase, Supervisor};

    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        let past = now_ms() - 60_000;
        let texts: Vec<String> = (1..=20).map(|n| format!("Aviso {n}")).collect();
        for text in &texts {
            replies_db::schedule(
                &rig.db,
                id,
                rig.account,
                text,
                past,
                rig.carlos.user_id,
                past,
            )
            .await
            .unwrap();
        }
        let run = |supervisor: &Supervisor| {
            let (db, manager) = (rig.db.clone(), rig.manager.clone());
            supervisor.spawn(Phase::Workers, "scheduler", move |stop| {
                scheduler::run(db, manager, scheduler::Scheduler::default(), stop)
            });
        };

        // Stopped as soon as it has sent something: it ends between two sends, in time.
        let first = Supervisor::new();
        run(&first);
        eventually(|| async { (!rig.sim.outbox(LINKED).is_empty()).then_some(()) }).await;
        let stopping = std::time::Instant::now();
        assert!(first
            .stop(Phase::Workers, Duration::from_secs(5))
            .await
            .is_empty());
        assert!(stopping.elapsed() < Duration::from_secs(5));
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        assert!(
            page.scheduled
                .iter()
                .all(|s| matches!(s.status, ScheduleStatus::Sent | ScheduleStatus::Pending)),
            "nothing left half-sent: {:?}",
            page.scheduled
        );

        // The next start sends the rest, and nothing twice.
        let second = Supervisor::new();
        run(&second);
        eventually(|| async { (rig.sim.outbox(LINKED).len() >= texts.len()).then_some(()) }).await;
        assert!(second
            .stop(Phase::Workers, Duration::from_secs(5))
            .await
            .is_empty());
        let mut sent: Vec<String> = rig.sim.outbox(LINKED).into_iter().map(|m| m.text).collect();
        sent.sort();
        let mut expected = texts.clone();
        expected.sort();
        assert_eq!(sent, expected, "each message exactly once");
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        assert!(page
            .scheduled
            .iter()
            .all(|s| s.status == ScheduleStatus::Sent));
    })
    .await;
}

/// The pure rules of the inbox service.
mod rules {
    use super::super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let cursor = Cursor {
            last_message_at: 1_795_569_600_000,
            id: 42,
        };
        assert_eq!(decode_cursor(&encode_cursor(cursor)).unwrap(), cursor);
        assert!(decode_cursor("abc").is_err());
        assert!(decode_cursor("1.x").is_err());
    }

    #[test]
    fn only_raster_images_are_inline() {
        assert!(inline_image("image/jpeg"));
        assert!(inline_image("IMAGE/PNG; q=1"));
        assert!(!inline_image("image/svg+xml"));
        assert!(!inline_image("application/pdf"));
    }

    #[test]
    fn only_connected_channels_take_replies() {
        assert_eq!(reply_blocked(AccountStatus::Connected), None);
        for status in [
            AccountStatus::Connecting,
            AccountStatus::Disconnected,
            AccountStatus::Disabled,
            AccountStatus::Deleting,
        ] {
            assert!(reply_blocked(status).is_some(), "{status:?}");
        }
    }
}

#[tokio::test]
async fn a_send_given_up_on_is_either_not_sent_or_may_have_gone_out_never_sent_twice_unasked() {
    with_db(|db| async move {
        let rig = Rig::with_send_timeout(db, Duration::from_millis(300)).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        // The network is slow: a send takes 1.5 s on the wire, five times the timeout.
        rig.sim.set_send_delay(LINKED, Duration::from_millis(1500));
        let first = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "Uno");
        let second = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            replies::send(&rig.db, &rig.manager, &rig.carlos, id, "Dos").await
        };
        let (first, second) = tokio::join!(first, second);
        let (first, second) = (first.unwrap(), second.unwrap());
        let uno = first
            .messages
            .iter()
            .find(|m| m.text == "Uno")
            .unwrap()
            .clone();
        let dos = second
            .messages
            .iter()
            .find(|m| m.text == "Dos")
            .unwrap()
            .clone();
        // "Uno" reached the socket before the timeout: it may have gone out.
        assert_eq!(uno.status, MessageStatus::Unconfirmed, "{uno:?}");
        assert!(uno
            .failure
            .as_deref()
            .unwrap()
            .contains("may have gone out"));
        // "Dos" was still queued behind it: withdrawn, so truly Not sent...
        assert_eq!(dos.status, MessageStatus::Failed, "{dos:?}");
        // ...and it never goes out, while "Uno" did.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let texts: Vec<String> = rig.sim.outbox(LINKED).into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["Uno"]);

        // Retry on "may have gone out" asks first; the agent's yes sends it again.
        rig.sim.set_send_delay(LINKED, Duration::ZERO);
        let asked = replies::retry(&rig.db, &rig.manager, &rig.carlos, id, uno.id, false).await;
        match asked {
            Err(AppError::Conflict(question)) => {
                assert_eq!(question, crate::i18n::EN.inbox_texts.send_again)
            }
            other => panic!("expected the question, got {other:?}"),
        }
        assert_eq!(
            rig.sim.outbox(LINKED).len(),
            1,
            "nothing sent without the yes"
        );
        let page = replies::retry(&rig.db, &rig.manager, &rig.carlos, id, uno.id, true)
            .await
            .unwrap();
        let uno = page.messages.iter().find(|m| m.id == uno.id).unwrap();
        assert!(went_out(uno.status), "{uno:?}");
        // A plain Not sent is retried without a question.
        let page = replies::retry(&rig.db, &rig.manager, &rig.carlos, id, dos.id, false)
            .await
            .unwrap();
        assert!(went_out(
            page.messages
                .iter()
                .find(|m| m.id == dos.id)
                .unwrap()
                .status
        ));
        let texts: Vec<String> = rig.sim.outbox(LINKED).into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["Uno", "Uno", "Dos"]);
    })
    .await;
}

#[tokio::test]
async fn a_slow_channel_does_not_hold_up_another_channels_scheduled_messages() {
    with_db(|db| async move {
        let rig = Rig::with_send_timeout(db, Duration::from_secs(10)).await;
        let slow_chat = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        let fast = accounts::insert_within_limit(&rig.db, rig.company, 10, None, 1)
            .await
            .unwrap()
            .unwrap();
        const FAST_PHONE: &str = "+5215522220000";
        rig.link_as(fast, FAST_PHONE).await;
        let message = customer_message(None, CUSTOMER, "Cliente", "Hola", None);
        let fast_chat = inbound::store(&rig.db, &rig.media, fast, &message, None)
            .await
            .unwrap()
            .expect("stored")
            .conversation_id;
        rig.sim.set_send_delay(LINKED, Duration::from_secs(3));
        // The slow channel's messages are due first.
        let past = now_ms() - 60_000;
        for (chat, account, text, at) in [
            (slow_chat, rig.account, "Lento 1", past),
            (slow_chat, rig.account, "Lento 2", past + 1),
            (fast_chat, fast, "Rápido", past + 2),
        ] {
            replies_db::schedule(
                &rig.db,
                chat,
                account,
                text,
                at,
                rig.carlos.user_id,
                past - 1,
            )
            .await
            .unwrap();
        }
        let started = std::time::Instant::now();
        let run = tokio::spawn({
            let (db, manager) = (rig.db.clone(), rig.manager.clone());
            async move { scheduler::run_due(&db, &manager).await }
        });
        eventually(|| async { (!rig.sim.outbox(FAST_PHONE).is_empty()).then_some(()) }).await;
        let fast_after = started.elapsed();
        assert!(
            fast_after < Duration::from_secs(2),
            "the other channel's message waited {fast_after:?}"
        );
        assert_eq!(run.await.unwrap().unwrap(), 3);
        let slow: Vec<String> = rig.sim.outbox(LINKED).into_iter().map(|m| m.text).collect();
        assert_eq!(
            slow,
            ["Lento 1", "Lento 2"],
            "a channel's own order is kept"
        );
    })
    .await;
}

mod acks;
mod list;
mod receipts;
