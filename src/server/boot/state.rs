//! What every request handler and server function can reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use tokio::sync::broadcast;

use super::config::{Config, WhatsAppMode};
use super::supervisor::{Phase, Supervisor};
use crate::server::cluster::events as cluster_events;
use crate::server::cluster::node::ClusterNode;
use crate::server::db::{companies, Db};
use crate::server::drivers::driver::Driver;
use crate::server::drivers::live;
use crate::server::drivers::simulator::remote::RemoteSimulator;
use crate::server::drivers::simulator::Simulator;
use crate::server::media::MediaStore;
use crate::server::sessions::manager::{ManagerOptions, SessionManager};
use crate::server::web::page_cache::PageCache;
use crate::server::web::rate_limit::LoginLimiter;
use crate::server::webhooks::worker::{self as webhook_worker, WebhookWorker};
use crate::server::workers::channel_feed::{ChannelFeed, FeedItem};
use crate::server::workers::deletion::{self, Deleter, DeletionWorker, BATCH_ROWS};
use crate::server::workers::scheduler::{self, Scheduler};

/// Eight characters in two groups (`K7PM-2XQD`), from an alphabet without look-alikes.
fn new_setup_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let mut code: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    code.insert(4, '-');
    code
}

/// How often a live stream checks its sign-in again (at most this late after an expiry).
pub const STREAM_RECHECK: Duration = Duration::from_secs(30);

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
    /// Signed-in pages kept rendered until their company's next change.
    pub pages: Arc<PageCache>,
    /// Carries out confirmed Deletes in the background.
    pub deletion: DeletionWorker,
    /// Sends scheduled messages when they are due.
    pub scheduler: Scheduler,
    /// The fake WhatsApp network, only when `AURORA_WHATSAPP=simulator`.
    pub simulator: Option<Simulator>,
    /// Sign-outs on this server (the token's hash), for the live streams they opened.
    pub sign_outs: broadcast::Sender<String>,
    /// How often a live stream asks again whether its sign-in may still see what it carries
    /// (expiry, a lost role, a lapsed subscription).
    pub stream_recheck: Duration,
    /// First run: the code `/setup` asks for, printed in the server's log at start, so the
    /// first company belongs to whoever runs the server, not whoever reaches it first.
    pub setup_code: Arc<str>,
    /// This server as a member of the cluster (PostgreSQL), for its lease's health.
    pub cluster: Option<ClusterNode>,
}

impl AppState {
    /// One server on its own (SQLite, the benchmarks, the tests): its background work runs
    /// under a supervisor nobody stops.
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        Self::start(leptos_options, db, config, None, &Supervisor::new())
    }

    /// Builds the state and starts its background work under `supervisor`: the session
    /// manager over the driver `config` selects (in a cluster, `cluster`'s), the deletion
    /// worker, the scheduler and the Channels feed. Must run inside the tokio runtime.
    pub fn start(
        leptos_options: LeptosOptions,
        db: Db,
        config: Config,
        cluster: Option<&ClusterNode>,
        supervisor: &Supervisor,
    ) -> Self {
        let simulator =
            (config.whatsapp == WhatsAppMode::Simulator).then(|| Simulator::new(config.sim));
        let driver: Arc<dyn Driver> = match (&simulator, &config.whatsapp) {
            (Some(simulator), _) => Arc::new(simulator.clone()),
            (None, WhatsAppMode::RemoteSimulator(address)) => Arc::new(RemoteSimulator::new(
                address.clone(),
                Some(config.site_addr.to_string()),
            )),
            (None, _) => live::driver(
                db.clone(),
                config.media_downloads,
                config.keys.clone(),
                config.history_days > 0,
            ),
        };
        let media = MediaStore::new(config.media_dir.clone());
        let options = ManagerOptions {
            media: media.clone(),
            send_timeout: config.send_timeout,
            ack_timeout: config.ack_timeout,
            history_days: config.history_days,
            ..Default::default()
        };
        let manager = match cluster {
            Some(node) => {
                cluster_events::session_manager(node, db.clone(), driver, options, supervisor)
            }
            None => SessionManager::new(db.clone(), driver, options),
        };

        let deletion = DeletionWorker::default();
        let deleter = Deleter {
            db: db.clone(),
            manager: manager.clone(),
            media,
            batch_rows: BATCH_ROWS,
        };
        let worker = deletion.clone();
        supervisor.spawn(Phase::Workers, "deletion", move |stop| {
            deletion::run(deleter, worker, stop)
        });

        let scheduler = Scheduler::default();
        let (sdb, smanager, swake) = (db.clone(), manager.clone(), scheduler.clone());
        supervisor.spawn(Phase::Workers, "scheduler", move |stop| {
            scheduler::run(sdb, smanager, swake, stop)
        });

        let webhooks = WebhookWorker {
            db: db.clone(),
            keys: config.keys.clone(),
            allow_private: config.webhook_allow_private,
        };
        supervisor.spawn(Phase::Workers, "webhooks", move |stop| {
            webhook_worker::run(webhooks, stop)
        });

        let channel_feed = ChannelFeed::new(db.clone(), manager.clone());
        let feed = channel_feed.sender();
        supervisor.spawn(Phase::Feeds, "channel feed", move |stop| {
            channel_feed.run(stop)
        });

        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            login_limiter: Arc::default(),
            setup_lock: Arc::default(),
            company_exists: Arc::default(),
            manager,
            feed,
            pages: Arc::default(),
            deletion,
            scheduler,
            simulator,
            sign_outs: broadcast::channel(256).0,
            stream_recheck: STREAM_RECHECK,
            setup_code: new_setup_code().into(),
            cluster: cluster.cloned(),
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
