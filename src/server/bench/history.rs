//! `aurora bench-history`: a number linked with a long history (50 000 messages over
//! 2 000 chats by default) through the simulator and the session manager, timed from
//! the scan until the import is recorded; meanwhile an agent of the same company keeps
//! loading the inbox's first page, whose p50/p99 is compared with the same load before.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::server::bench::support::{
    bench_company, bench_user, exec, scalar, summary, BenchDatabase, SERIES,
};
use crate::server::boot::config::SimTimings;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{accounts, now_ms, Db};
use crate::server::drivers::simulator::history::generated;
use crate::server::drivers::simulator::{ScanOutcome, Simulator};
use crate::server::services::inbox::{self, ListRequest};
use crate::server::sessions::manager::{LinkState, ManagerOptions, SessionManager};

/// Conversations already in the inbox, on another channel.
const EXISTING: i64 = 5_000;
const PHONE: &str = "+573009990001";

pub async fn run(messages: usize, chats: usize, postgres: Option<String>) -> Result<(), String> {
    let bench_db = BenchDatabase::open("bench-history", postgres.as_deref()).await?;
    let outcome = bench(&bench_db.db, messages, chats).await;
    bench_db.close().await;
    outcome
}

async fn bench(db: &Db, messages: usize, chats: usize) -> Result<(), String> {
    let company = bench_company(db, 10).await?;
    let agent = agent(db, company).await?;
    exec(db, "INSERT INTO whatsapp_accounts (company_id, status, name, created_at, updated_at) VALUES ($1, 'connected', 'Existing', 1, 1)", &[company]).await?;
    let existing = scalar(db, "SELECT MAX(id) FROM whatsapp_accounts", &[]).await?;
    exec(db, &format!("{SERIES}INSERT INTO contacts (company_id, phone, name, created_at) SELECT $2, '+5731' || (10000000 + n), 'Cliente ' || n, 1 FROM seq"), &[EXISTING, company]).await?;
    exec(db, "INSERT INTO conversations (company_id, account_id, contact_id, last_message_at, created_at, last_message_text) \
         SELECT $1, $2, id, 1700000000000 + id * 1000, 1, 'Hola ' || id FROM contacts WHERE company_id = $1", &[company, existing]).await?;
    println!("{EXISTING} conversations already in the inbox; importing {messages} messages over {chats} chats");

    let load = |until: Arc<std::sync::atomic::AtomicBool>| {
        let db = db.clone();
        let agent = agent.clone();
        async move {
            let mut samples = Vec::new();
            while !until.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                inbox::page(&db, &agent, ListRequest::default())
                    .await
                    .map_err(|e| e.to_string())?;
                samples.push(started.elapsed());
                // An agent's page refreshes, not a tight loop.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Ok::<_, String>(samples)
        }
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let baseline = tokio::spawn(load(stop.clone()));
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let baseline = baseline.await.map_err(|e| e.to_string())??;
    println!(
        "{}",
        summary("inbox first page, no import (baseline)", baseline)
    );

    let sim = Simulator::new(SimTimings::default());
    let manager = SessionManager::new(db.clone(), Arc::new(sim.clone()), ManagerOptions::default());
    let id = accounts::insert_within_limit(db, company, 10, None, now_ms())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no room for the channel")?;
    manager
        .start_linking(company, id, None)
        .await
        .map_err(|e| e.to_string())?;
    let qr = wait(|| match manager.live(id).link {
        Some(LinkState::Showing { qr, .. }) => Some(qr),
        _ => None,
    })
    .await?;
    let history = generated(PHONE, messages, chats, now_ms(), 20);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let during = tokio::spawn(load(stop.clone()));
    let started = Instant::now();
    if sim.scan(&qr, PHONE, "Bench").await != ScanOutcome::Linked(id) {
        return Err("the scan did not link".into());
    }
    sim.send_history(PHONE.to_string(), history);
    let result = loop {
        let events = accounts::history(db, id).await.map_err(|e| e.to_string())?;
        if let Some((_, result)) = events.into_iter().find(|(e, _)| e == "history_imported") {
            break result.unwrap_or_default();
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err("the import did not finish in 10 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let wall = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = during.await.map_err(|e| e.to_string())??;
    let stored = scalar(
        db,
        "SELECT COUNT(*) FROM messages WHERE account_id = $1",
        &[id],
    )
    .await?;
    println!(
        "imported: {result} ({stored} stored) in {:.1} s from the scan",
        wall.as_secs_f64()
    );
    println!("{}", summary("inbox first page, during the import", during));
    manager.shutdown(Duration::from_secs(5)).await;
    Ok(())
}

async fn agent(db: &Db, company: i64) -> Result<SignedInUser, String> {
    let user_id = scalar(db, "SELECT id FROM users WHERE company_id = $1", &[company]).await?;
    Ok(bench_user(user_id, company, "Bench", true))
}

async fn wait<T>(mut check: impl FnMut() -> Option<T>) -> Result<T, String> {
    for _ in 0..200 {
        if let Some(found) = check() {
            return Ok(found);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("timed out waiting for the QR code".into())
}
