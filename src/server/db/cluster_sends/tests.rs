//! Replies across servers, on a real PostgreSQL.

use super::*;
use crate::server::db::testing::with_postgres;
use crate::server::db::{accounts, cluster, companies, replies, Db};

struct Conversation {
    account: i64,
    conversation: i64,
}

/// A Connected account owned by `owner`, with one conversation.
async fn conversation(pool: &PgPool, owner: &str, phone: &str) -> Conversation {
    let db = Db::Postgres(pool.clone());
    let company = companies::insert(&db, phone, true, 10).await.unwrap();
    let account = accounts::insert_within_limit(&db, company, 10, None, 1)
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE whatsapp_accounts SET status = 'connected' WHERE id = $1")
        .bind(account)
        .execute(pool)
        .await
        .unwrap();
    cluster::take(pool, owner, account).await.unwrap();
    let contact: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (company_id, phone, created_at) VALUES ($1, $2, 0) RETURNING id",
    )
    .bind(company)
    .bind(phone)
    .fetch_one(pool)
    .await
    .unwrap();
    let conversation: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (company_id, account_id, contact_id, last_message_at, created_at) \
         VALUES ($1, $2, $3, 0, 0) RETURNING id",
    )
    .bind(company)
    .bind(account)
    .bind(contact)
    .fetch_one(pool)
    .await
    .unwrap();
    Conversation {
        account,
        conversation,
    }
}

async fn reply(pool: &PgPool, at: &Conversation, text: &str) -> i64 {
    let db = Db::Postgres(pool.clone());
    let local_id = format!("local-{text}");
    replies::insert_sending(&db, at.conversation, at.account, text, None, &local_id, 1)
        .await
        .unwrap()
}

async fn state(pool: &PgPool, message: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, failure FROM messages WHERE id = $1")
        .bind(message)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_owner_sees_the_replies_typed_anywhere_and_only_one_server_takes_each() {
    with_postgres(|pool| async move {
        cluster::register(&pool, "a", "a").await.unwrap();
        cluster::register(&pool, "b", "b").await.unwrap();
        let on_a = conversation(&pool, "a", "+573000000001").await;
        let on_b = conversation(&pool, "b", "+573000000002").await;
        let first = reply(&pool, &on_a, "hola").await;
        let second = reply(&pool, &on_a, "¿sigue ahí?").await;
        reply(&pool, &on_b, "not a's").await;

        let queued = queued_for(&pool, "a").await.unwrap();
        let ids: Vec<i64> = queued.iter().map(|q| q.message_id).collect();
        assert_eq!(ids, vec![first, second], "a's replies only, oldest first");
        assert_eq!(queued[0].to, "+573000000001");
        assert_eq!(queued[0].text, "hola");

        let db = Db::Postgres(pool.clone());
        assert!(replies::take_for_sending(&db, first, "a").await.unwrap());
        assert!(
            !replies::take_for_sending(&db, first, "b").await.unwrap(),
            "a reply is taken once"
        );
        let ids: Vec<i64> = queued_for(&pool, "a")
            .await
            .unwrap()
            .iter()
            .map(|q| q.message_id)
            .collect();
        assert_eq!(ids, vec![second], "a taken reply is no longer waiting");
    })
    .await;
}

#[tokio::test]
async fn what_a_dead_server_was_sending_fails_and_a_live_ones_is_left_alone() {
    with_postgres(|pool| async move {
        cluster::register(&pool, "alive", "a").await.unwrap();
        cluster::register(&pool, "dead", "d").await.unwrap();
        sqlx::query(
            "UPDATE cluster_nodes SET lease_until = now() - interval '1 second' WHERE id = 'dead'",
        )
        .execute(&pool)
        .await
        .unwrap();
        let db = Db::Postgres(pool.clone());
        let here = conversation(&pool, "alive", "+573000000003").await;
        let in_flight = reply(&pool, &here, "in flight").await;
        replies::take_for_sending(&db, in_flight, "alive")
            .await
            .unwrap();
        let waiting = reply(&pool, &here, "waiting").await;
        let lost = reply(&pool, &here, "lost").await;
        replies::take_for_sending(&db, lost, "dead").await.unwrap();
        let gone = conversation(&pool, "alive", "+573000000004").await;
        let stranded = reply(&pool, &gone, "stranded").await;
        sqlx::query("UPDATE whatsapp_accounts SET status = 'disconnected' WHERE id = $1")
            .bind(gone.account)
            .execute(&pool)
            .await
            .unwrap();

        let touched = fail_abandoned(&pool, "interrupted", "not connected")
            .await
            .unwrap();
        let conversations: Vec<i64> = touched.iter().map(|t| t.conversation_id).collect();
        assert_eq!(conversations, vec![here.conversation, gone.conversation]);
        assert_eq!(state(&pool, in_flight).await, ("sending".into(), None));
        assert_eq!(state(&pool, waiting).await, ("sending".into(), None));
        assert_eq!(
            state(&pool, lost).await,
            ("unconfirmed".into(), Some("interrupted".into()))
        );
        assert_eq!(
            state(&pool, stranded).await,
            ("failed".into(), Some("not connected".into()))
        );
        assert!(
            fail_abandoned(&pool, "interrupted", "not connected")
                .await
                .unwrap()
                .is_empty(),
            "nothing twice"
        );
    })
    .await;
}

#[tokio::test]
async fn a_scheduled_message_is_failed_only_when_the_server_that_claimed_it_is_dead() {
    with_postgres(|pool| async move {
        cluster::register(&pool, "alive", "a").await.unwrap();
        let db = Db::Postgres(pool.clone());
        let here = conversation(&pool, "alive", "+573000000005").await;
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (company_id, email, display_name, password_hash, created_at) \
             SELECT company_id, 'x@y.test', 'X', 'x', 0 FROM conversations WHERE id = $1 RETURNING id",
        )
        .bind(here.conversation)
        .fetch_one(&pool)
        .await
        .unwrap();
        let mine = replies::schedule(&db, here.conversation, here.account, "a", 5, user, 1)
            .await
            .unwrap();
        let theirs = replies::schedule(&db, here.conversation, here.account, "b", 5, user, 1)
            .await
            .unwrap();
        assert!(replies::claim(&db, mine, 6, "alive").await.unwrap());
        assert!(replies::claim(&db, theirs, 6, "gone").await.unwrap());
        let touched = fail_abandoned(&pool, "interrupted", "-").await.unwrap();
        assert_eq!(touched.len(), 1);
        let status = |id: i64| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, String>("SELECT status FROM scheduled_messages WHERE id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(status(mine).await, "pending");
        assert_eq!(status(theirs).await, "failed");
    })
    .await;
}
