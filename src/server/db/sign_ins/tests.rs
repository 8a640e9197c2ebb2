use super::*;
use crate::server::db::{companies, testing::with_db, users};

#[tokio::test]
async fn sessions_load_user_and_company_and_expire() {
    with_db(|db| async move {
        let company = companies::insert(&db, "Lapsed", false, 1).await.unwrap();
        let new = users::NewUser {
            company_id: company,
            email: "ines@lapsed.test",
            display_name: "Inés Mora",
            password_hash: "h",
            global_admin: true,
            channels_admin: true,
        };
        let user = users::insert(&db, &new).await.unwrap();
        insert(&db, "old", user, 1_000).await.unwrap();
        insert(&db, "fresh", user, 5_000).await.unwrap();

        let found = find(&db, "old").await.unwrap().unwrap();
        assert_eq!(
            found,
            SignedInUser {
                user_id: user,
                company_id: company,
                email: "ines@lapsed.test".into(),
                display_name: "Inés Mora".into(),
                global_admin: true,
                channels_admin: true,
                company_name: "Lapsed".into(),
                subscription_active: false,
                signed_in_at: 1_000,
                last_seen_at: 1_000,
                language: None,
                company_language: None,
                address: String::new(),
            }
        );
        touch(&db, "old", 2_000).await.unwrap();
        assert_eq!(find(&db, "old").await.unwrap().unwrap().last_seen_at, 2_000);

        assert_eq!(delete_expired(&db, 3_000, 0).await.unwrap(), 1);
        assert!(find(&db, "old").await.unwrap().is_none());
        delete(&db, "fresh").await.unwrap();
        assert!(find(&db, "fresh").await.unwrap().is_none());
    })
    .await;
}
