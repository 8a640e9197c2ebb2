//! The session manager: one actor (tokio task) per account that has a live or linking
//! session, reached only through this cloneable handle. Commands go in; every change
//! comes out on one broadcast channel, after it has been written to the database.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;

use super::actor::{AccountActor, ActorCommand, StatusWrite};
use super::backoff::Backoff;
use super::membership::Membership;
use crate::domain::account::{AccountEvent, AccountStatus, DisconnectReason};
use crate::server::db::{account_lifecycle as lifecycle, accounts, now_ms, Db};
use crate::server::drivers::driver::{Driver, DriverError, SendTicket, SessionStats};
use crate::server::media::MediaStore;
use generations::Generations;
pub use generations::PageGeneration;

pub use crate::server::sessions::state::{
    AccountChanged, ConversationChanged, Health, Initiator, LinkState, LiveState, ManagerError,
};

#[derive(Debug, Clone)]
pub struct ManagerOptions {
    pub backoff: Backoff,
    /// How long a send may wait for WhatsApp's confirmation; past it the message is
    /// Not sent when it never reached the socket, and "may have gone out" when it did.
    pub send_timeout: Duration,
    /// How long a sent message may wait for WhatsApp's server ack before the channel's
    /// health says its messages aren't being accepted.
    pub ack_timeout: Duration,
    /// How many days back the chats WhatsApp sends after linking are imported; 0: none.
    pub history_days: u32,
    /// How long an import waits for WhatsApp's next part before it ends as it stands.
    pub history_quiet: Duration,
    /// Where inbound media files are written.
    pub media: MediaStore,
    /// This process's membership of a cluster (PostgreSQL with several servers): an
    /// account it starts linking becomes its own.
    pub cluster: Option<Membership>,
    /// In a cluster: where every change goes to be told to the other servers.
    pub peers: Option<mpsc::UnboundedSender<PeerChange>>,
}

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions {
            backoff: Backoff::default(),
            send_timeout: Duration::from_secs(30),
            ack_timeout: Duration::from_secs(60),
            history_days: 30,
            history_quiet: Duration::from_secs(600),
            media: MediaStore::default(),
            cluster: None,
            peers: None,
        }
    }
}

pub(super) struct Inner {
    pub db: Db,
    pub driver: Arc<dyn Driver>,
    pub options: ManagerOptions,
    changes: broadcast::Sender<AccountChanged>,
    conversations: broadcast::Sender<ConversationChanged>,
    /// Pages must read everything again (changes may have been missed).
    resyncs: broadcast::Sender<()>,
    /// Accounts whose replies, typed on another server, wait for this one to send them.
    send_requests: broadcast::Sender<i64>,
    actors: Mutex<HashMap<i64, mpsc::Sender<ActorCommand>>>,
    live: Mutex<HashMap<i64, LiveState>>,
    pub inbound_messages: AtomicU64,
    restarts: AtomicU64,
    /// Set while every session is closed (shutdown, or a cluster node that lost its lease).
    stopped: AtomicBool,
    /// Increases with every published change; a card built later carries a higher one, so
    /// a browser never replaces a newer card with an older answer. Starts from the clock
    /// so it keeps increasing across restarts.
    sequence: AtomicU64,
    revisions: Mutex<HashMap<i64, u64>>,
    generations: Generations,
    /// In a cluster: every change also goes to the other servers.
    outbox: Option<mpsc::UnboundedSender<PeerChange>>,
}

/// A change to tell the other servers of; `live` only from the server running the session.
#[derive(Debug)]
pub struct PeerChange {
    pub company_id: i64,
    pub account_id: i64,
    pub removed: bool,
    pub live: Option<LiveState>,
    /// Set when a conversation changed (a message), not the account.
    pub conversation: Option<i64>,
    /// Replies wait for the account's owner to send them.
    pub send: bool,
    /// The claim of the session whose live state this is (0: none).
    pub epoch: i64,
}

