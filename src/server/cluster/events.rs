//! Account changes between the servers of a cluster: each change this server publishes
//! goes out as a `pg_notify`, and one `PgListener` per server hands the others' changes to
//! its pages. A notice carries the live state only its owner knows (the QR, the health).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::node::ClusterNode;
use super::notice::{supersedes, LiveOrigin, Notice, WireLive, CHANNEL};
use crate::server::boot::supervisor::{Phase, Supervisor};
use crate::server::db::Db;
use crate::server::drivers::driver::Driver;
use crate::server::sessions::manager::{ManagerOptions, PeerChange, SessionManager};

/// A session manager that is `node`'s: every change it makes goes to the other servers,
/// and what they announce reaches its pages. The two notice tasks run under `supervisor`.
pub fn session_manager(
    node: &ClusterNode,
    db: Db,
    driver: Arc<dyn Driver>,
    options: ManagerOptions,
    supervisor: &Supervisor,
) -> SessionManager {
    let (peers, outgoing) = mpsc::unbounded_channel();
    let options = ManagerOptions {
        cluster: Some(node.membership.clone()),
        peers: Some(peers),
        ..options
    };
    let manager = SessionManager::new(db, driver, options);
    let sender = node.clone();
    supervisor.spawn(Phase::Notices, "cluster notices out", move |stop| {
        send_all(sender, outgoing, stop)
    });
    let (node, listener) = (node.clone(), manager.clone());
    supervisor.spawn(Phase::Notices, "cluster notices in", move |stop| {
        listen_all(node, listener, stop)
    });
    manager
}

async fn send_all(
    sender: ClusterNode,
    mut outgoing: mpsc::UnboundedReceiver<PeerChange>,
    stop: CancellationToken,
) {
    let mut batch = Vec::new();
    let mut seq = 0;
    loop {
        let received = tokio::select! {
            _ = stop.cancelled() => return,
            received = outgoing.recv_many(&mut batch, 256) => received,
        };
        if received == 0 {
            return;
        }
        for change in coalesce(std::mem::take(&mut batch)) {
            seq += 1;
            send(&sender, change, seq).await;
        }
    }
}

async fn listen_all(node: ClusterNode, manager: SessionManager, stop: CancellationToken) {
    let mut origins = HashMap::new();
    let mut first = true;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            listened = listen(&node, &manager, &mut origins, first) => {
                if let Err(e) = listened {
                    tracing::warn!("cluster notices: {e}; listening again");
                }
            }
        }
        first = false;
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

/// A change another server announced: its live state (when it runs the session) is taken
/// as this server's view of the account, and this server's pages are told. `origins`:
/// where each account's live state last came from; an older claim's notice (a server that
/// lost the account), or an earlier one of the same server, changes nothing.
pub fn apply(manager: &SessionManager, origins: &mut HashMap<i64, LiveOrigin>, mut notice: Notice) {
    if notice.send {
        manager.send_requested(notice.account);
        return;
    }
    if let Some(conversation) = notice.conversation {
        manager.conversation_changed_here(notice.company, notice.account, conversation);
        return;
    }
    match (manager.runs_session(notice.account), notice.live.take()) {
        // This server runs the session: its own live state stands, and the change (a
        // person's action on another server) may mean closing it.
        (true, _) => manager.reconcile(notice.account),
        (false, Some(wire)) => {
            if !supersedes(&notice, origins.get(&notice.account)) {
                return;
            }
            origins.insert(notice.account, LiveOrigin::of(&notice));
            manager.take_peer_live(notice.account, wire.into_live(Instant::now()));
        }
        (false, None) => {}
    }
    manager.publish_here(notice.company, notice.account, notice.removed);
}

/// Under a burst of messages one conversation changes many times before its notice goes
/// out: it goes out once, at its latest place. Account changes all go, in order.
fn coalesce(batch: Vec<PeerChange>) -> Vec<PeerChange> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<PeerChange> = batch
        .into_iter()
        .rev()
        .filter(|change| change.conversation.is_none_or(|c| seen.insert(c)))
        .collect();
    kept.reverse();
    kept
}

async fn send(sender: &ClusterNode, change: PeerChange, seq: u64) {
    let notice = Notice {
        node: sender.id(),
        company: change.company_id,
        account: change.account_id,
        removed: change.removed,
        live: change
            .live
            .map(|live| WireLive::from_live(&live, Instant::now())),
        conversation: change.conversation,
        send: change.send,
        epoch: change.epoch,
        seq,
    };
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(notice.payload())
        .execute(&sender.pool)
        .await;
    if let Err(e) = sent {
        tracing::warn!(
            account = change.account_id,
            "could not tell the other servers: {e}"
        );
    }
}

/// How long the listener may hear nothing before it checks its connection.
const PING_EVERY: Duration = Duration::from_secs(5);
const PING_ANSWER: Duration = Duration::from_secs(2);

fn lost(how: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("the listener's connection {how}"))
}

/// Listens until the connection is lost. Listening again after a loss, it tells every page
/// to read everything again once LISTEN is in place, so nothing missed stays missed.
async fn listen(
    node: &ClusterNode,
    manager: &SessionManager,
    origins: &mut HashMap<i64, LiveOrigin>,
    first: bool,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(&node.pool).await?;
    listener.listen(CHANNEL).await?;
    // Named, so an operator (and the tests) can tell the listener among the
    // connections; set once it listens, so a listener seen by that name hears everything.
    sqlx::query("SET application_name = 'aurora-listener'")
        .execute(&mut listener)
        .await?;
    if !first {
        manager.resync_pages();
    }
    loop {
        let notification = match tokio::time::timeout(PING_EVERY, listener.try_recv()).await {
            Ok(received) => received?.ok_or_else(|| lost("was lost"))?,
            // Quiet for a while: a connection cut without a word (a dead network path)
            // would stay silent forever, so ask it something.
            Err(_) => {
                let ping = sqlx::query("SELECT 1").execute(&mut listener);
                tokio::time::timeout(PING_ANSWER, ping)
                    .await
                    .map_err(|_| lost("did not answer a ping"))??;
                continue;
            }
        };
        match serde_json::from_str::<Notice>(notification.payload()) {
            Ok(notice) if notice.node == node.id() => {}
            Ok(notice) => apply(manager, origins, notice),
            Err(e) => tracing::warn!("cluster notices: unreadable: {e}"),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
