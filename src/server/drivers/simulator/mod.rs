//! An in-process fake WhatsApp network (`AURORA_WHATSAPP=simulator`) that behaves like the
//! protocol (docs/ARCHITECTURE.md, "WhatsApp facts"): batches of QR refs on the real
//! timings, pairing codes, pair success, logout by the phone, network drops, inbound
//! messages. Tests and demos use it. Its parts: `connections` (one per device, with a log),
//! `session` (what a connected device counts and sends), `wire` and `remote` (the same
//! network shared by several servers over HTTP), `http` and `wire_http` (its HTTP API).

pub mod connections;
pub mod history;
pub mod http;
pub mod passkey;
pub mod receipts;
pub mod remote;
pub mod session;
pub mod wire;
pub mod wire_http;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures::future::BoxFuture;
use rand::{Rng, RngCore};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::driver::{
    Connection, Driver, DriverCommand, DriverError, DriverEvent, InboundMedia, InboundMessage,
};
use crate::domain::account::DisconnectReason;
use crate::server::boot::config::SimTimings;
use crate::server::drivers::simulator::connections::{ConnectionLog, ConnectionReport};
use crate::server::drivers::simulator::session::{SentMessage, SimCounters, OUTBOX_LIMIT};

const PAIR_CODE_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTVWXYZ";
/// Expired refs are remembered (to answer 410 rather than 404) up to this many.
const REMEMBERED_EXPIRED_REFS: usize = 10_000;

#[derive(Debug)]
enum Signal {
    Paired {
        phone: String,
        business_name: String,
        device: String,
    },
    /// The phone scanned a passkey-gated account's QR: WhatsApp asks for the passkey.
    PasskeyRequested(String),
    Unlinked,
    NetworkDown,
    /// Another connection came online with this device's keys.
    Replaced,
    Message(InboundMessage),
    /// WhatsApp's server took a reply.
    ServerAck(String),
    /// WhatsApp reveals the number behind a customer's LID.
    LidMapped {
        lid: String,
        phone: String,
    },
    /// A part of the chats the phone sends after linking.
    History(super::driver::HistoryBatch),
    /// A customer's phone reports replies delivered or read.
    Receipt {
        ids: Vec<String>,
        receipt: super::driver::Receipt,
        at_ms: i64,
    },
}

struct Attempt {
    qr: String,
    expires_at: Instant,
    /// (phone, code) once a pairing code was requested.
    pair_code: Option<(String, String)>,
    signals: mpsc::Sender<Signal>,
    node: Option<String>,
}

struct Session {
    phone: String,
    device: String,
    signals: mpsc::Sender<Signal>,
    serial: u64,
}

struct SimState {
    network_up: bool,
    attempts: HashMap<i64, Attempt>,
    expired_refs: HashSet<String>,
    sessions: HashMap<i64, Session>,
    revoked_devices: HashSet<String>,
    outbox: Vec<SentMessage>,
    read_marks: Vec<receipts::ReadMark>,
    /// Linked phones whose own network is down (their sessions drop and cannot come back).
    offline_phones: HashSet<String>,
    /// How long a send from a linked phone takes on the wire (a slow network); none by default.
    send_delays: HashMap<String, Duration>,
    /// Linked phones whose sends the network swallows: no server ack, never delivered.
    stalled_phones: HashSet<String>,
    /// WhatsApp refuses this client's version (405), as after a WhatsApp Web release.
    version_refused: bool,
    /// The same for the sessions of these linked phones only (so a test keeps it to itself).
    version_refused_phones: HashSet<String>,
    connections: ConnectionLog,
    next_serial: u64,
    /// Linking attempts of passkey-gated accounts, scanned and waiting for the passkey.
    passkey_gates: HashMap<i64, passkey::Gate>,
    /// The files phones' histories name, by reference, until a linked device asks for them.
    history_files: HashMap<String, history::HistoryFile>,
}

impl SimState {
    /// Where to signal every online session of the linked phone `phone`.
    fn sessions_of(&self, phone: &str) -> Vec<mpsc::Sender<Signal>> {
        self.sessions
            .values()
            .filter(|s| s.phone == phone)
            .map(|s| s.signals.clone())
            .collect()
    }

