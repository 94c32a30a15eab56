//! Challenges end to end through HTTP, on both backends: definitions, progress counted as
//! events arrive (distinct days, distinct kinds, categories of lines, sums), steps and a
//! completion rewarded once, refunds that take progress (and, by choice, points) back, late
//! events until the period closes, opt-in joins, retries that count nothing twice, and 100
//! concurrent events crossing a threshold that award it once.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    days_and_steps_are_counted_once => super::days_and_steps_are_counted_once;
    kinds_and_categories_are_distinct => super::kinds_and_categories_are_distinct;
    refunds_take_progress_and_points_back => super::refunds_take_progress_and_points_back;
    opt_in_counts_from_the_join => super::opt_in_counts_from_the_join;
    late_events_count_until_the_period_closes => super::late_events_count_until_the_period_closes;
    bad_definitions_change_nothing => super::bad_definitions_change_nothing;
    concurrent_events_award_a_challenge_once => super::concurrent_events_award_a_challenge_once;
}

fn window(app: &TestApp, from_days: i64, to_days: i64) -> Value {
    json!({"kind": "window",
           "starts_at": (app.now() + Duration::days(from_days)).to_rfc3339(),
           "ends_at": (app.now() + Duration::days(to_days)).to_rfc3339()})
}

impl TestApp {
    async fn define(&self, id: &str, body: Value) -> Value {
        let r = self.put(&format!("/v1/challenges/{id}"), body).await;
        assert!(r.status.is_success(), "{r:?}");
        r.body
    }

