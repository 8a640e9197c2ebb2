//! Whether WhatsApp's server takes what this channel sends. A send returns once the
//! message is on the socket; WhatsApp's ack comes after. A message with no ack in time,
//! or refused, makes the card say the channel's messages aren't being accepted (the
//! "linked but silently not working" session) and its reply Not confirmed; the next
//! message WhatsApp takes clears the warning.

use std::collections::BTreeSet;

use super::*;
use crate::server::db::receipts;

/// What an agent reads on a reply WhatsApp never acknowledged.
pub const NOT_ACCEPTED: &str = "WhatsApp has not accepted this message. It may not have gone out: check with the contact before sending it again.";

/// A sent message waiting for WhatsApp's ack.
#[derive(Debug, Clone, Copy)]
pub(in crate::server::sessions) struct Unacked {
    sent_ms: i64,
    due: Instant,
}

impl AccountActor {
    /// The message `id` left on the socket: WhatsApp's ack is now awaited.
    pub(super) fn await_ack(&mut self, id: String) {
        let due = Instant::now() + self.inner.options.ack_timeout;
        let sent_ms = now_ms();
        self.unacked.insert(id, Unacked { sent_ms, due });
    }

    pub(super) fn next_ack_due(&self) -> Option<Instant> {
        self.unacked.values().map(|u| u.due).min()
    }

    /// Acks that did not come in time: those replies become Not confirmed, and the
    /// channel's messages aren't being accepted since the oldest was sent.
    pub(super) async fn acks_overdue(&mut self) {
        let now = Instant::now();
        let overdue: Vec<(String, Unacked)> = self
            .unacked
            .iter()
            .filter(|(_, u)| u.due <= now)
            .map(|(id, u)| (id.clone(), *u))
            .collect();
        let Some(since) = overdue.iter().map(|(_, u)| u.sent_ms).min() else {
            return;
        };
        let ids: Vec<String> = overdue.into_iter().map(|(id, _)| id).collect();
        for id in &ids {
            self.unacked.remove(id);
        }
        tracing::warn!(
            account = self.id,
            count = ids.len(),
            "sent messages got no ack from WhatsApp"
        );
        if self.writes_allowed() {
            match receipts::not_accepted(&self.inner.db, self.id, &ids, NOT_ACCEPTED).await {
                Ok(changed) => self.conversations_changed(changed),
                Err(e) => {
                    tracing::error!(account = self.id, "could not mark replies unconfirmed: {e}")
                }
            }
        }
        self.set_unaccepted(Some(since)).await;
    }

    /// WhatsApp's server took the message `id`, or refused it (`error`).
    pub(super) async fn server_ack(&mut self, id: String, error: Option<String>) {
        let awaited = self.unacked.remove(&id);
        match error {
            None => {
                // A late ack: the reply did go out after all.
                if awaited.is_none() && self.writes_allowed() {
                    match receipts::accepted_late(&self.inner.db, self.id, &id).await {
                        Ok(changed) => self.conversations_changed(changed),
                        Err(e) => tracing::error!(account = self.id, "late ack not stored: {e}"),
                    }
                }
                self.set_unaccepted(None).await;
            }
            Some(code) => {
                tracing::warn!(account = self.id, %id, %code, "WhatsApp refused a message");
                if self.writes_allowed() {
                    let reason = format!("WhatsApp refused this message (code {code})");
                    match receipts::refused(&self.inner.db, self.id, &id, &reason).await {
                        Ok(changed) => self.conversations_changed(changed),
                        Err(e) => tracing::error!(account = self.id, "refusal not stored: {e}"),
                    }
                }
                self.set_unaccepted(Some(awaited.map_or_else(now_ms, |u| u.sent_ms)))
                    .await;
            }
        }
    }

    /// A customer's receipt proves WhatsApp took those messages.
    pub(super) async fn receipts_prove_acceptance(&mut self, ids: &[String]) {
        let any = ids.iter().any(|id| self.unacked.remove(id).is_some());
        if any || self.inner.live(self.id).unaccepted_since_ms.is_some() {
            self.set_unaccepted(None).await;
        }
    }

    /// Sets or clears the warning, keeping the first time it began; the card and the
    /// channel's history hear of each change.
    async fn set_unaccepted(&mut self, since: Option<i64>) {
        let before = self.inner.live(self.id).unaccepted_since_ms;
        let after = match (before, since) {
            (Some(first), Some(_)) => Some(first),
            (_, next) => next,
        };
        if before == after {
            return;
        }
        let event = if after.is_some() {
            "messages_not_accepted"
        } else {
            "messages_accepted_again"
        };
        // Recorded before the card changes, so the history never lags what the card says.
        if let Err(e) = accounts::record_event(&self.inner.db, self.id, event, None, now_ms()).await
        {
            tracing::error!(account = self.id, "could not record {event}: {e}");
        }
        self.inner
            .set_live(self.id, |live| live.unaccepted_since_ms = after);
        self.publish();
    }

    /// In a cluster only the owner under its current claim writes what WhatsApp says.
    pub(super) fn writes_allowed(&self) -> bool {
        self.inner.options.cluster.is_none() || self.fence.is_some()
    }

    fn conversations_changed(&self, conversations: Vec<i64>) {
        let distinct: BTreeSet<i64> = conversations.into_iter().collect();
        for conversation in distinct {
            self.inner
                .conversation_changed(self.company_id, self.id, conversation);
        }
    }
}
