//! `aurora bench-delete`: fills one channel with a lot of data, deletes it through the real
//! worker while another channel keeps receiving messages and an admin keeps loading the
//! Channels page over HTTP, and reports the delete's duration and both latencies (p50/p99),
//! with a baseline of the same probes taken just before.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::server::bench::support::{
    bench_company, bench_config, bench_sign_in, exec, load_channels_page, scalar,
    serve_on_loopback, summary, BenchDatabase, SERIES,
};
use crate::server::boot::state::AppState;
use crate::server::db::{account_deletion, Db};
use crate::server::drivers::simulator::customer_message;
use crate::server::media::MediaStore;
use crate::server::services::lifecycle;
use crate::server::sessions::inbound;
use crate::server::web::router::leptos_options;

#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub messages: i64,
    pub contacts: i64,
    pub scheduled: i64,
    pub media: i64,
}

/// `postgres`: a server URL; a database is created on it for the run and dropped after.
pub async fn run(volume: Volume, postgres: Option<String>) -> Result<(), String> {
    let bench_db = BenchDatabase::open("bench-delete", postgres.as_deref()).await?;
    let outcome = bench(
        &bench_db.db,
        volume,
        &bench_db.folder,
        bench_db.is_postgres(),
    )
    .await;
    bench_db.close().await;
    outcome
}

/// Channel A (to delete) gets the volume; 10 % of its contacts also talk to channel B.
async fn seed(
    db: &Db,
    company: i64,
    a: i64,
    b: i64,
    volume: Volume,
    media_root: &std::path::Path,
) -> Result<(), String> {
    let v = volume;
    exec(db, &format!("{SERIES}INSERT INTO contacts (company_id, phone, name, created_at) SELECT $2, '+1555' || n, 'Contact ' || n, 1 FROM seq"), &[v.contacts, company]).await?;
    exec(db, "INSERT INTO contact_channels (contact_id, account_id) SELECT id, $1 FROM contacts WHERE company_id = $2", &[a, company]).await?;
    exec(db, "INSERT INTO contact_channels (contact_id, account_id) SELECT id, $1 FROM contacts WHERE company_id = $2 AND (id % 10) = 0", &[b, company]).await?;
    exec(db, "INSERT INTO conversations (company_id, account_id, contact_id, last_message_at, created_at) SELECT $1, $2, id, 1, 1 FROM contacts WHERE company_id = $1", &[company, a]).await?;
    exec(db, "INSERT INTO conversations (company_id, account_id, contact_id, last_message_at, created_at) SELECT $1, $2, id, 1, 1 FROM contacts WHERE company_id = $1 AND (id % 10) = 0", &[company, b]).await?;
    let first_conversation = scalar(
        db,
        "SELECT MIN(id) FROM conversations WHERE account_id = $1",
        &[a],
    )
    .await?;
    exec(db, &format!("{SERIES}INSERT INTO messages (conversation_id, account_id, direction, text, wa_message_id, sent_at, created_at) SELECT $2 + (n % $3), $4, 'inbound', 'message number ' || n, 'm' || n, n, n FROM seq"), &[v.messages, first_conversation, v.contacts, a]).await?;
    exec(db, &format!("{SERIES}INSERT INTO scheduled_messages (conversation_id, account_id, text, send_at, status, created_at) SELECT $2 + (n % $3), $4, 'later', n, 'pending', 1 FROM seq"), &[v.scheduled, first_conversation, v.contacts, a]).await?;
    let folder = media_root.join(company.to_string()).join(a.to_string());
    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    for n in 0..v.media {
        std::fs::write(folder.join(format!("f{n}.bin")), [7u8; 256]).map_err(|e| e.to_string())?;
    }
    exec(db, &format!("{SERIES}INSERT INTO media_files (company_id, account_id, path, filename, content_type, size_bytes, created_at) SELECT $2, $3, '{company}/{a}/f' || (n - 1) || '.bin', 'f.bin', 'application/octet-stream', 256, 1 FROM seq"), &[v.media, company, a]).await?;
    Ok(())
}

type Samples = Arc<Mutex<(Vec<Duration>, Vec<Duration>)>>;

