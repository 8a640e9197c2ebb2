//! `aurora bench-web-seed`: the company `make bench-web` loads pages of, in the database the
//! server will serve (`DATABASE_URL`). Its admin sees a Channels page of `accounts` numbers,
//! all Connected through the simulator (`AURORA_WHATSAPP=simulator` takes their stored
//! credentials on start-up), and its agent an inbox of `conversations`. Prints one sign-in
//! cookie each, for load generators that never type a password.

use std::sync::Mutex;

use crate::server::bench::inbox::{bench_funnel, seed_conversations, Conversations};
use crate::server::bench::support::{bench_company, exec, scalar};
use crate::server::db::{now_ms, Db};
use crate::server::services::identity::{create_user, sign_in, NewUser, SignIn};

const PASSWORD: &str = "bench password";

pub async fn seed(db: &Db, accounts: i64, conversations: i64) -> Result<(), String> {
    if !(3..=1_000).contains(&accounts) {
        return Err("--accounts: from 3 to 1000".into());
    }
    // Room for the accounts a browser benchmark adds (each Add is one more).
    let company = bench_company(db, accounts + 50).await?;
    let admin = scalar(db, "SELECT MAX(id) FROM users", &[]).await?;
    let agent = NewUser {
        company_id: company,
        email: "agent@bench.test",
        display_name: "Agent",
        password: PASSWORD,
        global_admin: false,
        channels_admin: false,
    };
    let agent = create_user(db, agent).await.map_err(|e| e.to_string())?;
    let funnel = bench_funnel(db, company).await?;
    for n in 1..=accounts {
        let phone = format!("+5511977{n:06}");
        exec(
            db,
            &format!(
                "INSERT INTO whatsapp_accounts (company_id, status, name, phone, linked_phone, business_name, \
                 cellphone_user_id, funnel_id, owner_user_id, ever_linked, credentials, created_at, updated_at) \
                 VALUES ($1, 'connected', 'Channel {n}', '{phone}', '{phone}', 'Loja {n}', $2, $3, $4, TRUE, \
                 'sim1|{phone}|bench-device-{n}', $5, $5)"
            ),
            &[company, admin, funnel, agent, now_ms()],
        )
        .await?;
    }
    let first = scalar(
        db,
        "SELECT MIN(id) FROM whatsapp_accounts WHERE company_id = $1",
        &[company],
    )
    .await?;
    let spread = Conversations {
        company,
        funnel,
        owner: agent,
        channels: [first, first + 1, first + 2],
        count: conversations,
    };
    seed_conversations(db, &spread).await?;
    println!("seeded {accounts} connected accounts");
    let limiter = Mutex::default();
    for (who, email) in [("admin", "bench@bench.test"), ("agent", "agent@bench.test")] {
        let attempt = SignIn {
            email,
            password: PASSWORD,
            client: "bench",
            previous_token: None,
        };
        let token = sign_in(db, &limiter, attempt, now_ms())
            .await
            .map_err(|e| e.to_string())?;
        println!("{who}_token={token}");
    }
    Ok(())
}
