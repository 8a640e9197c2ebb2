//! Failed sign-in attempts counted per key over a sliding window. Pure: callers pass the time.

use std::collections::{HashMap, VecDeque};

#[derive(Debug)]
pub struct SlidingWindow {
    limit: usize,
    window_ms: i64,
    hits: HashMap<String, VecDeque<i64>>,
}

/// Beyond this many keys, stale ones are dropped so an attacker cannot grow memory forever.
const PRUNE_ABOVE_KEYS: usize = 10_000;
/// Never more keys than this: past it, the least recently hit go first.
pub const MAX_KEYS: usize = 50_000;

impl SlidingWindow {
    pub fn new(limit: usize, window_ms: i64) -> Self {
        SlidingWindow {
            limit,
            window_ms,
            hits: HashMap::new(),
        }
    }

    /// `Some(ms until the oldest counted attempt leaves the window)` when `key` is at its limit.
    pub fn retry_after(&self, key: &str, now: i64) -> Option<i64> {
        let hits = self.hits.get(key)?;
        let recent: Vec<i64> = hits
            .iter()
            .copied()
            .filter(|t| now - t < self.window_ms)
            .collect();
        if recent.len() >= self.limit {
            recent.first().map(|oldest| oldest + self.window_ms - now)
        } else {
            None
        }
    }

    pub fn record(&mut self, key: &str, now: i64) {
        let window = self.window_ms;
        let hits = self.hits.entry(key.to_string()).or_default();
        hits.push_back(now);
        while hits.front().is_some_and(|t| now - t >= window) {
            hits.pop_front();
        }
        if self.hits.len() > PRUNE_ABOVE_KEYS {
            self.hits
                .retain(|_, hits| hits.back().is_some_and(|t| now - t < window));
        }
        if self.hits.len() > MAX_KEYS {
            // Down to nine tenths, so the sort runs once per thousands of new keys.
            let mut last_hits: Vec<i64> = self
                .hits
                .values()
                .filter_map(|h| h.back().copied())
                .collect();
            last_hits.sort_unstable();
            let cut = last_hits[last_hits.len() - MAX_KEYS * 9 / 10];
            self.hits
                .retain(|_, hits| hits.back().is_some_and(|t| *t >= cut));
        }
    }

    /// Takes back one hit counted at `at` (the attempt turned out to be a success).
    pub fn forget(&mut self, key: &str, at: i64) {
        if let Some(hits) = self.hits.get_mut(key) {
            if let Some(i) = hits.iter().rposition(|t| *t == at) {
                hits.remove(i);
            }
            if hits.is_empty() {
                self.hits.remove(key);
            }
        }
    }

    pub fn keys(&self) -> usize {
        self.hits.len()
    }
}

/// Failed sign-ins are limited both per email (guessing one account's password)
/// and per client address (trying many accounts).
#[derive(Debug)]
pub struct LoginLimiter {
    by_email: SlidingWindow,
    by_ip: SlidingWindow,
}

pub const WINDOW_MS: i64 = 5 * 60 * 1000;
pub const FAILURES_PER_EMAIL: usize = 10;
pub const FAILURES_PER_IP: usize = 30;

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter {
            by_email: SlidingWindow::new(FAILURES_PER_EMAIL, WINDOW_MS),
            by_ip: SlidingWindow::new(FAILURES_PER_IP, WINDOW_MS),
        }
    }
}

impl LoginLimiter {
    pub fn retry_after(&self, email: &str, ip: &str, now: i64) -> Option<i64> {
        let email_wait = self.by_email.retry_after(email, now);
        let ip_wait = self.by_ip.retry_after(ip, now);
        email_wait.max(ip_wait)
    }

    pub fn record_failure(&mut self, email: &str, ip: &str, now: i64) {
        self.by_email.record(email, now);
        self.by_ip.record(ip, now);
    }

    /// Counts an attempt before its password is checked, in one step with the check of the
    /// limits, so parallel guesses cannot all pass a check none of them has counted yet.
    /// `Err(ms to wait)` at the limit. A success is taken back with [`Self::release`].
    pub fn reserve(&mut self, email: &str, ip: &str, now: i64) -> Result<(), i64> {
        if let Some(wait) = self.retry_after(email, ip, now) {
            return Err(wait);
        }
        self.record_failure(email, ip, now);
        Ok(())
    }

    /// How many emails and addresses are being counted.
    pub fn keys(&self) -> usize {
        self.by_email.keys() + self.by_ip.keys()
    }

    /// The attempt reserved at `at` succeeded: it does not count against the limits.
    pub fn release(&mut self, email: &str, ip: &str, at: i64) {
        self.by_email.forget(email, at);
        self.by_ip.forget(ip, at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_reached_after_n_hits_and_clears_with_time() {
        let mut w = SlidingWindow::new(3, 1_000);
        for t in [0, 100, 200] {
            assert_eq!(w.retry_after("k", t), None);
            w.record("k", t);
        }
        assert_eq!(w.retry_after("k", 300), Some(700));
        assert_eq!(w.retry_after("other", 300), None, "keys are independent");
        assert_eq!(
            w.retry_after("k", 1_000),
            None,
            "the oldest hit left the window"
        );
    }

    #[test]
    fn email_and_ip_limits_apply_separately() {
        let mut limiter = LoginLimiter::default();
        for i in 0..FAILURES_PER_EMAIL as i64 {
            limiter.record_failure("ana@demo.test", "10.0.0.1", i);
        }
        assert!(
            limiter
                .retry_after("ana@demo.test", "10.0.0.9", 20)
                .is_some(),
            "same email, new ip"
        );
        assert!(limiter
            .retry_after("carlos@demo.test", "10.0.0.1", 20)
            .is_none());

        for i in 0..FAILURES_PER_IP as i64 {
            limiter.record_failure(&format!("user{i}@demo.test"), "10.0.0.2", 100 + i);
        }
        assert!(
            limiter
                .retry_after("new@demo.test", "10.0.0.2", 200)
                .is_some(),
            "same ip, new email"
        );
        assert!(limiter
            .retry_after("new@demo.test", "10.0.0.2", 100 + WINDOW_MS + 40)
            .is_none());
    }

    #[test]
    fn stale_keys_are_pruned() {
        let mut w = SlidingWindow::new(3, 1_000);
        for i in 0..=PRUNE_ABOVE_KEYS {
            w.record(&format!("k{i}"), 0);
        }
        w.record("late", 5_000);
        assert_eq!(w.hits.len(), 1);
    }

    #[test]
    fn a_reservation_counts_at_once_and_a_success_is_taken_back() {
        let mut limiter = LoginLimiter::default();
        for i in 0..FAILURES_PER_EMAIL as i64 {
            assert!(limiter.reserve("ana@demo.test", "10.0.0.1", i).is_ok());
        }
        assert!(
            limiter.reserve("ana@demo.test", "10.0.0.1", 20).is_err(),
            "reserved, not yet checked, still counts"
        );
        limiter.release("ana@demo.test", "10.0.0.1", 3);
        assert!(
            limiter.reserve("ana@demo.test", "10.0.0.1", 21).is_ok(),
            "a success frees its place"
        );
    }

    #[test]
    fn keys_stay_bounded_however_many_are_tried() {
        let mut w = SlidingWindow::new(3, 1_000_000);
        for i in 0..(MAX_KEYS as i64 + 5_000) {
            w.record(&format!("key{i}"), i);
        }
        assert!(w.keys() <= MAX_KEYS, "{}", w.keys());
        assert!(
            w.retry_after("key0", 1).is_none(),
            "the oldest keys went first"
        );
    }
}
