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

/// The company's default language (a tag the caller checked).
pub async fn set_language(db: &Db, company_id: i64, language: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("UPDATE companies SET language = $2 WHERE id = $1")
        .bind(company_id)
        .bind(language)
        .execute(pool)
        .await
        .map(|_| ()))
}

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
mod tests;
