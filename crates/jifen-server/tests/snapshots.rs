//! The shapes of the API's answers, as committed JSON snapshots (`tests/snapshots/`).
//!
//! Shapes do not depend on the backend, so these run on SQLite only. Ids, instants and secrets
//! are redacted. After an intended change of shape: `INSTA_UPDATE=always cargo test -p
//! jifen-server --test snapshots`, then review the diff of the `.snap` files.

mod common;

use chrono::Duration;
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A program with a rolling expiry and a member with points, a redemption and a pending hold.
async fn app_with_history() -> TestApp {
    let app = TestApp::spawn(TestBackend::Sqlite).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 20}}))
        .await;
    member(&app).await;
    let r = purchase(&app).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.advance(Duration::hours(1));
    app.adjust("m-1001", "adj-1", 25).await;
    app
}

async fn member(app: &TestApp) -> Value {
    let r = app
        .put(
            "/v1/members/m-1001",
            json!({
                "name": "Li Wei",
                "phone": "13800000001",
                "birthday": "1990-05-17",
                "gender": "female",
                "city": "Shanghai",
                "attributes": {"tier": "gold", "tags": ["tea"]},
                "identities": [
                    {"kind": "wechat_unionid", "value": "oUnion-1001"},
                    {"kind": "email", "value": "Li.Wei@Example.com"},
                ],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body
}

async fn purchase(app: &TestApp) -> common::Res {
    app.post(
        "/v1/events",
        json!({"id": "evt-1", "type": "purchase", "member": "m-1001",
               "occurred_at": app.now().to_rfc3339(), "site": "tmall",
               "attributes": {"order_id": "T-1", "amount": 25_880,
                              "lines": [{"sku": "tea-01", "quantity": 2, "amount": 25_880}]}}),
    )
    .await
}

#[tokio::test]
async fn sqlite_only_member_answer() {
    let app = TestApp::spawn(TestBackend::Sqlite).await;
    let body = member(&app).await;
    insta::assert_json_snapshot!("member", body, {
        ".enrolled_at" => "[instant]",
        ".updated_at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_purchase_event_answer() {
    let app = TestApp::spawn(TestBackend::Sqlite).await;
    member(&app).await;
    let r = purchase(&app).await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("purchase_event", r.body, {
        ".entries[].effective_at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_balance() {
    let app = app_with_history().await;
    app.hold("m-1001", "hold-1", 30, 900).await;
    let body = app.balance("m-1001").await;
    insta::assert_json_snapshot!("balance", body, {
        ".at" => "[instant]",
        ".expiring[].at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_ledger_page() {
    let app = app_with_history().await;
    app.redeem("m-1001", "red-1", 40).await;
    let r = app.get("/v1/members/m-1001/ledger?limit=3").await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("ledger_page", r.body, {
        ".data[].effective_at" => "[instant]",
        ".data[].recorded_at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_redemption_answer() {
    let app = app_with_history().await;
    let r = app
        .post(
            "/v1/members/m-1001/redemptions",
            json!({"id": "red-1", "points": 240, "reason": "tea voucher"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    insta::assert_json_snapshot!("redemption", r.body, {
        ".entries[].effective_at" => "[instant]",
        ".balance.at" => "[instant]",
        ".balance.expiring[].at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_hold_answers() {
    let app = app_with_history().await;
    let placed = app.hold("m-1001", "hold-1", 100, 900).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{placed:?}");
    insta::assert_json_snapshot!("hold_placed", placed.body, {
        ".created_at" => "[instant]",
        ".deadline" => "[instant]",
        ".entries[].effective_at" => "[instant]",
        ".balance.at" => "[instant]",
        ".balance.expiring[].at" => "[instant]",
    });
    let read = app.get("/v1/holds/hold-1").await;
    insta::assert_json_snapshot!("hold_read", read.body, {
        ".created_at" => "[instant]",
        ".deadline" => "[instant]",
    });
    let committed = app
        .post("/v1/holds/hold-1/commit", json!({"points": 60}))
        .await;
    assert_eq!(committed.status, StatusCode::OK, "{committed:?}");
    insta::assert_json_snapshot!("hold_committed", committed.body, {
        ".created_at" => "[instant]",
        ".deadline" => "[instant]",
        ".entries[].effective_at" => "[instant]",
        ".balance.at" => "[instant]",
        ".balance.expiring[].at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_error_answers() {
    let app = app_with_history().await;
    let r = app.redeem("m-1001", "red-1", 1_000_000).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    insta::assert_json_snapshot!("error_insufficient_points", r.body);
    let r = app
        .post(
            "/v1/events",
            json!({"id": "evt-2", "type": "purchase", "member": "m-1001",
                   "occurred_at": "2026-06-01T16:00:00",
                   "attributes": {"order_id": "T-2", "amount": 100}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    insta::assert_json_snapshot!("error_invalid_request", r.body);
    let r = app.get("/v1/members/nobody").await;
    insta::assert_json_snapshot!("error_member_not_found", r.body);
}

#[tokio::test]
async fn sqlite_only_program_answer() {
    let app = TestApp::spawn(TestBackend::Sqlite).await;
    let r = app.get("/v1/program").await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("program", r.body, {
        ".id" => "[program id]",
        ".created_at" => "[instant]",
    });
    let r = app
        .patch(
            "/v1/program",
            json!({"points_per_yuan": 2, "pending_days": 7,
                   "expiry": {"kind": "end_of_year", "years_after": 1},
                   "negative_balance": "forbid"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("program_patched", r.body, {
        ".id" => "[program id]",
        ".created_at" => "[instant]",
    });
}

#[tokio::test]
async fn sqlite_only_api_key_answers() {
    let app = TestApp::spawn(TestBackend::Sqlite).await;
    let r = app.post("/v1/api-keys", json!({"name": "pos"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    insta::assert_json_snapshot!("api_key_created", r.body, {
        ".id" => "[key id]",
        ".prefix" => "[prefix]",
        ".secret" => "[secret]",
        ".created_at" => "[instant]",
    });
    // Both keys were made at the same instant: sort by name for a stable snapshot.
    let mut keys = app
        .get("/v1/api-keys")
        .await
        .body
        .as_array()
        .unwrap()
        .clone();
    keys.sort_by_key(|k| k["name"].as_str().unwrap_or_default().to_owned());
    insta::assert_json_snapshot!("api_key_list", keys, {
        "[].id" => "[key id]",
        "[].prefix" => "[prefix]",
        "[].created_at" => "[instant]",
    });
}
