//! Replies and scheduled messages. A reply is stored as Sending before it goes out, so
//! nothing typed is lost if the send fails; it ends Sent or Failed with the driver's
//! reason, and a failed one can be retried.

use rand::RngCore;

use super::inbox::{conversation_live, reply_blocked, visible};
use super::internal;
use crate::domain::account::AccountStatus;
use crate::domain::inbox::{reply_text, schedule_time, MessageStatus};
use crate::error::AppError;
use crate::i18n::refusals::{Refusal, StoredReason};
use crate::server::db::inbox::ConversationRow;
use crate::server::db::replies;
use crate::server::db::sign_ins::SignedInUser;
use crate::server::db::{now_ms, Db};
use crate::server::sessions::manager::{ManagerError, SessionManager};
use crate::server::workers::scheduler::Scheduler;
use crate::views::inbox::ConversationPage;

/// Who takes replies for sending outside a cluster.
pub const SINGLE_SERVER: &str = "local";

/// An id for a message WhatsApp has not numbered yet; unique per channel like theirs.
pub fn local_message_id() -> String {
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("local-{}", hex::encode(bytes))
}

/// What the agent reads when a send fails.
pub fn failure_reason(error: &ManagerError) -> String {
    match error {
        ManagerError::NotConnected => StoredReason::NotConnected,
        ManagerError::Driver(e) => StoredReason::NotTaken(e.to_string()),
        other => StoredReason::NotSent(other.to_string()),
    }
    .english()
}

/// A message stored as Sending, about to go out.
pub struct Outgoing<'a> {
    pub company_id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
    pub message_id: i64,
    /// E.164.
    pub to: &'a str,
    pub text: &'a str,
    /// A reply (not a scheduled message) on a Connected channel: when the session is
    /// offline it waits as Queued instead of failing.
    pub queue_when_offline: bool,
}

/// What became of a reply handed to [`deliver`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Not sent, with the reason the agent reads.
    Failed(String),
    /// Given up on after it reached WhatsApp: it may have gone out.
    Unconfirmed(String),
    /// Another server holds the channel's session (or took the reply first): it sends it,
    /// and the conversation's pages hear how it went.
    Handed,
    /// The session is offline: the reply waits and goes out when it is back.
    Queued,
}

impl Delivery {
    pub fn failure(&self) -> Option<&str> {
        match self {
            Delivery::Failed(reason) => Some(reason),
            Delivery::Sent | Delivery::Handed | Delivery::Queued | Delivery::Unconfirmed(_) => None,
        }
    }
}

/// Sends the reply through the channel's session and records how it went. In a cluster a
/// session runs on one server only: a reply typed elsewhere is left in Sending and its
/// owner is asked to send it. Whoever sends it takes it first, so it goes out at most once.
pub async fn deliver(
    db: &Db,
    manager: &SessionManager,
    message: &Outgoing<'_>,
) -> Result<Delivery, sqlx::Error> {
    let node = manager.node_id();
    if node.is_some() && !manager.runs_session(message.account_id) {
        manager.ask_owner_to_send(message.company_id, message.account_id);
        return Ok(Delivery::Handed);
    }
    let sender = node.as_deref().unwrap_or(SINGLE_SERVER);
    if !replies::take_for_sending(db, message.message_id, sender).await? {
        return Ok(Delivery::Handed);
    }
    let outcome = manager
        .send_text(
            message.company_id,
            message.account_id,
            message.to.to_string(),
            message.text.to_string(),
        )
        .await;
    let delivery = match outcome {
        Ok(wa_id) => {
            replies::mark_sent(db, message.message_id, &wa_id).await?;
            crate::server::metrics::message_sent();
            Delivery::Sent
        }
        // Never handed to WhatsApp, so sending it later cannot make a duplicate.
        Err(ManagerError::NotConnected) if message.queue_when_offline => {
            replies::mark_queued(db, message.message_id).await?;
            Delivery::Queued
        }
        Err(ManagerError::MaybeSent) => {
            let reason = StoredReason::MaybeSent.english();
            replies::mark_unconfirmed(db, message.message_id, &reason).await?;
            Delivery::Unconfirmed(reason)
        }
        Err(error) => {
            let reason = failure_reason(&error);
            replies::mark_failed(db, message.message_id, &reason).await?;
            Delivery::Failed(reason)
        }
    };
    manager.conversation_changed(
        message.company_id,
        message.account_id,
        message.conversation_id,
    );
    Ok(delivery)
}

/// Replies go only through a Connected channel.
fn refuse_unless_connected(row: &ConversationRow) -> Result<(), AppError> {
    let status = AccountStatus::parse(&row.channel_status).unwrap_or(AccountStatus::Disconnected);
    match reply_blocked(status) {
        Some(refusal) => Err(refusal.into()),
        None => Ok(()),
    }
}

