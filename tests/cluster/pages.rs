//! Pages open on every server: a change on any server reaches its company's pages on all
//! of them, quickly, and never another company's; a cut listener makes every page resync;
//! Disconnect clicked on a server that does not hold the session closes it at once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::support::web::{card, is_resync, request, sign_in, Page};
use crate::support::*;

const EVENTS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_streams_each_company_its_own_changes() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let database = TestDatabase::create("pages").await;
    let db = database.db().await;
    let (north, north_accounts) = seed_company(&db, "Norte", "admin@norte.test", 30).await;
    let (south, south_accounts) = seed_company(&db, "Sur", "admin@sur.test", 30).await;
    db.close().await;
    let all: Vec<i64> = north_accounts
        .iter()
        .chain(&south_accounts)
        .copied()
        .collect();
    let company_of: HashMap<i64, i64> = north_accounts
        .iter()
        .map(|a| (*a, north))
        .chain(south_accounts.iter().map(|a| (*a, south)))
        .collect();
    let sim = free_address();
    let _sim = spawn_sim(&sim);
    let nodes = spawn_nodes(3, &database.url, &sim);
    settle(&sim, &all, Duration::from_secs(60), 0, |_| true).await;

    let addresses: Vec<String> = nodes.keys().cloned().collect();
    let cookies = [
        (north, sign_in(&addresses[0], "admin@norte.test").await),
        (south, sign_in(&addresses[1], "admin@sur.test").await),
    ];
    let mut pages = Vec::new();
    for address in &addresses {
        for (company, cookie) in &cookies {
            pages.push((*company, address.clone(), Page::open(address, cookie).await));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 1 000 account changes written as a fourth server would write them: each is announced
    // by the transaction that makes it (the trigger), and the clock starts before it.
    let mut db = database.connect().await;
    let mut sent = Vec::with_capacity(EVENTS);
    for n in 0..EVENTS {
        let account = all[n % all.len()];
        let name = format!("event {n}");
        let at = Instant::now();
        sqlx::query("UPDATE whatsapp_accounts SET name = $2 WHERE id = $1")
            .bind(account)
            .bind(&name)
            .execute(&mut db)
            .await
            .unwrap();
        sent.push((name, company_of[&account], at));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut delays = Vec::new();
    for (company, address, page) in &pages {
        let heard = page.updates();
        let mut arrived: HashMap<String, Instant> = HashMap::new();
        for (at, update) in &heard {
            let Some(card) = card(update) else { continue };
            let id = card["id"].as_i64().unwrap();
            assert_eq!(
                company_of.get(&id),
                Some(company),
                "a page of company {company} on {address} was sent account {id} of another"
            );
            if let Some(name) = card["name"].as_str() {
                arrived.entry(name.to_string()).or_insert(*at);
            }
        }
        for (name, of, at) in sent.iter().filter(|(_, of, _)| of == company) {
            let heard_at = arrived
                .get(name)
                .unwrap_or_else(|| panic!("{name} of company {of} never reached {address}"));
            delays.push(heard_at.saturating_duration_since(*at).as_secs_f64());
        }
    }
    println!(
        "{EVENTS} changes, 6 pages on 3 servers, {} deliveries: {}",
        delays.len(),
        summary(delays.clone(), "ms", 1000.0)
    );
    delays.sort_by(f64::total_cmp);
    assert!(percentile(&delays, 0.99) < 0.2, "p99 delivery over 200 ms");

    listeners_cut_make_every_page_resync(&mut db, &pages, &cookies).await;
    let north_admin = (north, cookies[0].1.as_str());
    disconnect_on_a_server_without_the_session(
        &sim,
        &addresses,
        north_admin,
        &north_accounts,
        &pages,
    )
    .await;
}

/// The listeners' connections are killed and every account renamed at once, so their
/// notices go to no one: every page is told to resync, and a page that then reads the
/// list, as the browser does, shows what the database has.
async fn listeners_cut_make_every_page_resync(
    db: &mut sqlx::PgConnection,
    pages: &[(i64, String, Page)],
    cookies: &[(i64, String)],
) {
    let before: Vec<usize> = pages.iter().map(|(_, _, p)| p.updates().len()).collect();
    // A listener may be between two connections (it pings after 5 s of quiet and
    // reconnects a lost one): cut them when all three are connected.
    let mut listening = 0;
    for _ in 0..100 {
        listening = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE application_name = 'aurora-listener' AND datname = current_database()",
        )
        .fetch_one(&mut *db)
        .await
        .unwrap();
        if listening == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listening, 3, "one listener per server");
    let cut = Instant::now();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'aurora-listener' AND datname = current_database()",
    )
    .fetch_all(&mut *db)
    .await
    .unwrap();
    assert_eq!(killed.len(), 3, "one listener per server");
    sqlx::query("UPDATE whatsapp_accounts SET name = 'while unheard ' || id")
        .execute(&mut *db)
        .await
        .unwrap();
    let mut resynced = Vec::new();
    for ((_, address, page), seen) in pages.iter().zip(before) {
        loop {
            let heard = page.updates();
            if let Some((at, _)) = heard[seen..].iter().find(|(_, u)| is_resync(u)) {
                resynced.push(at.saturating_duration_since(cut).as_secs_f64());
                break;
            }
            assert!(
                cut.elapsed() < Duration::from_secs(6),
                "the page on {address} was not told to resync within 6 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    println!(
        "listeners cut: every page told to resync, {}",
        summary(resynced, "s", 1.0)
    );

    let names: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT id, company_id, name FROM whatsapp_accounts ORDER BY id")
            .fetch_all(&mut *db)
            .await
            .unwrap();
    for (company, address, _) in pages {
        let cookie = &cookies.iter().find(|(c, _)| c == company).unwrap().1;
        let (status, body) = request(address, "POST", "/api/channels_page", "", Some(cookie))
            .await
            .unwrap();
        assert_eq!(status, 200, "{body}");
        let overview: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut shown: Vec<(i64, String)> = overview["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|card| {
                let id = card["id"].as_i64().unwrap();
                (id, card["name"].as_str().unwrap().to_string())
            })
            .collect();
        shown.sort();
        let expected: Vec<(i64, String)> = names
            .iter()
            .filter(|(_, of, _)| of == company)
            .map(|(id, _, name)| (*id, name.clone()))
            .collect();
        assert_eq!(shown, expected, "the page on {address} after its resync");
    }
    println!(
        "listeners cut, {} accounts renamed unheard: every page's list after its resync equals the database",
        names.len()
    );
}

async fn disconnect_on_a_server_without_the_session(
    sim: &str,
    addresses: &[String],
    (company, cookie): (i64, &str),
    accounts: &[i64],
    pages: &[(i64, String, Page)],
) {
    let report = connections(sim).await.unwrap();
    let (holder, _) = holders(&report);
    let account = accounts[0];
    let elsewhere = addresses.iter().find(|a| **a != holder[&account]).unwrap();
    let clicked = Instant::now();
    let (status, body) = request(
        elsewhere,
        "POST",
        "/api/disconnect_account",
        &format!("id={account}"),
        Some(cookie),
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    loop {
        let report = connections(sim).await.unwrap();
        if !holders(&report).0.contains_key(&account) {
            break;
        }
        assert!(
            clicked.elapsed() < Duration::from_secs(1),
            "socket still open after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let closed = clicked.elapsed();
    println!("Disconnect on a server without the session: socket closed after {closed:?}");
    let report = connections(sim).await.unwrap();
    assert_eq!(conflicts(&report), 0, "no second connection was opened");

    // Every page of the company, on every server, shows it Disconnected.
    for (_, address, page) in pages.iter().filter(|(of, _, _)| *of == company) {
        loop {
            let shown = page.updates().iter().rev().find_map(|(_, u)| {
                card(u)
                    .filter(|c| c["id"] == account)
                    .map(|c| c["status"].clone())
            });
            if shown.as_ref().and_then(|s| s.as_str()) == Some("Disconnected") {
                break;
            }
            assert!(
                clicked.elapsed() < Duration::from_secs(5),
                "the page on {address} still shows {shown:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
