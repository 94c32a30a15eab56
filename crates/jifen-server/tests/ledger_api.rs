//! The points ledger through HTTP, on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::{TestApp, TestBackend, figures, t};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    purchase_earns_floor_yuan_times_rate => super::purchase_earns_floor_yuan_times_rate;
    refunds_claw_back_and_create_debt => super::refunds_claw_back_and_create_debt;
    forbid_policy_writes_off => super::forbid_policy_writes_off;
    pending_days_and_rolling_expiry => super::pending_days_and_rolling_expiry;
    end_of_year_expiry_in_program_time => super::end_of_year_expiry_in_program_time;
    redemptions_spend_soonest_expiry_first => super::redemptions_spend_soonest_expiry_first;
    adjustments_add_and_take => super::adjustments_add_and_take;
    holds_commit_void_and_deadline => super::holds_commit_void_and_deadline;
    writes_are_idempotent => super::writes_are_idempotent;
    ledger_lists_newest_first_with_cursor => super::ledger_lists_newest_first_with_cursor;
    batches_answer_per_event => super::batches_answer_per_event;
    full_batches_answer_again_as_first => super::full_batches_answer_again_as_first;
    guests_earn_nothing => super::guests_earn_nothing;
    jobs_only_write_down_what_time_implied => super::jobs_only_write_down_what_time_implied;
}

async fn purchase_earns_floor_yuan_times_rate(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app.purchase("e1", "m1", "o1", 19_999).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], 199);
    assert_eq!(r.body["entries"][0]["kind"], "earn");
    app.set_policy(json!({"points_per_yuan": 3})).await;
    let r = app.purchase("e2", "m1", "o2", 1_050).await;
    assert_eq!(r.body["points"], 30);
    // Less than one yuan earns nothing and makes no lot.
    let r = app.purchase("e3", "m1", "o3", 99).await;
    assert_eq!(r.body["points"], 0);
    assert_eq!(r.body["entries"], json!([]));
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (229, 0, 0, 0));
    assert_eq!(bal["lifetime_earned"], 229);
    // An unknown member is a 404 and records nothing.
    let r = app.purchase("e4", "nobody", "o4", 10_000).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "member_not_found");
    // The order id is free again since nothing was recorded.
    app.member("m2").await;
    let r = app.purchase("e4", "m2", "o4", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // An order is recorded once.
    let r = app.purchase("e5", "m2", "o4", 10_000).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "order_exists");
}

async fn refunds_claw_back_and_create_debt(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 30_000).await; // 300
    app.purchase("e2", "m1", "o2", 10_000).await; // 100
    // Partial refund: order worth floor(200.00)=200, claw 100 from its own lot.
    let r = app.refund("r1", "m1", "o1", 10_050).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // Worth floor((30000-10050)/100) = 199 → claw back 101.
    assert_eq!(r.body["points"], -101);
    assert_eq!(r.body["entries"][0]["lot"], 1);
    assert_eq!(figures(&app.balance("m1").await), (299, 0, 0, 0));
    // Spend most of it, then refund the rest of o1: its own lot has what is left, others next.
    app.redeem("m1", "red1", 250).await;
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (49, 0, 0, 0));
    let r = app.refund("r2", "m1", "o1", 19_950).await;
    assert_eq!(r.body["points"], -199);
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (0, 0, 0, 150), "debt after clawback: {bal}");
    // Refunding more than the order is refused and changes nothing.
    let r = app.refund("r3", "m1", "o2", 10_001).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "refund_exceeds_order");
    let r = app.refund("r4", "m1", "nope", 100).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "order_not_found");
    // Debt blocks redemptions, and the next credit repays it first.
    let r = app.redeem("m1", "red2", 1).await;
    assert_eq!(r.code(), "insufficient_points");
    let r = app.purchase("e3", "m1", "o3", 20_000).await;
    assert_eq!(r.body["entries"][1]["kind"], "repay");
    assert_eq!(figures(&app.balance("m1").await), (50, 0, 0, 0));
}

async fn forbid_policy_writes_off(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"negative_balance": "forbid"})).await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 10_000).await;
    app.redeem("m1", "red1", 100).await;
    let r = app.refund("r1", "m1", "o1", 10_000).await;
    assert_eq!(r.body["entries"][0]["kind"], "write_off");
    assert_eq!(r.body["entries"][0]["points"], -100);
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (0, 0, 0, 0));
    assert_eq!(bal["written_off"], 100);
}

