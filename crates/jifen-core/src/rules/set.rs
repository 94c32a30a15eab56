//! Compiled rules and the set of a program's rule versions.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::eval::Campaigns;
use super::expr::Condition;
use super::model::{CampaignSpec, Effect, Period, RuleSpec, Trigger};
use crate::Timestamp;

/// Where a rule stands. Paused and archived versions are kept but never run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Active,
    Paused,
    Archived,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Active => "active",
            RuleStatus::Paused => "paused",
            RuleStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<RuleStatus> {
        match s {
            "active" => Some(RuleStatus::Active),
            "paused" => Some(RuleStatus::Paused),
            "archived" => Some(RuleStatus::Archived),
            _ => None,
        }
    }
}

/// The id of the rule purchases follow while a program has no purchase rule of its own: the
/// point policy's `points_per_yuan`.
pub const DEFAULT_PURCHASE_RULE: &str = "default-purchase";

/// One version of a rule, its condition compiled.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub version: i64,
    pub status: RuleStatus,
    pub spec: RuleSpec,
    /// When this version was saved: events that occurred from then on are judged by it.
    pub live_from: Timestamp,
    /// When the next version was saved.
    pub live_until: Option<Timestamp>,
    pub(crate) condition: Option<Condition>,
    /// The compiled `key` of each effect that adds to a meter with one, by effect index.
    pub(crate) meter_keys: Vec<Option<Condition>>,
    pub(crate) campaign: Option<Arc<CampaignSpec>>,
}

/// A rule that cannot be saved: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleError {
    pub field: String,
    pub message: String,
    /// The [condition limit](super::limits) a CEL expression of the rule exceeds, if that is why.
    pub limit: Option<&'static str>,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> RuleError {
    RuleError {
        field: field.into(),
        message: message.into(),
        limit: None,
    }
}

/// A CEL expression of the rule (at `field`) that does not compile or exceeds a limit.
fn condition_err(field: impl Into<String>, e: super::expr::ConditionError) -> RuleError {
    let message = match e.limit {
        Some(_) => format!("exceeds a limit: {e}"),
        None => format!("does not compile: {e}"),
    };
    RuleError {
        limit: e.limit,
        ..err(field, message)
    }
}

/// Largest sensible values; beyond them a rule is a typo.
const MAX_POINTS: i64 = 100_000_000;
const MAX_PER_YUAN: i64 = 1_000_000;
use crate::limits::MAX_TOTAL;

/// Whether `s` can name a rule, campaign, meter, tag or event type: 1–64 of `a-z 0-9 _ - . :`.
pub fn valid_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.' | b':')
        })
}

impl Rule {
    /// Checks a spec and compiles its condition.
    pub fn compile(
        id: &str,
        version: i64,
        status: RuleStatus,
        spec: RuleSpec,
        live_from: Timestamp,
        live_until: Option<Timestamp>,
    ) -> Result<Rule, RuleError> {
        if !valid_name(id) {
            return Err(err(
                "id",
                "a rule id is 1–64 characters of a-z, 0-9, _ - . :",
            ));
        }
        validate(&spec)?;
        let condition = match spec.condition.as_deref().map(str::trim) {
            Some(source) if !source.is_empty() => {
                Some(Condition::compile(source).map_err(|e| condition_err("condition", e))?)
            }
            _ => None,
        };
        let mut meter_keys = Vec::new();
        for (i, effect) in spec.effects.iter().enumerate() {
            let key = match effect {
                Effect::AddToMeter { key: Some(k), .. } => Some(
                    Condition::compile(k.trim())
                        .map_err(|e| condition_err(format!("effects[{i}].key"), e))?,
                ),
                _ => None,
            };
            meter_keys.push(key);
        }
        Ok(Rule {
            id: id.to_owned(),
            version,
            status,
            spec,
            live_from,
            live_until,
            condition,
            meter_keys,
            campaign: None,
        })
    }

    /// The rule purchases follow when a program has none of its own.
    pub fn default_purchase(points_per_yuan: i64) -> Rule {
        Rule {
            id: DEFAULT_PURCHASE_RULE.to_owned(),
            version: 0,
            status: RuleStatus::Active,
            spec: RuleSpec {
                name: "Points per yuan (the program's policy)".into(),
                description: "Applies while no rule of the program is triggered by purchases."
                    .into(),
                trigger: Trigger::Event {
                    types: vec!["purchase".into()],
                },
                condition: None,
                effects: vec![Effect::AwardPoints {
                    points: None,
                    per_yuan: Some(points_per_yuan),
                    rounding: super::model::Rounding::Floor,
                    pending_days: None,
                    expiry: None,
                }],
                limits: Vec::new(),
                budget: None,
                schedule: Default::default(),
                priority: 0,
                group: None,
                exclusive: false,
                campaign: None,
            },
            live_from: chrono::DateTime::<chrono::Utc>::MIN_UTC,
            live_until: None,
            condition: None,
            meter_keys: Vec::new(),
            campaign: None,
        }
    }

