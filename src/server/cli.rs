//! The `aurora` binary: serves by default; subcommands manage tenants for real deployments.

use std::future::IntoFuture;
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use super::config::{Config, SimTimings};
use super::db::{now_ms, sessions, Db};
use super::http::{leptos_options, router};
use super::services::cluster::ClusterNode;
use super::services::demo::{seed_if_empty, sign_in_summary, DEMO_PASSWORD};
use super::services::identity::{
    company_id_by_name, create_company, create_funnel, create_user, NewAccount, IDLE_TIMEOUT_MS,
};
use super::simulator_http;
use super::state::AppState;
use super::whatsapp::simulator::Simulator;

#[derive(Parser)]
#[command(
    name = "aurora",
    version,
    about = "Aurora Channels: link WhatsApp numbers to a team inbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (what the binary does without a subcommand).
    Serve,
    /// Create a company (tenant).
    CreateCompany {
        #[arg(long)]
        name: String,
        #[arg(long)]
        channel_limit: i64,
        /// Create it with an inactive subscription.
        #[arg(long)]
        inactive: bool,
    },
    /// Create a user; the password is read from standard input (prompted on a terminal).
    CreateUser {
        #[arg(long)]
        company: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        global_admin: bool,
        #[arg(long)]
        channels_admin: bool,
    },
    /// Benchmark: N simulated accounts linking and connected, M live-stream clients.
    BenchSessions {
        #[arg(long, default_value_t = 100)]
        accounts: usize,
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Steady-state events to time once everything is connected.
        #[arg(long, default_value_t = 200)]
        probes: usize,
    },
    /// Benchmark: delete a channel holding a lot of data while another keeps receiving.
    BenchDelete {
        #[arg(long, default_value_t = 1_000_000)]
        messages: i64,
        #[arg(long, default_value_t = 100_000)]
        contacts: i64,
        #[arg(long, default_value_t = 5_000)]
        scheduled: i64,
        #[arg(long, default_value_t = 10_000)]
        media: i64,
        /// A PostgreSQL server URL; a database is created on it for the run. SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Benchmark: the inbox's first page for an agent of a company with many conversations.
    BenchInbox {
        #[arg(long, default_value_t = 100_000)]
        conversations: i64,
        #[arg(long, default_value_t = 500)]
        runs: usize,
        /// A PostgreSQL server URL; a database is created on it for the run. SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Run the WhatsApp simulator alone, for several servers to share
    /// (`AURORA_WHATSAPP=simulator+http://ADDRESS`); same control API as `/simulator/api`.
    WaSim {
        #[arg(long, default_value = "127.0.0.1:4100")]
        listen: SocketAddr,
    },
    /// Create a funnel (team inbox) with its members.
    CreateFunnel {
        #[arg(long)]
        company: String,
        #[arg(long)]
        name: String,
        /// Comma-separated member emails.
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
    },
}

pub async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("aurora: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        None | Some(Command::Serve) => serve(config).await,
        Some(Command::BenchSessions {
            accounts,
            clients,
            probes,
        }) => super::bench::run(accounts, clients, probes).await,
        Some(Command::BenchDelete {
            messages,
            contacts,
            scheduled,
            media,
            postgres,
        }) => {
            let volume = super::bench_delete::Volume {
                messages,
                contacts,
                scheduled,
                media,
            };
            super::bench_delete::run(volume, postgres).await
        }
        Some(Command::BenchInbox {
            conversations,
            runs,
            postgres,
        }) => super::bench_inbox::run(conversations, runs, postgres).await,
        Some(Command::WaSim { listen }) => wa_sim(listen, config.sim).await,
        Some(command) => run_command(config, command).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("aurora: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(config: &Config) -> Result<Db, String> {
    Db::connect(&config.database)
        .await
        .map_err(|e| format!("DATABASE_URL: {e}"))
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn run_command(config: Config, command: Command) -> Result<(), String> {
    let db = connect(&config).await?;
    let outcome = match command {
        Command::Serve
        | Command::BenchSessions { .. }
        | Command::BenchDelete { .. }
        | Command::BenchInbox { .. }
        | Command::WaSim { .. } => {
            unreachable!("handled by main")
        }
        Command::CreateCompany {
            name,
            channel_limit,
            inactive,
        } => create_company(&db, &name, !inactive, channel_limit)
            .await
            .map(|id| println!("created company {id}: {}", name.trim())),
        Command::CreateUser {
            company,
            email,
            name,
            global_admin,
            channels_admin,
        } => {
            let password = read_password()?;
            match company_id_by_name(&db, &company).await {
                Ok(company_id) => {
                    let account = NewAccount {
                        company_id,
                        email: &email,
                        display_name: &name,
                        password: &password,
                        global_admin,
                        channels_admin,
                    };
                    create_user(&db, account)
                        .await
                        .map(|id| println!("created user {id}: {}", email.trim().to_lowercase()))
                }
                Err(e) => Err(e),
            }
        }
        Command::CreateFunnel {
            company,
            name,
            members,
        } => match company_id_by_name(&db, &company).await {
            Ok(company_id) => create_funnel(&db, company_id, &name, &members)
                .await
                .map(|id| println!("created funnel {id}: {}", name.trim())),
            Err(e) => Err(e),
        },
    };
    db.close().await;
    outcome.map_err(|e| e.to_string())
}

async fn serve(config: Config) -> Result<(), String> {
    let db = connect(&config).await?;
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
    let state = AppState::in_cluster(leptos_options(&config), db.clone(), config, cluster.clone());
    let (stop_cluster, cluster_stopped) = tokio::sync::watch::channel(false);
    match &cluster {
        Some(node) => node.clone().spawn(state.manager.clone(), cluster_stopped),
        None => match state.manager.recover().await {
            Ok((resumed, interrupted)) => tracing::info!(
                ?whatsapp,
                "sessions: {resumed} reconnecting from stored credentials, {interrupted} linking attempts ended by the restart"
            ),
            Err(e) => return Err(format!("could not recover WhatsApp sessions: {e}")),
        },
    }
    if state.simulator.is_some() {
        tracing::warn!(
            "AURORA_WHATSAPP=simulator: a fake WhatsApp network; /simulator and its API are open to anyone who can reach this server"
        );
    }
    let manager = state.manager.clone();
    let deletion = state.deletion.clone();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("LEPTOS_SITE_ADDR: cannot listen on {addr}: {e}"))?;
    let purger = tokio::spawn(purge_idle_sessions(db.clone()));
    tracing::info!("serving on http://{addr}");
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (stop_http, http_stopping) = tokio::sync::watch::channel(false);
    let mut http_stopping_signal = http_stopping.clone();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = http_stopping_signal.wait_for(|stop| *stop).await;
            })
            .into_future(),
    );
    shutdown_signal().await;
    purger.abort();
    // A Delete in progress stops between batches and resumes at the next start.
    deletion.stop();
    let _ = stop_cluster.send(true);
    // The sessions go first, whatever the open pages do: sockets close before ownership
    // goes, so no peer connects while this one still is, and peers take over in seconds.
    manager.shutdown(Duration::from_secs(5)).await;
    if let Some(node) = &cluster {
        node.leave().await;
    }
    // Open pages' live streams never end by themselves (their browsers reconnect to
    // another server): requests in flight get a moment, then the process goes.
    let _ = stop_http.send(true);
    drop(http_stopping);
    let served = match tokio::time::timeout(HTTP_GRACE, server).await {
        Ok(Ok(served)) => served.map_err(|e| format!("server error: {e}")),
        Ok(Err(e)) => Err(format!("server task failed: {e}")),
        Err(_) => {
            tracing::info!("open streams closed after {HTTP_GRACE:?}");
            Ok(())
        }
    };
    db.close().await;
    tracing::info!("stopped");
    served
}

/// How long requests in flight may take to finish once the sessions are closed.
const HTTP_GRACE: Duration = Duration::from_secs(5);

async fn wa_sim(listen: SocketAddr, timings: SimTimings) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("--listen: cannot listen on {listen}: {e}"))?;
    let app = simulator_http::routes::<()>(Simulator::new(timings));
    tracing::info!("WhatsApp simulator on http://{listen} (wire and /simulator/api)");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("simulator error: {e}"))
}

/// Expired sessions are refused on sight; this only keeps the table small.
async fn purge_idle_sessions(db: Db) {
    let mut every = tokio::time::interval(Duration::from_secs(60 * 60));
    loop {
        every.tick().await;
        match sessions::delete_idle(&db, now_ms() - IDLE_TIMEOUT_MS).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} idle sessions"),
            Err(e) => tracing::warn!("could not remove idle sessions: {e}"),
        }
    }
}

async fn shutdown_signal() {
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
