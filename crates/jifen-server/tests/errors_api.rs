//! Errors through HTTP: authentication, tenancy, bad input and the shape of every error answer,
//! on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::{Res, TestApp, TestBackend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

jifen_store::backend_tests! {
    requests_without_a_valid_key_are_unauthorized => super::requests_without_a_valid_key_are_unauthorized;
    programs_cannot_reach_each_other => super::programs_cannot_reach_each_other;
    bad_input_is_refused_and_changes_nothing => super::bad_input_is_refused_and_changes_nothing;
    occurred_at_may_be_at_most_five_minutes_ahead => super::occurred_at_may_be_at_most_five_minutes_ahead;
    oversized_bodies_are_refused_as_json => super::oversized_bodies_are_refused_as_json;
    unknown_routes_and_methods_answer_json => super::unknown_routes_and_methods_answer_json;
    odd_path_values_are_not_internal_errors => super::odd_path_values_are_not_internal_errors;
    api_keys_show_the_secret_once_and_revoke => super::api_keys_show_the_secret_once_and_revoke;
    doc_links_follow_each_servers_docs_base => super::doc_links_follow_each_servers_docs_base;
}

/// Texts an error answer must never contain: they would leak the database behind it.
const LEAKS: [&str; 6] = [
    "sqlite",
    "postgres",
    "SELECT",
    "constraint",
    "sqlx",
    "database error",
];

/// Checks an error answer: its status and code, its JSON shape, and that it tells nothing of the
/// database.
#[track_caller]
fn assert_error(r: &Res, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(r.code(), code, "{r:?}");
    let ct = r.headers.get("content-type").map(|v| v.to_str().unwrap());
    assert!(
        ct.is_some_and(|c| c.starts_with("application/json")),
        "content-type {ct:?}: {r:?}"
    );
    let e = &r.body["error"];
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{r:?}"
    );
    assert_eq!(
        e["doc"].as_str(),
        Some(
            format!(
                "https://github.com/jifen-loyalty/jifen/blob/main/docs/api.md#{}",
                code.replace('_', "-")
            )
            .as_str()
        ),
        "{r:?}"
    );
    let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
    assert!(
        keys.iter()
            .all(|k| ["code", "message", "doc", "field"].contains(&k.as_str())),
        "{keys:?}"
    );
    let text = r.body.to_string();
    for leak in LEAKS {
        assert!(
            !text.to_lowercase().contains(&leak.to_lowercase()),
            "{leak} in {text}"
        );
    }
    assert!(r.headers.contains_key("x-request-id"), "{r:?}");
}

#[track_caller]
fn assert_invalid(r: &Res, field: &str) {
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(r.body["error"]["field"], field, "{r:?}");
}

/// Sends a raw body with a chosen key (or none).
async fn raw_as(app: &TestApp, key: Option<&str>, method: Method, path: &str, body: &str) -> Res {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(k) = key {
        req = req.header("authorization", k);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let body = serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null);
    Res {
        status,
        body,
        headers,
    }
}

/// Everything a refused write might have touched: the member, its balance, ledger and hold.
async fn snapshot(app: &TestApp) -> Value {
    json!({
        "member": app.get("/v1/members/m1").await.body,
        "balance": app.balance("m1").await,
        "ledger": app.get("/v1/members/m1/ledger").await.body,
        "hold": app.get("/v1/holds/h1").await.body,
        "members": app.get("/v1/members").await.body,
        "program": app.get("/v1/program").await.body,
    })
}

