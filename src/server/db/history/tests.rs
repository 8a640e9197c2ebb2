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
        media: None,
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

#[tokio::test]
async fn a_history_file_waits_by_reference_until_it_is_fetched_once() {
    with_db(|db| async move {
        let (account, routing) = account(&db).await;
        let mut photo = message("", "+573001110003", false, 5_000);
        photo.wa_message_id = "h-photo";
        photo.media = Some(PendingMedia {
            filename: "recibo.jpg",
            content_type: "image/jpeg",
            size_bytes: 2_048,
            reference: "ref-1",
        });
        import(&db, account, &routing, &[photo], 9_000, None)
            .await
            .unwrap()
            .unwrap();
        let (_, conversations) = stored(&db, account).await;
        assert_eq!(conversations[0].0, "📎 recibo.jpg");
        let conversation: i64 = on_pool!(&db, pool => sqlx::query_scalar(
            "SELECT id FROM conversations WHERE account_id = $1",
        )
        .bind(account)
        .fetch_one(pool)
        .await)
        .unwrap();
        let rows = crate::server::db::inbox::messages(&db, conversation, 10)
            .await
            .unwrap();
        let row = &rows[0];
        assert!(row.media_pending);
        assert_eq!(row.media_size, Some(2_048));
        assert_eq!(row.media_filename.as_deref(), Some("recibo.jpg"));
        let media = row.media_id.unwrap();
        let (path, reference): (String, Option<String>) = on_pool!(&db, pool => sqlx::query_as(
            "SELECT path, pending_ref FROM media_files WHERE id = $1",
        )
        .bind(media)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!((path.as_str(), reference.as_deref()), ("", Some("ref-1")));
        // What the account's deletion would count: a file not downloaded holds no bytes.
        let counts = crate::server::db::account_data::counts(&db, account)
            .await
            .unwrap();
        assert_eq!((counts.media_files, counts.media_bytes), (1, 0));

        use crate::server::db::inbox::{media_fetch_failed, media_fetched};
        media_fetch_failed(&db, media, "the phone no longer has this file")
            .await
            .unwrap();
        let rows = crate::server::db::inbox::messages(&db, conversation, 10)
            .await
            .unwrap();
        assert_eq!(
            rows[0].media_error.as_deref(),
            Some("the phone no longer has this file")
        );
        assert!(media_fetched(&db, media, "1/2/abc-recibo.jpg", 1_990)
            .await
            .unwrap());
        // A second download that finishes later does not replace the first.
        assert!(!media_fetched(&db, media, "1/2/def-recibo.jpg", 1_990)
            .await
            .unwrap());
        let rows = crate::server::db::inbox::messages(&db, conversation, 10)
            .await
            .unwrap();
        assert!(!rows[0].media_pending);
        assert_eq!(rows[0].media_error, None);
        assert_eq!(rows[0].media_size, Some(1_990));
        let counts = crate::server::db::account_data::counts(&db, account)
            .await
            .unwrap();
        assert_eq!(counts.media_bytes, 1_990);
    })
    .await;
}
