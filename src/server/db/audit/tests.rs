use super::*;
use crate::domain::account::DisconnectReason;
use crate::server::db::account_data::{store_inbound, NewInbound, Routing};
use crate::server::db::accounts::{self, Change};
use crate::server::db::history::{self, NewHistory};
use crate::server::db::{account_lifecycle, companies, on_pool, replies, testing::with_db, users};

pub(crate) async fn person(db: &Db, company: i64, email: &str, name: &str) -> Initiator {
    let user_id = users::insert(
        db,
        &users::NewUser {
            company_id: company,
            email,
            display_name: name,
            password_hash: "x",
            global_admin: true,
            channels_admin: true,
        },
    )
    .await
    .unwrap();
    Initiator {
        user_id,
        name: name.into(),
        address: "203.0.113.7".into(),
    }
}

/// A channel `ana` adds at 1; it connects from +573001234567 at 2, loses its connection
/// at 3 and `ana` disconnects it at 4.
pub(crate) async fn added_linked_lost_and_disconnected(
    db: &Db,
    company: i64,
    ana: &Initiator,
) -> i64 {
    let id = accounts::insert_within_limit(db, company, 5, Some(ana), 1)
        .await
        .unwrap()
        .unwrap();
    let linked = Change::Connected {
        phone: "+573001234567",
        business_name: "Tacos",
        credentials: "k",
    };
    accounts::apply(db, id, linked, None, 2).await.unwrap();
    accounts::record_event(db, id, "connection_lost", None, 3)
        .await
        .unwrap();
    let gone = Change::Disconnected {
        reason: DisconnectReason::ByUser,
        initiator_name: Some("Ana"),
        until_ms: None,
    };
    accounts::apply(db, id, gone, Some(ana), 4).await.unwrap();
    id
}

#[tokio::test]
async fn a_persons_action_is_in_the_history_and_the_audit_log_whatsapps_only_in_the_history() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 5).await.unwrap();
        let ana = person(&db, company, "ana@demo.test", "Ana").await;
        let id = added_linked_lost_and_disconnected(&db, company, &ana).await;
        assert!(account_lifecycle::disable(&db, id, &ana, 5).await.unwrap());

        let history = channel_history(&db, id, None, 10).await.unwrap();
        let events: Vec<_> = history.iter().map(|h| h.event.as_str()).collect();
        assert_eq!(
            events,
            [
                "disabled",
                "disconnected",
                "connection_lost",
                "connected",
                "added"
            ],
            "newest first"
        );
        assert_eq!(history[1].reason_code.as_deref(), Some("by_user"));
        assert_eq!(history[1].actor_name.as_deref(), Some("Ana"));
        assert_eq!(
            history[3].details.as_deref(),
            Some("+573001234567"),
            "the number that scanned"
        );
        assert_eq!(history[3].actor_name, None, "WhatsApp did it");
        let older = channel_history(&db, id, Some(history[1].id), 2)
            .await
            .unwrap();
        assert_eq!(
            older.iter().map(|h| h.event.as_str()).collect::<Vec<_>>(),
            ["connection_lost", "connected"]
        );

        let log = audit_entries(&db, company, AuditFilter::default(), None, 10)
            .await
            .unwrap();
        let actions: Vec<_> = log.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            ["disabled", "disconnected", "added"],
            "only what a person did"
        );
        assert!(log.iter().all(|a| a.actor_name == "Ana"
            && a.actor_user_id == Some(ana.user_id)
            && a.address.as_deref() == Some("203.0.113.7")
            && a.account_id == Some(id)));
        assert_eq!(
            log[0].subject, "+573001234567",
            "named as the channel is named then"
        );
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_filters_by_channel_and_person_and_outlives_the_channel() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 5).await.unwrap();
        let other = companies::insert(&db, "Other", true, 5).await.unwrap();
        let ana = person(&db, company, "ana@demo.test", "Ana").await;
        let beto = person(&db, company, "beto@demo.test", "Beto").await;
        let stranger = person(&db, other, "x@other.test", "Xavi").await;
        let a = accounts::insert_within_limit(&db, company, 5, Some(&ana), 1)
            .await
            .unwrap()
            .unwrap();
        let b = accounts::insert_within_limit(&db, company, 5, Some(&beto), 2)
            .await
            .unwrap()
            .unwrap();
        accounts::insert_within_limit(&db, other, 5, Some(&stranger), 3)
            .await
            .unwrap()
            .unwrap();
        accounts::record_event(&db, b, "linking_started", Some(&ana), 4)
            .await
            .unwrap();

        let of = |account_id, actor_user_id| AuditFilter {
            account_id,
            actor_user_id,
        };
        let count = |rows: Vec<AuditRow>| rows.len();
        assert_eq!(
            count(
                audit_entries(&db, company, of(None, None), None, 10)
                    .await
                    .unwrap()
            ),
            3
        );
        assert_eq!(
            count(
                audit_entries(&db, company, of(Some(b), None), None, 10)
                    .await
                    .unwrap()
            ),
            2
        );
        assert_eq!(
            count(
                audit_entries(&db, company, of(None, Some(ana.user_id)), None, 10)
                    .await
                    .unwrap()
            ),
            2
        );
        assert_eq!(
            count(
                audit_entries(&db, company, of(Some(b), Some(ana.user_id)), None, 10)
                    .await
                    .unwrap()
            ),
            1
        );
        assert_eq!(
            count(
                audit_entries(&db, company, of(None, Some(stranger.user_id)), None, 10)
                    .await
                    .unwrap()
            ),
            0,
            "another company's person is not in this log"
        );

        let (channels, people) = audit_subjects(&db, company).await.unwrap();
        assert_eq!(channels.iter().map(|c| c.0).collect::<Vec<_>>().len(), 2);
        assert_eq!(
            people.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
            ["Ana", "Beto"]
        );

        on_pool!(&db, pool => sqlx::query("DELETE FROM whatsapp_accounts WHERE id = $1")
            .bind(a)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        assert!(channel_history(&db, a, None, 10).await.unwrap().is_empty());
        assert_eq!(
            count(
                audit_entries(&db, company, of(Some(a), None), None, 10)
                    .await
                    .unwrap()
            ),
            1,
            "the audit entry stays"
        );
    })
    .await;
}