    /// Records a session going online; one with the same device keys is kicked off.
    fn go_online(
        &mut self,
        account: i64,
        phone: String,
        device: String,
        signals: mpsc::Sender<Signal>,
        node: Option<String>,
    ) -> Vec<mpsc::Sender<Signal>> {
        self.next_serial += 1;
        let serial = self.next_serial;
        let replaced = self.connections.opened(serial, account, &device, node);
        let kicked = self
            .sessions
            .values()
            .filter(|s| replaced.contains(&s.serial))
            .map(|s| s.signals.clone())
            .collect();
        self.sessions.retain(|_, s| !replaced.contains(&s.serial));
        let session = Session {
            phone,
            device,
            signals,
            serial,
        };
        self.sessions.insert(account, session);
        kicked
    }
}

async fn kick(replaced: Vec<mpsc::Sender<Signal>>) {
    for signals in replaced {
        let _ = signals.send(Signal::Replaced).await;
    }
}

/// What `GET /simulator/api/linking` reports for one account showing a QR.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkingInfo {
    pub account_id: i64,
    pub qr: String,
    pub expires_in_ms: u64,
    pub pair_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanOutcome {
    Linked(i64),
    Expired,
    Unknown,
}

#[derive(Clone)]
pub struct Simulator {
    state: Arc<Mutex<SimState>>,
    timings: SimTimings,
}

fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    STANDARD.encode(buf)
}

/// `ref,noiseKeyB64,identityKeyB64,advSecretB64,clientType` as whatsapp-rust 0.7 emits it
/// (client type 1: Chrome).
pub fn new_qr_text() -> String {
    let reference = format!("2@{}", random_b64(33));
    format!(
        "{reference},{},{},{},1",
        random_b64(32),
        random_b64(32),
        random_b64(32)
    )
}

/// A message as a customer's phone would send it; a fresh WhatsApp id unless one is given
/// (a replay test gives the same id twice).
pub fn customer_message(
    id: Option<String>,
    from: &str,
    name: &str,
    text: &str,
    media: Option<InboundMedia>,
) -> InboundMessage {
    let id = id.unwrap_or_else(|| {
        let mut bytes = [0u8; 10];
        rand::thread_rng().fill_bytes(&mut bytes);
        format!("3EB0{}", hex::encode_upper(bytes))
    });
    InboundMessage {
        id,
        from: from.into(),
        name: name.into(),
        text: text.into(),
        sent_at_ms: crate::server::db::now_ms(),
        media,
    }
}

pub fn new_pair_code() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| PAIR_CODE_ALPHABET[rng.gen_range(0..PAIR_CODE_ALPHABET.len())] as char)
        .collect()
}

fn credentials_for(phone: &str, device: &str) -> String {
    format!("sim1|{phone}|{device}")
}

fn parse_credentials(credentials: &str) -> Option<(String, String)> {
    let mut parts = credentials.split('|');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("sim1"), Some(phone), Some(device), None) => {
            Some((phone.to_string(), device.to_string()))
        }
        _ => None,
    }
}

