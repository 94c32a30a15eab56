//! Earning rules through HTTP, on both backends: saving and versions, conditions and limits,
//! campaigns and budgets (under concurrency too), streaks, once-per-member behaviours,
//! simulation, and refunds of orders earned under rules.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    check_in_streaks_earn_the_inoherb_bonus => super::check_in_streaks_earn_the_inoherb_bonus;
    rules_are_versioned_paused_resumed_and_archived => super::rules_are_versioned_paused_resumed_and_archived;
    bad_rules_are_refused_naming_the_field => super::bad_rules_are_refused_naming_the_field;
    campaigns_double_points_within_cap_and_report_what_they_did => super::campaigns_double_points_within_cap_and_report_what_they_did;
    budgets_hold_under_concurrency => super::budgets_hold_under_concurrency;
    limits_hold_under_concurrency => super::limits_hold_under_concurrency;
    simulation_writes_nothing => super::simulation_writes_nothing;
    once_per_member_behaviours_fire_once => super::once_per_member_behaviours_fire_once;
    refunds_claw_back_in_proportion_to_what_rules_awarded => super::refunds_claw_back_in_proportion_to_what_rules_awarded;
    tags_set_by_one_rule_are_read_by_another => super::tags_set_by_one_rule_are_read_by_another;
    declared_event_types_check_their_attributes => super::declared_event_types_check_their_attributes;
    backtests_compare_drafts_with_what_was_awarded => super::backtests_compare_drafts_with_what_was_awarded;
    birthday_months_catch_up_and_come_once_a_year => super::birthday_months_catch_up_and_come_once_a_year;
}

impl TestApp {
    async fn rule(&self, id: &str, spec: Value) -> Value {
        let r = self.put(&format!("/v1/rules/{id}"), spec).await;
        assert!(r.status.is_success(), "save rule {id}: {r:?}");
        r.body
    }
}

fn outcome<'a>(answer: &'a Value, rule: &str) -> &'a Value {
    answer["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|r| r["rule"] == rule))
        .unwrap_or_else(|| panic!("{rule} not in {answer}"))
}

async fn check_in_streaks_earn_the_inoherb_bonus(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.rule(
        "daily-check-in",
        json!({"name": "1 point a day", "trigger": {"kind": "event", "types": ["check_in"]},
               "effects": [{"kind": "award_points", "points": 1}],
               "limits": [{"per": "day", "count": 1}]}),
    )
    .await;
    app.rule(
        "streak-7",
        json!({"name": "7 more for 7 days in a row",
               "trigger": {"kind": "event", "types": ["check_in"]},
               "condition": "member.streak('check_in') % 7 == 0",
               "effects": [{"kind": "award_points", "points": 7}],
               "limits": [{"per": "day", "count": 1}]}),
    )
    .await;
    for day in 1..=8 {
        app.advance(Duration::days(1));
        let a = app
            .behaviour(&format!("c{day}"), "check_in", "m1", json!({}))
            .await;
        let want = if day == 7 { 8 } else { 1 };
        assert_eq!(a["points"], want, "day {day}: {a}");
        let again = app
            .behaviour(&format!("c{day}-again"), "check_in", "m1", json!({}))
            .await;
        assert_eq!(again["points"], 0);
        assert_eq!(
            outcome(&again, "daily-check-in")["outcome"],
            "limit_reached"
        );
    }
    assert_eq!(app.available("m1").await, 8 + 7);
    // A missed day starts the streak again.
    app.advance(Duration::days(2));
    app.behaviour("c10", "check_in", "m1", json!({})).await;
    let rules = app.get("/v1/rules").await;
    let streak = rules.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "streak-7")
        .unwrap()
        .clone();
    assert_eq!(streak["stats"]["points_awarded"], 7);
    assert_eq!(streak["stats"]["members_reached"], 1);
}

