//! Web sign-ins (the `sessions` table), keyed by the SHA-256 of the cookie token.

use super::{on_pool, Db};

/// The signed-in user as every request sees them, loaded in one query with their company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::FromRow)]
pub struct SignedInUser {
    pub user_id: i64,
    pub company_id: i64,
    pub email: String,
    pub display_name: String,
    pub global_admin: bool,
    pub channels_admin: bool,
    pub company_name: String,
    pub subscription_active: bool,
    /// When this sign-in began (the absolute lifetime counts from here).
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    /// The person's own choice of language (a tag), and their company's default.
    pub language: Option<String>,
    pub company_language: Option<String>,
    /// The address of the request being served (the audit log's "from"); set by the
    /// sign-in gate, empty elsewhere.
    #[sqlx(skip)]
    pub address: String,
}

impl SignedInUser {
    pub fn roles(&self) -> crate::domain::access::Roles {
        crate::domain::access::Roles {
            global_admin: self.global_admin,
            channels_admin: self.channels_admin,
            subscription_active: self.subscription_active,
        }
    }

    /// Who is looking, for the inbox's visibility rule.
    pub fn viewer(&self) -> super::inbox::Viewer {
        super::inbox::Viewer {
            company_id: self.company_id,
            user_id: self.user_id,
            global_admin: self.global_admin,
        }
    }
}

pub async fn insert(db: &Db, token_hash: &str, user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn find(db: &Db, token_hash: &str) -> Result<Option<SignedInUser>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT u.id AS user_id, u.company_id, u.email, u.display_name, u.global_admin, \
         u.channels_admin, c.name AS company_name, \
         c.subscription_status = 'active' AS subscription_active, \
         s.created_at AS signed_in_at, s.last_seen_at, u.language, c.language AS company_language \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN companies c ON c.id = u.company_id \
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await)
}

pub async fn touch(db: &Db, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes every session idle since before `cutoff`; returns how many.
/// Sign-ins last seen before `idle_cutoff` or begun before `begun_cutoff`.
pub async fn delete_expired(
    db: &Db,
    idle_cutoff: i64,
    begun_cutoff: i64,
) -> Result<u64, sqlx::Error> {
    let done = on_pool!(db, pool => sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_cutoff)
        .bind(begun_cutoff)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

#[cfg(test)]
mod tests;
