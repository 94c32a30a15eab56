//! Figures at their limits, through HTTP on both backends: amounts and points beyond the
//! documented maximums are refused at the edge, awards are cut to the most one entry carries,
//! sums that would leave `i64` are refused with `figure_overflow` (never wrapped, never a 500),
//! and a refused gift claim enrols no one.

mod common;

use std::sync::Arc;

use common::{TestApp, TestBackend, t};
use jifen_core::{Book, Cause, CauseKind, EntryKind, MAX_AMOUNT_FEN, MAX_POINTS_PER_ENTRY, NewLot};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    amounts_beyond_the_maximum_are_refused => super::amounts_beyond_the_maximum_are_refused;
    the_largest_orders_keep_every_figure_exact => super::the_largest_orders_keep_every_figure_exact;
    figures_near_the_limit_refuse_more => super::figures_near_the_limit_refuse_more;
    refused_gift_claims_enrol_no_one => super::refused_gift_claims_enrol_no_one;
}

const SPEND_TIERS: &str = r#"{"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
    "tiers": [{"id": "silver", "name": "Silver", "threshold": 0},
              {"id": "gold", "name": "Gold", "threshold": 500000}]}"#;

fn refused(r: &common::Res, code: &str, field: &str) {
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, code, Some(field)),
        "{r:?}"
    );
}

async fn amounts_beyond_the_maximum_are_refused(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    for amount in [i64::MAX, MAX_AMOUNT_FEN + 1, -1] {
        let r = app.purchase("p", "m1", "o1", amount).await;
        refused(&r, "invalid_request", "attributes.amount");
    }
    let r = app
        .post(
            "/v1/events",
            json!({"id": "p", "type": "purchase", "member": "m1",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "o1", "amount": 100,
                                  "lines": [{"sku": "a", "quantity": 1, "amount": i64::MAX}]}}),
        )
        .await;
    refused(&r, "invalid_request", "attributes.lines[0]");
    let r = app
        .post(
            "/v1/events",
            json!({"id": "r", "type": "review", "member": "m1",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"amount": i64::MAX}}),
        )
        .await;
    refused(&r, "invalid_request", "attributes.amount");
    // In a batch the field names the event.
    let r = app
        .post(
            "/v1/events",
            json!({"events": [{"id": "p", "type": "purchase", "member": "m1",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "o1", "amount": i64::MAX}}]}),
        )
        .await;
    let answer = if r.status == StatusCode::OK {
        r.body["results"][0]["error"].clone()
    } else {
        r.body["error"].clone()
    };
    assert_eq!(answer["field"], "events[0].attributes.amount", "{r:?}");
    // The largest order is taken.
    let r = app.purchase("p", "m1", "o1", MAX_AMOUNT_FEN).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], MAX_AMOUNT_FEN / 100);
    // Points: at most one entry's worth per request.
    let too_many = MAX_POINTS_PER_ENTRY + 1;
    refused(
        &app.redeem("m1", "x1", too_many).await,
        "invalid_request",
        "points",
    );
    refused(
        &app.adjust("m1", "x2", too_many).await,
        "invalid_request",
        "points",
    );
    refused(
        &app.adjust("m1", "x3", -too_many).await,
        "invalid_request",
        "points",
    );
    refused(
        &app.hold("m1", "x4", too_many, 60).await,
        "invalid_request",
        "points",
    );
    let r = app
        .patch("/v1/program", json!({"points_per_yuan": 1_000_001}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let mut policy: Value = serde_json::from_str(SPEND_TIERS).unwrap();
    policy["tiers"][1]["threshold"] = json!(i64::MAX);
    let r = app.put("/v1/tier-policy", policy).await;
    refused(&r, "invalid_request", "tiers[1].threshold");
    // Nothing refused changed anything.
    let b = app.balance("m1").await;
    assert_eq!(
        (b["available"].as_i64(), b["lifetime_earned"].as_i64()),
        (Some(MAX_AMOUNT_FEN / 100), Some(MAX_AMOUNT_FEN / 100)),
        "{b}"
    );
}

/// At the largest rate (1,000,000 points per yuan) the largest order asks for 10¹⁵ points: the
/// award is cut to 10¹² and every figure stays exact — balances, lifetime figures, the member
/// and their tiers, the tier job and a refund.
async fn the_largest_orders_keep_every_figure_exact(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"points_per_yuan": 1_000_000})).await;
    let r = app
        .put(
            "/v1/tier-policy",
            serde_json::from_str(SPEND_TIERS).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.member("m1").await;
    for i in 0..101 {
        let r = app
            .purchase(&format!("p{i}"), "m1", &format!("o{i}"), MAX_AMOUNT_FEN)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["points"], MAX_POINTS_PER_ENTRY, "{r:?}");
        if i == 0 {
            let capped = r.body["rules"][0].to_string();
            assert!(capped.contains("per entry"), "{capped}");
        }
    }
    let earned = 101 * MAX_POINTS_PER_ENTRY;
    let b = app.balance("m1").await;
    assert_eq!(
        (b["available"].as_i64(), b["lifetime_earned"].as_i64()),
        (Some(earned), Some(earned)),
        "{b}"
    );
    let m = app.get("/v1/members/m1").await;
    assert_eq!(m.status, StatusCode::OK, "{m:?}");
    assert_eq!(m.body["tier"]["tier"]["id"], "gold", "{m:?}");
    assert_eq!(
        m.body["tier"]["progress"]["value"].as_i64(),
        Some(101 * MAX_AMOUNT_FEN)
    );
    let r = app.get("/v1/members/m1/tiers").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let job = app.post("/v1/tier-jobs", json!({})).await;
    assert_eq!(job.status, StatusCode::ACCEPTED, "{job:?}");
    wait_job(&app, job.body["id"].as_str().unwrap()).await;
    let r = app.refund("rf1", "m1", "o0", MAX_AMOUNT_FEN).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], -MAX_POINTS_PER_ENTRY, "{r:?}");
    let b = app.balance("m1").await;
    assert_eq!(b["available"].as_i64(), Some(earned - MAX_POINTS_PER_ENTRY));
    let r = app.redeem("m1", "spend", MAX_POINTS_PER_ENTRY).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

