//! `POST /v1/members/batch` through HTTP, on SQLite and PostgreSQL: each member answers for
//! itself, a refused one writes nothing and stops nothing, the batch's id makes a retry return
//! the first answer, and identical batches sent at once create each member once.

mod common;

use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    each_member_answers_for_itself => super::each_member_answers_for_itself;
    a_retry_returns_the_first_answer => super::a_retry_returns_the_first_answer;
    the_batch_shape_is_checked => super::the_batch_shape_is_checked;
    large_batches_are_written_in_parts => super::large_batches_are_written_in_parts;
    identical_batches_at_once_create_each_member_once => super::identical_batches_at_once_create_each_member_once;
    a_member_named_batch_stays_reachable => super::a_member_named_batch_stays_reachable;
    a_control_character_fails_only_its_member => super::a_control_character_fails_only_its_member;
}

/// `(status, error code, error field)` of each result.
fn outcomes(answer: &Value) -> Vec<(String, String, String)> {
    answer["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {answer}"))
        .iter()
        .map(|r| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&r["status"]),
                s(&r["error"]["code"]),
                s(&r["error"]["field"]),
            )
        })
        .collect()
}

fn ok(status: &str) -> (String, String, String) {
    (status.into(), String::new(), String::new())
}

fn failed(code: &str, field: &str) -> (String, String, String) {
    ("failed".into(), code.into(), field.into())
}

async fn count_members(app: &TestApp) -> usize {
    let mut n = 0;
    let mut after = String::new();
    loop {
        let r = app.get(&format!("/v1/members?limit=200{after}")).await;
        n += r.body["data"].as_array().unwrap().len();
        match r.body["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return n,
        }
    }
}

async fn each_member_answers_for_itself(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put("/v1/members/m0", json!({"name": "Old", "city": "Hangzhou"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let before_m0 = app.get("/v1/members/m0").await.body;
    app.advance(chrono::Duration::minutes(1));
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "b1", "members": [
                {"external_id": "m1", "name": "Anna", "phone": "13800000001",
                 "identities": [{"kind": "email", "value": "Anna@Example.cn"}]},
                {"external_id": "m0", "name": "New"},
                {"external_id": "m2", "phone": "12"},
                {"external_id": "m3", "name": "Thief", "phone": "+86 138 0000 0001"},
                {"name": "No id"},
                {"external_id": "m4", "nickname": "x"},
                {"external_id": "m0", "name": "New"},
                "not an object",
                {"external_id": "m5", "attributes": {"tier": "gold"}, "gender": "female"}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["id"], "b1");
    assert_eq!(
        outcomes(&r.body),
        vec![
            ok("created"),
            ok("updated"),
            failed("invalid_request", "members[2].phone"),
            failed("identity_taken", "members[3].identities"),
            failed("invalid_request", "members[4].external_id"),
            failed("invalid_request", "members[5].nickname"),
            ok("unchanged"),
            failed("invalid_request", "members[7]"),
            ok("created"),
        ]
    );
    let results = r.body["results"].as_array().unwrap();
    for (i, res) in results.iter().enumerate() {
        assert_eq!(res["index"], i, "{res}");
    }
    assert_eq!(results[0]["external_id"], "m1");
    assert_eq!(results[4]["external_id"], Value::Null);
    let err = &results[3]["error"];
    assert!(
        err["doc"]
            .as_str()
            .unwrap()
            .ends_with("api.md#identity-taken"),
        "{err}"
    );
    // What was written, and nothing of what was refused.
    let m1 = app.get("/v1/members/m1").await.body;
    assert_eq!(m1["phone"], "+8613800000001");
    assert!(
        m1["identities"].to_string().contains("anna@example.cn"),
        "{m1}"
    );
    let m0 = app.get("/v1/members/m0").await.body;
    assert_eq!(
        (&m0["name"], &m0["city"]),
        (&json!("New"), &json!("Hangzhou"))
    );
    assert_ne!(m0["updated_at"], before_m0["updated_at"]);
    for missing in ["m2", "m3", "m4"] {
        let r = app.get(&format!("/v1/members/{missing}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}: {r:?}");
    }
    assert_eq!(
        app.get("/v1/members/m5").await.body["attributes"],
        json!({"tier": "gold"})
    );

    // `unchanged` writes nothing, not even updated_at.
    let m0_now = app.get("/v1/members/m0").await.body;
    app.advance(chrono::Duration::minutes(1));
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "b2", "members": [{"external_id": "m0", "name": "New"}]}),
        )
        .await;
    assert_eq!(outcomes(&r.body), vec![ok("unchanged")]);
    assert_eq!(app.get("/v1/members/m0").await.body, m0_now);

    // An identities list keeps the stored profile phone bound, as PUT does.
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "b3", "members": [{"external_id": "m1",
                   "identities": [{"kind": "wechat_unionid", "value": "u-1"}]}]}),
        )
        .await;
    assert_eq!(outcomes(&r.body), vec![ok("updated")]);
    let ids = app.get("/v1/members/m1").await.body["identities"].to_string();
    assert!(
        ids.contains("+8613800000001") && ids.contains("u-1"),
        "{ids}"
    );
    assert!(!ids.contains("anna@example.cn"), "{ids}");
}

