//! The console's tiers page, signed in over HTTP, on SQLite and PostgreSQL: the tier policy saved
//! as JSON and through its fields (a bad threshold shown at its field, with nothing changed), the
//! distribution of members, a re-evaluation job followed to its end, and the roles that may not
//! change tiers refused.

mod common;

use common::console::{BROWSER_PASSWORD as PASSWORD, Browser, browser_operator as operator, owner};
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    tier_policy_distribution_and_jobs => super::tier_policy_distribution_and_jobs;
    only_owner_and_marketer_change_tiers => super::only_owner_and_marketer_change_tiers;
}

fn policy() -> String {
    json!({
        "basis": {"kind": "points_earned", "window": {"kind": "rolling_days", "days": 365}},
        "tiers": [
            {"id": "silver", "name": "Silver", "threshold": 0},
            {"id": "gold", "name": "Gold", "threshold": 100}
        ],
        "requalification": {"kind": "after_upgrade", "days": 365},
        "grace_days": 30
    })
    .to_string()
}

/// Polls the job's partial until it says done; the last partial.
async fn wait_done(browser: &Browser, id: &str) -> String {
    for _ in 0..200 {
        let (status, part) = browser.get(&format!("/console/tiers/jobs/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{part}");
        if part.contains("job-done") {
            return part;
        }
        assert!(
            part.contains("hx-trigger=\"every 1s\""),
            "a running job polls: {part}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {id} did not finish");
}

/// Polls the closest-to-the-next-tier partial until its pass has finished.
async fn wait_closest(browser: &Browser) -> String {
    for _ in 0..200 {
        let (status, part) = browser.get("/console/tiers/closest").await;
        assert_eq!(status, StatusCode::OK, "{part}");
        if !part.contains("hx-trigger") {
            assert!(!part.contains("role=\"alert\""), "the pass failed: {part}");
            return part;
        }
        assert!(
            part.contains("closest-read"),
            "a running pass shows how far it is: {part}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the closest list was not computed");
}

async fn tier_policy_distribution_and_jobs(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let boss = owner(&app).await;
    let (status, page) = boss.get("/console/tiers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("no tier policy yet"), "{page}");
    // Members first: one with 200 points, one with 50.
    for (m, amount) in [("anna", 20_000), ("bo", 5_000)] {
        app.member(m).await;
        let r = app
            .purchase(&format!("p-{m}"), m, &format!("o-{m}"), amount)
            .await;
        assert!(r.status.is_success(), "{r:?}");
    }
    // The whole policy as JSON.
    let (status, page) = boss
        .post(
            "/console/tiers/policy",
            &[("mode", "raw"), ("raw", &policy())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Saved."), "{page}");
    assert_eq!(
        app.get("/v1/tier-policy").await.body["policy"]["tiers"][1]["threshold"],
        100
    );
    // The change started a re-evaluation, shown with its progress.
    let id = page
        .split("id=\"job-")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the policy's job")
        .to_owned();
    let done = wait_done(&boss, &id).await;
    assert!(done.contains("2 / 2"), "{done}");
    assert!(
        !done.contains("hx-trigger"),
        "a finished job stops polling: {done}"
    );
    // The distribution, as a chart for browsers and a table for everyone.
    let (_, page) = boss.get("/console/tiers").await;
    assert!(page.contains("/console/assets/echarts-6.1.0.min.js"));
    assert!(page.contains("data-tier=\"silver\">1<"), "{page}");
    assert!(page.contains("data-tier=\"gold\">1<"), "{page}");
    assert!(page.contains("hx-get=\"/console/history/tier_policy/"));
    // Closest to the next tier: bo (50 points) misses 50 for Gold. The list is computed in the
    // background; the partial polls until it is there.
    let part = wait_closest(&boss).await;
    assert!(part.contains("data-missing=\"bo\">50<"), "{part}");
    assert!(
        !part.contains("data-missing=\"anna\""),
        "anna holds the top tier: {part}"
    );
    let (_, page) = boss.get("/console/tiers?closest=1").await;
    assert!(
        page.contains("data-missing=\"bo\">50<"),
        "without JavaScript: {page}"
    );
    // The page reads the count the background job takes, not the standings themselves: bo's
    // upgrade shows after the job's next pass.
    let r = app.purchase("p-bo-2", "bo", "o-bo-2", 10_000).await;
    assert!(r.status.is_success(), "{r:?}");
    let standing = app.get("/v1/members/bo/tiers").await.body;
    assert_eq!(standing["standing"]["tier"]["id"], "gold", "{standing}");
    let (_, page) = boss.get("/console/tiers").await;
    assert!(page.contains("data-tier=\"gold\">1<"), "{page}");
    jifen_server::console::dashboard::fold_all(&app.state)
        .await
        .expect("the job's pass");
    let (_, page) = boss.get("/console/tiers").await;
    assert!(page.contains("data-tier=\"gold\">2<"), "{page}");
    assert!(page.contains("data-tier=\"silver\">0<"), "{page}");
    assert!(page.contains("Counted at"), "{page}");
    // A bad threshold: the API's error at the field, and nothing changes.
    let before = app.get("/v1/tier-policy").await.body;
    let (_, page) = boss
        .post(
            "/console/tiers/policy",
            &[
                ("name_0", "Silver"),
                ("threshold_0", "0"),
                ("name_1", "Gold"),
                ("threshold_1", "0"),
                ("requal_days", "365"),
                ("grace_days", "30"),
            ],
        )
        .await;
    assert!(page.contains("id=\"error-threshold_1\""), "{page}");
    assert_eq!(app.get("/v1/tier-policy").await.body, before);
    // Through the fields.
    let (_, page) = boss
        .post(
            "/console/tiers/policy",
            &[
                ("name_0", "Silver"),
                ("threshold_0", "0"),
                ("name_1", "金卡"),
                ("threshold_1", "300"),
                ("requal_days", "180"),
                ("grace_days", "7"),
            ],
        )
        .await;
    assert!(page.contains("Saved."), "{page}");
    let p = app.get("/v1/tier-policy").await.body["policy"].clone();
    assert_eq!(p["tiers"][1]["name"], "金卡");
    assert_eq!(p["tiers"][1]["threshold"], 300);
    assert_eq!(p["requalification"]["days"], 180);
    assert_eq!(p["grace_days"], 7);
    // A job started by hand, followed to its end (without JavaScript: a redirect to the page).
    let (status, _) = boss.post("/console/tiers/jobs", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let jobs = boss.get("/console/tiers").await.1;
    let id = jobs
        .split("id=\"job-requested-")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|r| format!("requested-{r}"));
    // The redirect names the job; a finished one may already be gone from the running list.
    if let Some(id) = id {
        wait_done(&boss, &id).await;
    }
    // The settings page carries no chart library.
    let (_, settings) = boss.get("/console/settings").await;
    assert!(!settings.contains("echarts"));
}

async fn only_owner_and_marketer_change_tiers(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put("/v1/tier-policy", serde_json::from_str(&policy()).unwrap())
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let before = app.get("/v1/tier-policy").await.body["policy"].clone();
    for (i, role) in [Role::Support, Role::Viewer].into_iter().enumerate() {
        let email = format!("op{i}@shop.cn");
        operator(&app, &email, role).await;
        let browser = Browser::sign_in(&app, &email, PASSWORD).await;
        let (status, page) = browser.get("/console/tiers").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.contains("action=\"/console/tiers/jobs\""),
            "{role}: no controls"
        );
        for (path, form) in [
            (
                "/console/tiers/policy",
                vec![("mode", "raw"), ("raw", "{}")],
            ),
            ("/console/tiers/jobs", vec![]),
        ] {
            let (status, _) = browser.post(path, &form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} POST {path}");
        }
    }
    assert_eq!(app.get("/v1/tier-policy").await.body["policy"], before);
    operator(&app, "mk@shop.cn", Role::Marketer).await;
    let marketer = Browser::sign_in(&app, "mk@shop.cn", PASSWORD).await;
    let (status, _) = marketer.post("/console/tiers/jobs", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
