use std::time::Duration;

use whatsapp_rust::types::events::*;
use whatsapp_rust::wacore::chrono;
use whatsapp_rust::wacore::net::DisconnectReason as WireDisconnect;
use whatsapp_rust::wacore::types::events::ConnectFailureReason as Failure;

use super::*;

const NOW: i64 = 1_795_569_600_000;

fn logged_out(reason: Failure) -> Event {
    Event::LoggedOut(LoggedOut::builder().on_connect(true).reason(reason).build())
}

fn pn(user: &str) -> Jid {
    Jid::pn(user)
}

#[test]
fn a_qr_code_becomes_a_ref_with_its_timeout() {
    let event = Event::PairingQrCode(
        PairingQrCode::builder()
            .code("2@abc,def,ghi,jkl,1".to_string())
            .timeout(Duration::from_secs(60))
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::Emit(DriverEvent::Qr {
            code: "2@abc,def,ghi,jkl,1".into(),
            valid_for: Duration::from_secs(60)
        })
    );
}

#[test]
fn a_qr_code_while_resuming_means_the_stored_keys_are_dead() {
    let event = Event::PairingQrCode(
        PairingQrCode::builder()
            .code("2@x".to_string())
            .timeout(Duration::from_secs(20))
            .build(),
    );
    assert_eq!(
        map_event(&event, true, NOW),
        Mapped::EmitAndStop(DriverEvent::LoggedOut(DisconnectReason::UnlinkedFromPhone))
    );
}

#[test]
fn exhausted_codes_end_the_attempt() {
    let event = Event::PairingQrCodesExhausted(
        PairingQrCodesExhausted::builder()
            .disconnected(true)
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::EmitAndStop(DriverEvent::LinkingExpired)
    );
}

#[test]
fn pair_success_gives_the_number_in_e164_and_the_business_name() {
    let event = Event::PairSuccess(
        PairSuccess::builder()
            .id(Jid::pn_device("5215512345678", 12))
            .lid(Jid::new("123456789", Server::Lid))
            .business_name("Tacos Ana".to_string())
            .platform("android".to_string())
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::Paired {
            phone: "+5215512345678".into(),
            business_name: "Tacos Ana".into()
        }
    );
}

#[test]
fn pair_success_with_an_unreadable_identity_fails_the_link() {
    let event = Event::PairSuccess(
        PairSuccess::builder()
            .id(Jid::new("123456789", Server::Lid))
            .lid(Jid::new("123456789", Server::Lid))
            .business_name(String::new())
            .platform("ios".to_string())
            .build(),
    );
    assert!(matches!(
        map_event(&event, false, NOW),
        Mapped::EmitAndStop(DriverEvent::LinkFailed(_))
    ));
}

#[test]
fn a_pair_error_fails_the_link_with_the_reason() {
    let event = Event::PairError(
        PairError::builder()
            .id(pn("5215512345678"))
            .lid(Jid::new("1", Server::Lid))
            .business_name(String::new())
            .platform("android".to_string())
            .error("bad signature".to_string())
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::EmitAndStop(DriverEvent::LinkFailed(
            "The phone could not be linked: bad signature".into()
        ))
    );
}

#[test]
fn connected_is_connected() {
    let event = Event::Connected(Connected::builder().build());
    assert_eq!(
        map_event(&event, true, NOW),
        Mapped::Emit(DriverEvent::Connected)
    );
}

#[test]
fn each_logout_reason_gets_its_own_message() {
    let cases = [
        (Failure::LoggedOut, DisconnectReason::UnlinkedFromPhone),
        (Failure::UnknownLogout, DisconnectReason::UnlinkedFromPhone),
        (Failure::AccountLocked, DisconnectReason::Banned),
        (Failure::TempBanned, DisconnectReason::Banned),
        (Failure::ClientOutdated, DisconnectReason::ClientOutdated),
    ];
    for (failure, ours) in cases {
        assert_eq!(
            map_event(&logged_out(failure), false, NOW),
            Mapped::EmitAndStop(DriverEvent::LoggedOut(ours)),
            "{failure:?}"
        );
    }
}

#[test]
fn a_temporary_ban_carries_when_it_ends() {
    let event = Event::TemporaryBan(
        TemporaryBan::builder()
            .code(TempBanReason::SentToTooManyPeople)
            .expire(chrono::Duration::hours(24))
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::EmitAndStop(DriverEvent::TemporarilyBanned {
            until_ms: NOW + 86_400_000
        })
    );
}

