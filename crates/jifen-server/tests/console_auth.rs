//! The console's sign-in, sessions and CSRF, over HTTP on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::console::{self as c, PASSWORD, Signed};
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;

jifen_store::backend_tests! {
    sign_in_sets_a_strict_cookie_and_a_new_session_each_time => super::sign_in_sets_a_strict_cookie_and_a_new_session_each_time;
    wrong_passwords_and_unknown_emails_answer_alike => super::wrong_passwords_and_unknown_emails_answer_alike;
    an_account_locks_after_five_failures => super::an_account_locks_after_five_failures;
    an_address_locks_after_twenty_failures => super::an_address_locks_after_twenty_failures;
    pages_need_a_session_and_come_back_after_sign_in => super::pages_need_a_session_and_come_back_after_sign_in;
    state_changes_need_the_csrf_token_and_this_site => super::state_changes_need_the_csrf_token_and_this_site;
    sessions_expire_when_idle_and_can_be_revoked => super::sessions_expire_when_idle_and_can_be_revoked;
    sign_out_ends_the_session => super::sign_out_ends_the_session;
    a_changed_password_signs_out_other_sessions => super::a_changed_password_signs_out_other_sessions;
    the_program_switch_needs_a_role_there => super::the_program_switch_needs_a_role_there;
    a_removed_role_ends_the_session => super::a_removed_role_ends_the_session;
    the_language_is_chinese_first_and_remembered => super::the_language_is_chinese_first_and_remembered;
    console_writes_go_through_the_api_as_the_operator => super::console_writes_go_through_the_api_as_the_operator;
    failures_speak_the_requests_language => super::failures_speak_the_requests_language;
}

async fn sign_in_sets_a_strict_cookie_and_a_new_session_each_time(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    c::operator(&app, "Owner@Brand.cn", Role::Owner).await;
    // The email is matched without regard to case or surrounding spaces.
    let first = c::login(&app, "  owner@brand.CN ", PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.html);
    assert_eq!(first.location(), "/console");
    let set = first.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    // Behind TLS (as a proxy says), the cookie is Secure.
    let body =
        serde_urlencoded::to_string([("email", "owner@brand.cn"), ("password", PASSWORD)]).unwrap();
    let tls = c::send(
        c::client()
            .post(format!("{}/console/login", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-proto", "https")
            .body(body),
    )
    .await;
    let set = tls.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set.contains("; Secure"), "{set}");
    // A cookie planted before sign-in is not the one after it: each sign-in makes a new secret.
    let planted = "jifen_session=planted-by-someone-else";
    let body =
        serde_urlencoded::to_string([("email", "owner@brand.cn"), ("password", PASSWORD)]).unwrap();
    let again = c::send(
        c::client()
            .post(format!("{}/console/login", app.base))
            .header("cookie", planted)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    let fresh = c::session_cookie(&again).unwrap();
    assert_ne!(fresh, planted);
    assert_ne!(Some(fresh.clone()), c::session_cookie(&first));
    let planted_page = c::get(
        &app,
        &Signed {
            cookie: planted.into(),
            csrf: String::new(),
        },
        "/console/account",
    )
    .await;
    assert_eq!(planted_page.status, StatusCode::SEE_OTHER);
    // The session's secret is not what the database keeps.
    let secret = fresh.trim_start_matches("jifen_session=");
    assert!(
        app.state
            .store
            .session_by_secret(secret)
            .await
            .unwrap()
            .is_none()
    );
}

async fn wrong_passwords_and_unknown_emails_answer_alike(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    c::operator(&app, "owner@brand.cn", Role::Owner).await;
    let wrong = c::login(&app, "owner@brand.cn", "not-the-password").await;
    let unknown = c::login(&app, "nobody@brand.cn", "not-the-password").await;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.html.contains("邮箱或密码不正确"), "{}", page.html);
        assert!(c::session_cookie(page).is_none());
    }
    // The form keeps the email typed, never the password.
    assert!(wrong.html.contains("value=\"owner@brand.cn\""));
    assert!(!wrong.html.contains("not-the-password"));
}

