//! What every request handler and server function can reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::db::{companies, Db};
use super::rate_limit::LoginLimiter;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub login_limiter: Arc<Mutex<LoginLimiter>>,
    /// Serialises first-run set-up so two visitors cannot both create "the first" company.
    pub setup_lock: Arc<tokio::sync::Mutex<()>>,
    company_exists: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            login_limiter: Arc::default(),
            setup_lock: Arc::default(),
            company_exists: Arc::default(),
        }
    }

    /// Whether first-run set-up is over. Once true it stays true, so only a fresh
    /// install pays for the query.
    pub async fn company_exists(&self) -> Result<bool, sqlx::Error> {
        if self.company_exists.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let exists = companies::any_exists(&self.db).await?;
        if exists {
            self.company_exists.store(true, Ordering::Relaxed);
        }
        Ok(exists)
    }
}
