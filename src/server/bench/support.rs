//! What the benchmarks share: a throwaway database (SQLite file, or a PostgreSQL database
//! created for the run and dropped after), bulk SQL, and percentile summaries.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sqlx::{Connection, PgConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::boot::config::DatabaseUrl;
use crate::server::boot::state::AppState;
use crate::server::db::now_ms;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{on_pool, Db};
use crate::server::services::identity::{
    create_company, create_user, resume_sign_in, sign_in, NewUser, SignIn,
};
use crate::server::web::router::router;

/// `n` from 1 to `$1`, for bulk inserts on both engines.
pub const SERIES: &str =
    "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) ";

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The sample at quantile `p` of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub fn summary(label: &str, mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "{label}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.99)),
        ms(samples.last().copied().unwrap_or_default())
    )
}

pub async fn exec(db: &Db, sql: &str, binds: &[i64]) -> Result<(), String> {
    on_pool!(db, pool => {
        let mut query = sqlx::query(sql);
        for b in binds {
            query = query.bind(*b);
        }
        query.execute(pool).await.map(|_| ())
    })
    .map_err(|e| format!("{e}: {sql}"))
}

pub async fn scalar(db: &Db, sql: &str, binds: &[i64]) -> Result<i64, String> {
    on_pool!(db, pool => {
        let mut query = sqlx::query_scalar(sql);
        for b in binds {
            query = query.bind(*b);
        }
        query.fetch_one(pool).await
    })
    .map_err(|e| format!("{e}: {sql}"))
}

/// A database for one benchmark run.
pub struct BenchDatabase {
    pub db: Db,
    /// A scratch folder (the SQLite file, media), removed at the end.
    pub folder: PathBuf,
    name: String,
    admin: Option<PgConnection>,
}

impl BenchDatabase {
    /// `postgres`: a server URL; a database is created on it for the run. SQLite otherwise.
    pub async fn open(label: &str, postgres: Option<&str>) -> Result<BenchDatabase, String> {
        let folder = std::env::temp_dir().join(format!("aurora-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
        let name = format!("aurora_{}_{}", label.replace('-', "_"), std::process::id());
        let (database, admin) = match postgres {
            Some(url) => {
                let mut admin = PgConnection::connect(url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .map_err(|e| e.to_string())?;
                let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
                (DatabaseUrl::Postgres(format!("{base}/{name}")), Some(admin))
            }
            None => {
                let path = folder.join("bench.db");
                let url = format!("sqlite://{}", path.display());
                (DatabaseUrl::Sqlite { url, path }, None)
            }
        };
        let db = Db::connect(&database).await.map_err(|e| e.to_string())?;
        Ok(BenchDatabase {
            db,
            folder,
            name,
            admin,
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.admin.is_some()
    }

    pub async fn close(self) {
        self.db.close().await;
        if let Some(mut admin) = self.admin {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await;
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// The company every benchmark works in, with its admin `bench@bench.test` (global and
/// channels admin, password "bench password").
pub async fn bench_company(db: &Db, channel_limit: i64) -> Result<i64, String> {
    let company = create_company(db, "Bench", true, channel_limit)
        .await
        .map_err(|e| e.to_string())?;
    let admin = NewUser {
        company_id: company,
        email: "bench@bench.test",
        display_name: "Bench",
        password: "bench password",
        global_admin: true,
        channels_admin: true,
    };
    create_user(db, admin).await.map_err(|e| e.to_string())?;
    Ok(company)
}

/// Signs the bench admin in: the cookie a browser would send, and who it is.
/// A person of the bench company, as a signed-in request would carry them.
pub fn bench_user(user_id: i64, company_id: i64, name: &str, admin: bool) -> SignedInUser {
    SignedInUser {
        user_id,
        company_id,
        email: format!("{}@bench.test", name.to_ascii_lowercase()),
        display_name: name.into(),
        global_admin: admin,
        channels_admin: admin,
        company_name: "Bench".into(),
        subscription_active: true,
        signed_in_at: 0,
        last_seen_at: 0,
        language: None,
        company_language: None,
        address: "127.0.0.1".into(),
    }
}

pub async fn bench_sign_in(db: &Db, state: &AppState) -> Result<(String, SignedInUser), String> {
    let attempt = SignIn {
        email: "bench@bench.test",
        password: "bench password",
        client: "bench",
        previous_token: None,
    };
    let token = sign_in(db, &state.login_limiter, attempt, now_ms())
        .await
        .map_err(|e| e.to_string())?;
    let user = resume_sign_in(db, &token, now_ms())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no sign-in")?;
    Ok((format!("aurora_session={token}"), user))
}

/// Serves the whole app for `state` on a free loopback port; answers its address.
pub async fn serve_on_loopback(state: &AppState) -> Result<SocketAddr, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// Writes one raw HTTP/1.1 request (with `Connection: close`) and reads the whole answer.
pub async fn exchange(stream: &mut TcpStream, raw: &str) -> Result<Vec<u8>, String> {
    stream
        .write_all(raw.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| e.to_string())?;
    Ok(response)
}

/// One HTTP/1.1 request on a fresh connection, as a browser's page load would make.
pub async fn load_channels_page(addr: SocketAddr, cookie: &str) -> Result<Duration, String> {
    let start = tokio::time::Instant::now();
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let request = format!(
        "POST /api/channels_page HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let response = exchange(&mut stream, &request).await?;
    if !response.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "channels page: {}",
            String::from_utf8_lossy(&response[..response.len().min(80)])
        ));
    }
    Ok(start.elapsed())
}

/// The configuration a benchmark's in-process server runs with: the simulator, and media in
/// the run's `folder`.
pub fn bench_config(
    folder: &std::path::Path,
) -> Result<crate::server::boot::config::Config, String> {
    use crate::server::boot::config::{Config, WhatsAppMode};
    let mut config = Config::from_lookup(|_| None).map_err(|e| e.to_string())?;
    config.whatsapp = WhatsAppMode::Simulator;
    config.media_dir = folder.join("media");
    Ok(config)
}
