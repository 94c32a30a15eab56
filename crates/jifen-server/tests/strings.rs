//! Strings at the edge, through HTTP on both backends: NUL and other control characters are
//! refused with a 422 naming the field (PostgreSQL cannot store NUL; SQLite could, so both now
//! answer alike), lengths are bounded, and arbitrary Unicode sent to every string field of every
//! operation — request bodies, queries and path parameters, read from docs/openapi.json — never
//! gets a 5xx.

mod common;

use std::collections::BTreeSet;

use common::{Res, TestApp, TestBackend, t};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

jifen_store::backend_tests! {
    control_characters_are_refused_where_postgres_failed =>
        super::control_characters_are_refused_where_postgres_failed;
}

#[test]
fn arbitrary_unicode_never_gets_a_5xx_on_sqlite() {
    arbitrary_unicode_never_gets_a_5xx(TestBackend::Sqlite);
}

#[test]
fn arbitrary_unicode_never_gets_a_5xx_on_postgres() {
    arbitrary_unicode_never_gets_a_5xx(TestBackend::Postgres);
}

/// December, when the coffee brand's holiday gifts, its perk pool and its vouchers exist.
fn december() -> chrono::DateTime<chrono::Utc> {
    t("2026-12-10T02:00:00Z")
}

async fn coffee(b: TestBackend) -> TestApp {
    let app = TestApp::spawn_template(b, "coffee-holiday-gifts", december()).await;
    app.member("anna").await;
    let r = app.purchase("p1", "anna", "order-1", 500_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // A webhook endpoint (through the store: this server refuses local targets).
    let now = app.now();
    app.state
        .store
        .create_webhook_endpoint(
            &app.program_id,
            &jifen_store::WebhookEndpointRow {
                id: "ep_strings".into(),
                url: "https://hooks.example.cn/jifen".into(),
                description: String::new(),
                kinds: Vec::new(),
                enabled: true,
                secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
                previous_secret: None,
                previous_until: None,
                failing_since: None,
                disabled_reason: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await
        .unwrap();
    app
}

fn refused_at(r: &Res, field: &str) {
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some(field)
        ),
        "{r:?}"
    );
}

/// Each of these answered 500 on PostgreSQL (`invalid byte sequence for encoding "UTF8": 0x00`)
/// and stored the NUL on SQLite.
async fn control_characters_are_refused_where_postgres_failed(b: TestBackend) {
    let app = coffee(b).await;
    let r = app
        .put("/v1/partners/hotel", json!({"name": "Hotel\u{0}"}))
        .await;
    refused_at(&r, "name");
    let r = app
        .put(
            "/v1/event-types/tea_tasting",
            json!({"description": "A tea\u{0} tasting", "schema": {"type": "object"}}),
        )
        .await;
    refused_at(&r, "description");
    let r = app
        .put(
            "/v1/members/anna/tier-override",
            json!({"tier": "gold", "reason": "goodwill\u{0}", "until": "2030-01-01T00:00:00Z"}),
        )
        .await;
    refused_at(&r, "reason");
    let r = app
        .post(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "g1", "reward_id": "holiday-latte", "gift": {"message": "圣诞\u{0}快乐"}}),
        )
        .await;
    refused_at(&r, "gift.message");
    let r = app
        .post(
            "/v1/rewards/cinema-ticket/codes",
            json!({"codes": ["CINE-\u{0}1"]}),
        )
        .await;
    refused_at(&r, "codes[0]");
    let r = app
        .client
        .post(format!("{}/v1/rewards/cinema-ticket/codes", app.base))
        .bearer_auth(&app.key)
        .header("content-type", "text/csv")
        .body("CINE-\u{0}2\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Other control characters, in free-form attributes at any depth and in keys.
    let r = app
        .put(
            "/v1/members/anna",
            json!({"attributes": {"prefs": {"drinks": ["latte", "mocha\u{1b}[31m"]}}}),
        )
        .await;
    refused_at(&r, "attributes.prefs.drinks[1]");
    let r = app
        .put(
            "/v1/members/anna",
            json!({"attributes": {"bad\u{7f}key": 1}}),
        )
        .await;
    refused_at(&r, "attributes.bad\\u{7f}key");
    let r = app
        .post(
            "/v1/events",
            json!({"id": "e1", "type": "check_in", "member": "anna",
                   "occurred_at": app.now().to_rfc3339(), "attributes": {"note": "a\rb"}}),
        )
        .await;
    refused_at(&r, "attributes.note");
    let r = app.get("/v1/members?identity=phone:138%000").await;
    refused_at(&r, "identity");
    // Lengths: a name is at most 1,024 bytes.
    let r = app
        .put("/v1/partners/hotel", json!({"name": "酒".repeat(342)}))
        .await;
    refused_at(&r, "name");
    // Nothing refused was stored…
    assert_eq!(app.get("/v1/partners").await.body["data"], json!([]));
    let types = app.get("/v1/event-types").await.body.to_string();
    assert!(!types.contains("tea_tasting"), "{types}");
    // …and free text keeps its line breaks and tabs.
    let r = app
        .put(
            "/v1/event-types/tea_tasting",
            json!({"description": "A tea tasting\n\tin a flagship store",
                   "schema": {"type": "object"}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put("/v1/partners/hotel", json!({"name": "酒店 Hôtel 🏨"}))
        .await;
    assert!(r.status.is_success(), "{r:?}");
}

/// One request of each operation with a JSON body, valid as far as the program allows, so the
/// strings in it reach the database. Keyed by the operation as docs/openapi.json names it.
fn fixtures(now: &str) -> Vec<(&'static str, &'static str, String, Value)> {
    let cart = json!({"site": "tmall", "lines": [
        {"sku": "latte-tall", "category": "drinks", "price": 3_200, "quantity": 1}]});
    let event = json!({"id": "e-1", "type": "purchase", "member": "anna", "occurred_at": now,
        "site": "tmall", "attributes": {"order_id": "o-1", "amount": 10_000, "note": "gift wrap",
        "lines": [{"sku": "a", "category": "drinks", "quantity": 1, "amount": 10_000}]}});
    let rule = json!({"name": "Double", "trigger": {"kind": "event", "types": ["purchase"]},
        "condition": "event.amount > 100", "effects": [{"kind": "award_points", "points": 1},
        {"kind": "tag", "tag": "buyer"}]});
    vec![
        (
            "POST",
            "/v1/webhooks/endpoints",
            "/v1/webhooks/endpoints".into(),
            json!({"url": "https://hooks.example.cn/jifen", "description": "CRM 同步",
                   "kinds": ["member.enrolled"]}),
        ),
        (
            "PATCH",
            "/v1/webhooks/endpoints/{id}",
            "/v1/webhooks/endpoints/ep_strings".into(),
            json!({"description": "CRM 同步", "kinds": ["points.earned"], "enabled": true}),
        ),
        (
            "POST",
            "/v1/webhooks/endpoints/{id}/rotate-secret",
            "/v1/webhooks/endpoints/ep_strings/rotate-secret".into(),
            json!({"overlap_hours": 1}),
        ),
        (
            "POST",
            "/v1/webhooks/messages/{id}/replay",
            "/v1/webhooks/messages/msg_0193a1f0c6b87d52a3f1e0c9b8a7d6e5/replay".into(),
            json!({"endpoint_id": "ep_strings"}),
        ),
        (
            "POST",
            "/v1/webhooks/replay-failed",
            "/v1/webhooks/replay-failed".into(),
            json!({"since": now, "endpoint_id": "ep_strings"}),
        ),
        (
            "POST",
            "/v1/api-keys",
            "/v1/api-keys".into(),
            json!({"name": "pos"}),
        ),
        (
            "PUT",
            "/v1/console-settings",
            "/v1/console-settings".into(),
            json!({"support_adjustment_limit": 500}),
        ),
        (
            "PUT",
            "/v1/operators/{email}",
            "/v1/operators/ops%40example.cn".into(),
            json!({"role": "support", "name": "客服 小王"}),
        ),
        (
            "PUT",
            "/v1/campaigns/{id}",
            "/v1/campaigns/cny".into(),
            json!({"name": "CNY", "starts_at": "2027-01-20T00:00:00+08:00",
                   "ends_at": "2027-02-20T00:00:00+08:00"}),
        ),
        (
            "PUT",
            "/v1/checkout-settings",
            "/v1/checkout-settings".into(),
            json!({"points_as_cash": {"points": 100, "fen": 100, "max_share_percent": 50}}),
        ),
        (
            "POST",
            "/v1/checkout/redeem",
            "/v1/checkout/redeem".into(),
            json!({"id": "co-1", "member": "anna", "cart": cart, "vouchers": []}),
        ),
        (
            "POST",
            "/v1/checkout/validate",
            "/v1/checkout/validate".into(),
            json!({"member": "anna", "cart": cart, "vouchers": []}),
        ),
        (
            "PUT",
            "/v1/event-types/{name}",
            "/v1/event-types/tea_tasting".into(),
            json!({"description": "A tea tasting", "schema": {"type": "object",
                   "properties": {"venue": {"type": "string"}}}}),
        ),
        ("POST", "/v1/events", "/v1/events".into(), event.clone()),
        (
            "POST",
            "/v1/gifts/{token}/cancel",
            "/v1/gifts/tok/cancel".into(),
            json!({"member": "anna"}),
        ),
        (
            "POST",
            "/v1/gifts/{token}/claim",
            "/v1/gifts/tok/claim".into(),
            json!({"member": "ben", "name": "Ben", "phone": "13800000000"}),
        ),
        (
            "POST",
            "/v1/holds/{id}/commit",
            "/v1/holds/h-1/commit".into(),
            json!({"points": 1}),
        ),
        (
            "PUT",
            "/v1/members/{external_id}",
            "/v1/members/anna".into(),
            json!({"name": "Anna", "phone": "13800000001", "birthday": "1990-05-17",
                   "gender": "female", "city": "上海", "attributes": {"club": "gold",
                   "prefs": {"drinks": ["latte"]}},
                   "identities": [{"kind": "email", "value": "anna@example.cn"}]}),
        ),
        (
            "POST",
            "/v1/members/batch",
            "/v1/members/batch".into(),
            json!({"id": "mb-1", "members": [{"external_id": "cara", "name": "Cara",
                   "phone": "13800000002", "birthday": "1991-03-08", "gender": "female",
                   "city": "杭州", "attributes": {"club": "silver"},
                   "identities": [{"kind": "email", "value": "cara@example.cn"}]}]}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/adjustments",
            "/v1/members/anna/adjustments".into(),
            json!({"id": "adj-1", "points": 5, "reason": "goodwill"}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/consents",
            "/v1/members/anna/consents".into(),
            json!({"id": "c-1", "purpose": "marketing_sms", "granted": true, "source": "signup-form",
                   "channel": "wechat_mp"}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/portal-links",
            "/v1/members/anna/portal-links".into(),
            json!({"lang": "en", "ttl_seconds": 300}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/holds",
            "/v1/members/anna/holds".into(),
            json!({"id": "h-1", "points": 1, "expires_in_seconds": 60}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/redemptions",
            "/v1/members/anna/redemptions".into(),
            json!({"id": "rd-1", "points": 1, "reason": "test"}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/reward-redemptions",
            "/v1/members/anna/reward-redemptions".into(),
            json!({"id": "rr-1", "reward_id": "holiday-latte", "gift": {"message": "圣诞快乐"}}),
        ),
        (
            "PUT",
            "/v1/members/{external_id}/tier-override",
            "/v1/members/anna/tier-override".into(),
            json!({"tier": "gold", "reason": "goodwill", "until": "2030-01-01T00:00:00Z"}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/vouchers",
            "/v1/members/anna/vouchers".into(),
            json!({"id": "v-1", "template": "birthday-drink"}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/vouchers/{code}/gift",
            "/v1/members/anna/vouchers/CODE1/gift".into(),
            json!({"id": "share-1", "message": "for you", "hours": 1}),
        ),
        (
            "PUT",
            "/v1/meters/{name}",
            "/v1/meters/score".into(),
            json!({"window": {"kind": "calendar_year"}}),
        ),
        (
            "POST",
            "/v1/partner/events",
            "/v1/partner/events".into(),
            event,
        ),
        (
            "PUT",
            "/v1/partners/{id}",
            "/v1/partners/hotel".into(),
            json!({"name": "Hotel", "identity_kind": "hotel_member"}),
        ),
        (
            "POST",
            "/v1/partners/{id}/api-keys",
            "/v1/partners/hotel/api-keys".into(),
            json!({"name": "hotel-prod"}),
        ),
        (
            "PATCH",
            "/v1/program",
            "/v1/program".into(),
            json!({"pending_days": 0}),
        ),
        (
            "POST",
            "/v1/reward-redemptions/{id}/cancel",
            "/v1/reward-redemptions/rr-1/cancel".into(),
            json!({"reason": "changed mind"}),
        ),
        (
            "POST",
            "/v1/reward-redemptions/{id}/fulfilment",
            "/v1/reward-redemptions/rr-1/fulfilment".into(),
            json!({"status": "shipped", "tracking": "SF123"}),
        ),
        (
            "PUT",
            "/v1/rewards/{id}",
            "/v1/rewards/mug".into(),
            json!({"kind": "physical", "title": {"en": "Mug", "zh-CN": "杯子"}, "cost": 100,
                   "stock": 5}),
        ),
        (
            "PUT",
            "/v1/challenges/{id}",
            "/v1/challenges/march".into(),
            json!({"name": "三月打卡", "description": "Check in",
                   "period": {"kind": "month"}, "enrollment": "opt_in",
                   "goal": {"measure": "distinct", "types": ["check_in"],
                            "distinct": "attributes.store", "target": 3},
                   "steps": [{"target": 1, "name": "起步", "reward": {"points": 1}}],
                   "reward": {"points": 10, "tag": "march"}}),
        ),
        (
            "POST",
            "/v1/members/{external_id}/challenges/{challenge}/join",
            "/v1/members/anna/challenges/march/join".into(),
            json!({"id": "join-1"}),
        ),
        (
            "PUT",
            "/v1/segments/{slug}",
            "/v1/segments/vip".into(),
            json!({"name": "大客户", "description": "¥1 or more",
                   "condition": "monetary_365d > 100"}),
        ),
        (
            "POST",
            "/v1/segment-previews",
            "/v1/segment-previews".into(),
            json!({"condition": "monetary_365d > 100"}),
        ),
        (
            "PUT",
            "/v1/badges/{id}",
            "/v1/badges/regular".into(),
            json!({"name": "打卡达人", "description": "Check in",
                   "levels": [{"name": "铜", "progress": "member.counts.check_in", "target": 3,
                               "condition": "member.streaks.check_in >= 1",
                               "reward": {"points": 10}}]}),
        ),
        (
            "POST",
            "/v1/rewards/{id}/codes",
            "/v1/rewards/cinema-ticket/codes".into(),
            json!({"codes": ["CINE-9"]}),
        ),
        (
            "POST",
            "/v1/rules/backtest",
            "/v1/rules/backtest".into(),
            json!({"from": "2026-12-01T00:00:00Z", "to": now}),
        ),
        (
            "POST",
            "/v1/rules/simulate",
            "/v1/rules/simulate".into(),
            json!({"events": [{"id": "s-1", "type": "purchase", "member": "anna",
                   "occurred_at": now, "attributes": {"order_id": "so-1", "amount": 100}}],
                   "rules": [{"id": "draft", "name": "Draft", "trigger": {"kind": "event",
                   "types": ["purchase"]}, "effects": [{"kind": "award_points", "points": 1}]}]}),
        ),
        ("PUT", "/v1/rules/{id}", "/v1/rules/double".into(), rule),
        (
            "PUT",
            "/v1/sites",
            "/v1/sites".into(),
            json!({"sites": [{"id": "tmall", "name": "Tmall 天猫"}]}),
        ),
        (
            "PUT",
            "/v1/leaderboards/{id}",
            "/v1/leaderboards/spenders".into(),
            json!({"name": "消费榜", "description": "Spend this month",
                   "metric": {"kind": "spend"}, "period": {"kind": "month"},
                   "contest": {"prizes": [{"from": 1, "to": 3, "points": 100}]}}),
        ),
        (
            "PUT",
            "/v1/offers/settings",
            "/v1/offers/settings".into(),
            json!({"weights": {"affinity": 50}, "boosts": {"tea": 5}, "hidden": ["cake"]}),
        ),
        (
            "PUT",
            "/v1/reminders/settings",
            "/v1/reminders/settings".into(),
            json!({"birthday": {"enabled": true, "gift": "生日蛋糕券",
                                "templates": {"wechat": "wx_birthday"}}}),
        ),
        (
            "PUT",
            "/v1/members/{external_id}/notification-preferences",
            "/v1/members/anna/notification-preferences".into(),
            json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": false}],
                   "source": "portal"}),
        ),
        (
            "PUT",
            "/v1/referral-program",
            "/v1/referral-program".into(),
            json!({"enabled": true, "friend_reward": {"points": 100}, "within_days": 30,
                   "referrer_reward": {"voucher_template": "half"}}),
        ),
        (
            "PUT",
            "/v1/tier-policy",
            "/v1/tier-policy".into(),
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "silver", "name": "Silver", "threshold": 0},
                             {"id": "gold", "name": "Gold", "threshold": 500000, "benefits": [
                              {"id": "ship", "title": "Free shipping", "kind": "free_shipping",
                               "min_spend": 9900}]}]}),
        ),
        (
            "PUT",
            "/v1/voucher-templates/{id}",
            "/v1/voucher-templates/half".into(),
            json!({"title": {"en": "¥1 off"}, "discount": {"kind": "amount", "off": 100}}),
        ),
        (
            "POST",
            "/v1/voucher-templates/{id}/codes",
            "/v1/voucher-templates/half/codes".into(),
            json!({"id": "batch-1", "count": 2, "max_uses": 2, "prefix": "HB"}),
        ),
    ]
}

/// Where a string sits in a body: a value, or the key of an object member.
#[derive(Debug, Clone)]
enum Spot {
    Value(Vec<Step>),
    Key(Vec<Step>, String),
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn spots(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Spot>) {
    match v {
        Value::String(_) => out.push(Spot::Value(path.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                spots(item, path, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                out.push(Spot::Key(path.clone(), k.clone()));
                path.push(Step::Key(k.clone()));
                spots(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn with_string(body: &Value, spot: &Spot, s: &str) -> Value {
    let mut body = body.clone();
    match spot {
        Spot::Value(path) => *at(&mut body, path) = Value::String(s.to_owned()),
        Spot::Key(path, key) => {
            if let Value::Object(map) = at(&mut body, path)
                && let Some(v) = map.remove(key)
            {
                map.insert(s.to_owned(), v);
            }
        }
    }
    body
}

/// Every byte but the unreserved ones percent-encoded, so any string travels in a URL.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The operations of the spec: (method, path template, query parameter names, has a JSON body).
fn operations() -> Vec<(String, String, Vec<String>, bool)> {
    let spec: Value = serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
    let mut out = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            let json_body = op["requestBody"]["content"]
                .get("application/json")
                .is_some();
            out.push((method.to_uppercase(), path.clone(), query, json_body));
        }
    }
    out
}

/// Strings that have broken servers: NUL and other controls, line breaks, bidirectional
/// overrides, non-characters, astral characters, and lengths past every bound.
fn nasty() -> Vec<String> {
    vec![
        "\u{0}".into(),
        "a\u{0}b".into(),
        "\u{1b}[31m".into(),
        "line\r\nbreak".into(),
        "tab\there".into(),
        "\u{85}\u{9f}\u{7f}".into(),
        "\u{202e}evil\u{200b}".into(),
        "\u{fffe}\u{ffff}\u{10ffff}".into(),
        "🀄️中文👨‍👩‍👧".into(),
        "' OR 1=1; --".into(),
        "%00%s%n".into(),
        String::new(),
        " ".into(),
        "x".repeat(1_025),
        "长".repeat(5_000),
        "y".repeat(70_000),
    ]
}

fn arbitrary_unicode_never_gets_a_5xx(b: TestBackend) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(coffee(b));
    let now = app.now().to_rfc3339();
    let fixtures = fixtures(&now);
    // Every operation with a JSON body has a fixture: a new route must add one here.
    let covered: BTreeSet<(String, String)> = fixtures
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let ops = operations();
    for (method, path, _, json_body) in &ops {
        assert!(
            !json_body || covered.contains(&(method.clone(), path.clone())),
            "{method} {path} takes a JSON body and has no fixture in tests/strings.rs"
        );
    }
    let send = |method: &str, path: String, body: Option<Value>| {
        let app = &app;
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        async move { app.send_as(Some(&app.key), method, &path, body).await }
    };
    // A refused value names its field; a renamed key may be refused as an unknown field,
    // which an empty or odd key cannot always name.
    let check = |what: &str, r: &Res, value: bool| {
        assert!(!r.status.is_server_error(), "{what}: a server error: {r:?}");
        if value && r.status == StatusCode::UNPROCESSABLE_ENTITY && r.code() == "invalid_request" {
            assert!(
                r.body["error"]["field"]
                    .as_str()
                    .is_some_and(|f| !f.is_empty()),
                "{what}: a refusal names no field: {r:?}"
            );
        }
    };
    let mut places: Vec<(usize, Spot)> = Vec::new();
    for (i, (_, _, _, body)) in fixtures.iter().enumerate() {
        let mut found = Vec::new();
        spots(body, &mut Vec::new(), &mut found);
        places.extend(found.into_iter().map(|s| (i, s)));
    }
    // Each nasty string in every string of every body…
    rt.block_on(async {
        for s in nasty() {
            for (i, spot) in &places {
                let (method, _, path, body) = &fixtures[*i];
                let body = with_string(body, spot, &s);
                let r = send(method, path.clone(), Some(body)).await;
                let value = matches!(spot, Spot::Value(_));
                check(&format!("{method} {path} {spot:?} = {:.40?}", s), &r, value);
            }
            // …in every path parameter and query parameter the spec names (cut to what a URL
            // carries: an HTTP client refuses a URI of 64 KiB).
            let u: String = s.chars().take(1_500).collect();
            for (method, template, query, json_body) in &ops {
                let fixture = fixtures
                    .iter()
                    .find(|(m, p, _, _)| m == method && p == template);
                let mut path = String::new();
                for part in template.split('/').skip(1) {
                    path.push('/');
                    if part.starts_with('{') {
                        path.push_str(&encode(&u));
                    } else {
                        path.push_str(part);
                    }
                }
                if *method == "DELETE" && template == "/v1/api-keys/{id}" {
                    continue;
                }
                let body = json_body.then(|| fixture.map_or(json!({}), |f| f.3.clone()));
                if path != *template {
                    // A path parameter may be refused as a whole request (an import of no
                    // codes), so only the absence of a server error is asked here.
                    let r = send(method, path.clone(), body.clone()).await;
                    assert!(
                        !r.status.is_server_error(),
                        "{method} {path:.80}: a server error: {r:?}"
                    );
                }
                for q in query {
                    let base: Vec<&str> = template
                        .split('/')
                        .map(|part| match part {
                            "{external_id}" => "anna",
                            p if p.starts_with('{') => "x",
                            p => p,
                        })
                        .collect();
                    let p = format!("{}?{q}={}", base.join("/"), encode(&u));
                    let r = send(method, p.clone(), body.clone()).await;
                    check(&format!("{method} {p:.80}"), &r, true);
                }
            }
        }
    });
    // …and arbitrary Unicode, of any length, in one random place at a time.
    let strings = prop_oneof![
        4 => any::<String>(),
        2 => proptest::string::string_regex("(?s).{0,64}").unwrap(),
        1 => proptest::string::string_regex("[\\x00-\\x1f\\x7f-\\x9f]{1,8}").unwrap(),
        1 => proptest::string::string_regex("(?s).{1000,3000}").unwrap(),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(strings, 0..places.len()), |(s, k)| {
            let (i, spot) = &places[k];
            let (method, _, path, body) = &fixtures[*i];
            let body = with_string(body, spot, &s);
            let r = rt.block_on(send(method, path.clone(), Some(body)));
            prop_assert!(
                !r.status.is_server_error(),
                "{method} {path} {spot:?}: {r:?}"
            );
            if matches!(spot, Spot::Value(_))
                && r.status == StatusCode::UNPROCESSABLE_ENTITY
                && r.code() == "invalid_request"
            {
                prop_assert!(
                    r.body["error"]["field"]
                        .as_str()
                        .is_some_and(|f| !f.is_empty()),
                    "{method} {path} {spot:?}: {r:?}"
                );
            }
            Ok(())
        })
        .unwrap();
    drop(app);
}
