//! Every server rule of the setup wizard, on SQLite and (with TEST_POSTGRES_URL) PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::domain::account::{AccountStatus, DisconnectReason};
use crate::domain::locale::Locale;
use crate::domain::wizard::{
    CELLPHONE_USER_REQUIRED, FUNNEL_REQUIRED, INVALID_PHONE, STALE_VERSION,
};
use crate::server::boot::config::SimTimings;
use crate::server::db::accounts::{self, Change};
use crate::server::db::{companies, testing::with_db};
use crate::server::drivers::simulator::{ScanOutcome, Simulator};
use crate::server::sessions::backoff::Backoff;
use crate::server::sessions::manager::{LinkState, ManagerOptions};

struct Team {
    db: Db,
    sim: Simulator,
    manager: SessionManager,
    ana: SignedInUser,
    carlos: i64,
    lucia: i64,
    sales: i64,
    support: i64,
    omar: i64,
    general: i64,
    other_company: i64,
}

fn session_user(id: i64, company_id: i64, name: &str) -> SignedInUser {
    SignedInUser {
        user_id: id,
        company_id,
        email: format!("{id}@demo.test"),
        display_name: name.into(),
        global_admin: true,
        channels_admin: true,
        company_name: "Demo".into(),
        subscription_active: true,
        signed_in_at: 0,
        last_seen_at: 0,
        language: None,
        company_language: None,
        address: String::new(),
    }
}

async fn user(db: &Db, company_id: i64, email: &str, name: &str) -> i64 {
    let new = users::NewUser {
        company_id,
        email,
        display_name: name,
        password_hash: "h",
        global_admin: false,
        channels_admin: true,
    };
    users::insert(db, &new).await.unwrap()
}

impl Team {
    /// Demo: Ana, Carlos, Lucía; Sales = Ana + Carlos, Support = Carlos + Lucía.
    /// Other: Omar in General.
    async fn new(db: Db) -> Team {
        let demo = companies::insert(&db, "Demo", true, 10).await.unwrap();
        let other = companies::insert(&db, "Other", true, 10).await.unwrap();
        let ana = user(&db, demo, "ana@demo.test", "Ana Torres").await;
        let carlos = user(&db, demo, "carlos@demo.test", "Carlos Ruiz").await;
        let lucia = user(&db, demo, "lucia@demo.test", "Lucía Gómez").await;
        let omar = user(&db, other, "omar@other.test", "Omar Haddad").await;
        let sales = funnels::insert(&db, demo, "Sales", &[ana, carlos])
            .await
            .unwrap();
        let support = funnels::insert(&db, demo, "Support", &[carlos, lucia])
            .await
            .unwrap();
        let general = funnels::insert(&db, other, "General", &[omar])
            .await
            .unwrap();
        let timings = SimTimings {
            first_ms: 5_000,
            next_ms: 5_000,
            count: 2,
        };
        let sim = Simulator::new(timings);
        let options = ManagerOptions {
            backoff: Backoff {
                base: Duration::from_millis(20),
                max: Duration::from_millis(200),
            },
            ..Default::default()
        };
        let manager = SessionManager::new(db.clone(), Arc::new(sim.clone()), options);
        Team {
            db,
            sim,
            manager,
            ana: session_user(ana, demo, "Ana Torres"),
            carlos,
            lucia,
            sales,
            support,
            omar,
            general,
            other_company: other,
        }
    }

    /// An account as a phone left it after linking, with no settings of its own yet.
    async fn linked_account(&self, company: i64, phone: &str, business: &str) -> i64 {
        let id = accounts::insert_within_limit(&self.db, company, 10, None, 1)
            .await
            .unwrap()
            .unwrap();
        let linked = Change::Connected {
            phone,
            business_name: business,
            credentials: "k",
        };
        accounts::apply(&self.db, id, linked, None, 2)
            .await
            .unwrap();
        id
    }

    async fn disconnected_account(&self, phone: &str) -> i64 {
        let id = self
            .linked_account(self.ana.company_id, phone, "Tacos")
            .await;
        let gone = Change::Disconnected {
            reason: DisconnectReason::UnlinkedFromPhone,
            initiator_name: None,
            until_ms: None,
        };
        accounts::apply(&self.db, id, gone, None, 3).await.unwrap();
        id
    }

    fn complete_form(&self) -> SetupForm {
        SetupForm {
            country: "CO".into(),
            national_number: "300 123 4567".into(),
            name: "  Ventas Bogotá  ".into(),
            cellphone_user_id: Some(self.carlos),
            funnel_id: Some(self.support),
            owner_user_id: Some(self.lucia),
            restricted_user_ids: vec![self.lucia, self.carlos, self.lucia],
            send_read_receipts: false,
            import_history: false,
            duplicate_acknowledged: false,
        }
    }

