//! The edges of the contract: rate limits per key, URL and header limits answered in JSON,
//! ids bounded in bytes, duplicate JSON keys, the `Authorization` header, and the OpenAPI
//! document listing every answer.

mod common;

use std::time::Duration;

use common::{TestApp, TestBackend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

jifen_store::backend_tests! {
    rate_limits_are_per_key_and_per_program => super::rate_limits_are_per_key_and_per_program;
    every_v1_answer_carries_the_rate_limit => super::every_v1_answer_carries_the_rate_limit;
    long_urls_and_heads_answer_json => super::long_urls_and_heads_answer_json;
    ids_are_bounded_in_bytes => super::ids_are_bounded_in_bytes;
    duplicate_keys_are_refused_at_any_depth => super::duplicate_keys_are_refused_at_any_depth;
    authorization_scheme_is_loose_the_key_is_exact => super::authorization_scheme_is_loose_the_key_is_exact;
    the_smallest_integer_is_refused_not_negated => super::the_smallest_integer_is_refused_not_negated;
}

fn header(r: &common::Res, name: &str) -> Option<String> {
    r.headers
        .get(name)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

async fn rate_limits_are_per_key_and_per_program(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // The server's default, before the program sets its own.
    let r = app.get("/v1/program").await;
    assert_eq!(
        r.body["rate_limit"],
        json!({"per_second": 1000, "burst": 2000, "source": "server"})
    );
    // A second key of the same program, and another program's key.
    let r = app.post("/v1/api-keys", json!({"name": "pos"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let second = r.body["secret"].as_str().unwrap().to_owned();
    let other = app.other_program_key().await;

    // Out-of-range limits are refused and change nothing.
    for (body, field) in [
        (
            json!({"rate_limit": {"per_second": 0, "burst": 3}}),
            "rate_limit.per_second",
        ),
        (
            json!({"rate_limit": {"per_second": 1, "burst": 1_000_001}}),
            "rate_limit.burst",
        ),
        (json!({"rate_limit": {"per_second": 1}}), "rate_limit.burst"),
    ] {
        let r = app.patch("/v1/program", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    let r = app
        .patch(
            "/v1/program",
            json!({"rate_limit": {"per_second": 1, "burst": 3}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["rate_limit"],
        json!({"per_second": 1, "burst": 3, "source": "program"})
    );
    // The policy is untouched by a change of the limit.
    assert_eq!(r.body["policy"]["points_per_yuan"], 1);

    // Three at once pass, the fourth is refused and changes nothing.
    for remaining in ["2", "1", "0"] {
        let r = app.get("/v1/program").await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(header(&r, "ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(
            header(&r, "ratelimit-remaining").as_deref(),
            Some(remaining)
        );
    }
    let r = app.put("/v1/members/m-limited", json!({})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{r:?}");
    assert_eq!(r.code(), "rate_limited");
    assert_eq!(
        r.body["error"]["doc"],
        "https://github.com/jifen-loyalty/jifen/blob/main/docs/api.md#rate-limited"
    );
    assert_eq!(header(&r, "retry-after").as_deref(), Some("1"));
    assert_eq!(header(&r, "ratelimit-limit").as_deref(), Some("3"));
    assert_eq!(header(&r, "ratelimit-remaining").as_deref(), Some("0"));
    let reset: u64 = header(&r, "ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=3).contains(&reset), "{reset}");

    // Another key of the program has a bucket of its own; another program is not limited.
    let r = app
        .send_as(Some(&second), Method::GET, "/v1/members/m-limited", None)
        .await;
    assert_eq!(
        r.code(),
        "member_not_found",
        "the refused PUT created nothing"
    );
    assert_eq!(header(&r, "ratelimit-limit").as_deref(), Some("3"));
    let r = app
        .send_as(Some(&other), Method::GET, "/v1/program", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header(&r, "ratelimit-limit").as_deref(), Some("2000"));

    // A second later a token is back.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let r = app.patch("/v1/program", json!({"rate_limit": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["rate_limit"],
        json!({"per_second": 1000, "burst": 2000, "source": "server"})
    );
    let r = app.get("/v1/program").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(header(&r, "ratelimit-limit").as_deref(), Some("2000"));
}

async fn every_v1_answer_carries_the_rate_limit(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    for (method, path, body) in [
        (Method::GET, "/v1/members/m1", None),
        (Method::GET, "/v1/members/nobody", None),
        (
            Method::PUT,
            "/v1/members/m1",
            Some(json!({"gender": "robot"})),
        ),
        (Method::GET, "/v1/members?limit=0", None),
    ] {
        let r = app
            .send_as(Some(&app.key), method.clone(), path, body)
            .await;
        for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
            assert!(r.headers.contains_key(h), "{method} {path}: no {h}: {r:?}");
        }
    }
    // Without a valid key there is no bucket to report.
    let r = app.send_as(None, Method::GET, "/v1/members/m1", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.headers.contains_key("ratelimit-limit"));
}

/// Sends raw bytes and reads the whole answer (the server closes the connection).
async fn raw_http(app: &TestApp, request: &[u8]) -> (u16, Value) {
    let addr = app.base.trim_start_matches("http://");
    let s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    // The server may answer and close before it has read everything: read while writing.
    let request = request.to_vec();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&request).await;
        wr
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), rd.read_to_end(&mut out)).await;
    drop(writer.await);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn long_urls_and_heads_answer_json(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // Past the documented limit: jifen's own layer.
    let r = app
        .get(&format!("/v1/members?after={}", "a".repeat(9 * 1024)))
        .await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG, "{r:?}");
    assert_eq!(r.code(), "uri_too_long");
    // A URL at the limit is read (and its parameter judged).
    let path = "/v1/members?after=";
    let r = app
        .get(&format!("{path}{}", "a".repeat(8 * 1024 - path.len())))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // A 100 KB URL is refused by hyper before any route: the answer is JSON all the same.
    let long = format!(
        "GET /v1/members?after={} HTTP/1.1\r\nhost: x\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let (status, body) = raw_http(&app, long.as_bytes()).await;
    assert_eq!(status, 414, "{body}");
    assert_eq!(body["error"]["code"], "uri_too_long", "{body}");
    // A head larger than hyper's buffer.
    let big = format!(
        "GET /v1/program HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(600 * 1024)
    );
    let (status, body) = raw_http(&app, big.as_bytes()).await;
    assert_eq!(status, 431, "{body}");
    assert_eq!(body["error"]["code"], "headers_too_large", "{body}");
    // Not HTTP at all.
    let (status, body) = raw_http(&app, b"GET /v1/program HTTP/1.1\r\nbad header\r\n\r\n").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "malformed_request", "{body}");
    // The server still serves.
    assert_eq!(app.get("/v1/program").await.status, StatusCode::OK);
}

async fn ids_are_bounded_in_bytes(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // 42 three-byte characters and two ASCII ones: 128 bytes, 44 characters.
    let at_limit = format!("{}ab", "积".repeat(42));
    let over = format!("{at_limit}c");
    assert_eq!((at_limit.len(), over.len()), (128, 129));
    let r = app.put(&format!("/v1/members/{at_limit}"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["external_id"], at_limit.as_str());
    let r = app.put(&format!("/v1/members/{over}"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "external_id");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("128 bytes"),
        "{r:?}"
    );
    // 43 Chinese characters are 129 bytes: refused, though far below 128 characters.
    let r = app
        .put(&format!("/v1/members/{}", "积".repeat(43)), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // The same bound on an id in a body.
    let event = |id: &str| {
        json!({"id": id, "type": "purchase", "member": at_limit,
               "occurred_at": app.now().to_rfc3339(),
               "attributes": {"order_id": id, "amount": 1000}})
    };
    let r = app.post("/v1/events", event(&at_limit)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app.post("/v1/events", event(&over)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "id", "{r:?}");
}

async fn duplicate_keys_are_refused_at_any_depth(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let at = app.now().to_rfc3339();
    let cases = [
        (
            "/v1/events",
            format!(
                r#"{{"id":"a","id":"b","type":"purchase","member":"m1","occurred_at":"{at}",
                    "attributes":{{"order_id":"o1","amount":1000}}}}"#
            ),
            "id",
        ),
        (
            "/v1/events",
            format!(
                r#"{{"events":[{{"id":"e1","type":"purchase","member":"m1","occurred_at":"{at}",
                    "attributes":{{"order_id":"o2","amount":1000,"amount":99900}}}}]}}"#
            ),
            "events[0].attributes.amount",
        ),
        (
            "/v1/members/m1/adjustments",
            r#"{"id":"adj","points":5,"points":500,"reason":"x"}"#.to_owned(),
            "points",
        ),
    ];
    for (path, body, field) in cases {
        let r = app.raw(Method::POST, path, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {r:?}");
        assert_eq!(r.code(), "malformed_json", "{body}");
        assert_eq!(r.body["error"]["field"], field, "{body}");
        let key = field.rsplit('.').next().unwrap();
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{key}`")),
            "{r:?}"
        );
    }
    let r = app
        .raw(
            Method::PUT,
            "/v1/members/m2",
            r#"{"attributes":{"vip":true,"vip":false}}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert_eq!(r.body["error"]["field"], "attributes.vip");
    // Nothing was recorded.
    assert_eq!(app.available("m1").await, 0);
    assert_eq!(app.get("/v1/members/m2").await.code(), "member_not_found");
    // The same keys in different objects are fine.
    let r = app
        .raw(
            Method::POST,
            "/v1/events",
            &format!(
                r#"{{"events":[{{"id":"e1","type":"purchase","member":"m1","occurred_at":"{at}",
                    "attributes":{{"order_id":"o1","amount":1000}}}},
                    {{"id":"e2","type":"purchase","member":"m1","occurred_at":"{at}",
                    "attributes":{{"order_id":"o2","amount":1000}}}}]}}"#
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(app.available("m1").await, 20);
}

async fn authorization_scheme_is_loose_the_key_is_exact(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let send = |value: String| {
        let req = app
            .client
            .get(format!("{}/v1/program", app.base))
            .header("authorization", value);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    for ok in [
        format!("Bearer {}", app.key),
        format!("bearer {}", app.key),
        format!("BEARER   {}", app.key),
    ] {
        let (status, body) = send(ok.clone()).await;
        assert_eq!(status, StatusCode::OK, "{ok}: {body}");
    }
    let (head, tail) = app.key.split_at(10);
    let (status, body) = send(format!("Bearer {head} {tail}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("space"),
        "{body}"
    );
    let (status, _) = send(format!("Basic {}", app.key)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Found by schemathesis: `points: i64::MIN` was negated to check its size, which overflows
/// (the request's connection died in a debug build; a release build took it as in range).
async fn the_smallest_integer_is_refused_not_negated(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let r = app.adjust("m1", "adj-1", i64::MIN).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "points");
    let r = app.adjust("m1", "adj-1", 5).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the refused id stays unused: {r:?}"
    );
    let r = app
        .post("/v1/holds/h-none/commit", json!({"points": i64::MIN}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(app.available("m1").await, 5);
}

/// Every `/v1` operation of the OpenAPI document lists the answers the layers in front of it
/// give, and those its inputs can be refused with.
#[test]
fn every_operation_lists_every_answer() {
    let doc: Value = serde_json::from_str(&jifen_server::api::openapi_json()).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let statuses: Vec<&str> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut want = vec!["400", "401", "403", "414", "429", "431", "500", "503"];
            if op.get("requestBody").is_some() {
                want.extend(["413", "422"]);
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "query") {
                want.push("422");
            }
            if params.iter().any(|p| p["in"] == "path") {
                want.extend(["404", "422"]);
            }
            // A write whose body must carry an id is idempotent: a reused id is a 409.
            let body_schema = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .map(|name| &doc["components"]["schemas"][name]);
            if body_schema.is_some_and(|s| {
                s["required"]
                    .as_array()
                    .is_some_and(|r| r.contains(&json!("id")))
            }) {
                want.push("409");
            }
            for s in want {
                assert!(
                    statuses.contains(&s),
                    "{method} {path} does not list {s}: {statuses:?}"
                );
            }
            // Every error answer is the error shape.
            for (status, res) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let res = match res.get("$ref").and_then(Value::as_str) {
                        Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
                        None => res,
                    };
                    assert_eq!(
                        res["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert!(operations >= 80, "{operations}");
    // The answers the issue found missing, by name.
    for (path, method, status) in [
        ("/v1/members/{external_id}/balance", "get", "422"),
        ("/v1/members/{external_id}/meters", "get", "422"),
        ("/v1/members/{external_id}/ledger", "get", "422"),
        ("/v1/members/{external_id}/tiers", "get", "422"),
        ("/v1/reward-redemptions/{id}/cancel", "post", "422"),
        ("/v1/events", "post", "400"),
        ("/v1/events", "post", "413"),
        ("/v1/program", "get", "429"),
        ("/v1/members/{external_id}/adjustments", "post", "409"),
        ("/v1/members/{external_id}/holds", "post", "409"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"][status].is_object(),
            "{method} {path} {status}"
        );
    }
    let limited = &doc["components"]["responses"]["RateLimited"];
    for h in [
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
    ] {
        assert!(limited["headers"][h].is_object(), "{h}");
    }
}
