//! The chats a phone sends to a device it has just linked, in parts, as WhatsApp does:
//! given by the test (`history` on a scan) or generated (`history_count`). Their files
//! stay with the phone until a device asks for one, as WhatsApp's history media does.

use std::time::Duration;

use super::{Signal, Simulator};
use crate::server::drivers::driver::{DriverError, HistoryBatch, HistoryMessage};

/// Messages per part.
pub const BATCH: usize = 250;
/// The most a scan may ask to generate.
pub const MAX_GENERATED: usize = 200_000;
const DAY_MS: i64 = 86_400_000;

impl Simulator {
    /// Sends `messages` to the devices of `phone` in parts, after what is already queued
    /// for them (the pairing); the last part says 100 %.
    pub fn send_history(&self, phone: String, messages: Vec<HistoryMessage>) {
        if messages.is_empty() {
            return;
        }
        let sim = self.clone();
        tokio::spawn(async move {
            let parts: Vec<Vec<HistoryMessage>> =
                messages.chunks(BATCH).map(<[_]>::to_vec).collect();
            let total = parts.len();
            for (n, part) in parts.into_iter().enumerate() {
                let progress = ((n + 1) * 100 / total) as u32;
                let targets = sim.state().sessions_of(&phone);
                for signals in targets {
                    let batch = HistoryBatch {
                        messages: part.clone(),
                        progress: Some(progress),
                    };
                    let _ = signals.send(Signal::History(batch)).await;
                }
                // The phone uploads parts one after another, not all at once.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }
}

/// A file a phone's history names.
#[derive(Debug, Clone)]
pub struct HistoryFile {
    pub phone: String,
    pub bytes: Vec<u8>,
    /// The phone no longer has it (deleted since): every download fails.
    pub gone: bool,
}

/// The reference a history file of `phone`'s message `id` goes by.
pub fn file_reference(phone: &str, id: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("simfile:{digits}:{id}")
}

impl Simulator {
    pub fn keep_history_files(&self, files: Vec<(String, HistoryFile)>) {
        self.state().history_files.extend(files);
    }

    /// A history file for a device of `account`: only a device of the phone whose history
    /// named it gets it.
    pub(super) fn history_file(
        &self,
        account: i64,
        reference: &str,
    ) -> Result<Vec<u8>, DriverError> {
        let state = self.state();
        let phone = state.sessions.get(&account).map(|s| s.phone.as_str());
        match state.history_files.get(reference) {
            Some(file) if Some(file.phone.as_str()) == phone && !file.gone => {
                Ok(file.bytes.clone())
            }
            Some(file) if Some(file.phone.as_str()) == phone => Err(DriverError::Rejected(
                "the phone no longer has this file".into(),
            )),
            _ => Err(DriverError::Rejected("WhatsApp has no such file".into())),
        }
    }
}

impl Simulator {
    /// One part of a history, saying `progress`, to the devices of `phone` (a transfer
    /// that stops midway, for tests).
    pub async fn send_history_part(
        &self,
        phone: &str,
        messages: Vec<HistoryMessage>,
        progress: Option<u32>,
    ) {
        let targets = self.state().sessions_of(phone);
        for signals in targets {
            let batch = HistoryBatch {
                messages: messages.clone(),
                progress,
            };
            let _ = signals.send(Signal::History(batch)).await;
        }
    }
}

/// `count` messages over `chats` customers of `phone`, within the last `days` days, the
/// newest now; every third one written by the linked number. Ids depend only on the
/// arguments, so the same history sent again is the same messages.
pub fn generated(
    phone: &str,
    count: usize,
    chats: usize,
    now_ms: i64,
    days: i64,
) -> Vec<HistoryMessage> {
    let chats = chats.clamp(1, count.max(1));
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let span = (days * DAY_MS).max(1);
    (0..count)
        .map(|i| {
            let chat = i % chats;
            HistoryMessage {
                id: format!("HIST{digits}x{i}"),
                chat: format!("+5730{:08}", 10_000_000 + chat),
                from_me: i % 3 == 2,
                name: format!("Cliente {}", chat + 1),
                text: format!("Mensaje antiguo {} de {}", i / chats + 1, chat + 1),
                sent_at_ms: now_ms - span + (span * (i as i64 + 1)) / count as i64,
                media: None,
            }
        })
        .collect()
}
