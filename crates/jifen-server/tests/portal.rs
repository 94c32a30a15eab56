//! The member portal over HTTP on SQLite and PostgreSQL: one-time links, sessions scoped to one
//! member and one program, CSRF, the home and check-in pages in both languages.

mod common;

use chrono::Duration;
use common::console::{client, send};
use common::portal::{self as p, check_in_rules, enter, link, open, set_cookie};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    a_link_opens_a_session_and_the_home_page_shows_the_members_points => super::a_link_opens_a_session_and_the_home_page_shows_the_members_points;
    a_link_opens_once_even_when_raced => super::a_link_opens_once_even_when_raced;
    an_expired_or_unknown_link_shows_a_clear_page => super::an_expired_or_unknown_link_shows_a_clear_page;
    sessions_expire_when_idle_and_after_twelve_hours => super::sessions_expire_when_idle_and_after_twelve_hours;
    a_session_is_one_member_in_one_program => super::a_session_is_one_member_in_one_program;
    posts_need_the_csrf_token_and_this_site => super::posts_need_the_csrf_token_and_this_site;
    a_check_in_counts_once_and_shows_the_streak_and_the_bonus => super::a_check_in_counts_once_and_shows_the_streak_and_the_bonus;
    pages_speak_chinese_first_and_english_on_request => super::pages_speak_chinese_first_and_english_on_request;
    minting_checks_its_input => super::minting_checks_its_input;
    the_portal_look_is_set_through_the_program => super::the_portal_look_is_set_through_the_program;
    the_home_page_shows_the_tier_and_the_way_to_the_next => super::the_home_page_shows_the_tier_and_the_way_to_the_next;
}

