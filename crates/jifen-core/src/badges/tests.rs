use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn now() -> crate::Timestamp {
    chrono::DateTime::parse_from_rfc3339("2026-06-18T02:00:00Z")
        .expect("instant")
        .with_timezone(&chrono::Utc)
}

fn spec(value: serde_json::Value) -> BadgeSpec {
    serde_json::from_value(value).expect("spec")
}

fn check_ins(targets: &[i64]) -> BadgeSpec {
    let levels: Vec<_> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"name": format!("L{}", i + 1), "progress": "member.counts.check_in", "target": t}))
        .collect();
    spec(json!({"name": "Regular", "levels": levels}))
}

fn facts(counts: serde_json::Value) -> Facts {
    Facts::new(
        &json!({"type": "check_in"}),
        &json!({"counts": counts, "meters": {"taoqizhi": 120}, "streaks": {"check_in": 3}}),
        &json!({"id": "p"}),
        now(),
    )
}

#[test]
fn levels_are_reached_by_progress_and_condition() {
    let badge = Badge::compile(
        "regular",
        spec(json!({"name": "Regular", "levels": [
            {"name": "铜", "progress": "member.counts.check_in", "target": 3},
            {"name": "银", "progress": "member.counts.check_in", "target": 10,
             "condition": "member.streaks.check_in >= 3"},
            {"name": "金", "condition": "member.meters.taoqizhi >= 1000"},
        ]})),
    )
    .expect("compiles");
    let judged = badge.judge(&facts(json!({"check_in": 4})), &BTreeSet::new());
    assert_eq!(judged.reached, vec![1]);
    assert_eq!(
        judged.next,
        Some(Progress {
            level: 2,
            name: "银".into(),
            value: 4,
            target: 10
        })
    );
    let judged = badge.judge(&facts(json!({"check_in": 12})), &BTreeSet::from([1]));
    assert_eq!(judged.reached, vec![2], "a level held is not awarded again");
    assert_eq!(judged.next, None, "gold has no progress to show");
}

#[test]
fn the_types_counted_are_named() {
    let badge = Badge::compile(
        "x",
        spec(json!({"name": "x", "levels": [
            {"name": "a", "progress": "member.counts.check_in + member.counts.review", "target": 2},
            {"name": "b", "condition": "has(member.counts.share_2)"}
        ]})),
    )
    .expect("compiles");
    let types: Vec<String> = badge.counted_types().into_iter().collect();
    assert_eq!(types, vec!["check_in", "review", "share_2"]);
}

#[test]
fn a_missing_count_is_an_error_and_reaches_nothing() {
    let badge = Badge::compile("regular", check_ins(&[1])).expect("compiles");
    let judged = badge.judge(&facts(json!({})), &BTreeSet::new());
    assert!(judged.reached.is_empty());
    assert_eq!(judged.errors.len(), 1);
}

#[test]
fn levels_without_criteria_are_awarded_only_by_effects() {
    let badge = Badge::compile(
        "champion",
        spec(json!({"name": "Champion", "levels": [{"name": "gold"}]})),
    )
    .expect("compiles");
    assert!(!badge.is_automatic());
    assert!(
        badge
            .judge(&facts(json!({})), &BTreeSet::new())
            .reached
            .is_empty()
    );
    assert_eq!(badge.level_count(), 1);
    assert_eq!(badge.level(1).map(|l| l.name.as_str()), Some("gold"));
    assert!(badge.level(0).is_none() && badge.level(2).is_none());
}

#[test]
fn definitions_are_checked() {
    let bad = [
        (json!({"name": "", "levels": [{"name": "a"}]}), "name"),
        (json!({"name": "x", "levels": []}), "levels"),
        (
            json!({"name": "x", "levels": [{"name": "a", "progress": "1"}]}),
            "levels[0].target",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "target": 3}]}),
            "levels[0].progress",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "progress": "1", "target": 0}]}),
            "levels[0].target",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "reward": {}}]}),
            "levels[0].reward",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "reward": {"points": 0}}]}),
            "levels[0].reward.points",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "condition": "member.("}]}),
            "levels[0].condition",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "condition": "secret > 1"}]}),
            "levels[0].condition",
        ),
    ];
    for (value, field) in bad {
        let err = Badge::compile("x", spec(value.clone())).expect_err("refused");
        assert_eq!(err.field, field, "{value}");
    }
    assert!(
        serde_json::from_value::<BadgeSpec>(json!({"name": "x", "levels": [], "extra": 1}))
            .is_err()
    );
}

#[test]
fn floats_round_down_and_other_values_are_errors() {
    let c = Condition::compile("double(member.meters.taoqizhi) / 7.0").expect("compiles");
    assert_eq!(c.number(&facts(json!({}))), Ok(17));
    let c = Condition::compile("'many'").expect("compiles");
    assert!(c.number(&facts(json!({}))).is_err());
}

proptest! {
    /// However the count grows, event after event, each level is awarded exactly once, when
    /// the count first reaches its target, and never before.
    #[test]
    fn each_level_is_awarded_once_as_the_count_grows(
        mut targets in proptest::collection::vec(1i64..50, 1..5),
        steps in proptest::collection::vec(0i64..7, 1..40),
    ) {
        targets.sort_unstable();
        let badge = Badge::compile("regular", check_ins(&targets)).expect("compiles");
        let mut held = BTreeSet::new();
        let mut count = 0;
        for step in steps {
            count += step;
            let judged = badge.judge(&facts(json!({"check_in": count})), &held);
            for n in &judged.reached {
                prop_assert!(held.insert(*n), "level {} awarded twice", n);
            }
            for (i, t) in targets.iter().enumerate() {
                let n = u32::try_from(i + 1).unwrap();
                prop_assert_eq!(held.contains(&n), count >= *t);
            }
            if let Some(next) = judged.next {
                prop_assert!(next.value < next.target);
                prop_assert!(!held.contains(&next.level));
            }
        }
    }

    /// `decide` never awards a level the member holds, and awards exactly the reached ones.
    #[test]
    fn decide_awards_reached_levels_not_held(
        reached in proptest::collection::vec(any::<bool>(), 1..8),
        held_mask in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let levels: Vec<_> = reached.iter().enumerate()
            .map(|(i, _)| json!({"name": format!("L{i}"), "condition": "true"}))
            .collect();
        let s = spec(json!({"name": "x", "levels": levels}));
        let held: BTreeSet<u32> = (1..=reached.len() as u32).filter(|n| held_mask[*n as usize - 1]).collect();
        let outcomes: Vec<Option<LevelOutcome>> = reached.iter().map(|r| Some(LevelOutcome {
            progress: None,
            target: None,
            condition: Some(if *r { Truth::True } else { Truth::False }),
        })).collect();
        let judged = decide(&s, &outcomes, &held);
        let want: Vec<u32> = (1..=reached.len() as u32)
            .filter(|n| reached[*n as usize - 1] && !held.contains(n))
            .collect();
        prop_assert_eq!(judged.reached, want);
    }
}
