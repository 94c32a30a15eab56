//! What a rule says, as marketers write it (JSON through the API, TOML in templates).

use std::collections::BTreeSet;

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Timestamp;
use crate::policy::ExpiryPolicy;

/// A rule as saved: when it fires, on what condition, what it does, and how often it may.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub trigger: Trigger,
    /// A CEL expression over `event`, `member`, `program` and `now`; the rule fires when it is
    /// true. No condition: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub effects: Vec<Effect>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<Limit>,
    /// The most points the rule awards in total, over all members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<i64>,
    #[serde(default, skip_serializing_if = "Schedule::is_always")]
    pub schedule: Schedule,
    /// Higher runs first; equal priorities run in rule id order.
    #[serde(default)]
    pub priority: i32,
    /// Rules of one group where an exclusive one fired stop there: lower ones of the group do
    /// not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default)]
    pub exclusive: bool,
    /// The campaign the rule belongs to: it runs only within the campaign's period, and counts
    /// towards the campaign's budget and per-member cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
}

impl RuleSpec {
    /// Whether the rule awards points of its own for events of `event_type` (multipliers alone
    /// do not): such a purchase rule replaces the built-in default one.
    pub fn awards_points_on(&self, event_type: &str) -> bool {
        self.trigger.fires_on(event_type)
            && self
                .effects
                .iter()
                .any(|e| matches!(e, Effect::AwardPoints { .. }))
    }
}

/// What makes a rule run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// An event of one of these types.
    Event { types: Vec<String> },
    /// The member's birthday (`per: day`) or the first day of their birthday month
    /// (`per: month`), at `at` program time, once a year. The birthday job sends the rule a
    /// `birthday` event.
    Birthday {
        #[serde(default)]
        per: BirthdayPer,
        #[serde(default = "nine", with = "hh_mm")]
        at: NaiveTime,
    },
}

fn nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthdayPer {
    #[default]
    Day,
    Month,
}

impl Trigger {
    /// Whether an event of `event_type` runs this rule.
    pub fn fires_on(&self, event_type: &str) -> bool {
        match self {
            Trigger::Event { types } => types.iter().any(|t| t == event_type),
            Trigger::Birthday { .. } => event_type == "birthday",
        }
    }
}

/// What a rule does when it fires. Each effect kind is one variant here and one arm in
/// [`crate::rules::evaluate`]: the one place to add one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// Awards points: a fixed number (`points`), or `per_yuan` of the event's `amount` (fen).
    AwardPoints {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        per_yuan: Option<i64>,
        #[serde(default)]
        rounding: Rounding,
        /// Days before the points can be spent (default: the program's policy).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending_days: Option<u32>,
        /// When the points expire (default: the program's policy).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiry: Option<ExpiryPolicy>,
    },
    /// Multiplies what the named rules award for the same event (their base): `factor: 2`
    /// adds as much again. No rules named: every rule that awards points.
    Multiplier {
        factor: Factor,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        rules: Vec<String>,
    },
    /// Adds to a named meter (a counter that is not spendable).
    AddToMeter {
        meter: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        per_yuan: Option<i64>,
        /// A CEL expression giving what the addition is about (a storefront, a category, or a
        /// list of them): distinct-count meters count the distinct keys in their window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    Tag {
        tag: String,
    },
    Untag {
        tag: String,
    },
    /// Records a notification for the member (delivered by the notification outbox).
    Notify {
        template: String,
    },
    /// Issues the member a voucher of a template (a birthday coupon, a profile-completion
    /// coupon), with a code of its own.
    IssueVoucher {
        template: String,
    },
    /// Awards the member a level of a badge (once: a level held is not awarded again).
    AwardBadge {
        badge: String,
        #[serde(default = "first_level")]
        level: u32,
    },
}

fn first_level() -> u32 {
    1
}

/// How the amount of a per-yuan award rounds to whole yuan before it is multiplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    #[default]
    Floor,
    Nearest,
    Ceil,
}

impl Rounding {
    /// The amount in whole yuan (rounded) × `per_yuan`: with `floor`, ¥10.50 at 3 per yuan is
    /// 30 points, as the point policy's `points_per_yuan` counts.
    pub fn per_yuan(self, amount_fen: i64, per_yuan: i64) -> i64 {
        let fen = i128::from(amount_fen.max(0));
        let yuan = match self {
            Rounding::Floor => fen / 100,
            Rounding::Nearest => (fen + 50) / 100,
            Rounding::Ceil => (fen + 99) / 100,
        };
        i64::try_from(yuan * i128::from(per_yuan)).unwrap_or(i64::MAX)
    }
}

/// A multiplier in thousandths (`2` is 2,000; `1.5` is 1,500), so no float reaches a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor(pub i64);

impl Factor {
    /// The extra points on `base`: `base × (factor − 1)`, rounded down.
    pub fn extra(self, base: i64) -> i64 {
        let n = i128::from(base) * i128::from(self.0 - 1_000);
        // Beyond i64 the extra is more than any entry may carry: it is cut to the maximum.
        crate::limits::clamp(n.div_euclid(1_000))
    }
}

impl Serialize for Factor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1_000 == 0 {
            s.serialize_i64(self.0 / 1_000)
        } else {
            s.serialize_f64(self.0 as f64 / 1_000.0)
        }
    }
}

impl<'de> Deserialize<'de> for Factor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        let milli = (x * 1_000.0).round();
        if !(x > 0.0 && x <= 100.0) || ((x * 1_000.0) - milli).abs() > 1e-6 {
            return Err(serde::de::Error::custom(
                "factor must be a number above 0 and at most 100, with at most 3 decimals",
            ));
        }
        Ok(Factor(milli as i64))
    }
}

/// A cap on how often, or how many points, a rule gives one member in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub per: Period,
    /// The most times the rule fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The most points the rule awards (an award is cut to what is left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Count only events of this type (for a rule triggered by several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
}

/// Calendar periods, in the program's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    Month,
    Year,
    /// The rule's campaign (its whole period).
    Campaign,
    Lifetime,
}

/// When a rule is live, in the program's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<Timestamp>,
    /// Exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Timestamp>,
    /// Days of the week it runs on (all when empty): `mon`, `tue`, …
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty", with = "weekdays")]
    pub weekdays: BTreeSet<u8>,
    /// Hours of the day it runs in: `[from, to)`, 0–24 (`[20, 24]` is 20:00 to midnight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<(u8, u8)>,
}

impl Schedule {
    pub fn is_always(&self) -> bool {
        *self == Schedule::default()
    }
}

/// A campaign: a named period whose rules share a budget and a per-member cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub starts_at: Timestamp,
    /// Exclusive.
    pub ends_at: Timestamp,
    /// The most points the campaign's rules award in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<i64>,
    /// The most points the campaign's rules award one member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_cap: Option<i64>,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Monday = 0 … Sunday = 6.
pub fn weekday_index(w: Weekday) -> u8 {
    w.num_days_from_monday() as u8
}

mod weekdays {
    use std::collections::BTreeSet;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::WEEKDAYS;

    pub fn serialize<S: Serializer>(days: &BTreeSet<u8>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| WEEKDAYS[usize::from(*d) % 7]))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<u8>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| {
                WEEKDAYS
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case(n))
                    .map(|i| i as u8)
                    .ok_or_else(|| {
                        serde::de::Error::custom(format!(
                            "unknown weekday {n:?}: use mon, tue, wed, thu, fri, sat, sun"
                        ))
                    })
            })
            .collect()
    }
}

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a time like 09:00")))
    }
}
