//! Health, readiness and metrics (`web::operations`): open to load balancers without a
//! sign-in, naming what is wrong, and telling nothing of any company.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;

use super::*;
use crate::server::boot::state::AppState;

const TOKEN: &str = "a-scraper-token-0123456789";

fn state_with(db: Db, vars: &[(&str, &str)]) -> AppState {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let config =
        Config::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .unwrap();
    AppState::new(leptos_options(&config), db, config)
}

/// A GET from `peer` for this machine's address, with extra headers (a `host` among them
/// replaces it).
fn from(peer: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::get(path);
    if !headers.iter().any(|(name, _)| *name == "host") {
        request = request.header(header::HOST, "127.0.0.1:3000");
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

async fn json(response: Response<Body>) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    (
        status,
        serde_json::from_str(&body_text(response).await).unwrap(),
    )
}

#[tokio::test]
async fn health_and_readiness_answer_without_a_sign_in_and_name_what_failed() {
    with_db(|db| async move {
        // A fresh install (no company yet) is healthy and ready: no redirect to /setup.
        let state = state_with(db.clone(), &[]);
        let app = router(state.clone());
        let (status, body) = json(send(&app, get(paths::HEALTHZ, None)).await).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
        let response = send(&app, get(paths::READYZ, None)).await;
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let (status, body) = json(response).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ready")));

        // A load balancer calls the server by its own address, not the one users type.
        let public = router(state_with(db.clone(), &[("AURORA_PUBLIC_URL", "https://aurora.example.com")]));
        let by_address = from("10.0.0.2:4000", paths::READYZ, &[("host", "10.0.0.5:3000")]);
        assert_eq!(send(&public, by_address).await.status(), StatusCode::OK);
        let page = from("10.0.0.2:4000", paths::LOGIN, &[("host", "10.0.0.5:3000")]);
        assert_eq!(send(&public, page).await.status(), StatusCode::MISDIRECTED_REQUEST);

        // A signed-in user's cookie changes nothing, nor does a body over the limit.
        seed_if_empty(&db).await.unwrap();
        let cookie = sign_in(&app, "ana@demo.test").await;
        let (status, _) = json(send(&app, get(paths::READYZ, Some(&cookie))).await).await;
        assert_eq!(status, StatusCode::OK);
        let big = Request::get(paths::HEALTHZ)
            .header(header::HOST, HOST)
            .header(header::CONTENT_LENGTH, 4096)
            .body(Body::from(vec![b'x'; 4096]))
            .unwrap();
        assert_eq!(send(&app, big).await.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // A migration the database has not applied.
        let newest = "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)";
        crate::server::db::on_pool!(&db, pool => sqlx::query(newest).execute(pool).await.map(drop)).unwrap();
        let (status, body) = json(send(&app, get(paths::READYZ, None)).await).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["failed"], serde_json::json!(["migrations"]));

        // The sessions stopped (a shutdown under way), then the database gone.
        state.manager.shutdown(Duration::from_millis(100)).await;
        let (_, body) = json(send(&app, get(paths::READYZ, None)).await).await;
        assert_eq!(body["failed"], serde_json::json!(["migrations", "sessions"]));
        db.close().await;
        let (status, body) = json(send(&app, get(paths::READYZ, None)).await).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["failed"], serde_json::json!(["database", "sessions"]));
        // The process still answers: the load balancer sees it alive but not ready.
        let (status, _) = json(send(&app, get(paths::HEALTHZ, None)).await).await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

/// A PostgreSQL server that is not there (stopped: nothing listens on its port) makes the
/// server unready within the 1 s the check allows.
#[tokio::test]
async fn readiness_names_a_stopped_postgresql_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy(&format!("postgres://postgres@127.0.0.1:{port}/aurora"))
        .unwrap();
    let app = router(state_with(Db::Postgres(pool), &[]));
    let started = std::time::Instant::now();
    let (status, body) = json(send(&app, get(paths::READYZ, None)).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["failed"], serde_json::json!(["database"]));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let (status, _) = json(send(&app, get(paths::HEALTHZ, None)).await).await;
    assert_eq!(status, StatusCode::OK, "alive, not ready");
}

/// A cluster node whose lease was not renewed in time is not ready (its accounts may be
/// another node's by now); renewed again, it is.
#[tokio::test]
async fn readiness_names_a_stale_lease() {
    crate::server::db::testing::with_postgres(|pool| async move {
        let node =
            crate::server::cluster::node::ClusterNode::join(pool.clone(), "127.0.0.1:1".into())
                .await
                .unwrap();
        let config = Config::from_lookup(|name| {
            (name == "AURORA_WHATSAPP").then(|| "simulator".to_string())
        })
        .unwrap();
        let state = AppState::start(
            leptos_options(&config),
            Db::Postgres(pool),
            config,
            Some(&node),
            &crate::server::boot::supervisor::Supervisor::new(),
        );
        let app = router(state);
        let (status, _) = json(send(&app, get(paths::READYZ, None)).await).await;
        assert_eq!(status, StatusCode::OK);
        node.backdate_lease(Duration::from_secs(60));
        let (status, body) = json(send(&app, get(paths::READYZ, None)).await).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["failed"], serde_json::json!(["lease"]));
        node.backdate_lease(Duration::ZERO);
        let (status, _) = json(send(&app, get(paths::READYZ, None)).await).await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn metrics_are_for_this_machine_or_a_bearer_of_the_token() {
    with_db(|db| async move {
        seed_if_empty(&db).await.unwrap();
        let open = router(state_with(db.clone(), &[]));
        let scrape = |app: &Router, request| {
            let app = app.clone();
            async move { send(&app, request).await.status() }
        };
        assert_eq!(
            scrape(&open, from("127.0.0.1:5000", paths::METRICS, &[])).await,
            StatusCode::OK
        );
        assert_eq!(
            scrape(&open, from("[::1]:5000", paths::METRICS, &[])).await,
            StatusCode::OK
        );
        // No peer address at all, another machine, or a proxy on this one relaying someone.
        assert_eq!(
            scrape(&open, get(paths::METRICS, None)).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            scrape(&open, from("10.0.0.7:5000", paths::METRICS, &[])).await,
            StatusCode::FORBIDDEN
        );
        let relayed = from(
            "127.0.0.1:5000",
            paths::METRICS,
            &[("x-forwarded-for", "203.0.113.9")],
        );
        assert_eq!(scrape(&open, relayed).await, StatusCode::FORBIDDEN);
        // A page whose name was rebound to this machine, in a browser on it.
        let rebound = from(
            "127.0.0.1:5000",
            paths::METRICS,
            &[("host", "rebound.example")],
        );
        assert_eq!(scrape(&open, rebound).await, StatusCode::FORBIDDEN);
        let local = from(
            "127.0.0.1:5000",
            paths::METRICS,
            &[("host", "localhost:3000")],
        );
        assert_eq!(scrape(&open, local).await, StatusCode::OK);
        // Being signed in, even as a Global Admin, is not being a scraper.
        let admin = sign_in(&open, "ana@demo.test").await;
        let signed_in = from("10.0.0.7:5000", paths::METRICS, &[("cookie", &admin)]);
        assert_eq!(scrape(&open, signed_in).await, StatusCode::FORBIDDEN);

        let guarded = router(state_with(db.clone(), &[("AURORA_METRICS_TOKEN", TOKEN)]));
        let bearer = format!("Bearer {TOKEN}");
        let with = |token: &str| from("10.0.0.7:5000", paths::METRICS, &[("authorization", token)]);
        let refused = send(&guarded, with("Bearer not-the-token-at-all")).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(
            scrape(&guarded, with(TOKEN)).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            scrape(&guarded, from("10.0.0.7:5000", paths::METRICS, &[])).await,
            StatusCode::UNAUTHORIZED
        );
        let allowed = send(&guarded, with(&bearer)).await;
        assert_eq!(allowed.status(), StatusCode::OK);
        let kind = allowed.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    })
    .await;
}

#[test]
fn a_short_metrics_token_is_refused_at_start() {
    let short =
        Config::from_lookup(|name| (name == "AURORA_METRICS_TOKEN").then(|| "short".into()));
    assert_eq!(short.err().map(|e| e.var), Some("AURORA_METRICS_TOKEN"));
}

#[tokio::test]
async fn metrics_show_channels_messages_and_routes_but_no_company_or_number() {
    with_db(|db| async move {
        let app = simulator_app(db).await;
        let id = add_demo_account(&app).await;
        let qr = linking_qr(&app, id).await;
        let scan = format!(r#"{{"qr":"{qr}","phone":"+525512349876","business_name":"Tacos Metricas"}}"#);
        assert_eq!(send(&app, post_json(paths::SIMULATOR_SCAN, &scan)).await.status(), StatusCode::OK);
        let message = r#"{"from":"+5215598765432","name":"Valeria Cliente","text":"hola"}"#;
        let path = "/simulator/api/phones/%2B525512349876/messages";
        // Until the session is connected the simulator has nowhere to deliver it.
        for _ in 0..300 {
            if send(&app, post_json(path, message)).await.status() == StatusCode::ACCEPTED {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let ana = sign_in(&app, "ana@demo.test").await;
        assert_eq!(send(&app, get("/api/media/987654321", Some(&ana))).await.status(), StatusCode::NOT_FOUND);

        // The recorder is the process's: other tests' servers set the same gauges, so this
        // reads until a scrape shows this server's connected number.
        let connected = |text: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(r#"aurora_channels{status="connected"} "#))
                .and_then(|n| n.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let mut text = String::new();
        for _ in 0..300 {
            text = body_text(send(&app, from("127.0.0.1:9", paths::METRICS, &[])).await).await;
            if connected(&text) >= 1.0 && text.contains("aurora_messages_inbound_total ") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(connected(&text) >= 1.0, "{text}");
        for shown in [
            r#"aurora_channels{status="disabled"} "#,
            "aurora_sessions_running ",
            "aurora_db_connections{state=\"idle\"} ",
            "aurora_scheduler_lag_seconds ",
            "aurora_deletions_running ",
            "aurora_deletion_items{state=\"left\"} ",
            // The route's template, never the id asked for.
            r#"aurora_http_request_duration_seconds_bucket{route="/api/media/{id}",method="GET",status="4xx""#,
            r#"route="/api/login",method="POST",status="2xx""#,
        ] {
            assert!(text.contains(shown), "{shown} missing from:\n{text}");
        }
        for private in [
            "987654321", "5512349876", "5598765432", "Tacos", "Valeria", "Demo Company", "demo.test",
            "Ana",
        ] {
            assert!(!text.contains(private), "{private} appears in the metrics:\n{text}");
        }
    })
    .await;
}
