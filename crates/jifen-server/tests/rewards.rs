//! Rewards end to end through HTTP, on both backends: a Tmall voucher ladder at checkout,
//! Taobao points as cash, a coffee brand's holiday gift vouchers shared with friends, the
//! catalog (limits, early access, perks, shipping, cancellation), and 200 concurrent checkouts
//! against one scarce reward and one member.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, TestBackend, t};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    tmall_ladder_checkout => super::tmall_ladder_checkout;
    taobao_points_as_cash => super::taobao_points_as_cash;
    coffee_holiday_gifts => super::coffee_holiday_gifts;
    concurrent_checkouts_never_oversell => super::concurrent_checkouts_never_oversell;
    bad_reward_input_is_refused => super::bad_reward_input_is_refused;
    catalog_locks_and_early_access => super::catalog_locks_and_early_access;
}

/// Monday 2 March 2026, 10:00 in Shanghai.
const MONDAY: &str = "2026-03-02T02:00:00Z";

fn cart(site: &str, lines: &[(&str, &str, i64, u32)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(sku, cat, price, q)| json!({"sku": sku, "category": cat, "price": price, "quantity": q}))
        .collect();
    json!({"site": site, "lines": lines})
}

impl TestApp {
    fn to(&self, at: DateTime<Utc>) {
        assert!(at >= self.now(), "the clock only moves forward");
        self.advance(at - self.now());
    }

    async fn ok(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        assert!(r.status.is_success(), "{path}: {r:?}");
        r.body
    }

    async fn validate(&self, body: Value) -> Value {
        self.ok("/v1/checkout/validate", body).await
    }

    async fn give_voucher(&self, member: &str, id: &str, template: &str) -> String {
        let v = self
            .ok(
                &format!("/v1/members/{member}/vouchers"),
                json!({"id": id, "template": template}),
            )
            .await;
        v["code"].as_str().unwrap().to_owned()
    }

    async fn wallet(&self, member: &str) -> Vec<Value> {
        let r = self.get(&format!("/v1/members/{member}/vouchers")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["data"].as_array().unwrap().clone()
    }

    async fn voucher_state(&self, code: &str) -> String {
        let r = self.get(&format!("/v1/vouchers/{code}")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["state"].as_str().unwrap().to_owned()
    }

    async fn lapse(&self) -> (usize, usize) {
        jifen_server::jobs::lapse_rewards(&self.state)
            .await
            .expect("lapse job")
    }
}

fn outcome<'a>(quote: &'a Value, code: &str) -> &'a Value {
    quote["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {quote}"))
}

