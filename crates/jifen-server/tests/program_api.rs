//! The program and its point policy through HTTP, on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::{START, TestApp, TestBackend, figures, t};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    program_has_defaults => super::program_has_defaults;
    each_policy_field_can_be_patched => super::each_policy_field_can_be_patched;
    invalid_policies_are_refused_and_change_nothing => super::invalid_policies_are_refused_and_change_nothing;
    expiry_change_applies_only_to_later_points => super::expiry_change_applies_only_to_later_points;
    rate_and_pending_changes_apply_only_to_later_points => super::rate_and_pending_changes_apply_only_to_later_points;
}

fn default_policy() -> Value {
    json!({
        "points_per_yuan": 1,
        "pending_days": 0,
        "expiry": {"kind": "never"},
        "negative_balance": "allow",
    })
}

async fn program_has_defaults(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.get("/v1/program").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["id"], json!(app.program_id));
    assert_eq!(r.body["name"], "Test Brand");
    assert_eq!(r.body["timezone"], "Asia/Shanghai");
    assert_eq!(r.body["currency"], "CNY");
    assert_eq!(r.body["policy"], default_policy());
    assert_eq!(t(r.body["created_at"].as_str().unwrap()), t(START));
    let mut keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "created_at",
            "currency",
            "id",
            "name",
            "policy",
            "portal",
            "rate_limit",
            "timezone"
        ]
    );
    assert_eq!(
        r.body["rate_limit"],
        json!({"per_second": 1000, "burst": 2000, "source": "server"})
    );
}

async fn each_policy_field_can_be_patched(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let mut expected = default_policy();
    let patches = [
        json!({"points_per_yuan": 3}),
        json!({"points_per_yuan": 0}),
        json!({"pending_days": 7}),
        json!({"pending_days": 0}),
        json!({"expiry": {"kind": "rolling_days", "days": 365}}),
        json!({"expiry": {"kind": "end_of_year", "years_after": 1}}),
        json!({"expiry": {"kind": "end_of_year", "years_after": 0}}),
        json!({"expiry": {"kind": "never"}}),
        json!({"negative_balance": "forbid"}),
        json!({"negative_balance": "allow"}),
        json!({"points_per_yuan": 2, "pending_days": 14,
               "expiry": {"kind": "rolling_days", "days": 730}, "negative_balance": "forbid"}),
        // An empty patch changes nothing.
        json!({}),
        // Limits are inclusive.
        json!({"points_per_yuan": 1_000_000, "pending_days": 3_650}),
        json!({"expiry": {"kind": "rolling_days", "days": 36_500}}),
        json!({"expiry": {"kind": "end_of_year", "years_after": 100}}),
    ];
    for patch in patches {
        for (k, v) in patch.as_object().unwrap() {
            expected[k] = v.clone();
        }
        let r = app.patch("/v1/program", patch.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{patch}: {r:?}");
        assert_eq!(r.body["policy"], expected, "{patch}");
        assert_eq!(r.body["id"], json!(app.program_id));
        assert_eq!(r.body["timezone"], "Asia/Shanghai");
        // What the answer says is what is kept.
        let got = app.get("/v1/program").await;
        assert_eq!(got.body, r.body, "{patch}");
    }
}

async fn invalid_policies_are_refused_and_change_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"points_per_yuan": 2, "expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    let before = app.get("/v1/program").await.body;
    let cases = [
        (json!({"points_per_yuan": -1}), "points_per_yuan"),
        (json!({"points_per_yuan": 1_000_001}), "points_per_yuan"),
        (json!({"points_per_yuan": 1.5}), "points_per_yuan"),
        (json!({"points_per_yuan": "2"}), "points_per_yuan"),
        (json!({"pending_days": -1}), "pending_days"),
        (json!({"pending_days": 3_651}), "pending_days"),
        (
            json!({"expiry": {"kind": "rolling_days", "days": 0}}),
            "expiry",
        ),
        (
            json!({"expiry": {"kind": "rolling_days", "days": 36_501}}),
            "expiry",
        ),
        (json!({"expiry": {"kind": "rolling_days"}}), "expiry"),
        (
            json!({"expiry": {"kind": "rolling_days", "days": 30, "hours": 1}}),
            "expiry",
        ),
        (
            json!({"expiry": {"kind": "end_of_year", "years_after": 101}}),
            "expiry",
        ),
        (json!({"expiry": {"kind": "monthly"}}), "expiry"),
        (json!({"expiry": {"days": 30}}), "expiry"),
        (json!({"expiry": "never"}), "expiry"),
        (json!({"negative_balance": "maybe"}), "negative_balance"),
        (json!({"points_per_yen": 1}), "points_per_yen"),
        // The time zone is a name of the IANA database.
        (json!({"timezone": "Mars/Olympus_Mons"}), "timezone"),
        (json!({"timezone": ""}), "timezone"),
        // A valid field next to an invalid one: none of it applies.
        (
            json!({"points_per_yuan": 5, "pending_days": 9_999}),
            "pending_days",
        ),
        (
            json!({"negative_balance": "forbid", "expiry": {"kind": "rolling_days", "days": 0}}),
            "expiry",
        ),
    ];
    for (patch, field) in cases {
        let r = app.patch("/v1/program", patch.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}: {r:?}");
        assert_eq!(r.code(), "invalid_request", "{patch}");
        let got = r.body["error"]["field"].as_str().unwrap_or_default();
        assert!(
            got == field || got.starts_with(&format!("{field}.")),
            "{patch}: field {got} is not {field}"
        );
        assert_eq!(app.get("/v1/program").await.body, before, "{patch}");
    }
    let r = app.raw(reqwest::Method::PATCH, "/v1/program", "[]").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(app.get("/v1/program").await.body, before);
}

