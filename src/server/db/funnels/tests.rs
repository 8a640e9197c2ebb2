use super::*;
use crate::server::db::{companies, is_unique_violation, testing::with_db, users};

async fn add_user(db: &Db, company_id: i64, email: &str) -> i64 {
    let new = users::NewUser {
        company_id,
        email,
        display_name: email,
        password_hash: "h",
        global_admin: false,
        channels_admin: false,
    };
    users::insert(db, &new).await.unwrap()
}

#[tokio::test]
async fn funnels_keep_their_members() {
    with_db(|db| async move {
        let demo = companies::insert(&db, "Demo", true, 3).await.unwrap();
        let other = companies::insert(&db, "Other", true, 3).await.unwrap();
        let ana = add_user(&db, demo, "ana@demo.test").await;
        let carlos = add_user(&db, demo, "carlos@demo.test").await;
        let sales = insert(&db, demo, "Sales", &[ana, carlos]).await.unwrap();
        let empty = insert(&db, demo, "Empty", &[]).await.unwrap();
        insert(&db, other, "General", &[]).await.unwrap();

        let listed = list_by_company(&db, demo).await.unwrap();
        assert_eq!(
            listed,
            vec![
                Funnel {
                    id: empty,
                    name: "Empty".into(),
                    member_ids: vec![]
                },
                Funnel {
                    id: sales,
                    name: "Sales".into(),
                    member_ids: vec![ana, carlos]
                },
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_failed_funnel_leaves_nothing_behind() {
    with_db(|db| async move {
        let demo = companies::insert(&db, "Demo", true, 3).await.unwrap();
        let ana = add_user(&db, demo, "ana@demo.test").await;
        insert(&db, demo, "Sales", &[ana]).await.unwrap();
        let err = insert(&db, demo, "Sales", &[ana]).await.unwrap_err();
        assert!(is_unique_violation(&err));
        // A member id that does not exist aborts the whole funnel.
        assert!(insert(&db, demo, "Support", &[ana, 999_999]).await.is_err());
        let names: Vec<String> = list_by_company(&db, demo)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, vec!["Sales".to_string()]);
    })
    .await;
}