impl Simulator {
    pub fn new(timings: SimTimings) -> Self {
        let state = SimState {
            network_up: true,
            send_delays: HashMap::new(),
            stalled_phones: HashSet::new(),
            version_refused: false,
            version_refused_phones: HashSet::new(),
            offline_phones: HashSet::new(),
            attempts: HashMap::new(),
            expired_refs: HashSet::new(),
            sessions: HashMap::new(),
            revoked_devices: HashSet::new(),
            outbox: Vec::new(),
            read_marks: Vec::new(),
            connections: ConnectionLog::default(),
            next_serial: 0,
            passkey_gates: HashMap::new(),
            history_files: HashMap::new(),
        };
        Simulator {
            state: Arc::new(Mutex::new(state)),
            timings,
        }
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn linking(&self) -> Vec<LinkingInfo> {
        let now = Instant::now();
        let mut list: Vec<LinkingInfo> = self
            .state()
            .attempts
            .iter()
            .filter(|(_, a)| a.expires_at > now)
            .map(|(id, a)| LinkingInfo {
                account_id: *id,
                qr: a.qr.clone(),
                expires_in_ms: (a.expires_at - now).as_millis() as u64,
                pair_code: a.pair_code.as_ref().map(|(_, code)| code.clone()),
            })
            .collect();
        list.sort_by_key(|l| l.account_id);
        list
    }

    /// The phones with a linked device, and the account each one is linked to.
    pub fn phones(&self) -> Vec<(String, i64)> {
        let mut phones: Vec<(String, i64)> = self
            .state()
            .sessions
            .iter()
            .map(|(id, s)| (s.phone.clone(), *id))
            .collect();
        phones.sort();
        phones
    }

    /// What the number `phone` sent, oldest first.
    pub fn outbox(&self, phone: &str) -> Vec<SentMessage> {
        self.state()
            .outbox
            .iter()
            .filter(|m| m.from == phone)
            .cloned()
            .collect()
    }

    /// The message's id, and whether the network swallowed it (the phone is stalled): then
    /// it left the socket but nobody will ever see it.
    fn record_sent(
        &self,
        account: i64,
        to: String,
        text: String,
    ) -> Result<(String, bool), DriverError> {
        let mut state = self.state();
        let from = state
            .sessions
            .get(&account)
            .map(|s| s.phone.clone())
            .ok_or(DriverError::Closed)?;
        let mut bytes = [0u8; 10];
        rand::thread_rng().fill_bytes(&mut bytes);
        let id = format!("3EB0{}", hex::encode_upper(bytes));
        if state.stalled_phones.contains(&from) {
            return Ok((id, true));
        }
        if state.outbox.len() >= OUTBOX_LIMIT {
            state.outbox.remove(0);
        }
        state.outbox.push(SentMessage {
            from,
            to,
            text,
            id: id.clone(),
            at_ms: crate::server::db::now_ms(),
            delivered_at_ms: None,
            read_at_ms: None,
        });
        Ok((id, false))
    }

    /// The network swallows `phone`'s sends (`stall`) or carries them again.
    pub fn set_stalled(&self, phone: &str, stall: bool) {
        let mut state = self.state();
        if stall {
            state.stalled_phones.insert(phone.to_string());
        } else {
            state.stalled_phones.remove(phone);
        }
    }

    /// Every connection open now, and every open and close so far.
    pub fn connection_log(&self) -> ConnectionReport {
        self.state().connections.report()
    }

    pub fn network_up(&self) -> bool {
        self.state().network_up
    }

    async fn pair(
        &self,
        find: impl Fn(&Attempt) -> bool,
        qr: Option<&str>,
        phone: &str,
        business_name: &str,
        passkey: bool,
    ) -> ScanOutcome {
        let now = Instant::now();
        let found = {
            let mut state = self.state();
            let account = state
                .attempts
                .iter()
                .find(|(_, a)| a.expires_at > now && find(a))
                .map(|(id, _)| *id);
            match account {
                Some(id) => state.attempts.remove(&id).map(|a| {
                    // A ref links once; scanning it again is answered as expired.
                    remember_expired(&mut state, a.qr);
                    (id, a.signals, a.node)
                }),
                None => {
                    let stale = qr.is_some_and(|qr| {
                        state.expired_refs.contains(qr)
                            || state.attempts.values().any(|a| a.qr == qr)
                    });
                    return if stale {
                        ScanOutcome::Expired
                    } else {
                        ScanOutcome::Unknown
                    };
                }
            }
        };
        let Some((account, signals, node)) = found else {
            return ScanOutcome::Unknown;
        };
        if passkey {
            return self
                .ask_passkey(account, signals, node, phone, business_name)
                .await;
        }
        self.link_device(account, signals, node, phone, business_name)
            .await
    }

    /// The phone accepted the device: it is linked the moment it does.
    async fn link_device(
        &self,
        account: i64,
        signals: mpsc::Sender<Signal>,
        node: Option<String>,
        phone: &str,
        business_name: &str,
    ) -> ScanOutcome {
        // The device is linked the moment the phone accepts it, before the connection task
        // hears of it, so messages and unlinks right after a scan find it.
        let device = random_b64(12);
        let replaced = self.state().go_online(
            account,
            phone.to_string(),
            device.clone(),
            signals.clone(),
            node,
        );
        kick(replaced).await;
        let paired = Signal::Paired {
            phone: phone.to_string(),
            business_name: business_name.to_string(),
            device,
        };
        match signals.send(paired).await {
            Ok(()) => ScanOutcome::Linked(account),
            Err(_) => ScanOutcome::Unknown,
        }
    }

    pub async fn scan(&self, qr: &str, phone: &str, business_name: &str) -> ScanOutcome {
        self.pair(|a| a.qr == qr, Some(qr), phone, business_name, false)
            .await
    }

    /// A scan by the phone of an account WhatsApp protects with a passkey.
    pub async fn scan_passkey_gated(
        &self,
        qr: &str,
        phone: &str,
        business_name: &str,
    ) -> ScanOutcome {
        self.pair(|a| a.qr == qr, Some(qr), phone, business_name, true)
            .await
    }

    pub async fn enter_pair_code(
        &self,
        phone: &str,
        code: &str,
        business_name: &str,
    ) -> ScanOutcome {
        let code = code.trim().to_ascii_uppercase();
        self.pair(
            |a| {
                a.pair_code
                    .as_ref()
                    .is_some_and(|(p, c)| p == phone && *c == code)
            },
            None,
            phone,
            business_name,
            false,
        )
        .await
    }

    /// The phone removes every device linked to it. Returns how many it removed.
    pub async fn unlink(&self, phone: &str) -> usize {
        let targets = self.state().sessions_of(phone);
        for signals in &targets {
            let _ = signals.send(Signal::Unlinked).await;
        }
        targets.len()
    }

    /// Delivers a chat message to the device linked to `phone`. False when none is online.
    pub async fn deliver(&self, phone: &str, message: InboundMessage) -> bool {
        let target = self
            .state()
            .sessions
            .values()
            .find(|s| s.phone == phone)
            .map(|s| s.signals.clone());
        match target {
            Some(signals) => signals.send(Signal::Message(message)).await.is_ok(),
            None => false,
        }
    }

    /// WhatsApp tells the linked number `phone` that the customer it showed as `lid` has
    /// the number `number`; false when no device of `phone` is online.
    pub async fn reveal_lid(&self, phone: &str, lid: String, number: String) -> bool {
        let targets = self.state().sessions_of(phone);
        let mut told = false;
        for signals in targets {
            let mapping = Signal::LidMapped {
                lid: lid.clone(),
                phone: number.clone(),
            };
            told |= signals.send(mapping).await.is_ok();
        }
        told
    }

    /// Makes each send from `phone` take `delay` between reaching the socket and being
    /// confirmed (zero: at once).
    pub fn set_send_delay(&self, phone: &str, delay: Duration) {
        self.state().send_delays.insert(phone.to_string(), delay);
    }

    /// Takes one linked phone's network down (its session drops and cannot reconnect) or
    /// brings it back, leaving every other phone alone.
    pub async fn set_phone_network(&self, phone: &str, up: bool) {
        let dropped: Vec<mpsc::Sender<Signal>> = {
            let mut state = self.state();
            if up {
                state.offline_phones.remove(phone);
                Vec::new()
            } else {
                state.offline_phones.insert(phone.to_string());
                state.sessions_of(phone)
            }
        };
        for signals in dropped {
            let _ = signals.send(Signal::NetworkDown).await;
        }
    }

    pub async fn set_network(&self, up: bool) {
        let dropped: Vec<mpsc::Sender<Signal>> = {
            let mut state = self.state();
            state.network_up = up;
            if up {
                Vec::new()
            } else {
                state.sessions.values().map(|s| s.signals.clone()).collect()
            }
        };
        for signals in dropped {
            let _ = signals.send(Signal::NetworkDown).await;
        }
    }

    /// WhatsApp starts refusing this client's version (`refused`), as after a release, for
    /// every connection or only `phone`'s sessions: those online drop and meet the refusal
    /// when they reconnect. Or accepts it again.
    pub async fn set_version_refused(&self, phone: Option<&str>, refused: bool) {
        let dropped: Vec<mpsc::Sender<Signal>> = {
            let mut state = self.state();
            match (phone, refused) {
                (None, _) => state.version_refused = refused,
                (Some(phone), true) => {
                    state.version_refused_phones.insert(phone.to_string());
                }
                (Some(phone), false) => {
                    state.version_refused_phones.remove(phone);
                }
            }
            match refused {
                true => state
                    .sessions
                    .values()
                    .filter(|s| phone.is_none_or(|p| s.phone == p))
                    .map(|s| s.signals.clone())
                    .collect(),
                false => Vec::new(),
            }
        };
        for signals in dropped {
            let _ = signals.send(Signal::NetworkDown).await;
        }
    }

    fn refuses_version(&self, credentials: Option<&str>) -> bool {
        let state = self.state();
        state.version_refused
            || credentials
                .and_then(parse_credentials)
                .is_some_and(|(phone, _)| state.version_refused_phones.contains(&phone))
    }

    fn end_attempt(&self, account: i64, mine: &mpsc::Sender<Signal>) {
        let mut state = self.state();
        if state
            .passkey_gates
            .get(&account)
            .is_some_and(|g| g.signals.same_channel(mine))
        {
            state.passkey_gates.remove(&account);
        }
        if state
            .attempts
            .get(&account)
            .is_some_and(|a| a.signals.same_channel(mine))
        {
            if let Some(old) = state.attempts.remove(&account) {
                remember_expired(&mut state, old.qr);
            }
        }
    }

    fn end_session(&self, account: i64, mine: &mpsc::Sender<Signal>, revoke: bool) {
        let mut state = self.state();
        if state
            .sessions
            .get(&account)
            .is_some_and(|s| s.signals.same_channel(mine))
        {
            if let Some(session) = state.sessions.remove(&account) {
                state.connections.closed(session.serial);
                if revoke {
                    state.revoked_devices.insert(session.device);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_linking(
        self,
        account: i64,
        node: Option<String>,
        events: mpsc::Sender<DriverEvent>,
        mut commands: mpsc::Receiver<DriverCommand>,
        signals_tx: mpsc::Sender<Signal>,
        mut signals: mpsc::Receiver<Signal>,
    ) {
        // Once WhatsApp asks for the passkey no new QR comes; the attempt waits for the
        // answer until its QR budget runs out, as WhatsApp's does.
        let mut passkey_asked = false;
        for index in 0..self.timings.count {
            let ms = if index == 0 {
                self.timings.first_ms
            } else {
                self.timings.next_ms
            };
            let valid_for = Duration::from_millis(ms);
            let qr = new_qr_text();
            if !passkey_asked {
                let mut state = self.state();
                let pair_code = state
                    .attempts
                    .get(&account)
                    .and_then(|a| a.pair_code.clone());
                let attempt = Attempt {
                    qr: qr.clone(),
                    expires_at: Instant::now() + valid_for,
                    pair_code,
                    signals: signals_tx.clone(),
                    node: node.clone(),
                };
                if let Some(old) = state.attempts.insert(account, attempt) {
                    remember_expired(&mut state, old.qr);
                }
            }
            if !passkey_asked
                && events
                    .send(DriverEvent::Qr {
                        code: qr,
                        valid_for,
                    })
                    .await
                    .is_err()
            {
                return self.end_attempt(account, &signals_tx);
            }
            let deadline = tokio::time::sleep(valid_for);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    _ = &mut deadline => break,
                    command = commands.recv() => match command {
                        None => return self.end_attempt(account, &signals_tx),
                        Some(DriverCommand::Logout { reply }) => {
                            self.end_attempt(account, &signals_tx);
                            let _ = reply.send(Ok(()));
                            return;
                        }
                        Some(DriverCommand::RequestPairCode { phone, reply }) => {
                            let code = new_pair_code();
                            if let Some(attempt) = self.state().attempts.get_mut(&account) {
                                attempt.pair_code = Some((phone, code.clone()));
                            }
                            let _ = reply.send(Ok(code));
                        }
                        Some(DriverCommand::SendText { reply, .. }) => {
                            let _ = reply.send(Err(DriverError::Rejected("the number is not linked yet".into())));
                        }
                        Some(DriverCommand::MarkRead { reply, .. }) => {
                            let _ = reply.send(Err(DriverError::Rejected("the number is not linked yet".into())));
                        }
                        Some(DriverCommand::Stats { reply }) => {
                            let _ = reply.send(Default::default());
                        }
                        Some(DriverCommand::FetchMedia { reply, .. }) => {
                            let _ = reply.send(Err(DriverError::Rejected("the number is not linked yet".into())));
                        }
                        Some(DriverCommand::PasskeyAssertion { json, reply }) => {
                            let _ = reply.send(Ok(()));
                            if let Err(refusal) = self.check_passkey(account, &json, &events).await {
                                self.end_attempt(account, &signals_tx);
                                let _ = events.send(DriverEvent::LinkFailed(refusal)).await;
                                return;
                            }
                        }
                    },
                    signal = signals.recv() => match signal {
                        Some(Signal::Paired { phone, business_name, device }) => {
                            let credentials = credentials_for(&phone, &device);
                            let _ = events.send(DriverEvent::Paired { phone, business_name, credentials }).await;
                            let _ = events.send(DriverEvent::Connected).await;
                            return self.run_session(account, events, commands, signals_tx, signals).await;
                        }
                        Some(Signal::PasskeyRequested(options_json)) => {
                            passkey_asked = true;
                            let _ = events.send(DriverEvent::PasskeyRequested { options_json }).await;
                        }
                        _ => {}
                    }
                }
            }
        }
        self.end_attempt(account, &signals_tx);
        let _ = events.send(DriverEvent::LinkingExpired).await;
    }

    async fn run_session(
        self,
        account: i64,
        events: mpsc::Sender<DriverEvent>,
        mut commands: mpsc::Receiver<DriverCommand>,
        signals_tx: mpsc::Sender<Signal>,
        mut signals: mpsc::Receiver<Signal>,
    ) {
        let mut counters = SimCounters::default();
        counters.received(0, false);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    None => return self.end_session(account, &signals_tx, false),
                    Some(DriverCommand::Logout { reply }) => {
                        self.end_session(account, &signals_tx, true);
                        let _ = reply.send(Ok(()));
                        return;
                    }
                    Some(DriverCommand::RequestPairCode { reply, .. }) => {
                        let _ = reply.send(Err(DriverError::Rejected("this device is already linked".into())));
                    }
                    Some(DriverCommand::SendText { to, text, ticket, reply }) => {
                        if !ticket.take() {
                            continue; // given up on before it reached the socket
                        }
                        let delay = {
                            let state = self.state();
                            state.sessions.get(&account).and_then(|s| state.send_delays.get(&s.phone)).copied()
                        };
                        if let Some(delay) = delay.filter(|d| !d.is_zero()) {
                            tokio::time::sleep(delay).await;
                        }
                        let size = text.len();
                        let sent = self.record_sent(account, to, text);
                        if let Ok((id, swallowed)) = &sent {
                            counters.sent(size, true);
                            if !swallowed {
                                let _ = signals_tx.send(Signal::ServerAck(id.clone())).await;
                                self.acknowledge_later(id.clone(), signals_tx.clone());
                            }
                        }
                        let _ = reply.send(sent.map(|(id, _)| id));
                    }
                    Some(DriverCommand::MarkRead { chat, ids, reply }) => {
                        counters.sent(ids.len() * 24, false);
                        let done = if self.record_read_marks(account, chat, ids) { Ok(()) } else { Err(DriverError::Closed) };
                        let _ = reply.send(done);
                    }
                    Some(DriverCommand::Stats { reply }) => {
                        let _ = reply.send(counters.snapshot());
                    }
                    Some(DriverCommand::PasskeyAssertion { reply, .. }) => {
                        let _ = reply.send(Err(DriverError::Rejected("the number is already linked".into())));
                    }
                    Some(DriverCommand::FetchMedia { reference, reply }) => {
                        let file = self.history_file(account, &reference);
                        if let Ok(bytes) = &file {
                            counters.received(bytes.len(), false);
                        }
                        let _ = reply.send(file);
                    }
                },
                signal = signals.recv() => match signal {
                    Some(Signal::Unlinked) => {
                        self.end_session(account, &signals_tx, true);
                        let _ = events.send(DriverEvent::LoggedOut(DisconnectReason::UnlinkedFromPhone)).await;
                        return;
                    }
                    Some(Signal::NetworkDown) => {
                        self.end_session(account, &signals_tx, false);
                        let _ = events.send(DriverEvent::ConnectionLost).await;
                        return;
                    }
                    Some(Signal::Replaced) => {
                        self.end_session(account, &signals_tx, false);
                        let _ = events.send(DriverEvent::LoggedOut(DisconnectReason::Replaced)).await;
                        return;
                    }
                    Some(Signal::Message(message)) => {
                        let size = message.text.len() + message.media.as_ref().map_or(0, |m| m.bytes.len());
                        counters.received(size, true);
                        let _ = events.send(DriverEvent::Message(message)).await;
                    }
                    Some(Signal::LidMapped { lid, phone }) => {
                        counters.received(lid.len() + phone.len(), false);
                        let _ = events.send(DriverEvent::LidMapped { lid, phone }).await;
                    }
                    Some(Signal::ServerAck(id)) => {
                        counters.received(id.len(), false);
                        let _ = events.send(DriverEvent::ServerAck { id, error: None }).await;
                    }
                    Some(Signal::History(batch)) => {
                        let size: usize = batch.messages.iter().map(|m| m.text.len() + 40).sum();
                        counters.received(size, false);
                        let _ = events.send(DriverEvent::History(batch)).await;
                    }
                    Some(Signal::Receipt { ids, receipt, at_ms }) => {
                        counters.received(ids.len() * 24, false);
                        let _ = events.send(DriverEvent::Receipt { ids, receipt, at_ms }).await;
                    }
                    Some(Signal::Paired { .. } | Signal::PasskeyRequested(_)) | None => {}
                },
            }
        }
    }
}

