//! The live driver against local servers that stand in for WhatsApp and misbehave:
//! every way a connection can fail before WhatsApp answers must reach the actor as
//! "unreachable", quickly, with a reason. (A server that speaks the real protocol is
//! out of reach here: the Noise handshake needs WhatsApp's certificate chain.)

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::server::db::key_rows::{KeyRow, KeyRows};
use crate::server::db::{accounts, companies, testing::with_db};

async fn account(db: &Db) -> i64 {
    let company = companies::insert(db, "Live", true, 10).await.unwrap();
    accounts::insert_within_limit(db, company, 10, None, 1)
        .await
        .unwrap()
        .unwrap()
}

fn driver(db: &Db, url: String) -> LiveDriver {
    LiveDriver::new(
        db.clone(),
        LiveOptions {
            url: Some(url),
            version: Some((2, 3000, 1_027_000_000)),
            connect_timeout: Duration::from_secs(1),
            ..Default::default()
        },
    )
}

/// The first event of a connection, and that its stream then ends.
async fn unreachable_reason(driver: &LiveDriver, account: i64) -> String {
    let (events, mut received) = mpsc::channel(16);
    let connection = driver.open(account, None, events).await.expect("opens");
    let first = tokio::time::timeout(Duration::from_secs(8), received.recv())
        .await
        .expect("an event within 8 s");
    let reason = match first {
        Some(DriverEvent::Unreachable(reason)) => reason,
        other => panic!("expected Unreachable, got {other:?}"),
    };
    let ended = tokio::time::timeout(Duration::from_secs(8), received.recv())
        .await
        .expect("the connection ends");
    assert_eq!(ended, None, "nothing follows an unreachable attempt");
    drop(connection);
    reason
}

async fn local_server() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws/chat", listener.local_addr().unwrap());
    (listener, url)
}

/// Reads the upgrade request and accepts it, as a websocket server would.
async fn upgrade(stream: &mut TcpStream) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client hung up during the upgrade");
        request.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let key = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_string())
        })
        .expect("a websocket key");
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    let accept = STANDARD.encode(sha.finalize());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    stream.write_all(response.as_bytes()).await.unwrap();
}

#[tokio::test]
async fn a_closed_port_is_unreachable_at_once() {
    with_db(|db| async move {
        let id = account(&db).await;
        let (listener, url) = local_server().await;
        drop(listener);
        let started = std::time::Instant::now();
        let reason = unreachable_reason(&driver(&db, url), id).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert!(reason.to_lowercase().contains("refused"), "{reason}");
    })
    .await;
}

#[tokio::test]
async fn a_server_that_hangs_up_before_the_upgrade_is_unreachable() {
    with_db(|db| async move {
        let id = account(&db).await;
        let (listener, url) = local_server().await;
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                drop(stream);
            }
        });
        let reason = unreachable_reason(&driver(&db, url), id).await;
        assert!(!reason.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_silent_server_times_out() {
    with_db(|db| async move {
        let id = account(&db).await;
        let (listener, url) = local_server().await;
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream); // never answers
            }
        });
        let reason = unreachable_reason(&driver(&db, url), id).await;
        assert_eq!(reason, "no answer from WhatsApp within 1 s");
    })
    .await;
}

#[tokio::test]
async fn a_server_that_upgrades_then_closes_fails_the_handshake() {
    with_db(|db| async move {
        let id = account(&db).await;
        let (listener, url) = local_server().await;
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                upgrade(&mut stream).await;
                drop(stream);
            }
        });
        let reason = unreachable_reason(&driver(&db, url), id).await;
        assert_eq!(
            reason,
            "WhatsApp closed the connection before it was established"
        );
    })
    .await;
}

#[tokio::test]
async fn a_server_that_answers_garbage_fails_the_handshake() {
    with_db(|db| async move {
        let id = account(&db).await;
        let (listener, url) = local_server().await;
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                upgrade(&mut stream).await;
                // A binary frame (FIN, opcode 2) of 8 bytes that are no Noise message.
                let _ = stream.write_all(&[0x82, 8, 1, 2, 3, 4, 5, 6, 7, 8]).await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        let reason = unreachable_reason(&driver(&db, url), id).await;
        assert_eq!(
            reason,
            "WhatsApp closed the connection before it was established"
        );
    })
    .await;
}

