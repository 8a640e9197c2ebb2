//! Channel data, Disable/Enable and Delete on a real database (SQLite, and PostgreSQL with
//! TEST_POSTGRES_URL): inbound storage, the shared-contact rule, exact deletes, resuming.

use std::cell::Cell;

use super::*;
use crate::domain::account::{AccountStatus, DisconnectReason};
use crate::error::AppError;
use crate::server::db::account_data;
use crate::server::db::accounts::{self, Change};
use crate::server::db::audit::{self, AuditFilter, AuditRow};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{companies, funnels, on_pool, testing::with_db, users};
use crate::server::drivers::driver::{Driver, InboundMedia, InboundMessage};
use crate::server::drivers::simulator::{customer_message, Simulator};
use crate::server::services::lifecycle;
use crate::server::sessions::inbound;
use crate::server::sessions::manager::{ManagerOptions, SessionManager};

struct Rig {
    db: Db,
    media: MediaStore,
    manager: SessionManager,
    company: i64,
    admin: SignedInUser,
    funnel: i64,
    owner: i64,
}

fn user_session(id: i64, company_id: i64, global_admin: bool) -> SignedInUser {
    SignedInUser {
        user_id: id,
        company_id,
        email: format!("{id}@demo.test"),
        display_name: "Ana Torres".into(),
        global_admin,
        channels_admin: true,
        company_name: "Demo".into(),
        subscription_active: true,
        signed_in_at: 0,
        last_seen_at: 0,
        language: None,
        company_language: None,
        address: "192.0.2.1".into(),
    }
}

