//! The member portal's profile page over HTTP on SQLite and PostgreSQL: saving goes through the
//! member API, a completed profile earns through the program's `profile_completed` rule once, a
//! bad birthday changes nothing, the phone shown is the one the brand bound, a phone the brand
//! verified and sent with the link is bound when the member confirms, and a session reaches its
//! own member only.

mod common;

use common::portal::{Member, enter, field};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    a_completed_profile_earns_once => super::a_completed_profile_earns_once;
    a_bad_birthday_changes_nothing => super::a_bad_birthday_changes_nothing;
    the_page_shows_and_changes_its_own_member_only => super::the_page_shows_and_changes_its_own_member_only;
    a_verified_phone_from_the_link_is_bound_when_confirmed => super::a_verified_phone_from_the_link_is_bound_when_confirmed;
}

/// 100 points for a completed profile.
async fn profile_rule(app: &TestApp) {
    let r = app
        .put(
            "/v1/rules/profile-completed",
            json!({"name": "Completed profile",
                   "trigger": {"kind": "event", "types": ["profile_completed"]},
                   "effects": [{"kind": "award_points", "points": 100}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
}

/// The profile form's CSRF token and event id.
async fn form(app: &TestApp, m: &Member) -> (String, String) {
    let page = m.get(app, "profile").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    (field(&page.html, "csrf"), field(&page.html, "id"))
}

async fn save(
    app: &TestApp,
    m: &Member,
    (csrf, id): &(String, String),
    fields: &[(&str, &str)],
) -> common::console::Page {
    let mut all = vec![("csrf", csrf.as_str()), ("id", id.as_str())];
    all.extend_from_slice(fields);
    m.post(app, "profile", &all).await
}

async fn member(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/v1/members/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body
}

const FULL: [(&str, &str); 4] = [
    ("name", "林小雨"),
    ("birthday", "1990-05-17"),
    ("gender", "female"),
    ("city", "上海"),
];

async fn a_completed_profile_earns_once(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    profile_rule(&app).await;
    app.member("m-1").await;
    let m = enter(&app, "m-1", json!({})).await;
    let home = m.get(&app, "").await;
    assert!(
        home.html
            .contains(&format!(r#"id="profile-link" href="{}profile""#, m.base)),
        "{}",
        home.html
    );
    let page = m.get(&app, "profile").await;
    assert!(page.html.contains(r#"id="incomplete""#), "{}", page.html);

    // A part of it: saved, nothing earned.
    let first = form(&app, &m).await;
    let r = save(&app, &m, &first, &[("name", "林小雨")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert!(r.html.contains("资料已保存。"), "{}", r.html);
    assert_eq!(app.available("m-1").await, 0);

    // Completed: the rule's 100 points, once.
    let complete = form(&app, &m).await;
    let r = save(&app, &m, &complete, &FULL).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert!(r.html.contains("完善资料获得 100 积分"), "{}", r.html);
    assert_eq!(app.available("m-1").await, 100);
    let body = member(&app, "m-1").await;
    assert_eq!(body["name"], "林小雨");
    assert_eq!(body["birthday"], "1990-05-17");
    assert_eq!(body["gender"], "female");
    assert_eq!(body["city"], "上海");

    // The same form again, and a later save: saved, nothing more earned.
    let r = save(&app, &m, &complete, &FULL).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    let later = form(&app, &m).await;
    let r = save(&app, &m, &later, &[("city", "杭州")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert!(!r.html.contains("积分！"), "{}", r.html);
    assert_eq!(app.available("m-1").await, 100);
    assert_eq!(member(&app, "m-1").await["city"], "杭州");

    // The birthday is kept once set: the page does not change it.
    assert!(r.html.contains(r#"id="birthday-locked""#), "{}", r.html);
    let again = form(&app, &m).await;
    let r = save(&app, &m, &again, &[("birthday", "1991-01-01")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert_eq!(member(&app, "m-1").await["birthday"], "1990-05-17");

    let en = m.get(&app, "profile?lang=en").await;
    assert!(en.html.contains("My profile") && en.html.contains("Birthday"));
}

async fn a_bad_birthday_changes_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    profile_rule(&app).await;
    app.member("m-1").await;
    let m = enter(&app, "m-1", json!({})).await;
    let before = member(&app, "m-1").await;
    let f = form(&app, &m).await;
    let r = save(
        &app,
        &m,
        &f,
        &[
            ("name", "林小雨"),
            ("birthday", "1990-13-45"),
            ("gender", "female"),
            ("city", "上海"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html);
    assert!(r.html.contains(r#"id="error""#), "{}", r.html);
    assert!(r.html.contains("生日格式不正确"), "{}", r.html);
    // What was typed is still in the form.
    assert!(r.html.contains(r#"value="林小雨""#), "{}", r.html);
    let body = member(&app, "m-1").await;
    assert_eq!(body, before, "nothing written");
    assert_eq!(body["name"], "m-1", "unchanged: {body}");
    assert!(
        body["birthday"].is_null() && body["city"].is_null(),
        "{body}"
    );
    assert!(body["gender"].is_null(), "{body}");
    assert_eq!(app.available("m-1").await, 0);
    // A gender the API does not know is refused the same way.
    let f = form(&app, &m).await;
    let r = save(&app, &m, &f, &[("gender", "robot")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html);
    assert!(member(&app, "m-1").await["gender"].is_null());
}

async fn the_page_shows_and_changes_its_own_member_only(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    let r = app
        .put(
            "/v1/members/m-2",
            json!({"name": "王大锤", "phone": "13900001111", "city": "北京"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    // The brand binds m-1's verified phone; the page shows it masked.
    let r = app
        .put("/v1/members/m-1", json!({"phone": "13800001234"}))
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let m1 = enter(&app, "m-1", json!({})).await;
    let page = m1.get(&app, "profile").await;
    assert!(
        page.html
            .contains(r#"<p id="phone-number">138****1234</p>"#),
        "{}",
        page.html
    );
    assert!(
        !page.html.contains("王大锤") && !page.html.contains("1111"),
        "nothing of m-2"
    );
    // Saving changes m-1 alone, whatever the form says.
    let f = form(&app, &m1).await;
    let r = save(
        &app,
        &m1,
        &f,
        &[
            ("name", "林小雨"),
            ("member", "m-2"),
            ("external_id", "m-2"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert_eq!(member(&app, "m-1").await["name"], "林小雨");
    assert_eq!(member(&app, "m-2").await["name"], "王大锤");
    // m-2's page is m-2's.
    let m2 = enter(&app, "m-2", json!({})).await;
    let page = m2.get(&app, "profile").await;
    assert!(page.html.contains("王大锤") && page.html.contains("139****1111"));
    assert!(!page.html.contains("林小雨"));
    let none = enter(&app, "m-1", json!({})).await;
    let r = app.put("/v1/members/m-3", json!({})).await;
    assert!(r.status.is_success(), "{r:?}");
    let m3 = enter(&app, "m-3", json!({})).await;
    let page = m3.get(&app, "profile").await;
    assert!(page.html.contains(r#"id="phone-none""#), "{}", page.html);
    // Without a session, no profile.
    let page = common::portal::open(&app, &format!("{}profile", none.base), None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

async fn a_verified_phone_from_the_link_is_bound_when_confirmed(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for m in ["m-1", "m-2"] {
        let r = app.put(&format!("/v1/members/{m}"), json!({})).await;
        assert!(r.status.is_success(), "{r:?}");
    }
    // A number the brand could not have verified is refused when the link is minted.
    let r = app
        .post("/v1/members/m-1/portal-links", json!({"phone": "12345"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["field"], "phone", "{r:?}");

    // The brand verified 139 0000 1234 and sends it with m-1's link: the page offers it.
    let m1 = enter(&app, "m-1", json!({"phone": "139 0000 1234"})).await;
    let page = m1.get(&app, "profile").await;
    assert!(page.html.contains(r#"id="phone-offer""#), "{}", page.html);
    assert!(page.html.contains("139****1234"), "{}", page.html);
    assert!(!page.html.contains(r#"id="phone-none""#), "{}", page.html);
    assert!(
        member(&app, "m-1").await["phone"].is_null(),
        "nothing bound yet"
    );
    // A post without the session's token binds nothing.
    let forged = m1.post(&app, "profile/phone", &[("csrf", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.html);
    assert!(member(&app, "m-1").await["phone"].is_null());
    // Confirmed: bound, as the brand's own PUT would; the offer is gone. A number typed into the
    // form is no part of it: only the brand's can be bound.
    let csrf = field(&page.html, "csrf");
    let done = m1
        .post(
            &app,
            "profile/phone",
            &[("csrf", &csrf), ("phone", "13700000000")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(done.html.contains(r#"id="result""#), "{}", done.html);
    assert!(
        done.html
            .contains(r#"<p id="phone-number">139****1234</p>"#)
    );
    assert!(!done.html.contains(r#"id="phone-offer""#));
    assert_eq!(member(&app, "m-1").await["phone"], "+8613900001234");
    let found = app.get("/v1/members?identity=phone:13900001234").await;
    assert_eq!(found.body["data"][0]["external_id"], "m-1", "{found:?}");
    // A second confirmation has nothing to bind and changes nothing.
    let again = m1.post(&app, "profile/phone", &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);
    assert_eq!(member(&app, "m-1").await["phone"], "+8613900001234");

    // The same number sent with m-2's link: bound to m-1, so m-2's confirmation is refused
    // with a clear word, and nothing changes for either.
    let m2 = enter(
        &app,
        "m-2",
        json!({"phone": "+8613900001234", "lang": "en"}),
    )
    .await;
    let page = m2.get(&app, "profile").await;
    let csrf = field(&page.html, "csrf");
    let taken = m2.post(&app, "profile/phone", &[("csrf", &csrf)]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.html);
    assert!(
        taken.html.contains("bound to another member"),
        "{}",
        taken.html
    );
    assert!(member(&app, "m-2").await["phone"].is_null());
    assert_eq!(member(&app, "m-1").await["phone"], "+8613900001234");
    // A session whose link brought no number has nothing to bind.
    let plain = enter(&app, "m-2", json!({})).await;
    let page = plain.get(&app, "profile").await;
    assert!(!page.html.contains(r#"id="phone-offer""#), "{}", page.html);
}
