//! Micro-benchmark of the rules engine: judging one behaviour event with 1, 20 and 200 live
//! rules (the same rules `jifen-bench all` saves for scenario (g)), facts included; and the
//! slowest conditions the limits accept, each evaluated against the largest event the API
//! accepts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jifen_core::rules::{
    Condition, EventInput, Facts, Rule, RuleSet, RuleSpec, RuleStatus, Truth, UsageBook, evaluate,
    limits,
};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("instant")
}

fn rules(n: usize) -> RuleSet {
    let rules = (0..n)
        .map(|i| {
            let spec: RuleSpec = serde_json::from_value(jifen_bench::bench_rule(i)).expect("spec");
            Rule::compile(
                &format!("bench-{i}"),
                1,
                RuleStatus::Active,
                spec,
                t0(),
                None,
            )
            .expect("rule")
        })
        .collect();
    RuleSet::new(rules, &HashMap::new(), 1)
}

fn bench(c: &mut Criterion) {
    let tz = chrono_tz::Asia::Shanghai;
    let at = t0() + chrono::Duration::days(10);
    for n in [1usize, 20, 200] {
        let set = rules(n);
        c.bench_function(&format!("judge a review, {n} live rules"), |b| {
            b.iter(|| {
                let event = json!({"id": "e1", "type": "review", "occurred_at": at.to_rfc3339(),
                                   "attributes": {"stars": 5, "photos": 1}});
                let member = json!({"id": "m1", "tags": [], "streaks": {}, "meters": {}});
                let facts = Facts::new(&event, &member, &json!({"id": "p"}), at);
                let mut usage = UsageBook::default();
                let input = EventInput {
                    id: "e1",
                    type_name: "review",
                    occurred_at: at,
                    member: 1,
                    amount: None,
                    only_rule: None,
                    facts: Some(&facts),
                };
                evaluate(&set, tz, &input, &mut usage)
            })
        });
    }
}

/// The worst conditions the limits accept, against the largest event; and building that
/// event's facts, which every condition of the event shares.
fn worst(c: &mut Criterion) {
    let at = t0();
    let event = limits::largest_event();
    let member = json!({"id": "m1", "tags": ["vip"], "streaks": {}, "meters": {"taoqizhi": 1}});
    let program = json!({"id": "p"});
    c.bench_function("facts of the largest event", |b| {
        b.iter(|| Facts::new(&event, &member, &program, at))
    });
    let facts = Facts::new(&event, &member, &program, at);
    for (i, source) in limits::worst_accepted_conditions().iter().enumerate() {
        let condition = Condition::compile(source).expect("accepted");
        assert_eq!(condition.eval(&facts), Truth::False, "{source}");
        let shown: String = source.chars().take(60).collect();
        c.bench_function(&format!("worst accepted condition {i}: {shown}…"), |b| {
            b.iter(|| condition.eval(&facts))
        });
    }
}

criterion_group!(benches, bench, worst);
criterion_main!(benches);
