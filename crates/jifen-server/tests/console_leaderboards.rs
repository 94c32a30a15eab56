//! The console's leaderboards pages, signed in over HTTP, on SQLite and PostgreSQL: a board
//! defined through the form (saved with `PUT /v1/leaderboards/{id}`), a bad definition shown
//! with its field and nothing saved, the list's figures (ranked members, settled contests), a
//! board's live top 20, an ended contest settled with "settle now" and shown final, and the
//! roles that may not configure refused.

mod common;

use chrono::Duration;
use common::console::{BROWSER_PASSWORD as PASSWORD, Browser, browser_operator as operator, owner};
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    boards_are_defined_ranked_and_settled => super::boards_are_defined_ranked_and_settled;
    only_those_who_configure_define_and_settle => super::only_those_who_configure_define_and_settle;
}

fn definition(app: &TestApp) -> String {
    json!({
        "name": "Sprint",
        "metric": {"kind": "spend"},
        "period": {"kind": "window",
                   "starts_at": (app.now() - Duration::days(1)).to_rfc3339(),
                   "ends_at": (app.now() + Duration::days(1)).to_rfc3339()},
        "contest": {"prizes": [{"from": 1, "to": 1, "points": 500}]}
    })
    .to_string()
}

async fn boards_are_defined_ranked_and_settled(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = owner(&app).await;
    let (status, page) = browser.get("/console/leaderboards").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"no-leaderboards\""), "{page}");
    assert!(
        page.contains("href=\"/console/leaderboards\""),
        "in the navigation"
    );

    // A bad definition: the API's refusal at its field, nothing saved.
    let bad = json!({"name": "Sprint", "metric": {"kind": "nope"}, "period": {"kind": "week"}})
        .to_string();
    let (status, page) = browser
        .post(
            "/console/leaderboards",
            &[("id", "sprint"), ("definition", bad.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"leaderboard-error\""), "{page}");
    assert_eq!(app.get("/v1/leaderboards").await.body["data"], json!([]));

    let (status, page) = browser
        .post(
            "/console/leaderboards",
            &[("id", "sprint"), ("definition", definition(&app).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("id=\"leaderboard-error\""), "{page}");
    assert!(page.contains("id=\"leaderboard-sprint\""), "{page}");
    assert_eq!(
        app.get("/v1/leaderboards/sprint").await.body["spec"]["contest"]["prizes"][0]["points"],
        500
    );

    for (m, amount) in [("m-1", 30_000), ("m-2", 50_000)] {
        app.member(m).await;
        let r = app
            .purchase(&format!("e-{m}"), m, &format!("o-{m}"), amount)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let (_, page) = browser.get("/console/leaderboards").await;
    assert!(page.contains("data-ranked=\"sprint\">2<"), "{page}");
    assert!(page.contains("data-contests=\"sprint\">0<"), "{page}");
    let (status, page) = browser.get("/console/leaderboards?edit=sprint").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("&#34;spend&#34;"), "{page}");

    // The board's live standings; nothing to settle before the window ends.
    let (status, page) = browser.get("/console/leaderboards/sprint").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-final=\"false\""), "{page}");
    let first = page.find("m-2").expect("m-2 listed");
    let second = page.find("m-1").expect("m-1 listed");
    assert!(first < second, "m-2 first: {page}");
    assert!(!page.contains("data-settle="), "{page}");

    app.advance(Duration::days(2));
    // Two days on, the session has expired: the owner signs in again.
    let browser = owner(&app).await;
    let before = app.available("m-2").await;
    let (_, page) = browser.get("/console/leaderboards/sprint").await;
    assert!(page.contains("data-settle=\"window\""), "{page}");
    let (status, page) = browser
        .post(
            "/console/leaderboards/sprint/settle",
            &[("period", "window")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-final=\"true\""), "{page}");
    assert!(page.contains("data-contest=\"window\""), "{page}");
    assert!(!page.contains("data-settle="), "{page}");
    assert_eq!(app.available("m-2").await, before + 500);
    let (_, page) = browser.get("/console/leaderboards").await;
    assert!(page.contains("data-contests=\"sprint\">1<"), "{page}");

    // Settling a period that has not ended is the API's refusal, shown; nothing given.
    let (status, page) = browser
        .post(
            "/console/leaderboards/sprint/settle",
            &[("period", "2020-01")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("toast"), "{page}");
    assert_eq!(app.available("m-2").await, before + 500);

    let (status, _) = browser.get("/console/leaderboards/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn only_those_who_configure_define_and_settle(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    for (i, role) in [Role::Support, Role::Viewer].into_iter().enumerate() {
        let email = format!("op{i}@shop.cn");
        operator(&app, &email, role).await;
        let browser = Browser::sign_in(&app, &email, PASSWORD).await;
        let (status, page) = browser.get("/console/leaderboards").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("id=\"save-leaderboard\""), "{role}: no save");
        let (status, _) = browser
            .post(
                "/console/leaderboards",
                &[("id", "sprint"), ("definition", definition(&app).as_str())],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        let (status, _) = browser
            .post(
                "/console/leaderboards/sprint/settle",
                &[("period", "window")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(app.get("/v1/leaderboards").await.body["data"], json!([]));
    operator(&app, "mk@shop.cn", Role::Marketer).await;
    let marketer = Browser::sign_in(&app, "mk@shop.cn", PASSWORD).await;
    let (status, page) = marketer
        .post(
            "/console/leaderboards",
            &[("id", "sprint"), ("definition", definition(&app).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        app.get("/v1/leaderboards/sprint").await.status,
        StatusCode::OK
    );
}
