//! The WhatsApp Web account lifecycle (docs/ARCHITECTURE.md, "The account lifecycle") as a
//! pure function.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountStatus {
    Connecting,
    Connected,
    Disconnected,
    Disabled,
    Deleting,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 5] = [
        AccountStatus::Connecting,
        AccountStatus::Connected,
        AccountStatus::Disconnected,
        AccountStatus::Disabled,
        AccountStatus::Deleting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Connecting => "connecting",
            AccountStatus::Connected => "connected",
            AccountStatus::Disconnected => "disconnected",
            AccountStatus::Disabled => "disabled",
            AccountStatus::Deleting => "deleting",
        }
    }

    pub fn parse(raw: &str) -> Option<AccountStatus> {
        AccountStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Connecting => "Connecting",
            AccountStatus::Connected => "Connected",
            AccountStatus::Disconnected => "Disconnected",
            AccountStatus::Disabled => "Disabled",
            AccountStatus::Deleting => "Deleting",
        }
    }

    /// Disabled accounts are archived; everything else uses one of the plan's channels.
    pub fn counts_toward_limit(self) -> bool {
        !matches!(self, AccountStatus::Disabled)
    }
}

/// Why an account is disconnected; stored as its code, shown as its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisconnectReason {
    /// Someone pressed Disconnect in Aurora.
    ByUser,
    /// The phone removed the linked device (401 device_removed).
    UnlinkedFromPhone,
    /// WhatsApp banned the number (402).
    Banned,
    /// WhatsApp refuses this client version (405).
    ClientOutdated,
    /// Another connection took over the same device keys (440).
    Replaced,
    /// The server showing the QR code stopped. Also kept on a Connecting account whose
    /// attempt ended that way, until a new attempt starts.
    LinkingInterrupted,
    /// Linking was cancelled on an account that had been linked before.
    LinkingCancelled,
}

impl DisconnectReason {
    pub const ALL: [DisconnectReason; 7] = [
        DisconnectReason::ByUser,
        DisconnectReason::UnlinkedFromPhone,
        DisconnectReason::Banned,
        DisconnectReason::ClientOutdated,
        DisconnectReason::Replaced,
        DisconnectReason::LinkingInterrupted,
        DisconnectReason::LinkingCancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DisconnectReason::ByUser => "by_user",
            DisconnectReason::UnlinkedFromPhone => "unlinked_401",
            DisconnectReason::Banned => "banned_402",
            DisconnectReason::ClientOutdated => "client_outdated_405",
            DisconnectReason::Replaced => "replaced_440",
            DisconnectReason::LinkingInterrupted => "linking_interrupted",
            DisconnectReason::LinkingCancelled => "linking_cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<DisconnectReason> {
        DisconnectReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The sentence on the card. `actor` names who disconnected, when a person did.
    pub fn message(self, actor: Option<&str>) -> String {
        match self {
            DisconnectReason::ByUser => match actor {
                Some(name) => format!("Disconnected by {name}"),
                None => "Disconnected in Aurora".into(),
            },
            DisconnectReason::UnlinkedFromPhone => "Unlinked from the phone".into(),
            DisconnectReason::Banned => "WhatsApp banned this number".into(),
            DisconnectReason::ClientOutdated => "WhatsApp refused this client version".into(),
            DisconnectReason::Replaced => {
                "Replaced by another connection of the same device".into()
            }
            DisconnectReason::LinkingInterrupted => "Linking interrupted by a restart".into(),
            DisconnectReason::LinkingCancelled => "Linking cancelled".into(),
        }
    }
}

/// Something that happened to an account: a person's action or a WhatsApp event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEvent {
    /// Connect (or Generate new code): start a linking attempt.
    StartLinking,
    /// The phone scanned the QR code or entered the pairing code.
    Paired,
    /// Cancel while the QR is showing. `ever_linked`: the account was connected before.
    CancelLinking {
        ever_linked: bool,
    },
    /// All QR refs of the attempt went by without a scan.
    LinkingExpired,
    /// Disconnect pressed in Aurora.
    Disconnect,
    /// WhatsApp ended the session for good (unlinked, banned, outdated, replaced).
    LoggedOut(DisconnectReason),
    /// A transient network drop: the session reconnects by itself.
    ConnectionLost,
    /// The server showing the QR code stopped (a restart, or a server of the cluster
    /// died): the attempt is over and the card offers a new code.
    RestartedWhileLinking,
    Disable,
    Enable,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The account moves to (or stays in) this status.
    To(AccountStatus),
    /// The account disappears (a new account whose first linking was cancelled).
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action} is not possible while the account is {status}")]
pub struct Refused {
    pub status: &'static str,
    pub action: &'static str,
}

fn action_name(event: AccountEvent) -> &'static str {
    match event {
        AccountEvent::StartLinking => "Connecting",
        AccountEvent::Paired => "Pairing",
        AccountEvent::CancelLinking { .. } => "Cancel",
        AccountEvent::LinkingExpired => "Expiry",
        AccountEvent::Disconnect => "Disconnect",
        AccountEvent::LoggedOut(_) => "Logout",
        AccountEvent::ConnectionLost => "Reconnecting",
        AccountEvent::RestartedWhileLinking => "Recovery",
        AccountEvent::Disable => "Disable",
        AccountEvent::Enable => "Enable",
        AccountEvent::Delete => "Delete",
    }
}

