//! Leaderboards: members ranked on a metric over a period, and the contests that settle them.
//!
//! A leaderboard's scores live in the database (the source of truth, written in the same
//! transaction as the event that moved them). [`Ranking`] is the in-memory order over one
//! board's period that answers rank, top-N, neighbour and gap questions in O(log n): an
//! order-statistic B-tree (`indexset`) of (score descending, reached first, member id), beside
//! a map from member to their current place in it.
//!
//! Ties go to whoever reached the score first: each change of a score stamps it with the instant
//! it was recorded, and of two equal scores the older stamp ranks higher (then the lower member
//! id, so the order is total). Every change carries a version (counted per member and period in
//! the database), and a ranking keeps only the newest version of a member, so changes applied
//! out of order (two transactions committing in one order and reporting in the other) leave the
//! ranking as the database has it.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::rules::valid_name;

/// A leaderboard as a program defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub metric: Metric,
    pub period: PeriodSpec,
    /// Prizes to the top of each period when it ends; none: the board is only ranked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest: Option<ContestSpec>,
}

/// What a leaderboard ranks on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Metric {
    /// Points earned by events in the period (earn entries less the clawbacks of refunds; what
    /// a tier change or an adjustment gives does not count).
    Points,
    /// Spend in fen: purchases less their refunds (a refund counts in its order's period).
    Spend,
    /// Events of one type recorded for the member (`check_in`, `share`, …).
    Events {
        #[serde(rename = "type")]
        event_type: String,
    },
    /// What rules added to a meter in the period (the engagement score `taoqi`, say).
    Meter { meter: String },
}

/// The period a leaderboard ranks over, in the program's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PeriodSpec {
    /// One period that never ends.
    AllTime,
    /// ISO weeks, Monday to Sunday: a board per week (`2027-W05`).
    Week,
    /// Calendar months (`2027-02`).
    Month,
    /// One window `[starts_at, ends_at)`; a campaign's period when `campaign` names it.
    Window {
        starts_at: Timestamp,
        ends_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign: Option<String>,
    },
    /// A campaign's period: saved as a window with the campaign's dates.
    Campaign { campaign: String },
}

/// A contest: what the top ranks of each period win, given once when the period ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestSpec {
    pub prizes: Vec<Prize>,
}

/// What ranks `from` to `to` (inclusive, 1 is the top) win.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prize {
    pub from: u32,
    pub to: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// A voucher template's id: each winner gets a voucher of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
    /// A badge's id: each winner is awarded a level of it (`badge_level`, default 1), with the
    /// badge's own reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge_level: Option<u32>,
}

/// The most ranks a contest may give prizes to.
pub const MAX_PRIZE_RANK: u32 = 10_000;
const MAX_PRIZE_POINTS: i64 = 100_000_000;

/// Why a leaderboard cannot be saved: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub field: String,
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        field: field.into(),
        message: message.into(),
    }
}

impl LeaderboardSpec {
    /// Checks a spec (a campaign period must have been resolved to a window first).
    pub fn check(&self) -> Result<(), SpecError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad("name", "a name of 1 to 100 characters"));
        }
        if self.description.chars().count() > 1_000 {
            return Err(bad("description", "at most 1,000 characters"));
        }
        match &self.metric {
            Metric::Events { event_type } if !valid_name(event_type) => {
                return Err(bad("metric.type", "an event type: 1–64 of a-z 0-9 _ - . :"));
            }
            Metric::Meter { meter } if !valid_name(meter) => {
                return Err(bad("metric.meter", "a meter id: 1–64 of a-z 0-9 _ - . :"));
            }
            _ => {}
        }
        match &self.period {
            PeriodSpec::Window {
                starts_at, ends_at, ..
            } if ends_at <= starts_at => {
                return Err(bad("period.ends_at", "must be after starts_at"));
            }
            PeriodSpec::Campaign { .. } => {
                return Err(bad(
                    "period.campaign",
                    "not resolved to the campaign's dates",
                ));
            }
            _ => {}
        }
        if let Some(contest) = &self.contest {
            if matches!(self.period, PeriodSpec::AllTime) {
                return Err(bad(
                    "contest",
                    "an all-time leaderboard never ends, so it cannot be settled: use a week, \
                     a month or a window",
                ));
            }
            check_prizes(&contest.prizes)?;
        }
        Ok(())
    }

    /// The most ranks any prize reaches (0 without a contest).
    pub fn prize_ranks(&self) -> u32 {
        self.contest
            .as_ref()
            .map_or(0, |c| c.prizes.iter().map(|p| p.to).max().unwrap_or(0))
    }

    /// The prize of a rank, if any.
    pub fn prize_of(&self, rank: u64) -> Option<&Prize> {
        self.contest.as_ref().and_then(|c| {
            c.prizes
                .iter()
                .find(|p| u64::from(p.from) <= rank && rank <= u64::from(p.to))
        })
    }
}

