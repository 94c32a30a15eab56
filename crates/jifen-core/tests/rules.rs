//! The rules engine, judged event by event: triggers, conditions, effects, limits, budgets,
//! schedules, priority and stacking, versions and campaigns.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use jifen_core::Timestamp;
use jifen_core::rules::{
    CampaignSpec, Evaluation, EventInput, Facts, Rule, RuleSet, RuleSpec, RuleStatus, UsageBook,
    Verdict, evaluate, usage_keys,
};
use serde_json::{Value, json};

/// An instant given in Shanghai time.
fn cst(y: i32, m: u32, d: u32, h: u32) -> Timestamp {
    Shanghai
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn spec(v: Value) -> RuleSpec {
    serde_json::from_value(v).expect("a valid rule spec")
}

fn rule(id: &str, v: Value) -> Rule {
    Rule::compile(id, 1, RuleStatus::Active, spec(v), cst(2020, 1, 1, 0), None)
        .expect("the rule compiles")
}

fn set(rules: Vec<Rule>) -> RuleSet {
    RuleSet::new(rules, &HashMap::new(), 1)
}

/// A member and the engine's usage counters, sending events one after another.
struct Member {
    id: i64,
    usage: UsageBook,
    streaks: HashMap<String, i64>,
}

impl Member {
    fn new() -> Self {
        Self {
            id: 7,
            usage: UsageBook::default(),
            streaks: HashMap::new(),
        }
    }

    fn send(&mut self, rules: &RuleSet, kind: &str, at: Timestamp, attrs: Value) -> Evaluation {
        let amount = attrs.get("amount").and_then(Value::as_i64);
        let event = json!({"id": "e", "type": kind, "attributes": attrs});
        let member = json!({"id": "m-7", "tags": ["vip"], "streaks": self.streaks});
        let facts = Facts::new(&event, &member, &json!({"timezone": "Asia/Shanghai"}), at);
        let input = EventInput {
            id: "e",
            type_name: kind,
            occurred_at: at,
            member: self.id,
            amount,
            only_rule: None,
            facts: Some(&facts),
        };
        evaluate(rules, Shanghai, &input, &mut self.usage)
    }
}

fn verdict_of<'a>(e: &'a Evaluation, rule: &str) -> &'a Verdict {
    &e.trace
        .iter()
        .find(|t| t.rule == rule)
        .unwrap_or_else(|| panic!("{rule} not in the trace: {:?}", e.trace))
        .verdict
}

#[test]
fn inoherb_check_in_one_point_a_day_and_seven_more_every_seventh_day() {
    let rules = set(vec![
        rule(
            "daily-check-in",
            json!({"name": "Daily check-in", "trigger": {"kind": "event", "types": ["check_in"]},
                   "effects": [{"kind": "award_points", "points": 1}],
                   "limits": [{"per": "day", "count": 1}]}),
        ),
        rule(
            "streak-7",
            json!({"name": "7 days in a row", "trigger": {"kind": "event", "types": ["check_in"]},
                   "condition": "member.streak(\"check_in\") % 7 == 0",
                   "effects": [{"kind": "award_points", "points": 7}],
                   "limits": [{"per": "day", "count": 1}]}),
        ),
    ]);
    let mut m = Member::new();
    let mut total = 0;
    for day in 1..=14 {
        m.streaks.insert("check_in".into(), day);
        let e = m.send(&rules, "check_in", cst(2026, 3, day as u32, 8), json!({}));
        total += e.points();
        // A second check-in the same day earns nothing and says why.
        let again = m.send(&rules, "check_in", cst(2026, 3, day as u32, 20), json!({}));
        assert_eq!(again.points(), 0);
        assert!(matches!(
            verdict_of(&again, "daily-check-in"),
            Verdict::LimitReached { .. }
        ));
    }
    assert_eq!(total, 14 + 7 + 7);
}

#[test]
fn per_yuan_awards_round_as_configured() {
    for (rounding, want) in [("floor", 12), ("nearest", 13), ("ceil", 13)] {
        let rules = set(vec![rule(
            "buy",
            json!({"name": "Purchases", "trigger": {"kind": "event", "types": ["purchase"]},
                   "effects": [{"kind": "award_points", "per_yuan": 1, "rounding": rounding}]}),
        )]);
        let e = Member::new().send(
            &rules,
            "purchase",
            cst(2026, 3, 1, 10),
            json!({"amount": 1_250}),
        );
        assert_eq!(e.points(), want, "{rounding}");
    }
}

