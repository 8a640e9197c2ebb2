//! The worker that carries out Deletes: one job at a time, in small batches, yielding
//! between them so live traffic keeps flowing. Its state is in the database, so a job cut
//! short by a restart resumes where it stopped; running a finished stage again deletes
//! nothing more.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::server::db::account_deletion::{self, PendingDeletion, Stage};
use crate::server::db::{now_ms, Db};
use crate::server::media::MediaStore;
use crate::server::sessions::manager::SessionManager;

/// Rows per transaction: small enough that other writers wait milliseconds, not seconds.
pub const BATCH_ROWS: i64 = 2_000;
const MEDIA_BATCH: i64 = 200;
/// A pause between batches leaves room for inbound messages and page loads.
const BREATHER: Duration = Duration::from_millis(2);

/// Wakes the worker when a new Delete is confirmed.
#[derive(Clone, Default)]
pub struct DeletionWorker {
    wake: Arc<Notify>,
}

impl DeletionWorker {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Where a job stands; `Stopped` means the server is shutting down mid-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Finished,
    Stopped,
}

pub struct Deleter {
    pub db: Db,
    pub manager: SessionManager,
    pub media: MediaStore,
    pub batch_rows: i64,
}

impl Deleter {
    /// Carries one job to its end, or until `stopped` says so. Publishes its progress
    /// after every batch so open pages show the percentage.
    pub async fn run(
        &self,
        job: &PendingDeletion,
        stopped: impl Fn() -> bool,
    ) -> Result<Outcome, sqlx::Error> {
        for stage in Stage::ORDER {
            loop {
                if stopped() {
                    return Ok(Outcome::Stopped);
                }
                let deleted = account_deletion::delete_batch(
                    &self.db,
                    job.account_id,
                    stage,
                    self.batch_rows,
                )
                .await?;
                if deleted == 0 {
                    break;
                }
                self.manager
                    .settings_changed(job.company_id, job.account_id);
                tokio::time::sleep(BREATHER).await;
            }
        }
        loop {
            if stopped() {
                return Ok(Outcome::Stopped);
            }
            let files =
                account_deletion::media_batch(&self.db, job.account_id, MEDIA_BATCH).await?;
            if files.is_empty() {
                break;
            }
            let mut removed = Vec::with_capacity(files.len());
            for (id, path) in files {
                // A history file never opened has no file on disk, only its row.
                if path.is_empty() {
                    removed.push(id);
                    continue;
                }
                match self.media.remove(&path).await {
                    Ok(()) => removed.push(id),
                    // A file we may not remove stays listed; the job retries it later.
                    Err(e) => tracing::error!(
                        account = job.account_id,
                        path,
                        "media file not removed: {e}"
                    ),
                }
            }
            if removed.is_empty() {
                return Err(sqlx::Error::Protocol(
                    "media files could not be removed".into(),
                ));
            }
            account_deletion::forget_media(&self.db, job.account_id, &removed).await?;
            self.manager
                .settings_changed(job.company_id, job.account_id);
            tokio::time::sleep(BREATHER).await;
        }
        let details = serde_json::json!({
            "conversations": job.conversations,
            "contacts": job.contacts,
            "scheduled_messages": job.scheduled_messages,
            "media_files": job.media_files,
            "media_bytes": job.media_bytes,
            "messages": job.messages,
        })
        .to_string();
        account_deletion::finish(&self.db, job, &details, now_ms()).await?;
        self.media
            .remove_account_dir(job.company_id, job.account_id)
            .await;
        self.manager.account_removed(job.company_id, job.account_id);
        tracing::info!(account = job.account_id, "channel deleted");
        Ok(Outcome::Finished)
    }
}

/// The worker: it finishes what a previous run left, then waits for new jobs, until
/// `stop` is cancelled; a job cut short there resumes at the next start.
pub async fn run(deleter: Deleter, worker: DeletionWorker, stop: CancellationToken) {
    let wake = worker.wake;
    let is_stopped = || stop.is_cancelled();
    while !is_stopped() {
        let jobs = match account_deletion::pending(&deleter.db).await {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::error!("deletion jobs could not be read: {e}");
                Vec::new()
            }
        };
        let mut failed = false;
        for job in &jobs {
            match deleter.run(job, is_stopped).await {
                Ok(Outcome::Finished) => {}
                Ok(Outcome::Stopped) => return,
                Err(e) => {
                    failed = true;
                    tracing::error!(account = job.account_id, "deletion paused, will retry: {e}");
                }
            }
        }
        if !jobs.is_empty() && !failed {
            continue;
        }
        // Nothing to do: until a Delete is confirmed. A failure: that, or 5 s.
        let retry = async {
            match failed {
                true => tokio::time::sleep(Duration::from_secs(5)).await,
                false => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = wake.notified() => {}
            _ = retry => {}
        }
    }
}

#[cfg(test)]
mod tests;
