//! WhatsApp's ticks through the simulator, on both engines: replies move to Delivered and
//! Read (never back), and an agent opening a chat tells the customer it was read, once,
//! unless the channel's "Send read receipts" is off.

use super::*;
use crate::domain::inbox::Receipt;
use crate::server::db::receipts;
use crate::views::inbox::{ConversationPage, MessageView};

fn find(page: ConversationPage, id: i64) -> MessageView {
    page.messages.into_iter().find(|m| m.id == id).unwrap()
}

#[tokio::test]
async fn a_reply_ticks_delivered_then_read_and_never_goes_back() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        let page = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "Sí, tenemos")
            .await
            .unwrap();
        let reply = page.messages.last().unwrap().id;
        let state = |wanted: MessageStatus| {
            let rig = &rig;
            async move {
                eventually(|| async {
                    let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
                    Some(find(page, reply)).filter(|m| m.status == wanted)
                })
                .await
            }
        };
        let delivered = state(MessageStatus::Delivered).await;
        let at = delivered.delivered_at_ms.expect("the delivery's time");
        assert!(at >= delivered.at_ms, "{delivered:?}");
        assert_eq!(delivered.read_at_ms, None);

        // The customer opens the chat: every open page hears of it, and the tick is blue.
        let mut changes = rig.manager.subscribe_conversations();
        assert_eq!(rig.sim.customer_reads(LINKED, CUSTOMER).await, Some(1));
        let read = state(MessageStatus::Read).await;
        assert!(read.read_at_ms.is_some_and(|r| r >= at), "{read:?}");
        assert_eq!(
            read.delivered_at_ms,
            Some(at),
            "the delivery keeps its time"
        );
        assert_eq!(changes.recv().await.unwrap().conversation_id, id);
        assert_eq!(rig.sim.customer_reads(LINKED, CUSTOMER).await, Some(0));

        // A late delivery receipt takes nothing back; nor does one for another account.
        let wa_id = rig.sim.outbox(LINKED)[0].id.clone();
        let ids = [wa_id];
        let late = receipts::advance(&rig.db, rig.account, &ids, Receipt::Delivered, now_ms());
        assert!(late.await.unwrap().is_empty());
        let stranger = receipts::advance(&rig.db, rig.account + 1, &ids, Receipt::Read, 1);
        assert!(stranger.await.unwrap().is_empty());
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        assert_eq!(find(page, reply).status, MessageStatus::Read);
        rig.manager.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test]
async fn a_receipt_proves_a_reply_in_doubt_went_out_but_not_a_failed_one() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        let mut ids = Vec::new();
        for (n, failure) in [(1, "unconfirmed"), (2, "failed")] {
            let message = replies_db::insert_sending(
                &rig.db,
                id,
                rig.account,
                "x",
                None,
                &format!("l{n}"),
                now_ms(),
            )
            .await
            .unwrap();
            replies_db::mark_sent(&rig.db, message, &format!("3EB0{n}"))
                .await
                .unwrap();
            on_pool!(&rig.db, pool => sqlx::query("UPDATE messages SET status = $2 WHERE id = $1")
                .bind(message)
                .bind(failure)
                .execute(pool)
                .await
                .map(|_| ()))
            .unwrap();
            ids.push(format!("3EB0{n}"));
        }
        let moved = receipts::advance(&rig.db, rig.account, &ids, Receipt::Delivered, 5)
            .await
            .unwrap();
        assert_eq!(moved, vec![(id, "3EB01".to_string())]);
    })
    .await;
}

#[tokio::test]
async fn opening_a_chat_tells_the_customer_once_unless_the_channel_says_not_to() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.receive(CUSTOMER, "¿Tienen envío?", None).await;
        // Opened while the channel is not online: nothing can be told yet, nothing is lost.
        inbox::conversation_live(&rig.db, &rig.manager, &rig.carlos, id)
            .await
            .unwrap();
        rig.link().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(rig.sim.read_marks(LINKED).is_empty());

        inbox::conversation_live(&rig.db, &rig.manager, &rig.carlos, id)
            .await
            .unwrap();
        let marks = eventually(|| async {
            let marks = rig.sim.read_marks(LINKED);
            (marks.len() == 2).then_some(marks)
        })
        .await;
        assert!(marks.iter().all(|m| m.chat == CUSTOMER), "{marks:?}");
        inbox::conversation_live(&rig.db, &rig.manager, &rig.carlos, id)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rig.sim.read_marks(LINKED).len(), 2, "told once");

        on_pool!(&rig.db, pool => sqlx::query("UPDATE whatsapp_accounts SET send_read_receipts = FALSE WHERE id = $1")
            .bind(rig.account)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        rig.receive(CUSTOMER, "Gracias", None).await;
        inbox::conversation_live(&rig.db, &rig.manager, &rig.carlos, id)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rig.sim.read_marks(LINKED).len(), 2, "the channel's choice holds");
        rig.manager.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test]
async fn a_chat_opened_twice_at_once_tells_the_customer_once() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        rig.link().await;
        let id = rig.receive(CUSTOMER, "¿Hacen envíos?", None).await;
        let open = || inbox::conversation_live(&rig.db, &rig.manager, &rig.carlos, id);
        let (first, second) = tokio::join!(open(), open());
        first.unwrap();
        second.unwrap();
        eventually(|| async { (!rig.sim.read_marks(LINKED).is_empty()).then_some(()) }).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rig.sim.read_marks(LINKED).len(), 1, "told once");
        rig.manager.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
