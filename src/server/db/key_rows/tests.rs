//! Keys at rest, on both databases: sealed with the secret, opened only with it, sealed in
//! place at start, and never written back by a session that started before a wipe.

use super::*;
use crate::server::db::{accounts, companies, testing::with_db};

const SECRET: &str = "Qm9hcmQtZ2FtZXMgYXJlIGZ1biwgcmlnaHQ/";
const PRIVATE: &[u8] = b"{\"private_key\":[9,8,7,6,5,4,3,2,1]}";

async fn account(db: &Db) -> i64 {
    let company = companies::insert(db, "Keys", true, 10).await.unwrap();
    accounts::insert_within_limit(db, company, 10, None, 1)
        .await
        .unwrap()
        .unwrap()
}

fn row<'a>(key: &'a str, value: &'a [u8]) -> KeyRow<'a> {
    KeyRow {
        key,
        value,
        ..Default::default()
    }
}

/// What someone holding a copy of the database reads.
async fn raw(db: &Db, account: i64, kind: &str) -> Vec<(Vec<u8>, bool)> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT value, sealed FROM whatsapp_keys WHERE account_id = $1 AND kind = $2 ORDER BY key",
    )
    .bind(account)
    .bind(kind)
    .fetch_all(pool)
    .await)
    .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn with_the_secret_a_copy_of_the_database_holds_no_usable_key() {
    with_db(|db| async move {
        let a = account(&db).await;
        let seal = KeySeal::new(SECRET).unwrap();
        let rows = KeyRows::new(db.clone(), a).sealed(Some(seal.clone()));
        rows.put("identity", &[row("me", PRIVATE)]).await.unwrap();
        rows.put(
            ADDRESS_KIND,
            &[row("g1\u{1f}d1", b"5215511110000:3@s.whatsapp.net")],
        )
        .await
        .unwrap();

        let stored = raw(&db, a, "identity").await;
        assert_eq!(stored.len(), 1);
        assert!(stored[0].1, "marked sealed");
        assert!(
            !contains(&stored[0].0, b"private_key"),
            "no plaintext at rest"
        );
        // Device addresses stay comparable (the library deletes them by value).
        assert!(!raw(&db, a, ADDRESS_KIND).await[0].1);

        assert_eq!(
            rows.get("identity", "me").await.unwrap().unwrap().value,
            PRIVATE
        );
        assert_eq!(rows.all("identity").await.unwrap()[0].value, PRIVATE);
        // Without the secret, or with another, nothing opens.
        let bare = KeyRows::new(db.clone(), a);
        assert!(bare.get("identity", "me").await.is_err());
        let other = KeySeal::new(&SECRET.replace('Q', "R")).unwrap();
        let wrong = KeyRows::new(db.clone(), a).sealed(Some(other.clone()));
        assert!(wrong.get("identity", "me").await.is_err());
        // Nor does the server start with them: it would lose every linked number.
        assert!(seal_at_start(&db, None)
            .await
            .unwrap_err()
            .contains("AURORA_KEYS_SECRET"));
        assert!(seal_at_start(&db, Some(&other)).await.is_err());
        assert_eq!(seal_at_start(&db, Some(&seal)).await, Ok(0));
    })
    .await;
}

#[tokio::test]
async fn keys_written_before_the_secret_are_sealed_in_place_at_start() {
    with_db(|db| async move {
        let a = account(&db).await;
        let plain = KeyRows::new(db.clone(), a);
        plain.put("identity", &[row("me", PRIVATE)]).await.unwrap();
        plain
            .put(
                "session",
                &[row("c1", b"session-state"), row("c2", b"more")],
            )
            .await
            .unwrap();
        plain
            .put(ADDRESS_KIND, &[row("g\u{1f}d", b"addr")])
            .await
            .unwrap();
        assert_eq!(
            seal_at_start(&db, None).await,
            Ok(0),
            "nothing sealed yet: starts"
        );
        assert!(contains(
            &raw(&db, a, "identity").await[0].0,
            b"private_key"
        ));

        let seal = KeySeal::new(SECRET).unwrap();
        assert_eq!(seal_at_start(&db, Some(&seal)).await, Ok(3));
        assert_eq!(seal_at_start(&db, Some(&seal)).await, Ok(0), "once");
        assert!(!contains(
            &raw(&db, a, "identity").await[0].0,
            b"private_key"
        ));
        assert!(raw(&db, a, "session")
            .await
            .iter()
            .all(|(_, sealed)| *sealed));
        let sealed = KeyRows::new(db.clone(), a).sealed(Some(seal));
        let sessions: Vec<Vec<u8>> = sealed
            .all("session")
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.value)
            .collect();
        assert_eq!(sessions, [b"session-state".to_vec(), b"more".to_vec()]);
        assert_eq!(
            sealed.newest("identity").await.unwrap().unwrap().value,
            PRIVATE
        );
    })
    .await;
}

#[tokio::test]
async fn a_save_begun_before_a_wipe_never_brings_the_keys_back() {
    with_db(|db| async move {
        let a = account(&db).await;
        let session = KeyRows::new(db.clone(), a).at_epoch(epoch(&db, a).await.unwrap());
        session
            .put("identity", &[row("me", PRIVATE)])
            .await
            .unwrap();
        // Logout: the keys are wiped while the old session is still flushing.
        wipe(&db, a).await.unwrap();
        let late = session.put("identity", &[row("me", PRIVATE)]).await;
        assert!(
            matches!(&late, Err(sqlx::Error::Protocol(m)) if m == WIPED),
            "{late:?}"
        );
        assert!(raw(&db, a, "identity").await.is_empty());
        // A new attempt, opened after the wipe, writes.
        let next = KeyRows::new(db.clone(), a).at_epoch(epoch(&db, a).await.unwrap());
        next.put("identity", &[row("me", b"new")]).await.unwrap();
        assert_eq!(raw(&db, a, "identity").await.len(), 1);
    })
    .await;
}
