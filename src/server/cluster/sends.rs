//! Replies in a cluster: the server that owns a channel's session sends the replies typed
//! for it on any server, when asked (`pg_notify`) and on every heartbeat, so a lost notice
//! costs at most one beat; and what dead servers left half-sent is failed, never resent.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::i18n::refusals::StoredReason;
use crate::server::cluster::node::{ClusterNode, RENEW_EVERY};
use crate::server::db::cluster_sends::{self, QueuedReply};
use crate::server::db::Db;
use crate::server::services::replies::{deliver, Outgoing};
use crate::server::sessions::manager::SessionManager;

/// Sends what waits for this server's sessions until `stop` is cancelled. Listens for
/// requests from the moment it is called, so none sent before the task runs is missed.
pub fn run(
    node: ClusterNode,
    db: Db,
    manager: SessionManager,
    stop: CancellationToken,
) -> impl std::future::Future<Output = ()> + Send {
    let mut requests = manager.subscribe_send_requests();
    let sending: Arc<Mutex<HashSet<i64>>> = Arc::default();
    async move {
        let mut beat = tokio::time::interval(RENEW_EVERY);
        loop {
            let heartbeat = tokio::select! {
                _ = stop.cancelled() => return,
                request = requests.recv() => match request {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => false,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = beat.tick() => true,
            };
            if let Err(e) = send_waiting(&node, &db, &manager, &sending).await {
                tracing::warn!("could not look for replies to send: {e}");
            }
            if heartbeat {
                let (interrupted, not_connected) = (
                    StoredReason::Interrupted.english(),
                    StoredReason::NotConnected.english(),
                );
                match cluster_sends::fail_abandoned(&node.pool, &interrupted, &not_connected).await
                {
                    Ok(touched) => {
                        for t in touched {
                            manager.conversation_changed(
                                t.company_id,
                                t.account_id,
                                t.conversation_id,
                            );
                        }
                    }
                    Err(e) => tracing::warn!("could not fail abandoned replies: {e}"),
                }
            }
        }
    }
}

/// Sends the waiting replies of the sessions this server runs: one task per account, in
/// the order they were typed, none started for an account already sending.
async fn send_waiting(
    node: &ClusterNode,
    db: &Db,
    manager: &SessionManager,
    sending: &Arc<Mutex<HashSet<i64>>>,
) -> Result<(), sqlx::Error> {
    let queued = cluster_sends::queued_for(&node.pool, &node.id()).await?;
    let mut by_account: BTreeMap<i64, Vec<QueuedReply>> = BTreeMap::new();
    for reply in queued {
        by_account.entry(reply.account_id).or_default().push(reply);
    }
    for (account, replies) in by_account {
        if !manager.runs_session(account) {
            continue;
        }
        if !sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account)
        {
            continue;
        }
        let (db, manager, sending) = (db.clone(), manager.clone(), sending.clone());
        tokio::spawn(async move {
            for reply in replies {
                let outgoing = Outgoing {
                    company_id: reply.company_id,
                    account_id: reply.account_id,
                    conversation_id: reply.conversation_id,
                    message_id: reply.message_id,
                    to: &reply.to,
                    text: &reply.text,
                    queue_when_offline: true,
                };
                if let Err(e) = deliver(&db, &manager, &outgoing).await {
                    tracing::warn!(account, "could not record a reply's outcome: {e}");
                }
            }
            sending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&account);
        });
    }
    Ok(())
}
