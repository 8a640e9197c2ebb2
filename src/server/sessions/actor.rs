//! One account's actor: owns its driver connection, applies the state machine to every
//! command and driver event, persists the result, then publishes it.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::inbound;
use super::manager::{Health, Initiator, Inner, LinkState, ManagerError};
use super::qr::qr_svg;
use crate::domain::account::{
    transition, AccountEvent, AccountStatus, DisconnectReason, Transition,
};
use crate::server::db::accounts::{self, Change, Fence};
use crate::server::db::{now_ms, Db};
use crate::server::drivers::driver::{Connection, DriverError, DriverEvent, SessionStats};

type Reply<T> = oneshot::Sender<Result<T, ManagerError>>;

pub(super) type StatusWrite =
    Box<dyn FnOnce(Db) -> BoxFuture<'static, Result<bool, sqlx::Error>> + Send>;

/// How long a logout may take before the keys are wiped anyway.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may take to answer a command (send, stats).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How often an online session's counters are read for the health line.
const HEALTH_SAMPLE_EVERY: Duration = Duration::from_secs(30);

pub(super) enum ActorCommand {
    StartLinking {
        initiator: Option<Initiator>,
        reply: Reply<()>,
    },
    CancelLinking {
        initiator: Initiator,
        reply: Reply<()>,
    },
    RequestPairCode {
        phone: String,
        reply: Reply<String>,
    },
    Disconnect {
        initiator: Initiator,
        reply: Reply<()>,
    },
    /// A change of status with no WhatsApp side (Disable, Enable, Delete): checked
    /// against the lifecycle, then written by `write`, which answers false when the
    /// database refused it (e.g. the channel limit); the answer is then `refused`.
    ChangeStatus {
        event: AccountEvent,
        write: StatusWrite,
        refused: ManagerError,
        reply: Reply<()>,
    },
    SendText {
        to: String,
        text: String,
        reply: Reply<String>,
    },
    SessionStats {
        reply: Reply<SessionStats>,
    },
    /// Reconnect from stored credentials (start-up recovery, restart after a crash).
    Resume,
    /// Another server changed the account (a person's Disconnect or Cancel there): compare
    /// the database with this session and close what is no longer wanted.
    Reconcile,
    Shutdown,
    #[cfg(test)]
    Crash,
}

pub(super) struct AccountActor {
    id: i64,
    company_id: i64,
    inner: Arc<Inner>,
    connection: Option<Connection>,
    /// Events of the current connection only: a replaced connection's events are dropped with it.
    events: Option<mpsc::Receiver<DriverEvent>>,
    /// The next attempt (a reconnect, or a new linking attempt) and when it is due.
    reconnect: Option<(u32, Instant)>,
    /// Attempts in a row that did not get through; the next backoff grows with it.
    failures: u32,
    /// When the online session's counters are read next.
    next_sample: Option<Instant>,
    /// In a cluster: this server's claim on the account, which its session's writes carry.
    fence: Option<Fence>,
}