/// Every 50 ms: one Channels page load and one inbound message stored on channel B.
fn spawn_probes(
    state: AppState,
    addr: SocketAddr,
    cookie: String,
    b: i64,
    samples: Samples,
) -> tokio::task::JoinHandle<()> {
    let media = MediaStore::new(state.config.media_dir.clone());
    tokio::spawn(async move {
        let mut n = 0u64;
        loop {
            n += 1;
            if let Ok(page) = load_channels_page(addr, &cookie).await {
                samples.lock().unwrap().0.push(page);
            }
            let message = customer_message(None, &format!("+1666{n:07}"), "Probe", "hello", None);
            let start = Instant::now();
            if inbound::store(&state.db, &media, b, &message, None)
                .await
                .is_ok()
            {
                samples.lock().unwrap().1.push(start.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

async fn bench(
    db: &Db,
    volume: Volume,
    folder: &std::path::Path,
    postgres: bool,
) -> Result<(), String> {
    let config = bench_config(folder)?;
    let company = bench_company(db, 10).await?;
    let mut ids = Vec::new();
    for _ in 0..2 {
        exec(db, "INSERT INTO whatsapp_accounts (company_id, status, name, created_at, updated_at) VALUES ($1, 'disconnected', 'x', 1, 1)", &[company]).await?;
        ids.push(scalar(db, "SELECT MAX(id) FROM whatsapp_accounts", &[]).await?);
    }
    let (a, b) = (ids[0], ids[1]);
    exec(
        db,
        "UPDATE whatsapp_accounts SET name = 'Big' WHERE id = $1",
        &[a],
    )
    .await?;
    exec(
        db,
        "UPDATE whatsapp_accounts SET name = 'Other', status = 'connected' WHERE id = $1",
        &[b],
    )
    .await?;

    let seeding = Instant::now();
    seed(db, company, a, b, volume, &config.media_dir).await?;
    println!(
        "bench-delete on {}: seeded {} messages, {} contacts ({} shared), {} scheduled, {} media files in {:.1} s",
        if postgres { "PostgreSQL" } else { "SQLite" },
        volume.messages,
        volume.contacts,
        volume.contacts / 10,
        volume.scheduled,
        volume.media,
        seeding.elapsed().as_secs_f64()
    );

    let state = AppState::new(leptos_options(&config), db.clone(), config);
    let (cookie, user) = bench_sign_in(db, &state).await?;
    let addr = serve_on_loopback(&state).await?;

    let baseline: Samples = Arc::default();
    let probes = spawn_probes(state.clone(), addr, cookie.clone(), b, baseline.clone());
    tokio::time::sleep(Duration::from_secs(5)).await;
    probes.abort();
    let (pages, stores) = baseline.lock().unwrap().clone();
    println!("{}", summary("baseline, Channels page over HTTP", pages));
    println!(
        "{}",
        summary(
            "baseline, inbound message stored on another channel",
            stores
        )
    );

    lifecycle::disable(db, &state.manager, &user, a)
        .await
        .map_err(|e| e.to_string())?;
    let during: Samples = Arc::default();
    let probes = spawn_probes(state.clone(), addr, cookie, b, during.clone());
    let started = Instant::now();
    lifecycle::delete(db, &state.manager, &state.deletion, &user, a, "Big")
        .await
        .map_err(|e| e.to_string())?;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if account_deletion::pending(db)
            .await
            .map_err(|e| e.to_string())?
            .is_empty()
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            return Err("the delete took more than 30 minutes".into());
        }
    }
    let took = started.elapsed();
    probes.abort();
    let (pages, stores) = during.lock().unwrap().clone();
    println!("delete: {:.1} s", took.as_secs_f64());
    println!(
        "{}",
        summary("during the delete, Channels page over HTTP", pages)
    );
    println!(
        "{}",
        summary(
            "during the delete, inbound message stored on another channel",
            stores
        )
    );
    let left = scalar(
        db,
        "SELECT COUNT(*) FROM messages WHERE account_id = $1",
        &[a],
    )
    .await?;
    let kept = scalar(
        db,
        "SELECT COUNT(*) FROM contacts WHERE company_id = $1",
        &[company],
    )
    .await?;
    println!(
        "left of the deleted channel: {left} messages; contacts kept (shared or probes): {kept}"
    );
    state.manager.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
