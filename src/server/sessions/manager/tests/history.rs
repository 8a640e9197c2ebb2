//! The chats a phone sends after linking, through the simulator and the actor.

use super::*;
use crate::server::db::on_pool;
use crate::server::drivers::driver::HistoryMessage;
use crate::server::drivers::simulator::history::{generated, BATCH};

impl Rig {
    /// Links `id` to `phone`, whose phone then sends `history`.
    async fn link_with_history(&self, id: i64, phone: &str, history: Vec<HistoryMessage>) {
        self.link(id, phone).await;
        self.sim.send_history(phone.to_string(), history);
    }

    /// (messages, conversations, unread inbound) of the account.
    async fn stored(&self, id: i64) -> (i64, i64, i64) {
        on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM messages WHERE account_id = $1), \
             (SELECT COUNT(*) FROM conversations WHERE account_id = $1), \
             (SELECT CAST(COALESCE(SUM(inbound_count), 0) AS BIGINT) FROM conversations WHERE account_id = $1)",
        )
        .bind(id)
        .fetch_one(pool)
        .await)
        .unwrap()
    }

    async fn results(&self, id: i64) -> Vec<Option<String>> {
        accounts::history(&self.db, id)
            .await
            .unwrap()
            .into_iter()
            .filter(|(event, _)| event == "history_imported")
            .map(|(_, result)| result)
            .collect()
    }
}

#[tokio::test]
async fn a_linked_number_brings_its_recent_chats_in_parts_read_and_recorded() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        let phone = "+5215500000031";
        let mut history = generated(phone, 2 * BATCH + 10, 30, now_ms(), 20);
        // Older than the server's 30 days: left out.
        history.push(HistoryMessage {
            id: "OLD1".into(),
            chat: "+573001110099".into(),
            from_me: false,
            name: "Antigua".into(),
            text: "de hace dos meses".into(),
            sent_at_ms: now_ms() - 60 * 86_400_000,
            media: None,
        });
        rig.link_with_history(id, phone, history).await;
        let result = eventually(|| async { rig.results(id).await.pop().flatten() }).await;
        assert_eq!(
            result,
            format!("30 conversations, {} messages", 2 * BATCH + 10)
        );
        assert_eq!(
            rig.stored(id).await,
            ((2 * BATCH + 10) as i64, 30, 0),
            "none unread"
        );
        assert_eq!(
            rig.manager.live(id).importing,
            None,
            "the card stops showing progress"
        );

        // The phone sends it all again (a reconnect mid-import): nothing is stored twice.
        rig.sim.send_history(
            phone.to_string(),
            generated(phone, 2 * BATCH + 10, 30, now_ms(), 20),
        );
        eventually(|| async { (rig.results(id).await.len() == 2).then_some(()) }).await;
        assert_eq!(
            rig.results(id).await[1].as_deref(),
            Some("0 conversations, 0 messages")
        );
        assert_eq!(rig.stored(id).await, ((2 * BATCH + 10) as i64, 30, 0));
    })
    .await;
}

#[tokio::test]
async fn a_channel_set_not_to_import_history_takes_none() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.add().await;
        on_pool!(&rig.db, pool => sqlx::query("UPDATE whatsapp_accounts SET import_history = FALSE WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        let phone = "+5215500000032";
        rig.link_with_history(id, phone, generated(phone, 40, 4, now_ms(), 5)).await;
        // The phone's signals come in order: the history goes before this message.
        tokio::time::sleep(Duration::from_millis(100)).await;
        // A live message after the history still arrives: the history went by, unstored.
        let message = crate::server::drivers::simulator::customer_message(
            None,
            "+573001110001",
            "Rosa",
            "hola",
            None,
        );
        assert!(rig.sim.deliver(phone, message).await);
        eventually(|| async { (rig.stored(id).await.0 == 1).then_some(()) }).await;
        assert_eq!(rig.stored(id).await, (1, 1, 1));
        assert!(rig.results(id).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_import_whatsapp_stops_midway_ends_with_what_came_and_says_so() {
    with_db(|db| async move {
        let mut rig = Rig::new(db).await;
        rig.manager = SessionManager::new(
            rig.db.clone(),
            Arc::new(rig.sim.clone()),
            ManagerOptions {
                history_quiet: Duration::from_millis(300),
                ..fast()
            },
        );
        let id = rig.add().await;
        let phone = "+5215500000033";
        rig.link(id, phone).await;
        // Only the first part of a longer history comes.
        let part = generated(phone, 20, 4, now_ms(), 5);
        rig.sim.send_history_part(phone, part, Some(40)).await;
        eventually(|| async { rig.manager.live(id).importing.is_some().then_some(()) }).await;
        let result = eventually(|| async { rig.results(id).await.pop().flatten() }).await;
        assert_eq!(
            result,
            "4 conversations, 20 messages (WhatsApp stopped sending before the end)"
        );
        assert_eq!(
            rig.manager.live(id).importing,
            None,
            "no progress left on the card"
        );
    })
    .await;
}
