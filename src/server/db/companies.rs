//! Companies (tenants).

use super::{now_ms, on_pool, Db};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub subscription_active: bool,
    pub channel_limit: i64,
}

const SELECT: &str = "SELECT id, name, subscription_status = 'active' AS subscription_active, \
                      channel_limit FROM companies";

pub async fn insert(
    db: &Db,
    name: &str,
    subscription_active: bool,
    channel_limit: i64,
) -> Result<i64, sqlx::Error> {
    let status = if subscription_active {
        "active"
    } else {
        "inactive"
    };
    on_pool!(db, pool => sqlx::query_scalar(
        "INSERT INTO companies (name, subscription_status, channel_limit, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(status)
    .bind(channel_limit)
    .bind(now_ms())
    .fetch_one(pool)
    .await)
}

pub async fn any_exists(db: &Db) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_pool!(db, pool => sqlx::query_scalar("SELECT id FROM companies LIMIT 1")
        .fetch_optional(pool)
        .await)?;
    Ok(found.is_some())
}

pub async fn find_by_name(db: &Db, name: &str) -> Result<Option<Company>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE name = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(name).fetch_optional(pool).await)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Company>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE id = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

#[cfg(test)]
mod tests {
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
}
