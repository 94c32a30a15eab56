//! Meters: named, non-spendable counters per member (an engagement score, spend in a window,
//! distinct storefronts visited), fed by rule effects. A meter's value is computed from its
//! entries as of an instant, so it is correct for any instant, like a balance.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::rules::valid_name;

/// Which entries a value counts, as of an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Window {
    /// Everything up to the instant.
    #[default]
    Lifetime,
    /// The last `days` days up to the instant (both ends included).
    RollingDays {
        days: u32,
    },
    /// Since the start of the calendar month, quarter or year in the program's time zone.
    CalendarMonth,
    CalendarQuarter,
    CalendarYear,
}

/// Longest rolling window: ten years.
const MAX_ROLLING_DAYS: u32 = 3_660;

impl Window {
    /// The first instant counted for a value as of `at` (`None`: from the beginning).
    pub fn start(self, at: Timestamp, tz: Tz) -> Option<Timestamp> {
        let local = at.with_timezone(&tz).date_naive();
        let first = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1);
        let day = match self {
            Window::Lifetime => return None,
            Window::RollingDays { days } => return Some(at - Duration::days(i64::from(days))),
            Window::CalendarMonth => first(local.year(), local.month()),
            Window::CalendarQuarter => first(local.year(), (local.month() - 1) / 3 * 3 + 1),
            Window::CalendarYear => first(local.year(), 1),
        }?;
        local_midnight(day, tz)
    }

    pub fn validate(self) -> Result<(), String> {
        match self {
            Window::RollingDays { days } if days == 0 || days > MAX_ROLLING_DAYS => {
                Err(format!("a rolling window is 1 to {MAX_ROLLING_DAYS} days"))
            }
            _ => Ok(()),
        }
    }
}

/// Midnight starting `day` in `tz` (the first instant of the day where a clock change skips it).
pub fn local_midnight(day: NaiveDate, tz: Tz) -> Option<Timestamp> {
    let naive = day.and_hms_opt(0, 0, 0)?;
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.to_utc())
}

/// How a meter turns its entries into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeterKind {
    /// The sum of the amounts in the window.
    #[default]
    Sum,
    /// How many distinct keys the entries in the window name (storefronts, categories).
    Distinct,
    /// A weighted sum of other meters' values, each in its own window.
    Weighted,
}

/// A meter as a program declares it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub kind: MeterKind,
    #[serde(default)]
    pub window: Window,
    /// For a weighted meter: the meters it adds up, with their weights.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parts: BTreeMap<String, i64>,
    /// The most the value can be (a score that stops growing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<i64>,
}

/// A meter that cannot be declared: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct MeterError {
    pub field: String,
    pub message: String,
}

fn meter_err(field: &str, message: impl Into<String>) -> MeterError {
    MeterError {
        field: field.to_owned(),
        message: message.into(),
    }
}

impl MeterSpec {
    /// Checks a meter named `name` against the program's other meters.
    pub fn validate(
        &self,
        name: &str,
        others: &BTreeMap<String, MeterSpec>,
    ) -> Result<(), MeterError> {
        if !valid_name(name) {
            return Err(meter_err(
                "name",
                "a meter name is 1–64 characters of a-z, 0-9, _ - . :",
            ));
        }
        self.window
            .validate()
            .map_err(|m| meter_err("window.days", m))?;
        if self
            .cap
            .is_some_and(|c| !(1..=crate::limits::MAX_TOTAL).contains(&c))
        {
            return Err(meter_err("cap", "a cap is 1 to 10^15"));
        }
        match self.kind {
            MeterKind::Weighted => {
                if self.parts.is_empty() {
                    return Err(meter_err(
                        "parts",
                        "a weighted meter names the meters it adds up",
                    ));
                }
                if self.window != Window::Lifetime {
                    return Err(meter_err(
                        "window",
                        "a weighted meter has no window of its own: each part counts in its own",
                    ));
                }
                for (part, weight) in &self.parts {
                    if part == name || !valid_name(part) {
                        return Err(meter_err(
                            &format!("parts.{part}"),
                            "a part is another meter's name",
                        ));
                    }
                    if others
                        .get(part)
                        .is_some_and(|m| m.kind == MeterKind::Weighted)
                    {
                        return Err(meter_err(
                            &format!("parts.{part}"),
                            "a part cannot itself be a weighted meter",
                        ));
                    }
                    if !(1..=1_000_000).contains(weight) {
                        return Err(meter_err(
                            &format!("parts.{part}"),
                            "a weight is 1 to 1,000,000",
                        ));
                    }
                }
            }
            _ if !self.parts.is_empty() => {
                return Err(meter_err("parts", "only a weighted meter has parts"));
            }
            _ => {}
        }
        // A meter that others weigh cannot become weighted itself.
        if self.kind == MeterKind::Weighted
            && let Some((other, _)) = others
                .iter()
                .find(|(n, m)| *n != name && m.parts.contains_key(name))
        {
            return Err(meter_err(
                "kind",
                format!("meter {other} weighs this one, so it cannot be weighted itself"),
            ));
        }
        Ok(())
    }
}

