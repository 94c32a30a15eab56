//! Every template in `templates/` runs a realistic week of events through HTTP, on both
//! backends, and every balance is what the template promises.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, TestBackend, figures, t};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    taobao_points_week => super::taobao_points_week;
    inoherb_checkin_week => super::inoherb_checkin_week;
    wechat_behaviours_week => super::wechat_behaviours_week;
    campaign_618_weeks => super::campaign_618_weeks;
    referral_double_points_month => super::referral_double_points_month;
    alipay_badges_month => super::alipay_badges_month;
    cny_challenge_leaderboard_week => super::cny_challenge_leaderboard_week;
}

/// Monday 2 March 2026, 10:00 in Shanghai.
const MONDAY: &str = "2026-03-02T02:00:00Z";

impl TestApp {
    async fn buy(&self, id: &str, member: &str, amount: i64) -> i64 {
        let r = self
            .purchase(id, member, &format!("order-{id}"), amount)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{id}: {r:?}");
        r.body["points"].as_i64().unwrap()
    }

    async fn figures_of(&self, member: &str) -> (i64, i64, i64, i64) {
        figures(&self.balance(member).await)
    }

    /// Moves the clock forward to `at`.
    fn to(&self, at: DateTime<Utc>) {
        assert!(at >= self.now(), "the clock only moves forward");
        self.advance(at - self.now());
    }
}

fn day(n: i64) -> DateTime<Utc> {
    t(MONDAY) + Duration::days(n)
}

async fn taobao_points_week(b: TestBackend) {
    let app = TestApp::spawn_template(b, "taobao-points", t(MONDAY)).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    assert_eq!(app.buy("p1", "m1", 15_800).await, 158);
    assert_eq!(app.buy("p2", "m2", 8_990).await, 89);
    assert_eq!(
        app.figures_of("m1").await,
        (0, 158, 0, 0),
        "pending for 7 days"
    );
    app.to(day(1));
    let long = "Smells of green tea, lasts all day.";
    let a = app
        .behaviour("r1", "review", "m1", json!({"text": long}))
        .await;
    assert_eq!(a["points"], 10, "{a}");
    let a = app
        .behaviour("r2", "review", "m2", json!({"text": "ok"}))
        .await;
    assert_eq!(a["points"], 0, "too short: {a}");
    app.to(day(2));
    // Refund ¥58 of the ¥158 order: the order is now worth 100 points.
    let r = app.refund("rf1", "m1", "order-p1", 5_800).await;
    assert_eq!(r.body["points"], -58, "{r:?}");
    app.to(day(3));
    let mut earned = 0;
    for i in 0..6 {
        earned += app
            .behaviour(&format!("r3-{i}"), "review", "m1", json!({"text": long}))
            .await["points"]
            .as_i64()
            .unwrap();
    }
    assert_eq!(earned, 50, "five reviews a day");
    assert_eq!(app.figures_of("m1").await, (60, 100, 0, 0));
    app.to(day(8));
    assert_eq!(app.figures_of("m1").await, (160, 0, 0, 0));
    assert_eq!(app.figures_of("m2").await, (89, 0, 0, 0));
    // They expire at the end of next year, in Shanghai.
    let after = t("2027-12-31T16:00:00Z");
    assert_eq!(figures(&app.balance_at("m1", after).await), (0, 0, 0, 0));
    let before = t("2027-12-31T15:59:59Z");
    assert_eq!(figures(&app.balance_at("m1", before).await), (160, 0, 0, 0));
}