fn check_prizes(prizes: &[Prize]) -> Result<(), SpecError> {
    if prizes.is_empty() || prizes.len() > 50 {
        return Err(bad("contest.prizes", "1 to 50 prizes"));
    }
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for (i, p) in prizes.iter().enumerate() {
        let field = |f: &str| format!("contest.prizes[{i}].{f}");
        if p.from == 0 || p.to < p.from || p.to > MAX_PRIZE_RANK {
            return Err(bad(
                field("to"),
                format!("ranks from 1 to {MAX_PRIZE_RANK}, with from ≤ to"),
            ));
        }
        if p.badge_level.is_some() && p.badge.is_none() {
            return Err(bad(
                field("badge_level"),
                "a level of which badge? name `badge`",
            ));
        }
        if p.points.is_none() && p.voucher.is_none() && p.badge.is_none() {
            return Err(bad(
                field("points"),
                "a prize gives points, a voucher, a badge, or several of them",
            ));
        }
        if let Some(points) = p.points
            && !(1..=MAX_PRIZE_POINTS).contains(&points)
        {
            return Err(bad(
                field("points"),
                format!("from 1 to {MAX_PRIZE_POINTS}"),
            ));
        }
        if let Some(v) = &p.voucher
            && !valid_name(v)
        {
            return Err(bad(field("voucher"), "a voucher template id"));
        }
        if spans.iter().any(|(a, b)| p.from <= *b && *a <= p.to) {
            return Err(bad(field("from"), "ranks of two prizes overlap"));
        }
        spans.push((p.from, p.to));
    }
    Ok(())
}

impl PeriodSpec {
    /// The key of the period `at` falls in, or `None` when it falls in none (outside a window).
    pub fn key_at(&self, at: Timestamp, tz: Tz) -> Option<String> {
        let local = at.with_timezone(&tz).date_naive();
        match self {
            PeriodSpec::AllTime => Some("all".into()),
            PeriodSpec::Week => {
                let w = local.iso_week();
                Some(format!("{}-W{:02}", w.year(), w.week()))
            }
            PeriodSpec::Month => Some(format!("{}-{:02}", local.year(), local.month())),
            PeriodSpec::Window {
                starts_at, ends_at, ..
            } => (*starts_at <= at && at < *ends_at).then(|| "window".into()),
            PeriodSpec::Campaign { .. } => None,
        }
    }

    /// The period whose answer a query gets without naming one: the one `now` falls in, or for
    /// a window the window itself (empty before it starts, final after it ends).
    pub fn current(&self, now: Timestamp, tz: Tz) -> String {
        match self {
            PeriodSpec::Window { .. } | PeriodSpec::Campaign { .. } => "window".into(),
            _ => self.key_at(now, tz).unwrap_or_else(|| "all".into()),
        }
    }

