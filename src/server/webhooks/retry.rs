//! When a failed delivery is tried again: exponential backoff from 30 s, at most an hour
//! apart, with jitter so that endpoints that failed together do not all come back in the
//! same second; after 24 hours the delivery is given up.

use std::time::Duration;

const FIRST: Duration = Duration::from_secs(30);
const LONGEST: Duration = Duration::from_secs(60 * 60);
/// How long after the event a delivery is still tried.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The wait before try number `failures + 1`, given `failures` failed tries so far and
/// `jitter` in `[0, 1)` (a random draw): between 75 % and 125 % of the nominal wait. `None`
/// when that try would come later than `GIVE_UP_AFTER` after the first (`elapsed` since).
pub fn next_try(failures: u32, jitter: f64, elapsed: Duration) -> Option<Duration> {
    let nominal = FIRST
        .checked_mul(
            1u32.checked_shl(failures.saturating_sub(1))
                .unwrap_or(u32::MAX),
        )
        .unwrap_or(LONGEST)
        .min(LONGEST);
    let wait = nominal.mul_f64(0.75 + 0.5 * jitter.clamp(0.0, 1.0));
    (elapsed + wait <= GIVE_UP_AFTER).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nominal schedule (no jitter's spread) until it gives up.
    fn schedule() -> Vec<Duration> {
        let mut elapsed = Duration::ZERO;
        let mut waits = Vec::new();
        while let Some(wait) = next_try(waits.len() as u32 + 1, 0.5, elapsed) {
            elapsed += wait;
            waits.push(wait);
        }
        waits
    }

    #[test]
    fn waits_double_from_thirty_seconds_up_to_an_hour_for_a_day() {
        let waits = schedule();
        let secs: Vec<u64> = waits.iter().take(9).map(Duration::as_secs).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        let total: Duration = waits.iter().sum();
        assert!(
            total <= GIVE_UP_AFTER && total > GIVE_UP_AFTER - LONGEST,
            "{total:?}"
        );
        assert_eq!(waits.len(), 29, "a day of tries");
    }

    #[test]
    fn jitter_spreads_a_wait_by_a_quarter_either_way() {
        assert_eq!(
            next_try(1, 0.0, Duration::ZERO),
            Some(Duration::from_millis(22_500))
        );
        assert_eq!(
            next_try(1, 0.999_999, Duration::ZERO).map(|d| d.as_secs()),
            Some(37)
        );
        assert_eq!(
            next_try(40, 0.5, Duration::ZERO),
            Some(LONGEST),
            "no overflow"
        );
        assert_eq!(next_try(3, 0.5, GIVE_UP_AFTER), None);
    }
}