async fn rules_are_versioned_paused_resumed_and_archived(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let spec = |points: i64| {
        json!({"name": "Shares", "trigger": {"kind": "event", "types": ["share"]},
               "effects": [{"kind": "award_points", "points": points}]})
    };
    let r = app.put("/v1/rules/share", spec(5)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["version"], 1);
    // Saving the same rule again changes nothing.
    let r = app.put("/v1/rules/share", spec(5)).await;
    assert_eq!(
        (r.status, r.body["version"].clone()),
        (StatusCode::OK, json!(1))
    );
    app.advance(Duration::minutes(1));
    let earlier = app.now();
    assert_eq!(
        app.behaviour("s1", "share", "m1", json!({})).await["points"],
        5
    );
    app.advance(Duration::minutes(1));
    let r = app.put("/v1/rules/share", spec(8)).await;
    assert_eq!(
        (r.status, r.body["version"].clone()),
        (StatusCode::OK, json!(2))
    );
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.behaviour("s2", "share", "m1", json!({})).await["points"],
        8
    );
    // An event that occurred before the change is judged by the version live then.
    let late = app
        .post(
            "/v1/events",
            json!({"id": "s-late", "type": "share", "member": "m1",
                   "occurred_at": earlier.to_rfc3339()}),
        )
        .await;
    assert_eq!(late.body["points"], 5, "{late:?}");
    assert_eq!(outcome(&late.body, "share")["version"], 1);
    // Paused: recorded, not rewarded; resumed: rewarded again.
    let r = app.post("/v1/rules/share/pause", json!({})).await;
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (StatusCode::OK, json!("paused"))
    );
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.behaviour("s3", "share", "m1", json!({})).await["points"],
        0
    );
    app.post("/v1/rules/share/resume", json!({})).await;
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.behaviour("s4", "share", "m1", json!({})).await["points"],
        8
    );
    let versions = app.get("/v1/rules/share/versions").await;
    let listed: Vec<(i64, String)> = versions.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (4, "active".into()),
            (3, "paused".into()),
            (2, "active".into()),
            (1, "active".into())
        ]
    );
    // A rule that awarded cannot be deleted; archived, it never changes again.
    let r = app.delete("/v1/rules/share").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "rule_has_awarded")
    );
    let r = app.post("/v1/rules/share/archive", json!({})).await;
    assert_eq!(r.body["status"], "archived");
    let r = app.put("/v1/rules/share", spec(9)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "rule_archived")
    );
    // A rule that never fired can be deleted.
    app.rule(
        "draft",
        json!({"name": "Surveys", "trigger": {"kind": "event", "types": ["survey_completed"]},
               "effects": [{"kind": "award_points", "points": 1}]}),
    )
    .await;
    assert_eq!(
        app.delete("/v1/rules/draft").await.status,
        StatusCode::NO_CONTENT
    );
    let r = app.get("/v1/rules/draft").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "rule_not_found")
    );
}

