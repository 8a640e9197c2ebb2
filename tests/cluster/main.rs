//! Several Aurora servers on one PostgreSQL, as real processes sharing one `aurora wa-sim`:
//! every linked account is connected by exactly one server, a server that dies, stops or
//! leaves hands its accounts over, servers that join take their share, and a database
//! outage fences every server before a peer could take anything. Run by
//! `make test-postgres` (PostgreSQL from `TEST_POSTGRES_URL`, a database per test). Prints
//! the times it measures.

mod support;

mod outage;
mod pages;
mod steady;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{Connection, PgConnection};
use support::web::{card, sign_in, Page};
use support::*;

const ACCOUNTS: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_or_stopped_server_hands_its_accounts_over() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let database = TestDatabase::create("failover").await;
    let db = database.db().await;
    let (company, accounts) = seed_company(&db, "Cluster", "admin@failover.test", ACCOUNTS).await;
    let pending = aurora::server::db::accounts::insert_within_limit(&db, company, 1000, None, 0)
        .await
        .unwrap()
        .unwrap();
    db.close().await;
    run(database.url.clone(), accounts, pending).await;
}

async fn run(database: String, accounts: Vec<i64>, pending: i64) {
    let sim = free_address();
    let _sim = spawn_sim(&sim);
    let mut nodes = spawn_nodes(3, &database, &sim);
    let addresses: Vec<String> = nodes.keys().cloned().collect();

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
    // A Channels page open on a server that survives: it must offer a new code in time.
    let survivor = addresses.iter().find(|a| **a != victim).unwrap();
    let cookie = sign_in(survivor, "admin@failover.test").await;
    let page = Page::open(survivor, &cookie).await;
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
    let (ended_after, status, owner_changed) = link_ended.await.unwrap();
    println!(
        "the QR of the killed node: attempt marked interrupted after {ended_after:.1} s \
         (the account still {status})"
    );
    assert!(
        ended_after <= 12.0,
        "the pending QR ended after {ended_after:.1} s"
    );
    assert_eq!(status, "connecting", "the card stays, offering a new code");
    assert!(!owner_changed, "a pending QR was claimed by another node");
    // The card offers "Generate new code": the attempt shown failed, still Connecting.
    let shown_failed = page.updates().into_iter().find_map(|(at, update)| {
        card(&update)
            .filter(|c| c["id"] == pending && c["status"] == "Connecting")
            .filter(|c| c["link"]["Failed"]["failure"] == "Interrupted")
            .map(|_| at.saturating_duration_since(killed_at).as_secs_f64())
    });
    let shown_failed = shown_failed.expect("the page on a surviving server was told");
    println!("the page on a surviving server showed the attempt ended after {shown_failed:.1} s");
    assert!(shown_failed <= 12.0, "{shown_failed:.1} s");
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

    // SIGTERM the survivor with the open page (its stream never ends by itself): its
    // accounts move within 5 s all the same.
    let (holder, _) = holders(&report);
    let stopping = survivor.clone();
    assert!(
        holder.values().any(|n| *n == stopping),
        "the survivor holds accounts"
    );
    let stopped_at = Instant::now();
    nodes[&stopping].signal("TERM");
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
    nodes[&frozen].signal("STOP");
    settle(sim, accounts, Duration::from_secs(15), moved, |holder| {
        holder.values().all(|n| *n != frozen)
    })
    .await;
    let took = stopped_at.elapsed().as_secs_f64();
    println!("SIGSTOP of a node with {moved} accounts: all connected elsewhere after {took:.1} s");
    assert!(took <= 15.0);
    tokio::time::sleep(Duration::from_secs(20).saturating_sub(stopped_at.elapsed())).await;
    nodes[&frozen].signal("CONT");
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

/// Waits until the killed node's linking attempt is marked interrupted: seconds after the
/// kill, the status it has then, and whether any other node ever took the account.
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
        if reason.as_deref() == Some("linking_interrupted") {
            return (killed_at.elapsed().as_secs_f64(), status, owner_changed);
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
