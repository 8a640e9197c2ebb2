use super::*;
use crate::server::db::account_data::{routing, store_inbound, NewInbound};
use crate::server::db::{accounts, companies, testing::with_db};

async fn account(db: &Db) -> (i64, Routing) {
    let company = companies::insert(db, "Historia", true, 5).await.unwrap();
    let id = accounts::insert_within_limit(db, company, 5, None, 1)
        .await
        .unwrap()
        .unwrap();
    (id, routing(db, id).await.unwrap().unwrap())
}

fn message<'a>(id: &'a str, customer: &'a str, from_me: bool, at: i64) -> NewHistory<'a> {
    NewHistory {
        customer,
        from_me,
        name: if from_me { "Tienda" } else { "Rosa" },
        text: id,
        wa_message_id: id,
        sent_at: at,
    }
}

/// (direction, text, status) of every message of the account, oldest first; and each
/// conversation's (latest text, latest outbound, unread inbound count).
async fn stored(
    db: &Db,
    account: i64,
) -> (Vec<(String, String, String)>, Vec<(String, bool, i64)>) {
    let messages = on_pool!(db, pool => sqlx::query_as(
        "SELECT direction, text, status FROM messages WHERE account_id = $1 ORDER BY sent_at, id",
    )
    .bind(account)
    .fetch_all(pool)
    .await)
    .unwrap();
    let conversations = on_pool!(db, pool => sqlx::query_as(
        "SELECT last_message_text, last_message_outbound, inbound_count FROM conversations \
         WHERE account_id = $1 ORDER BY id",
    )
    .bind(account)
    .fetch_all(pool)
    .await)
    .unwrap();
    (messages, conversations)
}

#[tokio::test]
async fn history_lands_in_its_chats_keeps_its_times_and_is_never_unread() {
    with_db(|db| async move {
        let (account, routing) = account(&db).await;
        let batch = [
            message("h2", "+573001110001", true, 2_000),
            message("h1", "+573001110001", false, 1_000),
            message("h3", "+573001110002", false, 3_000),
        ];
        let imported = import(&db, account, &routing, &batch, 9_000, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((imported.messages, imported.new_conversations), (3, 2));
        assert_eq!(imported.conversations.len(), 2);
        let (messages, conversations) = stored(&db, account).await;
        assert_eq!(
            messages,
            vec![
                ("inbound".into(), "h1".into(), "received".into()),
                ("outbound".into(), "h2".into(), "sent".into()),
                ("inbound".into(), "h3".into(), "received".into()),
            ]
        );
        assert_eq!(
            conversations,
            vec![("h2".into(), true, 0), ("h3".into(), false, 0)],
            "the latest message leads each chat, whatever the batch order; none is unread"
        );
        let name: String = on_pool!(&db, pool => sqlx::query_scalar(
            "SELECT name FROM contacts WHERE phone = '+573001110001'",
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(name, "Rosa", "the customer's name, not the shop's");
    })
    .await;
}

#[tokio::test]
async fn an_import_that_starts_over_or_meets_live_messages_stores_each_message_once() {
    with_db(|db| async move {
        let (account, routing) = account(&db).await;
        // A live message arrived before the history that also holds it.
        let live = NewInbound {
            account_id: account,
            routing: &routing,
            from: "+573001110001",
            name: "Rosa",
            text: "h3",
            wa_message_id: "h3",
            sent_at: 3_000,
            media: None,
            now: 3_000,
            fence: None,
        };
        store_inbound(&db, &live).await.unwrap().unwrap();
        let batch = [
            message("h1", "+573001110001", false, 1_000),
            message("h2", "+573001110001", true, 2_000),
            message("h3", "+573001110001", false, 3_000),
        ];
        // The first part went in, then the server stopped; the whole batch comes again.
        let first = import(&db, account, &routing, &batch[..1], 9_000, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((first.messages, first.new_conversations), (1, 0));
        let again = import(&db, account, &routing, &batch, 9_500, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (again.messages, again.new_conversations),
            (1, 0),
            "only h2 is new"
        );
        let (messages, conversations) = stored(&db, account).await;
        assert_eq!(messages.len(), 3);
        assert_eq!(
            conversations,
            vec![("h3".into(), false, 1)],
            "the live message stays the latest and the only unread one"
        );
    })
    .await;
}
