//! whatsapp-rust's events, one to one onto ours. Pure: the session acts on the answer.

use whatsapp_rust::types::events::Event;
use whatsapp_rust::types::presence::ReceiptType;
use whatsapp_rust::wacore::types::events::ConnectFailureReason;
use whatsapp_rust::{Jid, Server};

use crate::domain::account::DisconnectReason;
use crate::domain::address::{self, Address};
use crate::server::drivers::driver::{DriverEvent, Receipt};
use crate::views::channels::LinkFailure;

/// What the session does with one library event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// Pass it on; the session goes on.
    Emit(DriverEvent),
    /// Pass it on; the session is over (logged out, replaced, expired, dropped).
    EmitAndStop(DriverEvent),
    /// The phone accepted the device: its number (E.164) and the name it reported.
    Paired {
        phone: String,
        business_name: String,
    },
    /// Chat messages: the session converts them (it may download media).
    Messages,
    /// A chunk of the history sent after pairing: the session decodes it off its loop.
    History,
    /// WhatsApp refused this client's version (405): the session fetches the current one
    /// and tries again once before it gives up.
    Outdated,
    /// The passkey passed: the session tells WhatsApp to go on, then shows the code.
    PasskeyCode {
        code: String,
        confirm_on_phone: bool,
    },
    /// Nothing Aurora shows.
    Ignore,
}

/// Maps one event. `resuming`: the session was opened from stored keys, so a QR code
/// means WhatsApp no longer accepts them. `now_ms` dates a temporary ban's end.
pub fn map_event(event: &Event, resuming: bool, now_ms: i64) -> Mapped {
    match event {
        Event::PairingQrCode(_) if resuming => {
            Mapped::EmitAndStop(DriverEvent::LoggedOut(DisconnectReason::UnlinkedFromPhone))
        }
        Event::PairingQrCode(qr) => Mapped::Emit(DriverEvent::Qr {
            code: qr.code.clone(),
            valid_for: qr.timeout,
        }),
        Event::PairingQrCodesExhausted(_) => Mapped::EmitAndStop(DriverEvent::LinkingExpired),
        Event::PairSuccess(success) => match e164_of(&success.id) {
            Some(phone) => Mapped::Paired {
                phone,
                business_name: success.business_name.clone(),
            },
            None => Mapped::EmitAndStop(DriverEvent::LinkFailed(
                "The phone linked with an identity Aurora can't read".into(),
            )),
        },
        Event::PairPasskeyRequest(request) => Mapped::Emit(DriverEvent::PasskeyRequested {
            options_json: request.request_options_json.clone(),
        }),
        Event::PairPasskeyConfirmation(confirmation) => Mapped::PasskeyCode {
            code: confirmation.code.clone(),
            confirm_on_phone: !confirmation.skip_handoff_ux,
        },
        Event::PairPasskeyError(error) => Mapped::EmitAndStop(DriverEvent::LinkFailed(
            LinkFailure::PasskeyRefused(error.error.to_string()).english(),
        )),
        Event::PairError(error) => Mapped::EmitAndStop(DriverEvent::LinkFailed(
            LinkFailure::NotLinked(error.error.to_string()).english(),
        )),
        Event::Connected(_) => Mapped::Emit(DriverEvent::Connected),
        // A 405 is about this build, not the keys: they must not be wiped for it.
        Event::ClientOutdated(_) => Mapped::Outdated,
        Event::LoggedOut(logged_out)
            if logged_out.reason == ConnectFailureReason::ClientOutdated =>
        {
            Mapped::Outdated
        }
        Event::ConnectFailure(failure)
            if failure.reason == ConnectFailureReason::ClientOutdated =>
        {
            Mapped::Outdated
        }
        Event::LoggedOut(logged_out) => {
            Mapped::EmitAndStop(DriverEvent::LoggedOut(reason_of(&logged_out.reason)))
        }
        Event::TemporaryBan(ban) => Mapped::EmitAndStop(DriverEvent::TemporarilyBanned {
            until_ms: now_ms.saturating_add(ban.expire.num_milliseconds()),
        }),
        Event::StreamReplaced(_) => {
            Mapped::EmitAndStop(DriverEvent::LoggedOut(DisconnectReason::Replaced))
        }
        Event::ConnectFailure(failure) => {
            let detail = failure
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            Mapped::EmitAndStop(DriverEvent::Unreachable(format!(
                "WhatsApp refused the connection ({:?}){detail}",
                failure.reason
            )))
        }
        Event::Disconnected(_) => Mapped::EmitAndStop(DriverEvent::ConnectionLost),
        Event::Messages(_) => Mapped::Messages,
        Event::HistorySync(_) => Mapped::History,
        // Acks come for every stanza we send; only a message's matters (a nack may omit
        // the class). The actor ignores ids it is not waiting for.
        Event::ServerAck(ack) if matches!(ack.class.as_deref(), None | Some("message")) => {
            Mapped::Emit(DriverEvent::ServerAck {
                id: ack.id.clone(),
                error: ack.error.clone(),
            })
        }
        Event::Receipt(receipt) => match receipt_of(&receipt.r#type) {
            Some(kind) if !receipt.message_ids.is_empty() => Mapped::Emit(DriverEvent::Receipt {
                ids: receipt.message_ids.clone(),
                receipt: kind,
                at_ms: receipt.timestamp.timestamp_millis(),
            }),
            _ => Mapped::Ignore,
        },
        _ => Mapped::Ignore,
    }
}