async fn a_link_opens_a_session_and_the_home_page_shows_the_members_points(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    // 120 points expiring in 20 days, then 50 points pending for 7 days.
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 20}}))
        .await;
    app.purchase("e-1", "m-1", "o-1", 12_000).await;
    app.set_policy(json!({"pending_days": 7, "expiry": {"kind": "never"}}))
        .await;
    app.purchase("e-2", "m-1", "o-2", 5_000).await;

    let url = link(&app, "m-1", json!({})).await;
    let prefix = format!("{}/portal/{}/enter?token=", app.base, app.program_id);
    assert!(url.starts_with(&prefix), "{url}");
    let token = &url[prefix.len()..];
    assert_eq!(token.len(), 43, "32 bytes, url-safe base64: {token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );

    let entered = open(&app, &url, None).await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.html);
    let home = format!("/portal/{}/", app.program_id);
    assert_eq!(
        entered.location(),
        home,
        "a clean address, without the token"
    );
    let cookie = set_cookie(&entered, "jifen_portal").expect("a session cookie");
    assert!(
        cookie.contains(&format!("Path={home}"))
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    // Only the SHA-256 of the link's token and of the session's secret are kept.
    let secret = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("jifen_portal=");
    let rows = jifen_store::testkit::table_rows(app.database_url()).await;
    let all = format!("{rows:?}");
    assert!(!all.contains(token) && !all.contains(secret));

    let member = p::Member {
        cookie: cookie.split(';').next().unwrap().to_owned(),
        base: home.clone(),
    };
    let page = member.get(&app, "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains(r#"<div class="big" id="available">120</div>"#),
        "{}",
        page.html
    );
    assert!(page.html.contains("待到账 50 积分"), "{}", page.html);
    assert!(
        page.html.contains("2026-06-08 到账 50 积分"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("30 天内将过期 120 积分"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("2026-06-21 过期 120 积分"),
        "{}",
        page.html
    );
    assert!(page.html.contains("今天还没有签到"), "{}", page.html);
    // No dead links: the tab bar lists the pages that exist, and the home page links the
    // profile.
    assert!(page.html.contains(&format!(r#"href="{home}check-in""#)));
    assert!(page.html.contains(&format!(r#"href="{home}rewards""#)));
    assert!(page.html.contains(&format!(r#"href="{home}profile""#)));
    let profile = member.get(&app, "profile").await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.html);
    // The stylesheet is in the page: the first page needs no second request to be drawn.
    assert!(
        page.html
            .contains("<style>/* The member portal: mobile first"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("rel=\"stylesheet\""), "{}", page.html);
}

async fn a_link_opens_once_even_when_raced(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    let url = link(&app, "m-1", json!({"lang": "en"})).await;
    let (a, b, c, d) = tokio::join!(
        open(&app, &url, None),
        open(&app, &url, None),
        open(&app, &url, None),
        open(&app, &url, None)
    );
    let entered = [a, b, c, d]
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(entered, 1, "one session from one link");
    let again = open(&app, &url, None).await;
    assert_eq!(again.status, StatusCode::GONE);
    // In the link's language, with the way on, and nothing of the member.
    assert!(
        again.html.contains("This link has expired"),
        "{}",
        again.html
    );
    assert!(again.html.contains("open the member portal again"));
    // The brand's look, never the member's data.
    assert!(again.html.contains("Test Brand") && again.html.contains("--brand: #C8102E"));
    assert!(!again.html.contains("m-1"));
    assert!(set_cookie(&again, "jifen_portal").is_none());
}

async fn an_expired_or_unknown_link_shows_a_clear_page(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    let url = link(&app, "m-1", json!({"ttl_seconds": 60})).await;
    app.advance(Duration::seconds(61));
    let late = open(&app, &url, None).await;
    assert_eq!(late.status, StatusCode::GONE);
    assert!(late.html.contains("链接已失效"), "{}", late.html);
    assert!(late.html.contains("重新打开会员中心"));
    assert!(set_cookie(&late, "jifen_portal").is_none());

    let unknown = open(
        &app,
        &format!("/portal/{}/enter?token=not-a-token", app.program_id),
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.html.contains("重新打开会员中心"));
    let none = open(&app, &format!("/portal/{}/enter", app.program_id), None).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // A page without a session is the same kind of page.
    let home = open(&app, &format!("/portal/{}/", app.program_id), None).await;
    assert_eq!(home.status, StatusCode::UNAUTHORIZED);
    assert!(home.html.contains("重新打开会员中心"));
}

async fn sessions_expire_when_idle_and_after_twelve_hours(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    let idle = enter(&app, "m-1", json!({})).await;
    app.advance(Duration::minutes(29));
    assert_eq!(idle.get(&app, "").await.status, StatusCode::OK);
    // Use moves the idle expiry forward...
    app.advance(Duration::minutes(29));
    assert_eq!(idle.get(&app, "").await.status, StatusCode::OK);
    // ...and 30 minutes without use end the session.
    app.advance(Duration::minutes(31));
    let expired = idle.get(&app, "").await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.html.contains("登录已过期"), "{}", expired.html);
    assert!(expired.html.contains("Test Brand"));
    assert!(!expired.html.contains("available"));

    // However much it is used, a session ends 12 hours after it opened.
    let busy = enter(&app, "m-1", json!({})).await;
    for _ in 0..(12 * 3 - 1) {
        app.advance(Duration::minutes(20));
        assert_eq!(busy.get(&app, "").await.status, StatusCode::OK);
    }
    app.advance(Duration::minutes(20));
    assert_eq!(busy.get(&app, "").await.status, StatusCode::UNAUTHORIZED);
}

async fn a_session_is_one_member_in_one_program(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    check_in_rules(&app).await;
    app.member("m-a").await;
    app.member("m-b").await;
    app.purchase("e-a", "m-a", "o-a", 1_100).await;
    app.purchase("e-b", "m-b", "o-b", 98_700).await;
    let a = enter(&app, "m-a", json!({})).await;
    let home = a.get(&app, "").await;
    assert!(home.html.contains(r#"id="available">11<"#), "{}", home.html);
    assert!(!home.html.contains("987"), "nothing of m-b");

    // A's check-in writes to A's ledger only, whatever the form says.
    let (csrf, id) = a.check_in_form(&app).await;
    let done = a
        .post(
            &app,
            "check-in",
            &[("csrf", &csrf), ("id", &id), ("member", "m-b")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert_eq!(app.available("m-a").await, 12);
    assert_eq!(app.available("m-b").await, 987);

    // A cookie of this program is refused under another program's address.
    let other_key = app.other_program_key().await;
    let other = app
        .send_as(Some(&other_key), reqwest::Method::GET, "/v1/program", None)
        .await;
    let q = other.body["id"].as_str().unwrap().to_owned();
    let r = app
        .send_as(
            Some(&other_key),
            reqwest::Method::PUT,
            "/v1/members/m-a",
            Some(json!({"name": "A in Q"})),
        )
        .await;
    assert!(r.status.is_success());
    let elsewhere = open(&app, &format!("/portal/{q}/"), Some(&a.cookie)).await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
    let post = send(
        client()
            .post(format!("{}/portal/{q}/check-in", app.base))
            .header("cookie", &a.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(common::console::encode(&[("csrf", &csrf), ("id", "x-1")])),
    )
    .await;
    assert_eq!(post.status, StatusCode::UNAUTHORIZED);
    // A link of program P does not open program Q's portal, and stays P's to open.
    let url = link(&app, "m-a", json!({})).await;
    let crossed = url.replace(
        &format!("/portal/{}/", app.program_id),
        &format!("/portal/{q}/"),
    );
    let page = open(&app, &crossed, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(set_cookie(&page, "jifen_portal").is_none());
    assert_eq!(open(&app, &url, None).await.status, StatusCode::SEE_OTHER);
}

async fn posts_need_the_csrf_token_and_this_site(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    check_in_rules(&app).await;
    app.member("m-1").await;
    let m = enter(&app, "m-1", json!({})).await;
    let (csrf, id) = m.check_in_form(&app).await;
    let before = jifen_store::testkit::table_rows(app.database_url()).await;
    let events = |rows: &std::collections::BTreeMap<String, Vec<String>>| {
        rows.get("events").cloned().unwrap_or_default()
    };
    // No token, a wrong one, another site's origin, a cross-site fetch: 403, nothing written.
    let no_token = m.post(&app, "check-in", &[("id", &id)]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(
        no_token.html.contains("页面已过期或来源不明"),
        "{}",
        no_token.html
    );
    let wrong = m
        .post(&app, "check-in", &[("csrf", "wrong"), ("id", &id)])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let body = common::console::encode(&[("csrf", &csrf), ("id", &id)]);
    let url = format!("{}{}check-in", app.base, m.base);
    let foreign = send(
        client()
            .post(&url)
            .header("cookie", &m.cookie)
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone()),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let cross = send(
        client()
            .post(&url)
            .header("cookie", &m.cookie)
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone()),
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let after = jifen_store::testkit::table_rows(app.database_url()).await;
    assert_eq!(events(&before), events(&after), "nothing written");
    assert_eq!(app.available("m-1").await, 0);
    // The header carries the token as well as the form.
    let ok = send(
        client()
            .post(&url)
            .header("cookie", &m.cookie)
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(common::console::encode(&[("id", &id)])),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.html);
    assert_eq!(app.available("m-1").await, 1);
}

async fn a_check_in_counts_once_and_shows_the_streak_and_the_bonus(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    check_in_rules(&app).await;
    app.member("m-1").await;
    // Four days in a row through the API.
    for d in 0..4 {
        app.behaviour(&format!("c-{d}"), "check_in", "m-1", json!({}))
            .await;
        app.advance(Duration::days(1));
    }
    let m = enter(&app, "m-1", json!({})).await;
    let page = m.get(&app, "check-in").await;
    assert!(page.html.contains("已连续签到 4 天"), "{}", page.html);
    assert!(page.html.contains("再签到 3 天得 7 积分"), "{}", page.html);
    let (csrf, id) = m.check_in_form(&app).await;
    assert!(id.starts_with("portal-"));

    let first = m
        .post(&app, "check-in", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    assert!(
        first.html.contains("签到成功，获得 1 积分"),
        "{}",
        first.html
    );
    assert!(first.html.contains("今日已签到"));
    assert!(first.html.contains("已连续签到 5 天"), "{}", first.html);
    assert!(
        first.html.contains("再签到 2 天得 7 积分"),
        "{}",
        first.html
    );
    // The calendar marks the five days (June 1 to 5) and today.
    assert_eq!(
        first.html.matches(r#"<td class="on"#).count(),
        5,
        "{}",
        first.html
    );
    assert!(
        first
            .html
            .contains(r#"<td class="on today" aria-current="date"><span>5</span>"#)
    );
    // A double tap (the same id again) is the first answer, and nothing twice.
    let again = m
        .post(&app, "check-in", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.html.contains("获得 1 积分"));
    assert_eq!(app.available("m-1").await, 5);
    let home = m.get(&app, "").await;
    assert!(home.html.contains("今日已签到"), "{}", home.html);
    assert!(home.html.contains("已连续签到 5 天"));
}

async fn pages_speak_chinese_first_and_english_on_request(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    check_in_rules(&app).await;
    app.member("m-1").await;
    let zh = enter(&app, "m-1", json!({})).await;
    let home = zh.get(&app, "").await;
    assert!(home.html.contains(r#"<html lang="zh-CN">"#));
    assert!(home.html.contains("可用积分") && home.html.contains("首页"));
    let check_in = zh.get(&app, "check-in").await;
    assert!(check_in.html.contains("每日签到") && check_in.html.contains("再签到 7 天得 7 积分"));

    // `?lang=en` switches, and the choice is remembered in a cookie.
    let en = zh.get(&app, "?lang=en").await;
    assert!(en.html.contains(r#"<html lang="en">"#));
    assert!(en.html.contains("Points available") && en.html.contains("Home"));
    let remembered = set_cookie(&en, "jifen_portal_lang").expect("the choice is kept");
    assert!(
        remembered.starts_with("jifen_portal_lang=en;") && remembered.contains("Path=/portal/")
    );
    let cookie = format!(
        "{}; jifen_portal_lang=en",
        zh.cookie.split(';').next().unwrap()
    );
    let page = open(&app, &format!("{}check-in", zh.base), Some(&cookie)).await;
    assert!(page.html.contains("Daily check-in"), "{}", page.html);
    assert!(page.html.contains("Check in 7 more days to get 7 points"));

    // A link minted in English opens the portal in English.
    let en_link = enter(&app, "m-1", json!({"lang": "en"})).await;
    let home = en_link.get(&app, "").await;
    assert!(
        home.html.contains("You have not checked in today"),
        "{}",
        home.html
    );
}

async fn minting_checks_its_input(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    let r = app.post("/v1/members/nobody/portal-links", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "member_not_found");
    for (body, field) in [
        (json!({"ttl_seconds": 59}), "ttl_seconds"),
        (json!({"ttl_seconds": 901}), "ttl_seconds"),
        (json!({"lang": "fr"}), "lang"),
    ] {
        let r = app.post("/v1/members/m-1/portal-links", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(r.body["error"]["field"], field);
    }
    // No body at all: the defaults (five minutes, Chinese).
    let r = app
        .send_as(
            Some(&app.key),
            reqwest::Method::POST,
            "/v1/members/m-1/portal-links",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, app.now() + Duration::seconds(300));
    // Without a key, nothing.
    let r = app
        .send_as(
            None,
            reqwest::Method::POST,
            "/v1/members/m-1/portal-links",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn the_portal_look_is_set_through_the_program(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    let r = app.get("/v1/program").await;
    assert_eq!(r.body["portal"]["colour"], "#C8102E");
    assert_eq!(r.body["portal"]["guests_may_enrol"], false);
    for (portal, field) in [
        (json!({"colour": "red"}), "portal.colour"),
        (json!({"colour": "#12345"}), "portal.colour"),
        (
            json!({"logo_url": "javascript:alert(1)"}),
            "portal.logo_url",
        ),
        (json!({"brand_name": "x".repeat(41)}), "portal.brand_name"),
    ] {
        let r = app.patch("/v1/program", json!({ "portal": portal })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(r.body["error"]["field"], field);
    }
    let r = app
        .patch(
            "/v1/program",
            json!({"portal": {"brand_name": "百草茶", "colour": "#0a7e3c",
                              "logo_url": "https://cdn.example.cn/logo.png",
                              "guests_may_enrol": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["portal"]["colour"], "#0A7E3C");
    assert_eq!(
        app.get("/v1/program").await.body["portal"]["brand_name"],
        "百草茶"
    );
    // Audited like every change of the program.
    let log = app.get("/v1/audit-log?object_kind=program").await;
    assert!(log.body.to_string().contains("#0A7E3C"), "{log:?}");

    let m = enter(&app, "m-1", json!({})).await;
    let home = m.get(&app, "").await;
    assert!(home.html.contains("--brand: #0A7E3C"), "{}", home.html);
    assert!(home.html.contains("百草茶"));
    assert!(
        home.html
            .contains(r#"<img src="https://cdn.example.cn/logo.png""#)
    );
}

async fn the_home_page_shows_the_tier_and_the_way_to_the_next(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "member", "name": "普通会员", "threshold": 0},
                             {"id": "gold", "name": "金卡", "threshold": 50_000}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.member("m-1").await;
    app.purchase("e-1", "m-1", "o-1", 38_000).await;
    let m = enter(&app, "m-1", json!({})).await;
    let home = m.get(&app, "").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.html);
    assert!(home.html.contains("普通会员"), "{}", home.html);
    assert!(home.html.contains("再消费 ¥120 升级金卡"), "{}", home.html);
    assert!(home.html.contains(r#"aria-valuenow="76""#), "{}", home.html);
}
