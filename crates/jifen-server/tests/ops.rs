//! Operations: health, readiness, metrics, request ids and the OpenAPI description, including
//! the check that the committed `docs/openapi.json` matches the code.

mod common;

use common::{TestApp, TestBackend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

jifen_store::backend_tests! {
    healthz_and_readyz => super::healthz_and_readyz;
    metrics_count_requests_and_events => super::metrics_count_requests_and_events;
    every_answer_has_a_request_id => super::every_answer_has_a_request_id;
}

async fn healthz_and_readyz(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.send_as(None, Method::GET, "/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ok"}));
    let r = app.send_as(None, Method::GET, "/readyz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let database = match b {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgres",
    };
    assert_eq!(r.body, json!({"status": "ready", "database": database}));
    // A key is accepted, not needed.
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK);
}

/// The value of the sample of `name` whose labels include all of `labels`, if any.
fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .reduce(|a, b| a + b)
}

async fn metrics_text(app: &TestApp) -> String {
    let res = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/plain"), "{ct}");
    res.text().await.expect("metrics text")
}

async fn metrics_count_requests_and_events(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // A member id that must not become a label: routes are counted by their pattern.
    app.member("m-label-check").await;
    let r = app.get("/v1/members/m-label-check").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/v1/members/m-label-check/balance").await;
    assert_eq!(r.status, StatusCode::OK);
    app.get("/no/such/route").await;
    let text = metrics_text(&app).await;
    assert!(text.contains("jifen_http_requests_total"), "{text}");
    assert!(
        sample(
            &text,
            "jifen_http_requests_total",
            &[
                r#"route="/v1/members/{external_id}""#,
                r#"method="GET""#,
                r#"status="200""#
            ]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "jifen_http_requests_total",
            &[r#"method="PUT""#, r#"status="201""#]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "jifen_http_requests_total",
            &[r#"route="unmatched""#, r#"status="404""#]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        text.contains("jifen_http_request_duration_seconds"),
        "{text}"
    );
    assert!(!text.contains("m-label-check"), "an id became a label");

    // Events are counted by type once they are recorded.
    let before = sample(
        &metrics_text(&app).await,
        "jifen_events_ingested_total",
        &[r#"type="purchase""#],
    )
    .unwrap_or(0.0);
    let r = app.purchase("e1", "m-label-check", "o1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // A replay records nothing new.
    app.purchase("e1", "m-label-check", "o1", 10_000).await;
    let text = metrics_text(&app).await;
    assert!(text.contains("jifen_events_ingested_total"), "{text}");
    let after = sample(
        &text,
        "jifen_events_ingested_total",
        &[r#"type="purchase""#],
    )
    .expect("purchase counter");
    // Tests of the other backend run in this process at the same time: at least ours counted.
    assert!(after >= before + 1.0, "{before} → {after}");
}

async fn every_answer_has_a_request_id(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let requests: Vec<(Option<&str>, Method, &str, Option<Value>)> = vec![
        (None, Method::GET, "/healthz", None),
        (None, Method::GET, "/readyz", None),
        (None, Method::GET, "/metrics", None),
        (None, Method::GET, "/openapi.json", None),
        (Some(&app.key), Method::GET, "/v1/program", None),
        (Some(&app.key), Method::GET, "/v1/members/m1", None),
        (
            Some(&app.key),
            Method::PUT,
            "/v1/members/m2",
            Some(json!({})),
        ),
        (None, Method::GET, "/v1/program", None),
        (Some(&app.key), Method::GET, "/v1/members/nobody", None),
        (Some(&app.key), Method::GET, "/nope", None),
        (Some(&app.key), Method::DELETE, "/v1/program", None),
        (
            Some(&app.key),
            Method::PUT,
            "/v1/members/m1",
            Some(json!({"x": 1})),
        ),
        (Some(&app.key), Method::GET, "/v1/members?limit=ten", None),
    ];
    let mut ids = std::collections::HashSet::new();
    for (key, method, path, body) in requests {
        let r = app.send_as(key, method.clone(), path, body).await;
        let id = r
            .headers
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{method} {path}: no x-request-id"))
            .to_str()
            .unwrap()
            .to_owned();
        assert!(uuid_like(&id), "{method} {path}: {id}");
        assert!(ids.insert(id), "{method} {path}: request id reused");
    }
    let r = app.raw(Method::POST, "/v1/events", "{broken").await;
    assert!(r.headers.contains_key("x-request-id"));
    // A client's own request id is kept.
    for path in ["/v1/program", "/nope"] {
        let res = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&app.key)
            .header("x-request-id", "client-chosen-42")
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["x-request-id"], "client-chosen-42", "{path}");
    }
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[tokio::test]
async fn openapi_route_serves_the_document() {
    let app = TestApp::spawn(TestBackend::Sqlite).await;
    let res = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let served: Value = res.json().await.unwrap();
    let expected: Value = serde_json::from_str(&jifen_server::api::openapi_json()).unwrap();
    assert_eq!(served, expected);
    assert!(
        served["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        served["openapi"]
    );
    let mut paths: Vec<&str> = served["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "/v1/api-keys",
            "/v1/api-keys/{id}",
            "/v1/audit-log",
            "/v1/badges",
            "/v1/badges/{id}",
            "/v1/badges/{id}/image",
            "/v1/campaigns",
            "/v1/campaigns/{id}",
            "/v1/challenges",
            "/v1/challenges/{id}",
            "/v1/checkout-settings",
            "/v1/checkout/redeem",
            "/v1/checkout/validate",
            "/v1/checkout/{id}",
            "/v1/checkout/{id}/cancel",
            "/v1/checkout/{id}/confirm",
            "/v1/console-settings",
            "/v1/event-types",
            "/v1/event-types/{name}",
            "/v1/events",
            "/v1/events/{id}",
            "/v1/gifts/{token}",
            "/v1/gifts/{token}/cancel",
            "/v1/gifts/{token}/claim",
            "/v1/holds/{id}",
            "/v1/holds/{id}/commit",
            "/v1/holds/{id}/void",
            "/v1/leaderboards",
            "/v1/leaderboards/{id}",
            "/v1/leaderboards/{id}/contests",
            "/v1/leaderboards/{id}/contests/{period}/settle",
            "/v1/leaderboards/{id}/members/{external_id}",
            "/v1/leaderboards/{id}/rebuild",
            "/v1/leaderboards/{id}/standings",
            "/v1/members",
            "/v1/members/batch",
            "/v1/members/{external_id}",
            "/v1/members/{external_id}/adjustments",
            "/v1/members/{external_id}/badges",
            "/v1/members/{external_id}/balance",
            "/v1/members/{external_id}/benefits",
            "/v1/members/{external_id}/challenges",
            "/v1/members/{external_id}/challenges/{challenge}/join",
            "/v1/members/{external_id}/consents",
            "/v1/members/{external_id}/erase",
            "/v1/members/{external_id}/export",
            "/v1/members/{external_id}/holds",
            "/v1/members/{external_id}/ledger",
            "/v1/members/{external_id}/meters",
            "/v1/members/{external_id}/notification-preferences",
            "/v1/members/{external_id}/notifications",
            "/v1/members/{external_id}/offers",
            "/v1/members/{external_id}/portal-links",
            "/v1/members/{external_id}/redemptions",
            "/v1/members/{external_id}/referral",
            "/v1/members/{external_id}/referral/qr.svg",
            "/v1/members/{external_id}/referrals",
            "/v1/members/{external_id}/reward-redemptions",
            "/v1/members/{external_id}/rewards",
            "/v1/members/{external_id}/segments",
            "/v1/members/{external_id}/tier-override",
            "/v1/members/{external_id}/tiers",
            "/v1/members/{external_id}/vouchers",
            "/v1/members/{external_id}/vouchers/{code}/gift",
            "/v1/meters",
            "/v1/meters/{name}",
            "/v1/notifications",
            "/v1/offers/settings",
            "/v1/operators",
            "/v1/operators/{email}",
            "/v1/orders/{order_id}",
            "/v1/partner/events",
            "/v1/partner/members/{member}",
            "/v1/partners",
            "/v1/partners/{id}",
            "/v1/partners/{id}/api-keys",
            "/v1/program",
            "/v1/referral-program",
            "/v1/referral-program/stats",
            "/v1/reminders/preview",
            "/v1/reminders/settings",
            "/v1/reward-redemptions/{id}",
            "/v1/reward-redemptions/{id}/cancel",
            "/v1/reward-redemptions/{id}/fulfilment",
            "/v1/rewards",
            "/v1/rewards/{id}",
            "/v1/rewards/{id}/codes",
            "/v1/rewards/{id}/image",
            "/v1/rules",
            "/v1/rules/backtest",
            "/v1/rules/backtests/{id}",
            "/v1/rules/simulate",
            "/v1/rules/{id}",
            "/v1/rules/{id}/archive",
            "/v1/rules/{id}/pause",
            "/v1/rules/{id}/resume",
            "/v1/rules/{id}/versions",
            "/v1/segment-previews",
            "/v1/segments",
            "/v1/segments/{slug}",
            "/v1/segments/{slug}/members",
            "/v1/segments/{slug}/members.csv",
            "/v1/sites",
            "/v1/tier-jobs",
            "/v1/tier-jobs/{id}",
            "/v1/tier-policy",
            "/v1/voucher-templates",
            "/v1/voucher-templates/{id}",
            "/v1/voucher-templates/{id}/codes",
            "/v1/voucher-templates/{id}/codes/import",
            "/v1/vouchers/{code}",
            "/v1/webhooks/endpoints",
            "/v1/webhooks/endpoints/{id}",
            "/v1/webhooks/endpoints/{id}/deliveries",
            "/v1/webhooks/endpoints/{id}/rotate-secret",
            "/v1/webhooks/messages",
            "/v1/webhooks/messages/{id}",
            "/v1/webhooks/messages/{id}/replay",
            "/v1/webhooks/replay-failed",
        ]
    );
    assert!(served["components"]["securitySchemes"]["api_key"].is_object());
    assert_eq!(served["security"], json!([{"api_key": []}]));
}

/// The committed description must be what the code describes. When this fails after a change
/// of the API, regenerate it and commit the result.
#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {path}: {e}\n\
             generate it: cargo run -p jifen-server -- openapi > docs/openapi.json"
        )
    });
    let generated = jifen_server::api::openapi_json();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "the lengths differ".to_owned(),
                |n| format!("first difference at line {}", n + 1),
            );
        panic!(
            "docs/openapi.json is out of date with the code ({line}).\n\
             Regenerate it and commit the result:\n\
             \n    cargo run -p jifen-server -- openapi > docs/openapi.json\n"
        );
    }
}