fn remember_expired(state: &mut SimState, qr: String) {
    if state.expired_refs.len() >= REMEMBERED_EXPIRED_REFS {
        state.expired_refs.clear();
    }
    state.expired_refs.insert(qr);
}

impl Simulator {
    /// Opens a connection as `node` (a process of a cluster, when it says which).
    pub fn open_as(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
        node: Option<String>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        let sim = self.clone();
        Box::pin(async move {
            if !sim.network_up() {
                return Err(DriverError::Unreachable(
                    "the simulated network is down".into(),
                ));
            }
            let (commands_tx, commands) = mpsc::channel(8);
            if sim.refuses_version(credentials.as_deref()) {
                // WhatsApp answers the handshake with a 405 and closes.
                tokio::spawn(async move {
                    let _ = events.send(DriverEvent::ClientOutdated).await;
                    drop(commands);
                });
                return Ok(Connection {
                    commands: commands_tx,
                });
            }
            let (signals_tx, signals) = mpsc::channel(64);
            match credentials {
                None => {
                    tokio::spawn(
                        sim.clone()
                            .run_linking(account, node, events, commands, signals_tx, signals),
                    );
                }
                Some(credentials) => {
                    let (phone, device) = parse_credentials(&credentials)
                        .ok_or_else(|| DriverError::Rejected("unreadable credentials".into()))?;
                    let replaced = {
                        let mut state = sim.state();
                        if state.offline_phones.contains(&phone) {
                            return Err(DriverError::Unreachable(
                                "the simulated phone's network is down".into(),
                            ));
                        }
                        if state.revoked_devices.contains(&device) {
                            return Err(DriverError::LoggedOut(
                                DisconnectReason::UnlinkedFromPhone,
                            ));
                        }
                        state.go_online(account, phone, device, signals_tx.clone(), node)
                    };
                    kick(replaced).await;
                    let _ = events.send(DriverEvent::Connected).await;
                    tokio::spawn(
                        sim.clone()
                            .run_session(account, events, commands, signals_tx, signals),
                    );
                }
            }
            Ok(Connection {
                commands: commands_tx,
            })
        })
    }
}

impl Driver for Simulator {
    fn open(
        &self,
        account: i64,
        credentials: Option<String>,
        events: mpsc::Sender<DriverEvent>,
    ) -> BoxFuture<'static, Result<Connection, DriverError>> {
        self.open_as(account, credentials, events, None)
    }
}

#[cfg(test)]
mod tests;
