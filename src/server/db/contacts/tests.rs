use super::*;
use crate::server::db::account_data::{routing, store_inbound, NewInbound};
use crate::server::db::{accounts, companies, testing::with_db};

struct Rig {
    db: Db,
    company: i64,
    ventas: i64,
    soporte: i64,
}

impl Rig {
    async fn new(db: Db) -> Rig {
        Rig::named(db, "Demo").await
    }

    async fn named(db: Db, name: &str) -> Rig {
        let company = companies::insert(&db, name, true, 5).await.unwrap();
        let mut accounts = Vec::new();
        for at in [1, 2] {
            let id = accounts::insert_within_limit(&db, company, 5, None, at)
                .await
                .unwrap()
                .unwrap();
            accounts.push(id);
        }
        Rig {
            db,
            company,
            ventas: accounts[0],
            soporte: accounts[1],
        }
    }

    /// A customer's message on `account`, from `from` (a number or `lid:…`); its conversation.
    async fn receive(&self, account: i64, from: &str, name: &str, id: &str, at: i64) -> i64 {
        let routing = routing(&self.db, account).await.unwrap().unwrap();
        let message = NewInbound {
            account_id: account,
            routing: &routing,
            from,
            name,
            text: id,
            wa_message_id: id,
            sent_at: at,
            media: None,
            now: at,
            fence: None,
        };
        store_inbound(&self.db, &message)
            .await
            .unwrap()
            .unwrap()
            .conversation_id
    }

    async fn contacts(&self) -> Vec<(String, String, Option<String>)> {
        on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT phone, name, lid FROM contacts WHERE company_id = $1 ORDER BY id",
        )
        .bind(self.company)
        .fetch_all(pool)
        .await)
        .unwrap()
    }

    async fn conversation(&self, id: i64) -> Option<(i64, String, i64, i64)> {
        on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id), \
             c.last_message_text, c.last_message_at, c.inbound_count FROM conversations c WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)
        .unwrap()
    }
}

const LID: &str = "123456789012345";
const HIDDEN: &str = "lid:123456789012345";
const PHONE: &str = "+573001234567";

#[tokio::test]
async fn a_contact_seen_only_by_its_lid_takes_its_number_when_learned() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let conversation = rig.receive(rig.ventas, HIDDEN, "Renata", "A1", 10).await;
        assert_eq!(
            phone_for_lid(&rig.db, rig.company, LID).await.unwrap(),
            None
        );

        let learned = learn_lid(&rig.db, rig.ventas, LID, PHONE).await.unwrap();
        assert_eq!(
            learned,
            Learned {
                changed: vec![conversation],
                removed: vec![]
            }
        );
        assert_eq!(
            rig.contacts().await,
            [(PHONE.into(), "Renata".into(), Some(LID.into()))]
        );
        assert_eq!(
            phone_for_lid(&rig.db, rig.company, LID)
                .await
                .unwrap()
                .as_deref(),
            Some(PHONE)
        );
        // Learning it again changes nothing.
        assert_eq!(
            learn_lid(&rig.db, rig.ventas, LID, PHONE).await.unwrap(),
            Learned::default()
        );
    })
    .await;
}

#[tokio::test]
async fn a_lid_contact_merges_into_the_number_with_every_message_and_no_duplicate() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        // The number wrote to Ventas before; then the same person appears by LID on Ventas
        // (same channel: the two conversations become one) and on Soporte (moves over).
        let known = rig.receive(rig.ventas, PHONE, "", "P1", 10).await;
        let hidden_ventas = rig.receive(rig.ventas, HIDDEN, "Renata", "L1", 20).await;
        rig.receive(rig.ventas, HIDDEN, "Renata", "L2", 30).await;
        let hidden_soporte = rig.receive(rig.soporte, HIDDEN, "Renata", "S1", 15).await;
        let user = crate::server::db::users::insert(&rig.db, &crate::server::db::users::NewUser {
            company_id: rig.company,
            email: "ana@demo.test",
            display_name: "Ana",
            password_hash: "h",
            global_admin: true,
            channels_admin: true,
        })
        .await
        .unwrap();
        for (conversation, seen) in [(known, 1), (hidden_ventas, 1)] {
            on_pool!(&rig.db, pool => sqlx::query(
                "INSERT INTO conversation_reads (user_id, conversation_id, seen_inbound) VALUES ($1, $2, $3)",
            )
            .bind(user)
            .bind(conversation)
            .bind(seen)
            .execute(pool)
            .await
            .map(|_| ()))
            .unwrap();
        }

        let learned = learn_lid(&rig.db, rig.ventas, LID, PHONE).await.unwrap();
        let mut changed = learned.changed.clone();
        changed.sort();
        assert_eq!(changed, [known, hidden_soporte]);
        assert_eq!(learned.removed, [hidden_ventas]);
        // One contact, with the name WhatsApp showed and the LID remembered.
        assert_eq!(rig.contacts().await, [(PHONE.into(), "Renata".into(), Some(LID.into()))]);
        // Ventas: one conversation with all three messages, led by the newest.
        assert_eq!(rig.conversation(known).await, Some((3, "L2".into(), 30, 3)));
        assert_eq!(rig.conversation(hidden_ventas).await, None);
        assert_eq!(rig.conversation(hidden_soporte).await, Some((1, "S1".into(), 15, 1)));
        let seen: i64 = on_pool!(&rig.db, pool => sqlx::query_scalar(
            "SELECT seen_inbound FROM conversation_reads WHERE user_id = $1 AND conversation_id = $2",
        )
        .bind(user)
        .bind(known)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(seen, 2, "what Ana had seen of both adds up: one message is new to her");
        // Both channels reach the merged contact.
        let channels: i64 = on_pool!(&rig.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM contact_channels cc JOIN contacts c ON c.id = cc.contact_id WHERE c.phone = $1",
        )
        .bind(PHONE)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(channels, 2);

        // A later message from the LID goes straight to the number's conversation.
        let phone = phone_for_lid(&rig.db, rig.company, LID).await.unwrap().unwrap();
        assert_eq!(rig.receive(rig.ventas, &phone, "Renata", "L3", 40).await, known);
        assert_eq!(rig.contacts().await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_lid_of_another_company_or_an_unknown_account_is_left_alone() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let other = Rig::named(rig.db.clone(), "Other").await;
        other.receive(other.ventas, HIDDEN, "Otra", "O1", 10).await;
        assert_eq!(
            learn_lid(&rig.db, rig.ventas, LID, PHONE).await.unwrap(),
            Learned::default()
        );
        assert_eq!(
            other.contacts().await,
            [(HIDDEN.into(), "Otra".into(), None)]
        );
        assert_eq!(
            learn_lid(&rig.db, 999_999, LID, PHONE).await.unwrap(),
            Learned::default()
        );
    })
    .await;
}