async fn next_event(events: &mut Option<mpsc::Receiver<DriverEvent>>) -> Option<DriverEvent> {
    match events {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

async fn reconnect_due(reconnect: Option<(u32, Instant)>) {
    sleep_until(reconnect.map(|(_, at)| at)).await
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl AccountActor {
    pub fn new(id: i64, company_id: i64, inner: Arc<Inner>) -> Self {
        AccountActor {
            id,
            company_id,
            inner,
            connection: None,
            events: None,
            reconnect: None,
            failures: 0,
            next_sample: None,
            fence: None,
        }
    }

    /// `me`: this actor's own channel, to retire from the manager's map when idle.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<ActorCommand>,
        me: mpsc::Sender<ActorCommand>,
    ) {
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(ActorCommand::Shutdown) => break,
                    Some(command) => self.on_command(command).await,
                },
                event = next_event(&mut self.events) => match event {
                    Some(event) => self.on_event(event).await,
                    None => self.on_connection_ended().await,
                },
                _ = reconnect_due(self.reconnect) => self.retry().await,
                _ = sleep_until(self.next_sample) => self.sample_health().await,
            }
            // Nothing open and nothing scheduled: the actor is not needed until the next command.
            if self.connection.is_none()
                && self.reconnect.is_none()
                && self.inner.retire_if_idle(self.id, &me, &commands)
            {
                break;
            }
        }
    }

    /// Tells the pages; in a cluster the notice carries the claim this session runs
    /// under, so a server that lost the account cannot overwrite what its owner shows.
    fn publish(&self) {
        let epoch = self.fence.as_ref().map_or(0, |f| f.epoch);
        self.inner
            .publish_claimed(self.company_id, self.id, false, epoch);
    }

    fn close(&mut self) {
        self.connection = None;
        self.events = None;
        self.reconnect = None;
        self.next_sample = None;
    }

    async fn status(&self) -> Result<AccountStatus, ManagerError> {
        let row = accounts::get_any(&self.inner.db, self.id)
            .await?
            .ok_or(ManagerError::NotFound)?;
        Ok(row.status())
    }

    async fn ever_linked(&self) -> Result<bool, ManagerError> {
        let row = accounts::get_any(&self.inner.db, self.id)
            .await?
            .ok_or(ManagerError::NotFound)?;
        Ok(row.ever_linked)
    }

    async fn on_command(&mut self, command: ActorCommand) {
        match command {
            ActorCommand::StartLinking { initiator, reply } => {
                let _ = reply.send(self.start_linking(initiator).await);
            }
            ActorCommand::CancelLinking { initiator, reply } => {
                let _ = reply.send(self.cancel_linking(initiator).await);
            }
            ActorCommand::RequestPairCode { phone, reply } => {
                let _ = reply.send(self.request_pair_code(phone).await);
            }
            ActorCommand::Disconnect { initiator, reply } => {
                let _ = reply.send(self.disconnect(initiator).await);
            }
            ActorCommand::ChangeStatus {
                event,
                write,
                refused,
                reply,
            } => {
                let _ = reply.send(self.change_status(event, write, refused).await);
            }
            ActorCommand::SendText { to, text, reply } => {
                let _ = reply.send(self.send_text(to, text).await);
            }
            ActorCommand::SessionStats { reply } => {
                let _ = reply.send(self.session_stats().await);
            }
            ActorCommand::Resume => self.reconnect().await,
            ActorCommand::Reconcile => self.reconcile().await,
            ActorCommand::Shutdown => {}
            #[cfg(test)]
            ActorCommand::Crash => panic!("crash requested by a test"),
        }
    }

    async fn start_linking(&mut self, initiator: Option<Initiator>) -> Result<(), ManagerError> {
        transition(self.status().await?, AccountEvent::StartLinking)?;
        self.close();
        // Owned before it is Connecting, so no peer takes the attempt for an orphan.
        if let Some(node) = &self.inner.options.cluster {
            self.fence = Some(node.take(self.id).await?);
        }
        accounts::apply(
            &self.inner.db,
            self.id,
            Change::Linking,
            initiator.map(|a| a.user_id),
            now_ms(),
        )
        .await?;
        self.inner
            .set_live(self.id, |live| *live = Default::default());
        self.failures = 0;
        self.open_linking().await;
        Ok(())
    }

    /// Opens a linking attempt; the account is Connecting.
    async fn open_linking(&mut self) {
        let (sender, receiver) = mpsc::channel(64);
        let fence = self.fence.clone();
        match self
            .inner
            .driver
            .open_fenced(self.id, None, sender, fence)
            .await
        {
            Ok(connection) => {
                self.connection = Some(connection);
                self.events = Some(receiver);
                // An earlier "Can't reach WhatsApp" gives way to "Generating QR code…".
                self.inner.set_live(self.id, |live| live.link = None);
                self.publish();
            }
            Err(DriverError::Unreachable(message)) => self.unreachable(message).await,
            Err(error) => {
                let message = format!("Can't link: {error}");
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Failed { message })
                });
                self.publish();
            }
        }
    }

    /// The attempt could not reach WhatsApp: try again after a backoff, and say so.
    async fn unreachable(&mut self, message: String) {
        self.connection = None;
        self.events = None;
        self.next_sample = None;
        self.failures += 1;
        let attempt = self.failures;
        match self.status().await {
            Ok(AccountStatus::Connecting) => {
                let retry_at = Instant::now() + self.inner.options.backoff.jittered(attempt);
                self.reconnect = Some((attempt, retry_at));
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Unreachable { message, retry_at });
                    live.pair_code = None;
                });
                self.publish();
            }
            Ok(AccountStatus::Connected) => self.schedule_reconnect(attempt, Some(message)),
            _ => {}
        }
    }

    /// A scheduled attempt is due: a new linking attempt or a reconnect, by status.
    async fn retry(&mut self) {
        match self.status().await {
            Ok(AccountStatus::Connecting) => {
                self.reconnect = None;
                self.open_linking().await;
            }
            _ => self.reconnect().await,
        }
    }

    async fn send_text(&mut self, to: String, text: String) -> Result<String, ManagerError> {
        let online = matches!(self.inner.live(self.id).health, Some(Health::Online));
        let connection = self
            .connection
            .as_ref()
            .filter(|_| online)
            .ok_or(ManagerError::NotConnected)?;
        match tokio::time::timeout(COMMAND_TIMEOUT, connection.send_text(to, text)).await {
            Ok(sent) => Ok(sent?),
            Err(_) => Err(DriverError::Rejected(
                "WhatsApp did not confirm the message in time".into(),
            )
            .into()),
        }
    }

    async fn session_stats(&mut self) -> Result<SessionStats, ManagerError> {
        self.stats_within(COMMAND_TIMEOUT).await
    }

    async fn stats_within(&self, limit: Duration) -> Result<SessionStats, ManagerError> {
        let connection = self.connection.as_ref().ok_or(ManagerError::NotConnected)?;
        match tokio::time::timeout(limit, connection.stats()).await {
            Ok(stats) => Ok(stats?),
            Err(_) => Err(DriverError::Closed.into()),
        }
    }

    /// Reads the session's counters; tells the pages when the health line would change.
    async fn sample_health(&mut self) {
        self.next_sample = Some(Instant::now() + HEALTH_SAMPLE_EVERY);
        let Ok(stats) = self.stats_within(Duration::from_secs(2)).await else {
            return;
        };
        let activity = (stats.last_activity_ms > 0).then_some(stats.last_activity_ms);
        let shown_minute = |ms: Option<i64>| ms.map(|ms| ms.div_euclid(60_000));
        let before = self.inner.live(self.id).last_activity_ms;
        self.inner
            .set_live(self.id, |live| live.last_activity_ms = activity);
        if shown_minute(before) != shown_minute(activity) {
            self.publish();
        }
    }

    async fn change_status(
        &mut self,
        event: AccountEvent,
        write: StatusWrite,
        refused: ManagerError,
    ) -> Result<(), ManagerError> {
        transition(self.status().await?, event)?;
        if !write(self.inner.db.clone()).await? {
            return Err(refused);
        }
        self.publish();
        Ok(())
    }

    async fn cancel_linking(&mut self, initiator: Initiator) -> Result<(), ManagerError> {
        let ever_linked = self.ever_linked().await?;
        let outcome = transition(
            self.status().await?,
            AccountEvent::CancelLinking { ever_linked },
        )?;
        self.close();
        match outcome {
            Transition::Remove => {
                accounts::remove(&self.inner.db, self.id).await?;
                self.inner.publish(self.company_id, self.id, true);
            }
            Transition::To(_) => {
                self.mark_disconnected(DisconnectReason::LinkingCancelled, Some(&initiator), None)
                    .await?;
            }
        }
        Ok(())
    }

    async fn request_pair_code(&mut self, phone: String) -> Result<String, ManagerError> {
        let linking = matches!(
            self.inner.live(self.id).link,
            Some(LinkState::Showing { .. })
        );
        let connection = self
            .connection
            .as_ref()
            .filter(|_| linking)
            .ok_or_else(|| {
                ManagerError::Driver(DriverError::Rejected(
                    "No QR code is showing: generate a new code first".into(),
                ))
            })?;
        let code = connection.request_pair_code(phone).await?;
        self.inner
            .set_live(self.id, |live| live.pair_code = Some(code.clone()));
        self.publish();
        Ok(code)
    }

    async fn disconnect(&mut self, initiator: Initiator) -> Result<(), ManagerError> {
        transition(self.status().await?, AccountEvent::Disconnect)?;
        // In a cluster the live owner holds the socket: it logs the device out when it
        // hears of this change. Opening a second connection here would kick it off.
        let owned_elsewhere = match &self.inner.options.cluster {
            Some(node) if self.connection.is_none() => node.runs_elsewhere(self.id).await?,
            _ => false,
        };
        if self.connection.is_none() && !owned_elsewhere {
            // Reconnecting: open the session once more so the phone is told the device is gone.
            if let Some(credentials) = accounts::credentials(&self.inner.db, self.id).await? {
                let (sender, _events) = mpsc::channel(16);
                if let Ok(connection) = self
                    .inner
                    .driver
                    .open_fenced(self.id, Some(credentials), sender, self.fence.clone())
                    .await
                {
                    self.connection = Some(connection);
                }
            }
        }
        if let Some(connection) = self.connection.take() {
            match tokio::time::timeout(LOGOUT_TIMEOUT, connection.logout()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(account = self.id, "logout failed, wiping keys anyway: {e}")
                }
                Err(_) => tracing::warn!(account = self.id, "logout timed out, wiping keys anyway"),
            }
        }
        self.mark_disconnected(DisconnectReason::ByUser, Some(&initiator), None)
            .await
    }

    /// Closes the connection, records the disconnection (wiping the keys), clears what the
    /// card showed live, and tells the pages.
    async fn mark_disconnected(
        &mut self,
        reason: DisconnectReason,
        initiator: Option<&Initiator>,
        until_ms: Option<i64>,
    ) -> Result<(), ManagerError> {
        self.close();
        let change = Change::Disconnected {
            reason,
            actor_name: initiator.map(|a| a.name.as_str()),
            until_ms,
        };
        let actor_id = initiator.map(|a| a.user_id);
        accounts::apply(&self.inner.db, self.id, change, actor_id, now_ms()).await?;
        self.inner
            .set_live(self.id, |live| *live = Default::default());
        self.publish();
        Ok(())
    }

    async fn on_event(&mut self, event: DriverEvent) {
        if let Err(error) = self.apply_event(event).await {
            tracing::error!(
                account = self.id,
                "could not apply a WhatsApp event: {error}"
            );
        }
    }

    async fn apply_event(&mut self, event: DriverEvent) -> Result<(), ManagerError> {
        let inner = self.inner.clone();
        let db = &inner.db;
        match event {
            DriverEvent::Qr { code, valid_for } => {
                self.failures = 0;
                let svg = qr_svg(&code).unwrap_or_default();
                let expires_at = Instant::now() + valid_for;
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Showing {
                        qr: code,
                        svg,
                        expires_at,
                    })
                });
                self.publish();
            }
            DriverEvent::LinkingExpired => {
                transition(self.status().await?, AccountEvent::LinkingExpired)?;
                self.close();
                accounts::record_event(db, self.id, "qr_expired", None, now_ms()).await?;
                self.inner.set_live(self.id, |live| {
                    live.link = Some(LinkState::Expired);
                    live.pair_code = None;
                });
                self.publish();
            }
            DriverEvent::Paired {
                phone,
                business_name,
                credentials,
            } => {
                transition(self.status().await?, AccountEvent::Paired)?;
                let change = Change::Connected {
                    phone: &phone,
                    business_name: &business_name,
                    credentials: &credentials,
                };
                if !self.write_session_change(change).await? {
                    return Ok(());
                }
                self.inner
                    .set_live(self.id, |live| *live = Default::default());
                self.publish();
            }
            DriverEvent::Connected => {
                let was_reconnecting = matches!(
                    self.inner.live(self.id).health,
                    Some(Health::Reconnecting { .. })
                );
                self.reconnect = None;
                self.failures = 0;
                self.next_sample = Some(Instant::now() + Duration::from_secs(1));
                if was_reconnecting {
                    accounts::record_event(db, self.id, "reconnected", None, now_ms()).await?;
                }
                self.inner.set_live(self.id, |live| {
                    live.health = Some(Health::Online);
                    live.reconnects += u32::from(was_reconnecting);
                });
                self.publish();
            }
            // Between servers of a cluster, "replaced" means another server connected the
            // same keys: reconnect only if this one still owns the account, and never mark
            // it disconnected (the session is alive elsewhere).
            DriverEvent::LoggedOut(DisconnectReason::Replaced)
                if self.inner.options.cluster.is_some() =>
            {
                self.connection = None;
                self.events = None;
                self.next_sample = None;
                if self.still_mine().await {
                    self.failures = 1;
                    self.schedule_reconnect(1, Some(DisconnectReason::Replaced.message(None)));
                } else {
                    self.close();
                }
            }
            DriverEvent::LoggedOut(reason) => self.logged_out(reason, None).await?,
            DriverEvent::TemporarilyBanned { until_ms } => {
                self.logged_out(DisconnectReason::Banned, Some(until_ms))
                    .await?
            }
            DriverEvent::ConnectionLost => {
                transition(self.status().await?, AccountEvent::ConnectionLost)?;
                accounts::record_event(db, self.id, "connection_lost", None, now_ms()).await?;
                self.connection = None;
                self.events = None;
                self.next_sample = None;
                self.failures = 1;
                self.schedule_reconnect(1, None);
            }
            DriverEvent::Unreachable(message) => self.unreachable(message).await,
            DriverEvent::LinkFailed(message) => {
                if self.status().await? == AccountStatus::Connecting {
                    self.close();
                    self.inner.set_live(self.id, |live| {
                        live.link = Some(LinkState::Failed { message });
                        live.pair_code = None;
                    });
                    self.publish();
                }
            }
            DriverEvent::Message(message) => {
                self.inner.inbound_messages.fetch_add(1, Ordering::Relaxed);
                self.inner
                    .set_live(self.id, |live| live.last_activity_ms = Some(now_ms()));
                // In a cluster only the owner under its current claim stores what arrives.
                if self.inner.options.cluster.is_some() && self.fence.is_none() {
                    return Ok(());
                }
                let fence = self.fence.as_ref();
                let media = &self.inner.options.media;
                match inbound::store(db, media, self.id, &message, fence).await {
                    Ok(Some(stored)) => self.inner.conversation_changed(
                        self.company_id,
                        self.id,
                        stored.conversation_id,
                    ),
                    Ok(None) => {
                        tracing::debug!(account = self.id, id = %message.id, "replayed message ignored")
                    }
                    Err(e) => {
                        tracing::error!(account = self.id, id = %message.id, "inbound message not stored: {e}")
                    }
                }
            }
        }
        Ok(())
    }

    /// The driver closed its event stream without a word: a drop if the session was up.
    async fn on_connection_ended(&mut self) {
        self.events = None;
        self.connection = None;
        self.next_sample = None;
        if matches!(self.status().await, Ok(AccountStatus::Connected)) {
            self.failures = 1;
            self.schedule_reconnect(1, None);
        }
    }

    async fn logged_out(
        &mut self,
        reason: DisconnectReason,
        until_ms: Option<i64>,
    ) -> Result<(), ManagerError> {
        transition(self.status().await?, AccountEvent::LoggedOut(reason))?;
        let change = Change::Disconnected {
            reason,
            actor_name: None,
            until_ms,
        };
        self.close();
        if self.write_session_change(change).await? {
            self.inner
                .set_live(self.id, |live| *live = Default::default());
            self.publish();
        }
        Ok(())
    }

    fn schedule_reconnect(&mut self, attempt: u32, reason: Option<String>) {
        let retry_at = Instant::now() + self.inner.options.backoff.jittered(attempt);
        self.reconnect = Some((attempt, retry_at));
        self.inner.set_live(self.id, |live| {
            live.health = Some(Health::Reconnecting {
                attempt,
                retry_at,
                reason,
            })
        });
        self.publish();
    }

    async fn reconnect(&mut self) {
        // Already connected (a second Resume): a new socket would replace this one.
        if self.connection.is_some() {
            return;
        }
        let attempt = self.reconnect.map(|(n, _)| n).unwrap_or(1);
        self.reconnect = None;
        if !self.still_mine().await {
            self.close();
            return;
        }
        let credentials = match accounts::credentials(&self.inner.db, self.id).await {
            Ok(Some(credentials)) => credentials,
            Ok(None) => return, // keys wiped meanwhile: nothing to resume
            Err(e) => {
                tracing::error!(account = self.id, "could not load credentials: {e}");
                self.failures += 1;
                return self.schedule_reconnect(self.failures, None);
            }
        };
        let (sender, receiver) = mpsc::channel(64);
        match self
            .inner
            .driver
            .open_fenced(self.id, Some(credentials), sender, self.fence.clone())
            .await
        {
            Ok(connection) => {
                self.connection = Some(connection);
                self.events = Some(receiver);
            }
            Err(DriverError::LoggedOut(reason)) => {
                if let Err(e) = self.logged_out(reason, None).await {
                    tracing::error!(account = self.id, "could not record the logout: {e}");
                }
            }
            Err(DriverError::Unreachable(message)) => {
                tracing::info!(account = self.id, attempt, "reconnect failed: {message}");
                self.unreachable(message).await;
            }
            Err(error) => {
                tracing::info!(account = self.id, attempt, "reconnect failed: {error}");
                self.failures += 1;
                self.schedule_reconnect(self.failures, Some(error.to_string()));
            }
        }
    }
}

mod cluster;
