//! Judging one event: which rules fire, what they award, and why the others did not.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use serde::Serialize;

use super::conditions::{Conditions, Evaluate, Outcome, Slot};
use super::expr::{Facts, Truth};
use super::model::{CampaignSpec, Effect, Period, weekday_index};
use super::set::{Rule, RuleSet};
use crate::Timestamp;
use crate::limits::MAX_POINTS_PER_ENTRY;
use crate::policy::ExpiryPolicy;

/// Whose usage a counter holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Rule(String),
    Campaign(String),
}

impl Scope {
    /// The stored form: `rule:<id>` or `campaign:<id>`.
    pub fn key(&self) -> String {
        match self {
            Scope::Rule(id) => format!("rule:{id}"),
            Scope::Campaign(id) => format!("campaign:{id}"),
        }
    }

    pub fn parse(key: &str) -> Option<Scope> {
        if let Some(id) = key.strip_prefix("rule:") {
            Some(Scope::Rule(id.to_owned()))
        } else {
            key.strip_prefix("campaign:")
                .map(|id| Scope::Campaign(id.to_owned()))
        }
    }
}

/// One usage counter: a scope, a member (or everyone, for budgets), a period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsageKey {
    pub scope: Scope,
    /// `None`: all members together (budgets and totals).
    pub member: Option<i64>,
    /// `d2026-06-18`, `w2026-25`, `m2026-06`, `y2026`, `c:<campaign>`, `l` (lifetime), each
    /// optionally followed by `/<event type>` for limits on one event type.
    pub period: String,
}

impl UsageKey {
    /// The lifetime counter of a scope, for one member or (`None`) all members.
    fn lifetime(scope: Scope, member: Option<i64>) -> UsageKey {
        UsageKey {
            scope,
            member,
            period: "l".into(),
        }
    }
}

/// How often a rule fired and the points it awarded, within a counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub count: i64,
    pub points: i64,
}

/// Counters as read from the store, with what this batch added on top.
#[derive(Debug, Default)]
pub struct UsageBook {
    values: HashMap<UsageKey, Usage>,
    /// What to add to the stored counters.
    deltas: HashMap<UsageKey, Usage>,
}

impl UsageBook {
    /// A counter as loaded from the store.
    pub fn load(&mut self, key: UsageKey, usage: Usage) {
        self.values.insert(key, usage);
    }

    pub fn get(&self, key: &UsageKey) -> Usage {
        self.values.get(key).copied().unwrap_or_default()
    }

    fn add(&mut self, key: UsageKey, count: i64, points: i64) {
        let v = self.values.entry(key.clone()).or_default();
        // Usage is only compared with caps, which a saturated figure is above.
        v.count = v.count.saturating_add(count);
        v.points = v.points.saturating_add(points);
        let d = self.deltas.entry(key).or_default();
        d.count = d.count.saturating_add(count);
        d.points = d.points.saturating_add(points);
    }

    /// What the batch added, for the store to write.
    pub fn take_deltas(&mut self) -> Vec<(UsageKey, Usage)> {
        let mut out: Vec<_> = self.deltas.drain().collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// The counters evaluating events of these members at these instants may read, so a store can
/// load them before deciding: those under a cap. Counters kept only for reports (a rule's
/// firings per member over its lifetime, with no cap) are never read to decide; what a batch
/// adds to them is added to the stored value as it is written.
pub fn usage_keys(
    rules: &RuleSet,
    tz: Tz,
    events: &[(i64, &str, Timestamp)],
) -> BTreeSet<UsageKey> {
    let mut keys = BTreeSet::new();
    for (member, event_type, at) in events {
        for rule in rules.candidates(event_type, *at) {
            for (key, cap) in rule_counters(rule, *member, event_type, *at, tz) {
                if !matches!(cap, Cap::None) {
                    keys.insert(key);
                }
            }
        }
    }
    keys
}

/// An event as the engine sees it.
pub struct EventInput<'a> {
    pub id: &'a str,
    pub type_name: &'a str,
    pub occurred_at: Timestamp,
    pub member: i64,
    /// The amount in fen, for per-yuan effects.
    pub amount: Option<i64>,
    /// Only this rule judges the event (the birthday job sends each birthday rule its own).
    pub only_rule: Option<&'a str>,
    /// What conditions read; `None` when no candidate rule has a condition
    /// ([`RuleSet::has_conditions`]), so that building them can be skipped.
    pub facts: Option<&'a Facts>,
}

/// Points a rule awards, with their own timing overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Award {
    pub rule: String,
    pub version: i64,
    pub points: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<ExpiryPolicy>,
}

