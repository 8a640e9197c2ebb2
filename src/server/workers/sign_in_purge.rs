//! Removes web sign-ins idle past their timeout. Expired ones are refused on sight; this
//! only keeps the table small.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::domain::identity::{ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS};
use crate::server::db::{now_ms, sign_ins, Db};

const EVERY: Duration = Duration::from_secs(60 * 60);

pub async fn run(db: Db, stop: CancellationToken) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        let now = now_ms();
        let expired =
            sign_ins::delete_expired(&db, now - IDLE_TIMEOUT_MS, now - ABSOLUTE_LIFETIME_MS);
        match expired.await {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} idle sign-ins"),
            Err(e) => tracing::warn!("could not remove idle sign-ins: {e}"),
        }
    }
}