#[tokio::test]
async fn activity_counts_messages_in_and_out_per_period() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Demo", true, 5).await.unwrap();
        let id = accounts::insert_within_limit(&db, company, 5, None, 1).await.unwrap().unwrap();
        let linked = Change::Connected {
            phone: "+573001234567",
            business_name: "Tacos",
            credentials: "k",
        };
        accounts::apply(&db, id, linked, None, 2).await.unwrap();
        let routing = Routing {
            company_id: company,
            funnel_id: None,
            owner_user_id: None,
        };
        let (hour, day) = (3_600_000, 24 * 3_600_000);
        // Half past an hour: the last period ends with this hour.
        let now = 100 * day + hour / 2;
        // One in this hour, one 70 hours ago, one too old; then a reply in this hour.
        let mut conversation = 0;
        for (n, sent_at) in [now - 1, now - 3 * day + 2 * hour, now - 8 * day].into_iter().enumerate() {
            let wa = format!("wa-{n}");
            let message = NewInbound {
                account_id: id,
                routing: &routing,
                from: "+525512345678",
                name: "Cliente",
                text: "hola",
                wa_message_id: &wa,
                sent_at,
                media: None,
                now: sent_at,
                fence: None,
            };
            conversation = store_inbound(&db, &message).await.unwrap().unwrap().conversation_id;
        }
        replies::insert_sending(&db, conversation, id, "¡hola!", None, "local-1", now - 2)
            .await
            .unwrap();
        // Yesterday's history, taken in when linked: one of theirs, two of ours; one of ours
        // again in a later batch is no second message.
        let old = |n: u8, from_me: bool| NewHistory {
            customer: "+525512345678",
            from_me,
            name: "Cliente",
            text: "ayer",
            wa_message_id: ["h-0", "h-1", "h-2"][n as usize],
            sent_at: now - day,
            media: None,
        };
        let batch = [old(0, false), old(1, true), old(2, true)];
        history::import(&db, id, &routing, &batch, now, None).await.unwrap().unwrap();
        history::import(&db, id, &routing, &batch[2..], now, None).await.unwrap().unwrap();

        let week = activity(&db, ActivityOf::ConnectedOf(company), now, day, 7).await.unwrap();
        let counts = &week[&id];
        assert_eq!(counts.len(), 7);
        assert_eq!(counts[6], (1, 1), "today: one in, one out");
        assert_eq!(counts[5], (1, 2), "yesterday's history");
        assert_eq!(counts[4], (1, 0), "the day before yesterday");
        assert_eq!(counts.iter().map(|c| c.0 + c.1).sum::<i64>(), 6, "eight days ago is out");

        let one = activity(&db, ActivityOf::Account(id), now, hour, 24).await.unwrap();
        assert_eq!(one[&id][23], (1, 1), "this hour");
        assert_eq!(one[&id].iter().map(|c| c.0 + c.1).sum::<i64>(), 2, "24 hours ago is out");
        on_pool!(&db, pool => sqlx::query("UPDATE whatsapp_accounts SET status = 'disconnected' WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        let week = activity(&db, ActivityOf::ConnectedOf(company), now, day, 7).await.unwrap();
        assert!(week.is_empty(), "only Connected channels are charted");
    })
    .await;
}