/// Removes the account's entry when it is still this actor's (not a fresh one's).
fn forget_actor(
    actors: &mut HashMap<i64, mpsc::Sender<ActorCommand>>,
    account: i64,
    sender: &mpsc::Sender<ActorCommand>,
) {
    if actors.get(&account).is_some_and(|s| s.same_channel(sender)) {
        actors.remove(&account);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inner {
    pub fn live(&self, account: i64) -> LiveState {
        lock(&self.live).get(&account).cloned().unwrap_or_default()
    }

    pub fn set_live(&self, account: i64, update: impl FnOnce(&mut LiveState)) {
        let mut live = lock(&self.live);
        let state = live.entry(account).or_default();
        update(state);
        if *state == LiveState::default() {
            live.remove(&account);
        }
    }

    pub fn publish(&self, company_id: i64, account_id: i64, removed: bool) {
        self.publish_claimed(company_id, account_id, removed, 0)
    }

    /// `epoch`: the claim of the session publishing its live state (0: none).
    pub fn publish_claimed(&self, company_id: i64, account_id: i64, removed: bool, epoch: i64) {
        if let Some(outbox) = &self.outbox {
            let runs_session = lock(&self.actors).contains_key(&account_id);
            let live = (runs_session && !removed).then(|| self.live(account_id));
            let _ = outbox.send(PeerChange {
                company_id,
                account_id,
                removed,
                live,
                conversation: None,
                send: false,
                epoch,
            });
        }
        self.publish_here(company_id, account_id, removed);
    }

    /// Tells this server's pages only (a change another server announced).
    pub fn publish_here(&self, company_id: i64, account_id: i64, removed: bool) {
        if removed {
            lock(&self.live).remove(&account_id);
        }
        self.generations.changed(company_id);
        let revision = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        if removed {
            lock(&self.revisions).remove(&account_id);
        } else {
            lock(&self.revisions).insert(account_id, revision);
        }
        let _ = self.changes.send(AccountChanged {
            company_id,
            account_id,
            removed,
            at: Instant::now(),
        });
    }

    pub fn conversation_changed(&self, company_id: i64, account_id: i64, conversation_id: i64) {
        if let Some(outbox) = &self.outbox {
            let _ = outbox.send(PeerChange {
                company_id,
                account_id,
                removed: false,
                live: None,
                conversation: Some(conversation_id),
                send: false,
                epoch: 0,
            });
        }
        self.conversation_changed_here(company_id, account_id, conversation_id);
    }

    /// Tells this server's inbox pages only (another server announced it).
    pub fn conversation_changed_here(
        &self,
        company_id: i64,
        account_id: i64,
        conversation_id: i64,
    ) {
        self.generations.changed(company_id);
        let _ = self.conversations.send(ConversationChanged {
            company_id,
            account_id,
            conversation_id,
        });
    }

    fn actor_exited(&self, account: i64, sender: &mpsc::Sender<ActorCommand>) {
        forget_actor(&mut lock(&self.actors), account, sender);
    }

    /// An idle actor (nothing open, nothing scheduled) leaves the map, unless a command
    /// reached it meanwhile; checked under the lock `send` queues commands under.
    pub fn retire_if_idle(
        &self,
        account: i64,
        me: &mpsc::Sender<ActorCommand>,
        commands: &mpsc::Receiver<ActorCommand>,
    ) -> bool {
        let mut actors = lock(&self.actors);
        if !commands.is_empty() {
            return false;
        }
        forget_actor(&mut actors, account, me);
        true
    }
}

#[derive(Clone)]
pub struct SessionManager {
    inner: Arc<Inner>,
}

impl SessionManager {
    pub fn new(db: Db, driver: Arc<dyn Driver>, options: ManagerOptions) -> Self {
        let (changes, _) = broadcast::channel(4096);
        let (conversations, _) = broadcast::channel(4096);
        let (resyncs, _) = broadcast::channel(16);
        let (send_requests, _) = broadcast::channel(1024);
        let outbox = options.peers.clone();
        let inner = Inner {
            db,
            driver,
            options,
            changes,
            conversations,
            resyncs,
            send_requests,
            actors: Mutex::new(HashMap::new()),
            live: Mutex::new(HashMap::new()),
            inbound_messages: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            sequence: AtomicU64::new(now_ms().max(0) as u64 * 1000),
            revisions: Mutex::new(HashMap::new()),
            generations: Generations::default(),
            outbox,
        };
        SessionManager {
            inner: Arc::new(inner),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<AccountChanged> {
        self.inner.changes.subscribe()
    }

    pub fn live(&self, account: i64) -> LiveState {
        self.inner.live(account)
    }

    /// The account whose passkey-gated attempt has the one-time `token`, and WhatsApp's
    /// request for the passkey.
    pub fn passkey_request(&self, token: &str) -> Option<(i64, String)> {
        lock(&self.inner.live)
            .iter()
            .find_map(|(account, live)| match &live.link {
                Some(LinkState::Passkey {
                    options_json,
                    token: Some(current),
                }) if super::passkey::same_token(current, token) => {
                    Some((*account, options_json.clone()))
                }
                _ => None,
            })
    }

    /// Told when every page must read everything again.
    pub fn subscribe_resyncs(&self) -> broadcast::Receiver<()> {
        self.inner.resyncs.subscribe()
    }

    /// Changes may have been missed (this server stopped hearing the others for a while).
    pub fn resync_pages(&self) {
        self.inner.generations.everything_changed();
        let _ = self.inner.resyncs.send(());
    }

    /// Conversations that gained a message or whose messages changed state.
    pub fn subscribe_conversations(&self) -> broadcast::Receiver<ConversationChanged> {
        self.inner.conversations.subscribe()
    }

    /// Tells the open inboxes that a conversation changed (a reply, a scheduled send).
    pub fn conversation_changed(&self, company_id: i64, account_id: i64, conversation_id: i64) {
        self.inner
            .conversation_changed(company_id, account_id, conversation_id);
    }

    /// The revision of the account's last published change. Read it before reading the
    /// account's state: the state is then at least as new as the revision says.
    pub fn revision(&self, account: i64) -> u64 {
        self.revisions()(account)
    }

    /// The company's pages as of now, for a page kept rendered: read it before the data.
    pub fn page_generation(&self, company_id: i64) -> PageGeneration {
        self.inner.generations.current(company_id)
    }

    /// Every account's revision as of now, for building many cards.
    pub fn revisions(&self) -> impl Fn(i64) -> u64 {
        let known = lock(&self.inner.revisions).clone();
        let current = self.inner.sequence.load(Ordering::Relaxed);
        move |account| known.get(&account).copied().unwrap_or(current)
    }

    /// Tells every open page that an account's settings changed (the manager did not do it).
    pub fn settings_changed(&self, company_id: i64, account_id: i64) {
        self.inner.publish(company_id, account_id, false);
    }

    /// Tells every open page that an account is gone (a finished Delete).
    pub fn account_removed(&self, company_id: i64, account_id: i64) {
        self.inner.publish(company_id, account_id, true);
    }

    pub fn inbound_messages(&self) -> u64 {
        self.inner.inbound_messages.load(Ordering::Relaxed)
    }

    pub fn actor_restarts(&self) -> u64 {
        self.inner.restarts.load(Ordering::Relaxed)
    }

    pub fn running_actors(&self) -> usize {
        lock(&self.inner.actors).len()
    }

    /// Starts the account's actor and registers it, under the caller's lock of the map so
    /// that two commands arriving at once never start two actors (two connections).
    fn spawn_actor(
        &self,
        actors: &mut HashMap<i64, mpsc::Sender<ActorCommand>>,
        account: i64,
        company_id: i64,
    ) -> mpsc::Sender<ActorCommand> {
        let (sender, commands) = mpsc::channel(32);
        actors.insert(account, sender.clone());
        let manager = self.clone();
        let own_sender = sender.clone();
        tokio::spawn(async move {
            let actor = AccountActor::new(account, company_id, manager.inner.clone());
            let crashed = AssertUnwindSafe(actor.run(commands, own_sender.clone()))
                .catch_unwind()
                .await
                .is_err();
            manager.inner.actor_exited(account, &own_sender);
            if crashed {
                manager.restart_after_crash(account, company_id).await;
            }
        });
        sender
    }

    /// Sends a command to the account's actor, starting one when none runs. The command is
    /// queued under the map's lock, which an idle actor takes to retire: it is either
    /// queued before the actor looks (and the actor stays) or goes to a fresh actor.
    async fn send(
        &self,
        account: i64,
        company_id: i64,
        command: ActorCommand,
    ) -> Result<(), ManagerError> {
        let (sender, command) = {
            let mut actors = lock(&self.inner.actors);
            let sender = match actors.get(&account) {
                Some(sender) => sender.clone(),
                None => self.spawn_actor(&mut actors, account, company_id),
            };
            match sender.try_send(command) {
                Ok(()) => return Ok(()),
                Err(mpsc::error::TrySendError::Full(command)) => (sender, command),
                // Crashed or stopping: a fresh actor takes it.
                Err(mpsc::error::TrySendError::Closed(command)) => {
                    (self.spawn_actor(&mut actors, account, company_id), command)
                }
            }
        };
        // A full queue (the actor is busy, so it does not retire before taking this one),
        // or a fresh actor's empty one.
        sender
            .send(command)
            .await
            .map_err(|_| ManagerError::ShuttingDown)
    }

    async fn ask<T>(
        &self,
        account: i64,
        company_id: i64,
        command: impl FnOnce(oneshot::Sender<Result<T, ManagerError>>) -> ActorCommand,
    ) -> Result<T, ManagerError> {
        let (reply, answer) = oneshot::channel();
        self.send(account, company_id, command(reply)).await?;
        answer.await.map_err(|_| ManagerError::ShuttingDown)?
    }

    /// At start: sessions that were Connected reconnect from their stored credentials;
    /// attempts that were showing a QR are over ("Linking interrupted by a restart").
    pub async fn recover(&self) -> Result<(usize, usize), ManagerError> {
        let interrupted: Vec<i64> =
            accounts::ids_with_status(&self.inner.db, AccountStatus::Connecting)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
        self.end_interrupted_links(&interrupted).await?;
        let connected = accounts::ids_with_status(&self.inner.db, AccountStatus::Connected).await?;
        for (id, _) in &connected {
            if let Some(row) = accounts::get_any(&self.inner.db, *id).await? {
                self.send(*id, row.company_id, ActorCommand::Resume).await?;
            }
        }
        Ok((connected.len(), interrupted.len()))
    }

    async fn restart_after_crash(&self, account: i64, company_id: i64) {
        self.inner.restarts.fetch_add(1, Ordering::Relaxed);
        tracing::error!(account, "the session actor crashed; restarting it");
        let db = &self.inner.db;
        if let Err(e) = accounts::record_event(db, account, "actor_restarted", None, now_ms()).await
        {
            tracing::warn!(account, "could not record the restart: {e}");
        }
        let status = accounts::get_any(db, account)
            .await
            .ok()
            .flatten()
            .map(|row| row.status());
        match status {
            Some(AccountStatus::Connected) => {
                if let Err(e) = self.send(account, company_id, ActorCommand::Resume).await {
                    tracing::error!(account, "could not restart the session: {e}");
                }
            }
            Some(AccountStatus::Connecting) => {
                // The QR on screen died with the actor: offer a new code.
                self.inner
                    .set_live(account, |live| live.link = Some(LinkState::Expired));
                self.inner.publish(company_id, account, false);
            }
            _ => {}
        }
    }

    /// Whether sessions may run here: not after [`Self::shutdown`] until
    /// [`Self::sessions_may_run`].
    pub fn is_running(&self) -> bool {
        !self.inner.stopped.load(Ordering::Relaxed)
    }

    /// Sessions may run again (a cluster node that rejoined after losing its lease).
    pub fn sessions_may_run(&self) {
        self.inner.stopped.store(false, Ordering::Relaxed);
    }

    /// Stops every actor (closing its connection) and waits for them, at most `grace`.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.stopped.store(true, Ordering::Relaxed);
        let senders: Vec<mpsc::Sender<ActorCommand>> =
            lock(&self.inner.actors).values().cloned().collect();
        for sender in senders {
            let _ = sender.send(ActorCommand::Shutdown).await;
        }
        let deadline = Instant::now() + grace;
        while self.running_actors() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[cfg(test)]
    pub(crate) async fn crash_actor(&self, company_id: i64, account: i64) {
        let _ = self.send(account, company_id, ActorCommand::Crash).await;
    }
}

mod cluster;
mod commands;
mod generations;

#[cfg(test)]
mod tests;
