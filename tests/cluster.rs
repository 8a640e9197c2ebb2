//! Several Aurora servers on one PostgreSQL, as real processes sharing one `aurora wa-sim`:
//! every linked account is connected by exactly one server, and a server that dies or
//! stops hands its accounts over. Run by `make test-postgres` (PostgreSQL from
//! `TEST_POSTGRES_URL`, a database of its own). Prints the failover times it measures.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aurora::server::config::DatabaseUrl;
use aurora::server::db::{accounts, companies, Db};
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_aurora");
const ACCOUNTS: usize = 60;

/// A child process, killed when dropped so a failing test leaves nothing running.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn spawn_sim(address: &str) -> Process {
    let child = Command::new(BIN)
        .args(["wa-sim", "--listen", address])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the aurora binary starts");
    Process(child)
}

fn spawn_node(address: &str, database: &str, sim: &str) -> Process {
    let child = Command::new(BIN)
        .env("DATABASE_URL", database)
        .env("LEPTOS_SITE_ADDR", address)
        .env("AURORA_WHATSAPP", format!("simulator+http://{sim}"))
        .env(
            "AURORA_MEDIA_DIR",
            std::env::temp_dir().join("aurora-cluster-media"),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the aurora binary starts");
    Process(child)
}

/// What `GET /simulator/api/connections` says, or None while the simulator is not up.
async fn connections(sim: &str) -> Option<Value> {
    let mut stream = tokio::net::TcpStream::connect(sim).await.ok()?;
    let request = format!(
        "GET /simulator/api/connections HTTP/1.1\r\nHost: {sim}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    let answer = String::from_utf8(answer).ok()?;
    let (_, body) = answer.split_once("\r\n\r\n")?;
    serde_json::from_str(body).ok()
}

/// Which node holds each account's connection, and how many connections each account has.
fn holders(report: &Value) -> (HashMap<i64, String>, HashMap<i64, usize>) {
    let mut holder = HashMap::new();
    let mut count = HashMap::new();
    for open in report["open"].as_array().unwrap() {
        let account = open["account_id"].as_i64().unwrap();
        holder.insert(account, open["node"].as_str().unwrap_or("").to_string());
        *count.entry(account).or_insert(0) += 1;
    }
    (holder, count)
}

fn since(report: &Value) -> HashMap<i64, i64> {
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

fn per_node(report: &Value) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for node in holders(report).0.into_values() {
        *counts.entry(node).or_default() += 1;
    }
    counts
}

fn conflicts(report: &Value) -> i64 {
    report["conflicts"].as_i64().unwrap()
}

/// A fresh database holding one company with `ACCOUNTS` linked (Connected) simulator accounts.
/// Also one more account, which the test later makes a QR showing (Connecting) on the node
/// it kills.
async fn seeded_database(admin_url: &str, name: &str) -> (String, Vec<i64>, i64) {
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    let url = format!("{base}/{name}");
    let db = Db::connect(&DatabaseUrl::Postgres(url.clone()))
        .await
        .unwrap();
    let company = companies::insert(&db, "Cluster", true, 1000).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..ACCOUNTS {
        let id = accounts::insert_within_limit(&db, company, 1000, None, i as i64)
            .await
            .unwrap()
            .unwrap();
        ids.push(id);
    }
    let pending = accounts::insert_within_limit(&db, company, 1000, None, 0)
        .await
        .unwrap()
        .unwrap();
    if let Db::Postgres(pool) = &db {
        sqlx::query(
            "UPDATE whatsapp_accounts SET status = 'connected', ever_linked = TRUE, \
             phone = '+5730000' || lpad(id::text, 5, '0'), \
             credentials = 'sim1|+5730000' || lpad(id::text, 5, '0') || '|device' || id \
             WHERE id <> $1",
        )
        .bind(pending)
        .execute(pool)
        .await
        .unwrap();
    }
    db.close().await;
    (url, ids, pending)
}

async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

/// Polls every 100 ms until every account has exactly one connection and `done` agrees;
/// fails on a second connection for any account, on more than `conflicts_allowed`
/// replaced connections in all, or after `limit`.
async fn settle(
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
                "a connection was replaced"
            );
            if accounts.iter().all(|a| holder.contains_key(a)) && done(&holder) {
                return report;
            }
        }
        assert!(started.elapsed() < limit, "not settled within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_or_stopped_server_hands_its_accounts_over() {
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("aurora_cluster_{}", std::process::id());
    let (database, accounts, pending) = seeded_database(&admin_url, &name).await;
    let outcome = tokio::spawn(run(database, accounts, pending)).await;
    drop_database(&admin_url, &name).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}

async fn run(database: String, accounts: Vec<i64>, pending: i64) {
    let sim = free_address();
    let _sim = spawn_sim(&sim);
    let addresses: Vec<String> = (0..3).map(|_| free_address()).collect();
    let mut nodes: HashMap<String, Process> = addresses
        .iter()
        .map(|a| (a.clone(), spawn_node(a, &database, &sim)))
        .collect();

    // Everyone online, once each.
    let report = settle(&sim, &accounts, Duration::from_secs(60), 0, |_| true).await;
    println!("accounts per node after start: {:?}", per_node(&report));

    let report = frozen_node_loses_its_accounts(&sim, &accounts, &database, &nodes, &report).await;
    let (holder, _) = holders(&report);
    let per_node = per_node(&report);
    let conflicts_so_far = conflicts(&report);

    // SIGKILL the node holding the most accounts.
    let victim = per_node
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(n, _)| n.to_string())
        .unwrap();
    let moved: HashSet<i64> = holder
        .iter()
        .filter(|(_, n)| **n == victim)
        .map(|(a, _)| *a)
        .collect();
    let survivors_before: HashMap<i64, i64> = since(&report)
        .into_iter()
        .filter(|(a, _)| !moved.contains(a))
        .collect();
    let mut db = PgConnection::connect(&database).await.unwrap();
    sqlx::query(
        "UPDATE whatsapp_accounts SET status = 'connecting', disconnect_reason = NULL, \
         owner_node = (SELECT id FROM cluster_nodes WHERE address = $2) WHERE id = $1",
    )
    .bind(pending)
    .bind(&victim)
    .execute(&mut db)
    .await
    .unwrap();
    let killed_at = Instant::now();
    drop(nodes.remove(&victim)); // kill -9, then reaped
    let link_ended = tokio::spawn(pending_link_ends(database.clone(), pending, killed_at));
    let mut back_after: HashMap<i64, f64> = HashMap::new();
    let report = settle(
        &sim,
        &accounts,
        Duration::from_secs(30),
        conflicts_so_far,
        |holder| {
            for account in &moved {
                if holder.get(account).is_some_and(|n| *n != victim) {
                    back_after
                        .entry(*account)
                        .or_insert(killed_at.elapsed().as_secs_f64());
                }
            }
            holder.values().all(|n| *n != victim)
        },
    )
    .await;
    let mut times: Vec<f64> = back_after.values().copied().collect();
    assert_eq!(times.len(), moved.len());
    times.sort_by(f64::total_cmp);
    println!(
        "SIGKILL of a node with {} accounts: back online p50 {:.1} s, p95 {:.1} s, max {:.1} s",
        moved.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );
    let (ended_after, reason, owner_changed) = link_ended.await.unwrap();
    println!("the QR of the killed node: attempt ended after {ended_after:.1} s ({reason})");
    assert!(
        ended_after <= 12.0,
        "the pending QR ended after {ended_after:.1} s"
    );
    assert_eq!(reason, "linking_interrupted");
    assert!(!owner_changed, "a pending QR was claimed by another node");
    assert!(
        times[times.len() - 1] <= 15.0,
        "failover took over 15 s: {times:?}"
    );
    let survivors_after = since(&report);
    for (account, since_ms) in &survivors_before {
        assert_eq!(
            survivors_after.get(account),
            Some(since_ms),
            "account {account} of a survivor reconnected"
        );
    }

    // SIGTERM one of the two left: its accounts move within 5 s.
    let (holder, _) = holders(&report);
    let stopping = addresses
        .iter()
        .find(|a| nodes.contains_key(*a) && holder.values().any(|n| n == *a))
        .unwrap()
        .clone();
    let pid = nodes[&stopping].0.id();
    let stopped_at = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    settle(
        &sim,
        &accounts,
        Duration::from_secs(20),
        conflicts_so_far,
        |holder| holder.values().all(|n| *n != stopping),
    )
    .await;
    let handed_over = stopped_at.elapsed().as_secs_f64();
    println!("SIGTERM: every account connected elsewhere after {handed_over:.1} s");
    assert!(
        handed_over <= 5.0,
        "graceful hand-over took {handed_over:.1} s"
    );
}