/// One addition to a meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterPoint {
    pub meter: String,
    /// What it is about (for distinct counts); `None` counts as its own key.
    pub key: Option<String>,
    pub amount: i64,
    pub at: Timestamp,
}

/// A program's declared meters. Meters that are not declared are lifetime sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meters {
    pub specs: BTreeMap<String, MeterSpec>,
}

impl Meters {
    pub fn new(specs: BTreeMap<String, MeterSpec>) -> Meters {
        Meters { specs }
    }

    /// The earliest instant from which the values as of `at` need each entry on its own:
    /// entries before it count only in lifetime meters, so they can be summed per member, meter
    /// and key (with the latest of their instants).
    pub fn since(&self, at: Timestamp, tz: Tz) -> Timestamp {
        self.specs
            .values()
            .filter(|s| s.kind != MeterKind::Weighted)
            .filter_map(|s| s.window.start(at, tz))
            .fold(at, Timestamp::min)
    }

    /// The value of one meter as of `at`, from its entries since [`Meters::since`] and the sums
    /// of those before.
    pub fn value(&self, name: &str, points: &[MeterPoint], at: Timestamp, tz: Tz) -> i64 {
        let value = match self.specs.get(name) {
            Some(spec) if spec.kind == MeterKind::Weighted => spec
                .parts
                .iter()
                .map(|(part, w)| self.value(part, points, at, tz).saturating_mul(*w))
                .fold(0i64, i64::saturating_add),
            Some(spec) => {
                let start = spec.window.start(at, tz);
                let counted = points
                    .iter()
                    .filter(|p| p.meter == name && p.at <= at && start.is_none_or(|s| p.at >= s));
                match spec.kind {
                    MeterKind::Distinct => {
                        let mut keys = std::collections::BTreeSet::new();
                        let mut unkeyed = 0i64;
                        for p in counted.filter(|p| p.amount > 0) {
                            match &p.key {
                                Some(k) => {
                                    keys.insert(k.as_str());
                                }
                                None => unkeyed += 1,
                            }
                        }
                        keys.len() as i64 + unkeyed
                    }
                    _ => counted.map(|p| p.amount).fold(0i64, i64::saturating_add),
                }
            }
            None => points
                .iter()
                .filter(|p| p.meter == name && p.at <= at)
                .map(|p| p.amount)
                .fold(0i64, i64::saturating_add),
        };
        match self.specs.get(name).and_then(|s| s.cap) {
            Some(cap) => value.min(cap),
            None => value,
        }
    }