/// What a version refusal leads to: one more try when WhatsApp Web's current version
/// (`fetched`) differs from the one refused, else the refusal stands.
pub fn after_refusal(refused: (u32, u32, u32), fetched: Option<(u32, u32, u32)>) -> DriverEvent {
    match fetched {
        Some(current) if current != refused => {
            let (a, b, c) = current;
            DriverEvent::Unreachable(format!(
                "WhatsApp asked for a newer version of WhatsApp Web; trying again as {a}.{b}.{c}"
            ))
        }
        _ => DriverEvent::ClientOutdated,
    }
}

/// The tick a customer's receipt gives. `Sent` is a delivery WhatsApp downgraded (not
/// delivered); `ReadSelf` and `PlayedSelf` are the linked phone reading, not the customer.
pub fn receipt_of(kind: &ReceiptType) -> Option<Receipt> {
    match kind {
        ReceiptType::Delivered => Some(Receipt::Delivered),
        ReceiptType::Read | ReceiptType::Played => Some(Receipt::Read),
        _ => None,
    }
}

/// The reason a logout gives, as the card words it.
pub fn reason_of(reason: &ConnectFailureReason) -> DisconnectReason {
    match reason {
        ConnectFailureReason::TempBanned | ConnectFailureReason::AccountLocked => {
            DisconnectReason::Banned
        }
        ConnectFailureReason::ClientOutdated => DisconnectReason::ClientOutdated,
        _ => DisconnectReason::UnlinkedFromPhone,
    }
}

/// A phone-number JID (`5215512345678@s.whatsapp.net`, any device) as E.164.
pub fn e164_of(jid: &Jid) -> Option<String> {
    let digits = jid.user.as_str();
    let plausible = (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    (jid.server == Server::Pn && plausible).then(|| format!("+{digits}"))
}

/// A LID JID's digits (`123456789012345@lid`, any device).
pub fn lid_of(jid: &Jid) -> Option<String> {
    (jid.server == Server::Lid && address::valid_lid(&jid.user)).then(|| jid.user.to_string())
}

/// The JID to send to for a stored address: an E.164 number, or a hidden one's LID.
pub fn jid_of(stored: &str) -> Option<Jid> {
    if let Address::Hidden { lid } = Address::parse(stored) {
        return address::valid_lid(lid).then(|| Jid::lid(lid));
    }
    let digits = stored.strip_prefix('+')?;
    let plausible = (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    plausible.then(|| Jid::pn(digits))
}

#[cfg(test)]
mod tests;
