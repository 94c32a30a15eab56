//! Tenant isolation, route by route, on SQLite and PostgreSQL: for every operation of
//! `/openapi.json` (as the server serves it) whose path takes an id, program A holds a real
//! object behind it, and program B's key gets a 404 `*_not_found` — or, for an upsert, B's own
//! new object — and A's state (every object's GET, the member's balance, ledger and export)
//! is the same after as before.
//!
//! An operation the test does not know how to fill fails it: a route added with an id in its
//! path must be added here with its object in A.

mod common;

use std::collections::BTreeMap;

use common::{TestApp, TestBackend, t};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

jifen_store::backend_tests! {
    every_id_route_is_isolated_between_programs => super::every_id_route_is_isolated_between_programs;
}

/// A request body.
#[derive(Clone)]
enum Body {
    None,
    Json(Value),
    Text(&'static str),
}

/// Which of B's keys a route takes.
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Brand,
    Partner,
}

/// What B must get.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// 404 with a `*_not_found` code.
    NotFound,
    /// The write creates B's own object; `proof` read with B's key shows it.
    OwnObject,
}

/// One operation of the OpenAPI document, filled with A's ids.
#[derive(Clone)]
struct Case {
    path: String,
    body: Body,
    key: Key,
    expect: Expect,
    /// A GET (with the key of A that the route takes) whose answer shows the object exists in
    /// A, and a text that answer must hold.
    proof: (String, String),
}

fn case(path: &str, body: Body, expect: Expect, proof: &str, needle: &str) -> Case {
    Case {
        path: path.to_owned(),
        body,
        key: Key::Brand,
        expect,
        proof: (proof.to_owned(), needle.to_owned()),
    }
}

async fn send(
    app: &TestApp,
    key: &str,
    method: &Method,
    path: &str,
    body: &Body,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method.clone(), format!("{}{path}", app.base))
        .bearer_auth(key);
    req = match body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Text(s) => req.header("content-type", "text/csv").body(*s),
    };
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn ok(app: &TestApp, method: Method, path: &str, body: Value) -> Value {
    let (status, body) = send(app, &app.key, &method, path, &Body::Json(body)).await;
    assert!(status.is_success(), "{method} {path}: {status} {body}");
    body
}

/// What a program holds, read through its own keys: the answer of every GET given.
async fn state_of(
    app: &TestApp,
    key: &str,
    partner_key: &str,
    paths: &[String],
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for p in paths {
        let k = if p.starts_with("/v1/partner/") {
            partner_key
        } else {
            key
        };
        let (status, body) = send(app, k, &Method::GET, p, &Body::None).await;
        out.insert(p.clone(), json!({"status": status.as_u16(), "body": body}));
    }
    out
}

