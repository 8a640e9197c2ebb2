use super::*;
use crate::server::db::{funnels, testing::with_db, users};

#[tokio::test]
async fn demo_data_is_created_once() {
    with_db(|db| async move {
        assert!(seed_if_empty(&db).await.unwrap());
        assert!(
            !seed_if_empty(&db).await.unwrap(),
            "second start keeps the data as it is"
        );

        let demo = companies::find_by_name(&db, "Demo Company")
            .await
            .unwrap()
            .unwrap();
        assert!(demo.subscription_active);
        assert_eq!(demo.channel_limit, 3);
        let people = users::list_by_company(&db, demo.id).await.unwrap();
        let names: Vec<&str> = people.iter().map(|u| u.display_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Ana Torres",
                "Carlos Ruiz",
                "João Silva",
                "Lucía Gómez",
                "Sofía Herrera"
            ]
        );
        let flags: Vec<(bool, bool)> = people
            .iter()
            .map(|u| (u.global_admin, u.channels_admin))
            .collect();
        assert_eq!(
            flags,
            [
                (true, true),
                (false, true),
                (false, true),
                (false, false),
                (false, true)
            ]
        );
        let mut languages: Vec<Option<String>> = Vec::new();
        for person in &people {
            let language = crate::server::db::on_pool!(&db, pool => sqlx::query_scalar(
                "SELECT language FROM users WHERE id = $1"
            )
            .bind(person.id)
            .fetch_one(pool)
            .await);
            languages.push(language.unwrap());
        }
        assert_eq!(
            languages,
            [None, None, Some("pt-BR".into()), None, Some("es".into())]
        );

        let demo_funnels = funnels::list_by_company(&db, demo.id).await.unwrap();
        let id_of = |email: &str| people.iter().find(|u| u.email == email).unwrap().id;
        assert_eq!(demo_funnels[0].name, "Sales");
        assert_eq!(demo_funnels[0].member_ids.len(), 3);
        assert_eq!(demo_funnels[1].name, "Support");
        let mut support = demo_funnels[1].member_ids.clone();
        support.sort();
        let mut expected = vec![id_of("carlos@demo.test"), id_of("lucia@demo.test")];
        expected.sort();
        assert_eq!(support, expected);

        let lapsed = companies::find_by_name(&db, "Lapsed Company")
            .await
            .unwrap()
            .unwrap();
        assert!(!lapsed.subscription_active);
        assert_eq!(sign_in_summary().len(), 7);
    })
    .await;
}
