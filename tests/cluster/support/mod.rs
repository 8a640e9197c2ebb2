//! What the cluster's process tests share: real `aurora` processes (servers and one
//! `wa-sim`), a seeded PostgreSQL database of their own, the simulator's connection report,
//! plain HTTP and Server-Sent Events clients, and a TCP proxy in front of PostgreSQL that a
//! test can cut.

#![allow(dead_code)] // each test binary uses its own part

pub mod proxy;
pub mod web;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aurora::server::boot::config::DatabaseUrl;
use aurora::server::db::{accounts, companies, Db};
use aurora::server::services::identity::{create_user, NewUser};
use serde_json::Value;
use sqlx::{Connection, PgConnection};

pub const BIN: &str = env!("CARGO_BIN_EXE_aurora");
pub const PASSWORD: &str = "a long cluster password";

/// The cluster tests start several servers each: they run one at a time.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A child process, killed when dropped so a failing test leaves nothing running.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Process {
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name}");
    }
}

pub fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

pub fn spawn_sim(address: &str) -> Process {
    let child = Command::new(BIN)
        .args(["wa-sim", "--listen", address])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the aurora binary starts");
    Process(child)
}

pub fn spawn_node(address: &str, database: &str, sim: &str) -> Process {
    let child = Command::new(BIN)
        .env("DATABASE_URL", database)
        .env("LEPTOS_SITE_ADDR", address)
        .env("AURORA_WHATSAPP", format!("simulator+http://{sim}"))
        .env(
            "AURORA_MEDIA_DIR",
            std::env::temp_dir().join("aurora-cluster-media"),
        )
        // Errors only, unless a run asks for more (AURORA_CLUSTER_NODE_LOG=info).
        .env(
            "RUST_LOG",
            std::env::var("AURORA_CLUSTER_NODE_LOG").unwrap_or_else(|_| "error".into()),
        )
        .stdout(Stdio::null())
        .spawn()
        .expect("the aurora binary starts");
    Process(child)
}

/// `count` servers on fresh loopback addresses, keyed by address (the node name the
/// simulator reports).
pub fn spawn_nodes(count: usize, database: &str, sim: &str) -> HashMap<String, Process> {
    (0..count)
        .map(|_| {
            let address = free_address();
            let node = spawn_node(&address, database, sim);
            (address, node)
        })
        .collect()
}

/// What `GET /simulator/api/connections` says, or None while the simulator is not up.
pub async fn connections(sim: &str) -> Option<Value> {
    let (status, body) = web::request(sim, "GET", "/simulator/api/connections", "", None)
        .await
        .ok()?;
    (status == 200).then(|| serde_json::from_str(&body).ok())?
}

/// Which node holds each account's connection, and how many connections each account has.
pub fn holders(report: &Value) -> (HashMap<i64, String>, HashMap<i64, usize>) {
    let mut holder = HashMap::new();
    let mut count = HashMap::new();
    for open in report["open"].as_array().unwrap() {
        let account = open["account_id"].as_i64().unwrap();
        holder.insert(account, open["node"].as_str().unwrap_or("").to_string());
        *count.entry(account).or_insert(0) += 1;
    }
    (holder, count)
}

/// When each open connection was opened (ms on the simulator's clock).
pub fn since(report: &Value) -> HashMap<i64, i64> {
    report["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["account_id"].as_i64().unwrap(),
                o["since_ms"].as_i64().unwrap(),
            )
        })
        .collect()
}

pub fn per_node(report: &Value) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for node in holders(report).0.into_values() {
        *counts.entry(node).or_default() += 1;
    }
    counts
}

pub fn conflicts(report: &Value) -> i64 {
    report["conflicts"].as_i64().unwrap()
}

/// How many times each account was connected since `after_ms` (the simulator's history).
pub fn opened_since(report: &Value, after_ms: i64) -> HashMap<i64, usize> {
    let mut opened = HashMap::new();
    for entry in report["history"].as_array().unwrap() {
        if entry["at_ms"].as_i64().unwrap() > after_ms && entry["change"] == "opened" {
            *opened
                .entry(entry["account_id"].as_i64().unwrap())
                .or_default() += 1;
        }
    }
    opened
}

/// The simulator's clock now, as its history reads it (its last entry).
pub fn last_ms(report: &Value) -> i64 {
    report["history"]
        .as_array()
        .unwrap()
        .last()
        .and_then(|e| e["at_ms"].as_i64())
        .unwrap_or(0)
}

