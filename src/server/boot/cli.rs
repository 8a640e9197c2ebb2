//! The `aurora` binary: serves by default; subcommands manage tenants for real deployments.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::config::{Config, SimTimings};
use crate::server::db::Db;
use crate::server::drivers::simulator::http as simulator_http;
use crate::server::drivers::simulator::Simulator;
use crate::server::services::identity::{
    company_id_by_name, create_company, create_funnel, create_user, NewUser,
};
use crate::server::services::preferences;

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
        /// Its default language (en, es, pt-BR): for its people who chose none and whose
        /// browsers ask for none of these.
        #[arg(long)]
        language: Option<String>,
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
    /// Benchmark: linking a number with a long history, and the inbox meanwhile.
    BenchHistory {
        #[arg(long, default_value_t = 50_000)]
        messages: usize,
        #[arg(long, default_value_t = 2_000)]
        chats: usize,
        /// A PostgreSQL server URL; a database is created on it for the run. SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Benchmark: inbound messages at RATE/s, each a webhook to a slow receiver, while
    /// the Channels page is loaded; with a baseline without webhooks.
    BenchWebhooks {
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 1_000)]
        rate: u64,
        /// How long the receiver takes to answer, in milliseconds.
        #[arg(long, default_value_t = 2_000)]
        delay_ms: u64,
        /// A PostgreSQL server URL; a database is created on it for the run. SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// For `make bench-web`: a company with ACCOUNTS connected (simulated) numbers and an
    /// agent with CONVERSATIONS, in this server's database; prints the two sign-in tokens.
    #[command(hide = true)]
    BenchWebSeed {
        #[arg(long, default_value_t = 50)]
        accounts: i64,
        #[arg(long, default_value_t = 100_000)]
        conversations: i64,
    },
    /// What a stranger can try against a running server on loopback (oversized bodies,
    /// slow headers, parallel guesses, many connections and streams); one line per result.
    Abuse {
        /// The server, e.g. http://127.0.0.1:3000 (started with AURORA_DEMO=1).
        #[arg(long)]
        url: String,
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
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn".into())
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr);
    // One JSON object per line for log collectors (`AURORA_LOG_FORMAT=json`).
    match std::env::var("AURORA_LOG_FORMAT").as_deref().map(str::trim) {
        Ok("json") => logs.json().init(),
        Ok("" | "text") | Err(_) => logs.init(),
        Ok(other) => {
            logs.init();
            tracing::warn!("AURORA_LOG_FORMAT='{other}' is not 'json' or 'text'; writing text");
        }
    }
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("aurora: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        None | Some(Command::Serve) => super::serve::serve(config).await,
        Some(Command::BenchSessions {
            accounts,
            clients,
            probes,
        }) => crate::server::bench::sessions::run(accounts, clients, probes).await,
        Some(Command::BenchDelete {
            messages,
            contacts,
            scheduled,
            media,
            postgres,
        }) => {
            let volume = crate::server::bench::delete::Volume {
                messages,
                contacts,
                scheduled,
                media,
            };
            crate::server::bench::delete::run(volume, postgres).await
        }
        Some(Command::BenchInbox {
            conversations,
            runs,
            postgres,
        }) => crate::server::bench::inbox::run(conversations, runs, postgres).await,
        Some(Command::BenchHistory {
            messages,
            chats,
            postgres,
        }) => crate::server::bench::history::run(messages, chats, postgres).await,
        Some(Command::BenchWebhooks {
            seconds,
            rate,
            delay_ms,
            postgres,
        }) => {
            let load = crate::server::bench::webhooks::Load {
                seconds,
                rate,
                delay: std::time::Duration::from_millis(delay_ms),
            };
            crate::server::bench::webhooks::run(load, postgres).await
        }
        Some(Command::WaSim { listen }) => wa_sim(listen, config.sim).await,
        Some(Command::Abuse { url }) => crate::server::bench::abuse::run(url).await,
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

pub(super) async fn connect(config: &Config) -> Result<Db, String> {
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
        | Command::BenchHistory { .. }
        | Command::BenchWebhooks { .. }
        | Command::WaSim { .. }
        | Command::Abuse { .. } => {
            unreachable!("handled by main")
        }
        Command::CreateCompany {
            name,
            channel_limit,
            inactive,
            language,
        } => {
            // Checked before anything is created: a typo leaves no company behind.
            if let Some(tag) = &language {
                preferences::language(tag).map_err(|e| e.to_string())?;
            }
            let created = create_company(&db, &name, !inactive, channel_limit).await;
            match (created, language) {
                (Ok(id), Some(tag)) => preferences::set_company_language(&db, id, &tag)
                    .await
                    .map(|()| println!("created company {id}: {} ({tag})", name.trim())),
                (Ok(id), None) => {
                    println!("created company {id}: {}", name.trim());
                    Ok(())
                }
                (Err(e), _) => Err(e),
            }
        }
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
                    let new_user = NewUser {
                        company_id,
                        email: &email,
                        display_name: &name,
                        password: &password,
                        global_admin,
                        channels_admin,
                    };
                    create_user(&db, new_user)
                        .await
                        .map(|id| println!("created user {id}: {}", email.trim().to_lowercase()))
                }
                Err(e) => Err(e),
            }
        }
        Command::BenchWebSeed {
            accounts,
            conversations,
        } => {
            let seeded = crate::server::bench::web::seed(&db, accounts, conversations).await;
            db.close().await;
            return seeded;
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

async fn wa_sim(listen: SocketAddr, timings: SimTimings) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("--listen: cannot listen on {listen}: {e}"))?;
    let app = simulator_http::routes::<()>(Simulator::new(timings));
    tracing::info!("WhatsApp simulator on http://{listen} (wire and /simulator/api)");
    axum::serve(listener, app)
        .with_graceful_shutdown(super::serve::shutdown_signal())
        .await
        .map_err(|e| format!("simulator error: {e}"))
}