async fn bad_rules_are_refused_naming_the_field(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let base = || {
        json!({"name": "R", "trigger": {"kind": "event", "types": ["review"]},
               "effects": [{"kind": "award_points", "points": 1}]})
    };
    let with = |k: &str, v: Value| {
        let mut s = base();
        s[k] = v;
        s
    };
    let cases = [
        (
            with("condition", json!("event.attributes.stars >")),
            "condition",
        ),
        (
            with("condition", json!("evnt.attributes.stars > 3")),
            "condition",
        ),
        (
            with("effects", json!([{"kind": "award_points"}])),
            "effects[0].points",
        ),
        (
            with("effects", json!([{"kind": "explode"}])),
            "effects[0].kind",
        ),
        (with("campaign", json!("nope")), "campaign"),
        (
            with("limits", json!([{"per": "fortnight", "count": 1}])),
            "limits[0].per",
        ),
        (
            with("schedule", json!({"weekdays": ["funday"]})),
            "schedule.weekdays",
        ),
    ];
    for (spec, field) in cases {
        let r = app.put("/v1/rules/r", spec.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{spec}: {r:?}");
        assert_eq!(r.code(), "invalid_request");
        assert_eq!(r.body["error"]["field"], field, "{spec}: {r:?}");
    }
    let r = app
        .put(
            "/v1/rules/r",
            with("condition", json!("event.attributes.stars >")),
        )
        .await;
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 1, column"), "{message}");
    // Nothing was saved.
    let r = app.get("/v1/rules/r").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn campaigns_double_points_within_cap_and_report_what_they_did(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    let starts = app.now() + Duration::days(1);
    let ends = starts + Duration::days(18);
    let r = app
        .put(
            "/v1/campaigns/618",
            json!({"name": "6.18 double points", "starts_at": starts.to_rfc3339(),
                   "ends_at": ends.to_rfc3339(), "member_cap": 2000, "budget": 2500}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.rule(
        "618-double",
        json!({"name": "Double points on purchases", "campaign": "618",
               "trigger": {"kind": "event", "types": ["purchase"]},
               "effects": [{"kind": "multiplier", "factor": 2, "rules": ["default-purchase"]}]}),
    )
    .await;
    // Before the campaign: the base only.
    assert_eq!(
        app.purchase("p0", "m1", "o0", 10_000).await.body["points"],
        100
    );
    app.advance(Duration::days(2));
    let a = app.purchase("p1", "m1", "o1", 150_000).await.body;
    assert_eq!(a["points"], 3_000, "{a}");
    let a = app.purchase("p2", "m1", "o2", 100_000).await.body;
    assert_eq!(a["points"], 1_500, "cut to the 2,000 cap: {a}");
    let a = app.purchase("p3", "m2", "o3", 100_000).await.body;
    assert_eq!(a["points"], 1_500, "cut to the 2,500 budget: {a}");
    let a = app.purchase("p4", "m2", "o4", 100_000).await.body;
    assert_eq!(a["points"], 1_000);
    assert_eq!(outcome(&a, "618-double")["outcome"], "budget_spent");
    let c = app.get("/v1/campaigns/618").await.body;
    assert_eq!(c["rules"], json!(["618-double"]));
    assert_eq!(c["stats"]["points_awarded"], 2_500);
    assert_eq!(c["stats"]["members_reached"], 2);
    assert_eq!(c["stats"]["budget_left"], 0);
    let list = app.get("/v1/campaigns").await.body;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

async fn budgets_hold_under_concurrency(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    for i in 0..40 {
        app.member(&format!("m{i}")).await;
    }
    app.rule(
        "share",
        json!({"name": "Shares, 10 points, 100 in all",
               "trigger": {"kind": "event", "types": ["share"]},
               "effects": [{"kind": "award_points", "points": 10}], "budget": 100}),
    )
    .await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.behaviour(&format!("s{i}"), "share", &format!("m{i}"), json!({}))
                    .await["points"]
                    .as_i64()
                    .unwrap()
            })
        })
        .collect();
    let mut answered = 0;
    for t in tasks {
        answered += t.await.unwrap();
    }
    let mut held = 0;
    for i in 0..40 {
        held += app.available(&format!("m{i}")).await;
    }
    assert_eq!((answered, held), (100, 100));
    let rule = app.get("/v1/rules/share").await.body;
    assert_eq!(rule["stats"]["points_awarded"], 100);
    assert_eq!(rule["stats"]["budget_left"], 0);
}

async fn limits_hold_under_concurrency(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    app.member("m1").await;
    app.rule(
        "review",
        json!({"name": "Reviews, 3 a day", "trigger": {"kind": "event", "types": ["review"]},
               "effects": [{"kind": "award_points", "points": 20}],
               "limits": [{"per": "day", "count": 3}]}),
    )
    .await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.behaviour(&format!("r{i}"), "review", "m1", json!({}))
                    .await["points"]
                    .as_i64()
                    .unwrap()
            })
        })
        .collect();
    let mut answered = 0;
    for t in tasks {
        answered += t.await.unwrap();
    }
    assert_eq!(answered, 60);
    assert_eq!(app.available("m1").await, 60);
}

