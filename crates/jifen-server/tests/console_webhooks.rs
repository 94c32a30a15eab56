//! The console's webhooks pages, signed in over HTTP, on SQLite and PostgreSQL, with a real
//! receiver: an endpoint added through the form (its secret shown once), a refused URL shown
//! with its field and nothing saved, the endpoint's recent deliveries with status, response
//! code and latency, a replay, a rotation showing the new secret, disabling and enabling, and
//! the roles that may not change webhooks refused.

mod common;

use chrono::Utc;
use common::console::{BROWSER_PASSWORD as PASSWORD, Browser, browser_operator as operator, owner};
use common::receiver::Receiver;
use common::{TestApp, TestBackend};
use jifen_server::webhooks::WebhookSettings;
use jifen_server::webhooks::deliver::{Sender, deliver_batch};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    endpoints_are_added_watched_and_replayed => super::endpoints_are_added_watched_and_replayed;
    only_owners_change_webhooks => super::only_owners_change_webhooks;
}

async fn spawn(b: TestBackend) -> TestApp {
    let now = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    TestApp::spawn_for_webhooks(b, now).await
}

async fn deliver(app: &TestApp) {
    let s = WebhookSettings {
        allow_private_targets: true,
        ..WebhookSettings::default()
    };
    let sender = Sender::new(&s).expect("sender");
    while deliver_batch(&app.state.store, &app.state.clock, &sender, &s)
        .await
        .unwrap()
        > 0
    {}
}

async fn endpoints_are_added_watched_and_replayed(b: TestBackend) {
    let app = spawn(b).await;
    let receiver = Receiver::start().await;
    let browser = owner(&app).await;
    let (status, page) = browser.get("/console/webhooks").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"webhooks-none\""), "{page}");
    assert!(
        page.contains("href=\"/console/webhooks\""),
        "in the navigation"
    );

    // A refused URL: the API's refusal at its field, what was typed kept, nothing saved.
    let (status, page) = browser
        .post(
            "/console/webhooks",
            &[
                ("url", "ftp://nope"),
                ("description", "CRM"),
                ("kind", "member.enrolled"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"error-webhook\""), "{page}");
    assert!(page.contains("<code>url</code>"), "{page}");
    assert!(page.contains("value=\"member.enrolled\" checked"), "{page}");
    assert_eq!(
        app.get("/v1/webhooks/endpoints").await.body["data"],
        json!([])
    );

    let (status, page) = browser
        .post(
            "/console/webhooks",
            &[
                ("url", receiver.url.as_str()),
                ("description", "CRM 同步"),
                ("kind", "member.enrolled"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("id=\"error-webhook\""), "{page}");
    let saved = app.get("/v1/webhooks/endpoints").await.body["data"][0].clone();
    let id = saved["id"].as_str().unwrap().to_owned();
    assert_eq!(saved["kinds"], json!(["member.enrolled"]));
    let secret = page
        .split("id=\"secret-value\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("whsec_"), "{page}");
    receiver.trust(&secret);
    let (_, page) = browser.get("/console/webhooks").await;
    assert!(!page.contains(&secret), "the secret is shown once");
    assert!(
        page.contains(&format!("href=\"/console/webhooks/{id}\"")),
        "{page}"
    );

    // Deliveries: one failed attempt, then the replay from the page.
    receiver.answer(503);
    app.member("m1").await;
    deliver(&app).await;
    let path = format!("/console/webhooks/{id}");
    let (status, page) = browser.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-status=\"pending\""), "{page}");
    assert!(page.contains(">503<"), "the response code: {page}");
    assert!(page.contains(" ms<"), "the latency: {page}");
    let message = app.get("/v1/webhooks/messages").await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    receiver.answer(200);
    let (status, page) = browser
        .post(
            &format!("{path}/replay"),
            &[("message_id", message.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    deliver(&app).await;
    let (_, page) = browser.get(&path).await;
    assert!(page.contains("data-status=\"delivered\""), "{page}");
    assert!(page.contains(">200<"), "{page}");
    assert_eq!(receiver.counts()[&message], 1);

    // Rotation shows the new secret once; disabling and enabling.
    let (_, page) = browser.post(&format!("{path}/rotate"), &[]).await;
    let rotated = page
        .split("id=\"secret-value\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    assert!(rotated.starts_with("whsec_") && rotated != secret, "{page}");
    let (_, page) = browser
        .post(&format!("{path}/enabled"), &[("enabled", "false")])
        .await;
    assert!(page.contains("data-state=\"disabled\""), "{page}");
    assert_eq!(
        app.get(&format!("/v1/webhooks/endpoints/{id}")).await.body["enabled"],
        false
    );
    let (_, page) = browser
        .post(&format!("{path}/enabled"), &[("enabled", "true")])
        .await;
    assert!(page.contains("data-state=\"enabled\""), "{page}");
}

async fn only_owners_change_webhooks(b: TestBackend) {
    let app = spawn(b).await;
    let receiver = Receiver::start().await;
    operator(&app, "mk@brand.cn", Role::Marketer).await;
    let marketer = Browser::sign_in(&app, "mk@brand.cn", PASSWORD).await;
    let (status, page) = marketer.get("/console/webhooks").await;
    assert_eq!(status, StatusCode::OK, "a marketer reads the page");
    assert!(!page.contains("id=\"add-endpoint\""), "{page}");
    let (status, _) = marketer
        .post("/console/webhooks", &[("url", receiver.url.as_str())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/v1/webhooks/endpoints").await.body["data"],
        json!([])
    );
}