async fn a_retry_returns_the_first_answer(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let body = json!({"id": "b1", "members": [
        {"external_id": "m1", "name": "Anna"},
        {"external_id": "m2", "phone": "12"}]});
    let first = app.post("/v1/members/batch", body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert!(!first.headers.contains_key("idempotent-replayed"));
    let m1 = app.get("/v1/members/m1").await.body;
    // The same body in another spelling: the first answer, and nothing written.
    let again = app
        .raw(
            reqwest::Method::POST,
            "/v1/members/batch",
            r#"{"members": [{"name": "Anna", "external_id": "m1"},
                            {"phone": "12", "external_id": "m2"}], "id": "b1"}"#,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body);
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(app.get("/v1/members/m1").await.body, m1);
    // The same id with another body.
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "b1", "members": [{"external_id": "m1", "name": "Other"}]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "idempotency_conflict")
    );
    assert_eq!(app.get("/v1/members/m1").await.body["name"], "Anna");
}

async fn the_batch_shape_is_checked(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let too_many: Vec<Value> = (0..1_001)
        .map(|i| json!({"external_id": format!("m{i}")}))
        .collect();
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "big", "members": too_many}),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "batch_too_large",
            Some("members")
        ),
        "{r:?}"
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 1000 members"),
        "{r:?}"
    );
    for (body, field) in [
        (json!({"id": "e", "members": []}), "members"),
        (json!({"members": [{"external_id": "m1"}]}), "id"),
        (json!({"id": "", "members": [{"external_id": "m1"}]}), "id"),
        (json!({"id": "x"}), "members"),
        (
            json!({"id": "x", "members": {"external_id": "m1"}}),
            "members",
        ),
        (
            json!({"id": "x", "members": [{"external_id": "m1"}], "extra": 1}),
            "extra",
        ),
    ] {
        let r = app.post("/v1/members/batch", body.clone()).await;
        assert_eq!(
            (r.status, r.code(), r.body["error"]["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                Some(field)
            ),
            "{body}: {r:?}"
        );
    }
    assert_eq!(count_members(&app).await, 0, "nothing was written");
}

async fn large_batches_are_written_in_parts(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let members: Vec<Value> = (0..250)
        .map(|i| json!({"external_id": format!("m{i:03}"), "phone": format!("139{i:08}")}))
        .collect();
    let body = json!({"id": "import-1", "members": members});
    let first = app.post("/v1/members/batch", body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let results = first.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 250);
    assert!(
        results.iter().all(|r| r["status"] == "created"),
        "{first:?}"
    );
    assert_eq!(results[249]["index"], 249);
    assert_eq!(results[249]["external_id"], "m249");
    assert_eq!(count_members(&app).await, 250);
    let again = app.post("/v1/members/batch", body).await;
    assert_eq!(again.body, first.body);
    assert!(again.headers.contains_key("idempotent-replayed"));
    let r = app.get("/v1/members?identity=phone:13900000249").await;
    assert_eq!(r.body["data"][0]["external_id"], "m249");
}

