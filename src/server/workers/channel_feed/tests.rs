use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::server::boot::config::SimTimings;
use crate::server::db::testing::with_db;
use crate::server::drivers::simulator::Simulator;
use crate::server::sessions::manager::ManagerOptions;

#[tokio::test]
async fn a_resync_reaches_every_company_s_pages() {
    with_db(|db| async move {
        let sim = Simulator::new(SimTimings::default());
        let manager = SessionManager::new(db.clone(), Arc::new(sim), ManagerOptions::default());
        let feed = ChannelFeed::new(db, manager.clone());
        let mut pages = feed.sender().subscribe();
        tokio::spawn(feed.run(tokio_util::sync::CancellationToken::new()));
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