/// Sends a reply already stored as Sending, and answers the refreshed page; sent or not,
/// the outcome is on the message the page shows (with the reason).
async fn send_stored(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    row: &ConversationRow,
    message_id: i64,
    text: &str,
) -> Result<ConversationPage, AppError> {
    manager.conversation_changed(user.company_id, row.account_id, row.id);
    let outgoing = Outgoing {
        company_id: user.company_id,
        account_id: row.account_id,
        conversation_id: row.id,
        message_id,
        to: &row.contact_phone,
        text,
        queue_when_offline: true,
    };
    let _outcome = deliver(db, manager, &outgoing)
        .await
        .map_err(|e| internal("record reply outcome", e))?;
    conversation_live(db, manager, user, row.id).await
}

pub async fn send(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    conversation_id: i64,
    raw_text: &str,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), conversation_id).await?;
    let text = reply_text(raw_text)?;
    refuse_unless_connected(&row)?;
    let message_id = replies::insert_sending(
        db,
        conversation_id,
        row.account_id,
        &text,
        Some(user.user_id),
        &local_message_id(),
        now_ms(),
    )
    .await
    .map_err(|e| internal("store reply", e))?;
    send_stored(db, manager, user, &row, message_id, &text).await
}

/// Sends a failed reply again. One that may have gone out is sent again only when the
/// agent `confirmed` it; otherwise the answer is the question to ask them.
pub async fn retry(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    conversation_id: i64,
    message_id: i64,
    confirmed: bool,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), conversation_id).await?;
    let not_waiting = || AppError::from(Refusal::NotWaitingForRetry);
    let status = replies::reply_status(db, conversation_id, message_id)
        .await
        .map_err(|e| internal("read reply", e))?
        .and_then(|code| MessageStatus::parse(&code))
        .filter(|status| status.retryable())
        .ok_or_else(not_waiting)?;
    if status == MessageStatus::Unconfirmed && !confirmed {
        return Err(Refusal::SendAgainQuestion.into());
    }
    refuse_unless_connected(&row)?;
    let text = replies::retry(db, conversation_id, message_id, status.code())
        .await
        .map_err(|e| internal("retry reply", e))?
        .ok_or_else(not_waiting)?;
    send_stored(db, manager, user, &row, message_id, &text).await
}

pub async fn schedule(
    db: &Db,
    manager: &SessionManager,
    scheduler: &Scheduler,
    user: &SignedInUser,
    conversation_id: i64,
    raw_text: &str,
    send_at_ms: i64,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), conversation_id).await?;
    let text = reply_text(raw_text)?;
    let send_at = schedule_time(send_at_ms, now_ms())?;
    replies::schedule(
        db,
        conversation_id,
        row.account_id,
        &text,
        send_at,
        user.user_id,
        now_ms(),
    )
    .await
    .map_err(|e| internal("schedule message", e))?;
    scheduler.wake();
    manager.conversation_changed(user.company_id, row.account_id, conversation_id);
    conversation_live(db, manager, user, conversation_id).await
}

pub async fn cancel(
    db: &Db,
    manager: &SessionManager,
    user: &SignedInUser,
    conversation_id: i64,
    scheduled_id: i64,
) -> Result<ConversationPage, AppError> {
    let row = visible(db, user.viewer(), conversation_id).await?;
    let cancelled = replies::cancel(db, conversation_id, scheduled_id)
        .await
        .map_err(|e| internal("cancel scheduled message", e))?;
    if !cancelled {
        return Err(Refusal::AlreadyGoneOut.into());
    }
    manager.conversation_changed(user.company_id, row.account_id, conversation_id);
    conversation_live(db, manager, user, conversation_id).await
}

/// Sends the channel's queued replies, oldest first, now that its session is back; stops
/// if it drops again (the rest keep waiting). Each is taken from the queue before it is
/// sent, so it goes out once however many servers or wake-ups try.
pub async fn send_queued(
    db: &Db,
    manager: &SessionManager,
    account_id: i64,
) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    for queued in replies::queued_of(db, account_id).await? {
        if !replies::unqueue(db, queued.id).await? {
            continue;
        }
        let outgoing = Outgoing {
            company_id: queued.company_id,
            account_id,
            conversation_id: queued.conversation_id,
            message_id: queued.id,
            to: &queued.contact_phone,
            text: &queued.text,
            queue_when_offline: true,
        };
        if deliver(db, manager, &outgoing).await? == Delivery::Queued {
            break;
        }
        sent += 1;
    }
    Ok(sent)
}
