//! Segments end to end through HTTP, on both backends: a member's features as their events,
//! profile and identities change them; a segment's members kept current in the event's own
//! transaction; the full refresh (RFM scores, time passing); counts, pages, CSV; a member's
//! segments; previews; bad definitions that change nothing.

mod common;

use chrono::Duration;
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

use jifen_server::service::segments::{background_refreshes, refresh_due, refresh_program};

jifen_store::backend_tests! {
    segments_follow_members_features => super::segments_follow_members_features;
    full_refresh_ranks_and_follows_time => super::full_refresh_ranks_and_follows_time;
    members_are_listed_by_page_and_exported => super::members_are_listed_by_page_and_exported;
    bad_definitions_change_nothing => super::bad_definitions_change_nothing;
    previews_count_without_saving => super::previews_count_without_saving;
    rules_read_membership_before_the_event => super::rules_read_membership_before_the_event;
    rewards_for_segments_lock_members_outside => super::rewards_for_segments_lock_members_outside;
    vouchers_for_segments_apply_to_their_members => super::vouchers_for_segments_apply_to_their_members;
}

impl TestApp {
    async fn define_segment(&self, slug: &str, condition: &str) -> Value {
        let r = self
            .put(
                &format!("/v1/segments/{slug}"),
                json!({"name": slug, "condition": condition}),
            )
            .await;
        assert!(r.status.is_success(), "{r:?}");
        r.body
    }