#[tokio::test]
async fn a_new_attempt_starts_without_the_keys_of_an_earlier_one() {
    with_db(|db| async move {
        let id = account(&db).await;
        let rows = KeyRows::new(db.clone(), id);
        let stale = KeyRow {
            key: "peer",
            value: b"old",
            ..Default::default()
        };
        rows.put("session", &[stale]).await.unwrap();
        let (listener, url) = local_server().await;
        drop(listener);
        let live = driver(&db, url);

        // Resuming keeps them: they are the session.
        let (events, _received) = mpsc::channel(16);
        let resumed = live
            .open(id, Some("wa1|+525512345678".into()), events)
            .await;
        assert!(resumed.is_ok());
        assert!(rows.get("session", "peer").await.unwrap().is_some());

        let (events, _received) = mpsc::channel(16);
        let fresh = live.open(id, None, events).await;
        assert!(fresh.is_ok());
        assert!(rows.get("session", "peer").await.unwrap().is_none());
    })
    .await;
}

mod through_the_manager {
    //! Offline behaviour as the Channels page sees it: Add says "Can't reach WhatsApp"
    //! within seconds and retries on a backoff, Cancel works, nothing is left running.

    use std::sync::Arc;

    use tokio::time::Instant;

    use super::*;
    use crate::domain::account::AccountStatus;
    use crate::server::sessions::backoff::Backoff;
    use crate::server::sessions::manager::{Initiator, LinkState, ManagerOptions, SessionManager};

    async fn ana(db: &Db, company: i64) -> Initiator {
        let new = crate::server::db::users::NewUser {
            company_id: company,
            email: "ana@offline.test",
            display_name: "Ana",
            password_hash: "h",
            global_admin: true,
            channels_admin: true,
        };
        Initiator {
            user_id: crate::server::db::users::insert(db, &new).await.unwrap(),
            name: "Ana".into(),
            address: "127.0.0.1".into(),
        }
    }

    /// The card's "Can't reach WhatsApp" state, once its retry time is after `after`.
    async fn unreachable_attempt(
        manager: &SessionManager,
        id: i64,
        within: Duration,
        after: Option<Instant>,
    ) -> (String, Instant) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(LinkState::Unreachable { message, retry_at }) = manager.live(id).link {
                if after.is_none_or(|after| retry_at > after) {
                    return (message, retry_at);
                }
            }
            assert!(
                Instant::now() < deadline,
                "no 'Can't reach WhatsApp' within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn add_then_cancel(driver: LiveDriver, db: Db, within: Duration) {
        let company = companies::insert(&db, "Offline", true, 10).await.unwrap();
        let id = accounts::insert_within_limit(&db, company, 10, None, 1)
            .await
            .unwrap()
            .unwrap();
        let options = ManagerOptions {
            backoff: Backoff {
                base: Duration::from_millis(300),
                max: Duration::from_secs(2),
            },
            ..Default::default()
        };
        let manager = SessionManager::new(db.clone(), Arc::new(driver), options);
        let ana = ana(&db, company).await;
        let started = Instant::now();
        manager
            .start_linking(company, id, Some(ana.clone()))
            .await
            .unwrap();
        let (message, first_retry) = unreachable_attempt(&manager, id, within, None).await;
        assert!(!message.is_empty());
        assert!(started.elapsed() < within);
        // It tries again by itself when the retry is due, and schedules the next one.
        let (_, second_retry) = unreachable_attempt(
            &manager,
            id,
            within + Duration::from_secs(2),
            Some(first_retry),
        )
        .await;
        assert!(
            second_retry >= first_retry + Duration::from_millis(200),
            "the next attempt waits again"
        );
        assert_eq!(
            accounts::get_any(&db, id).await.unwrap().unwrap().status(),
            AccountStatus::Connecting
        );
        // Cancel on a never-linked account removes it, and the actor stops.
        manager.cancel_linking(company, id, ana).await.unwrap();
        assert!(accounts::get_any(&db, id).await.unwrap().is_none());
        let deadline = Instant::now() + Duration::from_secs(5);
        while manager.running_actors() > 0 {
            assert!(Instant::now() < deadline, "the actor kept running");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn add_against_a_closed_port_says_unreachable_and_retries_until_cancel() {
        with_db(|db| async move {
            let (listener, url) = local_server().await;
            drop(listener);
            add_then_cancel(driver(&db, url), db, Duration::from_secs(3)).await;
        })
        .await;
    }

    /// The live driver as shipped (WhatsApp's real address, version fetched from the
    /// web), on this machine that cannot reach WhatsApp.
    #[tokio::test]
    async fn add_on_a_machine_without_whatsapp_says_unreachable_within_seconds() {
        with_db(|db| async move {
            let shipped = LiveDriver::new(db.clone(), LiveOptions::default());
            add_then_cancel(shipped, db, Duration::from_secs(12)).await;
        })
        .await;
    }
}
