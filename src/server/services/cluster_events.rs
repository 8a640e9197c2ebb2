//! Account changes between the servers of a cluster: each change this server publishes
//! goes out as a `pg_notify`, and one `PgListener` per server hands the others' changes to
//! its pages. A notice carries the live state only its owner knows (the QR, the health).

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::cluster::ClusterNode;
use crate::server::whatsapp::cluster_notice::{Notice, WireLive, CHANNEL};
use crate::server::whatsapp::manager::{Outgoing, SessionManager};

pub fn spawn(
    node: ClusterNode,
    manager: SessionManager,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
) {
    let sender = node.clone();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        let mut seq = 0;
        while outgoing.recv_many(&mut batch, 256).await > 0 {
            for change in coalesce(std::mem::take(&mut batch)) {
                seq += 1;
                send(&sender, change, seq).await;
            }
        }
    });
    tokio::spawn(async move {
        let mut first = true;
        loop {
            if let Err(e) = listen(&node, &manager, first).await {
                tracing::warn!("cluster notices: {e}; listening again");
            }
            first = false;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

/// Under a burst of messages one conversation changes many times before its notice goes
/// out: it goes out once, at its latest place. Account changes all go, in order.
fn coalesce(batch: Vec<Outgoing>) -> Vec<Outgoing> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<Outgoing> = batch
        .into_iter()
        .rev()
        .filter(|change| change.conversation.is_none_or(|c| seen.insert(c)))
        .collect();
    kept.reverse();
    kept
}

async fn send(sender: &ClusterNode, change: Outgoing, seq: u64) {
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
            Ok(notice) => manager.apply_notice(notice),
            Err(e) => tracing::warn!("cluster notices: unreadable: {e}"),
        }
    }
}

#[cfg(test)]
#[path = "cluster_events_tests.rs"]
pub(crate) mod tests;
