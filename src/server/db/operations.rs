//! What operators ask of the database: whether it is ready, and the figures `/metrics`
//! shows. Each reads across every company and answers only totals.

use sqlx::migrate::Migrator;

use super::{now_ms, on_pool, Db};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Migrations this build has that the database has not applied (0 when it is up to date).
/// An error means the database did not answer.
pub async fn pending_migrations(db: &Db) -> Result<usize, sqlx::Error> {
    let (migrator, applied): (&Migrator, Vec<i64>) = match db {
        Db::Sqlite(pool) => (
            &SQLITE_MIGRATIONS,
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(pool)
                .await?,
        ),
        Db::Postgres(pool) => (
            &POSTGRES_MIGRATIONS,
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(pool)
                .await?,
        ),
    };
    Ok(migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
        .count())
}

/// How many channels are in each status, every company together.
pub async fn channels_by_status(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT status, COUNT(*) FROM whatsapp_accounts GROUP BY status",
    )
    .fetch_all(pool)
    .await)
}

/// How late (ms) the oldest due, unsent scheduled message is; 0 when none is due.
pub async fn scheduler_lag_ms(db: &Db) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    let oldest: Option<i64> = on_pool!(db, pool => sqlx::query_scalar(
        "SELECT MIN(send_at) FROM scheduled_messages WHERE status = 'pending' AND send_at <= $1",
    )
    .bind(now)
    .fetch_one(pool)
    .await)?;
    Ok(oldest.map_or(0, |due| (now - due).max(0)))
}

/// Running deletions, every company together: (jobs, items done, items in all).
pub async fn deletion_progress(db: &Db) -> Result<(i64, i64, i64), sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        // PostgreSQL sums BIGINTs as NUMERIC.
        "SELECT COUNT(*), CAST(COALESCE(SUM(done_items), 0) AS BIGINT), \
         CAST(COALESCE(SUM(total_items), 0) AS BIGINT) FROM account_deletions",
    )
    .fetch_one(pool)
    .await)
}

/// The pool's open connections and how many of them are idle.
pub fn pool_use(db: &Db) -> (u32, usize) {
    on_pool!(db, pool => (pool.size(), pool.num_idle()))
}
