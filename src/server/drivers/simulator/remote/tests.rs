//! The remote driver against a real simulator served on a loopback port, as `wa-sim` does.

use std::time::Duration;

use super::*;
use crate::domain::account::DisconnectReason;
use crate::server::boot::config::SimTimings;
use crate::server::drivers::simulator::connections::ConnectionChange;
use crate::server::drivers::simulator::http as simulator_http;
use crate::server::drivers::simulator::{customer_message, ScanOutcome, Simulator};
use crate::server::testing::eventually;

async fn serve(sim: Simulator) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let app = simulator_http::routes::<()>(sim);
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

async fn next(events: &mut mpsc::Receiver<DriverEvent>) -> Option<DriverEvent> {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("an event within 5 s")
}

fn simulator() -> Simulator {
    Simulator::new(SimTimings {
        first_ms: 60_000,
        next_ms: 20_000,
        count: 6,
    })
}

#[tokio::test]
async fn links_sends_receives_and_closes_over_the_wire() {
    let sim = simulator();
    let node = RemoteSimulator::new(serve(sim.clone()).await, Some("node-a".into()));
    let (tx, mut events) = mpsc::channel(16);
    let connection = node.open(5, None, tx).await.unwrap();
    let Some(DriverEvent::Qr { code, valid_for }) = next(&mut events).await else {
        panic!("a QR first")
    };
    assert_eq!(valid_for, Duration::from_secs(60));
    let pair_code = connection.request_pair_code("+573001112233".into()).await;
    assert_eq!(pair_code.unwrap().len(), 8);

    let scanned = sim.scan(&code, "+573001112233", "Ventas").await;
    assert_eq!(scanned, ScanOutcome::Linked(5));
    let Some(DriverEvent::Paired {
        phone, credentials, ..
    }) = next(&mut events).await
    else {
        panic!("paired")
    };
    assert_eq!(phone, "+573001112233");
    assert!(credentials.starts_with("sim1|"));
    assert_eq!(next(&mut events).await, Some(DriverEvent::Connected));

    let id = connection
        .send_text("+5491122334455".into(), "hola".into(), Default::default())
        .await
        .unwrap();
    let outbox = sim.outbox("+573001112233");
    assert_eq!((outbox.len(), outbox[0].id.as_str()), (1, id.as_str()));
    assert_eq!(connection.stats().await.unwrap().messages_sent, 1);
    assert_eq!(
        next(&mut events).await,
        Some(DriverEvent::ServerAck { id, error: None }),
        "WhatsApp's ack crosses the wire"
    );

    let message = customer_message(None, "+5491122334455", "Ana", "¿hay stock?", None);
    assert!(sim.deliver("+573001112233", message.clone()).await);
    assert_eq!(next(&mut events).await, Some(DriverEvent::Message(message)));

    let log = sim.connection_log();
    assert_eq!(log.open.len(), 1);
    assert_eq!(log.open[0].node.as_deref(), Some("node-a"));

    drop(connection);
    eventually(|| async { sim.connection_log().open.is_empty().then_some(()) }).await;
    assert_eq!(
        next(&mut events).await,
        None,
        "the events end with the socket"
    );
    assert_eq!(
        sim.connection_log().history.last().unwrap().change,
        ConnectionChange::Closed
    );
}

#[tokio::test]
async fn the_same_keys_from_a_second_node_replace_the_first() {
    let sim = simulator();
    let address = serve(sim.clone()).await;
    let (a, b) = (
        RemoteSimulator::new(address.clone(), Some("a".into())),
        RemoteSimulator::new(address, Some("b".into())),
    );
    let (tx, mut events) = mpsc::channel(16);
    let _linking = a.open(9, None, tx).await.unwrap();
    let Some(DriverEvent::Qr { code, .. }) = next(&mut events).await else {
        panic!("a QR first")
    };
    sim.scan(&code, "+525511112222", "Tienda").await;
    let Some(DriverEvent::Paired { credentials, .. }) = next(&mut events).await else {
        panic!("paired")
    };
    assert_eq!(next(&mut events).await, Some(DriverEvent::Connected));

    let (tx_b, mut events_b) = mpsc::channel(16);
    let _resumed = b.open(9, Some(credentials), tx_b).await.unwrap();
    assert_eq!(next(&mut events_b).await, Some(DriverEvent::Connected));
    assert_eq!(
        next(&mut events).await,
        Some(DriverEvent::LoggedOut(DisconnectReason::Replaced))
    );
    let log = sim.connection_log();
    assert_eq!(log.conflicts, 1);
    assert_eq!(log.open.len(), 1);
    assert_eq!(log.open[0].node.as_deref(), Some("b"));
}

#[tokio::test]
async fn refusals_arrive_as_driver_errors() {
    let sim = simulator();
    let node = RemoteSimulator::new(serve(sim.clone()).await, None);
    let (tx, _events) = mpsc::channel(16);
    let unreadable = node.open(1, Some("garbage".into()), tx.clone()).await;
    assert!(
        matches!(unreadable, Err(DriverError::Rejected(_))),
        "{:?}",
        unreadable.err()
    );

    sim.set_network(false).await;
    let down = node.open(1, None, tx.clone()).await;
    assert!(
        matches!(down, Err(DriverError::Unreachable(_))),
        "{:?}",
        down.err()
    );

    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let nobody = RemoteSimulator::new(closed_port, None);
    match nobody.open(1, None, tx).await {
        Err(DriverError::Unreachable(message)) => {
            assert!(message.contains("simulator"), "{message}")
        }
        other => panic!("expected unreachable, got {:?}", other.err()),
    }
}
