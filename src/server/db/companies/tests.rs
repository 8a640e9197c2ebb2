use super::*;
use crate::server::db::{is_unique_violation, testing::with_db};

#[tokio::test]
async fn companies_round_trip() {
    with_db(|db| async move {
        assert!(!any_exists(&db).await.unwrap());
        let id = insert(&db, "Demo Company", true, 3).await.unwrap();
        let lapsed = insert(&db, "Lapsed Company", false, 1).await.unwrap();
        assert!(any_exists(&db).await.unwrap());
        let found = find_by_name(&db, "Demo Company").await.unwrap().unwrap();
        assert_eq!(
            found,
            Company {
                id,
                name: "Demo Company".into(),
                subscription_active: true,
                channel_limit: 3
            }
        );
        assert!(!get(&db, lapsed).await.unwrap().unwrap().subscription_active);
        assert_eq!(find_by_name(&db, "Nobody").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn company_names_are_unique() {
    with_db(|db| async move {
        insert(&db, "Acme", true, 3).await.unwrap();
        let err = insert(&db, "Acme", true, 3).await.unwrap_err();
        assert!(is_unique_violation(&err), "{err}");
    })
    .await;
}