    async fn event_at(
        &self,
        id: &str,
        kind: &str,
        member: &str,
        at: DateTime<Utc>,
        attributes: Value,
    ) -> Value {
        let r = self
            .post(
                "/v1/events",
                json!({"id": id, "type": kind, "member": member,
                       "occurred_at": at.to_rfc3339(), "attributes": attributes}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{kind} {id}: {r:?}");
        r.body
    }

    async fn challenge_of(&self, member: &str, id: &str) -> Value {
        let r = self.get(&format!("/v1/members/{member}/challenges")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["challenge"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no challenge {id} in {r:?}"))
    }
}

async fn days_and_steps_are_counted_once(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let body = json!({
        "name": "三月打卡", "description": "Check in on 4 days",
        "period": window(&app, -10, 20),
        "goal": {"measure": "count", "types": ["check_in"], "distinct": "day", "target": 4},
        "steps": [{"target": 2, "name": "half way", "reward": {"points": 10}}],
        "reward": {"points": 100, "tag": "checker"}
    });
    let r = app.put("/v1/challenges/checkins", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["enrollment"], "auto");
    assert_eq!(r.body["current_period"], "window");
    let r = app.put("/v1/challenges/checkins", body).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the same definition again changes nothing"
    );
    let list = app.get("/v1/challenges").await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);

    let day = |d: i64| app.now() - Duration::days(d);
    // Two check-ins on one day count as one day.
    let a = app
        .event_at("c1", "check_in", "m1", day(5), json!({}))
        .await;
    assert_eq!(a["challenges"][0]["progress"], 1);
    let a = app
        .event_at(
            "c2",
            "check_in",
            "m1",
            day(5) + Duration::minutes(5),
            json!({}),
        )
        .await;
    assert_eq!(a["challenges"][0]["progress"], 1);
    let a = app
        .event_at("c3", "check_in", "m1", day(4), json!({}))
        .await;
    assert_eq!(a["challenges"][0]["progress"], 2);
    assert_eq!(a["challenges"][0]["reached"], json!([1]));
    assert_eq!(a["points"], 10, "the step's points: {a}");
    // The same event again is answered as before and counts nothing more.
    let again = app
        .event_at("c3", "check_in", "m1", day(4), json!({}))
        .await;
    assert_eq!(again, a);
    // Another type counts nothing.
    let r = app.event_at("s1", "share", "m1", day(3), json!({})).await;
    assert!(r.get("challenges").is_none(), "{r}");
    app.event_at("c4", "check_in", "m1", day(3), json!({}))
        .await;
    let done = app
        .event_at("c5", "check_in", "m1", day(2), json!({}))
        .await;
    assert_eq!(done["challenges"][0]["completed"], true);
    assert_eq!(done["challenges"][0]["reached"], json!([0]));
    assert_eq!(done["points"], 100);
    let more = app
        .event_at("c6", "check_in", "m1", day(1), json!({}))
        .await;
    assert_eq!(more["points"], 0, "completed once: {more}");
    assert_eq!(app.available("m1").await, 110);

    let mine = app.challenge_of("m1", "checkins").await;
    assert_eq!(mine["status"], "completed");
    assert_eq!(mine["progress"], 5);
    assert_eq!(mine["target"], 4);
    assert_eq!(mine["steps"][0]["reached"], true);
    assert_eq!(mine["rewards"].as_array().unwrap().len(), 2);
}

async fn kinds_and_categories_are_distinct(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.define(
        "services",
        json!({"name": "用3种服务", "period": window(&app, -1, 20),
               "goal": {"measure": "distinct", "distinct": "type",
                        "types": ["check_in", "share", "review", "store_scan"], "target": 3},
               "reward": {"points": 30}}),
    )
    .await;
    app.define(
        "categories",
        json!({"name": "CNY 3 categories", "period": window(&app, -1, 20),
               "goal": {"measure": "distinct", "types": ["purchase"],
                        "distinct": "attributes.lines[].category", "target": 3},
               "reward": {"points": 50}}),
    )
    .await;
    let now = app.now();
    app.event_at("a", "check_in", "m1", now, json!({})).await;
    app.event_at("b", "check_in", "m1", now, json!({})).await;
    app.event_at("c", "share", "m1", now, json!({})).await;
    assert_eq!(app.challenge_of("m1", "services").await["progress"], 2);
    let r = app.event_at("d", "review", "m1", now, json!({})).await;
    let shown = r["challenges"].as_array().unwrap();
    assert_eq!(shown[0]["challenge"], "services");
    assert_eq!(shown[0]["completed"], true);

    let r = app
        .event_at(
            "p1",
            "purchase",
            "m1",
            now,
            json!({"order_id": "o1", "amount": 10_000,
                   "lines": [{"sku": "t1", "category": "tea", "quantity": 1, "amount": 4_000}, {"sku": "w1", "category": "wine", "quantity": 1, "amount": 4_000},
                             {"sku": "t2", "category": "tea", "quantity": 1, "amount": 2_000}]}),
        )
        .await;
    assert_eq!(r["challenges"][0]["progress"], 2, "{r}");
    app.event_at(
        "p2",
        "purchase",
        "m1",
        now,
        json!({"order_id": "o2", "amount": 5_000, "lines": [{"sku": "s1", "category": "snacks", "quantity": 1, "amount": 5_000}]}),
    )
    .await;
    let mine = app.challenge_of("m1", "categories").await;
    assert_eq!(mine["status"], "completed");
    assert_eq!(mine["progress"], 3);
}

async fn refunds_take_progress_and_points_back(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.member("m2").await;
    let spec = |revoke: bool| {
        json!({"name": "Spend ¥500", "period": window(&app, -1, 20),
               "goal": {"measure": "sum", "target": 50_000},
               "steps": [{"target": 20_000, "reward": {"points": 10}}],
               "reward": {"points": 100}, "revoke_on_refund": revoke})
    };
    app.define("spend", spec(true)).await;
    let r = app.purchase("p1", "m1", "o1", 30_000).await;
    assert_eq!(r.body["challenges"][0]["reached"], json!([1]), "{r:?}");
    let r = app.purchase("p2", "m1", "o2", 25_000).await;
    assert_eq!(r.body["challenges"][0]["reached"], json!([0]), "{r:?}");
    let before = app.available("m1").await;
    // A partial refund that keeps the total above the target takes nothing back.
    let r = app.refund("r1", "m1", "o2", 2_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["challenges"][0]["progress"], 53_000);
    assert_eq!(r.body["challenges"][0]["revoked"], json!([]));
    // Refunding the rest of the order takes the completion back, and its 100 points.
    let r = app.refund("r2", "m1", "o2", 23_000).await;
    assert_eq!(r.body["challenges"][0]["progress"], 30_000);
    assert_eq!(r.body["challenges"][0]["revoked"], json!([0]));
    let entries = r.body["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["points"] == -100),
        "the completion's points are clawed back: {r:?}"
    );
    let mine = app.challenge_of("m1", "spend").await;
    assert_eq!(mine["status"], "in_progress");
    let completion = mine["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["step"] == 0)
        .unwrap()
        .clone();
    assert_eq!(completion["status"], "revoked");
    assert!(app.available("m1").await < before);
    // Buying again completes it again.
    let r = app.purchase("p3", "m1", "o3", 20_000).await;
    assert_eq!(r.body["challenges"][0]["reached"], json!([0]), "{r:?}");

    // Without revoke_on_refund, progress goes back and the reward stays.
    app.define("spend", spec(false)).await;
    app.purchase("q1", "m2", "x1", 60_000).await;
    let r = app.refund("qr", "m2", "x1", 60_000).await;
    assert_eq!(r.body["challenges"][0]["progress"], 0);
    assert_eq!(r.body["challenges"][0]["revoked"], json!([]));
    let mine = app.challenge_of("m2", "spend").await;
    assert!(
        mine["rewards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] == "awarded")
    );
}

async fn opt_in_counts_from_the_join(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.define(
        "month",
        json!({"name": "Opt in", "enrollment": "opt_in", "period": window(&app, -5, 20),
               "goal": {"measure": "count", "types": ["check_in"], "target": 2},
               "reward": {"points": 20}}),
    )
    .await;
    app.define(
        "auto",
        json!({"name": "Auto", "period": window(&app, -5, 20),
               "goal": {"measure": "count", "types": ["share"], "target": 1}}),
    )
    .await;
    app.event_at("before", "check_in", "m1", app.now(), json!({}))
        .await;
    let mine = app.challenge_of("m1", "month").await;
    assert_eq!(mine["status"], "not_joined");
    assert_eq!(mine["progress"], 0);
    app.advance(Duration::minutes(1));
    let r = app
        .post("/v1/members/m1/challenges/month/join", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "in_progress");
    assert!(r.body["joined_at"].is_string());
    let again = app
        .post("/v1/members/m1/challenges/month/join", json!({}))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body["joined_at"], r.body["joined_at"]);
    // The join is an event of the member's.
    let events = app.get("/v1/members/m1/events").await;
    if events.status == StatusCode::OK {
        assert!(
            events.body.to_string().contains("challenge_joined"),
            "{events:?}"
        );
    }
    // An event that occurred before the join does not count, even sent late.
    app.event_at(
        "late",
        "check_in",
        "m1",
        app.now() - Duration::hours(2),
        json!({}),
    )
    .await;
    app.event_at("c1", "check_in", "m1", app.now(), json!({}))
        .await;
    let r = app
        .event_at("c2", "check_in", "m1", app.now(), json!({}))
        .await;
    assert_eq!(r["challenges"][0]["completed"], true, "{r}");
    assert_eq!(r["points"], 20);

    let r = app
        .post("/v1/members/m1/challenges/auto/join", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app
        .post("/v1/members/m1/challenges/nope/join", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    assert_eq!(r.body["error"]["code"], "challenge_not_found");
    let r = app
        .post(
            "/v1/events",
            json!({"id": "j", "type": "challenge_joined", "member": "m1",
                   "occurred_at": app.now().to_rfc3339(), "attributes": {"challenge": "nope"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
}

async fn late_events_count_until_the_period_closes(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.define(
        "week",
        json!({"name": "Past window", "period": window(&app, -10, -2),
               "goal": {"measure": "count", "types": ["check_in"], "target": 5}}),
    )
    .await;
    // The window ended 2 days ago: an event in it still counts (7 days of grace).
    let r = app
        .event_at(
            "l1",
            "check_in",
            "m1",
            app.now() - Duration::days(3),
            json!({}),
        )
        .await;
    assert_eq!(r["challenges"][0]["progress"], 1, "{r}");
    // An event after the window does not.
    let r = app
        .event_at("l2", "check_in", "m1", app.now(), json!({}))
        .await;
    assert!(r.get("challenges").is_none(), "{r}");
    // Once the grace is over, late events count no more.
    app.advance(Duration::days(6));
    let r = app
        .event_at(
            "l3",
            "check_in",
            "m1",
            app.now() - Duration::days(9),
            json!({}),
        )
        .await;
    assert!(r.get("challenges").is_none(), "{r}");
}

async fn bad_definitions_change_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for (body, field) in [
        (
            json!({"name": "x", "period": {"kind": "all_time"},
                "goal": {"measure": "count", "target": 1}}),
            "period.kind",
        ),
        (
            json!({"name": "x", "period": {"kind": "month"},
                "goal": {"measure": "distinct", "target": 1}}),
            "goal.distinct",
        ),
        (
            json!({"name": "x", "period": {"kind": "month"},
                "goal": {"measure": "sum", "target": 100},
                "steps": [{"target": 200, "reward": {"points": 1}}]}),
            "steps[0].target",
        ),
        (
            json!({"name": "x", "period": {"kind": "month"},
                "goal": {"measure": "sum", "target": 100}, "reward": {"voucher": "missing"}}),
            "reward.voucher",
        ),
        (
            json!({"name": "x", "period": {"kind": "month"},
                "goal": {"measure": "sum", "target": 100}, "reward": {"badge": "missing"}}),
            "reward.badge",
        ),
    ] {
        let r = app.put("/v1/challenges/bad", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(r.body["error"]["field"], field, "{r:?}");
    }
    let r = app.put("/v1/challenges/Bad!", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/v1/challenges/bad").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["code"], "challenge_not_found");
    assert_eq!(app.get("/v1/challenges").await.body["data"], json!([]));
}

async fn concurrent_events_award_a_challenge_once(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    app.member("m1").await;
    app.define(
        "fifty",
        json!({"name": "Fifty check-ins", "period": window(&app, -1, 20),
               "goal": {"measure": "count", "types": ["check_in"], "target": 50},
               "steps": [{"target": 25, "reward": {"points": 5}}],
               "reward": {"points": 100}}),
    )
    .await;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post(
                    "/v1/events",
                    json!({"id": format!("c{i}"), "type": "check_in", "member": "m1",
                           "occurred_at": app.now().to_rfc3339(), "attributes": {}}),
                )
                .await
            })
        })
        .collect();
    let mut completed = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        if r.body["challenges"][0]["reached"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(0)))
        {
            completed += 1;
        }
    }
    assert_eq!(completed, 1, "one event's answer completes it");
    assert_eq!(app.available("m1").await, 105, "each reward is given once");
    let mine = app.challenge_of("m1", "fifty").await;
    assert_eq!(mine["progress"], 100);
    assert_eq!(mine["rewards"].as_array().unwrap().len(), 2);
}
