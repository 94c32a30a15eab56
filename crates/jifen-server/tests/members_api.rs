//! Members through HTTP: create and merge, identities, lookup and the paged list, on SQLite and
//! PostgreSQL.

mod common;

use chrono::Duration;
use common::{START, TestApp, TestBackend, t};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    put_creates_then_merges => super::put_creates_then_merges;
    invalid_profiles_are_refused_and_change_nothing => super::invalid_profiles_are_refused_and_change_nothing;
    identities_bind_normalize_and_replace => super::identities_bind_normalize_and_replace;
    identities_list_keeps_the_profile_phone => super::identities_list_keeps_the_profile_phone;
    identity_of_another_member_is_taken => super::identity_of_another_member_is_taken;
    find_by_identity => super::find_by_identity;
    list_pages_newest_first => super::list_pages_newest_first;
    bad_page_parameters_are_refused => super::bad_page_parameters_are_refused;
}

/// The identities of a member answer as sorted `(kind, value)` pairs.
fn identities(member: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = member["identities"]
        .as_array()
        .unwrap_or_else(|| panic!("no identities in {member}"))
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    v.sort();
    v
}

/// The external ids of a list answer, in order.
fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {page}"))
        .iter()
        .map(|m| m["external_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn put_creates_then_merges(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({
                "name": "李伟",
                "phone": "138 0000 0000",
                "birthday": "1990-05-17",
                "gender": "female",
                "city": "Shanghai",
                "attributes": {"tier": "gold", "tags": ["tea", "cake"], "visits": 3,
                               "nested": {"ok": true, "none": null}},
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created = r.body.clone();
    assert_eq!(created["external_id"], "m1");
    assert_eq!(created["name"], "李伟");
    assert_eq!(created["phone"], "+8613800000000");
    assert_eq!(created["birthday"], "1990-05-17");
    assert_eq!(created["gender"], "female");
    assert_eq!(created["city"], "Shanghai");
    assert_eq!(
        created["attributes"],
        json!({"tier": "gold", "tags": ["tea", "cake"], "visits": 3,
               "nested": {"ok": true, "none": null}})
    );
    assert_eq!(created["status"], "active");
    assert_eq!(identities(&created), pairs(&[("phone", "+8613800000000")]));
    assert_eq!(t(created["enrolled_at"].as_str().unwrap()), t(START));
    assert_eq!(t(created["updated_at"].as_str().unwrap()), t(START));
    assert_eq!(app.get("/v1/members/m1").await.body, created);

    // An update names only what changes; everything else keeps its value.
    app.advance(Duration::hours(1));
    let r = app.put("/v1/members/m1", json!({"city": "Hangzhou"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let updated = r.body.clone();
    for keep in [
        "external_id",
        "name",
        "phone",
        "birthday",
        "gender",
        "attributes",
        "status",
        "identities",
        "enrolled_at",
    ] {
        assert_eq!(updated[keep], created[keep], "{keep} changed: {updated}");
    }
    assert_eq!(updated["city"], "Hangzhou");
    assert_eq!(
        t(updated["updated_at"].as_str().unwrap()),
        t(START) + Duration::hours(1)
    );
    assert_eq!(app.get("/v1/members/m1").await.body, updated);

    // Attributes are replaced as a whole object; gender and status take their enums.
    let r = app
        .put(
            "/v1/members/m1",
            json!({"attributes": {"tier": "silver"}, "gender": "unknown", "status": "suspended",
                   "birthday": "2000-02-29"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["attributes"], json!({"tier": "silver"}));
    assert_eq!(r.body["gender"], "unknown");
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(r.body["birthday"], "2000-02-29");
    assert_eq!(r.body["name"], "李伟");
    for g in ["male", "other", "female"] {
        let r = app.put("/v1/members/m1", json!({"gender": g})).await;
        assert_eq!(r.body["gender"], g, "{r:?}");
    }
    let r = app.put("/v1/members/m1", json!({"status": "active"})).await;
    assert_eq!(r.body["status"], "active");

    // A member created with nothing has an empty profile.
    let r = app.put("/v1/members/m2", json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["attributes"], json!({}));
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["identities"], json!([]));
    for absent in ["name", "phone", "birthday", "gender", "city"] {
        assert!(r.body[absent].is_null(), "{absent}: {}", r.body);
    }
    // PUT again with the same (empty) body is an update.
    let r = app.put("/v1/members/m2", json!({})).await;
    assert_eq!(r.status, StatusCode::OK);

    let r = app.get("/v1/members/nobody").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "member_not_found");
}

async fn invalid_profiles_are_refused_and_change_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "A", "phone": "13800000000", "birthday": "1990-05-17",
                   "gender": "male", "attributes": {"a": 1}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let before = app.get("/v1/members/m1").await.body;
    app.advance(Duration::minutes(5));
    let long = "x".repeat(257);
    let cases = [
        (json!({"name": "B", "gender": "robot"}), "gender"),
        (json!({"name": "B", "birthday": "1990-13-01"}), "birthday"),
        (json!({"name": "B", "birthday": "17/05/1990"}), "birthday"),
        (json!({"name": "B", "attributes": [1, 2]}), "attributes"),
        (json!({"name": "B", "attributes": "gold"}), "attributes"),
        (json!({"name": "B", "phone": "12"}), "phone"),
        (json!({"name": "B", "phone": "not a phone"}), "phone"),
        (json!({"name": "B", "status": "deleted"}), "status"),
        (json!({"name": long}), "name"),
        (json!({"name": "B", "city": "a\u{7}b"}), "city"),
        (json!({"name": "B", "nickname": "x"}), "nickname"),
        (json!({"name": 42}), "name"),
        (
            json!({"name": "B", "identities": [{"kind": "Bad-Kind", "value": "x"}]}),
            "identities[0].kind",
        ),
        (
            json!({"name": "B", "identities": [{"kind": "email", "value": "no-at-sign"}]}),
            "identities[0].value",
        ),
        (
            json!({"name": "B", "identities": [{"kind": "phone", "value": "12"}]}),
            "identities[0].value",
        ),
        (
            json!({"name": "B", "identities": [{"kind": "wechat_unionid", "value": ""}]}),
            "identities[0].value",
        ),
    ];
    for (body, field) in cases {
        let r = app.put("/v1/members/m1", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.code(), "invalid_request", "{body}: {r:?}");
        assert!(
            r.body["error"]["field"]
                .as_str()
                .is_some_and(|f| f == field || f.starts_with(&format!("{field}."))),
            "{body}: field {} is not {field}",
            r.body["error"]["field"]
        );
        assert_eq!(app.get("/v1/members/m1").await.body, before, "{body}");
    }
    // A refused create creates nothing.
    let r = app.put("/v1/members/m9", json!({"gender": "robot"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/v1/members/m9").await.code(), "member_not_found");
    // An external id is 1 to 128 characters.
    let r = app
        .put(&format!("/v1/members/{}", "x".repeat(129)), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "external_id");
    let r = app.put("/v1/members/%20m1", json!({})).await;
    assert_eq!(r.body["error"]["field"], "external_id", "{r:?}");
}

async fn identities_bind_normalize_and_replace(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({
                "phone": "13800000000",
                "identities": [
                    {"kind": "wechat_unionid", "value": "oUnion-1"},
                    {"kind": "email", "value": "Li.Wei@Example.COM"},
                    {"kind": "loyalty_card", "value": "LC-0009"},
                    // The profile phone again, in another spelling: bound once.
                    {"kind": "phone", "value": "+86 138-0000-0000"},
                ],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(
        identities(&r.body),
        pairs(&[
            ("email", "li.wei@example.com"),
            ("loyalty_card", "LC-0009"),
            ("phone", "+8613800000000"),
            ("wechat_unionid", "oUnion-1"),
        ])
    );
    assert_eq!(
        identities(&app.get("/v1/members/m1").await.body),
        identities(&r.body)
    );
    for q in [
        "email:li.wei@example.com",
        "email:LI.WEI@example.com",
        "loyalty_card:LC-0009",
        "wechat_unionid:oUnion-1",
        "phone:13800000000",
    ] {
        let found = app.get(&format!("/v1/members?identity={q}")).await;
        assert_eq!(ids(&found.body), vec!["m1"], "{q}: {found:?}");
    }
    // Custom kinds keep their value's case; only emails are lowercased.
    let r = app.get("/v1/members?identity=loyalty_card:lc-0009").await;
    assert_eq!(ids(&r.body), Vec::<String>::new());

    // Without `identities`, a request adds to what is bound.
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "Li", "phone": "13900000000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(
        identities(&r.body).contains(&("phone".into(), "+8613900000000".into())),
        "{}",
        r.body
    );
    assert!(identities(&r.body).contains(&("wechat_unionid".into(), "oUnion-1".into())));

    // With `identities`, the list is what the member keeps (plus the phone sent with it).
    let r = app
        .put(
            "/v1/members/m1",
            json!({"phone": "13900000000",
                   "identities": [{"kind": "email", "value": "New@Example.com"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        identities(&r.body),
        pairs(&[("email", "new@example.com"), ("phone", "+8613900000000")])
    );
    for gone in [
        "email:li.wei@example.com",
        "wechat_unionid:oUnion-1",
        "loyalty_card:LC-0009",
        "phone:13800000000",
    ] {
        let r = app.get(&format!("/v1/members?identity={gone}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["data"], json!([]), "{gone} still bound");
    }
    // Unbound identities are free for another member.
    let r = app
        .put(
            "/v1/members/m2",
            json!({"identities": [{"kind": "wechat_unionid", "value": "oUnion-1"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .get("/v1/members?identity=wechat_unionid:oUnion-1")
        .await;
    assert_eq!(ids(&r.body), vec!["m2"]);
}

/// "`identities`, when present, is the whole list the member keeps (the profile phone is always
/// bound as well)": a list sent without `phone` must not unbind the phone of the profile.
async fn identities_list_keeps_the_profile_phone(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.put("/v1/members/m1", json!({"phone": "13800000000"}))
        .await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({"identities": [{"kind": "wechat_unionid", "value": "w1"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["phone"], "+8613800000000");
    assert_eq!(
        identities(&r.body),
        pairs(&[("phone", "+8613800000000"), ("wechat_unionid", "w1")])
    );
    let r = app.get("/v1/members?identity=phone:13800000000").await;
    assert_eq!(ids(&r.body), vec!["m1"]);
    // An empty list leaves the profile phone only.
    let r = app.put("/v1/members/m1", json!({"identities": []})).await;
    assert_eq!(
        identities(&r.body),
        pairs(&[("phone", "+8613800000000")]),
        "{r:?}"
    );
    // A member without a phone can drop every identity.
    app.put(
        "/v1/members/m2",
        json!({"identities": [{"kind": "email", "value": "a@b.cn"}]}),
    )
    .await;
    let r = app.put("/v1/members/m2", json!({"identities": []})).await;
    assert_eq!(r.body["identities"], json!([]));
}

async fn identity_of_another_member_is_taken(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.put(
        "/v1/members/m1",
        json!({"phone": "13800000000",
               "identities": [{"kind": "wechat_unionid", "value": "w1"}]}),
    )
    .await;
    let r = app
        .put(
            "/v1/members/m2",
            json!({"name": "B", "city": "X",
                   "identities": [{"kind": "email", "value": "b@x.cn"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m1 = app.get("/v1/members/m1").await.body;
    let m2 = app.get("/v1/members/m2").await.body;
    app.advance(Duration::minutes(1));

    let attempts = [
        // Another member's identity among new ones, with profile changes.
        json!({"name": "changed", "city": "Y", "attributes": {"x": 1},
               "identities": [{"kind": "email", "value": "other@x.cn"},
                              {"kind": "wechat_unionid", "value": "w1"}]}),
        // Another member's phone, in another spelling.
        json!({"name": "changed", "phone": "+86 138 0000 0000"}),
        json!({"identities": [{"kind": "phone", "value": "13800000000"}]}),
    ];
    for body in attempts {
        let r = app.put("/v1/members/m2", body.clone()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{body}: {r:?}");
        assert_eq!(r.code(), "identity_taken");
        assert_eq!(r.body["error"]["field"], "identities");
        let msg = r.body["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("wechat_unionid:w1") || msg.contains("phone:+8613800000000"),
            "{msg}"
        );
        // Nothing of the request changed: not the profile, not the identities it would have
        // unbound or bound.
        assert_eq!(app.get("/v1/members/m2").await.body, m2, "{body}");
        assert_eq!(app.get("/v1/members/m1").await.body, m1, "{body}");
        let r = app.get("/v1/members?identity=email:other@x.cn").await;
        assert_eq!(r.body["data"], json!([]), "{body}");
        let r = app.get("/v1/members?identity=email:b@x.cn").await;
        assert_eq!(ids(&r.body), vec!["m2"], "{body}");
    }
    // A create that fails on an identity creates no member.
    let r = app
        .put(
            "/v1/members/m3",
            json!({"name": "C", "identities": [{"kind": "wechat_unionid", "value": "w1"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert_eq!(app.get("/v1/members/m3").await.code(), "member_not_found");
    let list = app.get("/v1/members").await;
    assert_eq!(ids(&list.body), vec!["m2", "m1"]);
    // Binding an identity the member already has is fine.
    let r = app
        .put(
            "/v1/members/m1",
            json!({"identities": [{"kind": "wechat_unionid", "value": "w1"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn find_by_identity(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.put("/v1/members/m1", json!({"phone": "13800000000"}))
        .await;
    app.put("/v1/members/m2", json!({"phone": "13900000000"}))
        .await;
    for q in [
        "phone:13800000000",
        "phone:%2B8613800000000",
        "phone%3A%2B8613800000000",
        "phone:%2B86%20138%200000%200000",
        "phone:138-0000-0000",
    ] {
        let r = app.get(&format!("/v1/members?identity={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {r:?}");
        assert_eq!(ids(&r.body), vec!["m1"], "{q}");
        assert_eq!(r.body["data"][0]["phone"], "+8613800000000");
        assert!(r.body["next"].is_null());
    }
    for q in [
        "phone:13700000000",
        "email:nobody@example.com",
        "wechat_unionid:nobody",
    ] {
        let r = app.get(&format!("/v1/members?identity={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {r:?}");
        assert_eq!(r.body, json!({"data": [], "next": null}), "{q}");
    }
    for (q, field) in [
        ("nocolon", "identity"),
        ("phone:12", "identity.value"),
        ("Bad-Kind:x", "identity.kind"),
        ("email:", "identity.value"),
    ] {
        let r = app.get(&format!("/v1/members?identity={q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {r:?}");
        assert_eq!(r.code(), "invalid_request");
        assert_eq!(r.body["error"]["field"], field, "{q}");
    }
    // Another program's members are not found.
    let other = app.other_program_key().await;
    let r = app
        .send_as(
            Some(&other),
            reqwest::Method::GET,
            "/v1/members?identity=phone:13800000000",
            None,
        )
        .await;
    assert_eq!(r.body, json!({"data": [], "next": null}));
}

async fn list_pages_newest_first(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.get("/v1/members").await;
    assert_eq!(r.body, json!({"data": [], "next": null}));
    let all: Vec<String> = (0..7).map(|i| format!("m{i}")).collect();
    for id in &all {
        app.member(id).await;
        app.advance(Duration::seconds(1));
    }
    // Updating a member does not move it in the list.
    app.put("/v1/members/m0", json!({"city": "X"})).await;
    let newest_first: Vec<String> = all.iter().rev().cloned().collect();
    assert_eq!(ids(&app.get("/v1/members").await.body), newest_first);

    for limit in 1..=8 {
        let mut seen = Vec::new();
        let mut path = format!("/v1/members?limit={limit}");
        let mut pages = 0;
        loop {
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {r:?}");
            let page = ids(&r.body);
            assert!(page.len() <= limit, "{path}: {page:?}");
            seen.extend(page);
            pages += 1;
            assert!(pages <= 8, "limit {limit}: too many pages");
            match r.body["next"].as_str() {
                Some(next) => path = format!("/v1/members?limit={limit}&after={next}"),
                None => break,
            }
        }
        assert_eq!(seen, newest_first, "limit {limit}: gaps or duplicates");
    }
    // Members of another program are not listed, and its list is its own.
    let other = app.other_program_key().await;
    let r = app
        .send_as(
            Some(&other),
            reqwest::Method::PUT,
            "/v1/members/x1",
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(ids(&app.get("/v1/members").await.body), newest_first);
    let r = app
        .send_as(Some(&other), reqwest::Method::GET, "/v1/members", None)
        .await;
    assert_eq!(ids(&r.body), vec!["x1"]);
}

async fn bad_page_parameters_are_refused(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("after=abc", "after"),
        ("after=0", "after"),
        ("after=-3", "after"),
        ("limit=2&after=1.5", "after"),
    ] {
        let r = app.get(&format!("/v1/members?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {r:?}");
        assert_eq!(r.code(), "invalid_request", "{q}");
        assert_eq!(r.body["error"]["field"], field, "{q}");
    }
    assert_eq!(
        ids(&app.get("/v1/members?limit=200").await.body),
        vec!["m1"]
    );
    assert_eq!(ids(&app.get("/v1/members?limit=1").await.body), vec!["m1"]);
}