/// PostgreSQL as the tests reach it: `TEST_POSTGRES_URL`, or the machine's own.
pub fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database of its own for one test, dropped when the test ends (even by a panic).
pub struct TestDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create(label: &str) -> TestDatabase {
        let admin_url = admin_url();
        let name = format!("aurora_cluster_{label}_{}", std::process::id());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("PostgreSQL reachable");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        TestDatabase {
            admin_url,
            name,
            url,
        }
    }

    pub async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.unwrap()
    }

    /// Runs the migrations and opens the application's own handle on it.
    pub async fn db(&self) -> Db {
        Db::connect(&DatabaseUrl::Postgres(self.url.clone()))
            .await
            .unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Dropped inside a runtime: drop the database from a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            })
        })
        .join();
    }
}

/// A company with a channels admin (`email`, [`PASSWORD`]) and `linked` accounts that are
/// Connected with simulator credentials. Answers the company and its account ids.
pub async fn seed_company(db: &Db, name: &str, email: &str, linked: usize) -> (i64, Vec<i64>) {
    let company = companies::insert(db, name, true, 1000).await.unwrap();
    let admin = NewUser {
        company_id: company,
        email,
        display_name: name,
        password: PASSWORD,
        global_admin: true,
        channels_admin: true,
    };
    create_user(db, admin).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..linked {
        let id = accounts::insert_within_limit(db, company, 1000, None, i as i64)
            .await
            .unwrap()
            .unwrap();
        ids.push(id);
    }
    let Db::Postgres(pool) = db else {
        panic!("the cluster runs on PostgreSQL")
    };
    sqlx::query(
        "UPDATE whatsapp_accounts SET status = 'connected', ever_linked = TRUE, \
         phone = '+5730000' || lpad(id::text, 5, '0'), \
         credentials = 'sim1|+5730000' || lpad(id::text, 5, '0') || '|device' || id \
         WHERE id = ANY($1)",
    )
    .bind(&ids)
    .execute(pool)
    .await
    .unwrap();
    (company, ids)
}

/// Polls every 100 ms until every account has exactly one connection and `done` agrees;
/// fails on a second connection for any account, on more than `conflicts_allowed`
/// replaced connections in all, or after `limit`.
pub async fn settle(
    sim: &str,
    accounts: &[i64],
    limit: Duration,
    conflicts_allowed: i64,
    mut done: impl FnMut(&HashMap<i64, String>) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        if let Some(report) = connections(sim).await {
            let (holder, count) = holders(&report);
            if let Some((account, n)) = count.iter().find(|(_, n)| **n > 1) {
                panic!("account {account} has {n} connections at once");
            }
            assert!(
                conflicts(&report) <= conflicts_allowed,
                "a connection was replaced:\n{}",
                replaced_history(&report)
            );
            if accounts.iter().all(|a| holder.contains_key(a)) && done(&holder) {
                return report;
            }
        }
        assert!(started.elapsed() < limit, "not settled within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every open, close and replacement of the accounts that had a connection replaced, for
/// a failure's message: which nodes connected them, and when.
pub fn replaced_history(report: &Value) -> String {
    let history = report["history"].as_array().unwrap();
    let replaced: std::collections::HashSet<i64> = history
        .iter()
        .filter(|r| r["change"] == "replaced")
        .filter_map(|r| r["account_id"].as_i64())
        .collect();
    history
        .iter()
        .filter(|r| {
            r["account_id"]
                .as_i64()
                .is_some_and(|a| replaced.contains(&a))
        })
        .map(|r| {
            format!(
                "  {} {} {} {}",
                r["at_ms"], r["account_id"], r["node"], r["change"]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// "p50 …, p95 …, max …" of some durations in seconds.
pub fn summary(mut values: Vec<f64>, unit: &str, scale: f64) -> String {
    values.sort_by(f64::total_cmp);
    format!(
        "p50 {:.1} {unit}, p95 {:.1} {unit}, p99 {:.1} {unit}, max {:.1} {unit} (n = {})",
        percentile(&values, 0.5) * scale,
        percentile(&values, 0.95) * scale,
        percentile(&values, 0.99) * scale,
        values[values.len() - 1] * scale,
        values.len()
    )
}
