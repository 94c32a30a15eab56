//! The audit log end to end, on SQLite and PostgreSQL: writes with an API key and from the
//! console are recorded with their actor and the object's state before and after; failed writes
//! and replays are not; the filters; the database refusing to change a line; the console's list
//! and history pages.

mod common;

use axum::http::Method;
use common::{TestApp, TestBackend};
use jifen_server::console;
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    api_key_writes_are_recorded_with_the_key => super::api_key_writes_are_recorded_with_the_key;
    console_writes_are_recorded_with_the_user => super::console_writes_are_recorded_with_the_user;
    failures_and_replays_record_nothing => super::failures_and_replays_record_nothing;
    members_are_recorded_without_personal_data => super::members_are_recorded_without_personal_data;
    the_log_filters_and_pages => super::the_log_filters_and_pages;
    the_database_refuses_to_change_the_log => super::the_database_refuses_to_change_the_log;
    the_console_shows_the_log_and_histories => super::the_console_shows_the_log_and_histories;
}

const PASSWORD: &str = "a-long-password-1";

/// The log, newest first, as the API answers it.
async fn log(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/v1/audit-log{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["data"].as_array().cloned().unwrap_or_default()
}

/// The test key's id and name.
async fn the_key(app: &TestApp) -> (String, String) {
    let r = app.get("/v1/api-keys").await;
    let k = &r.body[0];
    (
        k["id"].as_str().unwrap().to_owned(),
        k["name"].as_str().unwrap().to_owned(),
    )
}

/// Signs an operator in over HTTP: the session cookie (`jifen_session=…`) and the CSRF token.
async fn sign_in(app: &TestApp, email: &str, name: &str, role: Role) -> (String, String) {
    console::operators::add(
        &app.state,
        &app.program_id,
        email,
        Some(name),
        role,
        Some(PASSWORD.into()),
    )
    .await
    .expect("operator");
    let client = common::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(format!("{}/console/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&password={}",
            console::api::seg(email),
            console::api::seg(PASSWORD)
        ))
        .send()
        .await
        .expect("sign in");
    assert!(r.status().is_redirection(), "{}", r.status());
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jifen_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let page = page(app, &cookie, "/console/audit", false).await;
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf meta")
        .to_owned();
    (cookie, csrf)
}

/// A console page's HTML (200 expected), as htmx asks it when `htmx`.
async fn page(app: &TestApp, cookie: &str, path: &str, htmx: bool) -> String {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie);
    if htmx {
        req = req.header("hx-request", "true");
    }
    let r = req.send().await.expect("page");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

/// The console's session for a cookie, as its handlers get it.
async fn session(app: &TestApp, cookie: &str) -> console::auth::Session {
    let (parts, _) = axum::http::Request::builder()
        .header("cookie", cookie)
        .body(())
        .unwrap()
        .into_parts();
    console::auth::load(&parts, &app.state)
        .await
        .expect("store")
        .unwrap_or_else(|_| panic!("a live session"))
}

async fn api_key_writes_are_recorded_with_the_key(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let (key_id, key_name) = the_key(&app).await;
    let r = app
        .patch("/v1/program", json!({"points_per_yuan": 3}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    let lines = log(&app, "").await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let l = &lines[0];
    assert_eq!(l["action"], "program.update");
    assert_eq!(l["object_kind"], "program");
    assert_eq!(l["object_id"], app.program_id.as_str());
    assert_eq!(l["actor"]["id"], format!("api_key:{key_id}"));
    assert_eq!(l["actor"]["kind"], "api_key");
    assert_eq!(l["actor"]["name"], key_name.as_str());
    assert_eq!(l["at"], json!(app.now()));
    assert_eq!(l["before"]["policy"]["points_per_yuan"], 1);
    assert_eq!(l["after"]["policy"]["points_per_yuan"], 3);

    // A creation has no state before; its id comes from the answer. A revocation follows it.
    let created = app.post("/v1/api-keys", json!({"name": "pos"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap();
    let r = app.delete(&format!("/v1/api-keys/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let lines = log(&app, "?object_kind=api_key").await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[1]["action"], "api_key.create");
    assert_eq!(lines[1]["object_id"], id);
    assert_eq!(lines[1]["before"], Value::Null);
    assert_eq!(lines[1]["after"]["name"], "pos");
    let secret = created.body["secret"].as_str().unwrap();
    assert!(
        !lines[1].to_string().contains(secret),
        "never the key's secret"
    );
    assert_eq!(lines[1]["after"]["secret"], Value::Null);
    assert_eq!(lines[0]["action"], "api_key.revoke");
    assert_eq!(lines[0]["before"]["revoked_at"], Value::Null);
    assert!(lines[0]["after"]["revoked_at"].is_string());

    // Codes generated for a template: the line counts them, and never lists them.
    let r = app
        .put(
            "/v1/voucher-templates/ten-off",
            json!({"title": {"zh-CN": "店铺券 10 元", "en": "Store voucher ¥10"},
                   "discount": {"kind": "amount", "off": 1000},
                   "validity": {"days": 15}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post(
            "/v1/voucher-templates/ten-off/codes",
            json!({"id": "batch-1", "count": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let lines = log(&app, "?object_kind=voucher_template&object_id=ten-off").await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[1]["action"], "voucher_template.put");
    assert_eq!(lines[0]["action"], "voucher_template.generate_codes");
    assert_eq!(lines[0]["after"]["result"]["codes"], 3);
    let code = r.body["codes"][0].as_str().unwrap();
    assert!(!lines[0].to_string().contains(code));
}

async fn console_writes_are_recorded_with_the_user(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let (cookie, _) = sign_in(&app, "wang@brand.cn", "王芳", Role::Owner).await;
    let s = session(&app, &cookie).await;
    let answer = console::api::call(
        &app.state,
        &s,
        Method::PATCH,
        "/v1/program",
        Some(json!({"pending_days": 7})),
    )
    .await
    .expect("saved");
    assert_eq!(answer.status, StatusCode::OK);
    let lines = log(&app, "").await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["actor"]["id"], format!("user:{}", s.operator.id));
    assert_eq!(lines[0]["actor"]["kind"], "user");
    assert_eq!(lines[0]["actor"]["name"], "王芳");
    assert_eq!(lines[0]["after"]["policy"]["pending_days"], 7);

    // A support agent's adjustment, as the console sends it.
    app.member("m1").await;
    let (cookie, _) = sign_in(&app, "li@brand.cn", "李客服", Role::Support).await;
    let s = session(&app, &cookie).await;
    console::api::call(
        &app.state,
        &s,
        Method::POST,
        "/v1/members/m1/adjustments",
        Some(json!({"id": "adj-1", "points": 50, "reason": "goodwill"})),
    )
    .await
    .expect("adjusted");
    let lines = log(&app, "?object_kind=member&object_id=m1").await;
    let adjust: Vec<&Value> = lines
        .iter()
        .filter(|l| l["action"] == "member.adjust")
        .collect();
    assert_eq!(adjust.len(), 1, "{lines:#?}");
    assert_eq!(adjust[0]["actor"]["name"], "李客服");
    assert_eq!(adjust[0]["object_id"], "m1");
    assert_eq!(adjust[0]["before"]["available"], 0);
    assert_eq!(adjust[0]["after"]["available"], 50);
}

async fn failures_and_replays_record_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let start = log(&app, "").await.len();

    // Refused writes change nothing, and the log says nothing.
    let r = app
        .patch("/v1/program", json!({"points_per_yuan": -1}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app.delete("/v1/api-keys/no-such-key").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            "/v1/members/m1/adjustments",
            json!({"id": "a1", "points": 10, "reason": " "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(log(&app, "").await.len(), start);

    // An adjustment sent twice is one line; the same change twice is one line.
    for _ in 0..2 {
        let r = app
            .post(
                "/v1/members/m1/adjustments",
                json!({"id": "a1", "points": 10, "reason": "fix"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let r = app
            .patch("/v1/program", json!({"points_per_yuan": 2}))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let lines = log(&app, "").await;
    assert_eq!(lines.len(), start + 2, "{lines:#?}");
    // Events are members' activity: the ledger keeps them, the log does not.
    let r = app.purchase("e1", "m1", "o1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(log(&app, "").await.len(), start + 2);
}

async fn members_are_recorded_without_personal_data(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "Li Wei", "phone": "13800000001", "city": "杭州"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app.put("/v1/members/m1", json!({"city": "上海"})).await;
    assert!(r.status.is_success(), "{r:?}");
    let lines = log(&app, "?object_kind=member&object_id=m1").await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[1]["action"], "member.put");
    assert_eq!(lines[1]["before"], Value::Null);
    assert_eq!(lines[1]["after"]["status"], "active");
    assert_eq!(lines[0]["after"]["profile_changed"], json!(["city"]));
    let text = serde_json::to_string(&lines).unwrap();
    for personal in ["Li Wei", "13800000001", "杭州", "上海"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }

    // Erased: the member's lines stay, with the erasure's, under the pseudonym; nothing
    // personal anywhere in the log.
    let r = app.post("/v1/members/m1/erase", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let pseudonym = r.body["pseudonym"].as_str().unwrap().to_owned();
    let lines = log(
        &app,
        &format!("?object_kind=member&object_id={}", urlencode(&pseudonym)),
    )
    .await;
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[0]["action"], "member.erase");
    assert!(lines.iter().all(|l| l["object_id"] == pseudonym.as_str()));
    let all = serde_json::to_string(&log(&app, "").await).unwrap();
    for personal in ["Li Wei", "13800000001", "杭州", "上海", "\"m1\""] {
        assert!(!all.contains(personal), "{personal} in {all}");
    }
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A")
}

async fn the_log_filters_and_pages(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let (key_id, _) = the_key(&app).await;
    let (cookie, _) = sign_in(&app, "zhao@brand.cn", "赵经理", Role::Owner).await;
    let s = session(&app, &cookie).await;
    app.member("m1").await;
    app.member("m2").await;
    let first = app.now();
    app.advance(chrono::Duration::hours(1));
    for i in 1..=3 {
        let r = app
            .post(
                "/v1/members/m1/adjustments",
                json!({"id": format!("a{i}"), "points": i, "reason": "fix"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    app.advance(chrono::Duration::hours(1));
    let later = app.now();
    console::api::call(
        &app.state,
        &s,
        Method::POST,
        "/v1/members/m2/adjustments",
        Some(json!({"id": "b1", "points": 5, "reason": "fix"})),
    )
    .await
    .expect("adjusted");

    let user = format!("user:{}", s.operator.id);
    let by_user = log(&app, &format!("?actor={user}")).await;
    assert_eq!(by_user.len(), 1);
    assert_eq!(by_user[0]["object_id"], "m2");
    let by_key = log(&app, &format!("?actor=api_key:{key_id}&object_kind=member")).await;
    assert!(
        by_key
            .iter()
            .all(|l| l["actor"]["id"] == format!("api_key:{key_id}"))
    );
    let m1 = log(&app, "?object_kind=member&object_id=m1").await;
    assert_eq!(
        m1.iter().filter(|l| l["action"] == "member.adjust").count(),
        3
    );
    assert!(
        log(&app, "?object_kind=member&object_id=nobody")
            .await
            .is_empty()
    );
    let since = |t: chrono::DateTime<chrono::Utc>| urlencode(&t.to_rfc3339()).replace('+', "%2B");
    let recent = log(&app, &format!("?since={}", since(later))).await;
    assert_eq!(recent.len(), 1);
    let early = log(
        &app,
        &format!("?until={}", since(first + chrono::Duration::minutes(1))),
    )
    .await;
    assert!(
        early.iter().all(|l| l["action"] == "member.put"),
        "{early:#?}"
    );

    // Pages of two, newest first, following `next`.
    let r = app.get("/v1/audit-log?object_kind=member&limit=2").await;
    let page1 = r.body["data"].as_array().unwrap().clone();
    let next = r.body["next"].as_str().expect("a next page").to_owned();
    let r = app
        .get(&format!(
            "/v1/audit-log?object_kind=member&limit=2&after={next}"
        ))
        .await;
    let page2 = r.body["data"].as_array().unwrap().clone();
    let all = log(&app, "?object_kind=member").await;
    assert_eq!(
        [page1, page2].concat(),
        all[..4].to_vec(),
        "pages are the list in order"
    );

    // What is refused.
    for bad in ["?object_id=m1", "?since=yesterday", "?limit=0", "?after=x"] {
        let r = app.get(&format!("/v1/audit-log{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {r:?}");
    }
    // Another program sees none of it.
    let other = app.other_program_key().await;
    let r = app
        .send_as(Some(&other), reqwest::Method::GET, "/v1/audit-log", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"], json!([]));
}

async fn the_database_refuses_to_change_the_log(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.patch("/v1/program", json!({"points_per_yuan": 4}))
        .await;
    assert_eq!(log(&app, "").await.len(), 1);
    for sql in [
        "UPDATE audit_log SET actor_name = 'nobody'",
        "DELETE FROM audit_log",
    ] {
        let e = jifen_store::testkit::execute(app.database_url(), sql)
            .await
            .expect_err(sql);
        assert!(e.contains("append-only"), "{e}");
    }
    let lines = log(&app, "").await;
    assert_eq!(lines.len(), 1);
    assert_ne!(lines[0]["actor"]["name"], "nobody");
}

async fn the_console_shows_the_log_and_histories(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let (key_id, key_name) = the_key(&app).await;
    let (cookie, _) = sign_in(&app, "sun@brand.cn", "孙运营", Role::Viewer).await;
    app.patch("/v1/program", json!({"points_per_yuan": 5}))
        .await;
    let (owner, _) = sign_in(&app, "qian@brand.cn", "钱老板", Role::Owner).await;
    let s = session(&app, &owner).await;
    console::api::call(
        &app.state,
        &s,
        Method::POST,
        "/v1/api-keys",
        Some(json!({"name": "pos"})),
    )
    .await
    .expect("created");

    // A change the console makes without the API (its users) is appended by its handler.
    jifen_server::audit::append(
        &app.state,
        &app.program_id,
        &s.actor(),
        "operator.role",
        "operator",
        "op-1",
        Some(json!({"role": "viewer"})),
        Some(json!({"role": "marketer"})),
    )
    .await
    .expect("appended");

    // The list, in Chinese by default, readable by a viewer.
    let html = page(&app, &cookie, "/console/audit", false).await;
    assert!(html.contains("审计日志"));
    assert!(html.contains(&key_name) && html.contains("API 密钥"));
    assert!(html.contains("钱老板") && html.contains("后台用户"));
    assert!(html.contains("修改积分政策") && html.contains("创建 API 密钥"));
    assert!(html.contains("policy.points_per_yuan"));
    assert!(html.contains("修改后台用户角色") && html.contains("marketer"));
    assert!(html.contains("<span class=\"diff-del\">1</span> → <span class=\"diff-add\">5</span>"));
    assert!(html.contains(&format!("actor=api_key%3A{key_id}")));

    // Filtered by object kind and by actor.
    let html = page(&app, &cookie, "/console/audit?object_kind=api_key", false).await;
    assert!(html.contains("创建 API 密钥") && !html.contains("修改积分政策"));
    let html = page(
        &app,
        &cookie,
        &format!("/console/audit?actor=user%3A{}", s.operator.id),
        false,
    )
    .await;
    assert!(html.contains("钱老板") && !html.contains("修改积分政策"));
    // Dates in the program's zone: the changes are on 2026-06-01 in Shanghai.
    let html = page(
        &app,
        &cookie,
        "/console/audit?from=2026-06-01&to=2026-06-01",
        false,
    )
    .await;
    assert!(html.contains("修改积分政策"));
    let html = page(&app, &cookie, "/console/audit?from=2026-06-02", false).await;
    assert!(!html.contains("修改积分政策") && html.contains("没有符合条件的记录"));
    let html = page(&app, &cookie, "/console/audit?from=June", false).await;
    assert!(html.contains("日期格式"));

    // An object's history: a fragment for htmx, a page without it.
    let path = format!("/console/history/program/{}", app.program_id);
    let fragment = page(&app, &cookie, &path, true).await;
    assert!(!fragment.contains("<html"));
    assert!(fragment.contains("变更历史") && fragment.contains("修改积分政策"));
    assert!(!fragment.contains("创建 API 密钥"));
    let full = page(&app, &cookie, &path, false).await;
    assert!(full.contains("<html") && full.contains("修改积分政策"));

    // In English.
    let r = app
        .client
        .get(format!("{}/console/audit", app.base))
        .header("cookie", format!("{cookie}; jifen_lang=en"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Audit log") && html.contains("Changed the point policy"));
}

/// Every write route of the API is either audited or left out with a reason, and every entry of
/// the two lists is a route of the API.
#[test]
fn every_write_route_is_audited_or_excluded() {
    use jifen_server::audit::{AUDITED, NOT_AUDITED};
    let doc: Value = serde_json::from_str(&jifen_server::api::openapi_json()).unwrap();
    let mut writes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                writes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    // Not in the document (it keeps a member named `batch` reachable), audited all the same.
    writes.push(("PUT".into(), "/v1/members/batch".into()));
    let listed: Vec<(String, String)> = AUDITED
        .iter()
        .map(|a| (a.method.to_owned(), a.path.to_owned()))
        .chain(
            NOT_AUDITED
                .iter()
                .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())),
        )
        .collect();
    let missing: Vec<_> = writes.iter().filter(|w| !listed.contains(w)).collect();
    assert!(
        missing.is_empty(),
        "write routes neither audited nor excluded: {missing:?}"
    );
    let stale: Vec<_> = listed.iter().filter(|l| !writes.contains(l)).collect();
    assert!(
        stale.is_empty(),
        "listed routes the API does not have: {stale:?}"
    );
    let twice = listed.len()
        - listed
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
    assert_eq!(twice, 0, "a route in both lists, or twice");
}

/// Every action and object kind the log writes has its label in both languages.
#[test]
fn every_action_has_a_label() {
    use jifen_server::console::i18n::Lang;
    for a in jifen_server::audit::AUDITED {
        for lang in [Lang::Zh, Lang::En] {
            let key = format!("audit.action.{}", a.action);
            assert_ne!(lang.t(&key), key, "{key}");
            let key = format!("audit.kind.{}", a.object_kind);
            assert_ne!(lang.t(&key), key, "{key}");
        }
    }
}