    async fn version(&self, id: i64) -> i64 {
        account_setup::setup_of(&self.db, self.ana.company_id, id)
            .await
            .unwrap()
            .unwrap()
            .version
    }

    async fn save(&self, id: i64, action: SetupAction, form: SetupForm) -> SetupOutcome {
        let version = self.version(id).await;
        save(
            &self.db,
            &self.manager,
            &self.ana,
            id,
            version,
            action,
            form,
        )
        .await
        .unwrap()
    }
}

fn fields(outcome: &SetupOutcome) -> Vec<(SetupField, String)> {
    match outcome {
        SetupOutcome::Rejected(errors) => errors
            .iter()
            .map(|e| (e.field, e.message.clone()))
            .collect(),
        SetupOutcome::Saved(view) => panic!("saved: {view:?}"),
    }
}

#[tokio::test]
async fn the_wizard_opens_with_what_the_phone_reported_and_the_company_choices() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let id = team
            .linked_account(team.ana.company_id, "+525512345678", "Tacos Ana")
            .await;
        let options = options(&team.db, &team.ana, id, Locale::En).await.unwrap();
        assert_eq!(options.action, SetupAction::Save);
        assert_eq!(options.form.country, "MX");
        assert_eq!(options.form.national_number, "55 1234 5678");
        assert_eq!(options.form.name, "Tacos Ana");
        assert!(
            options.form.send_read_receipts && options.form.import_history,
            "read receipts and the history import are on by default"
        );
        assert_eq!(options.form.cellphone_user_id, None);
        let names: Vec<&str> = options.users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, vec!["Ana Torres", "Carlos Ruiz", "Lucía Gómez"]);
        let support = options
            .funnels
            .iter()
            .find(|f| f.id == team.support)
            .unwrap();
        assert_eq!(support.member_ids, vec![team.carlos, team.lucia]);
        assert_eq!(options.funnels.len(), 2, "only the company's funnels");
        let first: Vec<&str> = options.countries[..4]
            .iter()
            .map(|c| c.iso.as_str())
            .collect();
        assert_eq!(first, vec!["MX", "CO", "AR", "CL"]);
    })
    .await;
}

#[tokio::test]
async fn only_connected_and_disconnected_accounts_of_ones_company_can_be_set_up() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let connecting = accounts::insert_within_limit(&team.db, team.ana.company_id, 10, None, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            options(&team.db, &team.ana, connecting, Locale::En)
                .await
                .unwrap_err(),
            AppError::Conflict("An account can't be set up while it is Connecting".into())
        );
        let other_company = team
            .linked_account(team.other_company, "+971501234567", "Omar")
            .await;
        assert_eq!(
            options(&team.db, &team.ana, other_company, Locale::En)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        let form = team.complete_form();
        assert_eq!(
            save(
                &team.db,
                &team.manager,
                &team.ana,
                other_company,
                2,
                SetupAction::Save,
                form
            )
            .await
            .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            check_phone(&team.db, &team.ana, other_company, "MX", "55 1234 5678")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn saving_a_connected_account_stores_every_field_and_tells_open_pages() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let id = team
            .linked_account(team.ana.company_id, "+525512345678", "Tacos Ana")
            .await;
        let before = team.version(id).await;
        let mut changes = team.manager.subscribe();
        let SetupOutcome::Saved(view) =
            team.save(id, SetupAction::Save, team.complete_form()).await
        else {
            panic!("not saved")
        };
        assert_eq!(view.status, AccountStatus::Connected);
        assert_eq!(view.name, "Ventas Bogotá");
        // The number of a linked account is its phone's: the form's other number is ignored.
        assert_eq!(view.phone.as_deref(), Some("+52 55 1234 5678"));
        assert_eq!(view.phone_mismatch, None);
        assert_eq!(view.cellphone_user.as_deref(), Some("Carlos Ruiz"));
        assert_eq!(view.funnel.as_deref(), Some("Support"));
        assert_eq!(view.owner.as_deref(), Some("Lucía Gómez"));
        assert_eq!(view.restricted_users, vec!["Carlos Ruiz", "Lucía Gómez"]);
        assert_eq!(team.version(id).await, before + 1);
        let change = changes.try_recv().expect("a change was published");
        assert_eq!((change.account_id, change.removed), (id, false));
        assert!(accounts::history(&team.db, id)
            .await
            .unwrap()
            .iter()
            .any(|(event, _)| event == "settings_saved"));

        let reopened = options(&team.db, &team.ana, id, Locale::En).await.unwrap();
        assert!(
            !reopened.form.send_read_receipts && !reopened.form.import_history,
            "the form turned them off"
        );
        assert_eq!(reopened.form.country, "MX");
        assert_eq!(reopened.linked_phone.as_deref(), Some("+52 55 1234 5678"));
        assert_eq!(reopened.form.name, "Ventas Bogotá");
        assert_eq!(reopened.form.restricted_user_ids, {
            let mut ids = vec![team.carlos, team.lucia];
            ids.sort();
            ids
        });

        // Clearing the restriction and the owner is a valid change too.
        let mut open = team.complete_form();
        open.restricted_user_ids.clear();
        open.owner_user_id = None;
        let SetupOutcome::Saved(view) = team.save(id, SetupAction::Save, open).await else {
            panic!("not saved")
        };
        assert!(view.restricted_users.is_empty());
        assert_eq!(view.owner, None);

        // Visible only to Ana: Carlos holds the phone and Lucía owns the new chats, so
        // they see them too, whatever the form said.
        let mut only_ana = team.complete_form();
        only_ana.restricted_user_ids = vec![team.ana.user_id];
        let SetupOutcome::Saved(view) = team.save(id, SetupAction::Save, only_ana).await else {
            panic!("not saved")
        };
        assert_eq!(
            view.restricted_users,
            vec!["Ana Torres", "Carlos Ruiz", "Lucía Gómez"]
        );
    })
    .await;
}

