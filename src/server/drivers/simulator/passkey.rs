//! Accounts WhatsApp protects with a passkey (its SHORTCAKE_PASSKEY step): after the scan
//! WhatsApp asks the new device for a WebAuthn assertion, checks that it answers its
//! challenge, shows a code on the phone, and links once the phone confirms it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use tokio::sync::mpsc;

use super::{new_pair_code, ScanOutcome, Signal, Simulator};
use crate::server::drivers::assertion;
use crate::server::drivers::driver::DriverEvent;

/// A scanned, passkey-gated attempt.
pub(super) struct Gate {
    pub(super) signals: mpsc::Sender<Signal>,
    node: Option<String>,
    phone: String,
    business_name: String,
    challenge: String,
    /// The code on the phone, once the passkey passed.
    code: Option<String>,
}

impl Simulator {
    pub(super) async fn ask_passkey(
        &self,
        account: i64,
        signals: mpsc::Sender<Signal>,
        node: Option<String>,
        phone: &str,
        business_name: &str,
    ) -> ScanOutcome {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let challenge = URL_SAFE_NO_PAD.encode(bytes);
        let options = serde_json::json!({
            "challenge": challenge,
            "rpId": "web.whatsapp.com",
            "allowCredentials": [],
            "userVerification": "preferred",
            "timeout": 60000
        })
        .to_string();
        let gate = Gate {
            signals: signals.clone(),
            node,
            phone: phone.to_string(),
            business_name: business_name.to_string(),
            challenge,
            code: None,
        };
        self.state().passkey_gates.insert(account, gate);
        match signals.send(Signal::PasskeyRequested(options)).await {
            Ok(()) => ScanOutcome::Linked(account),
            Err(_) => ScanOutcome::Unknown,
        }
    }

    /// WhatsApp's check of the assertion the device handed over: it must answer this
    /// attempt's challenge. Passed: the phone shows a code. `Err`: why WhatsApp refused.
    pub(super) async fn check_passkey(
        &self,
        account: i64,
        json: &str,
        events: &mpsc::Sender<DriverEvent>,
    ) -> Result<(), String> {
        let challenge = self
            .state()
            .passkey_gates
            .get(&account)
            .map(|g| g.challenge.clone())
            .ok_or("WhatsApp did not ask for a passkey")?;
        let client_data = assertion::parse(json)
            .ok()
            .and_then(|parts| {
                serde_json::from_slice::<serde_json::Value>(&parts.client_data_json).ok()
            })
            .ok_or("WhatsApp did not accept the passkey: the assertion is malformed")?;
        if client_data["type"] != "webauthn.get" || client_data["challenge"] != challenge.as_str() {
            return Err(
                "WhatsApp did not accept the passkey: it does not answer this link's request"
                    .into(),
            );
        }
        let code = new_pair_code();
        let code = format!("{}-{}", &code[..4], &code[4..]);
        if let Some(gate) = self.state().passkey_gates.get_mut(&account) {
            gate.code = Some(code.clone());
        }
        let _ = events
            .send(DriverEvent::PasskeyCode {
                code,
                confirm_on_phone: true,
            })
            .await;
        Ok(())
    }

    /// The phone `phone` confirms the code of its passkey-gated link: the device is
    /// linked. False when none of its links waits for that.
    pub async fn confirm_passkey(&self, phone: &str) -> bool {
        let gate = {
            let mut state = self.state();
            let account = state
                .passkey_gates
                .iter()
                .find(|(_, g)| g.phone == phone && g.code.is_some())
                .map(|(id, _)| *id);
            account.and_then(|id| state.passkey_gates.remove(&id).map(|g| (id, g)))
        };
        let Some((account, gate)) = gate else {
            return false;
        };
        let outcome = self
            .link_device(
                account,
                gate.signals,
                gate.node,
                &gate.phone,
                &gate.business_name,
            )
            .await;
        outcome == ScanOutcome::Linked(account)
    }
}
