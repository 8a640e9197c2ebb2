//! Three servers at rest hold each account exactly once, sample after sample; servers that
//! join take their share by hand-offs, each moved account reconnecting once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlx::PgConnection;

use crate::support::*;

/// How long the steady test samples: ten minutes unless `AURORA_CLUSTER_STEADY_SECS` says
/// otherwise (a shorter run while working on the cluster).
fn steady_for() -> Duration {
    let seconds = std::env::var("AURORA_CLUSTER_STEADY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(seconds)
}

/// Each account's owner, by the address of its node, as the database says now.
async fn owners(db: &mut PgConnection) -> HashMap<i64, String> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.id, d.address FROM whatsapp_accounts a \
         JOIN cluster_nodes d ON d.id = a.owner_node",
    )
    .fetch_all(db)
    .await
    .unwrap();
    rows.into_iter().collect()
}

/// Settled, and no node over its share (so nothing will be handed on).
async fn balanced(sim: &str, accounts: &[i64], nodes: usize, limit: Duration) -> serde_json::Value {
    let share = accounts.len().div_ceil(nodes);
    settle(sim, accounts, limit, 0, |holder| {
        let mut counts: HashMap<&String, usize> = HashMap::new();
        for node in holder.values() {
            *counts.entry(node).or_default() += 1;
        }
        counts.len() == nodes && counts.values().all(|n| *n <= share)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_hold_each_account_exactly_once_at_every_sample() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let database = TestDatabase::create("steady").await;
    let db = database.db().await;
    let (_, accounts) = seed_company(&db, "Steady", "admin@steady.test", 60).await;
    db.close().await;
    let sim = free_address();
    let _sim = spawn_sim(&sim);
    let _nodes = spawn_nodes(3, &database.url, &sim);
    let started = Instant::now();
    let report = balanced(&sim, &accounts, 3, Duration::from_secs(180)).await;
    println!(
        "steady: balanced after {:.1} s: {:?}",
        started.elapsed().as_secs_f64(),
        per_node(&report)
    );

    let mut db = database.connect().await;
    let duration = steady_for();
    let began = Instant::now();
    let mut samples = 0u64;
    let mut late = Duration::ZERO;
    let mut next = Instant::now();
    while began.elapsed() < duration {
        let before = owners(&mut db).await;
        let report = connections(&sim).await.expect("the simulator answers");
        let after = owners(&mut db).await;
        let (holder, count) = holders(&report);
        for account in &accounts {
            assert_eq!(
                count.get(account),
                Some(&1),
                "account {account}: connections at sample {samples}"
            );
            // An owner that changed between the two reads is a hand-off in flight.
            if before.get(account) == after.get(account) {
                assert_eq!(
                    holder.get(account),
                    after.get(account),
                    "account {account}: the connected server is not the owner (sample {samples})"
                );
            }
        }
        assert_eq!(conflicts(&report), 0, "a connection was replaced");
        samples += 1;
        next += Duration::from_millis(100);
        let now = Instant::now();
        late = late.max(now.saturating_duration_since(next));
        tokio::time::sleep_until(next.max(now).into()).await;
    }
    println!(
        "steady: {samples} samples over {:.0} s (every 100 ms, worst lag {late:?}): one connection \
         per account, owner = connected server, 0 conflicts",
        began.elapsed().as_secs_f64()
    );
    assert!(
        samples as f64 >= duration.as_secs_f64() * 10.0 * 0.9,
        "sampled every 100 ms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_that_join_take_their_share_within_four_minutes() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let database = TestDatabase::create("join").await;
    let db = database.db().await;
    let (_, accounts) = seed_company(&db, "Join", "admin@join.test", 30).await;
    db.close().await;
    let sim = free_address();
    let _sim = spawn_sim(&sim);
    let first = spawn_nodes(1, &database.url, &sim);
    let report = settle(&sim, &accounts, Duration::from_secs(60), 0, |_| true).await;
    assert_eq!(per_node(&report).len(), 1);
    let before = last_ms(&report);

    let joined = Instant::now();
    let _more = spawn_nodes(2, &database.url, &sim);
    let mut shares = HashMap::new();
    let report = settle(&sim, &accounts, Duration::from_secs(240), 0, |holder| {
        shares.clear();
        for node in holder.values() {
            *shares.entry(node.clone()).or_insert(0usize) += 1;
        }
        shares.len() == 3 && shares.values().all(|n| (9..=11).contains(n))
    })
    .await;
    let took = joined.elapsed().as_secs_f64();
    println!(
        "join: 30 accounts spread {:?} after {took:.0} s",
        per_node(&report)
    );
    assert!(took <= 240.0);

    let first = first.keys().next().unwrap().clone();
    let (holder, _) = holders(&report);
    let opened = opened_since(&report, before);
    for account in &accounts {
        let reconnects = opened.get(account).copied().unwrap_or(0);
        if holder[account] == first {
            assert_eq!(reconnects, 0, "account {account} stayed, yet reconnected");
        } else {
            assert_eq!(reconnects, 1, "account {account} moved: one reconnect");
        }
    }
    assert_eq!(conflicts(&report), 0);
    drop(first);
}