#[tokio::test]
async fn every_rule_is_checked_again_and_a_refusal_stores_nothing() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let id = team
            .linked_account(team.ana.company_id, "+525512345678", "Tacos Ana")
            .await;
        let before = team.version(id).await;
        let broken = SetupForm {
            country: "CL".into(),
            national_number: "9 1234 5678".into(),
            name: "   ".into(),
            cellphone_user_id: None,
            funnel_id: None,
            owner_user_id: Some(team.omar),
            restricted_user_ids: vec![team.carlos, team.omar],
            send_read_receipts: true,
            import_history: true,
            duplicate_acknowledged: false,
        };
        // A linked account keeps its phone's number, so the form's bad number is no
        // problem on Save; for an account about to link again (Connect) it is.
        let outcome = team.save(id, SetupAction::Save, broken.clone()).await;
        let mut expected = vec![
            (SetupField::Name, "Name is required".to_string()),
            (
                SetupField::CellphoneUser,
                CELLPHONE_USER_REQUIRED.to_string(),
            ),
            (SetupField::Funnel, FUNNEL_REQUIRED.to_string()),
            (
                SetupField::Owner,
                "Choose a member of your team".to_string(),
            ),
            (
                SetupField::RestrictedUsers,
                "Choose members of your team only".to_string(),
            ),
        ];
        assert_eq!(fields(&outcome), expected);
        let disconnected = team.disconnected_account("+56961234567").await;
        let outcome = team.save(disconnected, SetupAction::Connect, broken).await;
        expected.insert(0, (SetupField::Phone, INVALID_PHONE.to_string()));
        assert_eq!(fields(&outcome), expected);
        assert!(
            team.manager.live(disconnected).link.is_none(),
            "a refused Connect starts no link"
        );

        let mut foreign = team.complete_form();
        foreign.name = "x".repeat(81);
        foreign.cellphone_user_id = Some(team.omar);
        foreign.funnel_id = Some(team.general);
        let outcome = team.save(id, SetupAction::Save, foreign).await;
        assert_eq!(
            fields(&outcome),
            vec![
                (
                    SetupField::Name,
                    "Name must be at most 80 characters".to_string()
                ),
                (
                    SetupField::CellphoneUser,
                    "Choose a member of your team".to_string()
                ),
                (
                    SetupField::Funnel,
                    "Choose one of your company's funnels".to_string()
                ),
            ]
        );

        let mut outsider_owner = team.complete_form();
        outsider_owner.funnel_id = Some(team.sales);
        outsider_owner.owner_user_id = Some(team.lucia);
        let outcome = team.save(id, SetupAction::Save, outsider_owner).await;
        assert_eq!(
            fields(&outcome),
            vec![(
                SetupField::Owner,
                "The owner must be a member of the funnel Sales".to_string()
            )]
        );
        assert_eq!(team.version(id).await, before, "nothing was stored");
        let row = account_setup::setup_of(&team.db, team.ana.company_id, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.name.as_str(), row.funnel_id), ("", None));
    })
    .await;
}

