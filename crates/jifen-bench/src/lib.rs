//! What the benchmark binary and the micro-benchmarks share.

use serde_json::json;

/// The event types the benchmark's rules are triggered by.
pub const RULE_EVENT_TYPES: [&str; 3] = ["check_in", "review", "share"];

/// The `i`-th benchmark rule: each event type has a third of the rules, with a condition on
/// the event's attributes, and every other rule a daily limit.
pub fn bench_rule(i: usize) -> serde_json::Value {
    let mut rule = json!({
        "name": format!("Benchmark rule {i}"),
        "trigger": {"kind": "event", "types": [RULE_EVENT_TYPES[i % 3]]},
        "condition": format!("event.attributes.stars >= {} && event.attributes.photos <= 3", i % 5 + 1),
        "effects": [{"kind": "award_points", "points": i % 10 + 1}],
        "priority": (i % 7) as i64,
    });
    if i % 2 == 1 {
        rule["limits"] = json!([{"per": "day", "count": 5}]);
    }
    rule
}
