//! The member portal's badge wall and the public share page of an earned badge, over HTTP on
//! SQLite and PostgreSQL: the wall lists what the member earned with links to the share pages
//! and the progress towards the next level; the share page needs no session, carries Open Graph
//! tags with absolute addresses and a QR code of its own address, and shows nothing private.

mod common;

use common::portal::{enter, open};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    the_wall_links_each_earned_badge_to_its_share_page => super::the_wall_links_each_earned_badge_to_its_share_page;
}

async fn the_wall_links_each_earned_badge_to_its_share_page(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "林小雨", "phone": "+8613800000001"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put(
            "/v1/badges/regular",
            json!({"name": "打卡达人", "description": "Check in twice, then five times",
            "levels": [
                {"name": "铜", "progress": "member.counts.check_in", "target": 2},
                {"name": "银", "progress": "member.counts.check_in", "target": 5}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let r = app
        .client
        .put(format!("{}/v1/badges/regular/image", app.base))
        .bearer_auth(&app.key)
        .header("content-type", "image/gif")
        .body(gif.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let image_url = r.json::<serde_json::Value>().await.unwrap()["image_url"]
        .as_str()
        .unwrap()
        .to_owned();

    let member = enter(&app, "m1", json!({})).await;
    let home = member.get(&app, "").await;
    assert!(home.html.contains("id=\"badges-link\""), "{}", home.html);
    let wall = member.get(&app, "badges").await;
    assert_eq!(wall.status, StatusCode::OK, "{}", wall.html);
    assert!(wall.html.contains("id=\"no-badges\""), "{}", wall.html);
    assert!(wall.html.contains("0 / 2"), "progress shown: {}", wall.html);

    for id in ["c1", "c2"] {
        app.behaviour(id, "check_in", "m1", json!({})).await;
    }
    let wall = member.get(&app, "badges").await;
    assert!(wall.html.contains("打卡达人"), "{}", wall.html);
    assert!(wall.html.contains("2 / 5"), "{}", wall.html);
    let mine = app.get("/v1/members/m1/badges").await;
    let share = mine.body["earned"][0]["share_path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        wall.html.contains(&format!("href=\"{share}\"")),
        "{}",
        wall.html
    );

    // The share page opens without a session and shows nothing private.
    let page = open(&app, &share, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in ["打卡达人", "铜", "og:title", "og:image", "<svg", &image_url] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    let absolute = format!("content=\"{}{share}\"", app.base);
    assert!(page.html.contains(&absolute), "og:url: {}", page.html);
    let og_image = format!("content=\"{}{image_url}\"", app.base);
    assert!(page.html.contains(&og_image), "og:image: {}", page.html);
    for private in ["林小雨", "m1", "13800000001"] {
        assert!(!page.html.contains(private), "{private}: {}", page.html);
    }
    let page = open(&app, &format!("{share}?lang=en"), None).await;
    assert!(page.html.contains("Earned on"), "{}", page.html);

    // An unknown token, or another program's address, finds nothing.
    let token = share.rsplit('/').next().unwrap();
    let page = open(
        &app,
        &format!("/portal/{}/badges/nope", app.program_id),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = open(&app, &format!("/portal/other/badges/{token}"), None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}
