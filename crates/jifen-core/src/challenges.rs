//! Challenges: a goal over a period (a measure of a member's events reaching a target), with
//! optional steps on the way, each with its reward, and a completion reward.
//!
//! Progress is kept as contributions: what each event added, by item (a local day, a kind of
//! event, a category, the event itself, or one running sum). A refund adds the opposite of what
//! its order added, so progress is always a function of the contributions, whatever the order
//! they arrived in.

use std::collections::BTreeMap;

use chrono::Duration;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Timestamp;
use crate::leaderboards::PeriodSpec;
use crate::rules::valid_name;

/// How long after its period ends a challenge still counts late events and refunds: then its
/// results are final.
pub const GRACE_DAYS: i64 = 7;

/// The most steps a challenge has.
pub const MAX_STEPS: usize = 20;

const MAX_POINTS: i64 = 100_000_000;

/// The event type a member's joining of an opt-in challenge is recorded as.
pub const JOIN_EVENT: &str = "challenge_joined";

/// A challenge as a program defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `week`, `month`, or one `window` (`starts_at`, `ends_at`), in the program's time zone.
    pub period: PeriodSpec,
    #[serde(default)]
    pub enrollment: Enrollment,
    pub goal: Goal,
    /// Intermediate targets, lowest first, each with its reward.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// What completing the goal gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<Reward>,
    /// Whether a refund that takes progress back below a step or the goal also takes back the
    /// points it gave (vouchers, badges and tags given stay).
    #[serde(default)]
    pub revoke_on_refund: bool,
    #[serde(default)]
    pub status: ChallengeStatus,
}

/// Who takes part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enrollment {
    /// Every member.
    #[default]
    Auto,
    /// Members who join; their events from the join on count.
    OptIn,
}

/// Whether a challenge counts events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    #[default]
    Active,
    /// Counts nothing more; what members reached stays.
    Archived,
}

impl ChallengeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeStatus::Active => "active",
            ChallengeStatus::Archived => "archived",
        }
    }
}

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Events of the types (with `distinct: "day"`, the local days with one).
    Count,
    /// Distinct values of `distinct` among the events of the types.
    Distinct,
    /// The amount (fen) of purchases, less their refunds.
    Sum,
}

/// A measure over the events of a period, and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub measure: Measure,
    /// The event types counted (for `sum`, `purchase` when none is named).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// What makes two events count as one: `day` (the local day), `type`, or an attribute
    /// path (`attributes.category`, `attributes.lines[].category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct: Option<String>,
    pub target: i64,
}

/// An intermediate target and its reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub target: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub reward: Reward,
}

/// What reaching a step or the goal gives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// A voucher template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
    /// A badge id, awarded at `badge_level` (1 when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge_level: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// Why a challenge cannot be saved: the field and what is wrong with it.
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

/// One thing an event adds to progress: an item and an amount.
pub type Item = (String, i64);

impl Reward {
    fn check(&self, field: &str) -> Result<(), SpecError> {
        if let Some(p) = self.points
            && !(1..=MAX_POINTS).contains(&p)
        {
            return Err(bad(
                format!("{field}.points"),
                format!("points are 1 to {MAX_POINTS}"),
            ));
        }
        if self.badge_level == Some(0) {
            return Err(bad(format!("{field}.badge_level"), "levels start at 1"));
        }
        if self.badge_level.is_some() && self.badge.is_none() {
            return Err(bad(format!("{field}.badge_level"), "a level needs a badge"));
        }
        for (name, v) in [
            ("voucher", &self.voucher),
            ("badge", &self.badge),
            ("tag", &self.tag),
        ] {
            if let Some(v) = v
                && !valid_name(v)
            {
                return Err(bad(
                    format!("{field}.{name}"),
                    "1–64 characters of a-z, 0-9, _ - . :",
                ));
            }
        }
        Ok(())
    }
}