    /// Runs the full refresh now (as the jobs loop would), rather than wait for the one a
    /// definition's change started.
    async fn refresh(&self) {
        let program = self
            .state
            .store
            .get_program(&self.program_id)
            .await
            .unwrap()
            .unwrap();
        // The refreshes the definitions' changes started finish first.
        for _ in 0..500 {
            if background_refreshes(&self.program_id) == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        for _ in 0..200 {
            if refresh_program(&self.state, &program)
                .await
                .unwrap()
                .is_some()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the program's refresh never finished");
    }

    async fn segment(&self, slug: &str) -> Value {
        let r = self.get(&format!("/v1/segments/{slug}")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body
    }

    async fn size(&self, slug: &str) -> i64 {
        self.segment(slug).await["members"].as_i64().unwrap()
    }

    async fn segments_of(&self, member: &str) -> (Vec<String>, Value) {
        let r = self.get(&format!("/v1/members/{member}/segments")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let slugs = r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["slug"].as_str().unwrap().to_owned())
            .collect();
        (slugs, r.body["features"].clone())
    }
}

async fn segments_follow_members_features(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in ["m1", "m2", "m3"] {
        app.member(m).await;
    }
    let r = app
        .put(
            "/v1/segments/big-spenders",
            json!({"name": "大客户", "description": "¥100 or more this year",
                   "condition": "monetary_365d >= 10000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["version"], 1);
    app.define_segment("bound", "'phone' in identities && profile.city == '上海'")
        .await;
    app.define_segment("tmall-shoppers", "has(sites.tmall) && sites.tmall <= 30")
        .await;
    app.refresh().await;
    let s = app.segment("big-spenders").await;
    assert_eq!(
        (s["members"].as_i64(), &s["refreshed"]),
        (Some(0), &json!(true))
    );

    // A purchase puts its member in at once: in the event's own transaction.
    let r = app.purchase("e1", "m1", "o1", 12_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.size("big-spenders").await, 1);
    assert_eq!(app.size("tmall-shoppers").await, 1);
    let (slugs, features) = app.segments_of("m1").await;
    assert_eq!(slugs, vec!["big-spenders", "tmall-shoppers"]);
    assert_eq!(features["monetary_365d"], 12_000);
    assert_eq!(features["frequency_365d"], 1);
    assert_eq!(features["recency_days"], 0);
    assert_eq!(features["sites"]["tmall"], 0);
    // A refund takes the member out again.
    let r = app.refund("e2", "m1", "o1", 5_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.size("big-spenders").await, 0);
    let (_, features) = app.segments_of("m1").await;
    assert_eq!(features["monetary_365d"], 7_000);
    // Spending across several orders adds up; a retry of an event changes nothing.
    for _ in 0..2 {
        let r = app.purchase("e3", "m1", "o2", 3_000).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let (slugs, features) = app.segments_of("m1").await;
    assert_eq!(features["monetary_365d"], 10_000);
    assert_eq!(features["frequency_365d"], 2);
    assert!(slugs.contains(&"big-spenders".to_owned()), "{slugs:?}");

    // A profile's change moves its member too (after the write, in a transaction of its own).
    let r = app
        .put(
            "/v1/members/m2",
            json!({"city": "上海", "identities": [{"kind": "phone", "value": "13800000002"}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    assert_eq!(app.segments_of("m2").await.0, vec!["bound"]);
    // And so does a batch of members, in the batch's transaction.
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "b1", "members": [
                {"external_id": "m3", "city": "上海",
                 "identities": [{"kind": "phone", "value": "13800000003"}]},
                {"external_id": "m2", "city": "北京"}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.segments_of("m3").await.0, vec!["bound"]);
    assert!(app.segments_of("m2").await.0.is_empty());

    // Unknown members and segments are 404s.
    let r = app.get("/v1/members/nobody/segments").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "member_not_found")
    );
    let r = app.get("/v1/segments/nothing").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "segment_not_found")
    );

    // Deleting a segment drops its memberships; deleting it again is a 404.
    let r = app.delete("/v1/segments/bound").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    assert!(app.segments_of("m3").await.0.is_empty());
    let r = app.delete("/v1/segments/bound").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "segment_not_found")
    );
    let list = app.get("/v1/segments").await;
    let slugs: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, vec!["big-spenders", "tmall-shoppers"]);
}

async fn full_refresh_ranks_and_follows_time(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // Five members who spent 1 to 5 times ¥10, a day apart (m5 most recently).
    for n in 1..=5 {
        let m = format!("m{n}");
        app.member(&m).await;
        for k in 0..n {
            let r = app
                .purchase(&format!("e{n}-{k}"), &m, &format!("o{n}-{k}"), 1_000)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
        }
        app.advance(Duration::days(1));
    }
    app.define_segment("champions", "r_score >= 4 && f_score >= 4 && m_score >= 4")
        .await;
    app.define_segment("lapsed", "recency_days > 90").await;
    app.refresh().await;
    let (_, f5) = app.segments_of("m5").await;
    assert_eq!(
        (&f5["r_score"], &f5["f_score"], &f5["m_score"]),
        (&json!(5), &json!(5), &json!(5))
    );
    assert_eq!(f5["rfm"], "555");
    let (_, f1) = app.segments_of("m1").await;
    assert_eq!(f1["rfm"], "111");
    assert_eq!(app.size("champions").await, 2);
    assert_eq!(app.size("lapsed").await, 0);

    // Time passes with no event: the next day's refresh (the jobs loop's) sees it.
    app.advance(Duration::days(95));
    assert_eq!(app.size("lapsed").await, 0);
    assert_eq!(refresh_due(&app.state).await.unwrap(), 1);
    // Refreshed today already, with no definition changed: nothing to do.
    assert_eq!(refresh_due(&app.state).await.unwrap(), 0);
    assert_eq!(app.size("lapsed").await, 5);
    let s = app.segment("lapsed").await;
    let at: chrono::DateTime<chrono::Utc> = s["refreshed_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(at, app.now());

    // An event brings its member back at once.
    let r = app.purchase("back", "m3", "o-back", 1_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.size("lapsed").await, 4);
    assert!(!app.segments_of("m3").await.0.contains(&"lapsed".to_owned()));

    // A changed condition is a new version; the refresh it starts judges every member by it.
    let r = app
        .put(
            "/v1/segments/lapsed",
            json!({"name": "lapsed", "condition": "recency_days > 90 && frequency_365d >= 4"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["version"], 2);
    app.refresh().await;
    let s = app.segment("lapsed").await;
    assert_eq!(
        (s["members"].as_i64(), &s["refreshed"]),
        (Some(2), &json!(true))
    );
    // A new name alone is no new version.
    let r = app
        .put(
            "/v1/segments/lapsed",
            json!({"name": "沉睡客户", "condition": "recency_days > 90 && frequency_365d >= 4"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        (&r.body["version"], &r.body["name"]),
        (&json!(2), &json!("沉睡客户"))
    );
}

async fn members_are_listed_by_page_and_exported(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in ["a1", "a2", "a3", "=cmd", "b1"] {
        app.member(m).await;
    }
    app.define_segment("not-b", "!external_id.startsWith('b')")
        .await;
    app.refresh().await;
    assert_eq!(app.size("not-b").await, 4);
    let first = app.get("/v1/segments/not-b/members?limit=3").await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let ids: Vec<&str> = first.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["=cmd", "a3", "a2"]);
    let next = first.body["next"].as_str().expect("a next page");
    let second = app
        .get(&format!("/v1/segments/not-b/members?limit=3&after={next}"))
        .await;
    let ids: Vec<&str> = second.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["a1"]);
    assert_eq!(second.body["next"], Value::Null);
    for bad in ["limit=0", "limit=201", "after=x"] {
        let r = app.get(&format!("/v1/segments/not-b/members?{bad}")).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            "{bad}"
        );
    }
    let r = app.get("/v1/segments/nothing/members").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let csv = app
        .client
        .get(format!("{}/v1/segments/not-b/members.csv", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], "external_id,since");
    // A value a spreadsheet would read as a formula is defused.
    assert!(lines[1].starts_with("'=cmd,"), "{text}");
    assert!(lines[4].starts_with("a1,"), "{text}");
}

async fn bad_definitions_change_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let cases = [
        // Syntax, with the place it fails.
        (
            json!({"name": "x", "condition": "recency_days >"}),
            "condition",
        ),
        // A rule's variable is not a feature.
        (
            json!({"name": "x", "condition": "recency_days > 1 &&\n event.amount > 1"}),
            "condition",
        ),
        (json!({"name": "", "condition": "true"}), "name"),
        (json!({"name": "x", "condition": "true", "extra": 1}), ""),
    ];
    for (body, field) in cases {
        let r = app.put("/v1/segments/s", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        if !field.is_empty() {
            assert_eq!(r.body["error"]["field"], field, "{r:?}");
        }
    }
    let r = app
        .put(
            "/v1/segments/s",
            json!({"name": "x", "condition": "recency_days > 1 &&\n event.amount > 1"}),
        )
        .await;
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 2, column 2"), "{message}");
    assert!(message.contains("unknown variable `event`"), "{message}");
    let r = app
        .put(
            "/v1/segments/Bad Slug",
            json!({"name": "x", "condition": "true"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app.put("/v1/segments/s", json!("not an object")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // Nothing was saved.
    let list = app.get("/v1/segments").await;
    assert_eq!(list.body["data"], json!([]));
}

async fn previews_count_without_saving(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in ["m1", "m2", "m3"] {
        app.member(m).await;
    }
    let r = app.purchase("e1", "m1", "o1", 50_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.define_segment("all", "true").await;
    app.refresh().await;
    let r = app
        .post(
            "/v1/segment-previews",
            json!({"condition": "monetary_365d > 100"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        (&r.body["members"], &r.body["judged"]),
        (&json!(1), &json!(3))
    );
    assert_eq!(r.body["sample"], json!(["m1"]));
    // A condition that fails for some members counts them apart, with why.
    let r = app
        .post(
            "/v1/segment-previews",
            json!({"condition": "attributes.skin == 'dry'"}),
        )
        .await;
    assert_eq!(
        (&r.body["members"], &r.body["failed"]),
        (&json!(0), &json!(3))
    );
    assert!(r.body["first_failure"].is_string(), "{r:?}");
    let r = app
        .post(
            "/v1/segment-previews",
            json!({"condition": "monetary_365d >"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
    );
    assert_eq!(
        app.get("/v1/segments").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn rules_read_membership_before_the_event(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.member("m2").await;
    let r = app.purchase("old", "m1", "o-old", 1_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.define_segment("lapsed", "recency_days > 90").await;
    let r = app
        .put(
            "/v1/rules/win-back",
            json!({"name": "Welcome back", "trigger": {"kind": "event", "types": ["check_in"]},
                   "condition": "member.in_segment('lapsed')",
                   "effects": [{"kind": "award_points", "points": 500}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.advance(Duration::days(100));
    app.refresh().await;
    assert_eq!(app.size("lapsed").await, 2);
    // The check-in that brings m1 back is judged with m1 still lapsed (membership as of before
    // the event): the win-back bonus is paid; the same event then takes m1 out.
    let before = app.available("m1").await;
    let a = app.behaviour("back-1", "check_in", "m1", json!({})).await;
    assert_eq!(a["points"], 500, "{a}");
    assert!(app.segments_of("m1").await.0.is_empty());
    let a = app.behaviour("back-2", "check_in", "m1", json!({})).await;
    assert_eq!(a["points"], 0, "{a}");
    // A retry of the first check-in answers as the first did and pays nothing more.
    let a = app.behaviour("back-1", "check_in", "m1", json!({})).await;
    assert_eq!(a["points"], 500, "{a}");
    assert_eq!(app.available("m1").await, before + 500);
}

async fn rewards_for_segments_lock_members_outside(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("vip").await;
    app.member("plain").await;
    for m in ["vip", "plain"] {
        assert_eq!(
            app.adjust(m, &format!("a-{m}"), 1_000).await.status,
            StatusCode::CREATED
        );
    }
    app.define_segment("big-spenders", "monetary_365d >= 10000")
        .await;
    app.refresh().await;
    let r = app.purchase("e1", "vip", "o1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .put(
            "/v1/rewards/tea-set",
            json!({"kind": "physical", "title": {"en": "Tea set"}, "cost": 100,
                   "eligibility": {"segments": ["big-spenders"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .put(
            "/v1/rewards/bad",
            json!({"kind": "physical", "title": {"en": "Bad"}, "cost": 100,
                   "eligibility": {"segments": ["Not A Slug"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app
        .post(
            "/v1/members/plain/reward-redemptions",
            json!({"id": "p-1", "reward_id": "tea-set",
                   "shipping": {"name": "Plain", "address": "上海市"}}),
        )
        .await;
    assert_eq!(r.code(), "reward_unavailable", "{r:?}");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("not eligible") || message.contains("not_eligible"),
        "{r:?}"
    );
    assert_eq!(
        app.available("plain").await,
        1_000,
        "a refused redemption spends nothing"
    );
    let r = app
        .post(
            "/v1/members/vip/reward-redemptions",
            json!({"id": "v-1", "reward_id": "tea-set",
                   "shipping": {"name": "VIP", "address": "上海市"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // The store function reminders and offers read.
    let vip = app
        .state
        .store
        .get_member(&app.program_id, "vip")
        .await
        .unwrap()
        .unwrap();
    let found = jifen_server::service::segments::member_in_segments(
        &app.state,
        &app.program_id,
        vip.id,
        &["big-spenders", "other"],
    )
    .await
    .unwrap();
    assert_eq!(found, vec!["big-spenders".to_owned()]);
}

/// A voucher template for a segment: its vouchers, and its automatic discount, apply to the
/// carts of the segment's members only; a checkout for another member or a guest is told why,
/// and a redemption of it is refused with nothing reserved.
async fn vouchers_for_segments_apply_to_their_members(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("vip").await;
    app.member("plain").await;
    app.define_segment("big-spenders", "monetary_365d >= 10000")
        .await;
    app.refresh().await;
    let r = app.purchase("e1", "vip", "o1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let ok = |r: common::Res| {
        assert!(r.status.is_success(), "{r:?}");
        r.body
    };
    ok(app
        .put(
            "/v1/voucher-templates/vip-20",
            json!({"title": {"zh-CN": "大客户立减 20 元"}, "discount": {"kind": "amount", "off": 2000},
                   "restrictions": {"segments": ["big-spenders"]}}),
        )
        .await);
    ok(app
        .put(
            "/v1/voucher-templates/vip-auto",
            json!({"title": {"zh-CN": "大客户满 100 减 5"}, "discount": {"kind": "amount", "off": 500},
                   "min_spend": 10000, "automatic": true,
                   "restrictions": {"segments": ["big-spenders"]}}),
        )
        .await);
    let r = app
        .put(
            "/v1/voucher-templates/bad",
            json!({"title": {"en": "Bad"}, "discount": {"kind": "amount", "off": 1},
                   "restrictions": {"segments": ["Not A Slug"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "restrictions.segments[0]");
    let mut codes = Vec::new();
    for (member, id) in [("vip", "i1"), ("plain", "i2")] {
        let r = app
            .post(
                &format!("/v1/members/{member}/vouchers"),
                json!({"id": id, "template": "vip-20"}),
            )
            .await;
        codes.push(ok(r)["code"].as_str().unwrap().to_owned());
    }
    let (vip_code, plain_code) = (codes[0].clone(), codes[1].clone());
    let cart =
        json!({"lines": [{"sku": "tea", "category": "茶饮", "price": 12_000, "quantity": 1}]});
    let outcome = |q: &Value, code: &str| -> Value {
        q["vouchers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in {q}"))
    };

    let q = ok(app
        .post(
            "/v1/checkout/validate",
            json!({"member": "vip", "cart": cart, "vouchers": [vip_code]}),
        )
        .await);
    assert_eq!(outcome(&q, &vip_code)["applies"], true, "{q}");
    assert_eq!(outcome(&q, "auto:vip-auto")["applies"], true, "{q}");
    assert_eq!(q["total"], 12_000 - 2_000 - 500, "{q}");

    let q = ok(app
        .post(
            "/v1/checkout/validate",
            json!({"member": "plain", "cart": cart, "vouchers": [plain_code]}),
        )
        .await);
    let mine = outcome(&q, &plain_code);
    assert_eq!(mine["applies"], false, "{q}");
    assert_eq!(mine["reason"]["code"], "segment_required");
    assert_eq!(mine["reason"]["segments"], json!(["big-spenders"]));
    assert_eq!(
        outcome(&q, "auto:vip-auto")["reason"]["code"],
        "segment_required"
    );
    assert_eq!(q["total"], 12_000);
    // A guest's cart gets no segment's automatic discount either.
    let q = ok(app
        .post("/v1/checkout/validate", json!({"cart": cart}))
        .await);
    assert_eq!(
        outcome(&q, "auto:vip-auto")["reason"]["code"],
        "segment_required"
    );
    // Redeeming it is refused, and nothing is reserved.
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "co-plain", "member": "plain", "cart": cart, "vouchers": [plain_code]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.code(), "voucher_not_applicable");
    let v = app.get(&format!("/v1/vouchers/{plain_code}")).await;
    assert_eq!(v.body["state"], "usable", "{v:?}");
    // Once plain spends enough, the same voucher applies.
    let r = app.purchase("e2", "plain", "o2", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "co-plain-2", "member": "plain", "cart": cart, "vouchers": [plain_code]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}
