//! A program's point policy: how purchases turn into points, when points become available and
//! when they expire, and what happens when a clawback finds nothing left to take.

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// When earned points expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExpiryPolicy {
    /// Points never expire.
    Never,
    /// Points expire `days × 86,400 s` after the instant they were earned.
    RollingDays { days: u32 },
    /// Points expire at 00:00 on 1 January of the year after (earning year + `years_after`),
    /// in the program's time zone.
    EndOfYear { years_after: u32 },
}

/// What a clawback does when the member has no points left to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NegativeBalance {
    /// The missing points become debt, repaid by later credits.
    Allow,
    /// The missing points are written off (a `write_off` entry records how many).
    Forbid,
}

/// The point policy of a program. A change applies to points earned after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointPolicy {
    pub points_per_yuan: i64,
    pub pending_days: u32,
    pub expiry: ExpiryPolicy,
    pub negative_balance: NegativeBalance,
}

impl Default for PointPolicy {
    fn default() -> Self {
        Self {
            points_per_yuan: 1,
            pending_days: 0,
            expiry: ExpiryPolicy::Never,
            negative_balance: NegativeBalance::Allow,
        }
    }
}

/// A policy value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("points_per_yuan must be between 0 and 1,000,000")]
    PointsPerYuan,
    #[error("pending_days must be at most 3,650")]
    PendingDays,
    #[error("expiry days must be between 1 and 36,500")]
    ExpiryDays,
    #[error("expiry years_after must be at most 100")]
    YearsAfter,
}

/// Largest sensible limits; beyond them a policy is a typo, not a decision.
const MAX_POINTS_PER_YUAN: i64 = 1_000_000;
const MAX_PENDING_DAYS: u32 = 3_650;
const MAX_EXPIRY_DAYS: u32 = 36_500;
const MAX_YEARS_AFTER: u32 = 100;

impl PointPolicy {
    /// Checks every field against its range.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(0..=MAX_POINTS_PER_YUAN).contains(&self.points_per_yuan) {
            return Err(PolicyError::PointsPerYuan);
        }
        if self.pending_days > MAX_PENDING_DAYS {
            return Err(PolicyError::PendingDays);
        }
        match self.expiry {
            ExpiryPolicy::RollingDays { days } if days == 0 || days > MAX_EXPIRY_DAYS => {
                Err(PolicyError::ExpiryDays)
            }
            ExpiryPolicy::EndOfYear { years_after } if years_after > MAX_YEARS_AFTER => {
                Err(PolicyError::YearsAfter)
            }
            _ => Ok(()),
        }
    }

    /// Points an order of `amount_fen` is worth: `floor(amount / 100) × points_per_yuan`.
    pub fn order_points(points_per_yuan: i64, amount_fen: i64) -> i64 {
        (amount_fen.max(0) / 100).saturating_mul(points_per_yuan)
    }

    /// When a lot earned at `earned_at` becomes available.
    pub fn available_at(&self, earned_at: Timestamp) -> Timestamp {
        earned_at + Duration::days(i64::from(self.pending_days))
    }

    /// When a lot earned at `earned_at` expires, or `None` when it never does.
    pub fn expires_at(&self, earned_at: Timestamp, tz: Tz) -> Option<Timestamp> {
        match self.expiry {
            ExpiryPolicy::Never => None,
            ExpiryPolicy::RollingDays { days } => Some(earned_at + Duration::days(i64::from(days))),
            ExpiryPolicy::EndOfYear { years_after } => {
                let year = earned_at.with_timezone(&tz).year() + years_after as i32 + 1;
                Some(start_of_year(year, tz))
            }
        }
    }
}

/// 00:00 on 1 January of `year` in `tz`, as an instant.
fn start_of_year(year: i32, tz: Tz) -> Timestamp {
    let midnight = NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    // No zone skips midnight on 1 January, but take the earliest instant if one ever does.
    tz.from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&midnight))
        .with_timezone(&chrono::Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn at(s: &str) -> Timestamp {
        s.parse::<chrono::DateTime<Utc>>().unwrap()
    }

    #[test]
    fn order_points_floor_yuan() {
        assert_eq!(PointPolicy::order_points(1, 19_999), 199);
        assert_eq!(PointPolicy::order_points(3, 99), 0);
        assert_eq!(PointPolicy::order_points(2, 100), 2);
    }

    #[test]
    fn end_of_year_is_in_program_time() {
        let p = PointPolicy {
            expiry: ExpiryPolicy::EndOfYear { years_after: 1 },
            ..PointPolicy::default()
        };
        // 2026-12-31T17:00Z is already 2027-01-01 01:00 in Shanghai.
        let e = p.expires_at(at("2026-12-31T17:00:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(e, Some(at("2028-12-31T16:00:00Z")));
        let e = p.expires_at(at("2026-06-01T00:00:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(e, Some(at("2027-12-31T16:00:00Z")));
    }

    #[test]
    fn rolling_and_pending() {
        let p = PointPolicy {
            pending_days: 7,
            expiry: ExpiryPolicy::RollingDays { days: 30 },
            ..PointPolicy::default()
        };
        let t = at("2026-01-01T00:00:00Z");
        assert_eq!(p.available_at(t), at("2026-01-08T00:00:00Z"));
        assert_eq!(
            p.expires_at(t, chrono_tz::UTC),
            Some(at("2026-01-31T00:00:00Z"))
        );
        assert!(p.validate().is_ok());
        let bad = PointPolicy {
            expiry: ExpiryPolicy::RollingDays { days: 0 },
            ..p
        };
        assert_eq!(bad.validate(), Err(PolicyError::ExpiryDays));
    }
}
