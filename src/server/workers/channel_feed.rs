//! Turns the session manager's change notices into ready-to-send card updates, once per
//! change however many pages listen: one database read and one serialisation each.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::server::db::Db;
use crate::server::services::channels::account_view;
use crate::server::sessions::manager::{AccountChanged, SessionManager};
use crate::views::channels::ChannelUpdate;

#[derive(Debug, Clone)]
pub struct FeedItem {
    /// `None`: meant for every company (a resync after missed events).
    pub company_id: Option<i64>,
    pub json: Arc<str>,
    /// When the manager published the change, for latency measurements.
    pub origin: Instant,
}

fn item(company_id: Option<i64>, update: &ChannelUpdate, origin: Instant) -> Option<FeedItem> {
    let json = serde_json::to_string(update).ok()?;
    Some(FeedItem {
        company_id,
        json: json.into(),
        origin,
    })
}

pub fn resync_json() -> String {
    serde_json::to_string(&ChannelUpdate::Resync).unwrap_or_default()
}

/// The feed: it hears the manager from the moment it is made, so nothing published before
/// its task first runs is missed.
pub struct ChannelFeed {
    db: Db,
    manager: SessionManager,
    sender: broadcast::Sender<FeedItem>,
    changes: broadcast::Receiver<AccountChanged>,
    resyncs: broadcast::Receiver<()>,
}

impl ChannelFeed {
    pub fn new(db: Db, manager: SessionManager) -> Self {
        let (sender, _) = broadcast::channel(4096);
        ChannelFeed {
            changes: manager.subscribe(),
            resyncs: manager.subscribe_resyncs(),
            db,
            manager,
            sender,
        }
    }

    /// What pages subscribe to.
    pub fn sender(&self) -> broadcast::Sender<FeedItem> {
        self.sender.clone()
    }

    fn send(&self, company_id: Option<i64>, update: &ChannelUpdate, origin: Instant) {
        if let Some(item) = item(company_id, update, origin) {
            let _ = self.sender.send(item);
        }
    }

    /// Turns changes into updates until `stop` is cancelled or the manager is gone.
    pub async fn run(mut self, stop: CancellationToken) {
        loop {
            let received = tokio::select! {
                _ = stop.cancelled() => return,
                change = self.changes.recv() => change,
                Ok(()) = self.resyncs.recv() => {
                    // Changes may have been missed (another server's notices): every page
                    // reads everything again.
                    self.send(None, &ChannelUpdate::Resync, Instant::now());
                    continue;
                }
            };
            let change = match received {
                Ok(change) => change,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the channel feed fell behind; pages will resync");
                    self.send(None, &ChannelUpdate::Resync, Instant::now());
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let update = if change.removed {
                ChannelUpdate::Removed {
                    id: change.account_id,
                }
            } else {
                let view = account_view(
                    &self.db,
                    &self.manager,
                    change.company_id,
                    change.account_id,
                );
                match view.await {
                    Ok(Some(view)) => ChannelUpdate::Upsert(view),
                    Ok(None) => ChannelUpdate::Removed {
                        id: change.account_id,
                    },
                    Err(_) => ChannelUpdate::Resync,
                }
            };
            self.send(Some(change.company_id), &update, change.at);
        }
    }
}

#[cfg(test)]
mod tests;