async fn pending_days_and_rolling_expiry(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"pending_days": 7, "expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    app.member("m1").await;
    let bought = app.now() - Duration::days(2);
    app.purchase_at("e1", "m1", "o1", 10_000, bought).await;
    assert_eq!(figures(&app.balance("m1").await), (0, 100, 0, 0));
    // Available 7 days after the purchase happened, not after it was recorded.
    let b = app.balance_at("m1", bought + Duration::days(7)).await;
    assert_eq!(figures(&b), (100, 0, 0, 0));
    assert_eq!(b["expiring"][0]["points"], 100);
    let b = app.balance_at("m1", bought + Duration::days(30)).await;
    assert_eq!(figures(&b), (0, 0, 0, 0));
    assert_eq!(b["expired"], 100);
    // Pending points cannot be redeemed.
    let r = app.redeem("m1", "red1", 1).await;
    assert_eq!(r.code(), "insufficient_points");
    // Past instants reflect only what had been recorded by then.
    let b = app.balance_at("m1", app.now() - Duration::seconds(1)).await;
    assert_eq!(figures(&b), (0, 0, 0, 0));
}

async fn end_of_year_expiry_in_program_time(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "end_of_year", "years_after": 1}}))
        .await;
    app.member("m1").await;
    // 2026-12-31T17:00Z is already 2027 in Shanghai: expires at the start of 2029 there.
    app.clock.set(t("2026-12-31T17:00:00Z"));
    app.purchase("e1", "m1", "o1", 10_000).await;
    let b = app.balance_at("m1", t("2028-12-31T15:59:59Z")).await;
    assert_eq!(b["available"], 100);
    let b = app.balance_at("m1", t("2028-12-31T16:00:00Z")).await;
    assert_eq!(
        (b["available"].as_i64(), b["expired"].as_i64()),
        (Some(0), Some(100))
    );
}

async fn redemptions_spend_soonest_expiry_first(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 10_000).await; // lot 1, never expires
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 10}}))
        .await;
    app.purchase("e2", "m1", "o2", 5_000).await; // lot 2, expires in 10 days
    let r = app.redeem("m1", "red1", 70).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let lots: Vec<(i64, i64)> = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["lot"].as_i64().unwrap(), e["points"].as_i64().unwrap()))
        .collect();
    assert_eq!(lots, vec![(2, -50), (1, -20)]);
    assert_eq!(r.body["balance"]["available"], 80);
    let r = app.redeem("m1", "red2", 81).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "insufficient_points");
    assert_eq!(app.balance("m1").await["lifetime_redeemed"], 70);
}

async fn adjustments_add_and_take(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app.adjust("m1", "a1", 50).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["entries"][0]["reason"], "goodwill");
    app.set_policy(json!({"pending_days": 3})).await;
    app.purchase("e1", "m1", "o1", 2_000).await; // 20 pending
    let r = app.adjust("m1", "a2", -60).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // 50 available, then 10 of the pending 20.
    assert_eq!(figures(&app.balance("m1").await), (0, 10, 0, 0));
    let r = app.adjust("m1", "a3", -15).await;
    assert_eq!(figures(&serde_json::json!(r.body["balance"])), (0, 0, 0, 5));
    app.set_policy(json!({"negative_balance": "forbid"})).await;
    let r = app.adjust("m1", "a4", -1).await;
    assert_eq!(r.code(), "insufficient_points");
    let r = app.adjust("m1", "a5", 0).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            "/v1/members/m1/adjustments",
            json!({"id": "a6", "points": 5, "reason": " "}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "reason");
}

