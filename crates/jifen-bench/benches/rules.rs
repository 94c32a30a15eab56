//! Micro-benchmark of the rules engine: judging one behaviour event with 1, 20 and 200 live
//! rules (the same rules `jifen-bench all` saves for scenario (g)), facts included.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jifen_core::rules::{
    EventInput, Facts, Rule, RuleSet, RuleSpec, RuleStatus, UsageBook, evaluate,
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

criterion_group!(benches, bench);
criterion_main!(benches);
