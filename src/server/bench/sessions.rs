//! `aurora bench-sessions`: N simulated accounts linking and connected at once, M live
//! stream clients over real HTTP on loopback. Reports the latency from a driver event
//! (a scan, an unlink) to each stream client, RSS per connected session, and CPU.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::domain::account::AccountStatus;
use crate::server::bench::support::{bench_company, bench_sign_in, serve_on_loopback, summary};
use crate::server::boot::config::{Config, DatabaseUrl, SimTimings, WhatsAppMode};
use crate::server::boot::state::AppState;
use crate::server::db::Db;
use crate::server::services::channels;
use crate::server::web::router::leptos_options;
use crate::views::channels::ChannelUpdate;

/// When each client first saw each account in a given status.
type Arrivals = Arc<Mutex<HashMap<(usize, i64, AccountStatus), Instant>>>;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Process CPU time (user + system) in clock ticks.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// One live-stream client: reads the chunked SSE body and notes when each update arrives.
async fn stream_client(
    addr: SocketAddr,
    cookie: String,
    client: usize,
    arrivals: Arrivals,
) -> std::io::Result<()> {
    let mut socket = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /api/channels/events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await?;
    let mut reader = BufReader::new(socket);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 || line == "\r\n" {
            break;
        }
    }
    let mut pending = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
        let mut chunk = vec![0u8; size + 2];
        reader.read_exact(&mut chunk).await?;
        let now = Instant::now();
        pending.push_str(&String::from_utf8_lossy(&chunk[..size]));
        while let Some(end) = pending.find('\n') {
            let text: String = pending.drain(..=end).collect();
            if let Some(data) = text.strip_prefix("data:") {
                if let Ok(ChannelUpdate::Upsert(view)) =
                    serde_json::from_str::<ChannelUpdate>(data.trim())
                {
                    arrivals
                        .lock()
                        .unwrap()
                        .entry((client, view.id, view.status))
                        .or_insert(now);
                }
            }
        }
    }
}

async fn wait_for(
    what: &str,
    limit: Duration,
    mut done: impl FnMut() -> bool,
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub async fn run(accounts: usize, clients: usize, probes: usize) -> Result<(), String> {
    let folder = std::env::temp_dir().join(format!("aurora-bench-{}", std::process::id()));
    let path = folder.join("bench.db");
    let database = DatabaseUrl::Sqlite {
        url: format!("sqlite://{}", path.display()),
        path,
    };
    let db = Db::connect(&database).await.map_err(|e| e.to_string())?;
    let outcome = bench(&db, accounts, clients, probes).await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&folder);
    outcome
}

async fn bench(db: &Db, accounts: usize, clients: usize, probes: usize) -> Result<(), String> {
    let mut config = Config::from_lookup(|_| None).map_err(|e| e.to_string())?;
    config.whatsapp = WhatsAppMode::Simulator;
    config.sim = SimTimings {
        first_ms: 600_000,
        next_ms: 600_000,
        count: 1,
    };
    bench_company(db, accounts as i64).await?;
    let state = AppState::new(leptos_options(&config), db.clone(), config);
    let (cookie, session) = bench_sign_in(db, &state).await?;
    let addr = serve_on_loopback(&state).await?;

    let arrivals: Arrivals = Arc::default();
    for client in 0..clients {
        tokio::spawn(stream_client(
            addr,
            cookie.clone(),
            client,
            arrivals.clone(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib();
    let sim = state.simulator.clone().ok_or("simulator missing")?;

    println!(
        "bench-sessions: {accounts} accounts, {clients} stream clients, release build, SQLite"
    );
    let cpu_start = cpu_ticks();
    let wall_start = Instant::now();
    let mut ids = Vec::with_capacity(accounts);
    for _ in 0..accounts {
        ids.push(
            channels::add(db, &state.manager, &session)
                .await
                .map_err(|e| e.to_string())?
                .id,
        );
    }
    wait_for("every QR", Duration::from_secs(120), || {
        sim.linking().len() == accounts
    })
    .await?;
    let mut scanned_at = HashMap::new();
    for (n, link) in sim.linking().into_iter().enumerate() {
        scanned_at.insert(link.account_id, Instant::now());
        sim.scan(&link.qr, &format!("+1555{n:07}"), "Bench").await;
    }
    let connected = |arrivals: &Arrivals| {
        let seen = arrivals.lock().unwrap();
        seen.keys()
            .filter(|(_, _, status)| *status == AccountStatus::Connected)
            .count()
    };
    wait_for(
        "every client to see every account connected",
        Duration::from_secs(300),
        || connected(&arrivals) >= accounts * clients,
    )
    .await?;
    let link_cpu = (cpu_ticks() - cpu_start) as f64 / 100.0;
    let link_wall = wall_start.elapsed().as_secs_f64();
    let burst: Vec<Duration> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter(|((_, _, status), _)| *status == AccountStatus::Connected)
        .filter_map(|((_, id, _), at)| scanned_at.get(id).map(|t| at.saturating_duration_since(*t)))
        .collect();
    println!(
        "{}",
        summary(
            "scan -> client, all accounts linking at once (burst)",
            burst
        )
    );
    println!("link phase: {link_wall:.1} s wall, {link_cpu:.1} s CPU");

    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_kib();
    let per_session = (rss_after.saturating_sub(rss_before)) as f64 / accounts as f64;
    println!("RSS: {rss_before} KiB before, {rss_after} KiB with {accounts} connected -> {per_session:.1} KiB per session");

    let idle_cpu_start = cpu_ticks();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_cpu = (cpu_ticks() - idle_cpu_start) as f64 / 100.0 / 5.0 * 100.0;
    println!("idle CPU with {accounts} connected sessions and {clients} clients: {idle_cpu:.1} %");

    // Steady state: one event at a time while everything else stays connected.
    let phones: HashMap<i64, String> = sim
        .phones()
        .into_iter()
        .map(|(phone, id)| (id, phone))
        .collect();
    let mut steady = Vec::new();
    for id in ids.iter().take(probes.min(accounts)) {
        let Some(phone) = phones.get(id) else {
            continue;
        };
        let start = Instant::now();
        sim.unlink(phone).await;
        let wanted = |arrivals: &Arrivals| {
            let seen = arrivals.lock().unwrap();
            (0..clients)
                .filter(|c| seen.contains_key(&(*c, *id, AccountStatus::Disconnected)))
                .count()
        };
        wait_for(
            "the unlink to reach every client",
            Duration::from_secs(10),
            || wanted(&arrivals) == clients,
        )
        .await?;
        {
            let seen = arrivals.lock().unwrap();
            steady.extend(
                (0..clients)
                    .filter_map(|c| seen.get(&(c, *id, AccountStatus::Disconnected)))
                    .map(|at| at.saturating_duration_since(start)),
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "{}",
        summary(
            &format!("unlink -> client, one at a time with {accounts} sessions up (steady)"),
            steady
        )
    );
    state.manager.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