async fn requests_without_a_valid_key_are_unauthorized(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let bearer = format!("Bearer {}", app.key);
    let routes = [
        (Method::GET, "/v1/program", ""),
        (Method::PATCH, "/v1/program", r#"{"points_per_yuan": 5}"#),
        (Method::GET, "/v1/api-keys", ""),
        (Method::POST, "/v1/api-keys", r#"{"name": "x"}"#),
        (Method::PUT, "/v1/members/m1", r#"{"name": "x"}"#),
        (Method::GET, "/v1/members", ""),
        (Method::GET, "/v1/members/m1", ""),
        (Method::GET, "/v1/members/m1/balance", ""),
        (Method::GET, "/v1/members/m1/ledger", ""),
        (
            Method::POST,
            "/v1/members/m1/adjustments",
            r#"{"id": "a1", "points": 5, "reason": "x"}"#,
        ),
        (Method::POST, "/v1/events", "{not even json"),
        (Method::GET, "/v1/holds/h1", ""),
        (Method::POST, "/v1/holds/h1/void", ""),
    ];
    let wrong = [
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some("Bearer jf_sk_not-a-key".to_owned()),
        Some("Bearer sk_live_something".to_owned()),
        Some(format!("Basic {}", app.key)),
        Some(app.key.clone()),
        Some(format!("{bearer}x")),
        Some(bearer[..bearer.len() - 1].to_owned()),
    ];
    for auth in &wrong {
        for (method, path, body) in &routes {
            let r = raw_as(&app, auth.as_deref(), method.clone(), path, body).await;
            assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
            assert!(r.body["error"].get("field").is_none(), "{r:?}");
            assert_eq!(r.headers["www-authenticate"], "Bearer realm=\"jifen\"");
        }
    }
    // The scheme is case-insensitive.
    let lower = format!("bearer {}", app.key);
    let r = raw_as(&app, Some(&lower), Method::GET, "/v1/program", "").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // Nothing was written by any of them.
    let r = app.get("/v1/members").await;
    assert_eq!(r.body, json!({"data": [], "next": null}));
    let r = app.get("/v1/program").await;
    assert_eq!(r.body["policy"]["points_per_yuan"], 1);
    assert_eq!(
        app.get("/v1/api-keys").await.body.as_array().unwrap().len(),
        1
    );
    // The right key works on the same routes.
    let r = raw_as(&app, Some(&bearer), Method::GET, "/v1/program", "").await;
    assert_eq!(r.status, StatusCode::OK);
    // Health and the API description need no key.
    for path in ["/healthz", "/readyz", "/openapi.json", "/metrics"] {
        let r = raw_as(&app, None, Method::GET, path, "").await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
}

async fn programs_cannot_reach_each_other(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.put(
        "/v1/members/m1",
        json!({"name": "A's member", "phone": "13800000000"}),
    )
    .await;
    app.purchase("e1", "m1", "o1", 50_000).await;
    let r = app.hold("m1", "h1", 100, 600).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let before = snapshot(&app).await;
    let other = app.other_program_key().await;
    let b_key = Some(other.as_str());
    let now = app.now().to_rfc3339();
    let mut statuses = Vec::new();

    // Reads of A's things are 404s, as if they did not exist.
    for (path, code) in [
        ("/v1/members/m1", "member_not_found"),
        ("/v1/members/m1/balance", "member_not_found"),
        ("/v1/members/m1/ledger", "member_not_found"),
        ("/v1/holds/h1", "hold_not_found"),
    ] {
        let r = app.send_as(b_key, Method::GET, path, None).await;
        assert_error(&r, StatusCode::NOT_FOUND, code);
        statuses.push(r.status);
    }
    let r = app
        .send_as(
            b_key,
            Method::GET,
            "/v1/members?identity=phone:13800000000",
            None,
        )
        .await;
    assert_eq!(r.body["data"], json!([]));
    let r = app.send_as(b_key, Method::GET, "/v1/members", None).await;
    assert_eq!(r.body["data"], json!([]));

    // Writes to A's things are 404s too.
    let writes = [
        (
            "/v1/members/m1/redemptions",
            json!({"id": "r1", "points": 10}),
            "member_not_found",
        ),
        (
            "/v1/members/m1/adjustments",
            json!({"id": "a1", "points": -10, "reason": "x"}),
            "member_not_found",
        ),
        (
            "/v1/members/m1/holds",
            json!({"id": "h2", "points": 10, "expires_in_seconds": 60}),
            "member_not_found",
        ),
        ("/v1/holds/h1/commit", json!({}), "hold_not_found"),
        ("/v1/holds/h1/void", json!({}), "hold_not_found"),
        (
            "/v1/events",
            json!({"id": "e2", "type": "refund", "member": "m1", "occurred_at": now,
                   "attributes": {"order_id": "o1", "amount": 50_000}}),
            "member_not_found",
        ),
        (
            "/v1/events",
            json!({"id": "e3", "type": "purchase", "member": "m1", "occurred_at": now,
                   "attributes": {"order_id": "o9", "amount": 50_000}}),
            "member_not_found",
        ),
    ];
    for (path, body, code) in &writes {
        let r = app
            .send_as(b_key, Method::POST, path, Some(body.clone()))
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, code);
        statuses.push(r.status);
    }
    assert_eq!(snapshot(&app).await, before);

    // B's own member of the same external id is another member; A's order is not B's.
    let r = app
        .send_as(
            b_key,
            Method::PUT,
            "/v1/members/m1",
            Some(json!({"name": "B's member", "phone": "13800000000"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .send_as(
            b_key,
            Method::POST,
            "/v1/events",
            Some(
                json!({"id": "e2", "type": "refund", "member": "m1", "occurred_at": now,
                        "attributes": {"order_id": "o1", "amount": 100}}),
            ),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "order_not_found");
    // Event ids are per program: B's "e1" is a new event, not a replay of A's.
    let r = app
        .send_as(
            b_key,
            Method::POST,
            "/v1/events",
            Some(
                json!({"id": "e1", "type": "purchase", "member": "m1", "occurred_at": now,
                        "attributes": {"order_id": "o1", "amount": 1_000}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], 10);
    assert!(r.headers.get("idempotent-replayed").is_none());
    // Hold ids are per program too.
    let r = app
        .send_as(
            b_key,
            Method::POST,
            "/v1/members/m1/holds",
            Some(json!({"id": "h1", "points": 5, "expires_in_seconds": 60})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .send_as(b_key, Method::POST, "/v1/holds/h1/void", Some(json!({})))
        .await;
    assert_eq!(r.body["status"], "voided", "{r:?}");
    let r = app
        .send_as(b_key, Method::GET, "/v1/members/m1/balance", None)
        .await;
    assert_eq!(r.body["available"], 10);
    // A sees nothing of it.
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(app.get("/v1/holds/h1").await.body["status"], "pending");

    // Keys: B cannot list or revoke A's.
    let a_keys = app.get("/v1/api-keys").await.body;
    let a_key_id = a_keys[0]["id"].as_str().unwrap().to_owned();
    let r = app.send_as(b_key, Method::GET, "/v1/api-keys", None).await;
    let b_ids: Vec<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(b_ids.len(), 1);
    assert!(!b_ids.contains(&a_key_id.as_str()));
    let r = app
        .send_as(
            b_key,
            Method::DELETE,
            &format!("/v1/api-keys/{a_key_id}"),
            None,
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "api_key_not_found");
    statuses.push(r.status);
    assert_eq!(app.get("/v1/program").await.status, StatusCode::OK);
    // B's program is B's.
    let r = app.send_as(b_key, Method::GET, "/v1/program", None).await;
    assert_eq!(r.body["name"], "Other Brand");
    assert_ne!(r.body["id"], json!(app.program_id));
    assert!(statuses.iter().all(|s| *s != StatusCode::FORBIDDEN));
}

async fn bad_input_is_refused_and_changes_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.put("/v1/members/m1", json!({"name": "A"})).await;
    app.purchase("e1", "m1", "o1", 50_000).await;
    app.hold("m1", "h1", 100, 600).await;
    let before = snapshot(&app).await;
    let now = app.now();
    let at = now.to_rfc3339();
    let event = |attrs: Value| {
        json!({"id": "e2", "type": "purchase", "member": "m1", "occurred_at": at,
               "attributes": attrs})
        .to_string()
    };

    // Bodies that are not JSON at all.
    for (method, path, body) in [
        (Method::POST, "/v1/events", "{not json"),
        (Method::POST, "/v1/events", ""),
        (Method::POST, "/v1/events", "{\"id\": \"e2\","),
        (Method::PUT, "/v1/members/m1", "{\"name\": 'A'}"),
        (Method::POST, "/v1/members/m1/redemptions", "points=10"),
        (
            Method::PATCH,
            "/v1/program",
            "{\"points_per_yuan\": 2} trailing",
        ),
        (Method::POST, "/v1/holds/h1/commit", "{"),
    ] {
        let r = app.raw(method, path, body).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "malformed_json");
        assert_eq!(snapshot(&app).await, before, "{path} {body}");
    }

    // JSON of the wrong shape, naming the field at fault.
    let cases: Vec<(Method, &str, String, &str)> = vec![
        (
            Method::PUT,
            "/v1/members/m1",
            json!({"name": "B", "nmae": "C"}).to_string(),
            "nmae",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"id": "e2", "type": "check_in", "member": "m1", "occurred_at": at,
                   "colour": "red"})
            .to_string(),
            "colour",
        ),
        (
            Method::POST,
            "/v1/members/m1/redemptions",
            json!({"id": "r1", "points": 10, "note": "x"}).to_string(),
            "note",
        ),
        (
            Method::POST,
            "/v1/members/m1/redemptions",
            json!({"id": "r1", "points": "ten"}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/members/m1/redemptions",
            json!({"id": "r1", "points": 1.5}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/members/m1/redemptions",
            json!({"id": "r1", "points": -5}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/members/m1/redemptions",
            json!({"id": 7, "points": 5}).to_string(),
            "id",
        ),
        (
            Method::POST,
            "/v1/members/m1/redemptions",
            json!({"id": "", "points": 5}).to_string(),
            "id",
        ),
        (
            Method::POST,
            "/v1/members/m1/adjustments",
            json!({"id": "a1", "points": 0, "reason": "x"}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/members/m1/holds",
            json!({"id": "h2", "points": 10, "expires_in_seconds": 0}).to_string(),
            "expires_in_seconds",
        ),
        (
            Method::POST,
            "/v1/members/m1/holds",
            json!({"id": "h2", "points": 0, "expires_in_seconds": 60}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/holds/h1/commit",
            json!({"points": "all"}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/holds/h1/commit",
            json!({"points": -1}).to_string(),
            "points",
        ),
        (
            Method::POST,
            "/v1/events",
            event(json!({"order_id": "o2", "amount": -1})),
            "attributes.amount",
        ),
        (
            Method::POST,
            "/v1/events",
            event(json!({"order_id": "o2", "amount": "100"})),
            "attributes.amount",
        ),
        (
            Method::POST,
            "/v1/events",
            event(json!({"order_id": "o2"})),
            "attributes.amount",
        ),
        (
            Method::POST,
            "/v1/members/m1/adjustments",
            json!({"id": "a1", "points": 5}).to_string(),
            "reason",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"id": "e2", "type": "check_in", "member": "m1"}).to_string(),
            "occurred_at",
        ),
        (
            Method::PATCH,
            "/v1/program",
            json!({"expiry": {"kind": "rolling_days"}}).to_string(),
            "expiry.days",
        ),
        (
            Method::POST,
            "/v1/events",
            event(json!({"order_id": "o2", "amount": 100,
                         "lines": [{"sku": "s", "quantity": 0, "amount": 100}]})),
            "attributes.lines[0]",
        ),
        (Method::POST, "/v1/events", event(json!([1])), "attributes"),
        (
            Method::POST,
            "/v1/events",
            json!({"id": "e2", "type": "refund", "member": "m1", "occurred_at": at,
                   "attributes": {"order_id": "o1", "amount": 0}})
            .to_string(),
            "attributes.amount",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"id": "e2", "type": "purchase", "member": "m1",
                   "occurred_at": "2026-06-01T16:00:00",
                   "attributes": {"order_id": "o2", "amount": 100}})
            .to_string(),
            "occurred_at",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"id": "e2", "type": "check_in", "member": "m1",
                   "occurred_at": "2026-06-01"})
            .to_string(),
            "occurred_at",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"id": "e2", "type": "check_in", "member": "m1", "occurred_at": 1_780_000_000})
                .to_string(),
            "occurred_at",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"events": "e2"}).to_string(),
            "events",
        ),
        (
            Method::POST,
            "/v1/events",
            json!({"events": []}).to_string(),
            "events",
        ),
        (
            Method::PATCH,
            "/v1/program",
            json!({"points_per_yuan": -1}).to_string(),
            "points_per_yuan",
        ),
    ];
    for (method, path, body, field) in cases {
        let r = app.raw(method, path, &body).await;
        assert_invalid(&r, field);
        assert_eq!(snapshot(&app).await, before, "{path} {body}");
    }

    // Whole bodies of the wrong shape: no single field is at fault, so none is named.
    for (method, path, body) in [
        (Method::PUT, "/v1/members/m1", "[]"),
        (Method::POST, "/v1/members/m1/redemptions", "\"r1\""),
        (Method::POST, "/v1/events", "[1]"),
        (
            Method::POST,
            "/v1/events",
            r#"{"events": [{"id": "x"}], "extra": 1}"#,
        ),
    ] {
        let r = app.raw(method, path, body).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        assert!(r.body["error"].get("field").is_none(), "{body}: {r:?}");
        assert!(
            !r.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(':'),
            "{r:?}"
        );
        assert_eq!(snapshot(&app).await, before, "{path} {body}");
    }
    // In a batch, each failed event names its own field.
    let r = app
        .post(
            "/v1/events",
            json!({"events": [
                {"id": "b1", "type": "check_in", "member": "m1", "occurred_at": at},
                {"id": "b2", "type": "check_in", "occurred_at": at},
                {"id": "b3", "type": "purchase", "member": "m1", "occurred_at": at,
                 "attributes": {"amount": 100}},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["results"][0]["status"], "processed");
    assert_eq!(r.body["results"][1]["error"]["field"], "events[1].member");
    assert_eq!(
        r.body["results"][2]["error"]["field"],
        "events[2].attributes.order_id"
    );
    let before = snapshot(&app).await;

    // A future instant, an unknown event type.
    let future = (now + Duration::minutes(6)).to_rfc3339();
    let r = app
        .post(
            "/v1/events",
            json!({"id": "e2", "type": "purchase", "member": "m1", "occurred_at": future,
                   "attributes": {"order_id": "o2", "amount": 100}}),
        )
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "occurred_in_future");
    assert_eq!(r.body["error"]["field"], "occurred_at");
    let r = app
        .post(
            "/v1/events",
            json!({"id": "e2", "type": "teleport", "member": "m1", "occurred_at": at}),
        )
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown_event_type");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("teleport")
    );
    // Domain refusals change nothing either.
    let r = app.redeem("m1", "r1", 100_000).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "insufficient_points");
    let r = app.purchase("e2", "m1", "o1", 100).await;
    assert_error(&r, StatusCode::CONFLICT, "order_exists");
    let r = app.refund("e3", "m1", "o1", 50_001).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "refund_exceeds_order");
    let r = app
        .post("/v1/holds/h1/commit", json!({"points": 101}))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "commit_exceeds_hold");
    let r = app.purchase("e1", "m1", "o1", 50_001).await;
    assert_error(&r, StatusCode::CONFLICT, "idempotency_conflict");
    assert_eq!(snapshot(&app).await, before);

    // The ids refused requests used are still free.
    let r = app.purchase("e2", "m1", "o2", 1_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["points"], 10);
    let r = app.redeem("m1", "r1", 10).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

async fn occurred_at_may_be_at_most_five_minutes_ahead(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let now = app.now();
    let send = |id: &str, at: chrono::DateTime<chrono::Utc>| json!({"id": id, "type": "check_in", "member": "m1", "occurred_at": at.to_rfc3339()});
    let r = app
        .post("/v1/events", send("e1", now + Duration::seconds(301)))
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "occurred_in_future");
    let r = app
        .post("/v1/events", send("e2", now + Duration::seconds(300)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // The same instant written in another zone is judged the same.
    let shanghai = (now + Duration::seconds(301))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .to_rfc3339();
    let r = app
        .post(
            "/v1/events",
            json!({"id": "e3", "type": "check_in", "member": "m1", "occurred_at": shanghai}),
        )
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "occurred_in_future");
    // In a batch the future event fails alone, with its field.
    let r = app
        .post(
            "/v1/events",
            json!({"events": [send("e4", now), send("e5", now + Duration::hours(1))]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["results"][0]["status"], "processed");
    assert_eq!(r.body["results"][1]["status"], "failed");
    assert_eq!(r.body["results"][1]["error"]["code"], "occurred_in_future");
}

/// Sends a body that is too large. The server answers before reading all of it and then closes
/// the connection; when the unread rest makes the kernel reset the connection before the client
/// read the answer, the client sees a transport error instead (the classic "lingering close"
/// race). Only that is retried: every answer that arrives must be the JSON 413.
async fn send_too_large(app: &TestApp, method: Method, path: &str, body: &str) -> Res {
    for _ in 0..5 {
        let sent = app
            .client
            .request(method.clone(), format!("{}{path}", app.base))
            .bearer_auth(&app.key)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await;
        let Ok(res) = sent else { continue };
        let status = res.status();
        let headers = res.headers().clone();
        let Ok(text) = res.text().await else { continue };
        return Res {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        };
    }
    panic!("{method} {path}: no answer in 5 attempts");
}

async fn oversized_bodies_are_refused_as_json(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 10_000).await;
    let before = app.get("/v1/members/m1").await.body;
    let balance = app.balance("m1").await;
    let big = "x".repeat(2 * 1024 * 1024 + 1);
    let member = format!(r#"{{"name": "B", "attributes": {{"blob": "{big}"}}}}"#);
    let r = send_too_large(&app, Method::PUT, "/v1/members/m1", &member).await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // The server does not read the rest, so it closes the connection, and says so: a client's
    // next request on a pooled connection must not fail.
    assert_eq!(r.headers["connection"], "close");
    let event = format!(
        r#"{{"id": "e2", "type": "check_in", "member": "m1",
            "occurred_at": "2026-06-01T08:00:00Z", "attributes": {{"blob": "{big}"}}}}"#
    );
    let r = send_too_large(&app, Method::POST, "/v1/events", &event).await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = send_too_large(
        &app,
        Method::POST,
        "/v1/holds/h1/commit",
        &format!("{big}{big}"),
    )
    .await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(app.get("/v1/members/m1").await.body, before);
    assert_eq!(app.balance("m1").await, balance);
    // Just under the limit is fine.
    // (Each string at most 1 KiB, docs/api.md#strings; each array at most 200 items,
    // docs/rules.md#limits.)
    let piece = format!(r#""{}""#, "y".repeat(1_000));
    let array = format!("[{}]", vec![piece; 200].join(","));
    let pieces = vec![array; 10].join(",");
    let member = format!(r#"{{"attributes": {{"blob": [{pieces}]}}}}"#);
    let r = app.raw(Method::PUT, "/v1/members/m1", &member).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.status);
}

async fn unknown_routes_and_methods_answer_json(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for (method, path) in [
        (Method::GET, "/"),
        (Method::GET, "/nope"),
        (Method::GET, "/v1"),
        (Method::GET, "/v2/members"),
        (Method::GET, "/v1/members/m1/unknown"),
        (Method::POST, "/v1/holds/h1/explode"),
        (Method::GET, "/v1/members/m1/balance/extra"),
    ] {
        // With a key or without: an unknown route is not an auth question.
        for key in [Some(app.key.as_str()), None] {
            let r = app.send_as(key, method.clone(), path, None).await;
            assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        }
    }
    for (method, path) in [
        (Method::DELETE, "/v1/program"),
        (Method::POST, "/v1/program"),
        (Method::POST, "/v1/members/m1"),
        (Method::DELETE, "/v1/members/m1"),
        (Method::GET, "/v1/events"),
        (Method::PUT, "/v1/members/m1/balance"),
        (Method::GET, "/v1/holds/h1/commit"),
        (Method::PUT, "/healthz"),
        (Method::POST, "/metrics"),
    ] {
        for key in [Some(app.key.as_str()), None] {
            let r = app
                .send_as(key, method.clone(), path, Some(json!({})))
                .await;
            assert_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        }
    }
}

/// Values in paths that no id can be are answered like any unknown id, or refused naming the
/// parameter when they hold a control character (docs/api.md#strings), never as a server error.
async fn odd_path_values_are_not_internal_errors(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    for path in [
        "/v1/members/a%00b",
        "/v1/members/a%00b/balance",
        "/v1/members/a%00b/ledger",
    ] {
        let r = app.get(path).await;
        assert_invalid(&r, "external_id");
    }
    let long = "x".repeat(5_000);
    let r = app.get(&format!("/v1/members/{long}")).await;
    assert_error(&r, StatusCode::NOT_FOUND, "member_not_found");
    let r = app.get("/v1/holds/%F0%9F%8D%B5").await;
    assert_error(&r, StatusCode::NOT_FOUND, "hold_not_found");
    for path in ["/v1/holds/a%00b/commit", "/v1/holds/a%00b/void"] {
        let r = app.post(path, json!({})).await;
        assert_invalid(&r, "id");
    }
    let r = app
        .post(
            "/v1/members/a%00b/redemptions",
            json!({"id": "r1", "points": 1}),
        )
        .await;
    assert!(
        r.status == StatusCode::NOT_FOUND || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{r:?}"
    );
    assert!(r.status != StatusCode::INTERNAL_SERVER_ERROR);
    let r = app.delete("/v1/api-keys/a%00b").await;
    assert_invalid(&r, "id");
    // Control characters in free text are refused before they reach the database.
    app.adjust("m1", "a1", 10).await;
    for (path, body) in [
        (
            "/v1/members/m1/redemptions",
            json!({"id": "r2", "points": 1, "reason": "a\u{0}b"}),
        ),
        (
            "/v1/members/m1/adjustments",
            json!({"id": "a2", "points": 1, "reason": "a\u{0}b"}),
        ),
        (
            "/v1/members/m1/adjustments",
            json!({"id": "a3", "points": 1, "reason": "bell\u{7}"}),
        ),
    ] {
        let r = app.post(path, body).await;
        assert_invalid(&r, "reason");
    }
    // Line breaks in a reason are fine.
    let r = app
        .post(
            "/v1/members/m1/redemptions",
            json!({"id": "r3", "points": 1, "reason": "line one\nline two\ttab"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(app.balance("m1").await["available"], 9);
    // Percent-encoding that is not UTF-8 is a JSON error naming the parameter.
    for path in [
        "/v1/members/%FF",
        "/v1/members/%FF/balance",
        "/v1/holds/%C3%28",
    ] {
        let r = app.get(path).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        let field = r.body["error"]["field"].as_str().unwrap();
        assert!(field == "external_id" || field == "id", "{r:?}");
    }
    let r = app.put("/v1/members/%FF", json!({})).await;
    assert_invalid(&r, "external_id");
}

async fn api_keys_show_the_secret_once_and_revoke(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.post("/v1/api-keys", json!({"name": "pos"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("jf_sk_"), "{secret}");
    assert_eq!(secret.len(), 46);
    assert_eq!(r.body["name"], "pos");
    assert!(secret.starts_with(r.body["prefix"].as_str().unwrap()));
    assert!(r.body["revoked_at"].is_null());
    assert_ne!(secret, app.key);

    // The list shows both keys, never a secret.
    let list = app.get("/v1/api-keys").await;
    assert_eq!(list.status, StatusCode::OK);
    let keys = list.body.as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let text = list.body.to_string();
    assert!(!text.contains(&secret) && !text.contains(&app.key));
    assert!(keys.iter().all(|k| k.get("secret").is_none()), "{text}");
    let mut names: Vec<&str> = keys.iter().map(|k| k["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, vec!["default", "pos"]);

    // The new key works, until it is revoked.
    let r = app
        .send_as(Some(&secret), Method::GET, "/v1/program", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], json!(app.program_id));
    let r = app.delete(&format!("/v1/api-keys/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app
        .send_as(Some(&secret), Method::GET, "/v1/program", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = app
        .send_as(
            Some(&secret),
            Method::POST,
            "/v1/api-keys",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let list = app.get("/v1/api-keys").await.body;
    let revoked = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == json!(id))
        .unwrap();
    assert!(revoked["revoked_at"].is_string(), "{list}");
    // The other key still works.
    assert_eq!(app.get("/v1/program").await.status, StatusCode::OK);

    // Unknown ids, and names that are not names.
    let r = app.delete("/v1/api-keys/no-such-key").await;
    assert_error(&r, StatusCode::NOT_FOUND, "api_key_not_found");
    for body in [json!({"name": ""}), json!({"name": " pos"}), json!({})] {
        let r = app.post("/v1/api-keys", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
    }
    let r = app
        .post("/v1/api-keys", json!({"name": "x", "scope": "all"}))
        .await;
    assert_invalid(&r, "scope");
    assert_eq!(
        app.get("/v1/api-keys").await.body.as_array().unwrap().len(),
        2
    );

    // A key can revoke the key it is sent with; then it is refused too.
    let r = app.post("/v1/api-keys", json!({"name": "self"})).await;
    let (own_secret, own_id) = (
        r.body["secret"].as_str().unwrap().to_owned(),
        r.body["id"].as_str().unwrap().to_owned(),
    );
    let r = app
        .send_as(
            Some(&own_secret),
            Method::DELETE,
            &format!("/v1/api-keys/{own_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .send_as(Some(&own_secret), Method::GET, "/v1/program", None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Every error code the server can answer with has its section in docs/api.md, where `doc`
/// points, and its row in the table there with the same HTTP status.
#[test]
fn every_error_code_is_documented() {
    use jifen_server::error::ApiError;
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md"))
        .expect("docs/api.md");
    let all = [
        ApiError::Unauthorized,
        ApiError::RouteNotFound,
        ApiError::MethodNotAllowed,
        ApiError::MalformedJson("x".into()),
        ApiError::invalid("f", "x"),
        ApiError::InvalidRule {
            field: "condition".into(),
            message: "x".into(),
        },
        ApiError::PayloadTooLarge,
        ApiError::BatchTooLarge {
            items: "events",
            max: 1,
            got: 2,
        },
        ApiError::EventNotFound("e".into()),
        ApiError::MemberNotFound("m".into()),
        ApiError::OrderNotFound("o".into()),
        ApiError::HoldNotFound("h".into()),
        ApiError::ApiKeyNotFound("k".into()),
        ApiError::UnknownEventType("t".into()),
        ApiError::OccurredInFuture,
        ApiError::RefundExceedsOrder {
            order_id: "o".into(),
            total: 2,
            amount: 1,
        },
        ApiError::OrderExists("o".into()),
        ApiError::ReferralCodeUnknown {
            field: "referral_code".into(),
            code: "X".into(),
        },
        ApiError::ReferralProgramNotFound,
        ApiError::InsufficientPoints("x".into()),
        ApiError::HoldNotPending {
            id: "h".into(),
            status: "voided",
        },
        ApiError::CommitExceedsHold("x".into()),
        ApiError::IdempotencyConflict,
        ApiError::IdentityTaken {
            kind: "phone".into(),
            value: "+8613800000000".into(),
        },
        ApiError::RuleNotFound("r".into()),
        ApiError::RuleArchived("r".into()),
        ApiError::RuleHasAwarded("r".into()),
        ApiError::CampaignNotFound("c".into()),
        ApiError::BacktestNotFound("b".into()),
        ApiError::TierPolicyNotFound,
        ApiError::TierJobNotFound("j".into()),
        ApiError::PartnerNotFound("p".into()),
        ApiError::OperatorNotFound("o@example.cn".into()),
        ApiError::Forbidden("x".into()),
        ApiError::VoucherTemplateNotFound("t".into()),
        ApiError::VoucherNotFound("v".into()),
        ApiError::RewardNotFound("r".into()),
        ApiError::RedemptionNotFound("r".into()),
        ApiError::CheckoutNotFound("c".into()),
        ApiError::GiftNotFound("g".into()),
        ApiError::BadgeNotFound("b".into()),
        ApiError::RewardUnavailable {
            reason: "sold_out".into(),
            message: "sold out".into(),
        },
        ApiError::VoucherNotApplicable {
            index: 0,
            code: "C".into(),
            message: "x".into(),
        },
        ApiError::PointsNotApplicable("x".into()),
        ApiError::CheckoutNotPending {
            id: "c".into(),
            status: "expired".into(),
        },
        ApiError::NotCancellable("x".into()),
        ApiError::GiftUnavailable("x".into()),
        ApiError::InvalidTransition("x".into()),
        ApiError::StockBelowTaken { stock: 1, taken: 2 },
        ApiError::Unavailable,
        ApiError::Internal,
        ApiError::BadCredentials("x".into()),
        ApiError::DuplicateKey {
            field: "a.id".into(),
            key: "id".into(),
        },
        ApiError::RateLimited {
            per_second: 1,
            burst: 2,
            retry_after: 1,
        },
        ApiError::MalformedRequest,
        ApiError::UriTooLong { max: 8192 },
        ApiError::HeadersTooLarge,
        ApiError::FigureOverflow(jifen_core::FigureOverflow {
            figure: "lifetime_earned",
        }),
    ];
    let docs = jifen_server::error::DocsBase::default();
    for e in all {
        let body = e.body(&docs);
        let anchor = body
            .error
            .doc
            .strip_prefix("https://github.com/jifen-loyalty/jifen/blob/main/docs/api.md#")
            .unwrap();
        assert_eq!(anchor, body.error.code.replace('_', "-"));
        assert!(
            guide.contains(&format!("\n### {anchor}\n")),
            "docs/api.md has no section {anchor}"
        );
        let row = format!(
            "| [`{}`](#{anchor}) | {} |",
            body.error.code,
            e.status().as_u16()
        );
        assert!(guide.contains(&row), "docs/api.md has no row {row}");
        for leak in LEAKS {
            assert!(
                !body
                    .error
                    .message
                    .to_lowercase()
                    .contains(&leak.to_lowercase())
            );
        }
    }
}

/// `doc` links are absolute, under the server's `docs_base_url`: a second server in the same
/// process with another base links there, in every kind of error answer (a handler's, an
/// extractor's, the router's fallback, a failed event of a batch, hyper's own), while the first
/// keeps the default.
async fn doc_links_follow_each_servers_docs_base(b: TestBackend) {
    use jifen_server::error::DocsBase;
    let app = TestApp::spawn(b).await;
    let mut state = app.state.clone();
    state.docs = DocsBase::new("https://docs.example.cn/jifen/zh").unwrap();
    assert_eq!(state.docs.as_str(), "https://docs.example.cn/jifen/zh/");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = jifen_server::router(state.clone(), 2 * 1024 * 1024);
    let listener = jifen_server::wire::JsonErrorsListener::new(listener, state.docs.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let custom = format!("http://{addr}");
    let send = |base: &str, method: Method, path: &str, body: Option<Value>| {
        let mut req = app
            .client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&app.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let r = req.send().await.unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    let batch = json!({"events": [{"id": "e1", "type": "purchase", "member": "nobody",
        "occurred_at": "2026-06-01T08:00:00Z", "attributes": {"order_id": "o", "amount": 1}}]});
    for (base, expect) in [
        (
            app.base.as_str(),
            "https://github.com/jifen-loyalty/jifen/blob/main/docs/api.md#",
        ),
        (custom.as_str(), "https://docs.example.cn/jifen/zh/api.md#"),
    ] {
        let links =
            [
                (
                    send(base, Method::GET, "/v1/members/nobody", None).await["error"]["doc"]
                        .clone(),
                    "member-not-found",
                ),
                (
                    send(base, Method::GET, "/v1/members?limit=0", None).await["error"]["doc"]
                        .clone(),
                    "invalid-request",
                ),
                (
                    send(base, Method::GET, "/nowhere", None).await["error"]["doc"].clone(),
                    "not-found",
                ),
                (
                    send(base, Method::POST, "/v1/events", Some(batch.clone())).await["results"][0]
                        ["error"]["doc"]
                        .clone(),
                    "member-not-found",
                ),
            ];
        for (doc, anchor) in links {
            assert_eq!(doc, json!(format!("{expect}{anchor}")), "{base}");
        }
        // A request hyper refuses before jifen reads it.
        let mut stream = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
            .await
            .unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream.write_all(b"NOT HTTP\r\n\r\n").await.unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).await.unwrap();
        assert!(
            out.contains(&format!("{expect}malformed-request")),
            "{base}: {out}"
        );
    }
    // The key's header still rides along on a 401, and the body is whole.
    let r = app
        .client
        .get(format!("{custom}/v1/program"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().contains_key("www-authenticate"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["doc"],
        "https://docs.example.cn/jifen/zh/api.md#unauthorized"
    );
}