async fn wait_job(app: &TestApp, id: &str) {
    for _ in 0..400 {
        let r = app.get(&format!("/v1/tier-jobs/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        match r.body["status"].as_str() {
            Some("done") => return,
            Some("failed") => panic!("tier job failed: {r:?}"),
            _ => tokio::time::sleep(std::time::Duration::from_millis(25)).await,
        }
    }
    panic!("tier job {id} did not finish");
}

/// A member whose figures are already near the largest `i64` (a history written before the
/// maximums, or one of millions of the largest entries): a credit that would take them past it
/// is refused with `figure_overflow` and changes nothing, and reading the member, their tiers
/// and the tier job still work, even with orders whose sum leaves `i64`.
async fn figures_near_the_limit_refuse_more(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/tier-policy",
            serde_json::from_str(SPEND_TIERS).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.member("m1").await;
    let near = i64::MAX - 1_000;
    {
        let store = &app.state.store;
        let mut tx = store.begin_write().await.unwrap();
        let head = tx.lock_head(&app.program_id, "m1").await.unwrap().unwrap();
        let rows = tx.ledger(head.id).await.unwrap();
        let (mut book, _) = Book::replay(rows.lots, rows.holds, rows.entries, app.now());
        let entries = book.earn(
            NewLot {
                points: near,
                available_at: app.now(),
                expires_at: None,
                order_id: None,
            },
            EntryKind::Adjust,
            &Cause::new(CauseKind::Adjustment, "legacy"),
        );
        if jifen_server::service::ledger::save(
            &mut tx,
            &app.program_id,
            head.id,
            &mut book,
            &entries,
        )
        .await
        .is_err()
        {
            panic!("saving the legacy book failed");
        }
        for (id, refunded) in [("legacy-1", 0), ("legacy-2", i64::MAX - 5)] {
            let order = jifen_store::Order {
                program_id: app.program_id.clone(),
                order_id: id.into(),
                member_id: Some(head.id),
                guest_ref: None,
                amount: i64::MAX,
                refunded,
                points_per_yuan: 1,
                points: Some(0),
                occurred_at: app.now(),
            };
            assert!(tx.insert_order(&order).await.unwrap());
        }
        tx.commit().await.unwrap();
    }
    let before = app.balance("m1").await;
    assert_eq!(before["lifetime_earned"].as_i64(), Some(near));
    // Reading works: spend beyond i64 reads as the largest figure, above every threshold.
    let m = app.get("/v1/members/m1").await;
    assert_eq!(m.status, StatusCode::OK, "{m:?}");
    assert_eq!(m.body["tier"]["progress"]["value"].as_i64(), Some(i64::MAX));
    assert_eq!(app.get("/v1/members/m1/tiers").await.status, StatusCode::OK);
    let job = app.post("/v1/tier-jobs", json!({})).await;
    wait_job(&app, job.body["id"].as_str().unwrap()).await;
    // More points would take lifetime_earned past i64: refused, nothing written.
    let r = app.purchase("p1", "m1", "o1", 1_000_000).await;
    refused(&r, "figure_overflow", "lifetime_earned");
    let r = app.adjust("m1", "a1", 5_000).await;
    refused(&r, "figure_overflow", "lifetime_earned");
    let r = app.refund("rf1", "m1", "o1", 100).await;
    assert_eq!(
        r.code(),
        "order_not_found",
        "the refused order was not kept: {r:?}"
    );
    // A refund whose total would leave i64 is refused too.
    let r = app.refund("rf2", "m1", "legacy-2", 100).await;
    refused(&r, "figure_overflow", "refunded");
    let r = app.refund("rf3", "m1", "legacy-1", 100).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.balance("m1").await, before);
    // What fits is still taken.
    let r = app.adjust("m1", "a2", 1_000).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(
        app.balance("m1").await["lifetime_earned"].as_i64(),
        Some(i64::MAX)
    );
    let r = app.adjust("m1", "a3", 1).await;
    refused(&r, "figure_overflow", "lifetime_earned");
}

