//! `aurora` without a subcommand: start everything, serve until SIGTERM or Ctrl-C, then
//! stop everything in this order:
//!
//! 1. workers (Deletes stop between batches, scheduled sends between messages, replies for
//!    peers, the sign-in purge, the cluster's lease keeper), so no new work begins;
//! 2. the WhatsApp sessions: sockets close before ownership goes, so no peer connects an
//!    account while this server still does;
//! 3. the notices between servers, then this server leaves the cluster (its lease and
//!    accounts go, and peers claim them at once);
//! 4. HTTP: requests in flight get [`HTTP_GRACE`] (open live streams never end by
//!    themselves; their browsers reconnect to another server);
//! 5. the Channels feed, then the database.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::cli::connect;
use super::config::Config;
use super::demo::{seed_if_empty, sign_in_summary, DEMO_PASSWORD};
use super::state::AppState;
use super::supervisor::{Phase, Supervisor};
use crate::server::cluster::node::ClusterNode;
use crate::server::db::{key_rows, Db};
use crate::server::web::listener::{self, Limits};
use crate::server::web::router::{leptos_options, router};
use crate::server::workers::sign_in_purge;

/// How long requests in flight may take to finish once the sessions are closed.
const HTTP_GRACE: Duration = Duration::from_secs(5);
/// How long each phase's tasks may take to stop before they are aborted.
const TASK_GRACE: Duration = Duration::from_secs(3);
/// How long the sessions may take to close.
const SESSION_GRACE: Duration = Duration::from_secs(5);

pub async fn serve(config: Config) -> Result<(), String> {
    let db = connect(&config).await?;
    match key_rows::seal_at_start(&db, config.keys.as_ref()).await? {
        0 => {}
        n => tracing::info!(
            n,
            "WhatsApp keys stored before AURORA_KEYS_SECRET was set are now sealed"
        ),
    }
    if config.keys.is_none() {
        tracing::warn!(
            "AURORA_KEYS_SECRET is not set: WhatsApp device keys are stored unencrypted, and a copy of the database can act as every linked number"
        );
    }
    if config.demo {
        match seed_if_empty(&db).await {
            Ok(true) => tracing::info!("demo data created"),
            Ok(false) => {
                tracing::info!("demo: the database already has companies; nothing created")
            }
            Err(e) => return Err(format!("AURORA_DEMO: could not create demo data: {e}")),
        }
        tracing::info!(
            "demo sign-in (password \"{DEMO_PASSWORD}\"): {}",
            sign_in_summary().join("; ")
        );
    }
    let addr = config.site_addr;
    let whatsapp = config.whatsapp.clone();
    // On PostgreSQL every server is a cluster node (possibly the only one): sessions are
    // connected by whichever node claims them, never by all at start.
    let cluster = match &db {
        Db::Postgres(pool) => Some(
            ClusterNode::join(pool.clone(), addr.to_string())
                .await
                .map_err(|e| format!("could not join the cluster: {e}"))?,
        ),
        Db::Sqlite(_) => None,
    };
    let supervisor = Supervisor::new();
    let options = leptos_options(&config);
    let state = AppState::start(options, db.clone(), config, cluster.as_ref(), &supervisor);
    match &cluster {
        Some(node) => node.clone().start(&supervisor, state.manager.clone()),
        None => match state.manager.recover().await {
            Ok((resumed, interrupted)) => tracing::info!(
                ?whatsapp,
                "sessions: {resumed} reconnecting from stored credentials, {interrupted} linking attempts ended by the restart"
            ),
            Err(e) => return Err(format!("could not recover WhatsApp sessions: {e}")),
        },
    }
    match state.company_exists().await {
        Ok(false) => tracing::warn!(
            "first run: open {}{} and enter the set-up code {}",
            state
                .config
                .public_url
                .as_ref()
                .map_or_else(|| format!("http://{addr}"), |p| p.origin.clone()),
            crate::paths::SETUP,
            state.setup_code
        ),
        Ok(true) => {}
        Err(e) => return Err(format!("could not read the database: {e}")),
    }
    if state.config.public_url.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(
            "AURORA_PUBLIC_URL is not set: set it to the address users type (e.g. https://aurora.example.com) so requests for any other host are refused"
        );
    }
    let purge_db = db.clone();
    supervisor.spawn(Phase::Workers, "sign-in purge", move |stop| {
        sign_in_purge::run(purge_db, stop)
    });
    if state.simulator.is_some() {
        tracing::warn!(
            "AURORA_WHATSAPP=simulator: a fake WhatsApp network; /simulator and its API are open to anyone who can reach this server"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("LEPTOS_SITE_ADDR: cannot listen on {addr}: {e}"))?;
    tracing::info!("serving on http://{addr}");
    let manager = state.manager.clone();
    let http_stop = CancellationToken::new();
    let server = tokio::spawn(listener::serve(
        listener,
        router(state),
        Limits::default(),
        http_stop.clone(),
        HTTP_GRACE,
    ));

    shutdown_signal().await;
    let mut stuck = supervisor.stop(Phase::Workers, TASK_GRACE).await;
    manager.shutdown(SESSION_GRACE).await;
    stuck.extend(supervisor.stop(Phase::Notices, TASK_GRACE).await);
    if let Some(node) = &cluster {
        node.leave().await;
    }
    http_stop.cancel();
    let served = server.await.map_err(|e| format!("server task failed: {e}"));
    stuck.extend(supervisor.stop(Phase::Feeds, TASK_GRACE).await);
    db.close().await;
    match stuck.is_empty() {
        true => tracing::info!("stopped: every background task ended"),
        false => tracing::warn!(?stuck, "stopped: these background tasks had to be aborted"),
    }
    served
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