#[test]
fn the_default_purchase_rule_applies_until_the_program_has_its_own() {
    let only_multiplier = set(vec![rule(
        "double",
        json!({"name": "Double", "trigger": {"kind": "event", "types": ["purchase"]},
               "effects": [{"kind": "multiplier", "factor": 2}]}),
    )]);
    let e = Member::new().send(
        &only_multiplier,
        "purchase",
        cst(2026, 3, 1, 10),
        json!({"amount": 15_800}),
    );
    assert_eq!(e.points(), 158 * 2, "a multiplier doubles the default rule");
    let own = set(vec![rule(
        "buy",
        json!({"name": "Purchases", "trigger": {"kind": "event", "types": ["purchase"]},
               "effects": [{"kind": "award_points", "per_yuan": 3}]}),
    )]);
    let e = Member::new().send(
        &own,
        "purchase",
        cst(2026, 3, 1, 10),
        json!({"amount": 15_800}),
    );
    assert_eq!(e.points(), 158 * 3);
    assert!(e.trace.iter().all(|t| t.rule != "default-purchase"));
}

#[test]
fn a_campaign_doubles_points_in_its_period_up_to_a_cap_per_member_and_a_budget() {
    let mut campaigns = HashMap::new();
    campaigns.insert(
        "618".to_owned(),
        Arc::new(CampaignSpec {
            name: "6.18".into(),
            description: String::new(),
            starts_at: cst(2026, 6, 1, 0),
            ends_at: cst(2026, 6, 19, 0),
            budget: Some(2_500),
            member_cap: Some(2_000),
        }),
    );
    let rules = RuleSet::new(
        vec![rule(
            "618-double",
            json!({"name": "6.18 double points", "campaign": "618",
                   "trigger": {"kind": "event", "types": ["purchase"]},
                   "effects": [{"kind": "multiplier", "factor": 2, "rules": ["default-purchase"]}]}),
        )],
        &campaigns,
        1,
    );
    let mut m = Member::new();
    // Before the campaign: the base only.
    let e = m.send(
        &rules,
        "purchase",
        cst(2026, 5, 31, 23),
        json!({"amount": 100_000}),
    );
    assert_eq!(e.points(), 1_000);
    assert!(matches!(
        verdict_of(&e, "618-double"),
        Verdict::OutOfSchedule { .. }
    ));
    // In it: doubled, until the member's 2,000 bonus points are reached.
    let e = m.send(
        &rules,
        "purchase",
        cst(2026, 6, 1, 0),
        json!({"amount": 150_000}),
    );
    assert_eq!(e.points(), 3_000);
    let e = m.send(
        &rules,
        "purchase",
        cst(2026, 6, 2, 0),
        json!({"amount": 100_000}),
    );
    assert_eq!(e.points(), 1_000 + 500, "cut to what is left of the cap");
    let e = m.send(
        &rules,
        "purchase",
        cst(2026, 6, 3, 0),
        json!({"amount": 100_000}),
    );
    assert_eq!(e.points(), 1_000);
    assert!(matches!(
        verdict_of(&e, "618-double"),
        Verdict::LimitReached { .. }
    ));
    // Another member takes the 500 left of the budget, then it is spent.
    let mut other = Member::new();
    other.id = 8;
    other.usage = std::mem::take(&mut m.usage);
    let e = other.send(
        &rules,
        "purchase",
        cst(2026, 6, 3, 0),
        json!({"amount": 100_000}),
    );
    assert_eq!(e.points(), 1_000 + 500);
    let e = other.send(
        &rules,
        "purchase",
        cst(2026, 6, 4, 0),
        json!({"amount": 100_000}),
    );
    assert_eq!(e.points(), 1_000);
    assert!(matches!(
        verdict_of(&e, "618-double"),
        Verdict::BudgetSpent { .. }
    ));
}

#[test]
fn exclusive_rules_stop_lower_ones_of_their_group() {
    let rules = set(vec![
        rule(
            "vip-review",
            json!({"name": "VIP review", "priority": 10, "group": "review", "exclusive": true,
                   "trigger": {"kind": "event", "types": ["review"]},
                   "condition": "member.has_tag(\"vip\")",
                   "effects": [{"kind": "award_points", "points": 50}]}),
        ),
        rule(
            "review",
            json!({"name": "Review", "group": "review",
                   "trigger": {"kind": "event", "types": ["review"]},
                   "effects": [{"kind": "award_points", "points": 20}]}),
        ),
        rule(
            "photo-bonus",
            json!({"name": "Photo bonus",
                   "trigger": {"kind": "event", "types": ["review"]},
                   "condition": "event.attributes.photos > 0",
                   "effects": [{"kind": "award_points", "points": 5}]}),
        ),
    ]);
    let e = Member::new().send(&rules, "review", cst(2026, 3, 1, 10), json!({"photos": 2}));
    assert_eq!(e.points(), 55);
    assert_eq!(
        verdict_of(&e, "review"),
        &Verdict::Excluded {
            by: "vip-review".into()
        }
    );
}