async fn tmall_ladder_checkout(b: TestBackend) {
    let app = TestApp::spawn_template(b, "tmall-voucher-ladder", t(MONDAY)).await;
    app.member("m1").await;
    app.member("m2").await;
    let c358 = cart("tmall", &[("lipstick", "makeup", 17_900, 2)]);

    // The ladder applies to every Tmall cart: ¥358 reaches ¥199 (¥20 off) and says what more
    // to spend for the next rung.
    let q = app.validate(json!({"member": "m1", "cart": c358})).await;
    assert_eq!(q["subtotal"], 35_800);
    let ladder = outcome(&q, "auto:store-ladder");
    assert_eq!(ladder["applies"], true);
    assert_eq!(ladder["discount"], 2_000);
    assert_eq!(ladder["ladder"]["short_by"], 4_100);
    assert_eq!(ladder["ladder"]["hint"], "spend ¥41 more for ¥50 off");
    assert_eq!(q["total"], 33_800);
    // Not on another site.
    let q = app
        .validate(json!({"cart": cart("taobao", &[("lipstick", "makeup", 17_900, 2)])}))
        .await;
    assert_eq!(
        outcome(&q, "auto:store-ladder")["reason"]["code"],
        "site_not_allowed"
    );
    assert_eq!(q["total"], 35_800);

    // Store vouchers stack with the ladder; two of the store group do not stack together.
    let s10 = app.give_voucher("m1", "give-1", "store-10").await;
    let s25 = app.give_voucher("m1", "give-2", "store-25").await;
    assert_eq!(s10.len(), 12, "readable 12-character codes: {s10}");
    let q = app
        .validate(json!({"member": "m1", "cart": c358, "vouchers": [s10, s25]}))
        .await;
    assert_eq!(outcome(&q, &s25)["discount"], 2_500);
    assert_eq!(outcome(&q, &s10)["applies"], false);
    assert_eq!(outcome(&q, &s10)["reason"]["code"], "group_conflict");
    assert_eq!(q["discount"], 4_500);
    // A code typed in lower case with dashes is the same code; a typo is caught.
    let dashed = format!("{}-{}", &s10[..4], &s10[4..]).to_lowercase();
    let q = app
        .validate(json!({"member": "m1", "cart": c358, "vouchers": [dashed]}))
        .await;
    assert_eq!(outcome(&q, &s10)["applies"], true);
    let mut typo: Vec<char> = s10.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let q = app
        .validate(json!({"member": "m1", "cart": c358, "vouchers": [typo]}))
        .await;
    assert_eq!(outcome(&q, &typo)["reason"]["code"], "mistyped");
    // Another member's voucher is not theirs.
    let q = app
        .validate(json!({"member": "m2", "cart": c358, "vouchers": [s10]}))
        .await;
    assert_eq!(outcome(&q, &s10)["reason"]["code"], "not_yours");

    // Redeem: the same judge, strict, and the voucher is reserved.
    let body = json!({"id": "order-1", "member": "m1", "cart": c358, "vouchers": [s10]});
    let shown = app.validate(body.clone()).await;
    let r = app.post("/v1/checkout/redeem", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(
        r.body["quote"], shown,
        "validation and redemption agree exactly"
    );
    let q = app
        .validate(json!({"member": "m1", "cart": c358, "vouchers": [s10]}))
        .await;
    assert_eq!(r.body["quote"]["discount"], 3_000);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(outcome(&q, &s10)["reason"]["code"], "reserved");
    assert_eq!(app.voucher_state(&s10).await, "reserved");
    let again = app.post("/v1/checkout/redeem", body).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, r.body, "a retry answers as the first did");
    let confirmed = app.ok("/v1/checkout/order-1/confirm", json!({})).await;
    assert_eq!(confirmed["status"], "confirmed");
    let twice = app.ok("/v1/checkout/order-1/confirm", json!({})).await;
    assert_eq!(twice["status"], "confirmed");
    assert_eq!(app.voucher_state(&s10).await, "used");
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "order-2", "member": "m1", "cart": c358, "vouchers": [s10]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "voucher_not_applicable");
    assert_eq!(r.body["error"]["field"], "vouchers[0]");

    // A reservation not confirmed in time is released by itself.
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "order-3", "member": "m1", "cart": c358, "vouchers": [s25]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.advance(Duration::minutes(16));
    assert_eq!(
        app.voucher_state(&s25).await,
        "usable",
        "released at the deadline"
    );
    let late = app.post("/v1/checkout/order-3/confirm", json!({})).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.code(), "checkout_not_pending");
    assert_eq!(app.lapse().await.0, 1);
    assert_eq!(
        app.get("/v1/checkout/order-3").await.body["status"],
        "expired"
    );
    let abandon = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "order-4", "member": "m1", "cart": c358, "vouchers": [s25]}),
        )
        .await;
    assert_eq!(abandon.status, StatusCode::CREATED);
    let c = app.ok("/v1/checkout/order-4/cancel", json!({})).await;
    assert_eq!(c["status"], "cancelled");
    assert_eq!(app.voucher_state(&s25).await, "usable");

    // The rule effect: completing the profile issues a new-customer voucher, which does not
    // combine with anything; the best total wins.
    app.behaviour("pc-1", "profile_completed", "m2", json!({}))
        .await;
    let wallet = app.wallet("m2").await;
    assert_eq!(wallet.len(), 1);
    assert_eq!(wallet[0]["template"], "new-customer-30");
    assert_eq!(wallet[0]["source"], "rule:profile-voucher:pc-1");
    let nc = wallet[0]["code"].as_str().unwrap().to_owned();
    let q = app
        .validate(
            json!({"member": "m2", "cart": cart("tmall", &[("serum", "skincare", 20_000, 1)]),
                         "vouchers": [nc]}),
        )
        .await;
    assert_eq!(outcome(&q, &nc)["discount"], 3_000);
    assert_eq!(
        outcome(&q, "auto:store-ladder")["reason"]["code"],
        "not_combinable"
    );
    assert_eq!(q["discount"], 3_000);

    // Public codes: a total cap, each member once.
    let made = app
        .ok(
            "/v1/voucher-templates/store-10/codes",
            json!({"id": "batch-1", "count": 2, "max_uses": 2}),
        )
        .await;
    let public = made["codes"][0].as_str().unwrap().to_owned();
    for (i, m) in ["m1", "m2"].iter().enumerate() {
        let r = app
            .post(
                "/v1/checkout/redeem",
                json!({"id": format!("pub-{i}"), "member": m, "cart": c358, "vouchers": [public]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        app.ok(&format!("/v1/checkout/pub-{i}/confirm"), json!({}))
            .await;
    }
    app.member("m3").await;
    let q = app
        .validate(json!({"member": "m1", "cart": c358, "vouchers": [public]}))
        .await;
    assert_eq!(outcome(&q, &public)["reason"]["code"], "used_by_you");
    let q = app
        .validate(json!({"member": "m3", "cart": c358, "vouchers": [public]}))
        .await;
    assert_eq!(outcome(&q, &public)["reason"]["code"], "used_up");

    // CSV import: issued to a member or public; duplicates are reported, a bad row refuses all.
    let csv = format!("code,member,max_uses\nGIFTCARD0001,m3,\nGIFTCARD0002,,5\n{public},,\n");
    let r = app
        .raw(
            reqwest::Method::POST,
            "/v1/voucher-templates/store-10/codes/import",
            &csv,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["codes"], json!(["GIFTCARD0001", "GIFTCARD0002"]));
    assert_eq!(r.body["duplicates"], json!([public]));
    assert_eq!(app.wallet("m3").await[0]["code"], "GIFTCARD0001");
    let r = app
        .raw(
            reqwest::Method::POST,
            "/v1/voucher-templates/store-10/codes/import",
            "GOOD0003\nbad code!\n",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["field"], "line 2");
    assert_eq!(
        app.get("/v1/vouchers/GOOD0003").await.code(),
        "voucher_not_found"
    );
}

async fn taobao_points_as_cash(b: TestBackend) {
    let app = TestApp::spawn_template(b, "taobao-points", t(MONDAY)).await;
    app.member("m1").await;
    assert_eq!(
        app.adjust("m1", "gift-1", 5_000).await.status,
        StatusCode::CREATED
    );
    let c100 = cart("taobao", &[("tea", "food", 10_000, 1)]);

    // 100 points = ¥1, at most half the order.
    let c80 = cart("taobao", &[("tea", "food", 8_000, 1)]);
    let q = app
        .validate(json!({"member": "m1", "cart": c80, "points": 8_000}))
        .await;
    assert_eq!(q["points"]["used"], 4_000);
    assert_eq!(q["points"]["value"], 4_000);
    assert_eq!(q["points"]["max_points"], 4_000);
    assert_eq!(q["points"]["reason"]["code"], "points_capped");
    assert_eq!(q["total"], 4_000);
    let q = app
        .validate(json!({"member": "m1", "cart": c100, "points": 9_000}))
        .await;
    assert_eq!(q["points"]["used"], 5_000);
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "o1", "member": "m1", "cart": c100, "points": 6_000}),
        )
        .await;
    assert_eq!(r.code(), "points_not_applicable", "{r:?}");
    assert_eq!(
        app.available("m1").await,
        5_000,
        "a refused checkout changes nothing"
    );

    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "o1", "member": "m1", "cart": c100, "points": 3_000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["hold"], "checkout:o1");
    let r = app.post("/v1/holds/checkout:o1/void", json!({})).await;
    assert_eq!(
        r.code(),
        "forbidden",
        "a checkout's hold moves with its checkout"
    );
    let bal = app.balance("m1").await;
    assert_eq!(
        (bal["available"].as_i64(), bal["held"].as_i64()),
        (Some(2_000), Some(3_000))
    );
    app.ok("/v1/checkout/o1/confirm", json!({})).await;
    let bal = app.balance("m1").await;
    assert_eq!(
        (bal["available"].as_i64(), bal["held"].as_i64()),
        (Some(2_000), Some(0))
    );
    assert_eq!(bal["lifetime_redeemed"], 3_000);

    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "o2", "member": "m1", "cart": c100, "points": 1_000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.ok("/v1/checkout/o2/cancel", json!({})).await;
    assert_eq!(
        app.available("m1").await,
        2_000,
        "a cancelled checkout releases its points"
    );
    let r = app.post("/v1/checkout/o2/confirm", json!({})).await;
    assert_eq!(r.code(), "checkout_not_pending");

    // The catalog: a ¥10 voucher for 1,000 points, twice a month.
    assert_eq!(
        app.adjust("m1", "gift-2", 3_000).await.status,
        StatusCode::CREATED
    );
    let catalog = app.get("/v1/members/m1/rewards?lang=en").await;
    assert_eq!(catalog.status, StatusCode::OK, "{catalog:?}");
    let item = &catalog.body["data"][0];
    assert_eq!(item["title"], "¥10 voucher");
    assert_eq!(item["availability"]["redeemable"], true);
    for i in 0..2 {
        let r = app
            .post(
                "/v1/members/m1/reward-redemptions",
                json!({"id": format!("rr-{i}"), "reward_id": "voucher-10"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(r.body["points"], 1_000);
        assert_eq!(r.body["issued"]["vouchers"].as_array().unwrap().len(), 1);
    }
    let r = app
        .post(
            "/v1/members/m1/reward-redemptions",
            json!({"id": "rr-2", "reward_id": "voucher-10"}),
        )
        .await;
    assert_eq!(r.code(), "reward_unavailable", "{r:?}");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit_reached")
    );
    let catalog = app.get("/v1/members/m1/rewards").await;
    let locks = &catalog.body["data"][0]["availability"]["locks"];
    assert_eq!(locks[0]["code"], "limit_reached", "{locks}");
    assert_eq!(app.available("m1").await, 3_000);
    // Cancelled once: the points come back once, and the voucher is void.
    let c = app
        .ok(
            "/v1/reward-redemptions/rr-0/cancel",
            json!({"reason": "changed mind"}),
        )
        .await;
    assert_eq!(c["status"], "cancelled");
    app.ok("/v1/reward-redemptions/rr-0/cancel", json!({}))
        .await;
    assert_eq!(app.available("m1").await, 4_000);
    let code = c["issued"]["vouchers"][0].as_str().unwrap();
    assert_eq!(app.voucher_state(code).await, "cancelled");
    // A voucher of the other redemption pays a checkout, and then its redemption cannot be
    // cancelled.
    let rr1 = app.get("/v1/reward-redemptions/rr-1").await.body;
    let v = rr1["issued"]["vouchers"][0].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "o3", "member": "m1", "cart": c100, "vouchers": [v], "points": 500}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["quote"]["discount"], 1_000);
    assert_eq!(r.body["quote"]["points"]["value"], 500);
    assert_eq!(r.body["quote"]["total"], 8_500);
    let r = app
        .post("/v1/reward-redemptions/rr-1/cancel", json!({}))
        .await;
    assert_eq!(r.code(), "not_cancellable");
}

