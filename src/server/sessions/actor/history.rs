//! The chats WhatsApp sends after pairing: the recent one-to-one chats go into the inbox
//! as they were (times, WhatsApp ids, who wrote; attachments by reference, downloaded when
//! first opened), read, without notifying anyone; the card
//! shows how far the import has got and the channel's history records what it added.

use std::collections::HashSet;

use super::*;
use crate::server::db::account_data;
use crate::server::db::history::{self, NewHistory, PendingMedia};
use crate::server::drivers::driver::{HistoryBatch, HistoryMessage};
use crate::views::channels::ImportProgress;

const DAY_MS: i64 = 86_400_000;
/// How many times a batch is tried before it is given up on (and logged).
const IMPORT_TRIES: u32 = 5;

impl AccountActor {
    pub(super) async fn history(&mut self, batch: HistoryBatch) {
        let days = self.inner.options.history_days;
        if days == 0 || !self.writes_allowed() {
            return;
        }
        match self.import_retrying(&batch.messages, days).await {
            Ok(Some(imported)) => {
                for conversation in &imported.conversations {
                    self.history_seen.insert(*conversation);
                }
                let conversations = self.history_seen.len() as u64;
                self.inner.set_live(self.id, |live| {
                    let progress = live.importing.get_or_insert_with(ImportProgress::default);
                    progress.conversations = conversations;
                    progress.messages += imported.messages;
                });
                for conversation in imported.conversations {
                    self.inner
                        .conversation_changed(self.company_id, self.id, conversation);
                }
            }
            Ok(None) => return,
            Err(e) => tracing::error!(account = self.id, "history batch not stored: {e}"),
        }
        if batch.progress.is_some_and(|p| p >= 100) {
            self.history_done(true).await;
        } else {
            self.history_quiet_at = Some(Instant::now() + self.inner.options.history_quiet);
        }
        self.publish();
    }

    /// The batch is one transaction and a replay adds nothing, so a failed try (SQLite busy
    /// with another writer, a dropped database connection) is simply tried again: WhatsApp
    /// sends a history once, and a part given up on would be lost for good.
    async fn import_retrying(
        &self,
        messages: &[HistoryMessage],
        days: u32,
    ) -> Result<Option<history::Imported>, String> {
        let mut tries = 1;
        loop {
            match self.import(messages, days).await {
                Err(e) if tries < IMPORT_TRIES => {
                    tracing::warn!(
                        account = self.id,
                        "history batch not stored, trying again: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(200) * tries).await;
                    tries += 1;
                }
                done => return done,
            }
        }
    }

    /// `None`: the channel doesn't import (its setup says so), or the claim was lost.
    async fn import(
        &self,
        messages: &[HistoryMessage],
        days: u32,
    ) -> Result<Option<history::Imported>, String> {
        let db = &self.inner.db;
        let db_error = |e: sqlx::Error| format!("database: {e}");
        if !history::imports(db, self.id).await.map_err(db_error)? {
            return Ok(None);
        }
        let routing = account_data::routing(db, self.id)
            .await
            .map_err(db_error)?
            .ok_or_else(|| format!("account {} is gone", self.id))?;
        let since = now_ms() - i64::from(days) * DAY_MS;
        let mut customers = Vec::with_capacity(messages.len());
        for message in messages {
            let customer = inbound::customer_address(db, self.company_id, &message.chat);
            customers.push(customer.await.map_err(db_error)?);
        }
        let batch: Vec<NewHistory> = messages
            .iter()
            .zip(&customers)
            .filter(|(m, _)| {
                m.sent_at_ms >= since && (!m.text.trim().is_empty() || m.media.is_some())
            })
            .map(|(m, customer)| NewHistory {
                customer,
                from_me: m.from_me,
                name: &m.name,
                text: &m.text,
                wa_message_id: &m.id,
                sent_at: m.sent_at_ms,
                media: m.media.as_ref().map(|file| PendingMedia {
                    filename: &file.filename,
                    content_type: &file.content_type,
                    size_bytes: file.size_bytes,
                    reference: &file.reference,
                }),
            })
            .collect();
        history::import(db, self.id, &routing, &batch, now_ms(), self.fence.as_ref())
            .await
            .map_err(db_error)
    }

    /// No part came for a while: the import ends with what came, and says so, rather than
    /// showing progress that no longer moves.
    pub(super) async fn history_went_quiet(&mut self) {
        self.history_quiet_at = None;
        if self.inner.live(self.id).importing.is_some() {
            self.history_done(false).await;
            self.publish();
        }
    }

    /// The import is over (`complete`: WhatsApp sent its last part): the card stops
    /// showing progress and the channel's history says what came in.
    async fn history_done(&mut self, complete: bool) {
        let progress = self.inner.live(self.id).importing.unwrap_or_default();
        self.inner.set_live(self.id, |live| live.importing = None);
        self.history_seen = HashSet::new();
        self.history_quiet_at = None;
        let result = format!(
            "{} conversations, {} messages{}",
            progress.conversations,
            progress.messages,
            if complete {
                ""
            } else {
                " (WhatsApp stopped sending before the end)"
            }
        );
        tracing::info!(account = self.id, %result, "history imported");
        if let Err(e) = history::record_result(&self.inner.db, self.id, &result, now_ms()).await {
            tracing::error!(account = self.id, "history result not recorded: {e}");
        }
    }
}