async fn simulation_writes_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.rule(
        "review",
        json!({"name": "Reviews", "trigger": {"kind": "event", "types": ["review"]},
               "condition": "event.attributes.stars >= 4",
               "effects": [{"kind": "award_points", "points": 20}],
               "limits": [{"per": "day", "count": 1}], "budget": 50}),
    )
    .await;
    app.advance(Duration::minutes(1));
    let now = app.now().to_rfc3339();
    let event = |id: &str, stars: i64| {
        json!({"id": id, "type": "review", "member": "m1", "occurred_at": now,
               "attributes": {"stars": stars}})
    };
    let r = app
        .post(
            "/v1/rules/simulate",
            json!({"events": [event("a", 5), event("b", 2), event("c", 5),
                              {"id": "d", "type": "purchase", "member": "m1", "occurred_at": now,
                               "attributes": {"order_id": "o1", "amount": 19_900}},
                              {"id": "e", "type": "review", "member": "ghost", "occurred_at": now}],
                   "rules": [{"id": "buy", "name": "Triple points",
                              "trigger": {"kind": "event", "types": ["purchase"]},
                              "effects": [{"kind": "award_points", "per_yuan": 3}]}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results[0]["points"], 20);
    assert_eq!(outcome(&results[1], "review")["outcome"], "condition_false");
    assert_eq!(outcome(&results[2], "review")["outcome"], "limit_reached");
    // Each rule says what is left under its caps after the event: the day's count used up by
    // the first review, the budget by its 20 points.
    let day = app
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d");
    let limits = &outcome(&results[0], "review")["limits"];
    assert_eq!(
        limits,
        &json!([
            {"limit": format!("rule:review times, per member, day {day}"), "unit": "times",
             "max": 1, "used": 1, "left": 0},
            {"limit": "rule:review points, all members, lifetime", "unit": "points",
             "max": 50, "used": 20, "left": 30}
        ]),
        "{limits}"
    );
    assert_eq!(outcome(&results[2], "review")["limits"], *limits);
    assert!(
        outcome(&results[3], "buy").get("limits").is_none(),
        "no caps, no limits"
    );
    assert_eq!(
        results[3]["points"], 597,
        "the draft replaces the default rule"
    );
    assert_eq!(results[4]["error"]["code"], "member_not_found");
    // Nothing was written: no points, no usage, the id still free.
    assert_eq!(app.available("m1").await, 0);
    let a = app
        .behaviour("a", "review", "m1", json!({"stars": 5}))
        .await;
    assert_eq!(a["points"], 20);
    let r = app
        .post(
            "/v1/rules/simulate",
            json!({"events": [], "rules": [{"id": "x"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn once_per_member_behaviours_fire_once(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.rule(
        "profile",
        json!({"name": "Completed profile", "trigger": {"kind": "event", "types": ["profile_completed"]},
               "effects": [{"kind": "award_points", "points": 50}]}),
    )
    .await;
    assert_eq!(
        app.behaviour("p1", "profile_completed", "m1", json!({}))
            .await["points"],
        50
    );
    app.advance(Duration::days(3));
    let again = app
        .behaviour("p2", "profile_completed", "m1", json!({}))
        .await;
    assert_eq!(
        (again["points"].clone(), again["repeat"].clone()),
        (json!(0), json!(true))
    );
    assert_eq!(app.available("m1").await, 50);
}

async fn refunds_claw_back_in_proportion_to_what_rules_awarded(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.rule(
        "buy",
        json!({"name": "2 per yuan", "trigger": {"kind": "event", "types": ["purchase"]},
               "effects": [{"kind": "award_points", "per_yuan": 2}]}),
    )
    .await;
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.purchase("p1", "m1", "o1", 10_000).await.body["points"],
        200
    );
    let r = app.refund("r1", "m1", "o1", 5_000).await;
    assert_eq!(r.body["points"], -100, "{r:?}");
    let r = app.refund("r2", "m1", "o1", 5_000).await;
    assert_eq!(r.body["points"], -100);
    assert_eq!(app.available("m1").await, 0);
}

async fn tags_set_by_one_rule_are_read_by_another(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.rule(
        "livestream-fan",
        json!({"name": "Tag livestream viewers", "priority": 10,
               "trigger": {"kind": "event", "types": ["livestream_attended"]},
               "effects": [{"kind": "tag", "tag": "livestream-fan"},
                           {"kind": "add_to_meter", "meter": "engagement", "amount": 5},
                           {"kind": "notify", "template": "welcome-fan"}],
               "limits": [{"per": "lifetime", "count": 1}]}),
    )
    .await;
    app.rule(
        "fan-scan",
        json!({"name": "Fans scanning in store",
               "trigger": {"kind": "event", "types": ["store_scan"]},
               "condition": "member.has_tag('livestream-fan') && member.meter('engagement') >= 5",
               "effects": [{"kind": "award_points", "points": 30}]}),
    )
    .await;
    app.advance(Duration::minutes(1));
    assert_eq!(
        app.behaviour("s0", "store_scan", "m1", json!({})).await["points"],
        0
    );
    let a = app
        .behaviour("l1", "livestream_attended", "m1", json!({}))
        .await;
    assert_eq!(a["actions"].as_array().unwrap().len(), 3, "{a}");
    assert_eq!(
        app.behaviour("s1", "store_scan", "m1", json!({})).await["points"],
        30
    );
}

async fn declared_event_types_check_their_attributes(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let schema = json!({"type": "object", "required": ["venue"],
                        "properties": {"venue": {"type": "string"},
                                       "guests": {"type": "integer", "minimum": 0}}});
    let r = app
        .put(
            "/v1/event-types/tea_tasting",
            json!({"description": "A tea tasting in a flagship store", "schema": schema}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    for (name, body, field) in [
        ("check_in", json!({"schema": {}}), "name"),
        ("Bad Name", json!({"schema": {}}), "name"),
        ("x", json!({"schema": {"type": 5}}), "schema"),
    ] {
        let r = app.put(&format!("/v1/event-types/{name}"), body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{name}: {r:?}");
    }
    app.rule(
        "tasting",
        json!({"name": "15 points for a tasting", "trigger": {"kind": "event", "types": ["tea_tasting"]},
               "effects": [{"kind": "award_points", "points": 15}]}),
    )
    .await;
    app.advance(Duration::minutes(1));
    let send = |id: &'static str, attributes: Value| {
        let app = &app;
        async move {
            app.post(
                "/v1/events",
                json!({"id": id, "type": "tea_tasting", "member": "m1",
                       "occurred_at": app.now().to_rfc3339(), "attributes": attributes}),
            )
            .await
        }
    };
    let r = send("t1", json!({"venue": "Shanghai", "guests": "three"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "attributes.guests");
    let r = send("t2", json!({"guests": 2})).await;
    assert_eq!(r.body["error"]["field"], "attributes", "{r:?}");
    let r = send("t3", json!({"venue": "Shanghai", "guests": 2})).await;
    assert_eq!(
        (r.status, r.body["points"].clone()),
        (StatusCode::OK, json!(15))
    );
    let r = app
        .post(
            "/v1/events",
            json!({"id": "t4", "type": "tea_party", "member": "m1",
                   "occurred_at": app.now().to_rfc3339()}),
        )
        .await;
    assert_eq!(r.code(), "unknown_event_type");
    assert_eq!(app.available("m1").await, 15);
    let types = app.get("/v1/event-types").await.body;
    let listed: Vec<&Value> = types["data"].as_array().unwrap().iter().collect();
    assert!(
        listed
            .iter()
            .any(|t| t["name"] == "tea_tasting" && t["builtin"] == false)
    );
    assert!(
        listed
            .iter()
            .any(|t| t["name"] == "profile_completed" && t["once_per_member"] == true)
    );
}

async fn backtests_compare_drafts_with_what_was_awarded(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in ["m1", "m2", "m3"] {
        app.member(m).await;
    }
    app.rule(
        "review",
        json!({"name": "Reviews", "trigger": {"kind": "event", "types": ["review"]},
               "effects": [{"kind": "award_points", "points": 10}],
               "limits": [{"per": "day", "count": 2}]}),
    )
    .await;
    let from = app.now();
    // m1: 3 reviews a day for 2 days (2 rewarded each day); m2: 1 review; m3: purchases only.
    for d in 0..2 {
        app.advance(Duration::days(1));
        for i in 0..3 {
            app.behaviour(&format!("m1-{d}-{i}"), "review", "m1", json!({}))
                .await;
        }
    }
    app.behaviour("m2-0", "review", "m2", json!({})).await;
    app.purchase("p1", "m3", "o1", 30_000).await;
    app.advance(Duration::minutes(1));
    let to = app.now();
    // Later events are outside the window.
    app.behaviour("m2-late", "review", "m2", json!({})).await;
    let r = app
        .post(
            "/v1/rules/backtest",
            json!({"from": from.to_rfc3339(), "to": to.to_rfc3339(), "point_value_fen": 1.5,
                   "rules": [{"id": "review", "name": "Reviews, 25 points, 3 a day",
                              "trigger": {"kind": "event", "types": ["review"]},
                              "effects": [{"kind": "award_points", "points": 25}],
                              "limits": [{"per": "day", "count": 3}]}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["events_total"], 8);
    let mut report = Value::Null;
    for _ in 0..500 {
        let r = app.get(&format!("/v1/rules/backtests/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        if r.body["status"] == "done" {
            assert_eq!(r.body["events_done"], 8);
            report = r.body["report"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(report["events"], 8, "{report}");
    // Awarded: m1 4 × 10, m2 10, m3 300. Draft: m1 6 × 25, m2 25, m3 300.
    assert_eq!(report["actual"]["points"], 40 + 10 + 300, "{report}");
    assert_eq!(report["draft"]["points"], 150 + 25 + 300);
    assert_eq!(report["change"]["points"], 125);
    assert_eq!(report["change"]["cost_fen"], 187, "{report}");
    assert_eq!(report["members_affected"], 2);
    assert_eq!(report["top_changes"][0]["member"], "m1");
    assert_eq!(report["top_changes"][0]["change"], 110);
    // Nothing was written but the backtest.
    assert_eq!(app.available("m1").await, 40);
    let r = app
        .post(
            "/v1/rules/backtest",
            json!({"from": to.to_rfc3339(), "to": from.to_rfc3339()}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "to");
    let r = app.get("/v1/rules/backtests/nope").await;
    assert_eq!(r.code(), "backtest_not_found");
}

async fn birthday_months_catch_up_and_come_once_a_year(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // Born in July; the rule gives 88 points on the first day of the birthday month.
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "Mei", "birthday": "1990-07-23"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put(
            "/v1/members/m2",
            json!({"name": "Bo", "birthday": "1991-08-02"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.rule(
        "birthday-month",
        json!({"name": "Birthday month gift", "trigger": {"kind": "birthday", "per": "month", "at": "10:00"},
               "effects": [{"kind": "award_points", "points": 88}]}),
    )
    .await;
    // The server was down on 1 July; on the 4th, the job catches up.
    app.advance(
        chrono::DateTime::parse_from_rfc3339("2026-07-04T12:00:00+08:00")
            .unwrap()
            .with_timezone(&chrono::Utc)
            - app.now(),
    );
    assert_eq!(jifen_server::jobs::birthdays(&app.state).await.unwrap(), 1);
    assert_eq!(app.available("m1").await, 88);
    assert_eq!(app.available("m2").await, 0, "not August yet");
    // Running again, even days later, gives nothing more this year.
    app.advance(Duration::days(2));
    jifen_server::jobs::birthdays(&app.state).await.unwrap();
    assert_eq!(app.available("m1").await, 88);
    // More than a week after the 1st, July is out of reach; August comes for m2.
    app.advance(Duration::days(27));
    jifen_server::jobs::birthdays(&app.state).await.unwrap();
    assert_eq!(
        (app.available("m1").await, app.available("m2").await),
        (88, 88)
    );
}
