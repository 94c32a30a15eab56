//! The console's challenges page, signed in over HTTP, on SQLite and PostgreSQL: a challenge
//! defined through the form (saved with `PUT /v1/challenges/{id}`), a bad definition shown with
//! its field and nothing changed, and the preview of who would have completed it, computed over
//! the stored events.

mod common;

use chrono::Duration;
use common::console::owner;
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    challenges_are_defined_and_previewed => super::challenges_are_defined_and_previewed;
}

async fn challenges_are_defined_and_previewed(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = owner(&app).await;
    let (status, page) = browser.get("/console/challenges").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"no-challenges\""), "{page}");
    assert!(
        page.contains("href=\"/console/challenges\""),
        "in the navigation"
    );

    let bad = json!({"name": "x", "period": {"kind": "month"},
                     "goal": {"measure": "distinct", "target": 3}})
    .to_string();
    let (status, page) = browser
        .post(
            "/console/challenges",
            &[("id", "three"), ("definition", bad.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"challenge-error\""), "{page}");
    assert!(page.contains("goal.distinct"), "{page}");
    assert_eq!(app.get("/v1/challenges").await.body["data"], json!([]));

    // Events stored before the challenge is defined: the preview counts them.
    for m in ["m1", "m2"] {
        app.member(m).await;
    }
    app.behaviour("a1", "check_in", "m1", json!({})).await;
    app.behaviour("a2", "share", "m1", json!({})).await;
    app.behaviour("b1", "check_in", "m2", json!({})).await;
    let good = json!({"name": "Two kinds", "period": {"kind": "window",
        "starts_at": (app.now() - Duration::days(1)).to_rfc3339(),
        "ends_at": (app.now() + Duration::days(1)).to_rfc3339()},
        "goal": {"measure": "distinct", "distinct": "type", "types": ["check_in", "share"],
                 "target": 2}})
    .to_string();
    let (status, page) = browser
        .post(
            "/console/challenges",
            &[("id", "two"), ("definition", good.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("id=\"challenge-error\""), "{page}");
    assert!(page.contains("id=\"challenge-two\""), "{page}");
    assert_eq!(app.get("/v1/challenges/two").await.status, StatusCode::OK);

    let (status, page) = browser.get("/console/challenges?preview=two").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"preview-scanned\">3<"), "{page}");
    assert!(page.contains("id=\"preview-members\">2<"), "{page}");
    assert!(page.contains("id=\"preview-completed\">1<"), "{page}");
    assert!(page.contains("<td>m1</td>"), "{page}");
    let (status, _) = browser.get("/console/challenges?edit=two").await;
    assert_eq!(status, StatusCode::OK);
}