    /// The instants a period key starts and ends at (`None` for all time, or a key that does
    /// not belong to this period kind).
    pub fn bounds(&self, key: &str, tz: Tz) -> Option<(Timestamp, Timestamp)> {
        let midnight = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()
                .map(|t| t.to_utc())
        };
        match self {
            PeriodSpec::AllTime | PeriodSpec::Campaign { .. } => None,
            PeriodSpec::Week => {
                let (y, w) = key.split_once("-W")?;
                let monday = NaiveDate::from_isoywd_opt(
                    y.parse().ok()?,
                    w.parse().ok()?,
                    chrono::Weekday::Mon,
                )?;
                Some((midnight(monday)?, midnight(monday + Duration::days(7))?))
            }
            PeriodSpec::Month => {
                let (y, m) = key.split_once('-')?;
                let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
                let first = NaiveDate::from_ymd_opt(y, m, 1)?;
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)?
                };
                Some((midnight(first)?, midnight(next)?))
            }
            PeriodSpec::Window {
                starts_at, ends_at, ..
            } => (key == "window").then_some((*starts_at, *ends_at)),
        }
    }

    /// Whether `key` names a period of this kind.
    pub fn is_key(&self, key: &str, tz: Tz) -> bool {
        match self {
            PeriodSpec::AllTime => key == "all",
            _ => self.bounds(key, tz).is_some(),
        }
    }

    /// The periods that have ended by `now`, oldest first: what a contest settles. A week or
    /// month board looks back over the last `lookback` ended periods.
    pub fn ended(&self, now: Timestamp, tz: Tz, lookback: u32) -> Vec<String> {
        match self {
            PeriodSpec::AllTime | PeriodSpec::Campaign { .. } => Vec::new(),
            PeriodSpec::Window { ends_at, .. } => {
                if *ends_at <= now {
                    vec!["window".into()]
                } else {
                    Vec::new()
                }
            }
            PeriodSpec::Week | PeriodSpec::Month => {
                let mut keys = Vec::new();
                let mut at = now;
                for _ in 0..=lookback {
                    let Some(key) = self.key_at(at, tz) else {
                        break;
                    };
                    let Some((start, end)) = self.bounds(&key, tz) else {
                        break;
                    };
                    if end <= now {
                        keys.push(key);
                    }
                    at = start - Duration::seconds(1);
                }
                keys.reverse();
                keys
            }
        }
    }
}

/// One member's place on a board: score, when it was reached, and the version of the change
/// that set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub member: i64,
    pub score: i64,
    /// Microseconds since the epoch: when the score was recorded.
    pub reached_us: i64,
    pub version: i64,
}

/// A place in the order: higher score first, then earlier, then lower member id.
type Key = (Reverse<i64>, i64, i64);

fn key_of(s: &Standing) -> Key {
    (Reverse(s.score), s.reached_us, s.member)
}

/// One board period's order, in memory.
#[derive(Default)]
pub struct Ranking {
    order: indexset::BTreeSet<Key>,
    members: HashMap<i64, Standing>,
}

impl Ranking {
    /// A ranking of standings (any order; one per member).
    pub fn from_standings(standings: impl IntoIterator<Item = Standing>) -> Ranking {
        let mut members = HashMap::new();
        let mut keys = Vec::new();
        for s in standings {
            keys.push(key_of(&s));
            members.insert(s.member, s);
        }
        keys.sort_unstable();
        Ranking {
            order: keys.into_iter().collect(),
            members,
        }
    }

    /// How many members are ranked.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Applies a member's new standing unless the ranking has a newer one of them; returns
    /// whether it changed anything.
    pub fn apply(&mut self, s: Standing) -> bool {
        if let Some(old) = self.members.get(&s.member) {
            if old.version >= s.version {
                return false;
            }
            self.order.remove(&key_of(old));
        }
        self.order.insert(key_of(&s));
        self.members.insert(s.member, s);
        true
    }

    /// Takes a member off the ranking; returns whether they were on it.
    pub fn remove(&mut self, member: i64) -> bool {
        match self.members.remove(&member) {
            Some(old) => self.order.remove(&key_of(&old)),
            None => false,
        }
    }

    /// A member's standing and rank (1 is the top), if they are ranked.
    pub fn rank(&self, member: i64) -> Option<(u64, Standing)> {
        let s = self.members.get(&member)?;
        Some((self.order.rank(&key_of(s)) as u64 + 1, *s))
    }

    /// The standing at a rank (1 is the top).
    pub fn at(&self, rank: u64) -> Option<Standing> {
        let i = usize::try_from(rank.checked_sub(1)?).ok()?;
        let (_, _, member) = self.order.get_index(i)?;
        self.members.get(member).copied()
    }

    /// Up to `n` standings from rank `from` (1 is the top) down.
    pub fn range(&self, from: u64, n: usize) -> Vec<(u64, Standing)> {
        let Some(start) = from.checked_sub(1).and_then(|s| usize::try_from(s).ok()) else {
            return Vec::new();
        };
        if start >= self.order.len() {
            return Vec::new();
        }
        let end = start.saturating_add(n).min(self.order.len());
        self.order
            .range_idx(start..end)
            .zip(from..)
            .filter_map(|((_, _, m), rank)| self.members.get(m).map(|s| (rank, *s)))
            .collect()
    }

