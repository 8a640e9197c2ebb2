//! One account's actor: owns its driver connection, applies the state machine to every
//! command and driver event, persists the result, then publishes it.

use std::collections::{HashMap, HashSet};
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
use crate::server::drivers::driver::{
    Connection, DriverError, DriverEvent, SendTicket, SessionStats,
};

type Reply<T> = oneshot::Sender<Result<T, ManagerError>>;

pub(super) type StatusWrite =
    Box<dyn FnOnce(Db) -> BoxFuture<'static, Result<bool, sqlx::Error>> + Send>;

/// How long a logout may take before the keys are wiped anyway.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may take to answer a command (counters).
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
    /// Hands WhatsApp the assertion for the attempt's one-time `token`.
    PasskeyAssertion {
        token: String,
        json: String,
        reply: Reply<()>,
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
        ticket: SendTicket,
        reply: Reply<String>,
    },
    MarkRead {
        chat: String,
        ids: Vec<String>,
        reply: Reply<()>,
    },
    SessionStats {
        reply: Reply<SessionStats>,
    },
    /// Downloads an attachment of the history through the session (answered beside it).
    FetchMedia {
        reference: String,
        reply: Reply<Vec<u8>>,
    },
    /// A person asked not to wait for the next scheduled attempt; refused (false) when
    /// none is scheduled.
    RetryNow {
        reply: Reply<bool>,
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
    /// Sent messages (by WhatsApp id) still waiting for WhatsApp's ack.
    unacked: HashMap<String, acks::Unacked>,
    /// The conversations the running history import has added to.
    history_seen: HashSet<i64>,
    /// When the running import ends if no more of it comes (WhatsApp may stop midway).
    history_quiet_at: Option<Instant>,
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
            unacked: HashMap::new(),
            history_seen: HashSet::new(),
            history_quiet_at: None,
        }
    }

    /// `me`: this actor's own channel, to retire from the manager's map when idle.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<ActorCommand>,
        me: mpsc::Sender<ActorCommand>,
    ) {
        loop {
            let ack_due = self.next_ack_due();
            let history_quiet = self.history_quiet_at;
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
                _ = sleep_until(ack_due) => self.acks_overdue().await,
                _ = sleep_until(history_quiet) => self.history_went_quiet().await,
            }
            // Nothing open and nothing scheduled: the actor is not needed until the next command.
            if self.connection.is_none()
                && self.reconnect.is_none()
                && self.unacked.is_empty()
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
            ActorCommand::PasskeyAssertion { token, json, reply } => {
                let _ = reply.send(self.passkey_assertion(token, json).await);
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
            ActorCommand::SendText {
                to,
                text,
                ticket,
                reply,
            } => {
                let _ = reply.send(self.send_text(to, text, ticket).await);
            }
            ActorCommand::MarkRead { chat, ids, reply } => {
                let _ = reply.send(self.mark_read(chat, ids).await);
            }
            ActorCommand::SessionStats { reply } => {
                let _ = reply.send(self.session_stats().await);
            }
            ActorCommand::FetchMedia { reference, reply } => {
                self.fetch_media(reference, reply).await
            }
            ActorCommand::RetryNow { reply } => {
                // The loop's timer fires at once and runs the attempt as if it were due.
                let scheduled = self.reconnect.is_some();
                if let Some((attempt, _)) = self.reconnect {
                    self.reconnect = Some((attempt, Instant::now()));
                }
                let _ = reply.send(Ok(scheduled));
            }
            ActorCommand::Resume => self.reconnect().await,
            ActorCommand::Reconcile => self.reconcile().await,
            ActorCommand::Shutdown => {}
            #[cfg(test)]
            ActorCommand::Crash => panic!("crash requested by a test"),
        }
    }
}

pub(super) mod acks;
mod cluster;
mod connection;
mod events;
mod history;
mod linking;
