//! Rules are bounded when they are saved, on both backends: conditions that once aborted the
//! server (a sum of 1,500 or 20,000 terms) or made each purchase take 40 s (seven nested
//! comprehensions) are refused wherever CEL is accepted, naming the limit and where, and
//! nothing is saved; a rule stored before the limits existed does not fire and does not stall;
//! event and member attributes keep within the shape conditions are bounded for.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    conditions_beyond_the_limits_are_refused_and_the_server_stays_up => super::conditions_beyond_the_limits_are_refused_and_the_server_stays_up;
    every_place_that_takes_cel_applies_the_limits => super::every_place_that_takes_cel_applies_the_limits;
    a_stored_rule_beyond_the_limits_does_not_fire_nor_stall => super::a_stored_rule_beyond_the_limits_does_not_fire_nor_stall;
    attributes_beyond_their_limits_are_refused => super::attributes_beyond_their_limits_are_refused;
}

fn sum(terms: usize) -> String {
    format!("{} > 0", vec!["1"; terms].join("+"))
}

fn nested(levels: usize) -> String {
    let list = "[0,1,2,3,4,5,6,7,8,9]";
    let mut c = String::from("true");
    for v in ["a", "b", "c", "d", "e", "f", "g"][..levels].iter().rev() {
        c = format!("{list}.all({v}, {c})");
    }
    c
}

fn purchase_rule(condition: &str) -> Value {
    json!({"name": "Hostile", "trigger": {"kind": "event", "types": ["purchase"]},
           "condition": condition,
           "effects": [{"kind": "award_points", "points": 1}]})
}

/// The answer is the one for every condition beyond a limit: 422 on the field, the limit and
/// the place in the message.
fn assert_limit(r: &common::Res, field: &str, limit: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.code(), "invalid_rule", "{r:?}");
    assert_eq!(r.body["error"]["field"], field, "{r:?}");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("limit `{limit}`")), "{message}");
    assert!(message.contains("line 1, column "), "{message}");
}