/// Something other than points a rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    AddToMeter {
        rule: String,
        meter: String,
        amount: i64,
        /// What the addition is about, one entry per key (from the effect's `key`).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        keys: Vec<String>,
    },
    Tag {
        rule: String,
        tag: String,
    },
    Untag {
        rule: String,
        tag: String,
    },
    Notify {
        rule: String,
        template: String,
    },
    IssueVoucher {
        rule: String,
        template: String,
    },
    AwardBadge {
        rule: String,
        badge: String,
        level: u32,
    },
}

/// Why a rule did or did not fire for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Verdict {
    /// It fired: `points` awarded (after caps).
    Fired {
        points: i64,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        capped_by: Vec<String>,
    },
    /// Outside its schedule or its campaign's period.
    OutOfSchedule {
        reason: String,
    },
    ConditionFalse,
    ConditionError {
        message: String,
    },
    /// A count limit or a points limit was reached.
    LimitReached {
        limit: String,
    },
    /// Its budget (or its campaign's) is spent.
    BudgetSpent {
        scope: String,
    },
    /// An exclusive rule of its group fired first.
    Excluded {
        by: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub rule: String,
    pub version: i64,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// What an event earned under the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub awards: Vec<Award>,
    pub actions: Vec<Action>,
    pub trace: Vec<Trace>,
}

impl Evaluation {
    pub fn points(&self) -> i64 {
        self.awards
            .iter()
            .map(|a| a.points)
            .fold(0, i64::saturating_add)
    }
}

/// The period keys of an instant in the program's time zone.
pub fn period_key(period: Period, at: Timestamp, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    match period {
        Period::Day => format!("d{}", local.format("%Y-%m-%d")),
        Period::Week => {
            let w = local.iso_week();
            format!("w{}-{:02}", w.year(), w.week())
        }
        Period::Month => format!("m{}", local.format("%Y-%m")),
        Period::Year => format!("y{}", local.year()),
        Period::Campaign => "c".to_owned(),
        Period::Lifetime => "l".to_owned(),
    }
}

/// Which cap a counter enforces.
#[derive(Debug, Clone, Copy)]
enum Cap {
    Count(i64),
    Points(i64),
    /// Counted for reports only.
    None,
}

/// The counters a rule's firing for `member` touches, each with the cap it enforces.
fn rule_counters(
    rule: &Rule,
    member: i64,
    event_type: &str,
    at: Timestamp,
    tz: Tz,
) -> Vec<(UsageKey, Cap)> {
    let scope = Scope::Rule(rule.id.clone());
    let mut out = Vec::new();
    for limit in &rule.spec.limits {
        if limit.event_type.as_deref().is_some_and(|t| t != event_type) {
            continue;
        }
        // A per-campaign limit counts this rule's firings over its campaign's period.
        let period = match (limit.per, &rule.spec.campaign) {
            (Period::Campaign, Some(c)) => format!("c:{c}"),
            (per, _) => period_key(per, at, tz),
        };
        let period = match &limit.event_type {
            Some(t) => format!("{period}/{t}"),
            None => period,
        };
        let key = UsageKey {
            scope: scope.clone(),
            member: Some(member),
            period,
        };
        if let Some(n) = limit.count {
            out.push((key.clone(), Cap::Count(i64::from(n))));
        }
        if let Some(p) = limit.points {
            out.push((key, Cap::Points(p)));
        }
    }
    // Lifetime per member, for reports (not for the built-in default rule, which has no
    // limits: purchases stay one statement lighter); in total only under a budget, as that
    // counter is shared by every member's events.
    if rule.version > 0 {
        out.push((UsageKey::lifetime(scope.clone(), Some(member)), Cap::None));
    }
    if let Some(budget) = rule.spec.budget {
        out.push((UsageKey::lifetime(scope, None), Cap::Points(budget)));
    }
    if let Some(c) = &rule.spec.campaign {
        let campaign = rule.campaign.as_deref();
        let scope = Scope::Campaign(c.clone());
        let cap = campaign
            .and_then(|c| c.member_cap)
            .map_or(Cap::None, Cap::Points);
        out.push((UsageKey::lifetime(scope.clone(), Some(member)), cap));
        if let Some(budget) = campaign.and_then(|c| c.budget) {
            out.push((UsageKey::lifetime(scope, None), Cap::Points(budget)));
        }
    }
    out
}

