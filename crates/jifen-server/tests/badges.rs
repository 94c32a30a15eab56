//! Badges end to end through HTTP, on both backends: definitions with levels, criteria over
//! the member's counts and meters, rewards of points and vouchers, the `award_badge` rule
//! effect, a member's badges with progress, retries that award nothing twice, and 100
//! concurrent events crossing a threshold that award it once.

mod common;

use std::sync::Arc;

use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    badges_are_earned_level_by_level => super::badges_are_earned_level_by_level;
    bad_definitions_change_nothing => super::bad_definitions_change_nothing;
    concurrent_events_award_a_level_once => super::concurrent_events_award_a_level_once;
    other_writers_award_through_the_service => super::other_writers_award_through_the_service;
}

fn regular() -> Value {
    json!({
        "name": "打卡达人",
        "description": "Check in, again and again",
        "levels": [
            {"name": "铜", "progress": "member.counts.check_in", "target": 2,
             "reward": {"points": 50}},
            {"name": "银", "progress": "member.counts.check_in", "target": 4,
             "reward": {"voucher": "ten-off"}},
            {"name": "金"}
        ]
    })
}

impl TestApp {
    async fn check_in(&self, id: &str, member: &str) -> Value {
        self.behaviour(id, "check_in", member, json!({})).await
    }

