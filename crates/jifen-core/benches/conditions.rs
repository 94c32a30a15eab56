//! Micro-benchmark of the condition limits: the slowest conditions the limits accept, each
//! evaluated against the largest event the API accepts; building that event's facts; and
//! compiling a typical condition (its parse runs on a thread of its own).

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jifen_core::rules::{Condition, Facts, Truth, limits};
use serde_json::json;

fn worst(c: &mut Criterion) {
    let at: DateTime<Utc> = "2026-06-18T12:00:00Z".parse().expect("instant");
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
        let shown: String = source.chars().take(48).collect();
        c.bench_function(&format!("worst accepted {i}: {shown}"), |b| {
            b.iter(|| condition.eval(&facts))
        });
    }
    c.bench_function("compile a typical condition", |b| {
        b.iter(|| {
            Condition::compile(black_box(
                r#"event.attributes.lines.exists(l, l.category == "tea") && event.site in ["tmall", "taobao"]"#,
            ))
        })
    });
}

criterion_group!(benches, worst);
criterion_main!(benches);