async fn identical_batches_at_once_create_each_member_once(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let members: Vec<Value> = (0..150)
        .map(|i| json!({"external_id": format!("m{i}"), "phone": format!("137{i:08}")}))
        .collect();
    let same = json!({"id": "b1", "members": members});
    let (a, b2) = tokio::join!(
        app.post("/v1/members/batch", same.clone()),
        app.post("/v1/members/batch", same.clone())
    );
    assert_eq!((a.status, b2.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.body, b2.body, "both answer the first answer");
    assert!(
        a.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "created"),
        "{a:?}"
    );
    assert_eq!(count_members(&app).await, 150);
    // Two batches of other ids with the same members, at once: each member is created once and
    // the other batch finds it (updated or unchanged), never a duplicate or an error.
    let more: Vec<Value> = (150..300)
        .map(|i| json!({"external_id": format!("m{i}"), "phone": format!("137{i:08}")}))
        .collect();
    let (x, y) = tokio::join!(
        app.post(
            "/v1/members/batch",
            json!({"id": "x", "members": more.clone()})
        ),
        app.post(
            "/v1/members/batch",
            json!({"id": "y", "members": more.clone()})
        )
    );
    for i in 0..150 {
        let statuses = [
            x.body["results"][i]["status"].as_str().unwrap(),
            y.body["results"][i]["status"].as_str().unwrap(),
        ];
        assert!(
            statuses.contains(&"created")
                && (statuses.contains(&"unchanged") || statuses.contains(&"updated")),
            "member {i}: {statuses:?}"
        );
    }
    assert_eq!(count_members(&app).await, 300);
}

async fn a_member_named_batch_stays_reachable(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.put("/v1/members/batch", json!({"name": "Batch"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app.get("/v1/members/batch").await;
    assert_eq!(
        (r.status, &r.body["name"]),
        (StatusCode::OK, &json!("Batch"))
    );
    let r = app
        .put("/v1/members/batch", json!({"city": "Suzhou"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

/// A control character or an over-long string in one member is that member's invalid field, as
/// any other: it fails that member only, and the others are written.
async fn a_control_character_fails_only_its_member(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let long = "x".repeat(2_000);
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "cc", "members": [
                {"external_id": "m1", "name": "Li\u{7}Na"},
                {"external_id": "m2", "name": "Zhang Wei"},
                {"external_id": "m3", "attributes": {"note": "a\u{1}b"}},
                {"external_id": "m4", "attributes": {"k\u{0}": "v"}},
                {"external_id": "m5\u{0}"},
                {"external_id": "m6", "city": long},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let fields: Vec<_> = outcomes(&r.body);
    assert_eq!(
        fields[0],
        failed("invalid_request", "members[0].name"),
        "{r:?}"
    );
    assert_eq!(fields[1], ok("created"), "{r:?}");
    assert_eq!(
        fields[2],
        failed("invalid_request", "members[2].attributes.note"),
        "{r:?}"
    );
    assert_eq!(fields[3].0, "failed", "{r:?}");
    assert_eq!(
        fields[4],
        failed("invalid_request", "members[4].external_id"),
        "{r:?}"
    );
    assert_eq!(
        fields[5],
        failed("invalid_request", "members[5].city"),
        "{r:?}"
    );
    assert_eq!(count_members(&app).await, 1, "only m2 was written");
    // The batch's own fields still fail the whole request.
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "cc\u{1}", "members": [{"external_id": "m7"}]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some("id")
        ),
        "{r:?}"
    );
    assert_eq!(count_members(&app).await, 1, "nothing more was written");
}
