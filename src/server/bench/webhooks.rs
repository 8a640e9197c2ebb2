//! `aurora bench-webhooks`: inbound messages stored at RATE per second for SECONDS while
//! every one of them is a `message.received` webhook for an endpoint that takes DELAY to
//! answer, and an admin keeps loading the Channels page over HTTP. Reports the store's and
//! the page's latency (p50/p99), first without any endpoint (the baseline: no outbox write),
//! then with it, then without it again: the channel holds more messages by then, and the
//! page (which charts them) costs more, so the last phase tells what the table's growth did
//! and what the webhooks did. And how far the delivery worker got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use tokio::time::Instant;

use crate::domain::webhooks::{events_column, EventKind};
use crate::server::bench::support::{
    bench_company, bench_config, bench_sign_in, exec, load_channels_page, scalar,
    serve_on_loopback, summary, BenchDatabase,
};
use crate::server::boot::state::AppState;
use crate::server::db::webhooks::{self as db, NewEndpoint};
use crate::server::db::{now_ms, Db};
use crate::server::drivers::simulator::customer_message;
use crate::server::media::MediaStore;
use crate::server::services::channels::initiator;
use crate::server::sessions::inbound;
use crate::server::web::router::leptos_options;

#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub seconds: u64,
    pub rate: u64,
    pub delay: Duration,
}

pub async fn run(load: Load, postgres: Option<String>) -> Result<(), String> {
    let bench_db = BenchDatabase::open("bench-webhooks", postgres.as_deref()).await?;
    let outcome = bench(&bench_db.db, load, &bench_db.folder, bench_db.is_postgres()).await;
    bench_db.close().await;
    outcome
}

/// A receiver on loopback that answers 200 after `delay`; answers its URL and its count.
async fn slow_receiver(delay: Duration) -> Result<(String, Arc<Mutex<u64>>), String> {
    let count = Arc::new(Mutex::new(0u64));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move || {
            let seen = seen.clone();
            async move {
                tokio::time::sleep(delay).await;
                *seen.lock().unwrap() += 1;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}/hook",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, count))
}

/// Stores `rate` messages a second for `seconds` on `account` (ten writers, each its share
/// on a timer), timing each store.
async fn store_at_rate(state: &AppState, account: i64, load: Load, tag: &str) -> Vec<Duration> {
    const WRITERS: u64 = 10;
    let samples: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (db, samples, tag) = (state.db.clone(), samples.clone(), tag.to_string());
        let media = MediaStore::new(state.config.media_dir.clone());
        let period = Duration::from_micros(1_000_000 * WRITERS / load.rate.max(1));
        writers.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let end = Instant::now() + Duration::from_secs(load.seconds);
            let mut n = 0u64;
            while Instant::now() < end {
                tick.tick().await;
                n += 1;
                let from = format!("+1777{writer:02}{n:06}");
                let message = customer_message(None, &from, &tag, "hello", None);
                let start = Instant::now();
                if inbound::store(&db, &media, account, &message, None)
                    .await
                    .is_ok()
                {
                    samples.lock().unwrap().push(start.elapsed());
                }
            }
        }));
    }
    for writer in writers {
        let _ = writer.await;
    }
    let samples = samples.lock().unwrap().clone();
    samples
}

/// Loads the Channels page every 50 ms until `stop`.
fn page_probe(
    addr: std::net::SocketAddr,
    cookie: String,
    samples: Arc<Mutex<Vec<Duration>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Ok(took) = load_channels_page(addr, &cookie).await {
                samples.lock().unwrap().push(took);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

async fn phase(
    state: &AppState,
    addr: std::net::SocketAddr,
    cookie: &str,
    account: i64,
    load: Load,
    label: &str,
) {
    let pages: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let probe = page_probe(addr, cookie.to_string(), pages.clone());
    let started = Instant::now();
    let stores = store_at_rate(state, account, load, label).await;
    let took = started.elapsed().as_secs_f64();
    probe.abort();
    println!(
        "{label}: {} messages stored in {took:.1} s ({:.0}/s)",
        stores.len(),
        stores.len() as f64 / took
    );
    println!(
        "{}",
        summary(&format!("{label}, inbound message stored"), stores)
    );
    let pages = pages.lock().unwrap().clone();
    println!(
        "{}",
        summary(&format!("{label}, Channels page over HTTP"), pages)
    );
}

async fn bench(
    db: &Db,
    load: Load,
    folder: &std::path::Path,
    postgres: bool,
) -> Result<(), String> {
    let mut config = bench_config(folder)?;
    config.webhook_allow_private = true;
    let company = bench_company(db, 10).await?;
    exec(db, "INSERT INTO whatsapp_accounts (company_id, status, name, created_at, updated_at) VALUES ($1, 'connected', 'Busy', 1, 1)", &[company]).await?;
    let account = scalar(db, "SELECT MAX(id) FROM whatsapp_accounts", &[]).await?;
    let state = AppState::new(leptos_options(&config), db.clone(), config);
    let (cookie, user) = bench_sign_in(db, &state).await?;
    let addr = serve_on_loopback(&state).await?;
    println!(
        "bench-webhooks on {}: {} messages/s for {} s, the receiver answering after {} ms",
        if postgres { "PostgreSQL" } else { "SQLite" },
        load.rate,
        load.seconds,
        load.delay.as_millis()
    );

    let baseline = Load {
        seconds: load.seconds.min(10),
        ..load
    };
    phase(&state, addr, &cookie, account, baseline, "without webhooks").await;

    let (url, received) = slow_receiver(load.delay).await?;
    let endpoint = NewEndpoint {
        company_id: company,
        url: &url,
        events: &events_column(&[EventKind::MessageReceived]),
        secret: b"whsec_bench",
        sealed: false,
        by: &initiator(&user),
        now: now_ms(),
    };
    let endpoint = db::insert_endpoint(db, &endpoint, 10)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no endpoint")?;
    phase(&state, addr, &cookie, account, load, "with a slow webhook").await;
    let queued = scalar(db, "SELECT COUNT(*) FROM webhook_events", &[]).await?;
    let waiting = db::waiting(db).await.map_err(|e| e.to_string())?;
    println!(
        "webhooks: {queued} events queued, {} delivered so far, {waiting} waiting",
        *received.lock().unwrap()
    );
    db::delete_endpoint(db, company, endpoint, &initiator(&user), now_ms())
        .await
        .map_err(|e| e.to_string())?;
    phase(
        &state,
        addr,
        &cookie,
        account,
        baseline,
        "without webhooks, after",
    )
    .await;
    Ok(())
}
