//! Concurrent writes to one member never overspend and never double-apply.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::{TestApp, TestBackend, figures};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    concurrent_redemptions_never_overspend => super::concurrent_redemptions_never_overspend;
    concurrent_retries_apply_once => super::concurrent_retries_apply_once;
    concurrent_holds_and_purchases_balance_out => super::concurrent_holds_and_purchases_balance_out;
    concurrent_single_events_answer_each_on_its_own => super::concurrent_single_events_answer_each_on_its_own;
}

/// Single events sent at once are recorded together, yet each answers as if sent alone: a
/// refused one (unknown member, an order recorded twice, an id reused with another body) takes
/// nothing from the others.
async fn concurrent_single_events_answer_each_on_its_own(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    for m in ["m1", "m2", "m3", "m4"] {
        app.member(m).await;
    }
    let now = app.now().to_rfc3339();
    let event = |id: &str, member: &str, order: &str, amount: i64| {
        json!({"id": id, "type": "purchase", "member": member, "occurred_at": now,
               "attributes": {"order_id": order, "amount": amount}})
    };
    let mut bodies = Vec::new();
    for i in 0..60 {
        let member = ["m1", "m2", "m3", "m4"][i % 4];
        bodies.push((
            format!("e{i}"),
            event(&format!("e{i}"), member, &format!("o{i}"), 10_000),
        ));
    }
    bodies.push(("ghost".into(), event("ghost", "nobody", "o-ghost", 10_000)));
    bodies.push(("dup-order".into(), event("dup-order", "m1", "o0", 10_000)));
    bodies.push(("e1-again".into(), event("e1", "m2", "o1", 99_900)));
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|(label, body)| {
            let app = app.clone();
            tokio::spawn(async move { (label, app.post("/v1/events", body).await) })
        })
        .collect();
    let (mut accepted, mut refused) = (0, Vec::new());
    for t in tasks {
        let (label, r) = t.await.unwrap();
        match label.as_str() {
            "ghost" => {
                assert_eq!(r.status, StatusCode::NOT_FOUND);
                assert_eq!(r.code(), "member_not_found");
            }
            // Of two events with one order, or one id with two bodies, whichever came second
            // is refused.
            "dup-order" | "e0" if r.status == StatusCode::CONFLICT => {
                assert_eq!(r.code(), "order_exists");
                refused.push(label);
            }
            "e1-again" | "e1" if r.status == StatusCode::CONFLICT => {
                assert_eq!(r.code(), "idempotency_conflict");
                refused.push(label);
            }
            _ => {
                assert_eq!(r.status, StatusCode::OK, "{label}: {:?}", r.body);
                accepted += r.body["points"].as_i64().unwrap();
            }
        }
    }
    assert_eq!(refused.len(), 2, "one of each pair refused: {refused:?}");
    let total: i64 = available_total(&app, &["m1", "m2", "m3", "m4"]).await;
    assert_eq!(
        total, accepted,
        "the balances hold exactly what was answered"
    );
    assert!(
        total == 60 * 100 || total == 59 * 100 + 999,
        "total {total}"
    );
}

async fn available_total(app: &TestApp, members: &[&str]) -> i64 {
    let mut total = 0;
    for m in members {
        total += app.balance(m).await["available"].as_i64().unwrap();
    }
    total
}

async fn concurrent_redemptions_never_overspend(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 50_000).await; // 500 points
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { (i, app.redeem("m1", &format!("r{i}"), 10).await) })
        })
        .collect();
    let mut accepted = HashSet::new();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => {
                accepted.insert(format!("r{i}"));
            }
            StatusCode::UNPROCESSABLE_ENTITY => assert_eq!(r.code(), "insufficient_points"),
            other => panic!("unexpected {other}: {:?}", r.body),
        }
    }
    assert_eq!(accepted.len(), 50, "exactly the balance is spent");
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (0, 0, 0, 0));
    assert_eq!(bal["lifetime_redeemed"], 500);
    let ledger = app.get("/v1/members/m1/ledger?limit=200").await;
    let redeemed: HashSet<String> = ledger.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "redeem")
        .map(|e| e["cause"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        redeemed, accepted,
        "every accepted redemption is in the ledger"
    );
}

async fn concurrent_retries_apply_once(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    app.member("m1").await;
    let now = app.now().to_rfc3339();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            let now = now.clone();
            tokio::spawn(async move {
                app.post(
                    "/v1/events",
                    json!({"id": "same", "type": "purchase", "member": "m1", "occurred_at": now,
                           "attributes": {"order_id": "o1", "amount": 12_300}}),
                )
                .await
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        bodies.push(r.body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every retry gets the first answer"
    );
    assert_eq!(app.balance("m1").await["available"], 123);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.redeem("m1", "once", 100).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().status, StatusCode::CREATED);
    }
    assert_eq!(app.balance("m1").await["available"], 23);
}

async fn concurrent_holds_and_purchases_balance_out(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    for m in ["a", "b"] {
        app.member(m).await;
        app.purchase(&format!("seed-{m}"), m, &format!("seed-{m}"), 10_000)
            .await;
    }
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let m = if i % 2 == 0 { "a" } else { "b" };
                if i % 4 < 2 {
                    app.purchase(&format!("p{i}"), m, &format!("o{i}"), 1_000)
                        .await;
                } else {
                    let h = app.hold(m, &format!("h{i}"), 5, 600).await;
                    assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.body);
                    let c = app.post(&format!("/v1/holds/h{i}/commit"), json!({})).await;
                    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    for m in ["a", "b"] {
        // 100 seed + 10 purchases of 10 − 10 commits of 5.
        assert_eq!(figures(&app.balance(m).await), (150, 0, 0, 0));
    }
}
