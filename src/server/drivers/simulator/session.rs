//! What the simulator keeps per linked session besides its signals: the counters behind
//! the health line (the same fields the live driver reports) and the messages it sent.

use crate::server::db::now_ms;

use crate::server::drivers::driver::SessionStats;

/// Messages kept for `GET /simulator/api/phones/{phone}/outbox`; the oldest go first.
pub const OUTBOX_LIMIT: usize = 10_000;

/// A message a linked number sent through the simulator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SentMessage {
    /// The linked number that sent it, E.164.
    pub from: String,
    pub to: String,
    pub text: String,
    pub id: String,
    pub at_ms: i64,
    /// When the customer's phone acknowledged it, and when the customer read it.
    pub delivered_at_ms: Option<i64>,
    pub read_at_ms: Option<i64>,
}

/// One simulated connection's counters. A frame is one event or command on the wire;
/// its size is what the text would weigh.
#[derive(Debug, Default)]
pub struct SimCounters {
    stats: SessionStats,
}

impl SimCounters {
    pub fn received(&mut self, bytes: usize, is_message: bool) {
        self.stats.frames_received += 1;
        self.stats.bytes_received += bytes as u64;
        self.stats.messages_received += u64::from(is_message);
        self.stats.last_activity_ms = now_ms();
    }

    pub fn sent(&mut self, bytes: usize, is_message: bool) {
        self.stats.frames_sent += 1;
        self.stats.bytes_sent += bytes as u64;
        self.stats.messages_sent += u64::from(is_message);
    }

    pub fn snapshot(&self) -> SessionStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_frames_messages_and_activity() {
        let mut counters = SimCounters::default();
        assert_eq!(counters.snapshot().last_activity_ms, 0);
        counters.received(10, true);
        counters.received(4, false);
        counters.sent(7, true);
        let stats = counters.snapshot();
        assert_eq!(
            (
                stats.frames_received,
                stats.bytes_received,
                stats.messages_received
            ),
            (2, 14, 1)
        );
        assert_eq!(
            (stats.frames_sent, stats.bytes_sent, stats.messages_sent),
            (1, 7, 1)
        );
        assert!(stats.last_activity_ms > 0);
    }
}