#[tokio::test]
async fn a_number_another_account_uses_needs_acknowledging() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let first = team
            .linked_account(team.ana.company_id, "+573001234567", "Bogotá")
            .await;
        // Only a number typed for the next link can be a duplicate: a linked account's
        // number is its phone's.
        let second = team.disconnected_account("+525512345678").await;
        let elsewhere = team
            .linked_account(team.other_company, "+573001234567", "Omar's")
            .await;
        assert_ne!(elsewhere, first);

        let check = check_phone(&team.db, &team.ana, second, "CO", "300 123 4567")
            .await
            .unwrap();
        assert_eq!(
            check,
            PhoneCheck::Valid {
                e164: "+573001234567".into(),
                international: "+57 300 1234567".into(),
                country: None,
                used_by: Some("Bogotá".into()),
            }
        );
        let own = check_phone(&team.db, &team.ana, first, "CO", "300 123 4567")
            .await
            .unwrap();
        assert!(
            matches!(own, PhoneCheck::Valid { used_by: None, .. }),
            "an account is no duplicate of itself: {own:?}"
        );
        let outcome = team
            .save(second, SetupAction::Connect, team.complete_form())
            .await;
        assert_eq!(
            fields(&outcome),
            vec![(
                SetupField::Phone,
                "This number is already used by Bogotá".to_string()
            )]
        );
        let mut acknowledged = team.complete_form();
        acknowledged.duplicate_acknowledged = true;
        assert!(matches!(
            team.save(second, SetupAction::Connect, acknowledged).await,
            SetupOutcome::Saved(_)
        ));
        team.manager.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test]
async fn the_phone_check_answers_invalid_or_the_numbers_own_country() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let id = team
            .linked_account(team.ana.company_id, "+525512345678", "Tacos Ana")
            .await;
        assert_eq!(
            check_phone(&team.db, &team.ana, id, "MX", "55 12")
                .await
                .unwrap(),
            PhoneCheck::Invalid {
                message: INVALID_PHONE.into()
            }
        );
        let PhoneCheck::Valid { country, .. } =
            check_phone(&team.db, &team.ana, id, "MX", "+57 300 123 4567")
                .await
                .unwrap()
        else {
            panic!("valid")
        };
        assert_eq!(country.as_deref(), Some("CO"));
    })
    .await;
}

#[tokio::test]
async fn an_edit_made_on_an_old_version_or_status_is_refused() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let id = team
            .linked_account(team.ana.company_id, "+525512345678", "Tacos Ana")
            .await;
        let opened = team.version(id).await;
        // Someone else saves first.
        assert!(matches!(
            team.save(id, SetupAction::Save, team.complete_form()).await,
            SetupOutcome::Saved(_)
        ));
        let late = save(
            &team.db,
            &team.manager,
            &team.ana,
            id,
            opened,
            SetupAction::Save,
            team.complete_form(),
        )
        .await
        .unwrap();
        assert_eq!(
            fields(&late),
            vec![(SetupField::Form, STALE_VERSION.to_string())]
        );

        assert_eq!(
            fields(
                &team
                    .save(id, SetupAction::Connect, team.complete_form())
                    .await
            ),
            vec![(
                SetupField::Form,
                "This account is now Connected; reload".to_string()
            )]
        );
        let disconnected = team.disconnected_account("+56961234567").await;
        assert_eq!(
            fields(
                &team
                    .save(disconnected, SetupAction::Save, team.complete_form())
                    .await
            ),
            vec![(
                SetupField::Form,
                "This account is now Disconnected; reload".to_string()
            )]
        );
    })
    .await;
}

#[tokio::test]
async fn connect_stores_the_settings_then_shows_a_qr_and_a_different_phone_is_pointed_out() {
    with_db(|db| async move {
        let team = Team::new(db).await;
        let id = team.disconnected_account("+56961234567").await;
        let SetupOutcome::Saved(view) = team
            .save(id, SetupAction::Connect, team.complete_form())
            .await
        else {
            panic!("not saved")
        };
        assert_eq!(view.status, AccountStatus::Connecting);
        assert_eq!(view.name, "Ventas Bogotá");

        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let qr = loop {
            if let Some(LinkState::Showing { qr, .. }) = team.manager.live(id).link {
                break qr;
            }
            assert!(tokio::time::Instant::now() < deadline, "no QR within 5 s");
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert_eq!(
            team.sim.scan(&qr, "+525512345678", "Tacos Ana").await,
            ScanOutcome::Linked(id)
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let connected = loop {
            let view = account_view(&team.db, &team.manager, team.ana.company_id, id)
                .await
                .unwrap()
                .unwrap();
            if view.status == AccountStatus::Connected {
                break view;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not connected within 5 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert_eq!(
            connected.phone.as_deref(),
            Some("+57 300 1234567"),
            "the configured number stays"
        );
        assert_eq!(
            connected.phone_mismatch_message().as_deref(),
            Some(
                "Linked phone +52 55 1234 5678 differs from the configured number +57 300 1234567"
            )
        );
        team.manager.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
