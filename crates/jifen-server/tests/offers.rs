//! Personal offers end to end through HTTP, on both backends: rewards and wallet vouchers ranked
//! by what the member buys (their order lines' categories, refunds taken off), tier, segments,
//! points and expiry, with reasons in both languages; the program's weights, boosts and hidden
//! rewards; bad input refused with nothing changed.

mod common;

use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    offers_are_ranked_and_explained => super::offers_are_ranked_and_explained;
    settings_weigh_boost_and_hide => super::settings_weigh_boost_and_hide;
    bad_requests_change_nothing => super::bad_requests_change_nothing;
}

fn offer<'a>(offers: &'a Value, id: &str) -> &'a Value {
    offers["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no offer {id} in {offers:#}"))
}

fn reasons(o: &Value) -> Vec<String> {
    o["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(offers: &Value) -> Vec<String> {
    offers["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A purchase with order lines (category, fen).
async fn buy(app: &TestApp, id: &str, member: &str, lines: &[(&str, i64)]) {
    let amount: i64 = lines.iter().map(|(_, a)| a).sum();
    let lines: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, (c, a))| json!({"sku": format!("sku-{i}"), "category": c, "quantity": 1, "amount": a}))
        .collect();
    let r = app
        .post(
            "/v1/events",
            json!({"id": id, "type": "purchase", "member": member,
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": format!("o-{id}"), "amount": amount, "lines": lines}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn put_reward(app: &TestApp, id: &str, body: Value) {
    let r = app.put(&format!("/v1/rewards/{id}"), body).await;
    assert!(r.status.is_success(), "{id}: {r:?}");
}

/// A program with tiers (金卡 from ¥500 a year), a segment of tea lovers and a catalog, and
/// m1, who spent ¥400 on tea and ¥100 on desserts and holds a tea voucher.
async fn setup(b: TestBackend) -> (TestApp, i64) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "silver", "name": "银卡", "threshold": 0},
                             {"id": "gold", "name": "金卡", "threshold": 50000}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put(
            "/v1/segments/tea-lovers",
            json!({"name": "茶饮爱好者", "condition": "monetary_365d >= 10000"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.member("m1").await;
    app.member("m2").await;
    buy(&app, "e1", "m1", &[("茶饮", 40_000), ("甜点", 10_000)]).await;
    assert_eq!(
        app.adjust("m1", "a1", 300).await.status,
        StatusCode::CREATED
    );
    // The purchase puts m1 in the segment in its own transaction; a refresh the definition
    // started may still be running beside it.
    for _ in 0..250 {
        let r = app.get("/v1/members/m1/segments").await;
        if r.body["data"].as_array().is_some_and(|d| !d.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let available = app.available("m1").await;
    assert!(available >= 300, "{available}");
    put_reward(
        &app,
        "tea",
        json!({"kind": "physical", "title": {"zh-CN": "茶饮随行杯", "en": "Tea tumbler"},
               "cost": 100, "categories": ["茶饮"], "brand_cost": 1000}),
    )
    .await;
    put_reward(
        &app,
        "cake",
        json!({"kind": "physical", "title": {"zh-CN": "芝士蛋糕", "en": "Cheesecake"},
               "cost": available + 20, "categories": ["甜点"], "brand_cost": 2000}),
    )
    .await;
    put_reward(
        &app,
        "gold-gift",
        json!({"kind": "physical", "title": {"zh-CN": "金卡礼盒"}, "cost": 50,
               "eligibility": {"tiers": ["gold"]}}),
    )
    .await;
    put_reward(
        &app,
        "gold-price",
        json!({"kind": "physical", "title": {"zh-CN": "茶具"}, "cost": 500,
               "cost_by_tier": {"gold": 80}, "brand_cost": 0}),
    )
    .await;
    put_reward(
        &app,
        "seg-gift",
        json!({"kind": "physical", "title": {"zh-CN": "新品试饮"}, "cost": 50,
               "eligibility": {"segments": ["tea-lovers"]}}),
    )
    .await;
    put_reward(
        &app,
        "silver-only",
        json!({"kind": "physical", "title": {"zh-CN": "银卡礼"}, "cost": 10,
               "eligibility": {"tiers": ["silver"]}}),
    )
    .await;
    put_reward(
        &app,
        "paused-one",
        json!({"kind": "physical", "title": {"zh-CN": "暂停"}, "cost": 10, "status": "paused"}),
    )
    .await;
    let r = app
        .put(
            "/v1/voucher-templates/tea-20",
            json!({"title": {"zh-CN": "茶饮满减券", "en": "Tea ¥20 off"},
                   "discount": {"kind": "amount", "off": 2000},
                   "restrictions": {"categories": ["茶饮"], "segments": ["tea-lovers"]},
                   "validity": {"days": 2}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post(
            "/v1/members/m1/vouchers",
            json!({"id": "v1", "template": "tea-20"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    (app, available)
}

async fn offers_are_ranked_and_explained(b: TestBackend) {
    let (app, available) = setup(b).await;
    let r = app.get("/v1/members/m1/offers").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let offers = r.body;
    assert_eq!(offers["member"], "m1");
    assert_eq!(offers["available_points"], available);
    assert_eq!(
        offers["categories"],
        json!([{"category": "茶饮", "share": 0.8}, {"category": "甜点", "share": 0.2}])
    );
    // What the member cannot use is not offered: another tier's reward, a paused one.
    let listed = ids(&offers);
    assert!(!listed.contains(&"silver-only".to_owned()), "{listed:?}");
    assert!(!listed.contains(&"paused-one".to_owned()), "{listed:?}");
    assert_eq!(listed.len(), 6, "{offers:#}");
    // Best first.
    let scores: Vec<f64> = offers["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // The tea voucher in the wallet leads: tea is 80% of the spend, it is for tea lovers, it is
    // usable, it expires soon (its ¥20 is the dearest offer, so it earns nothing for thrift).
    let first = &offers["data"][0];
    assert_eq!(first["kind"], "voucher", "{offers:#}");
    assert_eq!(first["title"], "茶饮满减券");
    assert_eq!(first["reason"], "常买茶饮");
    let codes: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["often_buys", "for_segment", "in_wallet", "expires_soon"]
    );
    assert!(first["expires_at"].is_string());
    // Then the tumbler: 0.8 × 40 for tea, 20 for points enough, half of 10 for its cost.
    let tea = &offers["data"][1];
    assert_eq!(tea["id"], "tea");
    assert_eq!(tea["score"], 57.0);
    assert_eq!(reasons(tea), vec!["常买茶饮", "积分够兑换"]);
    assert_eq!(
        tea["parts"],
        json!([{"part": "affinity", "fraction": 0.8, "points": 32.0},
               {"part": "ready", "fraction": 1.0, "points": 20.0},
               {"part": "thrift", "fraction": 0.5, "points": 5.0}])
    );
    let cake = offer(&offers, "cake");
    assert_eq!(
        (&cake["ready"], &cake["short_by"]),
        (&json!(false), &json!(20))
    );
    assert!(
        reasons(cake).contains(&"距离兑换还差 20 积分".to_owned()),
        "{cake:#}"
    );
    assert_eq!(
        reasons(offer(&offers, "gold-gift")),
        vec!["积分够兑换", "金卡专享"]
    );
    let price = offer(&offers, "gold-price");
    assert_eq!(price["cost"], 80);
    assert!(
        reasons(price).contains(&"金卡价 80 积分".to_owned()),
        "{price:#}"
    );
    assert_eq!(
        reasons(offer(&offers, "seg-gift")),
        vec!["为「茶饮爱好者」会员准备", "积分够兑换"]
    );

    // In English.
    let en = app.get("/v1/members/m1/offers?lang=en&limit=2").await.body;
    assert_eq!(ids(&en).len(), 2);
    assert_eq!(en["data"][1]["title"], "Tea tumbler");
    assert_eq!(
        reasons(&en["data"][1]),
        vec!["You often buy 茶饮", "You have enough points"]
    );

    // A member who bought nothing still gets what they can use, with no categories.
    let m2 = app.get("/v1/members/m2/offers").await.body;
    assert_eq!(m2["categories"], json!([]));
    assert!(
        m2["data"].as_array().unwrap().iter().all(|o| o["parts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["part"] != "affinity")),
        "{m2:#}"
    );

    // A refund of the tea takes it off: desserts are all the member buys now.
    let r = app
        .post(
            "/v1/events",
            json!({"id": "r1", "type": "refund", "member": "m1",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "o-e1", "amount": 40_000,
                                  "lines": [{"sku": "sku-0", "category": "茶饮", "quantity": 1,
                                             "amount": 40_000}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let after = app.get("/v1/members/m1/offers").await.body;
    assert_eq!(
        after["categories"],
        json!([{"category": "甜点", "share": 1.0}])
    );
    assert!(reasons(offer(&after, "cake")).contains(&"常买甜点".to_owned()));
}

async fn settings_weigh_boost_and_hide(b: TestBackend) {
    let (app, _) = setup(b).await;
    let r = app.get("/v1/offers/settings").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["weights"]["affinity"], 40);
    assert_eq!(r.body["hidden"], json!([]));
    let r = app
        .put(
            "/v1/offers/settings",
            json!({"weights": {"affinity": 0}, "boosts": {"cake": 200}, "hidden": ["gold-gift"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // A part left out takes its default.
    assert_eq!(r.body["weights"]["ready"], 20);
    assert_eq!(app.get("/v1/offers/settings").await.body, r.body);
    let offers = app.get("/v1/members/m1/offers").await.body;
    assert_eq!(offers["data"][0]["id"], "cake", "{offers:#}");
    let cake = &offers["data"][0];
    assert!(
        cake["parts"]
            .as_array()
            .unwrap()
            .contains(&json!({"part": "boost", "fraction": 1.0, "points": 200.0})),
        "{cake:#}"
    );
    let listed = ids(&offers);
    assert!(!listed.contains(&"gold-gift".to_owned()), "{listed:?}");
    // With affinity weighing nothing, no offer says what the member buys.
    assert!(
        offers["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| !reasons(o).contains(&"常买茶饮".to_owned())),
        "{offers:#}"
    );
    // Hidden rewards can still be redeemed.
    let r = app
        .post(
            "/v1/members/m1/reward-redemptions",
            json!({"id": "g1", "reward_id": "gold-gift",
                   "shipping": {"name": "M1", "address": "上海市"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

async fn bad_requests_change_nothing(b: TestBackend) {
    let (app, _) = setup(b).await;
    let before = app.get("/v1/offers/settings").await.body;
    for (body, field) in [
        (json!({"weights": {"near": 5000}}), "weights.near"),
        (json!({"boosts": {"Not An Id": 1}}), "boosts"),
        (json!({"boosts": {"cake": 1001}}), "boosts.cake"),
        (json!({"hidden": [""]}), "hidden"),
    ] {
        let r = app.put("/v1/offers/settings", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    for body in [
        json!({"weight": {}}),
        json!([1]),
        json!({"weights": {"near": -1}}),
    ] {
        let r = app.put("/v1/offers/settings", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
    }
    assert_eq!(app.get("/v1/offers/settings").await.body, before);
    for q in ["limit=0", "limit=201", "limit=x"] {
        let r = app.get(&format!("/v1/members/m1/offers?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {r:?}");
    }
    let r = app.get("/v1/members/nobody/offers").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "member_not_found")
    );
    // Bad categories and costs to the brand are refused with the field.
    for (body, field) in [
        (
            json!({"kind": "physical", "title": {"en": "X"}, "cost": 1, "categories": [" tea"]}),
            "categories[0]",
        ),
        (
            json!({"kind": "physical", "title": {"en": "X"}, "cost": 1, "brand_cost": -1}),
            "brand_cost",
        ),
    ] {
        let r = app.put("/v1/rewards/bad", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    assert_eq!(
        app.get("/v1/rewards/bad").await.status,
        StatusCode::NOT_FOUND
    );
}
