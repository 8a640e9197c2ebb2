//! Removes web sign-ins idle past their timeout. Expired ones are refused on sight; this
//! only keeps the table small.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::server::db::{now_ms, sign_ins, Db};
use crate::server::services::identity::IDLE_TIMEOUT_MS;

const EVERY: Duration = Duration::from_secs(60 * 60);

pub async fn run(db: Db, stop: CancellationToken) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        match sign_ins::delete_idle(&db, now_ms() - IDLE_TIMEOUT_MS).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} idle sign-ins"),
            Err(e) => tracing::warn!("could not remove idle sign-ins: {e}"),
        }
    }
}