    fn live_at(&self, at: Timestamp) -> bool {
        self.live_from <= at && self.live_until.is_none_or(|u| at < u)
    }

    /// Whether the rule multiplies what others award (it then runs after them).
    fn multiplies(&self) -> bool {
        self.spec
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Multiplier { .. }))
    }
}

fn validate(spec: &RuleSpec) -> Result<(), RuleError> {
    if spec.name.trim().is_empty() || spec.name.len() > 200 {
        return Err(err("name", "a rule needs a name of at most 200 characters"));
    }
    match &spec.trigger {
        Trigger::Event { types } => {
            if types.is_empty() {
                return Err(err("trigger.types", "name at least one event type"));
            }
            if let Some((i, _)) = types.iter().enumerate().find(|(_, t)| !valid_name(t)) {
                return Err(err(
                    format!("trigger.types[{i}]"),
                    "an event type is 1–64 characters of a-z, 0-9, _ - . :",
                ));
            }
        }
        Trigger::Birthday { .. } => {}
    }
    if spec.effects.is_empty() {
        return Err(err("effects", "a rule needs at least one effect"));
    }
    for (i, effect) in spec.effects.iter().enumerate() {
        let at = |f: &str| format!("effects[{i}].{f}");
        match effect {
            Effect::AwardPoints {
                points,
                per_yuan,
                pending_days,
                expiry,
                ..
            } => {
                match (points, per_yuan) {
                    (Some(p), None) if (1..=MAX_POINTS).contains(p) => {}
                    (None, Some(r)) if (1..=MAX_PER_YUAN).contains(r) => {}
                    (Some(_), None) => {
                        return Err(err(at("points"), "points must be 1–100,000,000"));
                    }
                    (None, Some(_)) => {
                        return Err(err(at("per_yuan"), "per_yuan must be 1–1,000,000"));
                    }
                    _ => {
                        return Err(err(
                            at("points"),
                            "give either points (a fixed award) or per_yuan",
                        ));
                    }
                }
                if pending_days.is_some_and(|d| d > 3_650) {
                    return Err(err(
                        at("pending_days"),
                        "pending_days must be at most 3,650",
                    ));
                }
                if let Some(e) = expiry {
                    crate::PointPolicy {
                        expiry: *e,
                        ..Default::default()
                    }
                    .validate()
                    .map_err(|e| err(at("expiry"), e.to_string()))?;
                }
            }
            Effect::Multiplier { rules, .. } => {
                if let Some(r) = rules.iter().find(|r| !valid_name(r)) {
                    return Err(err(at("rules"), format!("{r:?} is not a rule id")));
                }
            }
            Effect::AddToMeter {
                meter,
                amount,
                per_yuan,
                ..
            } => {
                if !valid_name(meter) {
                    return Err(err(
                        at("meter"),
                        "a meter name is 1–64 characters of a-z, 0-9, _ - . :",
                    ));
                }
                match (amount, per_yuan) {
                    (Some(a), None) if *a != 0 && a.abs() <= MAX_POINTS => {}
                    (None, Some(r)) if (1..=MAX_PER_YUAN).contains(r) => {}
                    _ => {
                        return Err(err(
                            at("amount"),
                            "give either a non-zero amount or per_yuan",
                        ));
                    }
                }
            }
            Effect::Tag { tag } | Effect::Untag { tag } => {
                if !valid_name(tag) {
                    return Err(err(
                        at("tag"),
                        "a tag is 1–64 characters of a-z, 0-9, _ - . :",
                    ));
                }
            }
            Effect::Notify { template } | Effect::IssueVoucher { template } => {
                if !valid_name(template) {
                    return Err(err(
                        at("template"),
                        "a template name is 1–64 characters of a-z, 0-9, _ - . :",
                    ));
                }
            }
            Effect::AwardBadge { badge, level } => {
                if !valid_name(badge) {
                    return Err(err(
                        at("badge"),
                        "a badge id is 1–64 characters of a-z, 0-9, _ - . :",
                    ));
                }
                if !(1..=crate::badges::MAX_LEVELS as u32).contains(level) {
                    return Err(err(at("level"), "a level is 1 to 10"));
                }
            }
        }
    }
    for (i, limit) in spec.limits.iter().enumerate() {
        let at = |f: &str| format!("limits[{i}].{f}");
        if limit.count.is_none() && limit.points.is_none() {
            return Err(err(at("count"), "a limit caps a count, points, or both"));
        }
        if limit.count == Some(0) {
            return Err(err(at("count"), "count must be at least 1"));
        }
        if limit.points.is_some_and(|p| !(1..=MAX_TOTAL).contains(&p)) {
            return Err(err(at("points"), "points must be 1 to 10^15"));
        }
        if limit.per == Period::Campaign && spec.campaign.is_none() {
            return Err(err(
                at("per"),
                "a per-campaign limit needs the rule to belong to a campaign",
            ));
        }
        if let Some(t) = &limit.event_type
            && !spec.trigger.fires_on(t)
        {
            return Err(err(
                at("event_type"),
                format!("the rule is not triggered by {t}"),
            ));
        }
    }
    if spec.budget.is_some_and(|b| !(1..=MAX_TOTAL).contains(&b)) {
        return Err(err("budget", "a budget must be 1 to 10^15 points"));
    }
    let s = &spec.schedule;
    if let (Some(a), Some(b)) = (s.starts_at, s.ends_at)
        && a >= b
    {
        return Err(err("schedule.ends_at", "ends_at must be after starts_at"));
    }
    if let Some((from, to)) = s.hours
        && (from >= to || to > 24)
    {
        return Err(err(
            "schedule.hours",
            "hours are [from, to) with 0 ≤ from < to ≤ 24",
        ));
    }
    if let Some(c) = &spec.campaign
        && !valid_name(c)
    {
        return Err(err("campaign", format!("{c:?} is not a campaign id")));
    }
    if let Some(g) = &spec.group
        && !valid_name(g)
    {
        return Err(err(
            "group",
            "a group is 1–64 characters of a-z, 0-9, _ - . :",
        ));
    }
    Ok(())
}