/// Whether the rule's schedule (and its campaign's period) covers `at`.
fn in_schedule(rule: &Rule, at: Timestamp, tz: Tz) -> Result<(), String> {
    let s = &rule.spec.schedule;
    if s.starts_at.is_some_and(|t| at < t) {
        return Err("before the rule starts".into());
    }
    if s.ends_at.is_some_and(|t| at >= t) {
        return Err("after the rule ends".into());
    }
    let local = at.with_timezone(&tz);
    if !s.weekdays.is_empty() && !s.weekdays.contains(&weekday_index(local.weekday())) {
        return Err("not on one of the rule's weekdays".into());
    }
    if let Some((from, to)) = s.hours {
        let h = local.hour() as u8;
        if h < from || h >= to {
            return Err(format!("outside the rule's hours {from}:00–{to}:00"));
        }
    }
    match (&rule.spec.campaign, rule.campaign.as_deref()) {
        (Some(id), None) => Err(format!("campaign {id} does not exist")),
        (Some(_), Some(c)) if at < c.starts_at || at >= c.ends_at => {
            Err("outside its campaign's period".into())
        }
        _ => Ok(()),
    }
}

/// Judges one event against the rules live at its `occurred_at`, updating `usage` with what
/// fired. Rules run by priority (highest first); rules with a multiplier run after the rules
/// they multiply.
pub fn evaluate(
    rules: &RuleSet,
    tz: Tz,
    event: &EventInput<'_>,
    usage: &mut UsageBook,
) -> Evaluation {
    evaluate_with(rules, tz, event, usage, &mut Evaluate)
}

/// [`evaluate`], with the conditions' and meter keys' outcomes taken from `conditions`.
pub fn evaluate_with(
    rules: &RuleSet,
    tz: Tz,
    event: &EventInput<'_>,
    usage: &mut UsageBook,
    conditions: &mut dyn Conditions,
) -> Evaluation {
    let mut out = Evaluation::default();
    let mut closed_groups: HashMap<&str, &str> = HashMap::new();
    let candidates: Vec<&Arc<Rule>> = rules
        .candidates(event.type_name, event.occurred_at)
        .into_iter()
        .filter(|r| event.only_rule.is_none_or(|only| r.id == only))
        .collect();
    for rule in candidates {
        let verdict = judge(rule, tz, event, usage, &mut out, &closed_groups, conditions);
        if matches!(verdict, Verdict::Fired { .. })
            && rule.spec.exclusive
            && let Some(group) = &rule.spec.group
        {
            closed_groups
                .entry(group.as_str())
                .or_insert(rule.id.as_str());
        }
        out.trace.push(Trace {
            rule: rule.id.clone(),
            version: rule.version,
            verdict,
        });
    }
    out
}