#[test]
fn schedules_follow_the_program_time_zone() {
    let rules = set(vec![rule(
        "weekend-evening",
        json!({"name": "Weekend evenings", "trigger": {"kind": "event", "types": ["store_scan"]},
               "schedule": {"weekdays": ["sat", "sun"], "hours": [18, 22]},
               "effects": [{"kind": "award_points", "points": 10}]}),
    )]);
    let mut m = Member::new();
    // Saturday 7 March 2026, 19:00 in Shanghai is 11:00 UTC.
    assert_eq!(
        m.send(&rules, "store_scan", cst(2026, 3, 7, 19), json!({}))
            .points(),
        10
    );
    assert_eq!(
        m.send(&rules, "store_scan", cst(2026, 3, 7, 22), json!({}))
            .points(),
        0
    );
    assert_eq!(
        m.send(&rules, "store_scan", cst(2026, 3, 6, 19), json!({}))
            .points(),
        0,
        "a Friday"
    );
}

#[test]
fn an_event_is_judged_by_the_version_live_when_it_occurred() {
    let v = |points: i64, from: Timestamp, until: Option<Timestamp>, version: i64| {
        Rule::compile(
            "share",
            version,
            RuleStatus::Active,
            spec(
                json!({"name": "Share", "trigger": {"kind": "event", "types": ["share"]},
                        "effects": [{"kind": "award_points", "points": points}]}),
            ),
            from,
            until,
        )
        .unwrap()
    };
    let saved_again = cst(2026, 4, 1, 0);
    let paused = cst(2026, 5, 1, 0);
    let pause = Rule::compile(
        "share",
        3,
        RuleStatus::Paused,
        spec(
            json!({"name": "Share", "trigger": {"kind": "event", "types": ["share"]},
                    "effects": [{"kind": "award_points", "points": 8}]}),
        ),
        paused,
        None,
    )
    .unwrap();
    let rules = set(vec![
        v(5, cst(2026, 1, 1, 0), Some(saved_again), 1),
        v(8, saved_again, Some(paused), 2),
        pause,
    ]);
    let mut m = Member::new();
    assert_eq!(
        m.send(&rules, "share", cst(2025, 12, 31, 0), json!({}))
            .points(),
        0,
        "before the rule existed"
    );
    assert_eq!(
        m.send(&rules, "share", cst(2026, 3, 31, 0), json!({}))
            .points(),
        5
    );
    let e = m.send(&rules, "share", cst(2026, 4, 2, 0), json!({}));
    assert_eq!((e.points(), e.trace[0].version), (8, 2));
    assert_eq!(
        m.send(&rules, "share", cst(2026, 5, 2, 0), json!({}))
            .points(),
        0,
        "paused"
    );
}

#[test]
fn only_counters_under_a_cap_are_read_before_judging() {
    let rules = set(vec![
        rule(
            "plain",
            json!({"name": "Plain", "trigger": {"kind": "event", "types": ["check_in"]},
                   "effects": [{"kind": "award_points", "points": 1}]}),
        ),
        rule(
            "daily",
            json!({"name": "Daily", "trigger": {"kind": "event", "types": ["check_in"]},
                   "effects": [{"kind": "award_points", "points": 1}],
                   "limits": [{"per": "day", "count": 1}]}),
        ),
    ]);
    let at = cst(2026, 3, 1, 10);
    let keys: Vec<(String, Option<i64>, String)> =
        usage_keys(&rules, Shanghai, &[(7, "check_in", at)])
            .into_iter()
            .map(|k| (k.scope.key(), k.member, k.period))
            .collect();
    // The lifetime counts of both rules (kept for reports) are added to as they are written,
    // never read: only the daily limit is.
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].0, "rule:daily");
    assert_eq!(keys[0].1, Some(7));
    // Judging still counts the lifetime firings of both, for the store to add.
    let mut m = Member::new();
    assert_eq!(m.send(&rules, "check_in", at, json!({})).points(), 2);
    let deltas = m.usage.take_deltas();
    for id in ["rule:plain", "rule:daily"] {
        assert!(
            deltas
                .iter()
                .any(|(k, u)| k.scope.key() == id && k.period == "l" && u.count == 1),
            "{id} in {deltas:?}"
        );
    }
}

