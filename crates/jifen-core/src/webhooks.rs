//! When a webhook delivery that failed is tried again.
//!
//! The schedule grows from seconds to hours, each delay spread by a jitter the caller draws (so
//! that deliveries that failed together do not come back together), and stops three days after
//! the delivery was created: the delivery is then failed, kept for replay.

use chrono::Duration;

use crate::Timestamp;

/// How long after its creation a delivery is retried.
pub const RETRY_WINDOW: Duration = Duration::days(3);

/// The delay before the attempt after `attempts` failed ones (1 for the first failure), in
/// seconds: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, then every 12 h.
pub fn base_delay_seconds(attempts: i64) -> i64 {
    const SCHEDULE: [i64; 9] = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];
    let i = usize::try_from(attempts.max(1) - 1).unwrap_or(usize::MAX);
    SCHEDULE.get(i).copied().unwrap_or(43_200)
}

/// When to try again after `attempts` failed attempts (counting the one that just failed),
/// or `None` when the next try would fall after the retry window: the delivery is failed.
///
/// `jitter` in `[0, 1)` spreads the delay over ±20 %.
pub fn next_attempt(
    attempts: i64,
    now: Timestamp,
    created_at: Timestamp,
    jitter: f64,
) -> Option<Timestamp> {
    let base = base_delay_seconds(attempts) * 1_000;
    let jitter = jitter.clamp(0.0, 1.0);
    // ±20 % of the base delay, in milliseconds.
    #[allow(clippy::cast_possible_truncation)]
    let spread = ((jitter * 0.4 - 0.2) * base as f64) as i64;
    let at = now + Duration::milliseconds(base + spread);
    (at <= created_at + RETRY_WINDOW).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn the_schedule_grows_then_holds() {
        let delays: Vec<i64> = (1..=12).map(base_delay_seconds).collect();
        assert_eq!(
            delays,
            [
                5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200, 43_200, 43_200
            ]
        );
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        for j in [0.0, 0.25, 0.5, 0.75, 0.999] {
            let at = next_attempt(4, t0(), t0(), j).unwrap();
            let ms = (at - t0()).num_milliseconds();
            assert!((480_000..=720_000).contains(&ms), "{j}: {ms}");
        }
        let low = next_attempt(4, t0(), t0(), 0.0).unwrap();
        let high = next_attempt(4, t0(), t0(), 0.99).unwrap();
        assert!(low < high, "different draws spread the retries");
    }

    #[test]
    fn retries_stop_after_three_days() {
        // Follow the schedule with the longest delays: it ends inside the window, then stops.
        let created = t0();
        let mut now = created;
        let mut attempts = 1;
        while let Some(at) = next_attempt(attempts, now, created, 0.999) {
            assert!(at <= created + RETRY_WINDOW);
            now = at;
            attempts += 1;
        }
        assert!(
            now > created + Duration::days(2),
            "retried into the third day: {now}"
        );
        assert!(attempts > 10);
        assert_eq!(next_attempt(1, created + RETRY_WINDOW, created, 0.5), None);
    }
}
