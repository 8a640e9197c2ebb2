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
}

/// "Too many sign-in attempts. Try again in 3 minutes." (rounded up, at least one minute).
pub fn too_many_attempts_message(retry_after_ms: i64) -> String {
    let minutes = ((retry_after_ms.max(1) + 59_999) / 60_000).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many sign-in attempts. Try again in {minutes} {unit}.")
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
    fn message_rounds_minutes_up() {
        assert_eq!(
            too_many_attempts_message(1),
            "Too many sign-in attempts. Try again in 1 minute."
        );
        assert_eq!(
            too_many_attempts_message(WINDOW_MS),
            "Too many sign-in attempts. Try again in 5 minutes."
        );
        assert_eq!(
            too_many_attempts_message(60_001),
            "Too many sign-in attempts. Try again in 2 minutes."
        );
    }
}