#[test]
fn limits_count_per_event_type_and_points_per_month() {
    let rules = set(vec![rule(
        "ugc",
        json!({"name": "UGC", "trigger": {"kind": "event", "types": ["content_posted", "share"]},
               "effects": [{"kind": "award_points", "points": 30}],
               "limits": [{"per": "day", "count": 1, "event_type": "share"},
                          {"per": "month", "points": 100}]}),
    )]);
    let mut m = Member::new();
    let at = cst(2026, 3, 1, 10);
    assert_eq!(m.send(&rules, "share", at, json!({})).points(), 30);
    assert_eq!(m.send(&rules, "share", at, json!({})).points(), 0);
    assert_eq!(m.send(&rules, "content_posted", at, json!({})).points(), 30);
    assert_eq!(m.send(&rules, "content_posted", at, json!({})).points(), 30);
    assert_eq!(
        m.send(&rules, "content_posted", at, json!({})).points(),
        10,
        "cut to the month's 100"
    );
    assert_eq!(
        m.send(&rules, "content_posted", cst(2026, 4, 1, 0), json!({}))
            .points(),
        30,
        "a new month in Shanghai"
    );
}

#[test]
fn conditions_that_do_not_compile_are_refused_with_where() {
    let bad = |condition: &str| {
        Rule::compile(
            "r",
            1,
            RuleStatus::Active,
            spec(
                json!({"name": "R", "trigger": {"kind": "event", "types": ["review"]},
                        "condition": condition,
                        "effects": [{"kind": "award_points", "points": 1}]}),
            ),
            cst(2026, 1, 1, 0),
            None,
        )
        .unwrap_err()
    };
    let e = bad("event.attributes.stars >=");
    assert_eq!(e.field, "condition");
    assert!(e.message.contains("line 1"), "{}", e.message);
    let e = bad("evnt.attributes.stars >= 4");
    assert!(
        e.message.contains("unknown variable `evnt`"),
        "{}",
        e.message
    );
    // Variables bound by macros are fine.
    Rule::compile(
        "r",
        1,
        RuleStatus::Active,
        spec(
            json!({"name": "R", "trigger": {"kind": "event", "types": ["purchase"]},
                    "condition": "event.attributes.lines.exists(l, l.category == 'tea')",
                    "effects": [{"kind": "award_points", "points": 1}]}),
        ),
        cst(2026, 1, 1, 0),
        None,
    )
    .unwrap();
}

#[test]
fn a_condition_that_fails_at_run_time_does_not_fire_and_says_why() {
    let rules = set(vec![rule(
        "stars",
        json!({"name": "Five stars", "trigger": {"kind": "event", "types": ["review"]},
               "condition": "event.attributes.stars == 5",
               "effects": [{"kind": "award_points", "points": 10}]}),
    )]);
    let e = Member::new().send(&rules, "review", cst(2026, 3, 1, 10), json!({}));
    assert_eq!(e.points(), 0);
    assert!(matches!(
        verdict_of(&e, "stars"),
        Verdict::ConditionError { .. }
    ));
    let e = Member::new().send(&rules, "review", cst(2026, 3, 1, 10), json!({"stars": 5}));
    assert_eq!(e.points(), 10);
}

#[test]
fn bad_specs_name_the_field() {
    let cases = [
        (
            json!({"name": "R", "trigger": {"kind": "event", "types": []},
                   "effects": [{"kind": "award_points", "points": 1}]}),
            "trigger.types",
        ),
        (
            json!({"name": "R", "trigger": {"kind": "event", "types": ["x"]},
                   "effects": [{"kind": "award_points", "points": 1, "per_yuan": 1}]}),
            "effects[0].points",
        ),
        (
            json!({"name": "R", "trigger": {"kind": "event", "types": ["x"]},
                   "effects": [{"kind": "award_points", "points": 1}],
                   "limits": [{"per": "campaign", "points": 5}]}),
            "limits[0].per",
        ),
        (
            json!({"name": "R", "trigger": {"kind": "event", "types": ["x"]},
                   "effects": [{"kind": "award_points", "points": 1}],
                   "schedule": {"hours": [20, 8]}}),
            "schedule.hours",
        ),
    ];
    for (v, field) in cases {
        let e = Rule::compile(
            "r",
            1,
            RuleStatus::Active,
            spec(v),
            cst(2026, 1, 1, 0),
            None,
        )
        .unwrap_err();
        assert_eq!(e.field, field, "{e}");
    }
}

#[test]
fn effects_other_than_points_are_reported_as_actions() {
    let rules = set(vec![rule(
        "first-review",
        json!({"name": "First review", "trigger": {"kind": "event", "types": ["review"]},
               "effects": [{"kind": "add_to_meter", "meter": "taoqizhi", "amount": 20},
                           {"kind": "tag", "tag": "reviewer"},
                           {"kind": "notify", "template": "thanks-for-reviewing"}],
               "limits": [{"per": "lifetime", "count": 1}]}),
    )]);
    let mut m = Member::new();
    let e = m.send(&rules, "review", cst(2026, 3, 1, 10), json!({}));
    assert_eq!(e.actions.len(), 3);
    assert_eq!(e.points(), 0);
    let e = m.send(&rules, "review", cst(2026, 3, 2, 10), json!({}));
    assert!(e.actions.is_empty(), "once in a lifetime");
}
