//! Reconnect delays: exponential from a base, capped, with jitter so that many sessions
//! dropped by the same outage do not all retry in the same instant.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The delay before reconnect attempt `attempt` (1-based); `jitter` in [-1, 1]
    /// moves it by up to 20 % either way.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        let raw = self.base.saturating_mul(1u32 << doublings).min(self.max);
        raw.mul_f64(1.0 + 0.2 * jitter.clamp(-1.0, 1.0))
    }

    pub fn jittered(&self, attempt: u32) -> Duration {
        self.delay(
            attempt,
            rand::Rng::gen_range(&mut rand::thread_rng(), -1.0..=1.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_up_to_a_minute() {
        let b = Backoff::default();
        let secs: Vec<u64> = (1..=8).map(|a| b.delay(a, 0.0).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(
            b.delay(1_000, 0.0),
            Duration::from_secs(60),
            "no overflow on long outages"
        );
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let b = Backoff::default();
        assert_eq!(b.delay(3, 1.0), Duration::from_millis(4_800));
        assert_eq!(b.delay(3, -1.0), Duration::from_millis(3_200));
        for _ in 0..100 {
            let d = b.jittered(2).as_millis();
            assert!((1_600..=2_400).contains(&d), "{d}");
        }
    }
}