async fn coffee_holiday_gifts(b: TestBackend) {
    let nov = t("2026-11-20T02:00:00Z");
    let app = TestApp::spawn_template(b, "coffee-holiday-gifts", nov).await;
    app.member("anna").await;
    app.purchase("p1", "anna", "order-1", 500_000).await;
    assert_eq!(app.available("anna").await, 10_000);

    // Before December the holiday gift is locked, and says when it opens.
    let catalog = app.get("/v1/members/anna/rewards?lang=en").await.body;
    let latte = catalog["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "holiday-latte")
        .unwrap()
        .clone();
    assert_eq!(latte["availability"]["locks"][0]["code"], "opens_later");
    assert_eq!(
        latte["availability"]["locks"][0]["message"],
        "opens for you in 10 d"
    );
    let r = app
        .post(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "early", "reward_id": "holiday-latte"}),
        )
        .await;
    assert_eq!(r.code(), "reward_unavailable");

    // In December Anna buys one with points and gifts it at once.
    app.to(t("2026-12-10T02:00:00Z"));
    // A birthday rule issues Dora a free drink, once.
    let r = app
        .put("/v1/members/dora", json!({"birthday": "1995-12-10"}))
        .await;
    assert!(r.status.is_success(), "{r:?}");
    for _ in 0..2 {
        jifen_server::jobs::birthdays(&app.state)
            .await
            .expect("birthday job");
    }
    let wallet = app.wallet("dora").await;
    assert_eq!(wallet.len(), 1, "{wallet:?}");
    assert_eq!(wallet[0]["template"], "birthday-drink");
    assert_eq!(wallet[0]["state"], "usable");
    let r = app
        .post(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "g1", "reward_id": "holiday-latte", "gift": {"message": "圣诞快乐"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(app.available("anna").await, 9_200);
    let token = r.body["gift"]["token"].as_str().unwrap().to_owned();
    let code = r.body["issued"]["vouchers"][0].as_str().unwrap().to_owned();
    assert_eq!(app.voucher_state(&code).await, "gifted");
    let preview = app.get(&format!("/v1/gifts/{token}")).await;
    assert_eq!(preview.status, StatusCode::OK, "{preview:?}");
    assert_eq!(preview.body["status"], "offered");
    assert_eq!(preview.body["sender"], "anna");
    assert!(
        preview.body.get("token").is_none(),
        "the token is shown once"
    );
    // Anna cannot use a voucher she offered.
    let drinks = cart("store:sh-01", &[("latte-tall", "drinks", 3_200, 1)]);
    let q = app
        .validate(json!({"member": "anna", "cart": drinks, "vouchers": [code]}))
        .await;
    assert_eq!(outcome(&q, &code)["reason"]["code"], "gifted");

    // Ben is not a member yet: claiming enrols him, and the voucher is his.
    let claim = app
        .post(
            &format!("/v1/gifts/{token}/claim"),
            json!({"member": "ben", "name": "Ben"}),
        )
        .await;
    assert_eq!(claim.status, StatusCode::OK, "{claim:?}");
    assert_eq!(claim.body["status"], "claimed");
    assert_eq!(claim.body["recipient"], "ben");
    let ben = app.get("/v1/members/ben").await.body;
    assert_eq!(ben["name"], "Ben");
    assert_eq!(
        ben["enrolled_at"],
        app.now()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    );
    let again = app
        .post(
            &format!("/v1/gifts/{token}/claim"),
            json!({"member": "ben"}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the same friend claiming again: same answer"
    );
    let other = app
        .post(
            &format!("/v1/gifts/{token}/claim"),
            json!({"member": "cara"}),
        )
        .await;
    assert_eq!(other.code(), "gift_unavailable");
    let q = app
        .validate(json!({"member": "ben", "cart": drinks, "vouchers": [code]}))
        .await;
    assert_eq!(outcome(&q, &code)["discount"], 3_200);
    assert_eq!(q["total"], 0);
    let q = app
        .validate(json!({"member": "anna", "cart": drinks, "vouchers": [code]}))
        .await;
    assert_eq!(outcome(&q, &code)["reason"]["code"], "not_yours");
    let r = app
        .post("/v1/reward-redemptions/g1/cancel", json!({}))
        .await;
    assert_eq!(
        r.code(),
        "not_cancellable",
        "a claimed gift cannot be cancelled"
    );

    // A gift not claimed in time returns to Anna.
    let r = app
        .post(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "g2", "reward_id": "holiday-latte"}),
        )
        .await;
    let code2 = r.body["issued"]["vouchers"][0].as_str().unwrap().to_owned();
    let gift = app
        .ok(
            &format!("/v1/members/anna/vouchers/{code2}/gift"),
            json!({"id": "share-2", "hours": 1}),
        )
        .await;
    let token2 = gift["token"].as_str().unwrap().to_owned();
    let twice = app
        .post(
            &format!("/v1/members/anna/vouchers/{code2}/gift"),
            json!({"id": "share-3"}),
        )
        .await;
    assert_eq!(twice.code(), "gift_unavailable", "one offer at a time");
    let r = app
        .post(
            &format!("/v1/gifts/{token2}/cancel"),
            json!({"member": "ben"}),
        )
        .await;
    assert_eq!(r.code(), "forbidden", "only the sender takes a gift back");
    app.advance(Duration::hours(2));
    assert_eq!(
        app.get(&format!("/v1/gifts/{token2}")).await.body["status"],
        "returned",
        "past its deadline before the job writes it down"
    );
    let late = app
        .post(
            &format!("/v1/gifts/{token2}/claim"),
            json!({"member": "cara"}),
        )
        .await;
    assert_eq!(late.code(), "gift_unavailable");
    assert_eq!(app.voucher_state(&code2).await, "usable");
    assert_eq!(
        app.get("/v1/members/cara").await.code(),
        "member_not_found",
        "a refused claim enrols no one"
    );
    // Offered again and claimed before the job writes the first offer down: the job's return
    // of the first offer leaves the voucher with the friend.
    let again = app
        .ok(
            &format!("/v1/members/anna/vouchers/{code2}/gift"),
            json!({"id": "share-4"}),
        )
        .await;
    let token3 = again["token"].as_str().unwrap();
    app.ok(
        &format!("/v1/gifts/{token3}/claim"),
        json!({"member": "ben"}),
    )
    .await;
    assert_eq!(app.lapse().await.1, 1);
    assert_eq!(
        app.get(&format!("/v1/vouchers/{code2}")).await.body["owner"],
        "ben"
    );

    // A partner perk hands out codes from its pool; a physical gift is shipped.
    let r = app
        .raw(
            reqwest::Method::POST,
            "/v1/rewards/cinema-ticket/codes",
            r#"{"codes": ["CINE-1", "CINE-2"]}"#,
        )
        .await;
    assert_eq!(r.body["added"], 2, "{r:?}");
    let perk = app
        .ok(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "perk-1", "reward_id": "cinema-ticket"}),
        )
        .await;
    assert_eq!(perk["issued"]["codes"], json!(["CINE-1"]));
    let r = app
        .post("/v1/reward-redemptions/perk-1/cancel", json!({}))
        .await;
    assert_eq!(
        r.code(),
        "not_cancellable",
        "a code handed over cannot be taken back"
    );
    let cup = app
        .ok(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "cup-1", "reward_id": "tumbler",
                   "shipping": {"name": "Anna", "address": "上海市静安区"}}),
        )
        .await;
    assert_eq!(cup["status"], "requested");
    let points_before = app.available("anna").await;
    let shipped = app
        .ok(
            "/v1/reward-redemptions/cup-1/fulfilment",
            json!({"status": "shipped", "tracking": "SF123"}),
        )
        .await;
    assert_eq!(shipped["details"]["tracking"], "SF123");
    let back = app
        .post(
            "/v1/reward-redemptions/cup-1/fulfilment",
            json!({"status": "requested"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY);
    let c = app
        .ok("/v1/reward-redemptions/cup-1/cancel", json!({}))
        .await;
    assert_eq!(c["status"], "cancelled");
    assert_eq!(app.available("anna").await, points_before + 3_000);
    let r = app
        .post(
            "/v1/reward-redemptions/cup-1/fulfilment",
            json!({"status": "delivered"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_transition");
    let stock = app.get("/v1/rewards/tumbler").await.body;
    assert_eq!(
        (stock["taken"].as_i64(), stock["left"].as_i64()),
        (Some(0), Some(200))
    );
}

async fn concurrent_checkouts_never_oversell(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("hot").await;
    assert_eq!(
        app.adjust("hot", "seed", 1_000).await.status,
        StatusCode::CREATED
    );
    let r = app
        .put(
            "/v1/checkout-settings",
            json!({"points_as_cash": {"points": 1, "fen": 1, "max_share_percent": 100}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .put(
            "/v1/rewards/scarce",
            json!({"kind": "physical", "title": {"en": "Scarce"}, "cost": 100, "stock": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let c = cart("app", &[("x", "y", 10_000, 1)]);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (base, key, c) = (app.base.clone(), app.key.clone(), c.clone());
        let client = app.client.clone();
        tasks.push(tokio::spawn(async move {
            let (path, body) = if i % 2 == 0 {
                (
                    "/v1/members/hot/reward-redemptions".to_owned(),
                    json!({"id": format!("r{i}"), "reward_id": "scarce"}),
                )
            } else {
                (
                    "/v1/checkout/redeem".to_owned(),
                    json!({"id": format!("c{i}"), "member": "hot", "cart": c, "points": 100}),
                )
            };
            let r = client
                .post(format!("{base}{path}"))
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .expect("send");
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (
                i % 2 == 0,
                status,
                body["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        }));
    }
    let (mut rewards, mut checkouts) = (0, 0);
    for task in tasks {
        let (reward, status, code) = task.await.expect("task");
        match (status, reward) {
            (StatusCode::CREATED, true) => rewards += 1,
            (StatusCode::CREATED, false) => checkouts += 1,
            _ => assert!(
                [
                    "insufficient_points",
                    "reward_unavailable",
                    "points_not_applicable"
                ]
                .contains(&code.as_str()),
                "{status} {code}"
            ),
        }
    }
    assert!(rewards <= 5, "never oversold: {rewards}");
    assert_eq!(
        rewards + checkouts,
        10,
        "every point spent once, none twice"
    );
    let stock = app.get("/v1/rewards/scarce").await.body;
    assert_eq!(stock["taken"], rewards);
    let bal = app.balance("hot").await;
    assert_eq!(bal["available"], 0);
    assert_eq!(bal["held"], 100 * checkouts);
    assert_eq!(bal["lifetime_redeemed"], 100 * rewards);
}

async fn bad_reward_input_is_refused(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app
        .put(
            "/v1/voucher-templates/half",
            json!({"title": {"en": "Half"}, "discount": {"kind": "percent", "percent": 150}}),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    assert_eq!(r.body["error"]["field"], "discount.percent");
    let r = app
        .put(
            "/v1/voucher-templates/x",
            json!({"title": {"en": "X"}, "discount": {"kind": "amount", "off": 100}, "colour": 1}),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    let r = app
        .put(
            "/v1/rewards/r1",
            json!({"kind": "voucher", "template": "nope", "title": {"en": "R"}, "cost": 1}),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    assert_eq!(r.body["error"]["field"], "template");
    let r = app
        .put(
            "/v1/rewards/r1",
            json!({"kind": "physical", "title": {"en": "R"}, "cost": 1, "template": "t"}),
        )
        .await;
    assert_eq!(
        r.code(),
        "invalid_request",
        "a field of another kind is refused"
    );
    let r = app
        .put(
            "/v1/rules/birthday",
            json!({"name": "b", "trigger": {"kind": "event", "types": ["purchase"]},
                   "effects": [{"kind": "issue_voucher", "template": "missing"}]}),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    assert_eq!(r.body["error"]["field"], "effects[0].template");
    let r = app
        .post(
            "/v1/checkout/validate",
            json!({"cart": {"lines": [{"sku": "a", "price": 100, "quantity": 0}]}}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "cart.lines[0].quantity");
    let r = app
        .post(
            "/v1/checkout/validate",
            json!({"cart": {"lines": [{"sku": "a", "price": 100, "quantity": 1}]}, "points": 5}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "points");
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"cart": {"lines": [{"sku": "a", "price": 1, "quantity": 1}]}}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "id");
    assert_eq!(
        app.post("/v1/checkout/none/confirm", json!({}))
            .await
            .code(),
        "checkout_not_found"
    );
    assert_eq!(
        app.get("/v1/gifts/NOSUCHTOKEN").await.code(),
        "gift_not_found"
    );
    // Stock cannot drop below what was taken.
    let r = app
        .put(
            "/v1/rewards/cup",
            json!({"kind": "physical", "title": {"en": "Cup"}, "cost": 0, "stock": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.ok(
        "/v1/members/m1/reward-redemptions",
        json!({"id": "free", "reward_id": "cup"}),
    )
    .await;
    let r = app
        .put(
            "/v1/rewards/cup",
            json!({"kind": "physical", "title": {"en": "Cup"}, "cost": 0, "stock": 0}),
        )
        .await;
    assert_eq!(r.code(), "stock_below_taken");
    let r = app
        .post(
            "/v1/members/m1/reward-redemptions",
            json!({"id": "free-2", "reward_id": "cup"}),
        )
        .await;
    assert_eq!(r.code(), "reward_unavailable");
}

async fn catalog_locks_and_early_access(b: TestBackend) {
    let app = TestApp::spawn_template(b, "spend-tiers", t(MONDAY)).await;
    for m in ["silver", "gold"] {
        app.member(m).await;
    }
    // ¥5,000 of spend makes `gold` a Gold member; both have points to spend.
    app.purchase("p1", "gold", "order-1", 500_000).await;
    assert_eq!(
        app.adjust("silver", "a1", 2_000).await.status,
        StatusCode::CREATED
    );
    let opens = app.now() + Duration::hours(5);
    let r = app
        .put(
            "/v1/rewards/gold-preview",
            json!({"kind": "physical", "title": {"zh-CN": "金卡新品", "en": "Gold preview"},
                   "images": ["https://cdn.example.com/p.png"],
                   "cost": 1_000, "cost_by_tier": {"gold": 600}, "stock": 10,
                   "limits": {"lifetime": 1},
                   "eligibility": {"tiers": ["gold", "platinum"]},
                   "available_from": opens.to_rfc3339(),
                   "early_access": {"gold": 3}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .put(
            "/v1/rewards/shanghai-vip",
            json!({"kind": "physical", "title": {"en": "Shanghai VIP"}, "cost": 100,
                   "eligibility": {"tags": ["vip"],
                                   "condition": "member.attributes.city == 'Shanghai'"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let locks = |catalog: &Value, id: &str| -> Vec<String> {
        catalog["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["availability"]["locks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let silver = app.get("/v1/members/silver/rewards?lang=en").await.body;
    assert_eq!(
        locks(&silver, "gold-preview"),
        ["opens for you in 5 h", "needs Gold or Platinum tier"]
    );
    let gold = app.get("/v1/members/gold/rewards").await.body;
    assert_eq!(locks(&gold, "gold-preview"), ["opens for you in 2 h"]);
    let preview = gold["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "gold-preview")
        .unwrap();
    assert_eq!(preview["title"], "金卡新品");
    assert_eq!(preview["availability"]["cost"], 600);
    assert_eq!(
        locks(&gold, "shanghai-vip").len(),
        2,
        "needs the tag and the condition"
    );

    // Two hours on, Gold members may redeem (at their price); Silver still waits.
    app.advance(Duration::hours(2));
    let body = json!({"id": "g-1", "reward_id": "gold-preview",
                      "shipping": {"name": "Gao", "address": "北京市朝阳区"}});
    let r = app
        .post("/v1/members/gold/reward-redemptions", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["points"], 600);
    let again = app.post("/v1/members/gold/reward-redemptions", body).await;
    assert_eq!(again.body, r.body, "a retry answers as the first did");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let r = app
        .post(
            "/v1/members/gold/reward-redemptions",
            json!({"id": "g-2", "reward_id": "gold-preview"}),
        )
        .await;
    assert_eq!(
        r.code(),
        "reward_unavailable",
        "lifetime limit of one: {r:?}"
    );
    let r = app
        .post(
            "/v1/members/silver/reward-redemptions",
            json!({"id": "s-1", "reward_id": "gold-preview"}),
        )
        .await;
    assert_eq!(r.code(), "reward_unavailable");
    assert_eq!(
        app.available("silver").await,
        2_000,
        "a refused redemption spends nothing"
    );

    // Tags and conditions: a tagged member in Shanghai may redeem.
    let r = app
        .put(
            "/v1/members/silver",
            json!({"attributes": {"city": "Shanghai"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let silver = app.get("/v1/members/silver/rewards").await.body;
    assert_eq!(
        locks(&silver, "shanghai-vip"),
        ["only for members tagged vip"]
    );
}