async fn holds_commit_void_and_deadline(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 50_000).await; // 500
    let r = app.hold("m1", "h1", 200, 600).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["status"], "pending");
    assert_eq!(figures(&app.balance("m1").await), (300, 0, 200, 0));
    // Held points are not available to anything else.
    assert_eq!(
        app.redeem("m1", "red1", 301).await.code(),
        "insufficient_points"
    );
    // Partial commit: 150 redeemed, 50 released.
    let r = app
        .post("/v1/holds/h1/commit", json!({"points": 150}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "committed");
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (350, 0, 0, 0));
    assert_eq!(bal["lifetime_redeemed"], 150);
    let r = app.post("/v1/holds/h1/void", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "hold_not_pending");
    // Void releases everything.
    app.hold("m1", "h2", 100, 600).await;
    let r = app.post("/v1/holds/h2/void", json!({})).await;
    assert_eq!(r.body["status"], "voided");
    assert_eq!(figures(&app.balance("m1").await), (350, 0, 0, 0));
    // A hold past its deadline is released by itself, as of any instant.
    app.hold("m1", "h3", 100, 60).await;
    let placed = app.now();
    assert_eq!(figures(&app.balance("m1").await), (250, 0, 100, 0));
    let later = app.balance_at("m1", placed + Duration::seconds(60)).await;
    assert_eq!(figures(&later), (350, 0, 0, 0));
    app.advance(Duration::seconds(61));
    assert_eq!(figures(&app.balance("m1").await), (350, 0, 0, 0));
    let r = app.get("/v1/holds/h3").await;
    assert_eq!(r.body["status"], "expired");
    let r = app.post("/v1/holds/h3/commit", json!({})).await;
    assert_eq!(r.code(), "hold_not_pending");
    // Committing more than held is refused.
    app.hold("m1", "h4", 10, 600).await;
    let r = app.post("/v1/holds/h4/commit", json!({"points": 11})).await;
    assert_eq!(r.code(), "commit_exceeds_hold");
    let r = app.post("/v1/holds/nope/commit", json!({})).await;
    assert_eq!(r.code(), "hold_not_found");
}

async fn writes_are_idempotent(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let first = app.purchase("e1", "m1", "o1", 10_000).await;
    let again = app.purchase("e1", "m1", "o1", 10_000).await;
    assert_eq!(first.body, again.body);
    let conflict = app.purchase("e1", "m1", "o1", 20_000).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(conflict.code(), "idempotency_conflict");
    let r1 = app.redeem("m1", "red1", 10).await;
    let r2 = app.redeem("m1", "red1", 10).await;
    assert_eq!(r1.body, r2.body);
    assert_eq!(r2.headers["idempotent-replayed"], "true");
    assert_eq!(
        app.redeem("m1", "red1", 11).await.code(),
        "idempotency_conflict"
    );
    app.hold("m1", "h1", 20, 600).await;
    let c1 = app.post("/v1/holds/h1/commit", json!({})).await;
    let c2 = app.post("/v1/holds/h1/commit", json!({})).await;
    assert_eq!(c1.body, c2.body);
    let bal = app.balance("m1").await;
    assert_eq!(figures(&bal), (70, 0, 0, 0));
    assert_eq!(bal["lifetime_redeemed"], 30);
    // The same instant in another spelling is the same request.
    let a = app
        .post(
            "/v1/events",
            json!({"id": "e9", "type": "check_in", "member": "m1",
            "occurred_at": "2026-06-01T16:00:00+08:00"}),
        )
        .await;
    let b2 = app
        .post(
            "/v1/events",
            json!({"id": "e9", "type": "check_in", "member": "m1",
            "occurred_at": "2026-06-01T08:00:00Z"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body, b2.body);
}

async fn ledger_lists_newest_first_with_cursor(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    for i in 0..5 {
        app.purchase(&format!("e{i}"), "m1", &format!("o{i}"), 1_000 * (i + 1))
            .await;
    }
    let p1 = app.get("/v1/members/m1/ledger?limit=3").await;
    let seqs: Vec<i64> = p1.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![5, 4, 3]);
    let next = p1.body["next"].as_str().unwrap().to_owned();
    let p2 = app
        .get(&format!("/v1/members/m1/ledger?limit=3&after={next}"))
        .await;
    let seqs: Vec<i64> = p2.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![2, 1]);
    assert!(p2.body["next"].is_null());
    let e = &p2.body["data"][1];
    assert_eq!(e["cause"], json!({"kind": "event", "id": "e0"}));
    assert!(e["recorded_at"].is_string());
    assert_eq!(
        app.get("/v1/members/m1/ledger?limit=0").await.code(),
        "invalid_request"
    );
}