/// Checks a campaign.
pub fn validate_campaign(id: &str, c: &CampaignSpec) -> Result<(), RuleError> {
    if !valid_name(id) {
        return Err(err(
            "id",
            "a campaign id is 1–64 characters of a-z, 0-9, _ - . :",
        ));
    }
    if c.name.trim().is_empty() || c.name.len() > 200 {
        return Err(err(
            "name",
            "a campaign needs a name of at most 200 characters",
        ));
    }
    if c.starts_at >= c.ends_at {
        return Err(err("ends_at", "ends_at must be after starts_at"));
    }
    if c.budget.is_some_and(|b| !(1..=MAX_TOTAL).contains(&b)) {
        return Err(err("budget", "a budget must be 1 to 10^15 points"));
    }
    if c.member_cap.is_some_and(|b| !(1..=MAX_TOTAL).contains(&b)) {
        return Err(err("member_cap", "a member cap must be 1 to 10^15 points"));
    }
    Ok(())
}

/// Every version of a program's rules, and its campaigns.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
    default_purchase: Option<Arc<Rule>>,
}

impl RuleSet {
    /// A set from rule versions and campaigns; `points_per_yuan` is the policy's rate for the
    /// default purchase rule.
    pub fn new(rules: Vec<Rule>, campaigns: &Campaigns, points_per_yuan: i64) -> RuleSet {
        let mut rules: Vec<Arc<Rule>> = rules
            .into_iter()
            .map(|mut r| {
                r.campaign = r
                    .spec
                    .campaign
                    .as_ref()
                    .and_then(|c| campaigns.get(c).cloned());
                Arc::new(r)
            })
            .collect();
        rules.sort_by(|a, b| {
            (a.multiplies(), -a.spec.priority, &a.id, a.version).cmp(&(
                b.multiplies(),
                -b.spec.priority,
                &b.id,
                b.version,
            ))
        });
        RuleSet {
            rules,
            default_purchase: (points_per_yuan > 0)
                .then(|| Arc::new(Rule::default_purchase(points_per_yuan))),
        }
    }

    /// The active versions live at `at` that an event of `event_type` runs, in the order they
    /// run. Purchases follow the default purchase rule while no rule of the program that awards
    /// points of its own (active or paused) is triggered by them at `at`; multipliers alone do
    /// not replace it.
    pub fn candidates(&self, event_type: &str, at: Timestamp) -> Vec<&Arc<Rule>> {
        let live: Vec<&Arc<Rule>> = self
            .rules
            .iter()
            .filter(|r| r.live_at(at) && r.spec.trigger.fires_on(event_type))
            .collect();
        let own_purchase_rule = live
            .iter()
            .any(|r| r.status != RuleStatus::Archived && r.spec.awards_points_on(event_type));
        let mut out: Vec<&Arc<Rule>> = live
            .into_iter()
            .filter(|r| r.status == RuleStatus::Active)
            .collect();
        if event_type == "purchase"
            && !own_purchase_rule
            && let Some(d) = &self.default_purchase
        {
            out.insert(0, d);
        }
        out
    }

    /// Whether a rule that would judge an event of `event_type` at `at` has a condition or a
    /// meter key (the event's facts are needed only then).
    pub fn has_conditions(&self, event_type: &str, at: Timestamp) -> bool {
        self.candidates(event_type, at)
            .iter()
            .any(|r| r.condition.is_some() || r.meter_keys.iter().any(Option::is_some))
    }

    /// Every version.
    pub fn versions(&self) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules.iter()
    }

    /// Whether some version of any rule is triggered by `event_type`.
    pub fn listens_to(&self, event_type: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.spec.trigger.fires_on(event_type))
    }
}