    /// The points a member needs to reach rank `target`: 0 when they are there already; for
    /// a member not ranked, what it takes from 0. A tie loses to whoever reached the score
    /// first, so the gap is one more than the difference.
    pub fn gap(&self, member: i64, target: u64) -> Option<i64> {
        if target == 0 {
            return None;
        }
        let mine = self.rank(member).map(|(rank, s)| (rank, s.score));
        Some(gap_to(target, mine, self.at(target).map(|s| s.score)))
    }
}

/// The points a member at `mine` (rank, score; `None` when not ranked) needs to reach rank
/// `target`, whose holder has `there` (`None` when fewer are ranked): 0 when they are there
/// already. A tie loses to whoever reached the score first, so it is one more than the
/// difference; a member not ranked counts from 0, and any score enters above a short board.
pub fn gap_to(target: u64, mine: Option<(u64, i64)>, there: Option<i64>) -> i64 {
    if let Some((rank, _)) = mine
        && rank <= target
    {
        return 0;
    }
    let score = mine.map_or(0, |(_, s)| s);
    match there {
        Some(there) => there.saturating_sub(score).saturating_add(1).max(1),
        None => 1i64.saturating_sub(score).max(1),
    }
}

/// Contest standings are frozen in order: the comparison [`Ranking`] uses, for a sort.
pub fn order(a: &Standing, b: &Standing) -> std::cmp::Ordering {
    key_of(a).cmp(&key_of(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(all: &HashMap<i64, Standing>) -> Vec<Standing> {
        let mut v: Vec<Standing> = all.values().copied().collect();
        v.sort_by(order);
        v
    }

    proptest! {
        /// After any sequence of changes, applied in any order, the ranking answers as a sort
        /// of the newest standing of each member does.
        #[test]
        fn ranking_matches_a_sort(
            changes in prop::collection::vec((0i64..40, -5i64..30, 0i64..6), 1..200),
            shuffle in any::<u64>(),
        ) {
            let mut versions: HashMap<i64, i64> = HashMap::new();
            let mut all: Vec<Standing> = changes.iter().map(|(m, score, t)| {
                let v = versions.entry(*m).or_default();
                *v += 1;
                Standing { member: *m, score: *score, reached_us: *t, version: *v }
            }).collect();
            let mut newest: HashMap<i64, Standing> = HashMap::new();
            for s in &all {
                newest.insert(s.member, *s);
            }
            // Applied out of order: older versions must not win.
            let n = all.len();
            for i in 0..n {
                let j = (shuffle as usize).wrapping_mul(i + 7) % n;
                all.swap(i, j);
            }
            let mut r = Ranking::default();
            for s in &all {
                r.apply(*s);
            }
            let sorted = naive(&newest);
            prop_assert_eq!(r.len(), sorted.len());
            for (i, s) in sorted.iter().enumerate() {
                let rank = i as u64 + 1;
                prop_assert_eq!(r.rank(s.member), Some((rank, *s)));
                prop_assert_eq!(r.at(rank), Some(*s));
            }
            let top: Vec<Standing> = r.range(1, 10).into_iter().map(|(_, s)| s).collect();
            prop_assert_eq!(&top[..], &sorted[..sorted.len().min(10)]);
            // The gap is exactly what moves a member to the target rank, and no less.
            for target in 1..=(sorted.len() as u64 + 1) {
                for s in sorted.iter().take(5) {
                    let gap = r.gap(s.member, target).unwrap();
                    let (rank, _) = r.rank(s.member).unwrap();
                    if rank <= target {
                        prop_assert_eq!(gap, 0);
                    } else {
                        let mut moved = r.members.clone();
                        let later = 1_000;
                        moved.insert(s.member, Standing { score: s.score + gap, reached_us: later, version: s.version + 1, ..*s });
                        let pos = naive(&moved).iter().position(|x| x.member == s.member).unwrap() as u64 + 1;
                        prop_assert!(pos <= target, "gap {} leaves rank {} > {}", gap, pos, target);
                        moved.insert(s.member, Standing { score: s.score + gap - 1, reached_us: later, version: s.version + 1, ..*s });
                        let pos = naive(&moved).iter().position(|x| x.member == s.member).unwrap() as u64 + 1;
                        prop_assert!(pos > target, "gap {} − 1 already reaches {}", gap, target);
                    }
                }
            }
        }
    }

    #[test]
    fn ties_go_to_who_reached_first() {
        let r = Ranking::from_standings([
            Standing {
                member: 1,
                score: 50,
                reached_us: 20,
                version: 1,
            },
            Standing {
                member: 2,
                score: 50,
                reached_us: 10,
                version: 1,
            },
            Standing {
                member: 3,
                score: 70,
                reached_us: 30,
                version: 1,
            },
        ]);
        assert_eq!(r.rank(3).map(|x| x.0), Some(1));
        assert_eq!(r.rank(2).map(|x| x.0), Some(2));
        assert_eq!(r.rank(1).map(|x| x.0), Some(3));
        assert_eq!(r.gap(1, 1), Some(21));
        assert_eq!(r.gap(42, 10), Some(1));
        assert_eq!(r.gap(42, 2), Some(51));
    }

    fn utc(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn periods_in_the_program_time_zone() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // 2027-01-31 23:30 in Shanghai is still January there.
        let at = utc("2027-01-31T15:30:00Z");
        assert_eq!(PeriodSpec::Month.key_at(at, tz).as_deref(), Some("2027-01"));
        assert_eq!(PeriodSpec::Week.key_at(at, tz).as_deref(), Some("2027-W04"));
        let (start, end) = PeriodSpec::Month.bounds("2027-01", tz).unwrap();
        assert_eq!(start, utc("2026-12-31T16:00:00Z"));
        assert_eq!(end, utc("2027-01-31T16:00:00Z"));
        let (start, end) = PeriodSpec::Week.bounds("2027-W04", tz).unwrap();
        assert_eq!(start, utc("2027-01-24T16:00:00Z"));
        assert_eq!(end, utc("2027-01-31T16:00:00Z"));
        assert_eq!(
            PeriodSpec::Month.ended(utc("2027-03-01T00:00:00Z"), tz, 2),
            vec!["2027-01".to_string(), "2027-02".to_string()]
        );
        let w = PeriodSpec::Window {
            starts_at: utc("2027-02-05T16:00:00Z"),
            ends_at: utc("2027-02-12T16:00:00Z"),
            campaign: None,
        };
        assert_eq!(w.key_at(utc("2027-02-05T15:59:59Z"), tz), None);
        assert_eq!(
            w.key_at(utc("2027-02-05T16:00:00Z"), tz).as_deref(),
            Some("window")
        );
        assert!(w.ended(utc("2027-02-12T15:59:59Z"), tz, 3).is_empty());
        assert_eq!(
            w.ended(utc("2027-02-12T16:00:00Z"), tz, 3),
            vec!["window".to_string()]
        );
        assert!(!PeriodSpec::Month.is_key("2027-13", tz));
        assert!(PeriodSpec::Week.is_key("2027-W04", tz));
    }

    #[test]
    fn specs_are_checked() {
        let spec = |json: serde_json::Value| -> Result<(), SpecError> {
            serde_json::from_value::<LeaderboardSpec>(json)
                .map_err(|e| bad("body", e.to_string()))?
                .check()
        };
        let ok = serde_json::json!({
            "name": "春节积分榜",
            "metric": {"kind": "points"},
            "period": {"kind": "month"},
            "contest": {"prizes": [{"from": 1, "to": 1, "points": 1000},
                                   {"from": 2, "to": 100, "voucher": "cny-10"}]}
        });
        assert_eq!(spec(ok.clone()), Ok(()));
        let mut overlap = ok.clone();
        overlap["contest"]["prizes"][1]["from"] = serde_json::json!(1);
        assert_eq!(spec(overlap).unwrap_err().field, "contest.prizes[1].from");
        let mut forever = ok.clone();
        forever["period"] = serde_json::json!({"kind": "all_time"});
        assert_eq!(spec(forever).unwrap_err().field, "contest");
        let mut meter = ok;
        meter["metric"] = serde_json::json!({"kind": "meter", "meter": "Bad Name"});
        assert_eq!(spec(meter).unwrap_err().field, "metric.meter");
    }
}