impl ChallengeSpec {
    /// Checks a definition.
    pub fn check(&self) -> Result<(), SpecError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad("name", "a name is 1 to 100 characters"));
        }
        if self.description.chars().count() > 2_000 {
            return Err(bad("description", "at most 2,000 characters"));
        }
        match &self.period {
            PeriodSpec::Week | PeriodSpec::Month => {}
            PeriodSpec::Window {
                starts_at, ends_at, ..
            } => {
                if starts_at >= ends_at {
                    return Err(bad("period.ends_at", "a window ends after it starts"));
                }
            }
            PeriodSpec::AllTime | PeriodSpec::Campaign { .. } => {
                return Err(bad(
                    "period.kind",
                    "a challenge's period is `week`, `month` or `window`",
                ));
            }
        }
        let goal = &self.goal;
        if !(1..=MAX_POINTS).contains(&goal.target) {
            return Err(bad("goal.target", format!("a target is 1 to {MAX_POINTS}")));
        }
        for (i, t) in goal.types.iter().enumerate() {
            if !valid_name(t) || t == JOIN_EVENT {
                return Err(bad(format!("goal.types[{i}]"), "not an event type"));
            }
        }
        match (goal.measure, goal.distinct.as_deref()) {
            (Measure::Count, None | Some("day")) => {}
            (Measure::Count, Some(_)) => {
                return Err(bad(
                    "goal.distinct",
                    "a count is of events, or of days with `distinct: \"day\"`; \
                     use `measure: \"distinct\"` for other values",
                ));
            }
            (Measure::Distinct, None) => {
                return Err(bad(
                    "goal.distinct",
                    "say what is distinct: `day`, `type` or an `attributes.…` path",
                ));
            }
            (Measure::Distinct, Some(path)) => {
                if !(path == "day" || path == "type" || attribute_path(path).is_some()) {
                    return Err(bad(
                        "goal.distinct",
                        "`day`, `type`, or a path like `attributes.lines[].category`",
                    ));
                }
            }
            (Measure::Sum, None) => {}
            (Measure::Sum, Some(_)) => {
                return Err(bad("goal.distinct", "a sum has nothing distinct"));
            }
        }
        if self.steps.len() > MAX_STEPS {
            return Err(bad("steps", format!("at most {MAX_STEPS} steps")));
        }
        let mut last = 0;
        for (i, s) in self.steps.iter().enumerate() {
            if s.target <= last || s.target >= goal.target {
                return Err(bad(
                    format!("steps[{i}].target"),
                    "steps' targets rise, each below the goal's",
                ));
            }
            last = s.target;
            s.reward.check(&format!("steps[{i}].reward"))?;
        }
        if let Some(r) = &self.reward {
            r.check("reward")?;
        }
        Ok(())
    }

    /// The types counted.
    pub fn types(&self) -> Vec<String> {
        if self.goal.types.is_empty() && self.goal.measure == Measure::Sum {
            vec!["purchase".to_owned()]
        } else {
            self.goal.types.clone()
        }
    }

    /// Whether events of this type count (all but joins when no type is named).
    pub fn counts_type(&self, type_name: &str) -> bool {
        if type_name == JOIN_EVENT {
            return false;
        }
        let types = self.types();
        types.is_empty() || types.iter().any(|t| t == type_name)
    }

    /// The key of the period an instant falls in.
    pub fn period_at(&self, at: Timestamp, tz: Tz) -> Option<String> {
        self.period.key_at(at, tz)
    }

    /// When a period ends, and when it closes (its end and the grace).
    pub fn period_end(&self, key: &str, tz: Tz) -> Option<(Timestamp, Timestamp)> {
        let (_, end) = self.period.bounds(key, tz)?;
        Some((end, end + Duration::days(GRACE_DAYS)))
    }

    /// What an event adds to progress: nothing when its type does not count.
    pub fn items(
        &self,
        event_id: &str,
        type_name: &str,
        occurred_at: Timestamp,
        tz: Tz,
        attributes: &Value,
        amount: Option<i64>,
    ) -> Vec<Item> {
        if !self.counts_type(type_name) {
            return Vec::new();
        }
        let day = || {
            occurred_at
                .with_timezone(&tz)
                .date_naive()
                .format("%Y-%m-%d")
                .to_string()
        };
        match (self.goal.measure, self.goal.distinct.as_deref()) {
            (Measure::Sum, _) => match amount {
                Some(a) if a > 0 => vec![(String::new(), a)],
                _ => Vec::new(),
            },
            (_, Some("day")) => vec![(day(), 1)],
            (Measure::Count, _) => vec![(format!("event:{event_id}"), 1)],
            (Measure::Distinct, Some("type")) => vec![(type_name.to_owned(), 1)],
            (Measure::Distinct, Some(path)) => {
                let mut values: Vec<String> = attribute_path(path)
                    .map(|segments| values_at(attributes, &segments))
                    .unwrap_or_default();
                values.sort();
                values.dedup();
                values.into_iter().map(|v| (v, 1)).collect()
            }
            (Measure::Distinct, None) => Vec::new(),
        }
    }

    /// The steps (1, 2, …) and the completion (0) a progress reaches.
    pub fn reached(&self, progress: i64) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| progress >= s.target)
            .map(|(i, _)| i64::try_from(i + 1).unwrap_or(i64::MAX))
            .collect();
        if progress >= self.goal.target {
            out.push(0);
        }
        out
    }

    /// The reward of a step (0: the completion).
    pub fn reward_of(&self, step: i64) -> Option<&Reward> {
        if step == 0 {
            return self.reward.as_ref();
        }
        let i = usize::try_from(step - 1).ok()?;
        self.steps.get(i).map(|s| &s.reward)
    }
}