async fn conditions_beyond_the_limits_are_refused_and_the_server_stays_up(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app
        .put("/v1/rules/hostile", purchase_rule(&sum(1_500)))
        .await;
    assert_eq!(
        r.body["error"]["message"],
        "exceeds a limit: the condition has more than 500 operators \
         (limit `nodes`, line 1, column 1002)"
    );
    for (condition, limit) in [
        (sum(1_500), "nodes"),
        (sum(20_000), "source_bytes"),
        (nested(7), "comprehension_nesting"),
    ] {
        let r = app
            .put("/v1/rules/hostile", purchase_rule(&condition))
            .await;
        assert_limit(&r, "condition", limit);
        // Nothing was saved.
        assert_eq!(
            app.get("/v1/rules/hostile").await.status,
            StatusCode::NOT_FOUND
        );
    }
    // The server is up and purchases follow the default rule, quickly.
    let started = Instant::now();
    let r = app.purchase("p1", "m1", "o1", 10_000).await;
    assert!(r.status.is_success(), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(app.available("m1").await, 100);
}

async fn every_place_that_takes_cel_applies_the_limits(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let now = app.now().to_rfc3339();
    let hostile = sum(1_500);
    let draft = {
        let mut d = purchase_rule(&hostile);
        d["id"] = json!("hostile");
        d
    };
    let event = json!({"id": "e1", "type": "purchase", "member": "m1", "occurred_at": now,
                       "attributes": {"order_id": "o1", "amount": 100}});
    // A draft in a simulation.
    let r = app
        .post(
            "/v1/rules/simulate",
            json!({"events": [event], "rules": [draft.clone()]}),
        )
        .await;
    assert_limit(&r, "rules[0].condition", "nodes");
    // A draft in a backtest.
    let r = app
        .post(
            "/v1/rules/backtest",
            json!({"from": (app.now() - chrono::Duration::days(1)).to_rfc3339(), "to": now,
                   "rules": [draft]}),
        )
        .await;
    assert_limit(&r, "rules[0].condition", "nodes");
    // A meter's key.
    let r = app
        .put(
            "/v1/rules/meter",
            json!({"name": "Meter", "trigger": {"kind": "event", "types": ["purchase"]},
                   "effects": [{"kind": "add_to_meter", "meter": "m", "amount": 1,
                                "key": nested(3)}]}),
        )
        .await;
    assert_limit(&r, "effects[0].key", "comprehension_nesting");
    // A reward's eligibility.
    let r = app
        .put(
            "/v1/rewards/hostile",
            json!({"kind": "physical", "title": {"en": "Hostile"}, "cost": 100,
                   "eligibility": {"condition": hostile}}),
        )
        .await;
    assert_limit(&r, "eligibility.condition", "nodes");
    assert_eq!(
        app.get("/v1/rewards/hostile").await.status,
        StatusCode::NOT_FOUND
    );
    // And still up.
    let r = app.purchase("p1", "m1", "o1", 10_000).await;
    assert!(r.status.is_success(), "{r:?}");
}

async fn a_stored_rule_beyond_the_limits_does_not_fire_nor_stall(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    // Written as a version from before the limits existed: straight into the store.
    for (id, condition) in [("sum", sum(1_500)), ("nested", nested(7))] {
        let spec = purchase_rule(&condition).to_string();
        let mut tx = app.state.store.begin_write().await.unwrap();
        tx.save_rule_version(&app.program_id, id, "active", &spec, app.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    app.advance(chrono::Duration::minutes(1));
    let started = Instant::now();
    let r = app.purchase("p1", "m1", "o1", 10_000).await;
    assert!(r.status.is_success(), "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Neither rule fired: they are left out (the log says why), and with no purchase rule of
    // its own the program earns by its policy.
    let rules = r.body["rules"].as_array().cloned().unwrap_or_default();
    assert!(
        rules
            .iter()
            .all(|o| o["rule"] != "sum" && o["rule"] != "nested"),
        "{}",
        r.body
    );
    assert_eq!(app.available("m1").await, 100);
    // The rules can still be read, and replaced by one within the limits.
    assert_eq!(app.get("/v1/rules/sum").await.status, StatusCode::OK);
    let r = app.put("/v1/rules/sum", purchase_rule("1 + 1 > 0")).await;
    assert!(r.status.is_success(), "{r:?}");
}

async fn attributes_beyond_their_limits_are_refused(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let now = app.now().to_rfc3339();
    let lines = |n: usize| -> Vec<Value> {
        (0..n)
            .map(
                |i| json!({"sku": format!("s{i}"), "category": "tea", "quantity": 1, "amount": 10}),
            )
            .collect()
    };
    let order = |id: &str, lines: Vec<Value>| {
        json!({"id": id, "type": "purchase", "member": "m1", "occurred_at": now,
               "attributes": {"order_id": id, "amount": 5_000, "lines": lines}})
    };
    let r = app.post("/v1/events", order("big", lines(201))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "attributes.lines", "{r:?}");
    let r = app
        .post(
            "/v1/events",
            json!({"id": "deep", "type": "review", "member": "m1", "occurred_at": now,
                   "attributes": {"a": [[[[[[[[[1]]]]]]]]]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert!(
        r.body["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .starts_with("attributes.a[0]"),
        "{r:?}"
    );
    // A real order of 200 lines passes.
    let r = app.post("/v1/events", order("full", lines(200))).await;
    assert!(r.status.is_success(), "{r:?}");
    // Members' attributes too.
    let r = app
        .put(
            "/v1/members/m2",
            json!({"attributes": {"notes": "x".repeat(4_097)}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "attributes.notes", "{r:?}");
}

/// Every template the binary ships passes the limits: each condition and meter key compiles
/// under them, with room to spare.
#[test]
fn every_shipped_template_passes_the_limits() {
    use jifen_core::rules::{Condition, Effect};
    let mut checked = 0;
    for name in jifen_server::templates::names() {
        let loaded = jifen_server::templates::load(name).unwrap_or_else(|e| panic!("{e}"));
        for (id, spec) in &loaded.rules {
            let keys = spec.effects.iter().filter_map(|e| match e {
                Effect::AddToMeter { key: Some(k), .. } => Some(k.clone()),
                _ => None,
            });
            for source in spec.condition.clone().into_iter().chain(keys) {
                if let Err(e) = Condition::compile(&source) {
                    panic!("template {name}: rule {id}: {source}: {e}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 6, "{checked} expressions in the templates");
}
