//! The console's badges page, signed in over HTTP, on SQLite and PostgreSQL: a badge defined
//! through the form (saved with `PUT /v1/badges/{id}`), a bad definition shown with its field
//! and nothing changed, the members per level after a member earns one, and the roles that may
//! not change badges refused.

mod common;

use common::console::{BROWSER_PASSWORD as PASSWORD, Browser, browser_operator as operator, owner};
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    badges_are_defined_and_counted => super::badges_are_defined_and_counted;
    only_those_who_configure_change_badges => super::only_those_who_configure_change_badges;
}

fn definition() -> String {
    json!({
        "name": "Regular",
        "levels": [
            {"name": "bronze", "progress": "member.counts.check_in", "target": 1},
            {"name": "silver", "progress": "member.counts.check_in", "target": 5}
        ]
    })
    .to_string()
}

async fn badges_are_defined_and_counted(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = owner(&app).await;
    let (status, page) = browser.get("/console/badges").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"no-badges\""), "{page}");
    assert!(
        page.contains("href=\"/console/badges\""),
        "in the navigation"
    );

    // A bad definition: the API's refusal at its field, nothing saved.
    let bad = json!({"name": "Regular", "levels": [{"name": "a", "target": 3}]}).to_string();
    let (status, page) = browser
        .post(
            "/console/badges",
            &[("id", "regular"), ("definition", bad.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"badge-error\""), "{page}");
    assert!(page.contains("levels[0].progress"), "{page}");
    assert_eq!(app.get("/v1/badges").await.body["data"], json!([]));

    let (status, page) = browser
        .post(
            "/console/badges",
            &[("id", "regular"), ("definition", definition().as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("id=\"badge-error\""), "{page}");
    assert!(page.contains("id=\"badge-regular\""), "{page}");
    let saved = app.get("/v1/badges/regular").await;
    assert_eq!(saved.status, StatusCode::OK);
    assert_eq!(saved.body["levels"][1]["target"], 5);

    app.member("m1").await;
    app.behaviour("c1", "check_in", "m1", json!({})).await;
    let (_, page) = browser.get("/console/badges").await;
    assert!(
        page.contains("data-level-members=\"regular-1\">1<"),
        "{page}"
    );
    assert!(
        page.contains("data-level-members=\"regular-2\">0<"),
        "{page}"
    );
    let (status, page) = browser.get("/console/badges?edit=regular").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("member.counts.check_in"), "{page}");
}

async fn only_those_who_configure_change_badges(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for (i, role) in [Role::Support, Role::Viewer].into_iter().enumerate() {
        let email = format!("op{i}@shop.cn");
        operator(&app, &email, role).await;
        let browser = Browser::sign_in(&app, &email, PASSWORD).await;
        let (status, page) = browser.get("/console/badges").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("id=\"save-badge\""), "{role}: no save");
        let (status, _) = browser
            .post(
                "/console/badges",
                &[("id", "regular"), ("definition", definition().as_str())],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(app.get("/v1/badges").await.body["data"], json!([]));
    operator(&app, "mk@shop.cn", Role::Marketer).await;
    let marketer = Browser::sign_in(&app, "mk@shop.cn", PASSWORD).await;
    let (status, page) = marketer
        .post(
            "/console/badges",
            &[("id", "regular"), ("definition", definition().as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.get("/v1/badges/regular").await.status, StatusCode::OK);
}
