//! Search, Mine / Unassigned / All, and unread counts, on both engines.

use super::*;
use crate::i18n::refusals::StoredReason;
use crate::server::services::inbox::ListRequest;

impl Rig {
    /// A message from a named contact; returns its conversation.
    async fn receive_from(
        &self,
        from: &str,
        name: &str,
        text: &str,
        id: Option<&str>,
    ) -> Option<i64> {
        let message = customer_message(id.map(String::from), from, name, text, None);
        inbound::store(&self.db, &self.media, self.account, &message, None)
            .await
            .unwrap()
            .map(|stored| stored.conversation_id)
    }

    async fn found(&self, viewer: &SignedInUser, request: ListRequest<'_>) -> Vec<i64> {
        let mut ids: Vec<i64> = inbox::page(&self.db, viewer, request)
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    }

    async fn search(&self, viewer: &SignedInUser, text: &str) -> Vec<i64> {
        let request = ListRequest {
            search: Some(text),
            ..Default::default()
        };
        self.found(viewer, request).await
    }
}

#[tokio::test]
async fn search_finds_names_numbers_and_message_texts_the_viewer_may_see() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let lucia = rig
            .receive_from(
                CUSTOMER,
                "Lucía Pérez",
                "Quiero la factura de noviembre",
                None,
            )
            .await
            .unwrap();
        rig.receive_from(CUSTOMER, "Lucía Pérez", "Gracias", None)
            .await;
        let pedro = rig
            .receive_from(
                "+525511112222",
                "Pedro",
                "Hola, ¿tienen envíos al 100%?",
                None,
            )
            .await
            .unwrap();
        rig.receive_from("+525511112222", "Pedro", "Muchas gracias", None)
            .await;
        for (text, expected) in [
            ("lucia", vec![lucia]),
            ("PÉREZ", vec![lucia]),
            ("FACTURA de nov", vec![lucia]),
            ("300 123", vec![lucia]),
            ("+52 55 1111", vec![pedro]),
            ("envios", vec![pedro]),
            ("dr", vec![pedro]),
            // Matches in several conversations take the other plan (row by row in list order).
            ("GRACIAS", vec![lucia, pedro]),
            ("e", vec![lucia, pedro]),
            ("100%", vec![pedro]),
            ("%", vec![]),
            ("_", vec![]),
            ("nothing like this", vec![]),
        ] {
            assert_eq!(
                rig.search(&rig.carlos, text).await,
                expected,
                "searching {text:?}"
            );
        }
        // A channel restricted to others: its conversations are not found, whatever matches.
        rig.restrict_to(&[&rig.ana, &rig.carlos]).await;
        assert_eq!(rig.search(&rig.carlos, "factura").await, vec![lucia]);
        assert!(rig.search(&rig.lucia, "factura").await.is_empty());
        assert!(
            rig.search(&rig.omar, "factura").await.is_empty(),
            "another company"
        );
        // Bad input is the client's mistake, said plainly.
        let long = "x".repeat(101);
        let request = ListRequest {
            search: Some(&long),
            ..Default::default()
        };
        assert!(matches!(
            inbox::page(&rig.db, &rig.carlos, request).await,
            Err(AppError::Invalid(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn mine_unassigned_and_all_split_the_list_by_owner() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let owned = rig
            .receive_from(CUSTOMER, "Lucía", "Hola", None)
            .await
            .unwrap();
        let free = rig
            .receive_from("+525511112222", "Pedro", "Hola", None)
            .await
            .unwrap();
        inbox_db::set_owner(&rig.db, free, None).await.unwrap();
        let whose = |code: &'static str| ListRequest {
            whose: Some(code),
            ..Default::default()
        };
        assert_eq!(rig.found(&rig.carlos, whose("mine")).await, vec![owned]);
        assert_eq!(
            rig.found(&rig.carlos, whose("unassigned")).await,
            vec![free]
        );
        assert_eq!(
            rig.found(&rig.carlos, whose("all")).await,
            vec![owned, free]
        );
        assert!(rig.found(&rig.lucia, whose("mine")).await.is_empty());
        let searched_mine = ListRequest {
            whose: Some("mine"),
            search: Some("Pedro"),
            ..Default::default()
        };
        assert!(
            rig.found(&rig.carlos, searched_mine).await.is_empty(),
            "filters combine"
        );
        assert!(matches!(
            inbox::page(&rig.db, &rig.carlos, whose("everyone")).await,
            Err(AppError::Invalid(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn unread_counts_follow_new_messages_and_each_users_reading() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let unread = |page: crate::views::inbox::InboxPage| {
            (
                page.rows.first().map(|r| r.unread),
                page.unread_conversations,
            )
        };
        let first = rig
            .receive_from(CUSTOMER, "Lucía", "Hola", Some("A1"))
            .await
            .unwrap();
        rig.receive_from(CUSTOMER, "Lucía", "¿Hay alguien?", Some("A2"))
            .await;
        assert_eq!(
            rig.receive_from(CUSTOMER, "Lucía", "Hola", Some("A1"))
                .await,
            None,
            "a replay"
        );
        let carlos = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert!(carlos.rows[0].mine);
        assert_eq!(unread(carlos), (Some(2), 1));
        // Opening the conversation reads it, for that user only.
        inbox::conversation(&rig.db, &rig.carlos, first)
            .await
            .unwrap();
        let carlos = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert_eq!(unread(carlos), (Some(0), 0));
        let ana = inbox::page(&rig.db, &rig.ana, ListRequest::default())
            .await
            .unwrap();
        assert!(!ana.rows[0].mine);
        assert_eq!(unread(ana), (Some(2), 1));
        rig.receive_from(CUSTOMER, "Lucía", "Sigo aquí", Some("A3"))
            .await;
        let carlos = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert_eq!(unread(carlos), (Some(1), 1));
        // Our own replies are never unread.
        let replied = rig
            .receive_from("+525511112222", "Pedro", "Hola", None)
            .await
            .unwrap();
        inbox::conversation(&rig.db, &rig.carlos, replied)
            .await
            .unwrap();
        replies_db::insert_sending(
            &rig.db,
            replied,
            rig.account,
            "Buenas",
            Some(rig.carlos.user_id),
            "L1",
            now_ms(),
        )
        .await
        .unwrap();
        let carlos = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert_eq!(unread(carlos), (Some(0), 1));
    })
    .await;
}

#[tokio::test]
async fn a_reply_left_waiting_by_a_disconnect_fails_and_is_flagged_in_the_list() {
    with_db(|db| async move {
        let rig = Rig::new(db).await;
        let id = rig.receive(CUSTOMER, "Hola", None).await;
        rig.link().await;
        rig.lose_network().await;
        let page = replies::send(&rig.db, &rig.manager, &rig.carlos, id, "¿Sigue ahí?")
            .await
            .unwrap();
        assert_eq!(page.messages.last().unwrap().status, MessageStatus::Queued);
        let listed = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert!(!listed.rows[0].not_sent, "waiting is not failing");
        // An admin disconnects the channel: the reply will not go out by itself any more.
        rig.manager.shutdown(Duration::from_secs(1)).await;
        let gone = Change::Disconnected {
            reason: crate::domain::account::DisconnectReason::ByUser,
            initiator_name: Some("Ana"),
            until_ms: None,
        };
        accounts::apply(&rig.db, rig.account, gone, None, now_ms())
            .await
            .unwrap();
        // The sweep's first step: each stranded conversation once, for its open pages.
        let reason = StoredReason::Stranded.english();
        let stranded = crate::server::db::replies::fail_queued_of_unconnected(&rig.db, &reason)
            .await
            .unwrap();
        assert_eq!(stranded, [(rig.carlos.company_id, rig.account, id)]);
        scheduler::sweep_queued(&rig.db, &rig.manager)
            .await
            .unwrap();
        let page = inbox::conversation(&rig.db, &rig.carlos, id).await.unwrap();
        let reply = page.messages.last().unwrap();
        assert_eq!(reply.status, MessageStatus::Failed);
        assert_eq!(reply.failure, Some(StoredReason::Stranded.english()));
        let listed = inbox::page(&rig.db, &rig.carlos, ListRequest::default())
            .await
            .unwrap();
        assert!(listed.rows[0].not_sent, "the list flags it");
        assert!(rig.sim.outbox(LINKED).is_empty());
    })
    .await;
}