async fn every_id_route_is_isolated_between_programs(b: TestBackend) {
    let app = TestApp::spawn_template(b, "alibaba-88", t("2026-12-10T02:00:00Z")).await;
    let now = app.now();

    // --- program A's objects -------------------------------------------------------------
    ok(
        &app,
        Method::PUT,
        "/v1/members/anna",
        json!({"name": "Anna", "phone": "13800000001",
               "identities": [{"kind": "hotel_member", "value": "H123"}]}),
    )
    .await;
    app.purchase("p-1", "anna", "o-1", 300_000).await;
    ok(
        &app,
        Method::PUT,
        "/v1/operators/ops@a.cn",
        json!({"role": "marketer", "name": "A ops"}),
    )
    .await;
    let key_id = ok(&app, Method::POST, "/v1/api-keys", json!({"name": "spare"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        Method::PUT,
        "/v1/campaigns/cny",
        json!({"name": "Chinese New Year", "starts_at": "2027-02-01T00:00:00+08:00",
               "ends_at": "2027-02-15T00:00:00+08:00"}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/event-types/tea_tasting",
        json!({"description": "A tea tasting", "schema": {}}),
    )
    .await;
    let issue = |id: &str| json!({"id": id, "template": "apass-welcome-50"});
    let v1 = ok(
        &app,
        Method::POST,
        "/v1/members/anna/vouchers",
        issue("v-1"),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let v2 = ok(
        &app,
        Method::POST,
        "/v1/members/anna/vouchers",
        issue("v-2"),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let v3 = ok(
        &app,
        Method::POST,
        "/v1/members/anna/vouchers",
        issue("v-3"),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let cart = json!({"site": "tmall",
                      "lines": [{"sku": "tea", "category": "tea", "price": 40_000, "quantity": 1}]});
    ok(
        &app,
        Method::POST,
        "/v1/checkout/redeem",
        json!({"id": "co-1", "member": "anna", "cart": cart, "vouchers": [v1]}),
    )
    .await;
    let token = ok(
        &app,
        Method::POST,
        &format!("/v1/members/anna/vouchers/{v2}/gift"),
        json!({"id": "share-1"}),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        Method::POST,
        "/v1/members/anna/holds",
        json!({"id": "h-1", "points": 10, "expires_in_seconds": 3600}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/rewards/tumbler",
        json!({"kind": "physical", "title": {"en": "Tumbler"}, "cost": 100, "stock": 10}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/segments/vip",
        json!({"name": "VIP set", "condition": "true"}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/badges/regular",
        json!({"name": "Regular", "levels": [{"name": "bronze", "progress": "member.counts.check_in",
                                               "target": 1}]}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/leaderboards/spend",
        json!({"name": "Spend board", "metric": {"kind": "spend"},
               "period": {"kind": "window", "starts_at": "2020-01-01T00:00:00Z",
                          "ends_at": "2020-02-01T00:00:00Z"},
               "contest": {"prizes": [{"from": 1, "to": 1, "points": 10}]}}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/challenges/spend",
        json!({"name": "Spend", "enrollment": "opt_in", "period": {"kind": "month"},
               "goal": {"measure": "sum", "target": 10_000}}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/rewards/cinema",
        json!({"kind": "partner_perk", "title": {"en": "Cinema"}, "cost": 100}),
    )
    .await;
    ok(
        &app,
        Method::POST,
        "/v1/rewards/cinema/codes",
        json!({"codes": ["CINE-1", "CINE-2"]}),
    )
    .await;
    ok(
        &app,
        Method::POST,
        "/v1/members/anna/reward-redemptions",
        json!({"id": "rr-1", "reward_id": "tumbler"}),
    )
    .await;
    let backtest = ok(
        &app,
        Method::POST,
        "/v1/rules/backtest",
        json!({"from": (now - chrono::Duration::days(7)).to_rfc3339(), "to": now.to_rfc3339()}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let job = ok(&app, Method::POST, "/v1/tier-jobs", json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        Method::POST,
        "/v1/members/anna/consents",
        json!({"id": "c-1", "purpose": "marketing_sms", "granted": true, "source": "form"}),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/v1/members/anna/notification-preferences",
        json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": false}],
               "source": "console"}),
    )
    .await;
    let a_partner = ok(
        &app,
        Method::POST,
        "/v1/partners/hotel/api-keys",
        json!({"name": "hotel"}),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    // A webhook endpoint (saved through the store: the test server refuses local targets)
    // and a message to it.
    let endpoint = "ep_0193a1f0c6b87d52a3f1e0c9b8a7d6e5";
    app.state
        .store
        .create_webhook_endpoint(
            &app.program_id,
            &jifen_store::WebhookEndpointRow {
                id: endpoint.into(),
                url: "https://hooks.example.cn/jifen".into(),
                description: "CRM".into(),
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
    ok(&app, Method::PUT, "/v1/members/webhooked", json!({})).await;
    let message =
        ok(&app, Method::GET, "/v1/webhooks/messages", json!(null)).await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();

    // --- program B: a key, and a partner key of its own -----------------------------------
    let b_key = app.other_program_key().await;
    let (status, _) = send(
        &app,
        &b_key,
        &Method::PUT,
        "/v1/partners/travel",
        &Body::Json(json!({"name": "Travel", "identity_kind": "travel_member"})),
    )
    .await;
    assert!(status.is_success());
    let (_, made) = send(
        &app,
        &b_key,
        &Method::POST,
        "/v1/partners/travel/api-keys",
        &Body::Json(json!({"name": "travel"})),
    )
    .await;
    let b_partner = made["secret"].as_str().expect("partner secret").to_owned();

    // --- every operation with an id in its path, filled ----------------------------------
    use Expect::{NotFound, OwnObject};
    let j = Body::Json;
    let empty = || Body::Json(json!({}));
    let until = (now + chrono::Duration::days(30)).to_rfc3339();
    let member = "/v1/members/anna";
    let mut cases: BTreeMap<(String, String), Case> = BTreeMap::new();
    let mut add = |method: &str, template: &str, c: Case| {
        cases.insert((method.to_owned(), template.to_owned()), c);
    };
    add(
        "DELETE",
        "/v1/api-keys/{id}",
        case(
            &format!("/v1/api-keys/{key_id}"),
            Body::None,
            NotFound,
            "/v1/api-keys",
            &key_id,
        ),
    );
    add(
        "GET",
        "/v1/campaigns/{id}",
        case(
            "/v1/campaigns/cny",
            Body::None,
            NotFound,
            "/v1/campaigns/cny",
            "Chinese New Year",
        ),
    );
    add(
        "PUT",
        "/v1/campaigns/{id}",
        case(
            "/v1/campaigns/cny",
            j(
                json!({"name": "B's campaign", "starts_at": "2027-03-01T00:00:00+08:00", "ends_at": "2027-03-02T00:00:00+08:00"}),
            ),
            OwnObject,
            "/v1/campaigns/cny",
            "Chinese New Year",
        ),
    );
    add(
        "GET",
        "/v1/checkout/{id}",
        case(
            "/v1/checkout/co-1",
            Body::None,
            NotFound,
            "/v1/checkout/co-1",
            "pending",
        ),
    );
    add(
        "POST",
        "/v1/checkout/{id}/cancel",
        case(
            "/v1/checkout/co-1/cancel",
            empty(),
            NotFound,
            "/v1/checkout/co-1",
            "pending",
        ),
    );
    add(
        "POST",
        "/v1/checkout/{id}/confirm",
        case(
            "/v1/checkout/co-1/confirm",
            empty(),
            NotFound,
            "/v1/checkout/co-1",
            "pending",
        ),
    );
    add(
        "PUT",
        "/v1/event-types/{name}",
        case(
            "/v1/event-types/tea_tasting",
            j(json!({"description": "B's tasting", "schema": {}})),
            OwnObject,
            "/v1/event-types",
            "A tea tasting",
        ),
    );
    add(
        "GET",
        "/v1/gifts/{token}",
        case(
            &format!("/v1/gifts/{token}"),
            Body::None,
            NotFound,
            &format!("/v1/gifts/{token}"),
            "offered",
        ),
    );
    add(
        "POST",
        "/v1/gifts/{token}/cancel",
        case(
            &format!("/v1/gifts/{token}/cancel"),
            j(json!({"member": "anna"})),
            NotFound,
            &format!("/v1/gifts/{token}"),
            "offered",
        ),
    );
    add(
        "POST",
        "/v1/gifts/{token}/claim",
        case(
            &format!("/v1/gifts/{token}/claim"),
            j(json!({"member": "friend"})),
            NotFound,
            &format!("/v1/gifts/{token}"),
            "offered",
        ),
    );
    add(
        "GET",
        "/v1/holds/{id}",
        case(
            "/v1/holds/h-1",
            Body::None,
            NotFound,
            "/v1/holds/h-1",
            "pending",
        ),
    );
    add(
        "POST",
        "/v1/holds/{id}/commit",
        case(
            "/v1/holds/h-1/commit",
            empty(),
            NotFound,
            "/v1/holds/h-1",
            "pending",
        ),
    );
    add(
        "POST",
        "/v1/holds/{id}/void",
        case(
            "/v1/holds/h-1/void",
            empty(),
            NotFound,
            "/v1/holds/h-1",
            "pending",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}",
        case(member, Body::None, NotFound, member, "13800000001"),
    );
    add(
        "PUT",
        "/v1/members/{external_id}",
        case(
            member,
            j(json!({"name": "B's Anna"})),
            OwnObject,
            member,
            "13800000001",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/adjustments",
        case(
            &format!("{member}/adjustments"),
            j(json!({"id": "adj-b", "points": -10, "reason": "x"})),
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/balance",
        case(
            &format!("{member}/balance"),
            Body::None,
            NotFound,
            &format!("{member}/balance"),
            "lifetime_earned",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/benefits",
        case(
            &format!("{member}/benefits"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/holds",
        case(
            &format!("{member}/holds"),
            j(json!({"id": "h-b", "points": 10, "expires_in_seconds": 60})),
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/ledger",
        case(
            &format!("{member}/ledger"),
            Body::None,
            NotFound,
            &format!("{member}/ledger"),
            "p-1",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/meters",
        case(
            &format!("{member}/meters"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/redemptions",
        case(
            &format!("{member}/redemptions"),
            j(json!({"id": "red-b", "points": 10})),
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/reward-redemptions",
        case(
            &format!("{member}/reward-redemptions"),
            Body::None,
            NotFound,
            &format!("{member}/reward-redemptions"),
            "rr-1",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/reward-redemptions",
        case(
            &format!("{member}/reward-redemptions"),
            j(json!({"id": "rr-b", "reward_id": "tumbler"})),
            NotFound,
            &format!("{member}/reward-redemptions"),
            "rr-1",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/rewards",
        case(
            &format!("{member}/rewards"),
            Body::None,
            NotFound,
            &format!("{member}/rewards"),
            "tumbler",
        ),
    );
    add(
        "PUT",
        "/v1/members/{external_id}/tier-override",
        case(
            &format!("{member}/tier-override"),
            j(json!({"tier": "apass", "reason": "x", "until": until})),
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "DELETE",
        "/v1/members/{external_id}/tier-override",
        case(
            &format!("{member}/tier-override"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    for tail in ["referral", "referral/qr.svg", "referrals"] {
        add(
            "GET",
            match tail {
                "referral" => "/v1/members/{external_id}/referral",
                "referrals" => "/v1/members/{external_id}/referrals",
                _ => "/v1/members/{external_id}/referral/qr.svg",
            },
            case(
                &format!("{member}/{tail}"),
                Body::None,
                NotFound,
                member,
                "13800000001",
            ),
        );
    }
    add(
        "GET",
        "/v1/members/{external_id}/tiers",
        case(
            &format!("{member}/tiers"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/vouchers",
        case(
            &format!("{member}/vouchers"),
            Body::None,
            NotFound,
            &format!("{member}/vouchers"),
            &v3,
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/vouchers",
        case(
            &format!("{member}/vouchers"),
            j(issue("v-b")),
            NotFound,
            &format!("{member}/vouchers"),
            &v3,
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/vouchers/{code}/gift",
        case(
            &format!("{member}/vouchers/{v3}/gift"),
            j(json!({"id": "share-b"})),
            NotFound,
            &format!("/v1/vouchers/{v3}"),
            "usable",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/notifications",
        case(
            &format!("{member}/notifications"),
            Body::None,
            NotFound,
            &format!("{member}/notifications"),
            "tier_upgraded",
        ),
    );
    add(
        "GET",
        "/v1/events/{id}",
        case(
            "/v1/events/p-1",
            Body::None,
            NotFound,
            "/v1/events/p-1",
            "o-1",
        ),
    );
    add(
        "GET",
        "/v1/orders/{order_id}",
        case(
            "/v1/orders/o-1",
            Body::None,
            NotFound,
            "/v1/orders/o-1",
            "p-1",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/export",
        case(
            &format!("{member}/export"),
            Body::None,
            NotFound,
            &format!("{member}/export"),
            "13800000001",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/erase",
        case(
            &format!("{member}/erase"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/portal-links",
        case(
            &format!("{member}/portal-links"),
            j(json!({"lang": "en", "ttl_seconds": 60})),
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/consents",
        case(
            &format!("{member}/consents"),
            Body::None,
            NotFound,
            &format!("{member}/consents"),
            "marketing_sms",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/consents",
        case(
            &format!("{member}/consents"),
            j(json!({"id": "c-b", "purpose": "profiling", "granted": true, "source": "x"})),
            NotFound,
            &format!("{member}/consents"),
            "marketing_sms",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/notification-preferences",
        case(
            &format!("{member}/notification-preferences"),
            Body::None,
            NotFound,
            &format!("{member}/notification-preferences"),
            "console",
        ),
    );
    add(
        "PUT",
        "/v1/members/{external_id}/notification-preferences",
        case(
            &format!("{member}/notification-preferences"),
            j(
                json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": true}],
                     "source": "portal"}),
            ),
            NotFound,
            &format!("{member}/notification-preferences"),
            "console",
        ),
    );
    add(
        "PUT",
        "/v1/meters/{name}",
        case(
            "/v1/meters/engagement",
            j(json!({"title": "B's meter", "window": {"kind": "rolling_days", "days": 30}})),
            OwnObject,
            "/v1/meters",
            "Reviews, shares and forum posts",
        ),
    );
    let mut partner_member = case(
        "/v1/partner/members/H123",
        Body::None,
        NotFound,
        "/v1/partner/members/H123",
        "H123",
    );
    partner_member.key = Key::Partner;
    add("GET", "/v1/partner/members/{member}", partner_member);
    add(
        "PUT",
        "/v1/partners/{id}",
        case(
            "/v1/partners/hotel",
            j(json!({"name": "B's hotel"})),
            OwnObject,
            "/v1/partners",
            "Bonvoy Hotels",
        ),
    );
    add(
        "POST",
        "/v1/partners/{id}/api-keys",
        case(
            "/v1/partners/hotel/api-keys",
            j(json!({"name": "stolen"})),
            NotFound,
            "/v1/partners",
            "Bonvoy Hotels",
        ),
    );
    add(
        "PUT",
        "/v1/operators/{email}",
        case(
            "/v1/operators/ops%40a.cn",
            j(json!({"role": "viewer"})),
            OwnObject,
            "/v1/operators",
            "\"role\":\"marketer\"",
        ),
    );
    add(
        "DELETE",
        "/v1/operators/{email}",
        case(
            "/v1/operators/ops%40a.cn",
            Body::None,
            NotFound,
            "/v1/operators",
            "ops@a.cn",
        ),
    );
    add(
        "GET",
        "/v1/reward-redemptions/{id}",
        case(
            "/v1/reward-redemptions/rr-1",
            Body::None,
            NotFound,
            "/v1/reward-redemptions/rr-1",
            "requested",
        ),
    );
    add(
        "POST",
        "/v1/reward-redemptions/{id}/cancel",
        case(
            "/v1/reward-redemptions/rr-1/cancel",
            empty(),
            NotFound,
            "/v1/reward-redemptions/rr-1",
            "requested",
        ),
    );
    add(
        "POST",
        "/v1/reward-redemptions/{id}/fulfilment",
        case(
            "/v1/reward-redemptions/rr-1/fulfilment",
            j(json!({"status": "shipped", "tracking": "SF1"})),
            NotFound,
            "/v1/reward-redemptions/rr-1",
            "requested",
        ),
    );
    for method in ["GET", "DELETE"] {
        add(
            method,
            "/v1/segments/{slug}",
            case(
                "/v1/segments/vip",
                Body::None,
                NotFound,
                "/v1/segments/vip",
                "VIP set",
            ),
        );
    }
    add(
        "PUT",
        "/v1/segments/{slug}",
        case(
            "/v1/segments/vip",
            j(json!({"name": "B's set", "condition": "false"})),
            OwnObject,
            "/v1/segments/vip",
            "VIP set",
        ),
    );
    for path in ["members", "members.csv"] {
        add(
            "GET",
            &format!("/v1/segments/{{slug}}/{path}"),
            case(
                &format!("/v1/segments/vip/{path}"),
                Body::None,
                NotFound,
                "/v1/segments/vip",
                "VIP set",
            ),
        );
    }
    add(
        "GET",
        "/v1/badges/{id}",
        case(
            "/v1/badges/regular",
            Body::None,
            NotFound,
            "/v1/badges/regular",
            "Regular",
        ),
    );
    add(
        "PUT",
        "/v1/badges/{id}",
        case(
            "/v1/badges/regular",
            j(json!({"name": "B's badge", "levels": [{"name": "gold"}]})),
            OwnObject,
            "/v1/badges/regular",
            "Regular",
        ),
    );
    add(
        "PUT",
        "/v1/badges/{id}/image",
        case(
            "/v1/badges/regular/image",
            Body::Text("GIF89a\u{1}\u{0}\u{1}\u{0};"),
            NotFound,
            "/v1/badges/regular",
            "Regular",
        ),
    );
    add(
        "GET",
        "/v1/leaderboards/{id}",
        case(
            "/v1/leaderboards/spend",
            Body::None,
            NotFound,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    add(
        "PUT",
        "/v1/leaderboards/{id}",
        case(
            "/v1/leaderboards/spend",
            j(
                json!({"name": "B board", "metric": {"kind": "points"}, "period": {"kind": "all_time"}}),
            ),
            OwnObject,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    add(
        "GET",
        "/v1/leaderboards/{id}/contests",
        case(
            "/v1/leaderboards/spend/contests",
            Body::None,
            NotFound,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    add(
        "POST",
        "/v1/leaderboards/{id}/contests/{period}/settle",
        case(
            "/v1/leaderboards/spend/contests/window/settle",
            j(json!({})),
            NotFound,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    add(
        "GET",
        "/v1/leaderboards/{id}/members/{external_id}",
        case(
            "/v1/leaderboards/spend/members/anna",
            Body::None,
            NotFound,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    add(
        "POST",
        "/v1/leaderboards/{id}/rebuild",
        case(
            "/v1/leaderboards/spend/rebuild",
            j(json!({})),
            NotFound,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    add(
        "GET",
        "/v1/leaderboards/{id}/standings",
        case(
            "/v1/leaderboards/spend/standings",
            Body::None,
            NotFound,
            "/v1/leaderboards/spend",
            "Spend board",
        ),
    );
    let hook = format!("/v1/webhooks/endpoints/{endpoint}");
    for (method, template, path, body) in [
        (
            "GET",
            "/v1/webhooks/endpoints/{id}",
            hook.clone(),
            Body::None,
        ),
        (
            "PATCH",
            "/v1/webhooks/endpoints/{id}",
            hook.clone(),
            j(json!({"enabled": false})),
        ),
        (
            "DELETE",
            "/v1/webhooks/endpoints/{id}",
            hook.clone(),
            Body::None,
        ),
        (
            "POST",
            "/v1/webhooks/endpoints/{id}/rotate-secret",
            format!("{hook}/rotate-secret"),
            empty(),
        ),
        (
            "GET",
            "/v1/webhooks/endpoints/{id}/deliveries",
            format!("{hook}/deliveries"),
            Body::None,
        ),
    ] {
        add(method, template, case(&path, body, NotFound, &hook, "CRM"));
    }
    let msg = format!("/v1/webhooks/messages/{message}");
    add(
        "GET",
        "/v1/webhooks/messages/{id}",
        case(&msg, Body::None, NotFound, &msg, "webhooked"),
    );
    add(
        "POST",
        "/v1/webhooks/messages/{id}/replay",
        case(
            &format!("{msg}/replay"),
            empty(),
            NotFound,
            &msg,
            "webhooked",
        ),
    );
    add(
        "GET",
        "/v1/challenges/{id}",
        case(
            "/v1/challenges/spend",
            Body::None,
            NotFound,
            "/v1/challenges/spend",
            "Spend",
        ),
    );
    add(
        "PUT",
        "/v1/challenges/{id}",
        case(
            "/v1/challenges/spend",
            j(json!({"name": "B's challenge", "period": {"kind": "week"},
                     "goal": {"measure": "count", "target": 1}})),
            OwnObject,
            "/v1/challenges/spend",
            "Spend",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/challenges",
        case(
            &format!("{member}/challenges"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "POST",
        "/v1/members/{external_id}/challenges/{challenge}/join",
        case(
            &format!("{member}/challenges/spend/join"),
            j(json!({})),
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/offers",
        case(
            &format!("{member}/offers"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/segments",
        case(
            &format!("{member}/segments"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/members/{external_id}/badges",
        case(
            &format!("{member}/badges"),
            Body::None,
            NotFound,
            member,
            "13800000001",
        ),
    );
    add(
        "GET",
        "/v1/rewards/{id}",
        case(
            "/v1/rewards/tumbler",
            Body::None,
            NotFound,
            "/v1/rewards/tumbler",
            "Tumbler",
        ),
    );
    add(
        "PUT",
        "/v1/rewards/{id}",
        case(
            "/v1/rewards/tumbler",
            j(json!({"kind": "physical", "title": {"en": "B's tumbler"}, "cost": 1})),
            OwnObject,
            "/v1/rewards/tumbler",
            "Tumbler",
        ),
    );
    add(
        "PUT",
        "/v1/rewards/{id}/image",
        case(
            "/v1/rewards/tumbler/image",
            Body::Text("GIF89a\u{1}\u{0}\u{1}\u{0};"),
            NotFound,
            "/v1/rewards/tumbler",
            "Tumbler",
        ),
    );
    add(
        "POST",
        "/v1/rewards/{id}/codes",
        case(
            "/v1/rewards/cinema/codes",
            j(json!({"codes": ["B-1"]})),
            NotFound,
            "/v1/rewards/cinema",
            "Cinema",
        ),
    );
    add(
        "GET",
        "/v1/rules/backtests/{id}",
        case(
            &format!("/v1/rules/backtests/{backtest}"),
            Body::None,
            NotFound,
            &format!("/v1/rules/backtests/{backtest}"),
            &backtest,
        ),
    );
    add(
        "GET",
        "/v1/rules/{id}",
        case(
            "/v1/rules/purchase",
            Body::None,
            NotFound,
            "/v1/rules/purchase",
            "1 point per yuan",
        ),
    );
    add(
        "PUT",
        "/v1/rules/{id}",
        case(
            "/v1/rules/purchase",
            j(
                json!({"name": "B's rule", "trigger": {"kind": "event", "types": ["review"]}, "effects": [{"kind": "award_points", "points": 1}]}),
            ),
            OwnObject,
            "/v1/rules/purchase",
            "1 point per yuan",
        ),
    );
    add(
        "DELETE",
        "/v1/rules/{id}",
        case(
            "/v1/rules/purchase",
            Body::None,
            NotFound,
            "/v1/rules/purchase",
            "1 point per yuan",
        ),
    );
    add(
        "POST",
        "/v1/rules/{id}/archive",
        case(
            "/v1/rules/purchase/archive",
            empty(),
            NotFound,
            "/v1/rules/purchase",
            "1 point per yuan",
        ),
    );
    add(
        "POST",
        "/v1/rules/{id}/pause",
        case(
            "/v1/rules/purchase/pause",
            empty(),
            NotFound,
            "/v1/rules/purchase",
            "1 point per yuan",
        ),
    );
    add(
        "POST",
        "/v1/rules/{id}/resume",
        case(
            "/v1/rules/purchase/resume",
            empty(),
            NotFound,
            "/v1/rules/purchase",
            "1 point per yuan",
        ),
    );
    add(
        "GET",
        "/v1/rules/{id}/versions",
        case(
            "/v1/rules/purchase/versions",
            Body::None,
            NotFound,
            "/v1/rules/purchase/versions",
            "purchase",
        ),
    );
    add(
        "GET",
        "/v1/tier-jobs/{id}",
        case(
            &format!("/v1/tier-jobs/{job}"),
            Body::None,
            NotFound,
            &format!("/v1/tier-jobs/{job}"),
            &job,
        ),
    );
    add(
        "GET",
        "/v1/voucher-templates/{id}",
        case(
            "/v1/voucher-templates/apass-welcome-50",
            Body::None,
            NotFound,
            "/v1/voucher-templates/apass-welcome-50",
            "APASS",
        ),
    );
    add(
        "PUT",
        "/v1/voucher-templates/{id}",
        case(
            "/v1/voucher-templates/apass-welcome-50",
            j(json!({"title": {"en": "B's voucher"}, "discount": {"kind": "amount", "off": 100}})),
            OwnObject,
            "/v1/voucher-templates/apass-welcome-50",
            "APASS",
        ),
    );
    add(
        "POST",
        "/v1/voucher-templates/{id}/codes",
        case(
            "/v1/voucher-templates/apass-welcome-50/codes",
            j(json!({"id": "batch-b", "count": 1})),
            NotFound,
            "/v1/voucher-templates/apass-welcome-50",
            "APASS",
        ),
    );
    add(
        "GET",
        "/v1/voucher-templates/{id}/codes",
        case(
            "/v1/voucher-templates/apass-welcome-50/codes",
            Body::None,
            NotFound,
            "/v1/voucher-templates/apass-welcome-50",
            "APASS",
        ),
    );
    add(
        "POST",
        "/v1/voucher-templates/{id}/codes/import",
        case(
            "/v1/voucher-templates/apass-welcome-50/codes/import",
            Body::Text("BCODE0001\n"),
            NotFound,
            "/v1/voucher-templates/apass-welcome-50",
            "APASS",
        ),
    );
    add(
        "GET",
        "/v1/vouchers/{code}",
        case(
            &format!("/v1/vouchers/{v3}"),
            Body::None,
            NotFound,
            &format!("/v1/vouchers/{v3}"),
            "usable",
        ),
    );

    // --- the document the server serves decides what is checked ---------------------------
    let res = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .expect("openapi");
    let doc: Value = res.json().await.expect("openapi JSON");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !path.contains('{') {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                operations.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    let unknown: Vec<_> = operations
        .iter()
        .filter(|op| !cases.contains_key(*op))
        .collect();
    assert!(
        unknown.is_empty(),
        "operations with an id in the path that this test does not fill (add each, with its \
         object in program A, to tests/tenant_isolation.rs): {unknown:?}"
    );
    let stale: Vec<_> = cases.keys().filter(|k| !operations.contains(k)).collect();
    assert!(
        stale.is_empty(),
        "cases for operations the API no longer has: {stale:?}"
    );

    // Each object is real in A.
    for ((method, template), c) in &cases {
        let key = if c.key == Key::Partner {
            &a_partner
        } else {
            &app.key
        };
        let (status, body) = send(&app, key, &Method::GET, &c.proof.0, &Body::None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{method} {template}: A's {} is {status}: {body}",
            c.proof.0
        );
        assert!(
            body.to_string().contains(&c.proof.1),
            "{method} {template}: A's {} holds {:?}: {body}",
            c.proof.0,
            c.proof.1
        );
    }

    // A's state, read through every GET there is of it.
    let mut reads: Vec<String> = cases
        .values()
        .map(|c| c.proof.0.clone())
        .chain(
            [
                "/v1/members",
                "/v1/program",
                "/v1/api-keys",
                "/v1/operators",
                "/v1/console-settings",
                "/v1/rules",
                "/v1/campaigns",
                "/v1/event-types",
                "/v1/meters",
                "/v1/sites",
                "/v1/tier-policy",
                "/v1/partners",
                "/v1/rewards",
                "/v1/voucher-templates",
                "/v1/checkout-settings",
                "/v1/members/anna/tiers",
                "/v1/members/anna/meters",
                "/v1/members/anna/benefits",
                "/v1/members/anna/rewards",
                "/v1/members/anna/export",
                "/v1/notifications",
            ]
            .map(str::to_owned),
        )
        .collect();
    reads.sort();
    reads.dedup();
    let before = state_of(&app, &app.key, &a_partner, &reads).await;

    // B's key: 404s first, then the upserts (which give B objects of the same ids).
    let mut ordered: Vec<_> = cases.iter().collect();
    ordered.sort_by_key(|(_, c)| c.expect == OwnObject);
    for ((method, template), c) in ordered {
        let key = if c.key == Key::Partner {
            &b_partner
        } else {
            &b_key
        };
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, body) = send(&app, key, &m, &c.path, &c.body).await;
        match c.expect {
            NotFound => {
                let code = body["error"]["code"].as_str().unwrap_or_default();
                assert!(
                    status == StatusCode::NOT_FOUND && code.ends_with("_not_found"),
                    "{method} {template} with B's key: {status} {body}"
                );
            }
            OwnObject => {
                assert!(
                    status.is_success(),
                    "{method} {template} with B's key: {status} {body}"
                );
                let (status, mine) = send(&app, key, &Method::GET, &c.proof.0, &Body::None).await;
                assert_eq!(
                    status,
                    StatusCode::OK,
                    "{method} {template}: B reads its own"
                );
                assert!(
                    !mine.to_string().contains(&c.proof.1),
                    "{method} {template}: B's {} is B's own, not A's: {mine}",
                    c.proof.0
                );
            }
        }
    }

    // Nothing of A changed.
    let after = state_of(&app, &app.key, &a_partner, &reads).await;
    for (path, was) in &before {
        assert_eq!(&after[path], was, "A's {path} changed");
    }
}