fn judge(
    rule: &Arc<Rule>,
    tz: Tz,
    event: &EventInput<'_>,
    usage: &mut UsageBook,
    out: &mut Evaluation,
    closed_groups: &HashMap<&str, &str>,
    conditions: &mut dyn Conditions,
) -> Verdict {
    if let Some(by) = rule
        .spec
        .group
        .as_deref()
        .and_then(|g| closed_groups.get(g))
    {
        return Verdict::Excluded {
            by: (*by).to_owned(),
        };
    }
    if let Err(reason) = in_schedule(rule, event.occurred_at, tz) {
        return Verdict::OutOfSchedule { reason };
    }
    if rule.condition.is_some() {
        let truth = match event.facts {
            None => Truth::Error("the event's facts were not built".into()),
            Some(facts) => match conditions.outcome(rule, Slot::Condition, facts) {
                Outcome::Truth(t) => t,
                Outcome::Keys(_) => Truth::Error("a condition gave keys".into()),
            },
        };
        match truth {
            Truth::True => {}
            Truth::False => return Verdict::ConditionFalse,
            Truth::Error(message) => return Verdict::ConditionError { message },
        }
    }
    let counters = rule_counters(rule, event.member, event.type_name, event.occurred_at, tz);
    // Count limits first: a rule that may not fire again awards nothing.
    for (key, cap) in &counters {
        if let Cap::Count(n) = cap
            && usage.get(key).count >= *n
        {
            return Verdict::LimitReached {
                limit: describe(key, "times"),
            };
        }
    }
    // What the effects ask for, before caps.
    let mut wanted = 0i64;
    let mut awards = Vec::new();
    let mut over_entry_max = false;
    for effect in &rule.spec.effects {
        let points = match effect {
            Effect::AwardPoints {
                points,
                per_yuan,
                rounding,
                pending_days,
                expiry,
            } => {
                let p = fixed_or_per_yuan(*points, *per_yuan, *rounding, event.amount);
                let p = per_entry(p, &mut over_entry_max);
                awards.push((p, *pending_days, *expiry));
                p
            }
            Effect::Multiplier { factor, rules } => {
                let base: i64 = out
                    .awards
                    .iter()
                    .filter(|a| rules.is_empty() || rules.contains(&a.rule))
                    .map(|a| a.points)
                    .fold(0, i64::saturating_add);
                let p = per_entry(factor.extra(base), &mut over_entry_max);
                awards.push((p, None, None));
                p
            }
            _ => 0,
        };
        wanted = wanted.saturating_add(points);
    }
    // Points caps cut the award to what is left under each.
    let mut granted = wanted;
    let mut capped_by: Vec<&UsageKey> = Vec::new();
    for (key, cap) in &counters {
        if let Cap::Points(max) = cap {
            let left = max.saturating_sub(usage.get(key).points).max(0);
            if left < granted {
                granted = left;
                capped_by.push(key);
            }
        }
    }
    if wanted > 0
        && granted == 0
        && let Some(key) = capped_by.last()
    {
        return if key.member.is_none() {
            Verdict::BudgetSpent {
                scope: key.scope.key(),
            }
        } else {
            Verdict::LimitReached {
                limit: describe(key, "points"),
            }
        };
    }
    let mut capped_by: Vec<String> = capped_by.iter().map(|k| describe(k, "points")).collect();
    if over_entry_max {
        capped_by.push(format!("at most {MAX_POINTS_PER_ENTRY} points per entry"));
    }
    // Cut awards in order until the granted total is reached.
    let mut left = granted;
    for (p, pending_days, expiry) in awards {
        let p = p.min(left).max(0);
        left -= p;
        if p > 0 {
            out.awards.push(Award {
                rule: rule.id.clone(),
                version: rule.version,
                points: p,
                pending_days,
                expiry,
            });
        }
    }
    for (i, effect) in rule.spec.effects.iter().enumerate() {
        let action = match effect {
            Effect::AddToMeter {
                meter,
                amount,
                per_yuan,
                ..
            } => {
                let amount = fixed_or_per_yuan(
                    *amount,
                    *per_yuan,
                    super::model::Rounding::Floor,
                    event.amount,
                )
                .clamp(-MAX_POINTS_PER_ENTRY, MAX_POINTS_PER_ENTRY);
                let keys = match (rule.meter_keys.get(i).and_then(Option::as_ref), event.facts) {
                    (Some(_), Some(facts)) => match conditions.outcome(rule, Slot::Key(i), facts) {
                        // A key that cannot be read adds nothing.
                        Outcome::Keys(Ok(keys)) if !keys.is_empty() => keys,
                        _ => continue,
                    },
                    (Some(_), None) => continue,
                    (None, _) => Vec::new(),
                };
                Action::AddToMeter {
                    rule: rule.id.clone(),
                    meter: meter.clone(),
                    amount,
                    keys,
                }
            }
            Effect::Tag { tag } => Action::Tag {
                rule: rule.id.clone(),
                tag: tag.clone(),
            },
            Effect::Untag { tag } => Action::Untag {
                rule: rule.id.clone(),
                tag: tag.clone(),
            },
            Effect::Notify { template } => Action::Notify {
                rule: rule.id.clone(),
                template: template.clone(),
            },
            Effect::IssueVoucher { template } => Action::IssueVoucher {
                rule: rule.id.clone(),
                template: template.clone(),
            },
            Effect::AwardBadge { badge, level } => Action::AwardBadge {
                rule: rule.id.clone(),
                badge: badge.clone(),
                level: *level,
            },
            Effect::AwardPoints { .. } | Effect::Multiplier { .. } => continue,
        };
        out.actions.push(action);
    }
    let keys: BTreeSet<UsageKey> = counters.into_iter().map(|(k, _)| k).collect();
    for key in keys {
        usage.add(key, 1, granted);
    }
    Verdict::Fired {
        points: granted,
        capped_by,
    }
}

