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
    let mut resyncs = manager.subscribe_resyncs();
    tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                change = changes.recv() => change,
                Ok(()) = resyncs.recv() => {
                    // Changes may have been missed (another server's notices): every page
                    // reads everything again.
                    if let Some(resync) = item(None, &ChannelUpdate::Resync, Instant::now()) {
                        let _ = sender.send(resync);
                    }
                    continue;
                }
            };
            let change = match received {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::server::config::SimTimings;
    use crate::server::db::testing::with_db;
    use crate::server::whatsapp::manager::ManagerOptions;
    use crate::server::whatsapp::simulator::Simulator;

    #[tokio::test]
    async fn a_resync_reaches_every_company_s_pages() {
        with_db(|db| async move {
            let sim = Simulator::new(SimTimings::default());
            let manager = SessionManager::new(db.clone(), Arc::new(sim), ManagerOptions::default());
            let mut pages = spawn_channel_feed(db, manager.clone()).subscribe();
            manager.resync_pages();
            let told = tokio::time::timeout(Duration::from_secs(5), pages.recv())
                .await
                .expect("an item")
                .unwrap();
            assert_eq!(told.company_id, None, "meant for every company");
            let expected = serde_json::to_string(&ChannelUpdate::Resync).unwrap();
            assert_eq!(&*told.json, expected.as_str());
        })
        .await;
    }
}