async fn an_account_locks_after_five_failures(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    c::operator(&app, "owner@brand.cn", Role::Owner).await;
    for _ in 0..5 {
        assert_eq!(
            c::login(&app, "owner@brand.cn", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked: even the right password is refused, with a message that says until when.
    let locked = c::login(&app, "owner@brand.cn", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.html.contains("该账户登录失败次数过多"),
        "{}",
        locked.html
    );
    assert!(locked.html.contains("分钟"), "{}", locked.html);
    assert!(c::session_cookie(&locked).is_none());
    // Another account from the same address is not locked by it.
    c::operator(&app, "other@brand.cn", Role::Viewer).await;
    assert_eq!(
        c::login(&app, "other@brand.cn", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Fifteen minutes after the last failure the account opens again.
    app.advance(Duration::minutes(16));
    let open = c::login(&app, "owner@brand.cn", PASSWORD).await;
    assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.html);
    // A success starts the count over.
    for _ in 0..4 {
        c::login(&app, "owner@brand.cn", "guess").await;
    }
    assert_eq!(
        c::login(&app, "owner@brand.cn", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn an_address_locks_after_twenty_failures(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    c::operator(&app, "owner@brand.cn", Role::Owner).await;
    // Guessing across many accounts from one address: four tries each, never five on one.
    for i in 0..20 {
        let email = format!("guess{}@brand.cn", i / 4);
        c::login(&app, &email, "guess").await;
    }
    let locked = c::login(&app, "owner@brand.cn", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.html.contains("来自此地址的登录失败次数过多"),
        "{}",
        locked.html
    );
    // A forwarded address is not believed unless the server is told to trust it.
    let body =
        serde_urlencoded::to_string([("email", "owner@brand.cn"), ("password", PASSWORD)]).unwrap();
    let spoofed = c::send(
        c::client()
            .post(format!("{}/console/login", app.base))
            .header("x-forwarded-for", "203.0.113.9")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    assert_eq!(spoofed.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn pages_need_a_session_and_come_back_after_sign_in(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let none = Signed {
        cookie: String::new(),
        csrf: String::new(),
    };
    let page = c::get(&app, &none, "/console/account?tab=1").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/console/login?next=%2Fconsole%2Faccount%3Ftab%3D1"
    );
    // The sign-in form carries `next`, and only a console path is followed.
    let form = c::get(&app, &none, "/console/login?next=/console/account").await;
    assert!(
        form.html
            .contains("name=\"next\" value=\"/console/account\""),
        "{}",
        form.html
    );
    let evil = c::get(&app, &none, "/console/login?next=https://evil.example/").await;
    assert!(
        evil.html.contains("name=\"next\" value=\"/console\""),
        "{}",
        evil.html
    );
    c::operator(&app, "owner@brand.cn", Role::Owner).await;
    let body = serde_urlencoded::to_string([
        ("email", "owner@brand.cn"),
        ("password", PASSWORD),
        ("next", "//evil.example/"),
    ])
    .unwrap();
    let res = c::send(
        c::client()
            .post(format!("{}/console/login", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    assert_eq!(res.location(), "/console");
    // htmx requests are told to load the sign-in page rather than swap it in.
    let hx = c::send(
        c::client()
            .get(format!("{}/console/account", app.base))
            .header("hx-request", "true"),
    )
    .await;
    assert!(hx.headers.get("hx-redirect").is_some(), "{:?}", hx.headers);
}

async fn state_changes_need_the_csrf_token_and_this_site(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    let second = c::sign_in(&app, "owner@brand.cn", PASSWORD).await;
    let sessions = app
        .state
        .store
        .live_sessions(&operator_id(&app, "owner@brand.cn").await, app.now())
        .await
        .unwrap();
    let other = sessions
        .iter()
        .find(|x| x.csrf == second.csrf)
        .unwrap()
        .id
        .clone();
    let path = format!("/console/account/sessions/{other}/revoke");
    let before = jifen_store::testkit::table_rows(app.database_url()).await;
    // No token, a wrong token, another session's token: refused, nothing changes.
    for fields in [
        vec![],
        vec![("csrf", "forged")],
        vec![("csrf", second.csrf.as_str())],
    ] {
        let res = c::post_raw(&app, &s, &path, &fields).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(res.html.contains("表单已过期或来源不明"), "{}", res.html);
    }
    // The right token from another site: refused.
    let body = serde_urlencoded::to_string([("csrf", s.csrf.as_str())]).unwrap();
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = c::send(
            c::client()
                .post(format!("{}{path}", app.base))
                .header("cookie", &s.cookie)
                .header(name, value)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone()),
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{name}");
    }
    assert_eq!(
        before,
        jifen_store::testkit::table_rows(app.database_url()).await
    );
    // The token in the header (as htmx sends it) from this site: done.
    let res = c::send(
        c::client()
            .post(format!("{}{path}", app.base))
            .header("cookie", &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header("origin", &app.base),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.html);
    let gone = c::get(&app, &second, "/console/account").await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(gone.location().starts_with("/console/login?expired=1"));
}

async fn operator_id(app: &TestApp, email: &str) -> String {
    app.state
        .store
        .operator_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .0
        .id
}

async fn sessions_expire_when_idle_and_can_be_revoked(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    // Used within the idle time, the session lives on past eight hours from sign-in.
    for _ in 0..3 {
        app.advance(Duration::hours(5));
        assert_eq!(
            c::get(&app, &s, "/console/account").await.status,
            StatusCode::OK
        );
    }
    app.advance(Duration::hours(8) + Duration::minutes(1));
    let res = c::get(&app, &s, "/console/account").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/console/login?expired=1"));
    let page = c::get(
        &app,
        &Signed {
            cookie: String::new(),
            csrf: String::new(),
        },
        res.location(),
    )
    .await;
    assert!(page.html.contains("会话已过期"), "{}", page.html);
}

async fn sign_out_ends_the_session(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    let res = c::post(&app, &s, "/console/logout", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/console/login?signed_out=1");
    let cleared = res.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cleared.starts_with("jifen_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    // The old cookie, replayed, opens nothing.
    assert_eq!(
        c::get(&app, &s, "/console/account").await.status,
        StatusCode::SEE_OTHER
    );
}

async fn a_changed_password_signs_out_other_sessions(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    let other = c::sign_in(&app, "owner@brand.cn", PASSWORD).await;
    let short = c::post(
        &app,
        &s,
        "/console/account/password",
        &[("current", PASSWORD), ("new", "short")],
    )
    .await;
    assert!(short.html.contains("至少需要 12 个字符"), "{}", short.html);
    let wrong = c::post(
        &app,
        &s,
        "/console/account/password",
        &[("current", "nope"), ("new", "a-new-long-password")],
    )
    .await;
    assert!(wrong.html.contains("当前密码不正确"), "{}", wrong.html);
    let done = c::post(
        &app,
        &s,
        "/console/account/password",
        &[("current", PASSWORD), ("new", "a-new-long-password")],
    )
    .await;
    assert!(done.html.contains("密码已修改"), "{}", done.html);
    assert_eq!(
        c::get(&app, &s, "/console/account").await.status,
        StatusCode::OK
    );
    assert_eq!(
        c::get(&app, &other, "/console/account").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c::login(&app, "owner@brand.cn", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c::login(&app, "owner@brand.cn", "a-new-long-password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

async fn the_program_switch_needs_a_role_there(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    app.other_program_key().await;
    let programs = app.state.store.list_programs().await.unwrap();
    let other = programs
        .iter()
        .find(|p| p.id != app.program_id)
        .unwrap()
        .id
        .clone();
    let refused = c::post(&app, &s, "/console/program", &[("program_id", &other)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        c::get(&app, &s, "/console/account")
            .await
            .html
            .contains("Test Brand")
    );
    jifen_server::console::operators::add(
        &app.state,
        &other,
        "owner@brand.cn",
        None,
        Role::Viewer,
        None,
    )
    .await
    .unwrap();
    let moved = c::post(&app, &s, "/console/program", &[("program_id", &other)]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let page = c::get(&app, &s, "/console/account").await;
    assert!(
        page.html.contains("<strong>Other Brand</strong>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("只读"), "the role there: {}", page.html);
}

async fn a_removed_role_ends_the_session(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "support@brand.cn", Role::Support).await;
    let id = operator_id(&app, "support@brand.cn").await;
    app.state
        .store
        .set_role(&id, &app.program_id, None, app.now())
        .await
        .unwrap();
    assert_eq!(
        c::get(&app, &s, "/console/account").await.status,
        StatusCode::SEE_OTHER
    );
    // With no role anywhere, signing in says so rather than opening an empty console.
    let res = c::login(&app, "support@brand.cn", PASSWORD).await;
    assert!(res.html.contains("尚未加入任何项目"), "{}", res.html);
    assert!(c::session_cookie(&res).is_none());
}

async fn the_language_is_chinese_first_and_remembered(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    let zh = c::get(&app, &s, "/console/account").await;
    assert!(zh.html.contains("<html lang=\"zh-CN\">") && zh.html.contains("我的账户"));
    let switch = c::get(&app, &s, "/console/lang?to=en&back=/console/account").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/console/account");
    let cookie = switch.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("jifen_lang=en;") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );
    let en = Signed {
        cookie: format!("{}; jifen_lang=en", s.cookie),
        csrf: s.csrf.clone(),
    };
    let page = c::get(&app, &en, "/console/account").await;
    assert!(page.html.contains("<html lang=\"en\">") && page.html.contains("My account"));
    assert!(
        page.html.contains("href=\"/console/lang?to=zh-CN"),
        "a way back"
    );
    // The switch only ever goes back into the console.
    let away = c::get(&app, &s, "/console/lang?to=en&back=https://evil.example/").await;
    assert_eq!(away.location(), "/console");
}

/// A console write is a `/v1` request with the operator as its author: the API's validation
/// and answers, and the key layer takes no `Authorization` header for it.
async fn console_writes_go_through_the_api_as_the_operator(b: TestBackend) {
    use axum::http::Method;
    use jifen_server::console::api;
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    c::operator(&app, "support@brand.cn", Role::Support).await;
    let operator = app
        .state
        .store
        .operator_by_email("support@brand.cn")
        .await
        .unwrap()
        .unwrap()
        .0;
    let session = jifen_server::console::auth::Session {
        operator,
        role: Role::Support,
        program: app
            .state
            .store
            .get_program(&app.program_id)
            .await
            .unwrap()
            .unwrap(),
        csrf: String::new(),
        lang: Default::default(),
        id: String::new(),
        secret_hash: String::new(),
    };
    let body = serde_json::json!({"id": "adj-1", "points": 50, "reason": "goodwill"});
    let ok = api::call(
        &app.state,
        &session,
        Method::POST,
        "/v1/members/m1/adjustments",
        Some(body.clone()),
    )
    .await
    .unwrap();
    assert_eq!(ok.status, StatusCode::CREATED);
    // The same id again is the API's replay, not a second adjustment.
    api::call(
        &app.state,
        &session,
        Method::POST,
        "/v1/members/m1/adjustments",
        Some(body),
    )
    .await
    .unwrap();
    assert_eq!(app.available("m1").await, 50);
    // The API's own errors come back with their code and field.
    let bad = api::call(
        &app.state,
        &session,
        Method::POST,
        "/v1/members/m1/adjustments",
        Some(serde_json::json!({"id": "adj-2", "points": 5, "reason": " "})),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (bad.status, bad.code.as_str(), bad.field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some("reason")
        )
    );
    assert_eq!(app.available("m1").await, 50);
}

/// A failure a handler returns is rendered in the request's language, and as a toast for htmx.
async fn failures_speak_the_requests_language(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let s = c::sign_in_as(&app, "owner@brand.cn", Role::Owner).await;
    let en = Signed {
        cookie: format!("{}; jifen_lang=en", s.cookie),
        csrf: s.csrf.clone(),
    };
    // Revoking a session that is not the operator's own is a handler's NotFound.
    let page = c::post(&app, &en, "/console/account/sessions/nope/revoke", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.html.contains("There is no such page."),
        "{}",
        page.html
    );
    let zh = c::post(&app, &s, "/console/account/sessions/nope/revoke", &[]).await;
    assert!(zh.html.contains("页面不存在"), "{}", zh.html);
    let hx = c::send(
        c::client()
            .post(format!("{}/console/account/sessions/nope/revoke", app.base))
            .header("cookie", &en.cookie)
            .header("x-csrf-token", &s.csrf)
            .header("hx-request", "true"),
    )
    .await;
    assert_eq!(hx.headers.get("hx-retarget").unwrap(), "#toasts");
    assert!(hx.html.contains("class=\"toast bad\""), "{}", hx.html);
}