/// Twenty new friends claim one gift at once: one wins and is enrolled; the nineteen refused
/// claims enrol no one (docs/rewards.md).
async fn refused_gift_claims_enrol_no_one(b: TestBackend) {
    let app = TestApp::spawn_template(b, "coffee-holiday-gifts", t("2026-12-10T02:00:00Z")).await;
    app.member("anna").await;
    let r = app.purchase("p1", "anna", "order-1", 500_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .post(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "g1", "reward_id": "holiday-latte", "gift": {"message": "圣诞快乐"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let token = r.body["gift"]["token"].as_str().unwrap().to_owned();
    let app = Arc::new(app);
    let claims: Vec<_> = (0..20)
        .map(|i| {
            let app = app.clone();
            let path = format!("/v1/gifts/{token}/claim");
            tokio::spawn(async move {
                let friend = format!("friend-{i}");
                let r = app
                    .post(
                        &path,
                        json!({"member": friend, "name": format!("Friend {i}")}),
                    )
                    .await;
                (friend, r)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for c in claims {
        let (friend, r) = c.await.unwrap();
        match r.status {
            StatusCode::OK => winners.push(friend),
            StatusCode::CONFLICT => {
                assert_eq!(r.code(), "gift_unavailable", "{r:?}");
                losers.push(friend);
            }
            _ => panic!("{friend}: {r:?}"),
        }
    }
    assert_eq!((winners.len(), losers.len()), (1, 19));
    let w = app.get(&format!("/v1/members/{}", winners[0])).await;
    assert_eq!(w.status, StatusCode::OK, "the winner is enrolled: {w:?}");
    for friend in &losers {
        let r = app.get(&format!("/v1/members/{friend}")).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "member_not_found"),
            "{friend} was refused and must not be enrolled"
        );
    }
}