#[test]
fn outdated_and_replaced_end_the_session() {
    let outdated = Event::ClientOutdated(ClientOutdated::builder().build());
    assert_eq!(
        map_event(&outdated, false, NOW),
        Mapped::EmitAndStop(DriverEvent::LoggedOut(DisconnectReason::ClientOutdated))
    );
    let replaced = Event::StreamReplaced(StreamReplaced::builder().build());
    assert_eq!(
        map_event(&replaced, false, NOW),
        Mapped::EmitAndStop(DriverEvent::LoggedOut(DisconnectReason::Replaced))
    );
}

#[test]
fn other_connect_failures_are_retried_and_say_why() {
    let event = Event::ConnectFailure(
        ConnectFailure::builder()
            .reason(Failure::ServiceUnavailable)
            .message("try later".to_string())
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::EmitAndStop(DriverEvent::Unreachable(
            "WhatsApp refused the connection (ServiceUnavailable): try later".into()
        ))
    );
}

#[test]
fn a_dropped_stream_is_a_lost_connection() {
    let event = Event::Disconnected(
        Disconnected::builder()
            .reason(WireDisconnect::StreamEnded)
            .build(),
    );
    assert_eq!(
        map_event(&event, false, NOW),
        Mapped::EmitAndStop(DriverEvent::ConnectionLost)
    );
}

#[test]
fn chat_traffic_goes_to_the_session_and_the_rest_is_ignored() {
    let receipt_free =
        Event::OfflineSyncCompleted(OfflineSyncCompleted::builder().count(3).build());
    assert_eq!(map_event(&receipt_free, false, NOW), Mapped::Ignore);
}

#[test]
fn numbers_convert_both_ways_and_junk_is_refused() {
    assert_eq!(
        e164_of(&pn("573001234567")).as_deref(),
        Some("+573001234567")
    );
    assert_eq!(e164_of(&pn("12ab")), None);
    assert_eq!(e164_of(&Jid::new("573001234567", Server::Lid)), None);
    assert_eq!(jid_of("+573001234567"), Some(pn("573001234567")));
    assert_eq!(jid_of("573001234567"), None, "E.164 starts with +");
    assert_eq!(jid_of("+57 300"), None);
    assert_eq!(jid_of("+1234567890123456"), None, "over 15 digits");
}

fn receipt(kind: whatsapp_rust::types::presence::ReceiptType, ids: &[&str]) -> Event {
    let source = whatsapp_rust::types::message::MessageSource {
        chat: pn("573001234567"),
        sender: pn("573001234567"),
        ..Default::default()
    };
    Event::Receipt(
        whatsapp_rust::types::events::Receipt::builder()
            .source(source)
            .message_ids(ids.iter().map(|id| id.to_string()).collect())
            .timestamp(chrono::DateTime::from_timestamp_millis(1_700_000_000_123).unwrap())
            .r#type(kind)
            .offline(false)
            .build(),
    )
}

#[test]
fn delivery_and_read_receipts_become_ticks_with_their_time() {
    use whatsapp_rust::types::presence::ReceiptType as Kind;
    let tick = |kind, ids: &[&str]| map_event(&receipt(kind, ids), false, 0);
    assert_eq!(
        tick(Kind::Delivered, &["3EB0A", "3EB0B"]),
        Mapped::Emit(DriverEvent::Receipt {
            ids: vec!["3EB0A".into(), "3EB0B".into()],
            receipt: crate::domain::inbox::Receipt::Delivered,
            at_ms: 1_700_000_000_123,
        })
    );
    for read in [Kind::Read, Kind::Played] {
        assert!(matches!(
            tick(read, &["3EB0A"]),
            Mapped::Emit(DriverEvent::Receipt {
                receipt: crate::domain::inbox::Receipt::Read,
                ..
            })
        ));
    }
    // Not the customer's ticks: a downgraded delivery, our own phone reading, a retry.
    for other in [
        Kind::Sent,
        Kind::ReadSelf,
        Kind::PlayedSelf,
        Kind::Retry,
        Kind::Sender,
    ] {
        assert_eq!(tick(other, &["3EB0A"]), Mapped::Ignore);
    }
    assert_eq!(tick(Kind::Read, &[]), Mapped::Ignore, "nothing to move");
}
