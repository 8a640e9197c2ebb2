//! `aurora bench-inbox`: one company with 100 000 conversations across 3 channels (one of
//! them restricted), three messages each, and the server time of the inbox's first page
//! for an agent: with and without filters, a later page, and searches by name, number
//! and message text, rare and common (p50/p99 over repeated runs).

use std::time::Duration;

use tokio::time::Instant;

use crate::server::bench::support::{bench_user, exec, scalar, summary, BenchDatabase, SERIES};
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{companies, users, Db};
use crate::server::services::inbox::{self, ListRequest};

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
    let funnel = bench_funnel(db, company).await?;
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
    let spread = Conversations {
        company,
        funnel,
        owner: agent,
        channels: [channels[0], channels[1], channels[2]],
        count: conversations,
    };
    seed_conversations(db, &spread).await?;
    let agent = bench_user(agent, company, "Agent", false);
    Ok(Seeded {
        agent,
        funnel,
        channel: channels[1],
    })
}

/// A funnel named Sales in `company`.
pub async fn bench_funnel(db: &Db, company: i64) -> Result<i64, String> {
    exec(
        db,
        "INSERT INTO funnels (company_id, name, created_at) VALUES ($1, 'Sales', 1)",
        &[company],
    )
    .await?;
    scalar(db, "SELECT MAX(id) FROM funnels", &[]).await
}

/// `count` conversations of `company`, owned by `owner`, spread over three channels.
pub struct Conversations {
    pub company: i64,
    pub funnel: i64,
    pub owner: i64,
    pub channels: [i64; 3],
    pub count: i64,
}

/// One contact and three messages a conversation, then the planner's statistics.
pub async fn seed_conversations(db: &Db, spread: &Conversations) -> Result<(), String> {
    let Conversations {
        company,
        funnel,
        owner,
        channels,
        count,
    } = *spread;
    exec(db, &format!("{SERIES}INSERT INTO contacts (company_id, phone, name, created_at) SELECT $2, '+5730' || (10000000 + n), 'Cliente ' || n, 1 FROM seq"), &[count, company]).await?;
    // Activity times are spread so that the newest rows mix all channels.
    exec(db, "INSERT INTO conversations (company_id, account_id, contact_id, funnel_id, owner_user_id, last_message_at, created_at, last_message_text) \
         SELECT $1, CASE id % 3 WHEN 0 THEN $2 WHEN 1 THEN $3 ELSE $4 END, id, $5, $6, 1700000000000 + (id * 7919 % $7) * 1000, 1, 'Hola, mensaje ' || id \
         FROM contacts WHERE company_id = $1", &[company, channels[0], channels[1], channels[2], funnel, owner, count]).await?;
    // Three messages a conversation: a greeting shared by all (a common word), an order
    // number of its own (a rare one), and a thanks.
    for (n, text) in [
        (
            1,
            "'Hola, quisiera información del producto ' || (c.id % 50)",
        ),
        (2, "'Mi pedido es el ' || (500000 + c.id)"),
        (3, "'Gracias, quedo atento'"),
    ] {
        exec(db, &format!("INSERT INTO messages (conversation_id, account_id, direction, text, wa_message_id, sent_at, created_at) \
             SELECT c.id, c.account_id, 'inbound', {text}, 'm{n}-' || c.id, c.last_message_at - {} , 1 \
             FROM conversations c WHERE c.company_id = $1", 3 - n), &[company]).await?;
    }
    exec(
        db,
        "UPDATE conversations SET inbound_count = 3 WHERE company_id = $1",
        &[company],
    )
    .await?;
    let seeded = scalar(
        db,
        "SELECT COUNT(*) FROM conversations WHERE company_id = $1",
        &[company],
    )
    .await?;
    let messages = scalar(db, "SELECT COUNT(*) FROM messages", &[]).await?;
    println!("seeded {seeded} conversations across 3 channels, {messages} messages");
    if let Db::Sqlite(pool) = db {
        sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    } else if let Db::Postgres(pool) = db {
        // What autovacuum does to a table that has settled: without it, the first reads
        // of 300 000 fresh rows also write their hint bits, and index scans visit the heap.
        sqlx::query("VACUUM ANALYZE")
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
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
    let page = |request: ListRequest<'static>| async move {
        inbox::page(db, agent, request)
            .await
            .map(|p| p.rows.len())
            .map_err(|e| e.to_string())
    };
    let first = time(runs, || page(ListRequest::default())).await?;
    println!("{}", summary("first page (50 rows), no filter", first));
    let funnel = ListRequest {
        funnel: Some(seeded.funnel),
        ..Default::default()
    };
    let by_funnel = time(runs, || page(funnel.clone())).await?;
    println!("{}", summary("first page, funnel filter", by_funnel));
    let channel = ListRequest {
        channel: Some(seeded.channel),
        ..Default::default()
    };
    let by_channel = time(runs, || page(channel.clone())).await?;
    println!("{}", summary("first page, channel filter", by_channel));
    let mine = ListRequest {
        whose: Some("mine"),
        ..Default::default()
    };
    let by_owner = time(runs, || page(mine.clone())).await?;
    println!("{}", summary("first page, Mine", by_owner));
    // A page deep in the list: the keyset cursor starts the index scan there.
    let mut after = None;
    for _ in 0..20 {
        let request = ListRequest {
            after: after.as_deref(),
            ..Default::default()
        };
        after = inbox::page(db, agent, request)
            .await
            .map_err(|e| e.to_string())?
            .next;
    }
    let after: &'static str = Box::leak(after.unwrap_or_default().into_boxed_str());
    let deep = ListRequest {
        after: Some(after),
        ..Default::default()
    };
    let deep = time(runs, || page(deep.clone())).await?;
    println!("{}", summary("page 21 (after 1 000 rows)", deep));
    let searches = [
        (
            "search, a contact's name (\"Cliente 4242\")",
            "Cliente 4242",
        ),
        ("search, part of a number (\"1000 4242\")", "1000 4242"),
        (
            "search, one conversation's order number",
            "pedido es el 512345",
        ),
        (
            "search, a word in every conversation (\"información\")",
            "información",
        ),
        ("search, two letters (\"te\")", "te"),
    ];
    let mut all = Vec::new();
    for (label, text) in searches {
        let request = ListRequest {
            search: Some(text),
            ..Default::default()
        };
        let samples = time(runs, || page(request.clone())).await?;
        all.extend(samples.iter().copied());
        println!("{}", summary(label, samples));
    }
    println!("{}", summary("search, all of the above", all));
    Ok(())
}
