//! Look-ups through HTTP, on SQLite and PostgreSQL: the notification outbox (filters and pages),
//! a recorded event with its answer, and an order with its refunds and points.

mod common;

use chrono::Duration;
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    the_outbox_pages_and_filters => super::the_outbox_pages_and_filters;
    tier_notifications_carry_their_payload => super::tier_notifications_carry_their_payload;
    an_event_shows_what_it_caused => super::an_event_shows_what_it_caused;
    an_order_shows_its_refunds_and_points => super::an_order_shows_its_refunds_and_points;
    page_limits_are_the_ones_the_openapi_document_gives =>
        super::page_limits_are_the_ones_the_openapi_document_gives;
    an_offset_sent_with_a_bare_plus_is_explained =>
        super::an_offset_sent_with_a_bare_plus_is_explained;
}

/// The `(kind, member, cause)` of a page of notifications, in order.
fn notes(page: &Value) -> Vec<(String, String, String)> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {page}"))
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["member"].as_str().unwrap().to_owned(),
                n["cause"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn note(kind: &str, member: &str, cause: &str) -> (String, String, String) {
    (kind.into(), member.into(), cause.into())
}

async fn the_outbox_pages_and_filters(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.member("m2").await;
    for (id, kind, template) in [
        ("thanks", "review", "thanks-for-reviewing"),
        ("hello", "check_in", "welcome"),
    ] {
        let r = app
            .put(
                &format!("/v1/rules/{id}"),
                json!({"name": id, "trigger": {"kind": "event", "types": [kind]},
                       "effects": [{"kind": "notify", "template": template}]}),
            )
            .await;
        assert!(r.status.is_success(), "{r:?}");
    }
    app.advance(Duration::minutes(1));
    let start = app.now();
    app.behaviour("r1", "review", "m1", json!({})).await;
    app.advance(Duration::minutes(1));
    let second = app.now();
    app.behaviour("r2", "review", "m2", json!({})).await;
    app.advance(Duration::minutes(1));
    let third = app.now();
    app.behaviour("c1", "check_in", "m1", json!({})).await;

    let all = app.get("/v1/notifications").await;
    assert_eq!(all.status, StatusCode::OK, "{all:?}");
    assert_eq!(
        notes(&all.body),
        vec![
            note("welcome", "m1", "c1"),
            note("thanks-for-reviewing", "m2", "r2"),
            note("thanks-for-reviewing", "m1", "r1"),
        ]
    );
    let first = &all.body["data"][2];
    assert_eq!(first["rule_id"], "thanks");
    assert_eq!(first["delivered_at"], Value::Null);
    assert_eq!(first["recipient"], Value::Null);
    assert_eq!(first["payload"], Value::Null);
    assert_eq!(first["created_at"], json!(start));
    assert_eq!(all.body["next"], Value::Null);

    // Pages of two.
    let p1 = app.get("/v1/notifications?limit=2").await;
    assert_eq!(notes(&p1.body).len(), 2);
    let next = p1.body["next"].as_str().expect("a full page has next");
    let p2 = app
        .get(&format!("/v1/notifications?limit=2&after={next}"))
        .await;
    assert_eq!(
        notes(&p2.body),
        vec![note("thanks-for-reviewing", "m1", "r1")]
    );
    assert_eq!(p2.body["next"], Value::Null);

    // Filters, alone and together.
    let q = |query: &str| {
        let app = &app;
        let path = format!("/v1/notifications?{query}");
        async move {
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {r:?}");
            notes(&r.body)
        }
    };
    assert_eq!(q("kind=thanks-for-reviewing").await.len(), 2);
    assert_eq!(
        q("member=m1").await,
        vec![
            note("welcome", "m1", "c1"),
            note("thanks-for-reviewing", "m1", "r1")
        ]
    );
    assert_eq!(
        q("member=m1&kind=thanks-for-reviewing").await,
        vec![note("thanks-for-reviewing", "m1", "r1")]
    );
    assert_eq!(q("member=nobody").await, vec![]);
    assert_eq!(q("kind=no-such-kind").await, vec![]);
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339().replace('+', "%2B");
    assert_eq!(
        q(&format!("since={}", at(second))).await,
        vec![
            note("welcome", "m1", "c1"),
            note("thanks-for-reviewing", "m2", "r2")
        ]
    );
    assert_eq!(
        q(&format!("since={}&until={}", at(second), at(third))).await,
        vec![note("thanks-for-reviewing", "m2", "r2")]
    );

    // A member's own outbox.
    let mine = app.get("/v1/members/m2/notifications").await;
    assert_eq!(mine.status, StatusCode::OK, "{mine:?}");
    assert_eq!(
        notes(&mine.body),
        vec![note("thanks-for-reviewing", "m2", "r2")]
    );
    let r = app.get("/v1/members/nobody/notifications").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "member_not_found")
    );

    // Bad parameters are refused, naming them.
    for (query, field) in [
        ("since=yesterday", "since"),
        ("until=2026-06-01T08:00:00", "until"),
        ("limit=0", "limit"),
        ("after=abc", "after"),
        (
            "since=2026-06-02T00:00:00Z&until=2026-06-01T00:00:00Z",
            "until",
        ),
    ] {
        let r = app.get(&format!("/v1/notifications?{query}")).await;
        assert_eq!(
            (r.status, r.code(), r.body["error"]["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                Some(field)
            ),
            "{query}: {r:?}"
        );
    }

    // Another program sees none of them.
    let other = app.other_program_key().await;
    let r = app
        .send_as(
            Some(&other),
            reqwest::Method::GET,
            "/v1/notifications",
            None,
        )
        .await;
    assert_eq!(r.body["data"], json!([]), "{r:?}");
}

