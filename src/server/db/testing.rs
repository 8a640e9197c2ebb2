//! A fresh database per test: a temporary SQLite file, or, when `TEST_POSTGRES_URL`
//! is set, a PostgreSQL database created for the test and dropped after it.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use rand::Rng;
use sqlx::{Connection, PgConnection, PgPool};

use super::Db;
use crate::server::boot::config::DatabaseUrl;

/// The longest one test may run: a hung test stops the whole run with its name instead of
/// holding CI until it times out without saying which test it was.
const TEST_LIMIT: Duration = Duration::from_secs(180);

/// Aborts the process when dropped later than `TEST_LIMIT` after it was made. Wall-clock
/// time, so tests on tokio's paused clock are measured the same way.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn start() -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let seen = done.clone();
        let test = std::thread::current()
            .name()
            .unwrap_or("a test")
            .to_string();
        std::thread::spawn(move || {
            let started = Instant::now();
            while !seen.load(Ordering::Relaxed) {
                if started.elapsed() > TEST_LIMIT {
                    eprintln!("{test} is still running after {TEST_LIMIT:?}: aborting the run");
                    std::process::abort();
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn unique_name() -> String {
    format!(
        "aurora_test_{}_{:08x}",
        std::process::id(),
        rand::thread_rng().gen::<u32>()
    )
}

/// Runs `body` on a fresh, migrated database and removes it afterwards, even if the body panics.
pub async fn with_db<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let _watchdog = Watchdog::start();
    match std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin_url) => on_postgres(&admin_url, body).await,
        None => on_sqlite(body).await,
    }
}

/// For what exists only on PostgreSQL (the cluster): a fresh database on the server at
/// `TEST_POSTGRES_URL`. Without it the test says it was skipped and passes: the SQLite run
/// leaves these out by itself, and the PostgreSQL run (`make test-postgres`) has them.
pub async fn with_postgres<F, Fut>(body: F)
where
    F: FnOnce(PgPool) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(admin_url) = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        let test = std::thread::current()
            .name()
            .unwrap_or("a test")
            .to_string();
        eprintln!("SKIPPED {test}: needs PostgreSQL (set TEST_POSTGRES_URL)");
        return;
    };
    let _watchdog = Watchdog::start();
    on_postgres(&admin_url, |db| async move {
        match db {
            Db::Postgres(pool) => body(pool).await,
            Db::Sqlite(_) => unreachable!("connected with a postgres URL"),
        }
    })
    .await
}

async fn on_postgres<F, Fut>(admin_url: &str, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let name = unique_name();
    let mut admin = PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} must be reachable: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    let db = Db::connect(&DatabaseUrl::Postgres(format!("{base}/{name}")))
        .await
        .unwrap();
    let outcome = AssertUnwindSafe(body(db.clone())).catch_unwind().await;
    db.close().await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = std::env::temp_dir().join(unique_name());
    let path = dir.join("test.db");
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&DatabaseUrl::Sqlite { url, path })
        .await
        .unwrap();
    let outcome = AssertUnwindSafe(body(db.clone())).catch_unwind().await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
