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
fn a_passkey_gated_link_asks_for_the_passkey_then_shows_the_code_or_fails_with_the_reason() {
    let options = r#"{"challenge":"AAEC","rpId":"web.whatsapp.com","allowCredentials":[]}"#;
    let request = Event::PairPasskeyRequest(
        PairPasskeyRequest::builder()
            .request_options_json(options.to_string())
            .build(),
    );
    assert_eq!(
        map_event(&request, false, NOW),
        Mapped::Emit(DriverEvent::PasskeyRequested {
            options_json: options.into()
        })
    );
    for (skip, confirm_on_phone) in [(false, true), (true, false)] {
        let confirmation = Event::PairPasskeyConfirmation(
            PairPasskeyConfirmation::builder()
                .code("ABCD-EFGH".to_string())
                .skip_handoff_ux(skip)
                .build(),
        );
        assert_eq!(
            map_event(&confirmation, false, NOW),
            Mapped::PasskeyCode {
                code: "ABCD-EFGH".into(),
                confirm_on_phone
            }
        );
    }
    let error = Event::PairPasskeyError(
        PairPasskeyError::builder()
            .error("assertion rejected".to_string())
            .continuation(false)
            .build(),
    );
    assert_eq!(
        map_event(&error, false, NOW),
        Mapped::EmitAndStop(DriverEvent::LinkFailed(
            "WhatsApp did not accept the passkey: assertion rejected".into()
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
fn a_version_refusal_in_any_form_keeps_the_keys_and_asks_for_a_newer_version() {
    let refusals = [
        Event::ClientOutdated(ClientOutdated::builder().build()),
        logged_out(Failure::ClientOutdated),
        Event::ConnectFailure(
            ConnectFailure::builder()
                .reason(Failure::ClientOutdated)
                .build(),
        ),
    ];
    for event in refusals {
        assert_eq!(map_event(&event, true, NOW), Mapped::Outdated, "{event:?}");
    }
}

#[test]
fn a_refused_version_is_tried_again_once_with_the_current_one() {
    let refused = (2, 3000, 1_020_000_000);
    assert_eq!(
        after_refusal(refused, Some((2, 3000, 1_031_000_000))),
        DriverEvent::Unreachable(
            "WhatsApp asked for a newer version of WhatsApp Web; trying again as 2.3000.1031000000"
                .into()
        )
    );
    // The retry was refused as well (the fetched version is the one refused), or nothing
    // could be fetched: the refusal stands, and the keys are kept.
    assert_eq!(
        after_refusal(refused, Some(refused)),
        DriverEvent::ClientOutdated
    );
    assert_eq!(after_refusal(refused, None), DriverEvent::ClientOutdated);
}

#[test]
fn a_server_ack_of_a_message_reaches_the_actor_and_other_classes_do_not() {
    let ack = |class: Option<&str>, error: Option<&str>| {
        Event::ServerAck(
            ServerAck::builder()
                .id("3EB0AB".to_string())
                .maybe_class(class.map(str::to_string))
                .maybe_error(error.map(str::to_string))
                .build(),
        )
    };
    assert_eq!(
        map_event(&ack(Some("message"), None), true, NOW),
        Mapped::Emit(DriverEvent::ServerAck {
            id: "3EB0AB".into(),
            error: None
        })
    );
    // A nack may carry no class: its code still reaches the actor.
    assert_eq!(
        map_event(&ack(None, Some("479")), true, NOW),
        Mapped::Emit(DriverEvent::ServerAck {
            id: "3EB0AB".into(),
            error: Some("479".into())
        })
    );
    for class in ["receipt", "notification", "call"] {
        assert_eq!(
            map_event(&ack(Some(class), None), true, NOW),
            Mapped::Ignore
        );
    }
}

#[test]
fn replaced_ends_the_session() {
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

#[test]
fn a_hidden_number_is_reached_by_its_lid() {
    let lid = Jid::new("99887766", Server::Lid);
    assert_eq!(lid_of(&lid).as_deref(), Some("99887766"));
    assert_eq!(lid_of(&pn("573001234567")), None);
    assert_eq!(jid_of("lid:99887766"), Some(lid));
    assert_eq!(jid_of("lid:9988x"), None);
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