/// Notifications jifen writes itself (tier changes) carry a payload, read as JSON.
async fn tier_notifications_carry_their_payload(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "silver", "name": "Silver", "threshold": 0},
                             {"id": "gold", "name": "Gold", "threshold": 100000}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app.purchase("p1", "m1", "o1", 150_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app.get("/v1/notifications?member=m1").await;
    let upgrade = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "tier_upgraded")
        .unwrap_or_else(|| panic!("no tier_upgraded in {}", r.body))
        .clone();
    assert_eq!(upgrade["rule_id"], "tiers");
    assert_eq!(upgrade["cause"], "p1");
    assert_eq!(upgrade["payload"]["to"], "gold", "{upgrade}");
    let r = app.get("/v1/notifications?kind=tier_upgraded").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1, "{r:?}");
}

async fn an_event_shows_what_it_caused(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let first = app.purchase("p1", "m1", "o1", 26_800).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let r = app.get("/v1/events/p1").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let e = &r.body;
    assert_eq!(e["id"], "p1");
    assert_eq!(e["type"], "purchase");
    assert_eq!(e["member"], "m1");
    assert_eq!(e["guest"], false);
    assert_eq!(e["site"], "tmall");
    assert_eq!(e["attributes"], json!({"order_id": "o1", "amount": 26_800}));
    assert_eq!(e["occurred_at"], json!(app.now()));
    assert_eq!(e["recorded_at"], json!(app.now()));
    assert_eq!(e["answer"], first.body, "the answer the event got");
    assert_eq!(e["answer"]["points"], 268);

    // A guest's purchase.
    let r = app
        .post(
            "/v1/events",
            json!({"id": "g1", "type": "purchase", "member": "guest-7",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "G-1", "amount": 3_900, "guest": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app.get("/v1/events/g1").await;
    assert_eq!(
        (&r.body["member"], &r.body["guest"]),
        (&json!("guest-7"), &json!(true)),
        "{r:?}"
    );

    // A refused event was not recorded; an unknown id is not found.
    let refused = app.purchase("p2", "nobody", "o2", 100).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    for id in ["p2", "no-such-event"] {
        let r = app.get(&format!("/v1/events/{id}")).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "event_not_found"),
            "{r:?}"
        );
    }

    // After an erasure the event names the member by the pseudonym, in its answer too.
    let r = app.post("/v1/members/m1/erase", json!({})).await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app.get("/v1/events/p1").await;
    let member = r.body["member"].as_str().unwrap().to_owned();
    assert_ne!(member, "m1");
    assert_eq!(r.body["answer"]["member"], json!(member));
    assert!(!r.body.to_string().contains("\"m1\""), "{r:?}");
}

async fn an_order_shows_its_refunds_and_points(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    assert_eq!(
        app.purchase("p1", "m1", "o1", 26_800).await.status,
        StatusCode::OK
    );
    let r = app.get("/v1/orders/o1").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["refunds"], json!([]));
    assert_eq!(
        (
            &r.body["points_credited"],
            &r.body["points_clawed_back"],
            &r.body["net_points"]
        ),
        (&json!(268), &json!(0), &json!(268))
    );
    app.advance(Duration::hours(1));
    assert_eq!(
        app.refund("r1", "m1", "o1", 10_000).await.status,
        StatusCode::OK
    );
    let first_refund = app.now();
    app.advance(Duration::hours(1));
    assert_eq!(
        app.refund("r2", "m1", "o1", 6_800).await.status,
        StatusCode::OK
    );
    // A refund past the order's amount is refused and not listed.
    let r = app.refund("r3", "m1", "o1", 20_000).await;
    assert_eq!(r.code(), "refund_exceeds_order");

    let r = app.get("/v1/orders/o1").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let o = &r.body;
    assert_eq!(o["order_id"], "o1");
    assert_eq!(o["member"], "m1");
    assert_eq!(o["guest"], false);
    assert_eq!(o["amount"], 26_800);
    assert_eq!(o["refunded"], 16_800);
    assert_eq!(o["refunds"][0]["event_id"], "r1");
    assert_eq!(o["refunds"][0]["amount"], 10_000);
    assert_eq!(o["refunds"][0]["occurred_at"], json!(first_refund));
    assert_eq!(o["refunds"][1]["event_id"], "r2");
    assert_eq!(o["refunds"][1]["amount"], 6_800);
    assert_eq!(o["refunds"].as_array().unwrap().len(), 2);
    // 268 earned; worth 168 after the first refund, 100 after the second.
    assert_eq!(o["points_credited"], 268);
    assert_eq!(o["points_clawed_back"], 168);
    assert_eq!(o["points_written_off"], 0);
    assert_eq!(o["net_points"], 100);
    let events: Vec<(&str, &str)> = o["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        events,
        vec![("p1", "purchase"), ("r1", "refund"), ("r2", "refund")]
    );
    let kinds: Vec<&str> = o["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["earn", "clawback", "clawback"], "{o}");

    // A guest's order earns nothing.
    let r = app
        .post(
            "/v1/events",
            json!({"id": "g1", "type": "purchase", "member": "guest-7",
                   "occurred_at": app.now().to_rfc3339(),
                   "attributes": {"order_id": "G-1", "amount": 3_900, "guest": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app.get("/v1/orders/G-1").await;
    assert_eq!(
        (
            &r.body["member"],
            &r.body["guest"],
            &r.body["points_credited"]
        ),
        (&json!("guest-7"), &json!(true), &json!(0)),
        "{r:?}"
    );
    assert_eq!(r.body["events"][0]["id"], "g1");

    let r = app.get("/v1/orders/no-such-order").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "order_not_found"),
        "{r:?}"
    );
}

/// Every `limit` of a list in docs/openapi.json states the bounds the server keeps: the least
/// and the greatest are answered, one beyond either is a 422 naming `limit`. A generated client
/// that trusts the document never sends a limit the server refuses.
async fn page_limits_are_the_ones_the_openapi_document_gives(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app
        .put(
            "/v1/leaderboards/lb",
            json!({"name": "榜", "metric": {"kind": "spend"}, "period": {"kind": "month"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // A webhook endpoint named `lb` too (through the store: this server refuses local targets).
    let now = app.now();
    app.state
        .store
        .create_webhook_endpoint(
            &app.program_id,
            &jifen_store::WebhookEndpointRow {
                id: "lb".into(),
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
    let r = app
        .put(
            "/v1/segments/all",
            json!({"name": "全部", "condition": "true"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let doc: Value = serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
    let mut seen = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(params) = ops["get"]["parameters"].as_array() else {
            continue;
        };
        let Some(limit) = params.iter().find(|p| p["name"] == "limit") else {
            continue;
        };
        seen += 1;
        let schema = &limit["schema"];
        let (min, max) = (schema["minimum"].as_i64(), schema["maximum"].as_i64());
        assert_eq!((min, max), (Some(1), Some(200)), "{path}: limit {schema}");
        let path = path
            .replace("{external_id}", "m1")
            .replace("{id}", "lb")
            .replace("{slug}", "all");
        for (n, ok) in [(0, false), (1, true), (200, true), (201, false)] {
            let r = app.get(&format!("{path}?limit={n}")).await;
            if ok {
                // Answered (a member's tiers are a 404 while the program has no tier policy).
                assert!(
                    r.status == StatusCode::OK || r.code() == "tier_policy_not_found",
                    "{path}?limit={n}: {r:?}"
                );
            } else {
                assert_eq!(
                    (r.status, r.code(), r.body["error"]["field"].as_str()),
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_request",
                        Some("limit")
                    ),
                    "{path}?limit={n}: {r:?}"
                );
            }
        }
    }
    assert!(seen >= 6, "only {seen} lists take a limit");
}

/// In a query string a bare `+` reads as a space: `since=2026-12-01T08:00:00+08:00` sent as is
/// is refused with the way to send it, and `%2B` is taken.
async fn an_offset_sent_with_a_bare_plus_is_explained(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    for path in ["/v1/notifications", "/v1/members/m1/notifications"] {
        for field in ["since", "until"] {
            let r = app
                .get(&format!("{path}?{field}=2026-12-01T08:00:00+08:00"))
                .await;
            assert_eq!(
                (r.status, r.code(), r.body["error"]["field"].as_str()),
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_request",
                    Some(field)
                ),
                "{r:?}"
            );
            let message = r.body["error"]["message"].as_str().unwrap();
            assert!(message.contains("%2B"), "{message}");
            let r = app
                .get(&format!("{path}?{field}=2026-12-01T08:00:00%2B08:00"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
        }
    }
    let r = app
        .get("/v1/members/m1/balance?at=2026-12-01T08:00:00+08:00")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert!(
        r.body["error"]["message"].as_str().unwrap().contains("%2B"),
        "{r:?}"
    );
}
