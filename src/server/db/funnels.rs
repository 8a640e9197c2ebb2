//! Funnels (team inboxes) and their members.

use super::{now_ms, on_pool, Db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funnel {
    pub id: i64,
    pub name: String,
    pub member_ids: Vec<i64>,
}

/// Creates a funnel with its members in one transaction.
pub async fn insert(
    db: &Db,
    company_id: i64,
    name: &str,
    member_ids: &[i64],
) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO funnels (company_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(company_id)
        .bind(name)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        for user_id in member_ids {
            sqlx::query("INSERT INTO funnel_members (funnel_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn list_by_company(db: &Db, company_id: i64) -> Result<Vec<Funnel>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<i64>)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT f.id, f.name, m.user_id FROM funnels f \
         LEFT JOIN funnel_members m ON m.funnel_id = f.id \
         WHERE f.company_id = $1 ORDER BY f.name, f.id, m.user_id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await)?;
    let mut funnels: Vec<Funnel> = Vec::new();
    for (id, name, member) in rows {
        if funnels.last().is_none_or(|f| f.id != id) {
            funnels.push(Funnel {
                id,
                name,
                member_ids: Vec::new(),
            });
        }
        if let (Some(funnel), Some(user_id)) = (funnels.last_mut(), member) {
            funnel.member_ids.push(user_id);
        }
    }
    Ok(funnels)
}

#[cfg(test)]
mod tests {
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
}
