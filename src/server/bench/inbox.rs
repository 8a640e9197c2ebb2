//! `aurora bench-inbox`: one company with 100 000 conversations across 3 channels (one of
//! them restricted), and the server time of the inbox's first page for an agent, with
//! and without filters, and of a later page (p50/p99 over repeated runs).

use std::time::Duration;

use tokio::time::Instant;

use crate::server::bench::support::{exec, scalar, summary, BenchDatabase, SERIES};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{companies, users, Db};
use crate::server::services::inbox;

pub async fn run(conversations: i64, runs: usize, postgres: Option<String>) -> Result<(), String> {
    let bench_db = BenchDatabase::open("bench-inbox", postgres.as_deref()).await?;
    let outcome = bench(&bench_db.db, conversations, runs).await;
    bench_db.close().await;
    outcome
}

struct Seeded {
    agent: SignedInUser,
    funnel: i64,
    channel: i64,
}

/// Channels 1 and 2 are open to everyone; channel 3 is restricted to someone else, so
/// the agent's inbox skips a third of the rows.
async fn seed(db: &Db, conversations: i64) -> Result<Seeded, String> {
    let error = |e: sqlx::Error| e.to_string();
    let company = companies::insert(db, "Bench", true, 10)
        .await
        .map_err(error)?;
    let user = |email, display_name| users::NewUser {
        company_id: company,
        email,
        display_name,
        password_hash: "x",
        global_admin: false,
        channels_admin: false,
    };
    let agent = users::insert(db, &user("agent@bench.test", "Agent"))
        .await
        .map_err(error)?;
    let other = users::insert(db, &user("other@bench.test", "Other"))
        .await
        .map_err(error)?;
    exec(
        db,
        "INSERT INTO funnels (company_id, name, created_at) VALUES ($1, 'Sales', 1)",
        &[company],
    )
    .await?;
    let funnel = scalar(db, "SELECT MAX(id) FROM funnels", &[]).await?;
    let mut channels = Vec::new();
    for n in 1..=3 {
        exec(db, &format!("INSERT INTO whatsapp_accounts (company_id, status, name, funnel_id, owner_user_id, created_at, updated_at) VALUES ($1, 'connected', 'Channel {n}', $2, $3, 1, 1)"), &[company, funnel, agent]).await?;
        channels.push(scalar(db, "SELECT MAX(id) FROM whatsapp_accounts", &[]).await?);
    }
    exec(
        db,
        "INSERT INTO account_restricted_users (account_id, user_id) VALUES ($1, $2)",
        &[channels[2], other],
    )
    .await?;
    exec(db, &format!("{SERIES}INSERT INTO contacts (company_id, phone, name, created_at) SELECT $2, '+5730' || (10000000 + n), 'Cliente ' || n, 1 FROM seq"), &[conversations, company]).await?;
    // Activity times are spread so that the newest rows mix all channels.
    exec(db, "INSERT INTO conversations (company_id, account_id, contact_id, funnel_id, owner_user_id, last_message_at, created_at, last_message_text) \
         SELECT $1, CASE id % 3 WHEN 0 THEN $2 WHEN 1 THEN $3 ELSE $4 END, id, $5, $6, 1700000000000 + (id * 7919 % $7) * 1000, 1, 'Hola, mensaje ' || id \
         FROM contacts WHERE company_id = $1", &[company, channels[0], channels[1], channels[2], funnel, agent, conversations]).await?;
    let seeded = scalar(
        db,
        "SELECT COUNT(*) FROM conversations WHERE company_id = $1",
        &[company],
    )
    .await?;
    println!("seeded {seeded} conversations across 3 channels (one restricted to another user)");
    if let Db::Sqlite(pool) = db {
        sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    } else if let Db::Postgres(pool) = db {
        sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    }
    let agent = SignedInUser {
        user_id: agent,
        company_id: company,
        email: "agent@bench.test".into(),
        display_name: "Agent".into(),
        global_admin: false,
        channels_admin: false,
        company_name: "Bench".into(),
        subscription_active: true,
        signed_in_at: 0,
        last_seen_at: 0,
    };
    Ok(Seeded {
        agent,
        funnel,
        channel: channels[1],
    })
}

async fn time<F, Fut>(runs: usize, mut call: F) -> Result<Vec<Duration>, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize, String>>,
{
    // Warm-up: the first calls prepare statements and fill caches.
    for _ in 0..5 {
        call().await?;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let rows = call().await?;
        samples.push(started.elapsed());
        if rows == 0 {
            return Err("a page came back empty".into());
        }
    }
    Ok(samples)
}

async fn bench(db: &Db, conversations: i64, runs: usize) -> Result<(), String> {
    let seeded = seed(db, conversations).await?;
    let agent = &seeded.agent;
    let page = |funnel: Option<i64>, channel: Option<i64>, after: Option<String>| async move {
        inbox::page(db, agent, funnel, channel, after.as_deref())
            .await
            .map(|p| p.rows.len())
            .map_err(|e| e.to_string())
    };
    let first = time(runs, || page(None, None, None)).await?;
    println!("{}", summary("first page (50 rows), no filter", first));
    let by_funnel = time(runs, || page(Some(seeded.funnel), None, None)).await?;
    println!("{}", summary("first page, funnel filter", by_funnel));
    let by_channel = time(runs, || page(None, Some(seeded.channel), None)).await?;
    println!("{}", summary("first page, channel filter", by_channel));
    // A page deep in the list: the keyset cursor starts the index scan there.
    let mut after = None;
    for _ in 0..20 {
        after = inbox::page(db, agent, None, None, after.as_deref())
            .await
            .map_err(|e| e.to_string())?
            .next;
    }
    let deep = time(runs, || page(None, None, after.clone())).await?;
    println!("{}", summary("page 21 (after 1 000 rows)", deep));
    Ok(())
}
