//! Referrals over HTTP on SQLite and PostgreSQL: a member's code, link and QR code; a friend
//! attributed once (by `PUT /v1/members/{id}` or a `referral_signup` event) and rewarded; the
//! referrer rewarded when the friend's purchase qualifies, and clawed back on refund; the
//! milestone boost in event answers and on the member; fraud limits (self-referral, identities
//! seen before, caps per day and in all, under concurrency); the program's figures.

mod common;

use chrono::Duration;
use common::console::{browser_operator, owner};
use common::portal::enter;
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    a_friend_is_attributed_rewarded_and_qualifies_the_referrer => super::a_friend_is_attributed_rewarded_and_qualifies_the_referrer;
    a_signup_event_attributes_once_and_milestones_boost_the_referrer => super::a_signup_event_attributes_once_and_milestones_boost_the_referrer;
    a_refund_below_the_minimum_claws_the_referrer_back => super::a_refund_below_the_minimum_claws_the_referrer_back;
    self_referral_and_identities_seen_before_are_rejected => super::self_referral_and_identities_seen_before_are_rejected;
    caps_per_day_and_in_all_hold => super::caps_per_day_and_in_all_hold;
    concurrent_signups_with_one_code_hold_the_caps => super::concurrent_signups_with_one_code_hold_the_caps;
    bad_settings_and_unknown_codes_change_nothing => super::bad_settings_and_unknown_codes_change_nothing;
    the_portal_shows_the_code_share_card_friends_and_boost => super::the_portal_shows_the_code_share_card_friends_and_boost;
    the_console_defines_the_program_and_shows_its_figures => super::the_console_defines_the_program_and_shows_its_figures;
}

/// The seed's "bring two friends" program: 100 points to the friend, 500 to the referrer when
/// the friend buys for 100 yuan or more within 30 days, double points for 30 days at two
/// qualified friends.
fn program(caps: Value) -> Value {
    json!({
        "enabled": true,
        "friend_reward": {"points": 100},
        "referrer_reward": {"points": 500},
        "min_purchase": 10_000,
        "within_days": 30,
        "milestones": [{"friends": 2, "factor": 2, "days": 30}],
        "caps": caps,
        "claw_back": true,
    })
}

