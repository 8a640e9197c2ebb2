use std::time::Duration;

use super::*;
use crate::server::drivers::driver::SendTicket;

fn timings() -> SimTimings {
    SimTimings {
        first_ms: 60_000,
        next_ms: 20_000,
        count: 6,
    }
}

async fn next(events: &mut mpsc::Receiver<DriverEvent>) -> DriverEvent {
    tokio::time::timeout(Duration::from_secs(600), events.recv())
        .await
        .expect("an event")
        .expect("open channel")
}

async fn link(sim: &Simulator, account: i64) -> (Connection, mpsc::Receiver<DriverEvent>, String) {
    let (tx, mut events) = mpsc::channel(16);
    let connection = sim.open(account, None, tx).await.unwrap();
    let DriverEvent::Qr { code, .. } = next(&mut events).await else {
        panic!("QR first")
    };
    (connection, events, code)
}

#[test]
fn qr_text_has_the_five_fields_phones_accept() {
    let qr = new_qr_text();
    let fields: Vec<&str> = qr.split(',').collect();
    assert_eq!(fields.len(), 5, "{qr}");
    assert!(fields[0].starts_with("2@"));
    for key in &fields[1..4] {
        assert_eq!(STANDARD.decode(key).unwrap().len(), 32);
    }
    assert_eq!(fields[4], "1");
    assert_ne!(new_qr_text(), qr);
}

