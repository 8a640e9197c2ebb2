//! Sends scheduled messages when they are due, through the channel's session. Each is
//! claimed in the database before it is sent, so it goes out at most once even across
//! restarts; one that was due while the server was down goes out at start.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::i18n::refusals::StoredReason;
use crate::server::db::replies::{self, ScheduledRow};
use crate::server::db::{now_ms, Db};
use crate::server::services::replies::{
    deliver, local_message_id, send_queued, Outgoing, SINGLE_SERVER,
};
use crate::server::sessions::manager::{Health, SessionManager};

/// The longest the scheduler sleeps without looking (a message scheduled by another
/// process would otherwise wait for its own wake-up).
const IDLE_LOOK: Duration = Duration::from_secs(30);
const BATCH: i64 = 50;
/// How many channels send their due messages at the same time.
const CHANNELS_AT_ONCE: usize = 16;

/// Wakes the scheduler when a message is scheduled.
#[derive(Clone, Default)]
pub struct Scheduler {
    wake: Arc<Notify>,
}

impl Scheduler {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// At start: whatever a stopped server was in the middle of sending is failed, not resent.
/// In a cluster the other servers may be sending right now: there the cluster fails only
/// what dead servers left (`cluster_sends`).
pub async fn recover(db: &Db, manager: &SessionManager) -> Result<usize, sqlx::Error> {
    if manager.node_id().is_some() {
        return Ok(0);
    }
    let interrupted = StoredReason::Interrupted.english();
    let scheduled = replies::fail_interrupted(db, &interrupted).await?;
    let replies = replies::fail_stuck_sending(db, &interrupted).await?;
    for (company, account, conversation) in &replies {
        manager.conversation_changed(*company, *account, *conversation);
    }
    Ok(scheduled.len() + replies.len())
}

/// Sends every message due now. Returns how many this call sent or failed.
pub async fn run_due(db: &Db, manager: &SessionManager) -> Result<usize, sqlx::Error> {
    run_due_until(db, manager, &CancellationToken::new()).await
}

/// The same, stopping between two sends once `stop` is cancelled: a message is claimed
/// and sent whole, or left due for the next start. Each channel's messages go out in
/// order, channels side by side: a slow channel holds up only its own messages (and each
/// send answers within the session's send timeout).
async fn run_due_until(
    db: &Db,
    manager: &SessionManager,
    stop: &CancellationToken,
) -> Result<usize, sqlx::Error> {
    let mut handled = 0;
    loop {
        let due = replies::due(db, now_ms(), BATCH).await?;
        if due.is_empty() || stop.is_cancelled() {
            return Ok(handled);
        }
        let mut channels: BTreeMap<i64, Vec<ScheduledRow>> = BTreeMap::new();
        for row in due {
            channels.entry(row.account_id).or_default().push(row);
        }
        let sent: Vec<Result<usize, sqlx::Error>> = futures::stream::iter(channels.into_values())
            .map(|rows| send_in_order(db, manager, rows, stop))
            .buffer_unordered(CHANNELS_AT_ONCE)
            .collect()
            .await;
        for count in sent {
            handled += count?;
        }
    }
}

/// One channel's due messages, one after another.
async fn send_in_order(
    db: &Db,
    manager: &SessionManager,
    rows: Vec<ScheduledRow>,
    stop: &CancellationToken,
) -> Result<usize, sqlx::Error> {
    let mut handled = 0;
    for row in rows {
        if stop.is_cancelled() {
            break;
        }
        let by = manager.node_id();
        let by = by.as_deref().unwrap_or(SINGLE_SERVER);
        if replies::claim(db, row.id, now_ms(), by).await? {
            send_one(db, manager, &row).await?;
            handled += 1;
        }
    }
    Ok(handled)
}

async fn send_one(
    db: &Db,
    manager: &SessionManager,
    row: &ScheduledRow,
) -> Result<(), sqlx::Error> {
    let message_id = replies::insert_sending(
        db,
        row.conversation_id,
        row.account_id,
        &row.text,
        row.created_by,
        &local_message_id(),
        now_ms(),
    )
    .await?;
    let outgoing = Outgoing {
        company_id: row.company_id,
        account_id: row.account_id,
        conversation_id: row.conversation_id,
        message_id,
        to: &row.contact_phone,
        text: &row.text,
        queue_when_offline: false,
    };
    // Handed to another server counts as sent here: the message's own row tells the rest.
    let delivery = deliver(db, manager, &outgoing).await?;
    replies::finish(db, row.id, delivery.failure()).await?;
    // `deliver` told the pages when the message's row changed, before this row was
    // finished: a page that read on that notice may still show it as Scheduled.
    manager.conversation_changed(row.company_id, row.account_id, row.conversation_id);
    Ok(())
}

fn online(manager: &SessionManager, account: i64) -> bool {
    matches!(manager.live(account).health, Some(Health::Online))
}

/// Queued replies: those of channels whose session runs here and is online go out; those
/// of channels no longer Connected fail, so nobody waits for them.
pub async fn sweep_queued(db: &Db, manager: &SessionManager) -> Result<(), sqlx::Error> {
    for (company, account, conversation) in
        replies::fail_queued_of_unconnected(db, &StoredReason::Stranded.english()).await?
    {
        manager.conversation_changed(company, account, conversation);
    }
    for account in replies::accounts_with_queued(db).await? {
        if online(manager, account) {
            send_queued(db, manager, account).await?;
        }
    }
    Ok(())
}

/// Sends scheduled messages as they fall due, and queued replies when their channel is
/// back, until `stop` is cancelled.
pub async fn run(db: Db, manager: SessionManager, scheduler: Scheduler, stop: CancellationToken) {
    let mut changes = manager.subscribe();
    match recover(&db, &manager).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(n, "messages interrupted by a restart were marked failed"),
        Err(e) => tracing::error!("could not recover interrupted sends: {e}"),
    }
    while !stop.is_cancelled() {
        if let Err(e) = run_due_until(&db, &manager, &stop).await {
            tracing::error!("scheduled messages: {e}");
        }
        if let Err(e) = sweep_queued(&db, &manager).await {
            tracing::error!("queued replies: {e}");
        }
        let wait = match replies::next_due(&db).await {
            Ok(Some(at)) => {
                Duration::from_millis((at - now_ms()).clamp(0, IDLE_LOOK.as_millis() as i64) as u64)
            }
            Ok(None) => IDLE_LOOK,
            Err(_) => Duration::from_secs(5),
        };
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        // A session coming back sends its channel's queue at once; other news waits.
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = &mut sleep => break,
                _ = scheduler.wake.notified() => break,
                changed = changes.recv() => match changed {
                    Ok(changed) if online(&manager, changed.account_id) => {
                        if let Err(e) = send_queued(&db, &manager, changed.account_id).await {
                            tracing::error!("queued replies: {e}");
                        }
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}
