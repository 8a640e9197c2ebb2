//! The database: one handle over SQLite or PostgreSQL, chosen by URL scheme.
//! Repository functions write their SQL once with `$N` placeholders (both engines
//! accept them) and run it on whichever pool is in use through [`on_pool!`].
//! This layer knows nothing of Leptos or HTTP.

pub mod account_data;
pub mod account_deletion;
pub mod account_lifecycle;
pub mod account_setup;
pub mod accounts;
pub mod audit;
pub mod cluster;
pub mod cluster_sends;
pub mod companies;
pub mod contacts;
pub mod funnels;
pub mod history;
pub mod inbox;
pub mod key_rows;
pub mod key_seal;
pub mod operations;
pub mod receipts;
pub mod replies;
pub mod sign_ins;
pub mod users;
pub mod webhooks;

#[cfg(test)]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::server::boot::config::DatabaseUrl;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `attempt` (one transaction) again after a pause while SQLite says "database is
/// locked" (code 5), a few times. SQLite answers so at once, without waiting out its busy
/// timeout, when another connection commits between a transaction's snapshot and its first
/// write; the transaction was rolled back, so trying again is safe. The scheduler's channels,
/// storing their sends side by side, met it now and then.
pub(crate) async fn retry_when_locked<T, Fut>(
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, sqlx::Error>
where
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    let mut pause = Duration::from_millis(10);
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(sqlx::Error::Database(e)) if tries < 6 && e.code().is_some_and(|c| c == "5") => {
                tries += 1;
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            done => return done,
        }
    }
}

/// Runs the same body against whichever pool `db` holds; the body is compiled once per engine.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Inside `on_pool!`: whether `fence` (an `Option<&Fence>`) still holds `account` on the
/// transaction `tx`; no fence (one server alone) always holds.
macro_rules! fence_holds {
    ($tx:expr, $account:expr, $fence:expr) => {
        match $fence {
            None => true,
            Some(fence) => sqlx::query_scalar::<_, i64>($crate::server::db::accounts::FENCE_HOLDS)
                .bind($account)
                .bind(&fence.node)
                .bind(fence.epoch)
                .fetch_optional(&mut *$tx)
                .await?
                .is_some(),
        }
    };
}
pub(crate) use fence_holds;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot create the folder for the SQLite file: {0}")]
    Folder(std::io::Error),
    #[error("cannot open the database: {0}")]
    Open(sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens the database (creating a SQLite file and its folder when missing) and migrates it.
    pub async fn connect(url: &DatabaseUrl) -> Result<Db, ConnectError> {
        let db = match url {
            DatabaseUrl::Sqlite { url, path } => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder).map_err(ConnectError::Folder)?;
                }
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(ConnectError::Open)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await
                    .map_err(ConnectError::Open)?;
                Db::Sqlite(pool)
            }
            DatabaseUrl::Postgres(url) => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(url)
                    .await
                    .map_err(ConnectError::Open)?;
                Db::Postgres(pool)
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), ConnectError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
        .map_err(ConnectError::Migrate)
    }

    /// Closes the pool, waiting at most [`CLOSE_WAIT`] for connections still in use.
    pub async fn close(&self) {
        self.close_within(CLOSE_WAIT).await;
    }

    /// sqlx's close waits for every checked-out connection, and a connection returned
    /// while it drains the idle queue can be missed (sqlx#3217), leaving it waiting
    /// forever; a shutdown or a test must not hang on that. Returns whether it finished.
    pub async fn close_within(&self, wait: Duration) -> bool {
        let closing = async { on_pool!(self, pool => pool.close().await) };
        let finished = tokio::time::timeout(wait, closing).await.is_ok();
        if !finished {
            tracing::warn!("database connections still in use after {wait:?}; closed anyway");
        }
        finished
    }
}

/// How long closing the database waits for connections still in use.
pub const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// True when the error is a unique-constraint violation (e.g. an email already taken).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// Milliseconds since the Unix epoch: how every timestamp is stored, on both engines.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
