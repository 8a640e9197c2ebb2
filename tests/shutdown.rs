//! SIGTERM on a real server process (SQLite, the simulator): every background task stops
//! within 5 s and nothing is lost. A Delete in progress when the signal comes stops between
//! two batches, is still there after the stop, and finishes at the next start.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aurora::server::bench::support::{exec, scalar, SERIES};
use aurora::server::boot::config::DatabaseUrl;
use aurora::server::db::account_lifecycle::{begin_deletion, DeletionJob};
use aurora::server::db::audit::Initiator;
use aurora::server::db::{account_data, account_deletion, now_ms, Db};
use aurora::server::services::identity::{create_company, create_user, NewUser};

/// Enough rows that the Delete takes seconds (2 000 per batch), so the signal finds it busy.
const MESSAGES: i64 = 300_000;

struct Server {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(database_url: &str, folder: &std::path::Path) -> Server {
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_aurora"))
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", address.to_string())
            .env("LEPTOS_SITE_ROOT", folder)
            .env("AURORA_MEDIA_DIR", folder.join("media"))
            .env("AURORA_WHATSAPP", "simulator")
            .env("RUST_LOG", "info,sqlx=warn")
            .env_remove("AURORA_DEMO")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the server starts");
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let lines = BufReader::new(child.stderr.take().unwrap());
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let server = Server { child, log };
        server.wait_for_log("serving on", Duration::from_secs(30));
        server
    }

    fn wait_for_log(&self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.logged(text) {
            assert!(
                Instant::now() < deadline,
                "the server did not log {text:?} within {within:?}; its log:\n{}",
                self.log.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn logged(&self, text: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(text))
    }

    /// Sends SIGTERM and returns how long the process took to exit.
    fn terminate(&mut self) -> Duration {
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the server exited with {status}");
                return sent.elapsed();
            }
            if sent.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                panic!("the server was still running 20 s after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A company with one Disabled account holding `MESSAGES` messages, whose Delete has just
/// been confirmed (the job row a server's worker picks up at start).
async fn confirmed_delete(db: &Db) -> i64 {
    let company = create_company(db, "Shutdown", true, 5).await.unwrap();
    let admin = NewUser {
        company_id: company,
        email: "admin@shutdown.test",
        display_name: "Admin",
        password: "a long password",
        global_admin: true,
        channels_admin: true,
    };
    let admin = create_user(db, admin).await.unwrap();
    exec(db, "INSERT INTO whatsapp_accounts (company_id, status, name, created_at, updated_at) VALUES ($1, 'disabled', 'Big', 1, 1)", &[company]).await.unwrap();
    let account = scalar(db, "SELECT MAX(id) FROM whatsapp_accounts", &[])
        .await
        .unwrap();
    exec(db, "INSERT INTO contacts (company_id, phone, name, created_at) VALUES ($1, '+15550001', 'Eva', 1)", &[company]).await.unwrap();
    let contact = scalar(db, "SELECT MAX(id) FROM contacts", &[])
        .await
        .unwrap();
    exec(
        db,
        "INSERT INTO contact_channels (contact_id, account_id) VALUES ($1, $2)",
        &[contact, account],
    )
    .await
    .unwrap();
    exec(db, "INSERT INTO conversations (company_id, account_id, contact_id, last_message_at, created_at) VALUES ($1, $2, $3, 1, 1)", &[company, account, contact]).await.unwrap();
    let conversation = scalar(db, "SELECT MAX(id) FROM conversations", &[])
        .await
        .unwrap();
    exec(db, &format!("{SERIES}INSERT INTO messages (conversation_id, account_id, direction, text, wa_message_id, sent_at, created_at) SELECT $2, $3, 'inbound', 'message ' || n, 'm' || n, n, n FROM seq"), &[MESSAGES, conversation, account]).await.unwrap();
    let job = DeletionJob {
        account_id: account,
        company_id: company,
        account_name: "Big".into(),
        requested_by: admin,
        requested_by_name: "Admin".into(),
        requested_at: now_ms(),
        counts: account_data::counts(db, account).await.unwrap(),
    };
    let initiator = Initiator {
        user_id: admin,
        name: "Admin".into(),
        address: "127.0.0.1".into(),
    };
    assert!(begin_deletion(db, &job, &initiator).await.unwrap());
    account
}

async fn messages_left(db: &Db, account: i64) -> i64 {
    scalar(
        db,
        "SELECT COUNT(*) FROM messages WHERE account_id = $1",
        &[account],
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_every_task_within_5_s_and_a_delete_in_progress_resumes() {
    let folder = std::env::temp_dir().join(format!("aurora-shutdown-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("aurora.db");
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&DatabaseUrl::Sqlite {
        url: url.clone(),
        path: path.clone(),
    })
    .await
    .unwrap();
    let account = confirmed_delete(&db).await;

    let mut server = Server::start(&url, &folder);
    let started = Instant::now();
    while messages_left(&db, account).await == MESSAGES {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the Delete never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = server.terminate();
    println!("SIGTERM with a Delete in progress: the server exited after {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        server.logged("stopped: every background task ended"),
        "some task had to be aborted; the log:\n{}",
        server.log.lock().unwrap().join("\n")
    );
    let left = messages_left(&db, account).await;
    assert!(
        left > 0,
        "the Delete finished before the signal: make it bigger"
    );
    let pending = account_deletion::pending(&db).await.unwrap();
    assert_eq!(pending.len(), 1, "the job is kept for the next start");
    drop(server);

    let mut server = Server::start(&url, &folder);
    let started = Instant::now();
    while !account_deletion::pending(&db).await.unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the Delete did not resume"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(messages_left(&db, account).await, 0);
    let rows = scalar(
        &db,
        "SELECT COUNT(*) FROM whatsapp_accounts WHERE id = $1",
        &[account],
    )
    .await
    .unwrap();
    assert_eq!(rows, 0, "the account is gone once its Delete finished");
    let took = server.terminate();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    db.close().await;
    let _ = std::fs::remove_dir_all(&folder);
}