/// Progress from contributions: for a sum, their total (never below 0); else how many items
/// add up above zero.
pub fn progress<'a>(measure: Measure, items: impl IntoIterator<Item = (&'a str, i64)>) -> i64 {
    let mut by_item: BTreeMap<&str, i64> = BTreeMap::new();
    for (item, amount) in items {
        let v = by_item.entry(item).or_default();
        *v = v.saturating_add(amount);
    }
    match measure {
        Measure::Sum => by_item
            .values()
            .copied()
            .fold(0, i64::saturating_add)
            .max(0),
        Measure::Count | Measure::Distinct => {
            i64::try_from(by_item.values().filter(|v| **v > 0).count()).unwrap_or(i64::MAX)
        }
    }
}

/// What a refund takes back of what its order added (`added`: the order's net amount per
/// item): for a sum, the refunded amount (at most what is left); for other measures, every
/// item, once the order is refunded in full.
pub fn refund_items(
    measure: Measure,
    added: &BTreeMap<String, i64>,
    refunded: i64,
    full: bool,
) -> Vec<Item> {
    match measure {
        Measure::Sum => {
            let left = added.get("").copied().unwrap_or(0);
            let take = refunded.min(left);
            if take > 0 {
                vec![(String::new(), -take)]
            } else {
                Vec::new()
            }
        }
        Measure::Count | Measure::Distinct if full => added
            .iter()
            .filter(|(_, v)| **v > 0)
            .map(|(k, v)| (k.clone(), -v))
            .collect(),
        Measure::Count | Measure::Distinct => Vec::new(),
    }
}