async fn setup(app: &TestApp, caps: Value) -> String {
    let r = app.put("/v1/referral-program", program(caps)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .put(
            "/v1/members/r-1",
            json!({"name": "Referrer", "phone": "13800000001"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    code_of(app, "r-1").await
}

async fn code_of(app: &TestApp, member: &str) -> String {
    let r = app.get(&format!("/v1/members/{member}/referral")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["code"].as_str().expect("code").to_owned()
}

async fn signup(app: &TestApp, friend: &str, phone: &str, code: &str) -> (StatusCode, Value) {
    let r = app
        .put(
            &format!("/v1/members/{friend}"),
            json!({"name": friend, "phone": phone, "referral_code": code}),
        )
        .await;
    (r.status, r.body)
}

async fn friends(app: &TestApp, member: &str) -> Vec<Value> {
    let r = app.get(&format!("/v1/members/{member}/referrals")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["data"].as_array().expect("data").clone()
}

async fn event(app: &TestApp, body: Value) -> Value {
    let r = app.post("/v1/events", body).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body
}

async fn a_friend_is_attributed_rewarded_and_qualifies_the_referrer(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({})).await;
    assert_eq!(code.len(), 8);
    assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
    let r = app.get("/v1/members/r-1/referral").await;
    assert_eq!(r.body["code"], code.as_str(), "stable: {r:?}");
    let link = r.body["link"].as_str().unwrap();
    assert!(link.ends_with(&format!("/join/{code}")), "{link}");
    assert!(r.body["qr_svg"].as_str().unwrap().contains("<svg"));
    let qr = app
        .client
        .get(format!("{}/v1/members/r-1/referral/qr.svg", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));

    // Created with the code (typed in lower case, with a dash): attributed and rewarded.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let (status, body) = signup(&app, "f-1", "13800000011", &typed).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["referral"]["status"], "pending", "{body}");
    assert_eq!(body["referral"]["referrer"], "r-1");
    assert_eq!(body["referral"]["friend_points"], 100);
    assert!(body["referral"]["qualify_by"].is_string(), "{body}");
    assert_eq!(app.available("f-1").await, 100);
    // A retried PUT creates nothing and rewards nothing twice.
    let (status, again) = signup(&app, "f-1", "13800000011", &code).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["referral"]["status"], "pending");
    assert_eq!(app.available("f-1").await, 100);
    assert_eq!(friends(&app, "r-1").await.len(), 1);
    let shown = app.get("/v1/members/f-1").await;
    assert_eq!(shown.body["referral"]["referrer"], "r-1", "{shown:?}");

    // A purchase below the minimum does not qualify; one above does, once.
    let small = app.purchase("e-1", "f-1", "o-1", 5_000).await;
    assert!(small.body.get("referral").is_none(), "{small:?}");
    assert_eq!(app.available("r-1").await, 0);
    let big = app.purchase("e-2", "f-1", "o-2", 20_000).await;
    assert_eq!(big.status, StatusCode::OK, "{big:?}");
    assert_eq!(big.body["referral"]["status"], "rewarded", "{big:?}");
    assert_eq!(app.available("r-1").await, 500);
    let retried = app.purchase("e-2", "f-1", "o-2", 20_000).await;
    assert_eq!(retried.body, big.body);
    app.purchase("e-3", "f-1", "o-3", 30_000).await;
    assert_eq!(
        app.available("r-1").await,
        500,
        "the first qualifying purchase only"
    );
    let list = friends(&app, "r-1").await;
    assert_eq!(list[0]["status"], "rewarded");
    assert_eq!(list[0]["order_id"], "o-2");
    assert_eq!(list[0]["referrer_points"], 500);
    let ledger = app.get("/v1/members/r-1/ledger").await;
    assert!(
        ledger.body.to_string().contains("referral"),
        "the entry names the referral: {ledger:?}"
    );

    let stats = app.get("/v1/referral-program/stats").await;
    assert_eq!(stats.status, StatusCode::OK, "{stats:?}");
    assert_eq!(stats.body["referrals"]["rewarded"], 1, "{stats:?}");
    assert_eq!(stats.body["referrers"], 1);
    assert_eq!(stats.body["friend_points"], 100);
    assert_eq!(stats.body["referrer_points"], 500);
}

async fn a_signup_event_attributes_once_and_milestones_boost_the_referrer(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({})).await;
    for (friend, phone) in [("f-1", "13800000011"), ("f-2", "13800000012")] {
        app.put(
            &format!("/v1/members/{friend}"),
            json!({"name": friend, "phone": phone}),
        )
        .await;
        let body = event(
            &app,
            json!({"id": format!("s-{friend}"), "type": "referral_signup", "member": friend,
                   "occurred_at": app.now().to_rfc3339(), "attributes": {"code": code}}),
        )
        .await;
        assert_eq!(body["referral"]["status"], "pending", "{body}");
        assert_eq!(body["referral"]["source"], format!("event:s-{friend}"));
        assert_eq!(app.available(friend).await, 100);
        // Another signup of the same friend attributes nothing.
        let again = event(
            &app,
            json!({"id": format!("s2-{friend}"), "type": "referral_signup", "member": friend,
                   "occurred_at": app.now().to_rfc3339(), "attributes": {"code": code}}),
        )
        .await;
        assert_eq!(again["referral"]["repeat"], true, "{again}");
        assert_eq!(app.available(friend).await, 100);
    }
    // Before the milestone, the referrer earns the base.
    let base = app.purchase("e-0", "r-1", "o-0", 10_000).await;
    let base_points = base.body["points"].as_i64().unwrap();
    assert!(base_points > 0, "{base:?}");
    assert!(base.body.get("boost").is_none(), "{base:?}");

    app.purchase("e-1", "f-1", "o-1", 10_000).await;
    let second = app.purchase("e-2", "f-2", "o-2", 10_000).await;
    let boosts = &second.body["referral"]["referrer_boosts"];
    assert_eq!(boosts[0]["factor"], 2, "{second:?}");

    // Two qualified friends: double points for 30 days, in event answers and on the member.
    let boosted = app.purchase("e-3", "r-1", "o-3", 10_000).await;
    assert_eq!(boosted.body["boost"]["factor"], 2, "{boosted:?}");
    assert_eq!(boosted.body["points"].as_i64().unwrap(), 2 * base_points);
    let member = app.get("/v1/members/r-1").await;
    assert_eq!(member.body["boost"]["factor"], 2, "{member:?}");
    let card = app.get("/v1/members/r-1/referral").await;
    assert_eq!(card.body["friends"]["rewarded"], 2, "{card:?}");
    let stats = app.get("/v1/referral-program/stats").await;
    assert_eq!(stats.body["active_boosts"], 1, "{stats:?}");

    // After 30 days the boost is over.
    app.advance(Duration::days(31));
    let after = app.purchase("e-4", "r-1", "o-4", 10_000).await;
    assert!(after.body.get("boost").is_none(), "{after:?}");
    assert_eq!(after.body["points"].as_i64().unwrap(), base_points);
    let member = app.get("/v1/members/r-1").await;
    assert!(member.body.get("boost").is_none(), "{member:?}");
}

async fn a_refund_below_the_minimum_claws_the_referrer_back(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({})).await;
    signup(&app, "f-1", "13800000011", &code).await;
    app.purchase("e-1", "f-1", "o-1", 15_000).await;
    assert_eq!(app.available("r-1").await, 500);
    // Still at the minimum: nothing taken back.
    let r = app.refund("e-2", "f-1", "o-1", 5_000).await;
    assert!(r.body.get("referral").is_none(), "{r:?}");
    assert_eq!(app.available("r-1").await, 500);
    // Below it: the referrer's points go back.
    let r = app.refund("e-3", "f-1", "o-1", 1_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["referral"]["status"], "clawed_back", "{r:?}");
    assert_eq!(app.available("r-1").await, 0);
    let again = app.refund("e-3", "f-1", "o-1", 1_000).await;
    assert_eq!(again.body, r.body);
    assert_eq!(app.available("r-1").await, 0);
    let list = friends(&app, "r-1").await;
    assert_eq!(list[0]["status"], "clawed_back");
    assert!(list[0]["clawed_back_at"].is_string());
    let stats = app.get("/v1/referral-program/stats").await;
    assert_eq!(stats.body["referrals"]["clawed_back"], 1, "{stats:?}");
    assert_eq!(stats.body["referrer_points"], 0);
}

async fn self_referral_and_identities_seen_before_are_rejected(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({})).await;
    // The referrer had a UnionID, then unbound it: a friend with it is the referrer.
    let ident = |v: &str| json!([{"kind": "wechat_unionid", "value": v}]);
    app.put("/v1/members/r-1", json!({"identities": ident("U-R")}))
        .await;
    app.put("/v1/members/r-1", json!({"identities": []})).await;
    let r = app
        .put(
            "/v1/members/f-1",
            json!({"identities": ident("U-R"), "referral_code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["referral"]["status"], "rejected", "{r:?}");
    assert_eq!(r.body["referral"]["reason"], "self_referral");
    assert_eq!(app.available("f-1").await, 0);

    // Someone who was a member before (under another id) is not a new friend.
    app.put("/v1/members/x-1", json!({"identities": ident("U-X")}))
        .await;
    app.put("/v1/members/x-1", json!({"identities": []})).await;
    let r = app
        .put(
            "/v1/members/f-2",
            json!({"identities": ident("U-X"), "referral_code": code}),
        )
        .await;
    assert_eq!(r.body["referral"]["reason"], "seen_before", "{r:?}");
    assert_eq!(app.available("f-2").await, 0);

    // A member signing up with their own code.
    let own = event(
        &app,
        json!({"id": "s-1", "type": "referral_signup", "member": "r-1",
               "occurred_at": app.now().to_rfc3339(), "attributes": {"code": code}}),
    )
    .await;
    assert_eq!(own["referral"]["reason"], "self_referral", "{own}");

    // A rejected friend's purchase qualifies nothing.
    app.purchase("e-1", "f-1", "o-1", 50_000).await;
    assert_eq!(app.available("r-1").await, 0);
    let stats = app.get("/v1/referral-program/stats").await;
    assert_eq!(stats.body["referrals"]["rejected"], 3, "{stats:?}");
    assert_eq!(stats.body["referrers"], 0);
}

async fn caps_per_day_and_in_all_hold(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({"per_day": 1, "total": 2})).await;
    let (_, first) = signup(&app, "f-1", "13800000011", &code).await;
    assert_eq!(first["referral"]["status"], "pending", "{first}");
    let (_, second) = signup(&app, "f-2", "13800000012", &code).await;
    assert_eq!(second["referral"]["status"], "capped", "{second}");
    assert_eq!(second["referral"]["friend_points"], 0);
    assert_eq!(app.available("f-2").await, 0);
    // A capped friend's purchase rewards nobody.
    app.purchase("e-1", "f-2", "o-1", 50_000).await;
    assert_eq!(app.available("r-1").await, 0);

    app.advance(Duration::days(1));
    let (_, third) = signup(&app, "f-3", "13800000013", &code).await;
    assert_eq!(third["referral"]["status"], "pending", "{third}");
    app.advance(Duration::days(1));
    let (_, fourth) = signup(&app, "f-4", "13800000014", &code).await;
    assert_eq!(
        fourth["referral"]["status"], "capped",
        "total cap: {fourth}"
    );
    let list = friends(&app, "r-1").await;
    let statuses: Vec<&str> = list.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["capped", "pending", "capped", "pending"]);
}

async fn concurrent_signups_with_one_code_hold_the_caps(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({"total": 3})).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = app.client.clone();
        let url = format!("{}/v1/members/f-{i}", app.base);
        let key = app.key.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            let r = client
                .put(url)
                .bearer_auth(key)
                .json(&json!({"phone": format!("1380000010{i}"), "referral_code": code}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            let body: Value = r.json().await.unwrap();
            body["referral"]["status"].as_str().unwrap().to_owned()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| *s == "pending").count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| *s == "capped").count(),
        5,
        "{statuses:?}"
    );
    let stats = app.get("/v1/referral-program/stats").await;
    assert_eq!(stats.body["referrals"]["pending"], 3, "{stats:?}");
    assert_eq!(stats.body["friend_points"], 300);
}