async fn batches_answer_per_event(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let now = app.now().to_rfc3339();
    let r = app
        .post(
            "/v1/events",
            json!({"events": [
                {"id": "b1", "type": "purchase", "member": "m1", "occurred_at": now,
                 "attributes": {"order_id": "o1", "amount": 10_000}},
                {"id": "b2", "type": "purchase", "member": "ghost", "occurred_at": now,
                 "attributes": {"order_id": "o2", "amount": 10_000}},
                {"id": "b3", "type": "purchase", "member": "m1", "occurred_at": now,
                 "attributes": {"order_id": "o3", "amount": -1}},
                {"id": "b4", "type": "refund", "member": "m1", "occurred_at": now,
                 "attributes": {"order_id": "o1", "amount": 5_000}},
                {"id": "b5", "type": "check_in", "member": "m1", "occurred_at": now},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let res = r.body["results"].as_array().unwrap();
    assert_eq!(res.len(), 5);
    assert_eq!(res[0]["points"], 100);
    assert_eq!(res[1]["error"]["code"], "member_not_found");
    assert_eq!(res[1]["id"], "b2");
    assert_eq!(res[2]["error"]["field"], "events[2].attributes.amount");
    assert_eq!(res[3]["points"], -50);
    assert_eq!(res[4]["status"], "processed");
    assert_eq!(figures(&app.balance("m1").await), (50, 0, 0, 0));
    let too_many: Vec<_> = (0..1001)
        .map(|i| json!({"id": format!("x{i}"), "type": "check_in", "member": "m1", "occurred_at": now}))
        .collect();
    let r = app.post("/v1/events", json!({ "events": too_many })).await;
    assert_eq!(r.code(), "batch_too_large");
}

/// A batch of the largest size writes its rows in statements of full size (kept prepared) and
/// answers a resend as it answered first; a batch one row short of full (statements not kept)
/// with an id twice gets the first answer twice and records the event once.
async fn full_batches_answer_again_as_first(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in 0..10 {
        app.member(&format!("m{m}")).await;
    }
    let now = app.now().to_rfc3339();
    let event = |i: usize| {
        json!({"id": format!("e{i}"), "type": "purchase", "member": format!("m{}", i % 10),
               "occurred_at": now, "attributes": {"order_id": format!("o{i}"), "amount": 10_000}})
    };
    let batch: Vec<_> = (0..1_000).map(event).collect();
    let first = app.post("/v1/events", json!({ "events": batch })).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let results = first.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1_000);
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "processed" && r["points"] == 100)
    );
    let again = app.post("/v1/events", json!({ "events": batch })).await;
    assert_eq!(
        again.body, first.body,
        "a resent batch answers as the first did"
    );
    let mut twice: Vec<_> = (1_000..1_999).map(event).collect();
    twice.push(event(1_000));
    let r = app.post("/v1/events", json!({ "events": twice })).await;
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(
        results[999], results[0],
        "the same id in one batch: the first answer"
    );
    for m in 0..10 {
        let orders = (0..1_999).filter(|i| i % 10 == m).count() as i64;
        let (available, ..) = figures(&app.balance(&format!("m{m}")).await);
        assert_eq!(
            available,
            orders * 100,
            "m{m}: 100 points for each of its orders, once"
        );
    }
}

async fn guests_earn_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let now = app.now().to_rfc3339();
    let r = app
        .post(
            "/v1/events",
            json!({"id": "g1", "type": "purchase", "member": "guest-42",
            "occurred_at": now, "attributes": {"order_id": "go1", "amount": 9_900, "guest": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], 0);
    assert_eq!(r.body["guest"], true);
    let r = app
        .post(
            "/v1/events",
            json!({"id": "g2", "type": "refund", "member": "guest-42",
            "occurred_at": now, "attributes": {"order_id": "go1", "amount": 9_900, "guest": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        app.get("/v1/members/guest-42").await.code(),
        "member_not_found"
    );
}

async fn jobs_only_write_down_what_time_implied(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 1}}))
        .await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 10_000).await;
    app.hold("m1", "h1", 30, 60).await;
    let before = app.balance_at("m1", app.now() + Duration::days(2)).await;
    app.advance(Duration::days(2));
    let n = jifen_server::jobs::maintain_ledgers(&app.state)
        .await
        .unwrap();
    assert_eq!(n, 2, "one release and one expire entry");
    let again = jifen_server::jobs::maintain_ledgers(&app.state)
        .await
        .unwrap();
    assert_eq!(again, 0, "a second run writes nothing");
    let after = app.balance("m1").await;
    assert_eq!(figures(&before), figures(&after));
    assert_eq!(after["expired"], 100);
    let kinds: Vec<String> = app.get("/v1/members/m1/ledger").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, vec!["expire", "release", "hold", "earn"]);
}
