//! "Linked but silently not working", through the simulator on both engines: replies
//! WhatsApp never acknowledges turn Not confirmed and the channel's health says its
//! messages aren't being accepted; the next accepted message clears the warning, a late
//! ack settles its reply, and a refusal is Not sent.

use super::*;
use crate::server::db::receipts;
use crate::server::sessions::NOT_ACCEPTED;

const ACK_TIMEOUT: Duration = Duration::from_millis(400);

async fn status_of(rig: &Rig, conversation: i64, reply: i64) -> (MessageStatus, Option<String>) {
    let page = inbox::conversation(&rig.db, &rig.carlos, conversation)
        .await
        .unwrap();
    let message = page.messages.into_iter().find(|m| m.id == reply).unwrap();
    (message.status, message.failure)
}

async fn send(rig: &Rig, conversation: i64, text: &str) -> i64 {
    let page = replies::send(&rig.db, &rig.manager, &rig.carlos, conversation, text)
        .await
        .unwrap();
    page.messages.last().unwrap().id
}

#[tokio::test]
async fn sends_without_an_ack_warn_until_whatsapp_accepts_a_message_again() {
    with_db(|db| async move {
        let rig = Rig::with_timeouts(db, Duration::from_secs(5), ACK_TIMEOUT).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        let mut cards = rig.manager.subscribe();
        rig.sim.set_stalled(LINKED, true);
        let lost = send(&rig, id, "¿Sigue ahí?").await;
        // On the socket, so Sent for now: WhatsApp has until the ack timeout to take it.
        assert_eq!(status_of(&rig, id, lost).await.0, MessageStatus::Sent);
        assert_eq!(rig.manager.live(rig.account).unaccepted_since_ms, None);

        let since = eventually(|| async { rig.manager.live(rig.account).unaccepted_since_ms }).await;
        assert!(since <= now_ms() && since > now_ms() - 5_000, "{since}");
        assert_eq!(
            status_of(&rig, id, lost).await,
            (MessageStatus::Unconfirmed, Some(NOT_ACCEPTED.to_string()))
        );
        assert_eq!(rig.manager.live(rig.account).health, Some(Health::Online));
        assert!(cards.try_recv().is_ok(), "the card heard of it");
        assert!(rig.sim.outbox(LINKED).is_empty(), "the network swallowed it");

        // A second lost message keeps the time the trouble began.
        let also_lost = send(&rig, id, "¿Hola?").await;
        eventually(|| async {
            (status_of(&rig, id, also_lost).await.0 == MessageStatus::Unconfirmed).then_some(())
        })
        .await;
        assert_eq!(rig.manager.live(rig.account).unaccepted_since_ms, Some(since));

        // The network carries sends again: the next accepted message clears the warning.
        rig.sim.set_stalled(LINKED, false);
        let fine = send(&rig, id, "Listo").await;
        eventually(|| async {
            rig.manager
                .live(rig.account)
                .unaccepted_since_ms
                .is_none()
                .then_some(())
        })
        .await;
        eventually(|| async { went_out(status_of(&rig, id, fine).await.0).then_some(()) }).await;
        assert_eq!(status_of(&rig, id, lost).await.0, MessageStatus::Unconfirmed);

        // The channel's history keeps both moments.
        let events: Vec<String> = on_pool!(&rig.db, pool => sqlx::query_scalar(
            "SELECT event FROM account_events WHERE account_id = $1 AND event LIKE 'messages_%' ORDER BY id",
        )
        .bind(rig.account)
        .fetch_all(pool)
        .await)
        .unwrap();
        assert_eq!(events, ["messages_not_accepted", "messages_accepted_again"]);
        rig.manager.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test]
async fn a_late_ack_settles_its_reply_and_a_refusal_is_not_sent() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        let mut replies = Vec::new();
        for (n, status) in [(1, "unconfirmed"), (2, "sent"), (3, "delivered")] {
            let message = replies_db::insert_sending(
                &rig.db,
                id,
                rig.account,
                "x",
                None,
                &format!("k{n}"),
                1,
            )
            .await
            .unwrap();
            replies_db::mark_sent(&rig.db, message, &format!("3EB0{n}"))
                .await
                .unwrap();
            on_pool!(&rig.db, pool => sqlx::query("UPDATE messages SET status = $2 WHERE id = $1")
                .bind(message)
                .bind(status)
                .execute(pool)
                .await
                .map(|_| ()))
            .unwrap();
            replies.push(message);
        }
        // A late ack brings the reply in doubt back to Sent, and only that one.
        assert_eq!(
            receipts::accepted_late(&rig.db, rig.account, "3EB01")
                .await
                .unwrap(),
            vec![id]
        );
        assert_eq!(
            status_of(&rig, id, replies[0]).await,
            (MessageStatus::Sent, None)
        );
        assert!(receipts::accepted_late(&rig.db, rig.account, "3EB02")
            .await
            .unwrap()
            .is_empty());
        // Another account's ids are not ours.
        assert!(receipts::accepted_late(&rig.db, rig.account + 1, "3EB01")
            .await
            .unwrap()
            .is_empty());

        // WhatsApp refused one: Not sent, with its code; one the customer has can't be refused.
        let refused = receipts::refused(
            &rig.db,
            rig.account,
            "3EB02",
            "WhatsApp refused this message (code 479)",
        );
        assert_eq!(refused.await.unwrap(), vec![id]);
        let (status, failure) = status_of(&rig, id, replies[1]).await;
        assert_eq!(status, MessageStatus::Failed);
        assert!(failure.unwrap().contains("479"));
        assert!(receipts::refused(&rig.db, rig.account, "3EB03", "no")
            .await
            .unwrap()
            .is_empty());

        // Overdue acks touch only what is still Sent.
        let ids = ["3EB02".to_string(), "3EB03".to_string()];
        let overdue = receipts::not_accepted(&rig.db, rig.account, &ids, NOT_ACCEPTED);
        assert!(overdue.await.unwrap().is_empty());
        assert_eq!(
            status_of(&rig, id, replies[2]).await.0,
            MessageStatus::Delivered
        );
    })
    .await;
}