/// The `expiring` list of a balance as (instant, points).
fn expiring(b: &Value) -> Vec<(chrono::DateTime<chrono::Utc>, i64)> {
    b["expiring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (t(x["at"].as_str().unwrap()), x["points"].as_i64().unwrap()))
        .collect()
}

async fn expiry_change_applies_only_to_later_points(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let start = t(START);
    app.member("m1").await;
    // 100 points that never expire.
    app.purchase("e1", "m1", "o1", 10_000).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 20}}))
        .await;
    app.advance(Duration::days(1));
    // 50 points that expire 20 days after they were earned.
    app.purchase("e2", "m1", "o2", 5_000).await;
    let e2_expires = start + Duration::days(21);
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 5}}))
        .await;
    app.advance(Duration::days(1));
    // 30 points that expire 5 days after they were earned.
    app.purchase("e3", "m1", "o3", 3_000).await;
    let e3_expires = start + Duration::days(7);
    app.set_policy(json!({"expiry": {"kind": "never"}})).await;

    let now = app.balance("m1").await;
    assert_eq!(figures(&now), (180, 0, 0, 0));
    assert_eq!(now["at"], json!(app.now()));
    // Soonest first; the first lot is not listed, it never expires.
    assert_eq!(expiring(&now), vec![(e3_expires, 30), (e2_expires, 50)]);
    // Only what expires in the next 30 days is listed, as of the instant asked for.
    let later = app.balance_at("m1", e3_expires).await;
    assert_eq!(figures(&later), (150, 0, 0, 0));
    assert_eq!(later["expired"], 30);
    assert_eq!(expiring(&later), vec![(e2_expires, 50)]);
    let much_later = app.balance_at("m1", start + Duration::days(3_650)).await;
    assert_eq!(figures(&much_later), (100, 0, 0, 0));
    assert_eq!(much_later["expired"], 80);
    assert_eq!(expiring(&much_later), vec![]);
    // The ledger's earn entries are unchanged by the later policy changes.
    let kinds: Vec<Value> = app.get("/v1/members/m1/ledger").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["kind"], e["points"]]))
        .collect();
    assert_eq!(
        kinds,
        vec![
            json!(["earn", 30]),
            json!(["earn", 50]),
            json!(["earn", 100])
        ]
    );
    // Redemptions take the soonest-expiring points first.
    let r = app.redeem("m1", "red1", 40).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let b = app.balance("m1").await;
    assert_eq!(expiring(&b), vec![(e2_expires, 40)]);
    // With end_of_year in the program's zone (Asia/Shanghai): earned 2026 → expires when 2028
    // starts there.
    app.set_policy(json!({"expiry": {"kind": "end_of_year", "years_after": 1}}))
        .await;
    app.purchase("e4", "m1", "o4", 1_000).await;
    let eoy = t("2027-12-31T16:00:00Z");
    let b = app.balance_at("m1", eoy - Duration::days(1)).await;
    assert_eq!(expiring(&b), vec![(eoy, 10)]);
    assert_eq!(figures(&b), (110, 0, 0, 0));
    let b = app.balance_at("m1", eoy).await;
    assert_eq!(figures(&b), (100, 0, 0, 0));
}

async fn rate_and_pending_changes_apply_only_to_later_points(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app.purchase("e1", "m1", "o1", 10_000).await;
    assert_eq!(r.body["points"], 100);
    app.set_policy(json!({"points_per_yuan": 5, "pending_days": 3}))
        .await;
    let r = app.purchase("e2", "m1", "o2", 10_000).await;
    assert_eq!(r.body["points"], 500);
    // The first points stay available; the new ones wait three days.
    assert_eq!(figures(&app.balance("m1").await), (100, 500, 0, 0));
    let b = app.balance_at("m1", app.now() + Duration::days(3)).await;
    assert_eq!(figures(&b), (600, 0, 0, 0));
    // A refund of the first order claws back at the rate it earned at, not the current one.
    let r = app.refund("r1", "m1", "o1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], -100);
    assert_eq!(figures(&app.balance("m1").await), (0, 500, 0, 0));
    // And a later change does not touch the second order's rate either.
    app.set_policy(json!({"points_per_yuan": 1, "pending_days": 0}))
        .await;
    let r = app.refund("r2", "m1", "o2", 5_000).await;
    assert_eq!(r.body["points"], -250);
    assert_eq!(figures(&app.balance("m1").await), (0, 250, 0, 0));
    // negative_balance applies to clawbacks from the moment it changes, whatever the policy
    // was when the points were earned.
    app.member("m2").await;
    app.purchase("e3", "m2", "o3", 1_000).await; // 10, available now
    app.redeem("m2", "red1", 10).await;
    app.set_policy(json!({"negative_balance": "forbid"})).await;
    let r = app.refund("r3", "m2", "o3", 1_000).await;
    assert_eq!(r.body["entries"][0]["kind"], "write_off", "{r:?}");
    let b = app.balance("m2").await;
    assert_eq!(b["negative"], 0);
    assert_eq!(b["written_off"], 10);
    app.set_policy(json!({"negative_balance": "allow"})).await;
    app.purchase("e4", "m2", "o4", 1_000).await;
    app.redeem("m2", "red2", 10).await;
    app.refund("r4", "m2", "o4", 1_000).await;
    assert_eq!(figures(&app.balance("m2").await), (0, 0, 0, 10));
}
