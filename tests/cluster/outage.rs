//! The servers reach PostgreSQL through a proxy the test cuts: a short outage drops no
//! session; a long one makes every server close its sessions before any lease could run
//! out, and they come back on their own once the database does, with no conflict.

use std::time::{Duration, Instant};

use crate::support::proxy::Proxy;
use crate::support::*;

fn postgres_address() -> String {
    let url = admin_url();
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(&url);
    let host = after_scheme
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(after_scheme);
    host.split('/').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_fences_every_server_and_they_recover() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let database = TestDatabase::create("outage").await;
    let db = database.db().await;
    let (_, accounts) = seed_company(&db, "Outage", "admin@outage.test", 60).await;
    db.close().await;
    let proxy = Proxy::start(postgres_address()).await;
    let sim = free_address();
    let _sim = spawn_sim(&sim);
    let _nodes = spawn_nodes(3, &proxy.url_through(&database.url), &sim);
    settle(&sim, &accounts, Duration::from_secs(60), 0, |_| true).await;
    // Let the claims of the start finish (a node over its share waits a minute anyway).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let report = settle(&sim, &accounts, Duration::from_secs(5), 0, |_| true).await;
    let opened_before = since(&report);

    // 5 s without the database: nothing is dropped.
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(5)).await;
    proxy.restore();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let report = settle(&sim, &accounts, Duration::from_secs(5), 0, |_| true).await;
    assert_eq!(
        since(&report),
        opened_before,
        "a session dropped during a 5 s outage"
    );
    println!(
        "PostgreSQL away 5 s: all {} sessions stayed up",
        accounts.len()
    );

    // 20 s without it: every server goes silent before any lease could run out.
    let cut = Instant::now();
    proxy.cut();
    let fenced = loop {
        let report = connections(&sim).await.unwrap();
        if report["open"].as_array().unwrap().is_empty() {
            break cut.elapsed();
        }
        assert!(
            cut.elapsed() < Duration::from_secs(12),
            "sessions still open 12 s into the outage"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "PostgreSQL away: every server closed its sessions {:.1} s after the cut",
        fenced.as_secs_f64()
    );
    // A server fences 8 s after its last renewal, which came at or before the cut; the
    // margin is the sockets closing and this loop's 100 ms polling.
    assert!(
        fenced <= Duration::from_millis(8500),
        "fenced after {fenced:?}"
    );
    tokio::time::sleep(Duration::from_secs(20).saturating_sub(cut.elapsed())).await;
    let report = connections(&sim).await.unwrap();
    assert!(
        report["open"].as_array().unwrap().is_empty(),
        "nothing reconnected blind"
    );

    proxy.restore();
    let restored = Instant::now();
    let report = settle(&sim, &accounts, Duration::from_secs(30), 0, |_| true).await;
    let recovered = restored.elapsed();
    println!(
        "PostgreSQL back: all {} accounts online again after {:.1} s, {} conflicts",
        accounts.len(),
        recovered.as_secs_f64(),
        conflicts(&report)
    );
    assert!(
        recovered <= Duration::from_secs(15),
        "recovered after {recovered:?}"
    );
}