/// `attributes.a.b[].c` as its segments (`a`, `b[]`, `c`).
fn attribute_path(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("attributes.")?;
    let segments: Vec<String> = rest.split('.').map(str::to_owned).collect();
    let ok = segments.iter().all(|s| {
        let name = s.strip_suffix("[]").unwrap_or(s);
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    (ok && segments.len() <= 5).then_some(segments)
}

/// The values a path reaches: strings and numbers, as text.
fn values_at(value: &Value, segments: &[String]) -> Vec<String> {
    let Some((first, rest)) = segments.split_first() else {
        return match value {
            Value::String(s) if !s.is_empty() && s.len() <= 200 => vec![s.clone()],
            Value::Number(n) => vec![n.to_string()],
            Value::Bool(b) => vec![b.to_string()],
            _ => Vec::new(),
        };
    };
    match first.strip_suffix("[]") {
        Some(name) => match value.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .take(1_000)
                .flat_map(|v| values_at(v, rest))
                .collect(),
            _ => Vec::new(),
        },
        None => value
            .get(first.as_str())
            .map(|v| values_at(v, rest))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde_json::json;

    fn spec(goal: Value) -> ChallengeSpec {
        serde_json::from_value(json!({
            "name": "March", "period": {"kind": "month"}, "goal": goal,
            "steps": [], "reward": {"points": 10}
        }))
        .unwrap()
    }

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn days_are_local_days() {
        let s = spec(
            json!({"measure": "count", "types": ["check_in"], "distinct": "day", "target": 2}),
        );
        s.check().unwrap();
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // 23:30 UTC on 1 March is 2 March in Shanghai.
        let items = s.items(
            "e",
            "check_in",
            at("2027-03-01T23:30:00Z"),
            tz,
            &json!({}),
            None,
        );
        assert_eq!(items, vec![("2027-03-02".to_owned(), 1)]);
        assert!(
            s.items(
                "e",
                "review",
                at("2027-03-01T23:30:00Z"),
                tz,
                &json!({}),
                None
            )
            .is_empty()
        );
        assert_eq!(
            s.period_at(at("2027-03-31T16:30:00Z"), tz).as_deref(),
            Some("2027-04")
        );
    }

    #[test]
    fn categories_of_lines_are_distinct() {
        let s = spec(json!({"measure": "distinct", "types": ["purchase"],
            "distinct": "attributes.lines[].category", "target": 3}));
        s.check().unwrap();
        let attrs =
            json!({"lines": [{"category": "tea"}, {"category": "wine"}, {"category": "tea"}]});
        let items = s.items(
            "e",
            "purchase",
            at("2027-03-01T00:00:00Z"),
            Tz::UTC,
            &attrs,
            Some(100),
        );
        assert_eq!(items, vec![("tea".to_owned(), 1), ("wine".to_owned(), 1)]);
    }

    #[test]
    fn bad_definitions_are_refused() {
        let mut s = spec(json!({"measure": "sum", "target": 100}));
        s.steps = vec![Step {
            target: 100,
            name: String::new(),
            reward: Reward::default(),
        }];
        assert_eq!(s.check().unwrap_err().field, "steps[0].target");
        let s = spec(json!({"measure": "distinct", "target": 3}));
        assert_eq!(s.check().unwrap_err().field, "goal.distinct");
        let s = spec(json!({"measure": "count", "target": 0}));
        assert_eq!(s.check().unwrap_err().field, "goal.target");
    }

    #[test]
    fn a_full_refund_takes_its_items_back() {
        let added = BTreeMap::from([("tea".to_owned(), 1), ("wine".to_owned(), 1)]);
        assert!(refund_items(Measure::Distinct, &added, 50, false).is_empty());
        assert_eq!(refund_items(Measure::Distinct, &added, 100, true).len(), 2);
        let sum = BTreeMap::from([(String::new(), 300)]);
        assert_eq!(
            refund_items(Measure::Sum, &sum, 500, true),
            vec![(String::new(), -300)]
        );
    }

    #[test]
    fn windows_close_after_the_grace() {
        let s: ChallengeSpec = serde_json::from_value(json!({
            "name": "CNY", "goal": {"measure": "sum", "target": 100},
            "period": {"kind": "window", "starts_at": "2027-02-05T16:00:00Z",
                       "ends_at": "2027-02-12T16:00:00Z"}
        }))
        .unwrap();
        s.check().unwrap();
        let tz = Tz::UTC;
        assert_eq!(
            s.period_at(at("2027-02-12T15:59:59Z"), tz).as_deref(),
            Some("window")
        );
        assert_eq!(s.period_at(at("2027-02-12T16:00:00Z"), tz), None);
        let (end, closes) = s.period_end("window", tz).unwrap();
        assert_eq!(
            end,
            Tz::UTC
                .with_ymd_and_hms(2027, 2, 12, 16, 0, 0)
                .unwrap()
                .to_utc()
        );
        assert_eq!(closes - end, Duration::days(GRACE_DAYS));
    }

    proptest! {
        /// Progress depends on the contributions only, not on their order, and what an order
        /// added and its full refund took back leaves progress as it was.
        #[test]
        fn progress_is_order_free_and_refunds_undo(
            items in proptest::collection::vec((0u8..6, 1i64..1_000), 0..40),
            refunded in proptest::collection::vec(0u8..6, 0..6),
            measure in prop_oneof![Just(Measure::Count), Just(Measure::Distinct), Just(Measure::Sum)],
        ) {
            let rows: Vec<(String, i64)> = items
                .iter()
                .map(|(k, a)| (if measure == Measure::Sum { String::new() } else { k.to_string() }, *a))
                .collect();
            let before = progress(measure, rows.iter().map(|(k, a)| (k.as_str(), *a)));
            let mut reversed = rows.clone();
            reversed.reverse();
            prop_assert_eq!(before, progress(measure, reversed.iter().map(|(k, a)| (k.as_str(), *a))));
            // An order adding these items, then refunded in full.
            let order: Vec<(String, i64)> = refunded
                .iter()
                .map(|k| (if measure == Measure::Sum { String::new() } else { format!("o{k}") }, 7))
                .collect();
            let mut added: BTreeMap<String, i64> = BTreeMap::new();
            for (k, a) in &order {
                *added.entry(k.clone()).or_default() += a;
            }
            let back = refund_items(measure, &added, 7 * order.len() as i64, true);
            let all: Vec<(String, i64)> = rows.iter().chain(&order).chain(&back).cloned().collect();
            let after = progress(measure, all.iter().map(|(k, a)| (k.as_str(), *a)));
            prop_assert_eq!(before, after);
            prop_assert!(after >= 0);
        }
    }
}