async fn bad_settings_and_unknown_codes_change_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.get("/v1/referral-program").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "referral_program_not_found");
    let mut bad = program(json!({}));
    bad["within_days"] = json!(0);
    let r = app.put("/v1/referral-program", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "within_days");
    let mut bad = program(json!({}));
    bad["friend_reward"]["voucher_template"] = json!("nope");
    let r = app.put("/v1/referral-program", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let mut bad = program(json!({}));
    bad["surprise"] = json!(1);
    let r = app.put("/v1/referral-program", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(
        app.get("/v1/referral-program").await.status,
        StatusCode::NOT_FOUND
    );

    let code = setup(&app, json!({})).await;
    let r = app.get("/v1/referral-program").await;
    assert_eq!(r.body["min_purchase"], 10_000, "{r:?}");
    // An unknown code: the member is not created.
    let wrong = if code.starts_with('Z') { "Y" } else { "Z" }.to_owned() + &code[1..];
    let (status, body) = signup(&app, "f-1", "13800000011", &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "referral_code_unknown");
    assert_eq!(body["error"]["field"], "referral_code");
    assert_eq!(
        app.get("/v1/members/f-1").await.status,
        StatusCode::NOT_FOUND
    );
    let (status, _) = signup(&app, "f-1", "13800000011", "not-a-code").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // An unknown code on a signup event: the event is refused, nothing recorded.
    app.member("f-2").await;
    let r = app
        .post(
            "/v1/events",
            json!({"id": "s-1", "type": "referral_signup", "member": "f-2",
                   "occurred_at": app.now().to_rfc3339(), "attributes": {"code": wrong}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.code(), "referral_code_unknown");
    assert_eq!(
        app.get("/v1/events/s-1").await.status,
        StatusCode::NOT_FOUND
    );
    // Batches take no codes.
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "b-1", "members": [{"external_id": "f-3", "referral_code": code}]}),
        )
        .await;
    assert_eq!(r.body["results"][0]["status"], "failed", "{r:?}");
    // Another program's code does not reach this one.
    assert_eq!(friends(&app, "r-1").await.len(), 0);
    let r = app.get("/v1/members/nobody/referral").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn the_portal_shows_the_code_share_card_friends_and_boost(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = setup(&app, json!({})).await;
    let m = enter(&app, "r-1", json!({})).await;
    let home = m.get(&app, "").await;
    assert!(
        home.html
            .contains(&format!(r#"id="referral-link" href="{}referral""#, m.base)),
        "{}",
        home.html
    );
    let page = m.get(&app, "referral").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains(&format!(r#"<strong id="code">{code}</strong>"#))
    );
    assert!(page.html.contains(&format!("/join/{code}")), "the link");
    assert!(page.html.contains("<svg"), "the QR code");
    assert!(page.html.contains(r#"id="share-card""#));
    assert!(page.html.contains("好友注册得 100 积分"), "{}", page.html);
    assert!(page.html.contains(r#"id="no-friends""#));

    for (i, friend) in ["f-1", "f-2"].iter().enumerate() {
        signup(&app, friend, &format!("1380000001{i}"), &code).await;
        app.purchase(&format!("e-{i}"), friend, &format!("o-{i}"), 10_000)
            .await;
    }
    let page = m.get(&app, "referral").await;
    assert!(page.html.contains("已获奖励"), "{}", page.html);
    assert!(page.html.contains(r#"id="boost""#), "{}", page.html);
    // The shared link opens without a session; an unknown code is a 404.
    let join = common::portal::open(&app, &format!("{}join/{code}", m.base), None).await;
    assert_eq!(join.status, StatusCode::OK, "{}", join.html);
    assert!(
        join.html
            .contains(&format!(r#"<strong id="join-code">{code}</strong>"#))
    );
    assert!(join.html.contains("og:title"));
    assert!(join.html.contains("注册会员即得 100 积分"), "{}", join.html);
    let wrong = if code.starts_with('Z') { "Y" } else { "Z" }.to_owned() + &code[1..];
    let nobody = common::portal::open(&app, &format!("{}join/{wrong}", m.base), None).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let en = m.get(&app, "referral?lang=en").await;
    assert!(
        en.html.contains("Invitation reward: 2× points until"),
        "{}",
        en.html
    );
}

async fn the_console_defines_the_program_and_shows_its_figures(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let boss = owner(&app).await;
    let (status, page) = boss.get("/console/referrals").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(r#"id="referrals-none""#), "{page}");
    assert!(
        page.contains(r#"href="/console/referrals""#),
        "in the navigation"
    );
    // Refused settings: shown with the field, nothing saved.
    let mut bad = program(json!({}));
    bad["within_days"] = json!(0);
    let (status, page) = boss
        .post("/console/referrals", &[("raw", &bad.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(r#"id="error-raw""#), "{page}");
    assert!(page.contains("within_days"), "{page}");
    assert_eq!(
        app.get("/v1/referral-program").await.status,
        StatusCode::NOT_FOUND
    );
    let (status, page) = boss
        .post(
            "/console/referrals",
            &[("raw", &program(json!({"total": 9})).to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Saved."), "{page}");
    assert_eq!(
        app.get("/v1/referral-program").await.body["caps"]["total"],
        9
    );
    app.put("/v1/members/r-1", json!({"name": "R"})).await;
    let code = code_of(&app, "r-1").await;
    signup(&app, "f-1", "13800000011", &code).await;
    app.purchase("e-1", "f-1", "o-1", 10_000).await;
    let (_, page) = boss.get("/console/referrals").await;
    assert!(page.contains(r#"data-status="rewarded">1<"#), "{page}");
    assert!(
        page.contains(r#"id="referrals-referrer-points">500<"#),
        "{page}"
    );
    // A viewer sees the figures and cannot save.
    browser_operator(&app, "viewer@example.com", Role::Viewer).await;
    let viewer = common::console::Browser::sign_in(
        &app,
        "viewer@example.com",
        common::console::BROWSER_PASSWORD,
    )
    .await;
    let (status, page) = viewer.get("/console/referrals").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("readonly"), "{page}");
    let (status, _) = viewer
        .post(
            "/console/referrals",
            &[("raw", &program(json!({})).to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/v1/referral-program").await.body["caps"]["total"],
        9
    );
}
