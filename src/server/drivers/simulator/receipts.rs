//! The customers' side of WhatsApp's ticks: a customer's phone acknowledges each reply at
//! once (Delivered) and reads the chat when told to (`POST …/phones/{phone}/read`); the
//! channel's own read receipts for what customers sent are kept for
//! `GET …/phones/{phone}/read-marks`.

use std::time::Duration;

use tokio::sync::mpsc;

use super::session::OUTBOX_LIMIT;
use super::{Signal, Simulator};
use crate::server::db::now_ms;
use crate::server::drivers::driver::Receipt;

/// How long a customer's phone takes to acknowledge a reply: a network's round trip, so
/// the receipt never overtakes the send's own answer.
const DELIVERY_DELAY: Duration = Duration::from_millis(100);

/// A read receipt the channel sent for a customer's message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadMark {
    /// The linked number that sent the receipt, E.164.
    pub phone: String,
    /// The customer whose message it marks read.
    pub chat: String,
    pub id: String,
    pub at_ms: i64,
}

fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

impl Simulator {
    /// The customer's phone acknowledges reply `id` a moment after it went out.
    pub(super) fn acknowledge_later(&self, id: String, signals: mpsc::Sender<Signal>) {
        let sim = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(DELIVERY_DELAY).await;
            let at_ms = now_ms();
            if let Some(sent) = sim.state().outbox.iter_mut().find(|m| m.id == id) {
                sent.delivered_at_ms.get_or_insert(at_ms);
            }
            let receipt = Signal::Receipt {
                ids: vec![id],
                receipt: Receipt::Delivered,
                at_ms,
            };
            let _ = signals.send(receipt).await;
        });
    }

    /// The customer `customer` opens their chat with the linked number `phone`: every
    /// reply not read yet becomes read, and the linked devices hear of it. `None` when no
    /// device of `phone` is online (the receipt would have nowhere to go).
    pub async fn customer_reads(&self, phone: &str, customer: &str) -> Option<usize> {
        let (ids, targets) = {
            let mut state = self.state();
            let targets = state.sessions_of(phone);
            if targets.is_empty() {
                return None;
            }
            let at_ms = now_ms();
            let customer = digits(customer);
            let ids: Vec<String> = state
                .outbox
                .iter_mut()
                .filter(|m| m.from == phone && digits(&m.to) == customer && m.read_at_ms.is_none())
                .map(|m| {
                    m.delivered_at_ms.get_or_insert(at_ms);
                    m.read_at_ms = Some(at_ms);
                    m.id.clone()
                })
                .collect();
            (ids, targets)
        };
        if !ids.is_empty() {
            for signals in targets {
                let receipt = Signal::Receipt {
                    ids: ids.clone(),
                    receipt: Receipt::Read,
                    at_ms: now_ms(),
                };
                let _ = signals.send(receipt).await;
            }
        }
        Some(ids.len())
    }

    /// The channel of `account` marked the customer's messages `ids` read.
    pub(super) fn record_read_marks(&self, account: i64, chat: String, ids: Vec<String>) -> bool {
        let mut state = self.state();
        let Some(phone) = state.sessions.get(&account).map(|s| s.phone.clone()) else {
            return false;
        };
        let at_ms = now_ms();
        for id in ids {
            if state.read_marks.len() >= OUTBOX_LIMIT {
                state.read_marks.remove(0);
            }
            let mark = ReadMark {
                phone: phone.clone(),
                chat: chat.clone(),
                id,
                at_ms,
            };
            state.read_marks.push(mark);
        }
        true
    }

    /// The read receipts `phone`'s channel sent, oldest first.
    pub fn read_marks(&self, phone: &str) -> Vec<ReadMark> {
        self.state()
            .read_marks
            .iter()
            .filter(|m| m.phone == phone)
            .cloned()
            .collect()
    }
}
