//! Tiers end to end through HTTP, on both backends: the 88 Membership (an engagement score
//! across sites decides Standard / Super / APASS, with benefits, a hotel partner perk, an
//! override and requalification with grace) and classic spend tiers (with a policy change
//! re-evaluated by a job).

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, TestBackend, t};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    alibaba_88_year => super::alibaba_88_year;
    spend_tiers_year => super::spend_tiers_year;
    bad_tier_settings_are_refused => super::bad_tier_settings_are_refused;
}

/// Monday 2 March 2026, 10:00 in Shanghai.
const MONDAY: &str = "2026-03-02T02:00:00Z";

fn day(n: i64) -> DateTime<Utc> {
    t(MONDAY) + Duration::days(n)
}

impl TestApp {
    fn to(&self, at: DateTime<Utc>) {
        assert!(at >= self.now(), "the clock only moves forward");
        self.advance(at - self.now());
    }

    /// A purchase on a site, with one line per category.
    async fn shop(&self, id: &str, member: &str, amount: i64, site: &str, cats: &[&str]) -> Value {
        let lines: Vec<Value> = cats
            .iter()
            .map(
                |c| json!({"sku": format!("sku-{c}"), "category": c, "quantity": 1, "amount": 100}),
            )
            .collect();
        let r = self
            .post(
                "/v1/events",
                json!({"id": id, "type": "purchase", "member": member, "site": site,
                       "occurred_at": self.now().to_rfc3339(),
                       "attributes": {"order_id": format!("order-{id}"), "amount": amount,
                                      "lines": lines}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{id}: {r:?}");
        r.body
    }

    async fn tier_of(&self, member: &str) -> Value {
        let r = self.get(&format!("/v1/members/{member}")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["tier"].clone()
    }

    async fn meters_of(&self, member: &str) -> Value {
        let r = self.get(&format!("/v1/members/{member}/meters")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["meters"].clone()
    }

    async fn history_of(&self, member: &str) -> Vec<String> {
        let r = self.get(&format!("/v1/members/{member}/tiers")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{} {}→{}",
                    h["kind"].as_str().unwrap(),
                    h["from"].as_str().unwrap(),
                    h["to"].as_str().unwrap()
                )
            })
            .collect()
    }

    async fn benefits_of(&self, member: &str) -> Value {
        let r = self.get(&format!("/v1/members/{member}/benefits")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body
    }

    /// Runs a re-evaluation of every member and waits for it.
    async fn reevaluate(&self) -> Value {
        let r = self.post("/v1/tier-jobs", json!({})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
        self.wait_job(r.body["id"].as_str().unwrap()).await
    }

    async fn wait_job(&self, id: &str) -> Value {
        for _ in 0..400 {
            let r = self.get(&format!("/v1/tier-jobs/{id}")).await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
            if r.body["status"] == "done" {
                return r.body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("tier job {id} did not finish");
    }

    /// The member's notifications as (template, recipient, payload).
    async fn notes_of(&self, member: &str) -> Vec<(String, Option<String>, Value)> {
        let r = self.get(&format!("/v1/members/{member}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let id = self
            .state
            .store
            .member_head(&self.program_id, member)
            .await
            .unwrap()
            .unwrap()
            .id;
        let mut notes: Vec<_> = self
            .state
            .store
            .list_notifications(
                &self.program_id,
                &jifen_store::NotificationFilter {
                    member_id: Some(id),
                    ..Default::default()
                },
                100,
                None,
            )
            .await
            .unwrap()
            .into_iter()
            .map(|n| {
                (
                    n.template,
                    n.recipient,
                    n.payload
                        .map_or(Value::Null, |p| serde_json::from_str(&p).unwrap()),
                )
            })
            .collect();
        notes.reverse();
        notes
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect()
}

fn granted(benefits: &Value, id: &str) -> Vec<Value> {
    benefits["granted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["benefit"] == id)
        .cloned()
        .collect()
}

async fn alibaba_88_year(b: TestBackend) {
    let app = TestApp::spawn_template(b, "alibaba-88", t(MONDAY)).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    // Sites are declared: an event from elsewhere is refused and changes nothing.
    let r = app
        .post(
            "/v1/events",
            json!({"id": "x", "type": "purchase", "member": "m1", "site": "jd",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "o-x", "amount": 100}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "site");

    // Day 0: ¥800 of beauty and snacks on Tmall: 800 points, a score of 800 + 2 × 20.
    let a = app
        .shop("p1", "m1", 80_000, "tmall", &["beauty", "snacks"])
        .await;
    assert_eq!(a["points"], 800, "{a}");
    assert!(a.get("tier").is_none(), "{a}");
    let tier = app.tier_of("m1").await;
    assert_eq!(tier["tier"]["id"], "standard");
    assert_eq!(tier["progress"]["value"], 840);
    assert_eq!(tier["progress"]["next_tier"], "super");
    assert_eq!(tier["progress"]["missing"], 160);
    // Four distinct storefronts (one visited twice), reviews, forum posts and a share.
    for (i, s) in ["s1", "s2", "s1", "s3", "s4"].iter().enumerate() {
        app.behaviour(
            &format!("v{i}"),
            "site_visit",
            "m1",
            json!({"storefront": s}),
        )
        .await;
    }
    for i in 0..3 {
        app.behaviour(&format!("rv{i}"), "review", "m1", json!({}))
            .await;
    }
    for i in 0..2 {
        app.behaviour(&format!("fp{i}"), "forum_post", "m1", json!({}))
            .await;
    }
    app.behaviour("sh0", "share", "m1", json!({})).await;
    assert_eq!(
        app.meters_of("m1").await,
        json!({"categories": 2, "engagement": 85, "spend_score": 800, "storefronts": 4,
               "taoqizhi": 945})
    );
    // ¥100 of books on Fliggy crosses 1,000: Super at once, with its welcome gift. The event
    // itself earned at the old tier's rate.
    let a = app.shop("p2", "m1", 10_000, "fliggy", &["books"]).await;
    assert_eq!(a["tier"]["kind"], "upgraded", "{a}");
    assert_eq!(
        (a["tier"]["from"].as_str(), a["tier"]["to"].as_str()),
        (Some("standard"), Some("super"))
    );
    assert_eq!(a["tier"]["value"], 1065);
    assert_eq!(a["points"], 100 + 200, "{a}");
    // Then 1.2× on purchases.
    let a = app.shop("p3", "m1", 10_000, "taobao", &["books"]).await;
    assert_eq!(a["points"], 120, "{a}");
    assert!(
        a["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "tier:super"),
        "{a}"
    );
    let b1 = app.benefits_of("m1").await;
    assert_eq!(b1["tier"]["id"], "super");
    assert_eq!(
        ids(&b1["benefits"]),
        [
            "super-points",
            "super-welcome",
            "super-early",
            "super-shipping",
            "super-birthday",
            "hotel-gold"
        ]
    );
    assert!(
        b1["benefits"][0]["why"]
            .as_str()
            .unwrap()
            .contains("taoqizhi 1165 ≥ 1000"),
        "{b1}"
    );
    assert_eq!(granted(&b1, "super-welcome")[0]["points"], 200);
    let notes = app.notes_of("m1").await;
    assert!(
        notes.contains(&(
            "partner_perk_granted".into(),
            Some("partner:hotel".into()),
            json!({"member": "m1", "perk": "gold", "tier": "super"})
        )),
        "{notes:?}"
    );
    assert_eq!(app.history_of("m1").await, ["upgraded standard→super"]);

    // m2: ¥1,000 at once is Super too.
    let a = app.shop("q1", "m2", 100_000, "tmall", &["home"]).await;
    assert_eq!(
        (a["tier"]["to"].as_str(), a["points"].as_i64()),
        (Some("super"), Some(1_200))
    );

    // Spending alone stops counting at 1,500: APASS needs engagement.
    let a = app.shop("p4", "m1", 60_000, "tmall", &["toys"]).await;
    assert_eq!(a["points"], 720, "1.2 × 600: {a}");
    app.shop("p5", "m1", 100_000, "tmall", &["a", "b", "c", "d", "e"])
        .await;
    for i in 0..20 {
        app.behaviour(
            &format!("w{i}"),
            "site_visit",
            "m1",
            json!({"storefront": format!("w{i}")}),
        )
        .await;
    }
    let m = app.meters_of("m1").await;
    assert_eq!(
        (m["spend_score"].as_i64(), m["taoqizhi"].as_i64()),
        (Some(1_500), Some(1_885)),
        "{m}"
    );
    // Five reviews a day count; a sixth does not.
    for d in 1..=6 {
        app.to(day(d));
        for i in 0..6 {
            let a = app
                .behaviour(&format!("r{d}-{i}"), "review", "m1", json!({}))
                .await;
            assert!(a.get("tier").is_none(), "{a}");
        }
    }
    assert_eq!(app.meters_of("m1").await["taoqizhi"], 2_485);
    app.to(day(7));
    let a = app.behaviour("r7-0", "review", "m1", json!({})).await;
    assert_eq!(
        (a["tier"]["from"].as_str(), a["tier"]["to"].as_str()),
        (Some("super"), Some("apass")),
        "{a}"
    );
    assert_eq!(a["points"], 1_000, "the APASS welcome gift: {a}");
    let apass_at = app.now();
    let a = app.shop("p6", "m1", 10_000, "tmall", &["books"]).await;
    assert_eq!(a["points"], 150, "1.5×: {a}");
    let b1 = app.benefits_of("m1").await;
    assert_eq!(b1["tier"]["id"], "apass");
    let live = b1["benefits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "apass-live")
        .unwrap();
    assert_eq!(live["detail"]["url"], "https://live.example.com/apass");
    assert_eq!(
        granted(&b1, "apass-welcome")[0]["voucher"],
        "apass-welcome-50"
    );
    // The gift's voucher is issued to the member, with a code of its own.
    let wallet = app.get("/v1/members/m1/vouchers").await.body;
    let welcome: Vec<&Value> = wallet["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["template"] == "apass-welcome-50")
        .collect();
    assert_eq!(welcome.len(), 1, "{wallet}");
    assert_eq!(welcome[0]["state"], "usable");
    let notes = app.notes_of("m1").await;
    for (template, perk) in [
        ("partner_perk_granted", "platinum"),
        ("partner_perk_revoked", "gold"),
    ] {
        assert!(
            notes.iter().any(|(t, r, p)| t == template
                && r.as_deref() == Some("partner:hotel")
                && p["perk"] == perk),
            "{template} {perk}: {notes:?}"
        );
    }
    // The hotel partner: its own key, for members who linked their hotel membership.
    let r = app
        .post("/v1/partners/hotel/api-keys", json!({"name": "hotel-prod"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["partner"], "hotel");
    let hotel = r.body["secret"].as_str().unwrap().to_owned();
    let r = app
        .put(
            "/v1/members/m1",
            json!({"identities": [{"kind": "hotel_member", "value": "H123"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let as_hotel = |method: reqwest::Method, path: &'static str, body: Option<Value>| {
        app.send_as(Some(&hotel), method, path, body)
    };
    let r = as_hotel(reqwest::Method::GET, "/v1/partner/members/H123", None).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        (r.body["member"].as_str(), r.body["tier"]["id"].as_str()),
        (Some("H123"), Some("apass"))
    );
    assert!(ids(&r.body["benefits"]).contains(&"hotel-platinum".to_owned()));
    // A stay at the hotel earns as a purchase, at APASS's rate.
    let stay = json!({"id": "stay-1", "type": "purchase", "member": "H123",
                      "occurred_at": app.now().to_rfc3339(),
                      "attributes": {"order_id": "R1", "amount": 50_000}});
    let r = as_hotel(
        reqwest::Method::POST,
        "/v1/partner/events",
        Some(stay.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body,
        json!({"id": "stay-1", "type": "purchase", "member": "H123",
                               "status": "processed", "points": 750})
    );
    // A retry answers the same; the brand's own ids do not collide with the partner's.
    let again = as_hotel(reqwest::Method::POST, "/v1/partner/events", Some(stay)).await;
    assert_eq!(again.body, r.body);
    // Nothing else: not another site, not unlinked members, not the brand's routes.
    let elsewhere = json!({"id": "stay-2", "type": "purchase", "member": "H123", "site": "tmall",
                           "occurred_at": app.now().to_rfc3339(),
                           "attributes": {"order_id": "R2", "amount": 100}});
    let r = as_hotel(reqwest::Method::POST, "/v1/partner/events", Some(elsewhere)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{r:?}"
    );
    for path in ["/v1/partner/members/m2", "/v1/partner/members/H999"] {
        let r = as_hotel(reqwest::Method::GET, path, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "member_not_found"),
            "{path}"
        );
    }
    for path in [
        "/v1/members/m1",
        "/v1/members/m1/balance",
        "/v1/members/m1/benefits",
        "/v1/tier-policy",
    ] {
        let r = as_hotel(reqwest::Method::GET, path, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{path}"
        );
    }
    let r = as_hotel(reqwest::Method::POST, "/v1/events", Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get("/v1/partner/members/H123").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "forbidden"),
        "the brand's key"
    );
    // Meters as of an earlier instant are what they were then.
    let at = (day(3) + Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let r = app.get(&format!("/v1/members/m1/meters?at={at}")).await;
    assert_eq!(r.body["meters"]["taoqizhi"], 1_885 + 3 * 100, "{r:?}");

    // A re-evaluation gives APASS members their monthly voucher, once a month, and their
    // birthday gift in their birthday month.
    let r = app
        .put("/v1/members/m1", json!({"birthday": "1990-03-21"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let before = app.available("m1").await;
    let job = app.reevaluate().await;
    assert_eq!(job["members"], 2, "{job}");
    app.reevaluate().await;
    let b1 = app.benefits_of("m1").await;
    assert_eq!(granted(&b1, "apass-monthly").len(), 1);
    let wallet = app.get("/v1/members/m1/vouchers").await.body;
    let monthly = wallet["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["template"] == "apass-monthly-20")
        .count();
    assert_eq!(monthly, 1, "one monthly voucher over two jobs: {wallet}");
    let birthday = granted(&b1, "apass-birthday");
    assert_eq!(birthday.len(), 1, "{b1}");
    assert_eq!(
        (
            birthday[0]["period"].as_str(),
            birthday[0]["points"].as_i64()
        ),
        (Some("birthday:2026"), Some(1_000))
    );
    assert_eq!(app.available("m1").await, before + 1_000);
    assert!(
        granted(&app.benefits_of("m2").await, "super-birthday").is_empty(),
        "m2 gave no birthday"
    );

    // An operator's override: m2 is APASS for ten days, then it ends early.
    let until = (day(17)).to_rfc3339();
    let r = app
        .put(
            "/v1/members/m2/tier-override",
            json!({"tier": "apass", "reason": "complaint goodwill", "until": until}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        (
            r.body["tier"]["id"].as_str(),
            r.body["earned_tier"].as_str()
        ),
        (Some("apass"), Some("super"))
    );
    assert!(
        app.benefits_of("m2").await["benefits"][0]["why"]
            .as_str()
            .unwrap()
            .contains("override")
    );
    let r = app.delete("/v1/members/m2/tier-override").await;
    assert_eq!(r.body["tier"]["id"], "super", "{r:?}");
    let notes = app.notes_of("m2").await;
    let perks: Vec<String> = notes
        .iter()
        .filter(|(_, r, _)| r.is_some())
        .map(|(t, _, p)| format!("{t} {}", p["perk"].as_str().unwrap()))
        .collect();
    assert_eq!(
        perks,
        [
            "partner_perk_granted gold",
            "partner_perk_granted platinum",
            "partner_perk_revoked gold",
            "partner_perk_granted gold",
            "partner_perk_revoked platinum",
        ]
    );

    // February 2027: m1 is active again; m2 is not.
    app.to(t("2027-02-10T02:00:00Z"));
    app.shop("n1", "m1", 150_000, "tmall", &["a", "b", "c", "d", "e"])
        .await;
    for d in 0..10 {
        app.to(t("2027-02-10T02:00:00Z") + Duration::days(d));
        for i in 0..5 {
            app.behaviour(&format!("n{d}-{i}"), "review", "m1", json!({}))
                .await;
        }
    }
    // m2's review (a year after reaching Super): below 1,000 now, so 30 days of grace.
    app.to(t("2027-03-03T00:00:00Z"));
    app.reevaluate().await;
    let tier = app.tier_of("m2").await;
    assert_eq!(tier["tier"]["id"], "super", "{tier}");
    assert!(tier["grace_until"].is_string(), "{tier}");
    assert_eq!(app.benefits_of("m2").await["tier"]["id"], "super");
    // m1's review: requalified for APASS, held until the next one.
    app.to(apass_at + Duration::days(366));
    app.reevaluate().await;
    let tier = app.tier_of("m1").await;
    assert_eq!(tier["tier"]["id"], "apass", "{tier}");
    assert_eq!(tier["progress"]["keep_threshold"], 2_500);
    assert!(
        tier["review_at"].as_str().unwrap().starts_with("2028-03"),
        "{tier}"
    );
    // The grace period ends: m2 is Standard, and the hotel hears of it.
    app.to(t("2027-04-03T00:00:00Z"));
    app.reevaluate().await;
    assert_eq!(app.tier_of("m2").await["tier"]["id"], "standard");
    assert_eq!(
        app.history_of("m2").await,
        [
            "downgraded super→standard",
            "grace_started super→super",
            "override_ended apass→super",
            "override_set super→apass",
            "upgraded standard→super",
        ]
    );
    assert_eq!(
        app.notes_of("m2")
            .await
            .last()
            .map(|(t, _, p)| (t.clone(), p["perk"].clone())),
        Some(("partner_perk_revoked".into(), json!("gold")))
    );
    assert_eq!(
        app.history_of("m1").await,
        [
            "requalified apass→apass",
            "upgraded super→apass",
            "upgraded standard→super"
        ]
    );
    // Gifts were given once each, whatever ran twice.
    let b1 = app.benefits_of("m1").await;
    assert_eq!(granted(&b1, "super-welcome").len(), 1);
    assert_eq!(granted(&b1, "apass-welcome").len(), 1);
}

async fn spend_tiers_year(b: TestBackend) {
    let app = TestApp::spawn_template(b, "spend-tiers", t(MONDAY)).await;
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    let a = app.shop("p1", "m1", 300_000, "tmall", &[]).await;
    assert_eq!((a["points"].as_i64(), a.get("tier")), (Some(3_000), None));
    let a = app.shop("p2", "m1", 250_000, "tmall", &[]).await;
    assert_eq!(a["tier"]["to"], "gold", "{a}");
    assert_eq!(a["points"], 2_500, "earned at Silver's rate: {a}");
    let a = app.shop("p3", "m1", 100_000, "tmall", &[]).await;
    assert_eq!(a["points"], 1_250, "1.25× at Gold: {a}");
    // A refund lowers the spend but not the tier.
    let r = app.refund("rf1", "m1", "order-p1", 100_000).await;
    assert_eq!(r.body["points"], -1_000, "{r:?}");
    let tier = app.tier_of("m1").await;
    assert_eq!(
        (
            tier["tier"]["id"].as_str(),
            tier["progress"]["value"].as_i64()
        ),
        (Some("gold"), Some(550_000))
    );
    assert_eq!(tier["progress"]["missing"], 2_000_000 - 550_000);
    let a = app.shop("p4", "m1", 1_500_000, "tmall", &[]).await;
    assert_eq!(a["tier"]["to"], "platinum", "{a}");
    assert_eq!(a["points"], 18_750 + 2_000, "{a}");
    // m2 is 1 fen short of Gold…
    app.shop("q1", "m2", 499_999, "tmall", &[]).await;
    assert_eq!(app.tier_of("m2").await["progress"]["missing"], 1);
    // …until the brand lowers Gold to ¥4,000: the change re-evaluates everyone.
    let mut policy = app.get("/v1/tier-policy").await.body["policy"].clone();
    policy["tiers"][1]["threshold"] = json!(400_000);
    let r = app.put("/v1/tier-policy", policy.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let job = app.wait_job(r.body["job"]["id"].as_str().unwrap()).await;
    assert_eq!(
        (job["members"].as_i64(), job["changes"].as_i64()),
        (Some(2), Some(1)),
        "{job}"
    );
    assert_eq!(app.tier_of("m2").await["tier"]["id"], "gold");
    // Saving the same policy again changes nothing and starts nothing.
    let r = app.put("/v1/tier-policy", policy).await;
    assert!(r.body.get("job").is_none(), "{r:?}");
    // A year on, with no spend in the last 12 months, Platinum is not kept.
    app.to(day(366));
    app.reevaluate().await;
    assert_eq!(app.tier_of("m1").await["tier"]["id"], "silver");
    assert_eq!(
        app.history_of("m1").await,
        [
            "downgraded platinum→silver",
            "upgraded gold→platinum",
            "upgraded silver→gold"
        ]
    );
}

async fn bad_tier_settings_are_refused(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.get("/v1/tier-policy").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "tier_policy_not_found")
    );
    for (body, field) in [
        (
            json!({"basis": {"kind": "meter", "meter": "s"}, "tiers": []}),
            "tiers",
        ),
        (
            json!({"basis": {"kind": "meter", "meter": "s"}, "tiers": [
                {"id": "a", "name": "A", "threshold": 0}, {"id": "b", "name": "B", "threshold": 0}]}),
            "tiers[1].threshold",
        ),
        (
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 0}},
                   "tiers": [{"id": "a", "name": "A", "threshold": 0}]}),
            "basis.window",
        ),
        (
            json!({"basis": {"kind": "nope"}, "tiers": []}),
            "basis.kind",
        ),
    ] {
        let r = app.put("/v1/tier-policy", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    let r = app
        .put("/v1/meters/score", json!({"kind": "weighted", "parts": {}}))
        .await;
    assert_eq!(r.body["error"]["field"], "parts", "{r:?}");
    let r = app
        .put("/v1/sites", json!({"sites": [{"id": "Bad Site"}]}))
        .await;
    assert_eq!(r.body["error"]["field"], "sites[0].id", "{r:?}");
    let r = app
        .put(
            "/v1/meters/score",
            json!({"window": {"kind": "calendar_year"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // Nothing was saved by the refused requests.
    assert_eq!(
        app.get("/v1/tier-policy").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/v1/sites").await.body, json!({"sites": []}));
    app.member("m1").await;
    let r = app
        .put(
            "/v1/members/m1/tier-override",
            json!({"tier": "gold", "reason": "x", "until": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "tier_policy_not_found")
    );
}