async fn inoherb_checkin_week(b: TestBackend) {
    let app = TestApp::spawn_template(b, "inoherb-checkin", t(MONDAY)).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    for d in 0..9 {
        app.to(day(d) + Duration::hours(d % 3));
        let a = app
            .behaviour(&format!("m1-{d}"), "check_in", "m1", json!({}))
            .await;
        assert_eq!(a["points"], if d == 6 { 8 } else { 1 }, "m1 day {d}: {a}");
        // m2 skips Thursday, so never reaches 7 days in a row.
        if d != 3 {
            app.behaviour(&format!("m2-{d}"), "check_in", "m2", json!({}))
                .await;
        }
        // Twice the same day earns nothing more.
        let again = app
            .behaviour(&format!("m1-{d}-again"), "check_in", "m1", json!({}))
            .await;
        assert_eq!(again["points"], 0);
    }
    assert_eq!(app.figures_of("m1").await, (9 + 7, 0, 0, 0));
    assert_eq!(app.figures_of("m2").await, (8, 0, 0, 0));
    let notes = app
        .state
        .store
        .list_notifications(
            &app.program_id,
            &jifen_store::NotificationFilter {
                member_id: Some(member_id(&app, "m1").await),
                ..Default::default()
            },
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(notes.len(), 1, "one streak-7 notification");
    assert_eq!(notes[0].template, "streak-7");
}

async fn member_id(app: &TestApp, external_id: &str) -> i64 {
    app.state
        .store
        .member_head(&app.program_id, external_id)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn wechat_behaviours_week(b: TestBackend) {
    let app = TestApp::spawn_template(b, "wechat-behaviours", t(MONDAY)).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "Lin", "birthday": "1994-03-05"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.member("m2").await;
    let a = app
        .behaviour("bind-1", "identity_bound", "m1", json!({}))
        .await;
    assert_eq!(a["points"], 100);
    assert_eq!(
        app.behaviour("profile-1", "profile_completed", "m1", json!({}))
            .await["points"],
        50
    );
    for d in 0..5 {
        app.to(day(d) + Duration::hours(1));
        if d == 3 {
            // Thursday 5 March, 11:00: the birthday job, run twice, sends one event.
            assert_eq!(jifen_server::jobs::birthdays(&app.state).await.unwrap(), 1);
            jifen_server::jobs::birthdays(&app.state).await.unwrap();
            assert_eq!(app.figures_of("m1").await.0, 100 + 50 + 2 * 3 + 200);
        }
        assert_eq!(
            app.behaviour(&format!("ci-{d}"), "check_in", "m1", json!({}))
                .await["points"],
            2
        );
    }
    // Bound and completed again: recorded, not rewarded.
    let again = app
        .behaviour("bind-2", "identity_bound", "m1", json!({}))
        .await;
    assert_eq!(
        (again["points"].clone(), again["repeat"].clone()),
        (json!(0), json!(true))
    );
    assert_eq!(
        app.behaviour("profile-2", "profile_completed", "m1", json!({}))
            .await["points"],
        0
    );
    let mut ugc = 0;
    for i in 0..4 {
        ugc += app
            .behaviour(
                &format!("post-{i}"),
                "content_posted",
                "m1",
                json!({"photos": 2}),
            )
            .await["points"]
            .as_i64()
            .unwrap();
    }
    assert_eq!(ugc, 60, "three posts a week");
    assert_eq!(
        app.behaviour("post-text", "content_posted", "m2", json!({"photos": 0}))
            .await["points"],
        0
    );
    let mut invites = 0;
    for i in 0..6 {
        invites += app
            .behaviour(&format!("inv-{i}"), "event_invite", "m1", json!({}))
            .await["points"]
            .as_i64()
            .unwrap();
    }
    assert_eq!(invites, 150, "150 a month");
    let total = 100 + 50 + 10 + 60 + 150 + 200;
    assert_eq!(app.figures_of("m1").await, (total, 0, 0, 0));
    // The birthday points last 30 days.
    let later = t("2026-04-05T02:00:00Z");
    assert_eq!(figures(&app.balance_at("m1", later).await).0, total - 200);
    let tags = app
        .state
        .store
        .member_facts(&[member_id(&app, "m1").await])
        .await
        .unwrap()
        .tags;
    assert_eq!(
        tags.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
        ["bound"]
    );
}

async fn campaign_618_weeks(b: TestBackend) {
    // Saturday 30 May 2026, 10:00 in Shanghai.
    let app = TestApp::spawn_template(b, "campaign-618", t("2026-05-30T02:00:00Z")).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    let june = |d: i64| t("2026-05-31T02:00:00Z") + Duration::days(d);
    assert_eq!(
        app.buy("a", "m1", 10_000).await,
        100,
        "before 6.18: single points"
    );
    app.to(june(1));
    assert_eq!(app.buy("b", "m1", 30_000).await, 600);
    app.to(june(2));
    assert_eq!(app.buy("c", "m1", 50_000).await, 1_000);
    app.to(june(3));
    // The third order of ¥99 or more: the challenge's 50, then double points.
    assert_eq!(app.buy("d", "m1", 99_900).await, 999 + 50 + 999);
    app.to(june(4));
    assert_eq!(
        app.buy("e", "m1", 50_000).await,
        500 + 151,
        "cut to the 2,000 cap"
    );
    app.to(june(5));
    assert_eq!(app.buy("f", "m2", 5_000).await, 100);
    app.to(june(20));
    assert_eq!(app.buy("g", "m1", 10_000).await, 100, "after 6.18");
    assert_eq!(app.figures_of("m1").await, (4_499, 0, 0, 0));
    assert_eq!(app.figures_of("m2").await, (100, 0, 0, 0));
    let c = app.get("/v1/campaigns/618").await.body;
    assert_eq!(c["stats"]["points_awarded"], 2_050, "{c}");
    assert_eq!(c["stats"]["members_reached"], 2);
    assert_eq!(c["stats"]["budget_left"], 1_000_000 - 2_050);
}

/// "Bring two friends, unlock double points": two friends enrol with Li's code (100 points and
/// a welcome voucher each), buy for ¥100 or more (500 points each to Li), and Li's own purchases
/// earn double for 30 days; a third friend's ¥80 order qualifies nothing, and a refund below
/// ¥100 takes Li's 500 back.
async fn referral_double_points_month(b: TestBackend) {
    let app = TestApp::spawn_template(b, "referral-double-points", t(MONDAY)).await;
    app.member("li").await;
    assert_eq!(
        app.buy("li-1", "li", 20_000).await,
        200,
        "before: 1 point per yuan"
    );
    let code = app.get("/v1/members/li/referral").await.body["code"]
        .as_str()
        .unwrap()
        .to_owned();
    for (i, friend) in ["wang", "zhao", "sun"].iter().enumerate() {
        let r = app
            .put(
                &format!("/v1/members/{friend}"),
                json!({"phone": format!("1390000000{i}"), "referral_code": code}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(r.body["referral"]["status"], "pending");
        assert_eq!(app.figures_of(friend).await, (100, 0, 0, 0));
        let vouchers = app.get(&format!("/v1/members/{friend}/vouchers")).await;
        assert!(
            vouchers.body.to_string().contains("welcome-friend"),
            "{vouchers:?}"
        );
    }
    app.to(t(MONDAY) + Duration::days(3));
    assert_eq!(app.buy("wang-1", "wang", 12_000).await, 120);
    assert_eq!(app.figures_of("li").await, (700, 0, 0, 0));
    app.to(t(MONDAY) + Duration::days(5));
    assert_eq!(app.buy("sun-1", "sun", 8_000).await, 80);
    assert_eq!(app.figures_of("li").await, (700, 0, 0, 0), "under ¥100");
    assert_eq!(app.buy("zhao-1", "zhao", 10_000).await, 100);
    assert_eq!(app.figures_of("li").await, (1_200, 0, 0, 0));
    // Two qualified friends: double points for 30 days.
    assert_eq!(app.buy("li-2", "li", 20_000).await, 400);
    app.to(t(MONDAY) + Duration::days(20));
    assert_eq!(app.buy("li-3", "li", 10_000).await, 200);
    // Wang's order refunded below ¥100: Li's 500 go back.
    let r = app.refund("wang-r", "wang", "order-wang-1", 3_000).await;
    assert_eq!(r.body["referral"]["status"], "clawed_back", "{r:?}");
    assert_eq!(app.figures_of("li").await, (1_300, 0, 0, 0));
    app.to(t(MONDAY) + Duration::days(36));
    assert_eq!(
        app.buy("li-4", "li", 10_000).await,
        100,
        "the boost is over"
    );
    let stats = app.get("/v1/referral-program/stats").await.body;
    assert_eq!(stats["referrals"]["pending"], 1, "{stats}");
    assert_eq!(stats["referrals"]["rewarded"], 1);
    assert_eq!(stats["referrals"]["clawed_back"], 1);
    assert_eq!(stats["friend_points"], 300);
    assert_eq!(stats["referrer_points"], 500);
}

async fn alipay_badges_month(b: TestBackend) {
    let app = TestApp::spawn_template(b, "alipay-badges", t(MONDAY)).await;
    app.member("ali").await;
    let send = |id: &'static str, kind: &'static str| {
        let app = &app;
        async move { app.behaviour(id, kind, "ali", json!({})).await }
    };
    let r = send("ci-0", "check_in").await;
    assert_eq!(r["points"], 1, "{r}");
    assert_eq!(r["challenges"][0]["progress"], 1);
    let r = send("sh-0", "share").await;
    assert_eq!(r["challenges"][0]["reached"], json!([1]), "the step: {r}");
    assert_eq!(r["points"], 5);
    app.to(day(1));
    send("ci-1", "check_in").await;
    let r = send("rv-1", "review").await;
    assert_eq!(r["challenges"][0]["reached"], json!([0]), "{r}");
    assert_eq!(r["points"], 30);
    assert_eq!(r["badges"][0]["badge"], "explorer", "{r}");
    app.to(day(2));
    let r = send("ci-2", "check_in").await;
    assert_eq!(
        r["badges"][0]["badge"], "regular",
        "the third check-in: {r}"
    );
    assert_eq!(r["points"], 11);
    assert_eq!(app.figures_of("ali").await, (48, 0, 0, 0));
    let mine = app.get("/v1/members/ali/challenges").await.body;
    assert_eq!(mine["data"][0]["status"], "completed", "{mine}");
    assert_eq!(mine["data"][0]["period"], "2026-03");
    // April is a new month: the challenge starts over.
    app.to(t("2026-04-01T02:00:00Z"));
    let r = send("ci-apr", "check_in").await;
    assert_eq!(r["challenges"][0]["period"], "2026-04", "{r}");
    assert_eq!(r["challenges"][0]["progress"], 1);
    let mine = app.get("/v1/members/ali/challenges").await.body;
    assert_eq!(mine["data"][0]["status"], "in_progress", "{mine}");
}

async fn cny_challenge_leaderboard_week(b: TestBackend) {
    // The first day of the Year of the Goat, 10:00 in Beijing.
    let app =
        TestApp::spawn_template(b, "cny-challenge-leaderboard", t("2027-02-06T02:00:00Z")).await;
    for m in ["a", "b", "c"] {
        app.member(m).await;
    }
    assert_eq!(
        app.buy("a-1", "a", 50_000).await,
        538,
        "500, and the ¥388 step"
    );
    assert_eq!(
        app.buy("a-2", "a", 40_000).await,
        588,
        "400, and the completion"
    );
    assert_eq!(app.buy("b-1", "b", 60_000).await, 638);
    assert_eq!(app.buy("c-1", "c", 10_000).await, 100);
    // A full refund takes a back below ¥888: the completion's 188 go back with the order's 400.
    let r = app.refund("a-r", "a", "order-a-2", 40_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["challenges"][0]["revoked"], json!([0]), "{r:?}");
    assert_eq!(r.body["points"], -588);
    assert_eq!(app.figures_of("a").await.0, 538);
    let standings = app.get("/v1/leaderboards/cny-points/standings").await.body;
    let order: Vec<&str> = standings["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["member"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["b", "a", "c"],
        "the rewards are not points earned: {standings}"
    );
    // When the week has ended, the contest gives its prizes once.
    app.to(t("2027-02-12T16:00:01Z"));
    let r = app
        .post(
            "/v1/leaderboards/cny-points/contests/window/settle",
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    assert_eq!(app.figures_of("b").await.0, 638 + 8_888);
    assert_eq!(app.figures_of("a").await.0, 538 + 888);
    let mine = app.get("/v1/members/c/challenges").await.body;
    assert_eq!(mine["data"][0]["progress"], 10_000, "{mine}");
}
