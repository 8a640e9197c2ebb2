use super::*;
use crate::server::db::{companies, is_unique_violation, testing::with_db};

fn user(company_id: i64, email: &str) -> NewUser<'_> {
    NewUser {
        company_id,
        email,
        display_name: "Ana Torres",
        password_hash: "hash",
        global_admin: true,
        channels_admin: false,
    }
}

#[tokio::test]
async fn users_round_trip_and_stay_in_their_company() {
    with_db(|db| async move {
        let demo = companies::insert(&db, "Demo", true, 3).await.unwrap();
        let other = companies::insert(&db, "Other", true, 3).await.unwrap();
        let ana = insert(&db, &user(demo, "ana@demo.test")).await.unwrap();
        insert(&db, &user(other, "omar@other.test")).await.unwrap();

        let listed = list_by_company(&db, demo).await.unwrap();
        assert_eq!(
            listed,
            vec![User {
                id: ana,
                company_id: demo,
                email: "ana@demo.test".into(),
                display_name: "Ana Torres".into(),
                global_admin: true,
                channels_admin: false,
            }]
        );
        let creds = credentials_by_email(&db, "ana@demo.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((creds.id, creds.password_hash.as_str()), (ana, "hash"));
        assert!(credentials_by_email(&db, "nobody@demo.test")
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn emails_are_unique_across_companies() {
    with_db(|db| async move {
        let a = companies::insert(&db, "A", true, 3).await.unwrap();
        let b = companies::insert(&db, "B", true, 3).await.unwrap();
        insert(&db, &user(a, "x@y.test")).await.unwrap();
        let err = insert(&db, &user(b, "x@y.test")).await.unwrap_err();
        assert!(is_unique_violation(&err));
    })
    .await;
}