#[test]
fn pair_codes_use_the_whatsapp_alphabet() {
    for _ in 0..50 {
        let code = new_pair_code();
        assert_eq!(code.len(), 8);
        assert!(
            code.bytes().all(|b| PAIR_CODE_ALPHABET.contains(&b)),
            "{code}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn refs_rotate_on_the_protocol_schedule_then_expire() {
    let sim = Simulator::new(timings());
    let (tx, mut events) = mpsc::channel(16);
    let _connection = sim.open(7, None, tx).await.unwrap();
    let start = Instant::now();
    let mut seen = Vec::new();
    for index in 0..6 {
        let DriverEvent::Qr { code, valid_for } = next(&mut events).await else {
            panic!("QR {index}")
        };
        let expected = if index == 0 { 60 } else { 20 };
        assert_eq!(valid_for, Duration::from_secs(expected));
        let elapsed = (Instant::now() - start).as_secs();
        assert_eq!(
            elapsed,
            if index == 0 {
                0
            } else {
                60 + 20 * (index as u64 - 1)
            },
            "ref {index}"
        );
        assert_eq!(sim.linking()[0].qr, code, "the API reports the current ref");
        assert!(!seen.contains(&code));
        seen.push(code);
    }
    assert_eq!(next(&mut events).await, DriverEvent::LinkingExpired);
    assert_eq!((Instant::now() - start).as_secs(), 160);
    assert!(sim.linking().is_empty());
    assert_eq!(
        sim.scan(&seen[0], "+5215500000001", "Shop").await,
        ScanOutcome::Expired
    );
    assert_eq!(
        sim.scan(&seen[5], "+5215500000001", "Shop").await,
        ScanOutcome::Expired
    );
}

#[tokio::test(start_paused = true)]
async fn scanning_the_current_ref_links_the_phone() {
    let sim = Simulator::new(timings());
    let (_connection, mut events, qr) = link(&sim, 3).await;
    assert_eq!(
        sim.scan("2@unknown,a,b,c,1", "+1", "x").await,
        ScanOutcome::Unknown
    );
    assert_eq!(
        sim.scan(&qr, "+5215512345678", "Tacos Ana").await,
        ScanOutcome::Linked(3)
    );
    let DriverEvent::Paired {
        phone,
        business_name,
        credentials,
    } = next(&mut events).await
    else {
        panic!()
    };
    assert_eq!(
        (phone.as_str(), business_name.as_str()),
        ("+5215512345678", "Tacos Ana")
    );
    assert!(credentials.starts_with("sim1|+5215512345678|"));
    assert_eq!(next(&mut events).await, DriverEvent::Connected);
    assert_eq!(sim.phones(), vec![("+5215512345678".to_string(), 3)]);
    assert_eq!(
        sim.scan(&qr, "+5215512345678", "again").await,
        ScanOutcome::Expired,
        "a ref works once"
    );
}

#[tokio::test(start_paused = true)]
async fn a_pairing_code_links_the_phone_it_was_requested_for() {
    let sim = Simulator::new(timings());
    let (connection, mut events, _) = link(&sim, 4).await;
    let code = connection
        .request_pair_code("+573001234567".into())
        .await
        .unwrap();
    assert_eq!(sim.linking()[0].pair_code.as_deref(), Some(code.as_str()));
    assert_eq!(
        sim.enter_pair_code("+573009999999", &code, "x").await,
        ScanOutcome::Unknown
    );
    let lower = code.to_lowercase();
    assert_eq!(
        sim.enter_pair_code("+573001234567", &lower, "Bogotá").await,
        ScanOutcome::Linked(4)
    );
    assert!(matches!(
        next(&mut events).await,
        DriverEvent::Paired { .. }
    ));
}

#[tokio::test(start_paused = true)]
async fn the_phone_unlinking_logs_the_device_out_for_good() {
    let sim = Simulator::new(timings());
    let (_connection, mut events, qr) = link(&sim, 5).await;
    sim.scan(&qr, "+5491112345678", "BA").await;
    let DriverEvent::Paired { credentials, .. } = next(&mut events).await else {
        panic!()
    };
    next(&mut events).await;
    assert_eq!(sim.unlink("+5491112345678").await, 1);
    assert_eq!(
        next(&mut events).await,
        DriverEvent::LoggedOut(DisconnectReason::UnlinkedFromPhone)
    );
    let (tx, _rx) = mpsc::channel(4);
    let resumed = sim.open(5, Some(credentials), tx).await;
    assert_eq!(
        resumed.err(),
        Some(DriverError::LoggedOut(DisconnectReason::UnlinkedFromPhone))
    );
}

#[tokio::test(start_paused = true)]
async fn network_drops_are_transient() {
    let sim = Simulator::new(timings());
    let (_connection, mut events, qr) = link(&sim, 6).await;
    sim.scan(&qr, "+56912345678", "Santiago").await;
    let DriverEvent::Paired { credentials, .. } = next(&mut events).await else {
        panic!()
    };
    next(&mut events).await;

    sim.set_network(false).await;
    assert_eq!(next(&mut events).await, DriverEvent::ConnectionLost);
    let (tx, _rx) = mpsc::channel(4);
    assert!(matches!(
        sim.open(6, Some(credentials.clone()), tx).await,
        Err(DriverError::Unreachable(_))
    ));

    sim.set_network(true).await;
    let (tx, mut events) = mpsc::channel(4);
    let _again = sim.open(6, Some(credentials), tx).await.unwrap();
    assert_eq!(next(&mut events).await, DriverEvent::Connected);
    let message = customer_message(None, "+56987654321", "Cliente", "hola", None);
    assert!(message.id.starts_with("3EB0") && message.id.len() == 24);
    assert!(sim.deliver("+56912345678", message.clone()).await);
    assert_eq!(next(&mut events).await, DriverEvent::Message(message));
}

#[tokio::test(start_paused = true)]
async fn closing_the_connection_ends_the_attempt() {
    let sim = Simulator::new(timings());
    let (connection, _events, qr) = link(&sim, 8).await;
    drop(connection);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(sim.linking().is_empty());
    assert_eq!(sim.scan(&qr, "+1", "x").await, ScanOutcome::Expired);
}

#[tokio::test]
async fn whatsapp_acks_each_send_unless_the_network_swallows_it() {
    let sim = Simulator::new(timings());
    let (connection, mut events, qr) = link(&sim, 4).await;
    sim.scan(&qr, "+5215512345679", "Ecos").await;
    assert!(matches!(
        next(&mut events).await,
        DriverEvent::Paired { .. }
    ));
    assert_eq!(next(&mut events).await, DriverEvent::Connected);
    let send = |text: &str| {
        connection.send_text("+573001112233".into(), text.into(), SendTicket::default())
    };

    // WhatsApp's server takes it first, then the customer's phone has it.
    let id = send("uno").await.unwrap();
    let ack = DriverEvent::ServerAck {
        id: id.clone(),
        error: None,
    };
    assert_eq!(next(&mut events).await, ack);
    assert!(matches!(next(&mut events).await, DriverEvent::Receipt { ids, .. } if ids == [id]));

    // Stalled: the send leaves the socket with an id, and nothing ever comes back.
    sim.set_stalled("+5215512345679", true);
    let lost = send("dos").await.unwrap();
    let silence = tokio::time::timeout(Duration::from_millis(400), events.recv()).await;
    assert!(silence.is_err(), "no ack, no receipt: {silence:?}");
    let texts: Vec<String> = sim
        .outbox("+5215512345679")
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["uno"]);

    sim.set_stalled("+5215512345679", false);
    let id = send("tres").await.unwrap();
    assert_ne!(id, lost);
    assert_eq!(
        next(&mut events).await,
        DriverEvent::ServerAck { id, error: None }
    );
}
