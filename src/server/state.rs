//! What every request handler and server function can reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use tokio::sync::broadcast;

use super::config::{Config, WhatsAppMode};
use super::db::{companies, Db};
use super::media::MediaStore;
use super::rate_limit::LoginLimiter;
use super::services::channel_feed::{spawn_channel_feed, FeedItem};
use super::services::cluster::ClusterNode;
use super::services::deletion::{spawn_deletion_worker, DeletionWorker};
use super::services::scheduler::{spawn_scheduler, Scheduler};
use super::whatsapp::driver::Driver;
use super::whatsapp::live;
use super::whatsapp::manager::{ManagerOptions, SessionManager};
use super::whatsapp::sim_remote::RemoteSimulator;
use super::whatsapp::simulator::Simulator;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub login_limiter: Arc<Mutex<LoginLimiter>>,
    /// Serialises first-run set-up so two visitors cannot both create "the first" company.
    pub setup_lock: Arc<tokio::sync::Mutex<()>>,
    company_exists: Arc<AtomicBool>,
    pub manager: SessionManager,
    /// Ready-to-send card updates for the Channels pages' live streams.
    pub feed: broadcast::Sender<FeedItem>,
    /// Carries out confirmed Deletes in the background.
    pub deletion: DeletionWorker,
    /// Sends scheduled messages when they are due.
    pub scheduler: Scheduler,
    /// The fake WhatsApp network, only when `AURORA_WHATSAPP=simulator`.
    pub simulator: Option<Simulator>,
}

impl AppState {
    /// Builds the state and starts the session manager with the driver `config` selects.
    /// Must run inside the tokio runtime (it spawns the channel feed).
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        Self::in_cluster(leptos_options, db, config, None)
    }

    /// The same, for one server of a cluster (PostgreSQL): accounts it links are its own.
    pub fn in_cluster(
        leptos_options: LeptosOptions,
        db: Db,
        config: Config,
        cluster: Option<ClusterNode>,
    ) -> Self {
        let simulator =
            (config.whatsapp == WhatsAppMode::Simulator).then(|| Simulator::new(config.sim));
        let driver: Arc<dyn Driver> = match (&simulator, &config.whatsapp) {
            (Some(simulator), _) => Arc::new(simulator.clone()),
            (None, WhatsAppMode::RemoteSimulator(address)) => Arc::new(RemoteSimulator::new(
                address.clone(),
                Some(config.site_addr.to_string()),
            )),
            (None, _) => live::driver(db.clone()),
        };
        let options = ManagerOptions {
            media: MediaStore::new(config.media_dir.clone()),
            cluster,
            ..Default::default()
        };
        let media = options.media.clone();
        let manager = SessionManager::new(db.clone(), driver, options);
        let deletion = spawn_deletion_worker(db.clone(), manager.clone(), media);
        let feed = spawn_channel_feed(db.clone(), manager.clone());
        let scheduler = spawn_scheduler(db.clone(), manager.clone());
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            login_limiter: Arc::default(),
            setup_lock: Arc::default(),
            company_exists: Arc::default(),
            manager,
            feed,
            deletion,
            scheduler,
            simulator,
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
