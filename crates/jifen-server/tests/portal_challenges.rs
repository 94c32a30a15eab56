//! The member portal's challenges, over HTTP on SQLite and PostgreSQL: a card per active
//! challenge with its progress bar and steps, linked from home, and a join button for an
//! opt-in challenge that joins through the same service as the API (CSRF-guarded).

mod common;

use chrono::Duration;
use common::portal::{enter, field};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    cards_show_progress_and_join => super::cards_show_progress_and_join;
}

async fn cards_show_progress_and_join(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "林小雨", "phone": "+8613800000001"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let window = json!({"kind": "window",
        "starts_at": (app.now() - Duration::days(1)).to_rfc3339(),
        "ends_at": (app.now() + Duration::days(10)).to_rfc3339()});
    let r = app
        .put(
            "/v1/challenges/checkins",
            json!({"name": "打卡挑战", "period": window,
                   "goal": {"measure": "count", "types": ["check_in"], "target": 4},
                   "steps": [{"target": 1, "name": "起步", "reward": {"points": 1}}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .put(
            "/v1/challenges/spend",
            json!({"name": "消费挑战", "enrollment": "opt_in", "period": window,
                   "goal": {"measure": "sum", "target": 10000}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.behaviour("c1", "check_in", "m1", json!({})).await;

    let member = enter(&app, "m1", json!({})).await;
    let home = member.get(&app, "").await;
    assert!(
        home.html.contains("id=\"challenges-link\""),
        "{}",
        home.html
    );
    let page = member.get(&app, "challenges").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("打卡挑战"), "{}", page.html);
    assert!(page.html.contains("进度 1 / 4"), "{}", page.html);
    assert!(page.html.contains("aria-valuenow=\"25\""), "{}", page.html);
    assert!(page.html.contains("✓ 阶段 起步"), "{}", page.html);
    assert!(page.html.contains("未参加"), "{}", page.html);
    assert!(page.html.contains("challenges/spend/join"), "{}", page.html);
    // Without the page's CSRF token, nothing is joined.
    let refused = member.post(&app, "challenges/spend/join", &[]).await;
    assert_ne!(refused.status, StatusCode::OK, "{}", refused.html);
    let csrf = field(&page.html, "csrf");
    let joined = member
        .post(&app, "challenges/spend/join", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.html);
    assert!(
        joined.html.contains("id=\"challenge-result\""),
        "{}",
        joined.html
    );
    assert!(
        !joined.html.contains("challenges/spend/join"),
        "{}",
        joined.html
    );
    let mine = app.get("/v1/members/m1/challenges").await.body;
    let spend = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["challenge"] == "spend")
        .unwrap()
        .clone();
    assert_eq!(spend["status"], "in_progress", "{mine}");
}