impl Rig {
    async fn new(db: Db, limit: i64) -> Rig {
        let company = companies::insert(&db, "Demo", true, limit).await.unwrap();
        let ana = users::NewUser {
            company_id: company,
            email: "ana@demo.test",
            display_name: "Ana Torres",
            password_hash: "h",
            global_admin: true,
            channels_admin: true,
        };
        let ana = users::insert(&db, &ana).await.unwrap();
        let funnel = funnels::insert(&db, company, "Sales", &[ana])
            .await
            .unwrap();
        let root = std::env::temp_dir().join(format!(
            "aurora-deletion-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let media = MediaStore::new(root);
        let driver: std::sync::Arc<dyn Driver> =
            std::sync::Arc::new(Simulator::new(Default::default()));
        let options = ManagerOptions {
            media: media.clone(),
            ..Default::default()
        };
        let manager = SessionManager::new(db.clone(), driver, options);
        Rig {
            db,
            media,
            manager,
            company,
            admin: user_session(ana, company, true),
            funnel,
            owner: ana,
        }
    }

    /// A channel that linked once and is now Disconnected, routed to Sales with Ana as owner.
    async fn channel(&self, phone: &str, name: &str) -> i64 {
        let id = accounts::insert_within_limit(&self.db, self.company, 10, None, 1)
            .await
            .unwrap()
            .unwrap();
        let linked = Change::Connected {
            phone,
            business_name: name,
            credentials: "k",
        };
        accounts::apply(&self.db, id, linked, None, 2)
            .await
            .unwrap();
        on_pool!(&self.db, pool => sqlx::query("UPDATE whatsapp_accounts SET funnel_id = $2, owner_user_id = $3, name = $4 WHERE id = $1")
            .bind(id)
            .bind(self.funnel)
            .bind(self.owner)
            .bind(name)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        let gone = Change::Disconnected {
            reason: DisconnectReason::UnlinkedFromPhone,
            initiator_name: None,
            until_ms: None,
        };
        accounts::apply(&self.db, id, gone, None, 3).await.unwrap();
        id
    }

    async fn receive(&self, account: i64, message: &InboundMessage) -> bool {
        inbound::store(&self.db, &self.media, account, message, None)
            .await
            .unwrap()
            .is_some()
    }

    async fn scalar(&self, sql: &str, account: i64) -> i64 {
        on_pool!(&self.db, pool => sqlx::query_scalar(sql).bind(account).fetch_one(pool).await)
            .unwrap()
    }

    async fn schedule(&self, account: i64, how_many: usize) {
        let conversation = self
            .scalar(
                "SELECT MIN(id) FROM conversations WHERE account_id = $1",
                account,
            )
            .await;
        for n in 0..how_many {
            on_pool!(&self.db, pool => sqlx::query(
                "INSERT INTO scheduled_messages (conversation_id, account_id, text, send_at, status, created_at) \
                 VALUES ($1, $2, $3, 99, 'pending', 1)",
            )
            .bind(conversation)
            .bind(account)
            .bind(format!("later {n}"))
            .execute(pool)
            .await
            .map(|_| ()))
            .unwrap();
        }
    }

    /// Channel A: contact Ximena (shared with B) and Yolanda (A only), a photo, 2 scheduled
    /// messages. Channel B: Ximena. Returns (a, b).
    async fn two_channels_sharing_a_contact(&self) -> (i64, i64) {
        let a = self.channel("+525512345678", "Main").await;
        let b = self.channel("+573001234567", "Bogotá").await;
        let photo = InboundMedia {
            filename: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            bytes: vec![7; 1500],
        };
        for n in 0..5 {
            let text = format!("hola {n}");
            self.receive(
                a,
                &customer_message(None, "+525511112222", "Ximena", &text, None),
            )
            .await;
        }
        self.receive(
            a,
            &customer_message(None, "+525533334444", "Yolanda", "mira", Some(photo)),
        )
        .await;
        self.receive(
            b,
            &customer_message(None, "+525511112222", "Ximena", "hi B", None),
        )
        .await;
        self.schedule(a, 2).await;
        (a, b)
    }

    async fn disable_and_delete(&self, account: i64) {
        let admin = &self.admin;
        lifecycle::disable(&self.db, &self.manager, admin, account)
            .await
            .unwrap();
        let preview = lifecycle::deletion_preview(&self.db, &self.manager, admin, account)
            .await
            .unwrap();
        let worker = DeletionWorker::default();
        let view = lifecycle::delete(
            &self.db,
            &self.manager,
            &worker,
            admin,
            account,
            &preview.account_name,
        )
        .await
        .unwrap();
        assert_eq!(view.status, AccountStatus::Deleting);
        assert_eq!(view.deleting_percent, Some(0));
    }

    /// The audit log's entries of finished deletions.
    async fn deletions_logged(&self) -> Vec<AuditRow> {
        audit::audit_entries(&self.db, self.company, AuditFilter::default(), None, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|entry| entry.action == "whatsapp_account_deleted")
            .collect()
    }

    fn deleter(&self, batch_rows: i64) -> Deleter {
        Deleter {
            db: self.db.clone(),
            manager: self.manager.clone(),
            media: self.media.clone(),
            batch_rows,
        }
    }

    /// Everything that must be true once channel A is deleted.
    async fn assert_only_a_is_gone(&self, a: i64, b: i64) {
        for table in [
            "messages",
            "conversations",
            "scheduled_messages",
            "media_files",
            "contact_channels",
            "account_events",
        ] {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE account_id = $1");
            assert_eq!(self.scalar(&sql, a).await, 0, "{table} of A");
        }
        assert!(accounts::get_any(&self.db, a).await.unwrap().is_none());
        assert_eq!(
            self.scalar("SELECT COUNT(*) FROM messages WHERE account_id = $1", b)
                .await,
            1
        );
        assert_eq!(
            self.scalar(
                "SELECT COUNT(*) FROM conversations WHERE account_id = $1",
                b
            )
            .await,
            1
        );
        let contacts: Vec<String> = on_pool!(&self.db, pool => sqlx::query_scalar("SELECT name FROM contacts WHERE company_id = $1 ORDER BY name")
            .bind(self.company)
            .fetch_all(pool)
            .await)
        .unwrap();
        assert_eq!(
            contacts,
            vec!["Ximena"],
            "Yolanda was A's only; Ximena is B's too"
        );
        let folder = self
            .media
            .root()
            .join(self.company.to_string())
            .join(a.to_string());
        assert!(!folder.exists(), "A's media folder is gone");
        assert!(account_deletion::pending(&self.db)
            .await
            .unwrap()
            .is_empty());
        let log = self.deletions_logged().await;
        assert_eq!(log.len(), 1);
        let entry = &log[0];
        assert_eq!(
            (
                entry.actor_name.as_str(),
                entry.subject.as_str(),
                entry.account_id
            ),
            ("Ana Torres", "Main", Some(a))
        );
        let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap();
        assert_eq!(details["messages"], 6);
        assert_eq!(details["contacts"], 1);
        assert_eq!(details["media_files"], 1);
        assert_eq!(details["media_bytes"], 1500);
    }
}

#[tokio::test]
async fn inbound_messages_are_stored_once_with_contact_conversation_and_media() {
    with_db(|db| async move {
        let rig = Rig::new(db, 10).await;
        let a = rig.channel("+525512345678", "Main").await;
        let b = rig.channel("+573001234567", "Bogotá").await;
        let file = InboundMedia {
            filename: "../../../etc/evil name.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4".to_vec(),
        };
        let first = customer_message(None, "+52 55 1111 2222", "Ximena", "hola", Some(file));
        assert!(rig.receive(a, &first).await);
        assert!(
            !rig.receive(a, &first).await,
            "a replayed id is not stored twice"
        );
        assert!(
            rig.receive(
                a,
                &customer_message(None, "+525511112222", "", "otra vez", None)
            )
            .await
        );
        assert!(
            rig.receive(
                b,
                &customer_message(None, "+525511112222", "Xime", "hi", None)
            )
            .await
        );
        assert_eq!(
            rig.scalar("SELECT COUNT(*) FROM messages WHERE account_id = $1", a)
                .await,
            2
        );
        assert_eq!(
            rig.scalar(
                "SELECT COUNT(*) FROM contacts WHERE company_id = $1",
                rig.company
            )
            .await,
            1,
            "one contact across both channels"
        );
        let (funnel, owner): (Option<i64>, Option<i64>) = on_pool!(&rig.db, pool => sqlx::query_as(
            "SELECT funnel_id, owner_user_id FROM conversations WHERE account_id = $1",
        )
        .bind(a)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!((funnel, owner), (Some(rig.funnel), Some(rig.owner)));
        let (path, size): (String, i64) = on_pool!(&rig.db, pool => sqlx::query_as(
            "SELECT path, size_bytes FROM media_files WHERE account_id = $1",
        )
        .bind(a)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(size, 8);
        assert!(path.starts_with(&format!("{}/{a}/", rig.company)), "{path}");
        assert!(path.ends_with("_.._.._etc_evil_name.pdf"), "{path}");
        assert_eq!(
            tokio::fs::read(rig.media.resolve(&path).unwrap())
                .await
                .unwrap(),
            b"%PDF-1.4"
        );
        let files = std::fs::read_dir(
            rig.media
                .root()
                .join(rig.company.to_string())
                .join(a.to_string()),
        )
        .unwrap()
        .count();
        assert_eq!(files, 1, "the replay left no file behind");
        let counts = account_data::counts(&rig.db, a).await.unwrap();
        assert_eq!(
            (
                counts.conversations,
                counts.contacts,
                counts.messages,
                counts.media_files
            ),
            (1, 0, 2, 1),
            "the contact is shared with B, so it isn't A's alone"
        );
        let _ = tokio::fs::remove_dir_all(rig.media.root()).await;
    })
    .await;
}

#[tokio::test]
async fn disable_hides_without_counting_and_enable_respects_the_limit() {
    with_db(|db| async move {
        let rig = Rig::new(db, 1).await;
        let a = rig.channel("+525512345678", "Main").await;
        let admin = &rig.admin;
        let view = lifecycle::disable(&rig.db, &rig.manager, admin, a)
            .await
            .unwrap();
        assert_eq!(view.status, AccountStatus::Disabled);
        assert_eq!(
            accounts::count_toward_limit(&rig.db, rig.company)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            lifecycle::disable(&rig.db, &rig.manager, admin, a)
                .await
                .unwrap_err(),
            AppError::Conflict("Disable is not possible while the account is disabled".into())
        );
        let b = accounts::insert_within_limit(&rig.db, rig.company, 1, None, 5)
            .await
            .unwrap()
            .expect("a disabled account leaves room");
        assert_eq!(
            lifecycle::enable(&rig.db, &rig.manager, admin, a)
                .await
                .unwrap_err(),
            AppError::Conflict("Channel limit reached (1 of 1)".into())
        );
        accounts::remove(&rig.db, b).await.unwrap();
        let view = lifecycle::enable(&rig.db, &rig.manager, admin, a)
            .await
            .unwrap();
        assert_eq!(view.status, AccountStatus::Disconnected);
        let history: Vec<String> = accounts::history(&rig.db, a)
            .await
            .unwrap()
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        assert!(
            history.ends_with(&["disabled".to_string(), "enabled".to_string()]),
            "{history:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn only_global_admins_delete_and_only_disabled_accounts() {
    with_db(|db| async move {
        let rig = Rig::new(db, 10).await;
        let a = rig.channel("+525512345678", "Main").await;
        let not_global = user_session(rig.admin.user_id, rig.company, false);
        assert!(matches!(
            lifecycle::deletion_preview(&rig.db, &rig.manager, &not_global, a).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(
            matches!(
                lifecycle::deletion_preview(&rig.db, &rig.manager, &rig.admin, a).await,
                Err(AppError::Conflict(_))
            ),
            "a Disconnected account must be disabled first"
        );
        let stranger = user_session(rig.admin.user_id, rig.company + 1000, true);
        assert_eq!(
            lifecycle::deletion_preview(&rig.db, &rig.manager, &stranger, a)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        lifecycle::disable(&rig.db, &rig.manager, &rig.admin, a)
            .await
            .unwrap();
        let worker = DeletionWorker::default();
        assert_eq!(
            lifecycle::delete(&rig.db, &rig.manager, &worker, &rig.admin, a, "main")
                .await
                .unwrap_err(),
            AppError::Invalid("Type the account's name, Main, to confirm".into())
        );
        let still = accounts::get_any(&rig.db, a).await.unwrap().unwrap();
        assert_eq!(still.status(), AccountStatus::Disabled);
    })
    .await;
}

#[tokio::test]
async fn delete_removes_exactly_the_channels_data_files_and_nothing_of_another() {
    with_db(|db| async move {
        let rig = Rig::new(db, 10).await;
        let (a, b) = rig.two_channels_sharing_a_contact().await;
        let preview = {
            lifecycle::disable(&rig.db, &rig.manager, &rig.admin, a)
                .await
                .unwrap();
            let p = lifecycle::deletion_preview(&rig.db, &rig.manager, &rig.admin, a)
                .await
                .unwrap();
            lifecycle::enable(&rig.db, &rig.manager, &rig.admin, a)
                .await
                .unwrap();
            p
        };
        assert_eq!(preview.account_name, "Main");
        let c = preview.counts;
        assert_eq!(
            (
                c.conversations,
                c.contacts,
                c.scheduled_messages,
                c.media_files,
                c.media_bytes,
                c.messages
            ),
            (2, 1, 2, 1, 1500, 6)
        );
        rig.disable_and_delete(a).await;
        let job = account_deletion::pending(&rig.db).await.unwrap().remove(0);
        assert_eq!(job.total_items, 6 + 2 + 2 + 1 + 1 + 1);
        let outcome = rig.deleter(2).run(&job, || false).await.unwrap();
        assert_eq!(outcome, Outcome::Finished);
        rig.assert_only_a_is_gone(a, b).await;
        // Every action on A is in the audit log once, with Ana and her address, after A is gone.
        let filter = AuditFilter {
            account_id: Some(a),
            actor_user_id: None,
        };
        let log = audit::audit_entries(&rig.db, rig.company, filter, None, 100)
            .await
            .unwrap();
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "whatsapp_account_deleted",
                "deletion_started",
                "disabled",
                "enabled",
                "disabled"
            ]
        );
        assert!(log.iter().all(|e| e.actor_name == "Ana Torres"
            && e.actor_user_id == Some(rig.admin.user_id)
            && e.subject == "Main"));
        assert!(log[1..]
            .iter()
            .all(|e| e.address.as_deref() == Some("192.0.2.1")));
        let _ = tokio::fs::remove_dir_all(rig.media.root()).await;
    })
    .await;
}

#[tokio::test]
async fn an_interrupted_delete_resumes_and_ends_the_same_and_running_again_deletes_nothing_more() {
    with_db(|db| async move {
        let rig = Rig::new(db, 10).await;
        let (a, b) = rig.two_channels_sharing_a_contact().await;
        rig.disable_and_delete(a).await;
        let job = account_deletion::pending(&rig.db).await.unwrap().remove(0);
        let checks = Cell::new(0);
        let stop_after_three = || {
            checks.set(checks.get() + 1);
            checks.get() > 3
        };
        let outcome = rig.deleter(2).run(&job, stop_after_three).await.unwrap();
        assert_eq!(outcome, Outcome::Stopped);
        let view =
            crate::server::services::channels::account_view(&rig.db, &rig.manager, rig.company, a)
                .await
                .unwrap()
                .unwrap();
        assert_eq!(view.status, AccountStatus::Deleting);
        let percent = view.deleting_percent.unwrap();
        assert!(percent > 0 && percent < 100, "{percent}%");
        assert_eq!(
            rig.scalar("SELECT COUNT(*) FROM messages WHERE account_id = $1", a)
                .await,
            0,
            "three batches of two took the six messages"
        );
        assert_eq!(
            rig.scalar(
                "SELECT COUNT(*) FROM conversations WHERE account_id = $1",
                a
            )
            .await,
            2
        );

        // The next start finds the job where it stopped.
        let resumed = account_deletion::pending(&rig.db).await.unwrap();
        assert_eq!(resumed.len(), 1);
        let outcome = rig.deleter(2).run(&resumed[0], || false).await.unwrap();
        assert_eq!(outcome, Outcome::Finished);
        rig.assert_only_a_is_gone(a, b).await;

        // Running the old job once more removes nothing else and records nothing twice.
        rig.deleter(2).run(&resumed[0], || false).await.unwrap();
        assert_eq!(
            rig.scalar("SELECT COUNT(*) FROM messages WHERE account_id = $1", b)
                .await,
            1
        );
        assert_eq!(
            rig.deletions_logged().await.len(),
            1,
            "the deletion is recorded once"
        );
        let _ = tokio::fs::remove_dir_all(rig.media.root()).await;
    })
    .await;
}
