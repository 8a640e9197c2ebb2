//! Users of a company, with their admin flags.

use super::{now_ms, on_pool, Db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser<'a> {
    pub company_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub global_admin: bool,
    pub channels_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub company_id: i64,
    pub email: String,
    pub display_name: String,
    pub global_admin: bool,
    pub channels_admin: bool,
}

/// The stored credentials of one user, for sign-in only.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

pub async fn insert(db: &Db, user: &NewUser<'_>) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "INSERT INTO users (company_id, email, display_name, password_hash, global_admin, \
         channels_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(user.company_id)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.global_admin)
    .bind(user.channels_admin)
    .bind(now_ms())
    .fetch_one(pool)
    .await)
}

/// The person's own language (a tag the caller checked), or none to follow their browser.
pub async fn set_language(
    db: &Db,
    user_id: i64,
    language: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("UPDATE users SET language = $2 WHERE id = $1")
        .bind(user_id)
        .bind(language)
        .execute(pool)
        .await
        .map(|_| ()))
}

pub async fn credentials_by_email(
    db: &Db,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await)
}

pub async fn list_by_company(db: &Db, company_id: i64) -> Result<Vec<User>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT id, company_id, email, display_name, global_admin, channels_admin \
         FROM users WHERE company_id = $1 ORDER BY display_name, id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await)
}

#[cfg(test)]
mod tests;