/// The one place that says which events each status accepts.
pub fn transition(from: AccountStatus, event: AccountEvent) -> Result<Transition, Refused> {
    use AccountEvent as E;
    use AccountStatus as S;
    let to = match (from, event) {
        // Generate new code restarts an attempt on the same card.
        (S::Connecting | S::Disconnected, E::StartLinking) => S::Connecting,
        (S::Connecting, E::Paired) => S::Connected,
        (S::Connecting, E::CancelLinking { ever_linked: false }) => return Ok(Transition::Remove),
        (S::Connecting, E::CancelLinking { ever_linked: true }) => S::Disconnected,
        (S::Connecting, E::LinkingExpired) => S::Connecting,
        (S::Connecting, E::RestartedWhileLinking) => S::Connecting,
        (S::Connected, E::Disconnect | E::LoggedOut(_)) => S::Disconnected,
        (S::Connected, E::ConnectionLost) => S::Connected,
        (S::Disconnected, E::Disable) => S::Disabled,
        (S::Disabled, E::Enable) => S::Disconnected,
        (S::Disabled, E::Delete) => S::Deleting,
        (status, event) => {
            return Err(Refused {
                status: status.as_str(),
                action: action_name(event),
            });
        }
    };
    Ok(Transition::To(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountEvent as E;
    use AccountStatus as S;

    fn every_event() -> Vec<AccountEvent> {
        let mut events = vec![
            E::StartLinking,
            E::Paired,
            E::CancelLinking { ever_linked: false },
            E::CancelLinking { ever_linked: true },
            E::LinkingExpired,
            E::Disconnect,
            E::ConnectionLost,
            E::RestartedWhileLinking,
            E::Disable,
            E::Enable,
            E::Delete,
        ];
        events.extend(DisconnectReason::ALL.map(E::LoggedOut));
        events
    }

    /// The lifecycle table of docs/ARCHITECTURE.md, written out; every pair not in it must be
    /// refused.
    fn allowed(from: AccountStatus, event: AccountEvent) -> Option<Transition> {
        let to = |s| Some(Transition::To(s));
        match (from, event) {
            (S::Connecting, E::StartLinking) => to(S::Connecting),
            (S::Disconnected, E::StartLinking) => to(S::Connecting),
            (S::Connecting, E::Paired) => to(S::Connected),
            (S::Connecting, E::CancelLinking { ever_linked: false }) => Some(Transition::Remove),
            (S::Connecting, E::CancelLinking { ever_linked: true }) => to(S::Disconnected),
            (S::Connecting, E::LinkingExpired) => to(S::Connecting),
            (S::Connecting, E::RestartedWhileLinking) => to(S::Connecting),
            (S::Connected, E::Disconnect) => to(S::Disconnected),
            (S::Connected, E::LoggedOut(_)) => to(S::Disconnected),
            (S::Connected, E::ConnectionLost) => to(S::Connected),
            (S::Disconnected, E::Disable) => to(S::Disabled),
            (S::Disabled, E::Enable) => to(S::Disconnected),
            (S::Disabled, E::Delete) => to(S::Deleting),
            _ => None,
        }
    }

    #[test]
    fn every_status_and_event_pair_matches_the_design_table() {
        let mut refused = 0;
        for from in AccountStatus::ALL {
            for event in every_event() {
                let got = transition(from, event);
                match allowed(from, event) {
                    Some(expected) => assert_eq!(got, Ok(expected), "{from:?} + {event:?}"),
                    None => {
                        refused += 1;
                        let err = got.expect_err("must be refused");
                        assert_eq!(err.status, from.as_str());
                    }
                }
            }
        }
        assert!(refused > 50, "most pairs are refused ({refused})");
    }

    #[test]
    fn deleting_accepts_nothing() {
        for event in every_event() {
            assert!(transition(S::Deleting, event).is_err(), "{event:?}");
        }
    }

    #[test]
    fn refusals_read_as_sentences() {
        let err = transition(S::Connected, E::Delete).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Delete is not possible while the account is connected"
        );
    }

    #[test]
    fn codes_round_trip() {
        for status in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(status.as_str()), Some(status));
        }
        for reason in DisconnectReason::ALL {
            assert_eq!(DisconnectReason::parse(reason.code()), Some(reason));
        }
        assert_eq!(AccountStatus::parse("online"), None);
    }

    #[test]
    fn reasons_name_the_person_who_disconnected() {
        assert_eq!(
            DisconnectReason::ByUser.message(Some("Ana Torres")),
            "Disconnected by Ana Torres"
        );
        assert_eq!(
            DisconnectReason::UnlinkedFromPhone.message(None),
            "Unlinked from the phone"
        );
        assert_eq!(
            DisconnectReason::LinkingInterrupted.message(None),
            "Linking interrupted by a restart"
        );
    }

    #[test]
    fn only_disabled_accounts_are_outside_the_limit() {
        let counted: Vec<_> = AccountStatus::ALL
            .into_iter()
            .filter(|s| s.counts_toward_limit())
            .collect();
        assert_eq!(
            counted,
            vec![S::Connecting, S::Connected, S::Disconnected, S::Deleting]
        );
    }
}