    /// Every meter's value as of `at`: the declared ones and those the entries name.
    pub fn values(&self, points: &[MeterPoint], at: Timestamp, tz: Tz) -> BTreeMap<String, i64> {
        let mut names: std::collections::BTreeSet<&str> =
            self.specs.keys().map(String::as_str).collect();
        names.extend(points.iter().map(|p| p.meter.as_str()));
        names
            .into_iter()
            .map(|n| (n.to_owned(), self.value(n, points, at, tz)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn point(meter: &str, key: Option<&str>, amount: i64, t: &str) -> MeterPoint {
        MeterPoint {
            meter: meter.into(),
            key: key.map(Into::into),
            amount,
            at: at(t),
        }
    }

    #[test]
    fn calendar_windows_start_at_local_midnight() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let t = at("2026-05-20T18:00:00Z"); // 21 May 02:00 in Shanghai
        assert_eq!(
            Window::CalendarMonth.start(t, tz),
            Some(at("2026-04-30T16:00:00Z"))
        );
        assert_eq!(
            Window::CalendarQuarter.start(t, tz),
            Some(at("2026-03-31T16:00:00Z"))
        );
        assert_eq!(
            Window::CalendarYear.start(t, tz),
            Some(at("2025-12-31T16:00:00Z"))
        );
        assert_eq!(
            Window::RollingDays { days: 365 }.start(t, tz),
            Some(at("2025-05-20T18:00:00Z"))
        );
        assert_eq!(Window::Lifetime.start(t, tz), None);
    }

    #[test]
    fn values_follow_windows_kinds_and_weights() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let mut specs = BTreeMap::new();
        specs.insert(
            "activity".to_owned(),
            MeterSpec {
                window: Window::RollingDays { days: 365 },
                ..Default::default()
            },
        );
        specs.insert(
            "stores".to_owned(),
            MeterSpec {
                kind: MeterKind::Distinct,
                window: Window::RollingDays { days: 365 },
                ..Default::default()
            },
        );
        specs.insert(
            "score".to_owned(),
            MeterSpec {
                kind: MeterKind::Weighted,
                parts: [("activity".to_owned(), 1), ("stores".to_owned(), 10)].into(),
                cap: Some(1_000),
                ..Default::default()
            },
        );
        let meters = Meters::new(specs);
        let points = vec![
            point("activity", None, 300, "2025-01-10T00:00:00Z"),
            point("activity", None, 200, "2026-01-10T00:00:00Z"),
            point("stores", Some("a"), 1, "2026-01-10T00:00:00Z"),
            point("stores", Some("a"), 1, "2026-02-10T00:00:00Z"),
            point("stores", Some("b"), 1, "2026-03-10T00:00:00Z"),
            point("visits", None, 4, "2020-03-10T00:00:00Z"),
        ];
        let now = at("2026-06-01T00:00:00Z");
        let v = meters.values(&points, now, tz);
        assert_eq!(v["activity"], 200, "the 2025 entry left the rolling year");
        assert_eq!(v["stores"], 2);
        assert_eq!(v["score"], 220);
        assert_eq!(v["visits"], 4, "an undeclared meter is a lifetime sum");
        // As of an earlier instant, later entries do not count.
        let then = at("2026-01-31T00:00:00Z");
        assert_eq!(meters.value("score", &points, then, tz), 200 + 10);
        // The cap holds.
        let many: Vec<MeterPoint> = (0..200)
            .map(|i| point("stores", Some(&format!("s{i}")), 1, "2026-05-01T00:00:00Z"))
            .collect();
        assert_eq!(meters.value("score", &many, now, tz), 1_000);
        assert_eq!(meters.since(now, tz), at("2025-06-01T00:00:00Z"));
    }

    #[test]
    fn declarations_are_checked() {
        let others = BTreeMap::new();
        let weighted = MeterSpec {
            kind: MeterKind::Weighted,
            window: Window::RollingDays { days: 30 },
            parts: [("a".to_owned(), 1)].into(),
            ..Default::default()
        };
        assert_eq!(weighted.validate("s", &others).unwrap_err().field, "window");
        let bad_days = MeterSpec {
            window: Window::RollingDays { days: 0 },
            ..Default::default()
        };
        assert_eq!(
            bad_days.validate("s", &others).unwrap_err().field,
            "window.days"
        );
        let self_part = MeterSpec {
            kind: MeterKind::Weighted,
            parts: [("s".to_owned(), 1)].into(),
            ..Default::default()
        };
        assert_eq!(
            self_part.validate("s", &others).unwrap_err().field,
            "parts.s"
        );
        assert!(MeterSpec::default().validate("Bad Name", &others).is_err());
    }
}