    async fn badges_of(&self, member: &str) -> Value {
        let r = self.get(&format!("/v1/members/{member}/badges")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body
    }

    async fn define(&self, id: &str, body: Value) -> Value {
        let r = self.put(&format!("/v1/badges/{id}"), body).await;
        assert!(r.status.is_success(), "{r:?}");
        r.body
    }

    async fn ten_off(&self) {
        let r = self
            .put(
                "/v1/voucher-templates/ten-off",
                json!({"title": {"zh-CN": "满减十元券", "en": "¥10 off"},
                       "discount": {"kind": "amount", "off": 1_000}}),
            )
            .await;
        assert!(r.status.is_success(), "{r:?}");
    }
}

async fn badges_are_earned_level_by_level(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.ten_off().await;
    app.member("m1").await;
    app.member("m2").await;
    let r = app.put("/v1/badges/regular", regular()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["automatic"], true);
    assert_eq!(r.body["levels"][1]["target"], 4);
    assert_eq!(r.body["levels"][0]["members"], 0);
    // The same definition again changes nothing.
    let r = app.put("/v1/badges/regular", regular()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    // A rule awards the gold level (which has no criteria) for a review.
    let r = app
        .put(
            "/v1/rules/gold-for-review",
            json!({"name": "Gold for a review",
                   "trigger": {"kind": "event", "types": ["review"]},
                   "effects": [{"kind": "award_badge", "badge": "regular", "level": 3}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");

    let first = app.check_in("c1", "m1").await;
    assert!(first.get("badges").is_none(), "{first}");
    let progress = app.badges_of("m1").await;
    assert_eq!(progress["earned"], json!([]));
    assert_eq!(progress["progress"][0]["level"], 1);
    assert_eq!(progress["progress"][0]["value"], 1);
    assert_eq!(progress["progress"][0]["target"], 2);

    let second = app.check_in("c2", "m1").await;
    let badges = second["badges"].as_array().expect("badges").clone();
    assert_eq!(badges.len(), 1, "{second}");
    assert_eq!(badges[0]["badge"], "regular");
    assert_eq!(badges[0]["level"], 1);
    assert_eq!(badges[0]["level_name"], "铜");
    assert_eq!(badges[0]["reward"]["points"], 50);
    assert_eq!(second["points"], 50, "the reward is earned with the event");
    let share = badges[0]["share_path"].as_str().unwrap().to_owned();
    assert!(share.starts_with(&format!("/portal/{}/badges/", app.program_id)));
    assert_eq!(app.available("m1").await, 50);

    // The same event again answers as before and awards nothing twice.
    let again = app
        .post(
            "/v1/events",
            json!({"id": "c2", "type": "check_in", "member": "m1",
                   "occurred_at": app.now().to_rfc3339(), "attributes": {}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["badges"], second["badges"]);
    assert_eq!(app.available("m1").await, 50);

    let mine = app.badges_of("m1").await;
    assert_eq!(mine["earned"].as_array().unwrap().len(), 1);
    assert_eq!(mine["earned"][0]["event_id"], "c2");
    assert_eq!(mine["earned"][0]["cause"], "event:c2");
    assert_eq!(mine["earned"][0]["share_path"], share.as_str());
    assert_eq!(
        mine["progress"],
        json!([{"badge": "regular", "name": "打卡达人", "level": 2, "level_name": "银",
                "value": 2, "target": 4}])
    );

    // Silver gives a voucher; a third event of the level awards nothing more.
    app.check_in("c3", "m1").await;
    let fourth = app.check_in("c4", "m1").await;
    assert_eq!(fourth["badges"][0]["level"], 2, "{fourth}");
    let fifth = app.check_in("c5", "m1").await;
    assert!(fifth.get("badges").is_none(), "{fifth}");
    let wallet = app.get("/v1/members/m1/vouchers").await;
    assert_eq!(
        wallet.body["data"].as_array().unwrap().len(),
        1,
        "{wallet:?}"
    );
    assert_eq!(wallet.body["data"][0]["template"], "ten-off");

    // Gold by the rule's effect, once.
    let review = app.behaviour("r1", "review", "m1", json!({})).await;
    assert_eq!(review["badges"][0]["level"], 3, "{review}");
    let review = app.behaviour("r2", "review", "m1", json!({})).await;
    assert!(review.get("badges").is_none(), "{review}");
    let mine = app.badges_of("m1").await;
    let levels: Vec<i64> = mine["earned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["level"].as_i64().unwrap())
        .collect();
    assert_eq!(levels, vec![1, 2, 3]);
    assert_eq!(mine["progress"], json!([]));

    // Another member's count is their own.
    let other = app.check_in("d1", "m2").await;
    assert!(other.get("badges").is_none());

    let list = app.get("/v1/badges").await;
    assert_eq!(list.status, StatusCode::OK);
    let members: Vec<i64> = list.body["data"][0]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["members"].as_i64().unwrap())
        .collect();
    assert_eq!(members, vec![1, 1, 1]);

    // Archived, a badge is no longer awarded; members keep what they earned.
    let mut archived = regular();
    archived["status"] = json!("archived");
    app.define("regular", archived).await;
    app.check_in("d2", "m2").await;
    assert_eq!(app.badges_of("m2").await["earned"], json!([]));
    assert_eq!(
        app.badges_of("m1").await["earned"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn bad_definitions_change_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let cases = [
        (json!({"name": "x", "levels": []}), "levels"),
        (
            json!({"name": "x", "levels": [{"name": "a", "progress": "member.counts.x"}]}),
            "levels[0].target",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "condition": "member.("}]}),
            "levels[0].condition",
        ),
        (
            json!({"name": "x", "levels": [{"name": "a", "reward": {"voucher": "nope"}}]}),
            "levels[0].reward.voucher",
        ),
    ];
    for (body, field) in cases {
        let r = app.put("/v1/badges/x", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    let r = app.put("/v1/badges/Bad%20Id", regular()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/v1/badges/x").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "badge_not_found");
    assert_eq!(app.get("/v1/badges").await.body["data"], json!([]));
    let r = app
        .send_as(
            Some(&app.key),
            reqwest::Method::PUT,
            "/v1/badges/x/image",
            None,
        )
        .await;
    assert_eq!(r.code(), "badge_not_found");

    // A rule cannot award a badge that does not exist, or a level it does not have.
    let rule = |badge: &str, level: u32| {
        json!({"name": "r", "trigger": {"kind": "event", "types": ["review"]},
               "effects": [{"kind": "award_badge", "badge": badge, "level": level}]})
    };
    let r = app.put("/v1/rules/r", rule("nope", 1)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "effects[0].badge");
    app.ten_off().await;
    app.define("regular", regular()).await;
    let r = app.put("/v1/rules/r", rule("regular", 4)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "effects[0].level");
    assert_eq!(app.get("/v1/rules/r").await.status, StatusCode::NOT_FOUND);
}

/// 100 events of one member sent at once, each of which could be the one that crosses the
/// threshold: the level is awarded once, with its reward once.
async fn concurrent_events_award_a_level_once(b: TestBackend) {
    let app = Arc::new(TestApp::spawn(b).await);
    app.member("m1").await;
    app.define(
        "fifty",
        json!({"name": "Fifty check-ins", "levels": [
            {"name": "gold", "progress": "member.counts.check_in", "target": 50,
             "reward": {"points": 100}}
        ]}),
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
    let mut awarded = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        awarded += r.body["badges"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(awarded, 1, "one event's answer has the badge");
    let mine = app.badges_of("m1").await;
    assert_eq!(mine["earned"].as_array().unwrap().len(), 1);
    assert_eq!(app.available("m1").await, 100, "the reward is given once");
    let list = app.get("/v1/badges/fifty").await;
    assert_eq!(list.body["levels"][0]["members"], 1);
}

/// Contests and challenges award badges with `award_badge` inside their own transaction.
async fn other_writers_award_through_the_service(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.define(
        "champion",
        json!({"name": "Champion", "levels": [{"name": "gold", "reward": {"points": 30}}]}),
    )
    .await;
    let program = app
        .state
        .store
        .get_program(&app.program_id)
        .await
        .unwrap()
        .unwrap();
    let member = app
        .state
        .store
        .get_member(&app.program_id, "m1")
        .await
        .unwrap()
        .unwrap();
    for expected in [true, false] {
        let mut tx = app.state.store.begin_write().await.unwrap();
        let new = jifen_server::service::badges::award_badge(
            &mut tx,
            &program,
            member.id,
            "champion",
            1,
            "contest:spring",
            app.now(),
        )
        .await
        .map_err(|_| "award")
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(new, expected);
    }
    let mine = app.badges_of("m1").await;
    assert_eq!(mine["earned"][0]["cause"], "contest:spring");
    assert!(mine["earned"][0].get("event_id").is_none());
    assert_eq!(app.available("m1").await, 30);
    let mut tx = app.state.store.begin_write().await.unwrap();
    let missing = jifen_server::service::badges::award_badge(
        &mut tx,
        &program,
        member.id,
        "nope",
        1,
        "contest:spring",
        app.now(),
    )
    .await;
    assert!(missing.is_err());
    drop(tx);

    // An archived badge is awarded no more.
    app.define(
        "champion",
        json!({"name": "Champion", "status": "archived",
               "levels": [{"name": "gold", "reward": {"points": 30}}]}),
    )
    .await;
    app.member("m2").await;
    let m2 = app
        .state
        .store
        .get_member(&app.program_id, "m2")
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.state.store.begin_write().await.unwrap();
    let new = jifen_server::service::badges::award_badge(
        &mut tx,
        &program,
        m2.id,
        "champion",
        1,
        "contest:summer",
        app.now(),
    )
    .await
    .map_err(|_| "award")
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!new);
    assert_eq!(app.badges_of("m2").await["earned"], json!([]));
}