fn signal(process: &Process, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), process.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

/// SIGSTOP the node with the most accounts for 20 s: its peers connect its accounts within
/// 15 s (the frozen sockets are replaced, as WhatsApp would do); after SIGCONT it closes
/// what it had, reconnects nothing and marks nothing disconnected.
async fn frozen_node_loses_its_accounts(
    sim: &str,
    accounts: &[i64],
    database: &str,
    nodes: &HashMap<String, Process>,
    report: &Value,
) -> Value {
    let (holder, _) = holders(report);
    let frozen = nodes
        .keys()
        .max_by_key(|n| holder.values().filter(|h| h == n).count())
        .unwrap()
        .clone();
    let moved = holder.values().filter(|h| **h == frozen).count() as i64;
    let stopped_at = Instant::now();
    let stopped_ms = report["history"].as_array().unwrap().last().unwrap()["at_ms"]
        .as_i64()
        .unwrap();
    signal(&nodes[&frozen], "STOP");
    settle(sim, accounts, Duration::from_secs(15), moved, |holder| {
        holder.values().all(|n| *n != frozen)
    })
    .await;
    let took = stopped_at.elapsed().as_secs_f64();
    println!("SIGSTOP of a node with {moved} accounts: all connected elsewhere after {took:.1} s");
    assert!(took <= 15.0);
    tokio::time::sleep(Duration::from_secs(20).saturating_sub(stopped_at.elapsed())).await;
    signal(&nodes[&frozen], "CONT");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = settle(sim, accounts, Duration::from_secs(5), moved, |_| true).await;
    let reopened = after["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["at_ms"].as_i64().unwrap() > stopped_ms)
        .filter(|r| r["node"] == frozen.as_str() && r["change"] == "opened")
        .count();
    assert_eq!(
        reopened, 0,
        "the resumed node connected accounts it no longer owns"
    );
    let mut db = PgConnection::connect(database).await.unwrap();
    let not_connected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM whatsapp_accounts WHERE status <> 'connected' AND id = ANY($1)",
    )
    .bind(accounts.to_vec())
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        not_connected, 0,
        "the resumed node marked accounts disconnected"
    );
    let owners: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT owner_node) FROM whatsapp_accounts WHERE owner_node IS NOT NULL",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        owners <= 2,
        "accounts still owned by the frozen node's old lease"
    );
    after
}

/// Waits until the killed node's linking attempt is over: seconds after the kill, the
/// reason recorded, and whether any other node ever took the account.
async fn pending_link_ends(
    database: String,
    account: i64,
    killed_at: Instant,
) -> (f64, String, bool) {
    let mut db = PgConnection::connect(&database).await.unwrap();
    let (_, _, first_owner): (String, Option<String>, Option<String>) = row(&mut db, account).await;
    let mut owner_changed = false;
    loop {
        let (status, reason, owner) = row(&mut db, account).await;
        owner_changed |= owner.is_some() && owner != first_owner;
        if status != "connecting" {
            return (
                killed_at.elapsed().as_secs_f64(),
                reason.unwrap_or_default(),
                owner_changed,
            );
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(20),
            "the pending QR never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn row(db: &mut PgConnection, account: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT status, disconnect_reason, owner_node FROM whatsapp_accounts WHERE id = $1",
    )
    .bind(account)
    .fetch_one(db)
    .await
    .unwrap()
}
