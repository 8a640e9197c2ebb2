//! Turns the session manager's change notices into ready-to-send card updates, once per
//! change however many pages listen: one database read and one serialisation each.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::time::Instant;

use super::channels::account_view;
use crate::api::channels::ChannelUpdate;
use crate::server::db::Db;
use crate::server::whatsapp::manager::SessionManager;

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

pub fn spawn_channel_feed(db: Db, manager: SessionManager) -> broadcast::Sender<FeedItem> {
    let (feed, _) = broadcast::channel(4096);
    let sender = feed.clone();
    let mut changes = manager.subscribe();
    tokio::spawn(async move {
        loop {
            let change = match changes.recv().await {
                Ok(change) => change,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the channel feed fell behind; pages will resync");
                    if let Some(resync) = item(None, &ChannelUpdate::Resync, Instant::now()) {
                        let _ = sender.send(resync);
                    }
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            };
            let update = if change.removed {
                ChannelUpdate::Removed {
                    id: change.account_id,
                }
            } else {
                match account_view(&db, &manager, change.company_id, change.account_id).await {
                    Ok(Some(view)) => ChannelUpdate::Upsert(view),
                    Ok(None) => ChannelUpdate::Removed {
                        id: change.account_id,
                    },
                    Err(_) => ChannelUpdate::Resync,
                }
            };
            if let Some(item) = item(Some(change.company_id), &update, change.at) {
                let _ = sender.send(item);
            }
        }
    });
    feed
}