/// An award cut to [`MAX_POINTS_PER_ENTRY`] (noting that it was): a ¥1bn order at 1,000,000
/// points per yuan asks for 10¹⁵ points, more than one entry may carry.
fn per_entry(points: i64, cut: &mut bool) -> i64 {
    if points > MAX_POINTS_PER_ENTRY {
        *cut = true;
    }
    points.min(MAX_POINTS_PER_ENTRY)
}

/// A fixed amount, or `per_yuan` of the event's amount (rounded to whole yuan first).
fn fixed_or_per_yuan(
    fixed: Option<i64>,
    per_yuan: Option<i64>,
    rounding: super::model::Rounding,
    event_amount: Option<i64>,
) -> i64 {
    match (fixed, per_yuan) {
        (Some(n), _) => n,
        (None, Some(r)) => rounding.per_yuan(event_amount.unwrap_or(0), r),
        (None, None) => 0,
    }
}

/// One cap of a rule (a count or points limit, its budget, its campaign's cap or budget) as it
/// stands: what it allows, what is used, what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitLeft {
    /// As a refusal names it: `rule:r1 times, per member, day 2026-06-18`.
    pub limit: String,
    /// `times` or `points`.
    pub unit: &'static str,
    pub max: i64,
    pub used: i64,
    pub left: i64,
}

/// What is left under each cap of `rule` for `member`'s events of `event_type` at `at`, as
/// `usage` counts them (after the events it has judged): what a simulation shows next to each
/// rule. Counters kept only for reports are left out.
pub fn limits_left(
    rule: &Rule,
    member: i64,
    event_type: &str,
    at: Timestamp,
    tz: Tz,
    usage: &UsageBook,
) -> Vec<LimitLeft> {
    rule_counters(rule, member, event_type, at, tz)
        .into_iter()
        .filter_map(|(key, cap)| {
            let used = usage.get(&key);
            let (unit, max, used) = match cap {
                Cap::Count(n) => ("times", n, used.count),
                Cap::Points(p) => ("points", p, used.points),
                Cap::None => return None,
            };
            Some(LimitLeft {
                limit: describe(&key, unit),
                unit,
                max,
                used,
                left: max.saturating_sub(used).max(0),
            })
        })
        .collect()
}

fn describe(key: &UsageKey, what: &str) -> String {
    let whom = if key.member.is_some() {
        "per member"
    } else {
        "all members"
    };
    let period = match key.period.split('/').next().unwrap_or("") {
        "l" => "lifetime".to_owned(),
        p if p.starts_with("c:") => format!("campaign {}", &p[2..]),
        p => match p.chars().next() {
            Some('d') => format!("day {}", &p[1..]),
            Some('w') => format!("week {}", &p[1..]),
            Some('m') => format!("month {}", &p[1..]),
            Some('y') => format!("year {}", &p[1..]),
            _ => p.to_owned(),
        },
    };
    format!("{} {what}, {whom}, {period}", key.scope.key())
}

/// Campaigns by id, as rule sets hold them.
pub type Campaigns = HashMap<String, Arc<CampaignSpec>>;
