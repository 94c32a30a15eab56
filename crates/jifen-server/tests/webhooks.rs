//! Webhooks end to end, on both backends, with a real HTTP receiver the test starts: endpoints
//! and their validation (SSRF refusals included), messages written in the same transaction as
//! their cause (and nothing when it rolls back), signed deliveries a receiver verifies with its
//! own HMAC, retries on the schedule until failed, replays, secret rotation with both
//! signatures, endpoint health, refusals at send time, and claims two workers never share
//! (with the attempts of a lapsed claim recorded after the others, changing no delivery).

mod common;

use std::collections::HashSet;

use chrono::{Duration, Utc};
use common::receiver::{Receiver, expected_signature};
use common::{TestApp, TestBackend};
use jifen_server::webhooks::WebhookSettings;
use jifen_server::webhooks::deliver::{Sender, deliver_batch, disable_failing};
use jifen_store::webhooks::{AttemptOutcome, AttemptRecord, ClaimedDelivery};
use jifen_store::{NewWebhookMessage, Notification};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    endpoints_are_kept_and_checked => super::endpoints_are_kept_and_checked;
    private_targets_are_refused_unless_allowed => super::private_targets_are_refused_unless_allowed;
    messages_follow_their_causes => super::messages_follow_their_causes;
    every_cause_writes_its_kind => super::every_cause_writes_its_kind;
    a_rolled_back_cause_writes_no_message => super::a_rolled_back_cause_writes_no_message;
    deliveries_are_signed_retried_and_recorded => super::deliveries_are_signed_retried_and_recorded;
    retries_end_in_failed_and_replay_sends_again => super::retries_end_in_failed_and_replay_sends_again;
    rotation_signs_with_both_secrets_during_the_overlap => super::rotation_signs_with_both_secrets_during_the_overlap;
    failing_endpoints_are_disabled_with_a_notice => super::failing_endpoints_are_disabled_with_a_notice;
    private_targets_are_refused_at_send_time => super::private_targets_are_refused_at_send_time;
    concurrent_workers_never_share_a_claim => super::concurrent_workers_never_share_a_claim;
    expiring_points_are_announced_once_per_day => super::expiring_points_are_announced_once_per_day;
    each_endpoint_gets_at_most_its_share_in_flight => super::each_endpoint_gets_at_most_its_share_in_flight;
}

fn settings() -> WebhookSettings {
    WebhookSettings {
        allow_private_targets: true,
        timeout_seconds: 5,
        ..WebhookSettings::default()
    }
}

async fn spawn(backend: TestBackend) -> TestApp {
    // Near the real time: receivers' libraries check `webhook-timestamp` against their clock.
    let now = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    TestApp::spawn_for_webhooks(backend, now).await
}

impl TestApp {
    async fn endpoint(&self, url: &str, kinds: Value) -> Value {
        let r = self
            .post(
                "/v1/webhooks/endpoints",
                json!({"url": url, "description": "test receiver", "kinds": kinds}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        r.body
    }

    async fn enroll(&self, id: &str) {
        let r = self.put(&format!("/v1/members/{id}"), json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    }

    async fn messages(&self) -> Vec<Value> {
        let r = self.get("/v1/webhooks/messages?limit=200").await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body["data"].as_array().unwrap().clone()
    }

    async fn message(&self, id: &str) -> Value {
        let r = self.get(&format!("/v1/webhooks/messages/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        r.body
    }

    /// Runs delivery batches until nothing is due now.
    async fn deliver(&self, settings: &WebhookSettings) -> usize {
        let sender = Sender::new(settings).expect("sender");
        let mut total = 0;
        loop {
            let n = deliver_batch(&self.state.store, &self.state.clock, &sender, settings)
                .await
                .expect("deliver");
            if n == 0 {
                return total;
            }
            total += n;
        }
    }
}

async fn endpoints_are_kept_and_checked(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    let created = app
        .endpoint(&receiver.url, json!(["points.earned", "member.enrolled"]))
        .await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("ep_"), "{created}");
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{created}");
    assert_eq!(
        created["kinds"],
        json!(["member.enrolled", "points.earned"])
    );
    assert_eq!(created["enabled"], true);

    let shown = app.get(&format!("/v1/webhooks/endpoints/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.get("secret").is_none(),
        "the secret is shown once: {}",
        shown.body
    );
    let listed = app.get("/v1/webhooks/endpoints").await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);

    // Bad input is refused with the field at fault and changes nothing.
    for (body, field) in [
        (json!({"url": "ftp://example.com/"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (json!({"url": "https://u:p@example.com/"}), "url"),
        (
            json!({"url": receiver.url, "kinds": ["points.spent"]}),
            "kinds[0]",
        ),
        (
            json!({"url": receiver.url, "description": "x".repeat(501)}),
            "description",
        ),
    ] {
        let r = app.post("/v1/webhooks/endpoints", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.code(), "invalid_request");
        assert_eq!(r.body["error"]["field"], field, "{r:?}");
    }
    let r = app
        .post(
            "/v1/webhooks/endpoints",
            json!({"url": receiver.url, "extra": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app
        .patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            json!({"kinds": ["nope"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let listed = app.get("/v1/webhooks/endpoints").await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        listed.body["data"][0]["kinds"],
        json!(["member.enrolled", "points.earned"])
    );

    // A change; an empty list subscribes to every kind.
    let r = app
        .patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            json!({"kinds": [], "description": "all of it", "enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["kinds"], json!([]));
    assert_eq!(r.body["enabled"], false);
    assert_eq!(r.body["description"], "all of it");

    // Unknown ids; another program's endpoints are not this one's.
    let r = app.get("/v1/webhooks/endpoints/ep_nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "webhook_endpoint_not_found");
    let other = app.other_program_key().await;
    let r = app
        .send_as(
            Some(&other),
            reqwest::Method::GET,
            &format!("/v1/webhooks/endpoints/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/v1/webhooks/messages/msg_nope").await;
    assert_eq!(r.code(), "webhook_message_not_found");
    let r = app.get("/v1/webhooks/messages?after=bogus").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = app.delete(&format!("/v1/webhooks/endpoints/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.delete(&format!("/v1/webhooks/endpoints/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn private_targets_are_refused_unless_allowed(backend: TestBackend) {
    // The default server: private targets refused.
    let app = TestApp::spawn(backend).await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "http://localhost/hooks",
        "http://10.0.0.8/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ] {
        let r = app
            .post("/v1/webhooks/endpoints", json!({"url": url}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {r:?}");
        assert_eq!(r.body["error"]["field"], "url");
        let m = r.body["error"]["message"].as_str().unwrap();
        assert!(m.contains("allow_private_targets"), "{m}");
    }
    assert_eq!(
        app.get("/v1/webhooks/endpoints").await.body["data"],
        json!([])
    );
}

async fn messages_follow_their_causes(backend: TestBackend) {
    let app = spawn(backend).await;
    // No endpoint yet: causes write no message.
    app.enroll("before").await;
    assert!(app.messages().await.is_empty());

    let receiver = Receiver::start().await;
    let all = app.endpoint(&receiver.url, json!([])).await;
    let _earned_only = app.endpoint(&receiver.url, json!(["points.earned"])).await;
    app.enroll("m-1").await;
    let r = app.purchase("e-1", "m-1", "o-1", 10_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    let messages = app.messages().await;
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"member.enrolled"), "{kinds:?}");
    assert!(kinds.contains(&"points.earned"), "{kinds:?}");
    let enrolled = messages
        .iter()
        .find(|m| m["kind"] == "member.enrolled")
        .unwrap();
    assert_eq!(enrolled["data"]["member"], "m-1");
    let earned = messages
        .iter()
        .find(|m| m["kind"] == "points.earned")
        .unwrap();
    assert_eq!(earned["data"]["member"], "m-1");
    assert!(earned["data"]["points"].as_i64().unwrap() > 0, "{earned}");
    assert_eq!(earned["data"]["cause"]["id"], "e-1");

    // Fan-out: the enrolment went to the endpoint of every kind only; the points to both.
    let one = app.message(enrolled["id"].as_str().unwrap()).await;
    let to: Vec<&str> = one["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["endpoint_id"].as_str().unwrap())
        .collect();
    assert_eq!(to, [all["id"].as_str().unwrap()]);
    let two = app.message(earned["id"].as_str().unwrap()).await;
    assert_eq!(two["deliveries"].as_array().unwrap().len(), 2, "{two}");
    assert_eq!(two["deliveries"][0]["status"], "pending");

    // Every row of the notification outbox is a `notification` message.
    let head = app
        .state
        .store
        .member_head(&app.program_id, "m-1")
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.state.store.begin_write().await.unwrap();
    tx.insert_notifications(&[Notification {
        program_id: app.program_id.clone(),
        member_id: head.id,
        template: "points_expiring".into(),
        rule_id: String::new(),
        event_id: "reminder:2026-06-30".into(),
        created_at: app.now(),
        recipient: None,
        payload: Some(json!({"points": 120}).to_string()),
    }])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let messages = app.messages().await;
    let n = messages
        .iter()
        .find(|m| m["kind"] == "notification")
        .unwrap();
    assert_eq!(n["data"]["kind"], "points_expiring");
    assert_eq!(n["data"]["member"], "m-1");
    assert_eq!(n["data"]["payload"]["points"], 120);

    // A disabled endpoint receives nothing new.
    let id = all["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/v1/webhooks/endpoints/{id}"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let before = app.messages().await.len();
    app.enroll("m-2").await;
    assert_eq!(app.messages().await.len(), before, "nobody subscribes now");

    // Pagination: newest first, `next` leads to the rest.
    let r = app.get("/v1/webhooks/messages?limit=1").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    let next = r.body["next"].as_str().unwrap();
    let r2 = app
        .get(&format!("/v1/webhooks/messages?limit=200&after={next}"))
        .await;
    assert_eq!(r2.body["data"].as_array().unwrap().len(), before - 1);
}

async fn a_rolled_back_cause_writes_no_message(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    app.endpoint(&receiver.url, json!([])).await;
    let store = &app.state.store;
    let mut tx = store.begin_write().await.unwrap();
    let (member, created) = tx
        .upsert_member(
            &app.program_id,
            &jifen_store::MemberPatch {
                external_id: "ghost".into(),
                at: app.now(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(created);
    tx.insert_notifications(&[Notification {
        program_id: app.program_id.clone(),
        member_id: member.id,
        template: "hello".into(),
        rule_id: String::new(),
        event_id: "x".into(),
        created_at: app.now(),
        recipient: None,
        payload: None,
    }])
    .await
    .unwrap();
    let written = tx
        .enqueue_webhooks(
            &app.program_id,
            &[NewWebhookMessage::new(
                "checkout.confirmed",
                &json!({}),
                app.now(),
            )],
        )
        .await
        .unwrap();
    assert_eq!(written, 1, "the endpoint takes every kind");
    drop(tx); // rolled back
    assert!(app.messages().await.is_empty());
    assert_eq!(app.deliver(&settings()).await, 0);
    assert!(receiver.received().is_empty());
    assert_eq!(
        app.get("/v1/members/ghost").await.status,
        StatusCode::NOT_FOUND
    );

    // The same, committed, writes them.
    let mut tx = store.begin_write().await.unwrap();
    tx.enqueue_webhooks(
        &app.program_id,
        &[NewWebhookMessage::new(
            "checkout.confirmed",
            &json!({}),
            app.now(),
        )],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.messages().await.len(), 1);
}

/// The one delivery of a message (to a single endpoint).
async fn delivery(app: &TestApp, message_id: &str) -> Value {
    let m = app.message(message_id).await;
    m["deliveries"][0].clone()
}

async fn deliveries_are_signed_retried_and_recorded(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    let ep = app
        .endpoint(&receiver.url, json!(["member.enrolled"]))
        .await;
    receiver.trust(ep["secret"].as_str().unwrap());
    receiver.fail_next(2);
    app.enroll("m-1").await;
    let id = app.messages().await[0]["id"].as_str().unwrap().to_owned();
    let s = settings();

    assert_eq!(app.deliver(&s).await, 1);
    let d = delivery(&app, &id).await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], 500);
    assert!(
        d["last_error"].as_str().unwrap().starts_with("HTTP 500"),
        "{d}"
    );
    // Not due again before its retry (5 s ± 20 %).
    assert_eq!(app.deliver(&s).await, 0);
    app.advance(Duration::seconds(7));
    assert_eq!(app.deliver(&s).await, 1);
    assert_eq!(delivery(&app, &id).await["attempts"], 2);
    app.advance(Duration::seconds(40));
    assert_eq!(app.deliver(&s).await, 1);
    let d = delivery(&app, &id).await;
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["last_status_code"], 200);
    let log = d["attempt_log"].as_array().unwrap();
    assert_eq!(
        log.iter()
            .map(|a| a["status_code"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [500, 500, 200]
    );
    assert!(log.iter().all(|a| a["latency_ms"].as_i64().unwrap() >= 0));
    assert_eq!(app.deliver(&s).await, 0, "delivered is done");

    // What the receiver got: the message's id, a signature its own HMAC computation checks,
    // and the same body at every attempt.
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    for r in &got {
        assert_eq!(r.id, id);
        assert_eq!(r.verified, 1, "{r:?}");
        assert_eq!(
            r.signature,
            expected_signature(ep["secret"].as_str().unwrap(), &r.id, &r.timestamp, &r.body)
        );
        assert_eq!(r.body, got[0].body);
    }
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["type"], "member.enrolled");
    assert_eq!(body["data"]["member"], "m-1");
    assert!(body["timestamp"].as_str().is_some());
    assert_eq!(receiver.counts()[&id], 1);

    // The endpoint's deliveries, by status.
    let eid = ep["id"].as_str().unwrap();
    let r = app
        .get(&format!(
            "/v1/webhooks/endpoints/{eid}/deliveries?status=delivered"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"][0]["message_id"], id.as_str());
    let r = app
        .get(&format!(
            "/v1/webhooks/endpoints/{eid}/deliveries?status=failed"
        ))
        .await;
    assert_eq!(r.body["data"], json!([]));
    let r = app
        .get(&format!(
            "/v1/webhooks/endpoints/{eid}/deliveries?status=lost"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .get(&format!("/v1/webhooks/endpoints/{eid}/deliveries?limit=0"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn retries_end_in_failed_and_replay_sends_again(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    let ep = app
        .endpoint(&receiver.url, json!(["member.enrolled"]))
        .await;
    receiver.trust(ep["secret"].as_str().unwrap());
    receiver.answer(503);
    let start = app.now();
    app.enroll("m-1").await;
    app.enroll("m-2").await;
    let s = settings();
    // Follow the schedule: each retry comes when due, until three days have passed.
    let mut rounds = 0;
    while app.now() < start + Duration::days(4) {
        app.deliver(&s).await;
        app.advance(Duration::minutes(30));
        rounds += 1;
    }
    assert!(rounds > 100);
    let messages = app.messages().await;
    for m in &messages {
        let d = delivery(&app, m["id"].as_str().unwrap()).await;
        assert_eq!(d["status"], "failed", "{d}");
        let attempts = d["attempts"].as_i64().unwrap();
        assert!((10..=20).contains(&attempts), "{d}");
        let log = d["attempt_log"].as_array().unwrap();
        assert_eq!(log.len() as i64, attempts);
        let last =
            chrono::DateTime::parse_from_rfc3339(log.last().unwrap()["at"].as_str().unwrap())
                .unwrap();
        assert!(last.with_timezone(&Utc) <= start + Duration::days(3) + Duration::minutes(31));
        assert!(
            last.with_timezone(&Utc) > start + Duration::days(2),
            "retried for days"
        );
    }
    assert_eq!(
        app.deliver(&s).await,
        0,
        "failed deliveries wait for a replay"
    );

    // Replay one message, then every failed one since the start.
    receiver.answer(200);
    let first = messages[0]["id"].as_str().unwrap();
    let r = app
        .post(&format!("/v1/webhooks/messages/{first}/replay"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    assert_eq!(r.body["replayed"], 1);
    assert_eq!(app.deliver(&s).await, 1);
    assert_eq!(delivery(&app, first).await["status"], "delivered");
    let r = app
        .post(
            "/v1/webhooks/replay-failed",
            json!({"since": (start - Duration::minutes(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    assert_eq!(r.body["replayed"], 1, "only the one still failed");
    assert_eq!(app.deliver(&s).await, 1);
    for m in &messages {
        let d = delivery(&app, m["id"].as_str().unwrap()).await;
        assert_eq!(d["status"], "delivered", "{d}");
    }
    let r = app
        .post("/v1/webhooks/replay-failed", json!({"since": "yesterday"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post("/v1/webhooks/messages/msg_nope/replay", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn rotation_signs_with_both_secrets_during_the_overlap(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    let ep = app
        .endpoint(&receiver.url, json!(["member.enrolled"]))
        .await;
    let id = ep["id"].as_str().unwrap();
    let old = ep["secret"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/webhooks/endpoints/{id}/rotate-secret"),
            json!({"overlap_hours": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let new = r.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(r.body["previous_secret_until"].is_string(), "{r:?}");
    let r = app
        .post(
            &format!("/v1/webhooks/endpoints/{id}/rotate-secret"),
            json!({"overlap_hours": 1000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // During the overlap: two signatures, the new secret's and the old one's.
    receiver.trust(&old);
    app.enroll("m-1").await;
    app.deliver(&settings()).await;
    let got = receiver.received();
    let sigs: Vec<&str> = got[0].signature.split(' ').collect();
    assert_eq!(sigs.len(), 2, "{:?}", got[0]);
    assert_eq!(
        sigs[0],
        expected_signature(&new, &got[0].id, &got[0].timestamp, &got[0].body)
    );
    assert_eq!(
        sigs[1],
        expected_signature(&old, &got[0].id, &got[0].timestamp, &got[0].body)
    );

    // After it: the new secret's alone; a receiver that knows only the old one refuses.
    app.advance(Duration::hours(3));
    receiver.distrust_all();
    receiver.trust(&old);
    app.enroll("m-2").await;
    app.deliver(&settings()).await;
    let got = receiver.received();
    let last = got.last().unwrap();
    assert_eq!(last.signature.split(' ').count(), 1);
    assert_eq!(last.verified, 0, "the old secret no longer signs");
    receiver.trust(&new);
    app.advance(Duration::seconds(10));
    app.deliver(&settings()).await;
    assert_eq!(receiver.received().last().unwrap().verified, 1);
}

async fn failing_endpoints_are_disabled_with_a_notice(backend: TestBackend) {
    let app = spawn(backend).await;
    let broken = Receiver::start().await;
    let watcher = Receiver::start().await;
    let bad = app.endpoint(&broken.url, json!(["member.enrolled"])).await;
    let good = app
        .endpoint(&watcher.url, json!(["webhook.endpoint_disabled"]))
        .await;
    broken.answer(500);
    watcher.trust(good["secret"].as_str().unwrap());
    let s = WebhookSettings {
        disable_after_days: 2,
        ..settings()
    };
    app.enroll("m-1").await;
    app.deliver(&s).await;
    let shown = app
        .get(&format!(
            "/v1/webhooks/endpoints/{}",
            bad["id"].as_str().unwrap()
        ))
        .await;
    assert!(shown.body["failing_since"].is_string(), "{shown:?}");
    // One day of failures: not yet.
    app.advance(Duration::days(1));
    app.deliver(&s).await;
    assert!(
        disable_failing(&app.state.store, app.now(), &s)
            .await
            .unwrap()
            .is_empty()
    );
    app.advance(Duration::days(1) + Duration::hours(1));
    let disabled = disable_failing(&app.state.store, app.now(), &s)
        .await
        .unwrap();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].endpoint_id, bad["id"].as_str().unwrap());
    let shown = app
        .get(&format!(
            "/v1/webhooks/endpoints/{}",
            bad["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(shown.body["enabled"], false);
    assert_eq!(shown.body["disabled_reason"], "failing");
    // The notice goes to the endpoint that subscribes to it.
    app.deliver(&s).await;
    let notices = watcher.received();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].verified, 1);
    let body: Value = serde_json::from_str(&notices[0].body).unwrap();
    assert_eq!(body["type"], "webhook.endpoint_disabled");
    assert_eq!(body["data"]["endpoint_id"], bad["id"]);
    assert_eq!(body["data"]["reason"], "failing");
    // A disabled endpoint's pending deliveries wait; enabling it sends them.
    let tried = broken.received().len();
    app.advance(Duration::hours(13));
    app.deliver(&s).await;
    assert_eq!(
        broken.received().len(),
        tried,
        "nothing is sent to a disabled endpoint"
    );
    broken.answer(200);
    broken.trust(bad["secret"].as_str().unwrap());
    let r = app
        .patch(
            &format!("/v1/webhooks/endpoints/{}", bad["id"].as_str().unwrap()),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(r.body["disabled_reason"], Value::Null);
    assert_eq!(r.body["failing_since"], Value::Null);
    app.deliver(&s).await;
    assert_eq!(broken.counts().len(), 1);
}

async fn private_targets_are_refused_at_send_time(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    // Saved while private targets were allowed; sent by a worker that refuses them.
    let named = receiver.url.replace("127.0.0.1", "localhost");
    app.endpoint(&named, json!(["member.enrolled"])).await;
    app.endpoint(&receiver.url, json!(["member.enrolled"]))
        .await;
    app.enroll("m-1").await;
    let strict = WebhookSettings {
        allow_private_targets: false,
        ..settings()
    };
    assert_eq!(app.deliver(&strict).await, 2);
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
    let id = app.messages().await[0]["id"].as_str().unwrap().to_owned();
    let m = app.message(&id).await;
    for d in m["deliveries"].as_array().unwrap() {
        assert_eq!(d["status"], "pending");
        assert_eq!(d["last_status_code"], Value::Null);
        let e = d["last_error"].as_str().unwrap();
        assert!(e.contains("allow_private_targets"), "{e}");
    }
}

async fn concurrent_workers_never_share_a_claim(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    let endpoint = app
        .endpoint(&receiver.url, json!(["member.enrolled"]))
        .await;
    let patches: Vec<Value> = (0..120)
        .map(|n| json!({"external_id": format!("m-{n}")}))
        .collect();
    let r = app
        .post(
            "/v1/members/batch",
            json!({"id": "batch-1", "members": patches}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let store = app.state.store.clone();
    let now = app.now();
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for n in 0.. {
                let claim = format!("w{w}-{n}");
                let got = store
                    .claim_webhook_deliveries(now, now + Duration::minutes(1), &claim, 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|d| (d, claim.clone())));
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    let mut first = Vec::new();
    for t in tasks {
        for (d, claim) in t.await.unwrap() {
            assert!(seen.insert(d.message_id.clone()), "claimed twice");
            first.push((d, claim));
        }
    }
    assert_eq!(first.len(), 120);
    // Claimed deliveries are due again only when their lease ends.
    let again = store
        .claim_webhook_deliveries(now, now + Duration::minutes(1), "late", 500)
        .await
        .unwrap();
    assert!(again.is_empty());
    let later = now + Duration::minutes(2);
    let again = store
        .claim_webhook_deliveries(later, later + Duration::minutes(1), "late", 500)
        .await
        .unwrap();
    assert_eq!(again.len(), 120, "a dead worker's claims come back");

    // The second claim's attempts decide each delivery: the first half delivered, the rest
    // to be tried again in an hour.
    let record = |d: &ClaimedDelivery, claim: &str, at, outcome| AttemptRecord {
        message_id: d.message_id.clone(),
        endpoint_id: d.endpoint_id.clone(),
        program_id: d.program_id.clone(),
        claim: claim.to_owned(),
        at,
        status_code: Some(if outcome == AttemptOutcome::Delivered {
            204
        } else {
            503
        }),
        latency_ms: 3,
        error: (outcome != AttemptOutcome::Delivered).then(|| "HTTP 503".to_owned()),
        outcome,
    };
    let retry_at = later + Duration::hours(1);
    let records: Vec<AttemptRecord> = again
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let outcome = if i < 60 {
                AttemptOutcome::Delivered
            } else {
                AttemptOutcome::Retry(retry_at)
            };
            record(d, "late", later, outcome)
        })
        .collect();
    store.finish_webhook_attempts(&records).await.unwrap();
    // The dead worker's attempts come in afterwards: recorded after the others, changing
    // no delivery.
    let lapsed: Vec<AttemptRecord> = first
        .iter()
        .take(5)
        .map(|(d, claim)| record(d, claim, later, AttemptOutcome::Failed))
        .collect();
    store.finish_webhook_attempts(&lapsed).await.unwrap();
    let program = &app.program_id;
    for (i, d) in again.iter().enumerate() {
        let (_, deliveries) = store
            .webhook_message(program, &d.message_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(deliveries.len(), 1);
        let want = if i < 60 { "delivered" } else { "pending" };
        assert_eq!(deliveries[0].status, want, "{:?}", deliveries[0]);
        assert_eq!(deliveries[0].attempts, 1);
        let latest = if i < 60 { Some(204) } else { Some(503) };
        assert_eq!(deliveries[0].last_status, latest);
    }
    for (d, _) in first.iter().take(5) {
        let attempts = store
            .webhook_attempts(program, &d.message_id, &d.endpoint_id)
            .await
            .unwrap();
        let codes: Vec<(i64, Option<i64>)> = attempts
            .iter()
            .map(|a| (a.attempt, a.status_code))
            .collect();
        let late = again
            .iter()
            .position(|a| a.message_id == d.message_id)
            .unwrap();
        let second = if late < 60 { Some(204) } else { Some(503) };
        assert_eq!(codes, vec![(1, second), (2, Some(503))]);
    }
    // Successes then failures in one batch: failing since the first failure after the last
    // success (the lapsed failures came when it was failing already).
    let shown = app
        .get(&format!(
            "/v1/webhooks/endpoints/{}",
            endpoint["id"].as_str().unwrap()
        ))
        .await;
    let since: chrono::DateTime<Utc> = shown.body["failing_since"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(since.timestamp_micros(), later.timestamp_micros());
    // A success clears it.
    let due = store
        .claim_webhook_deliveries(retry_at, retry_at + Duration::minutes(1), "last", 500)
        .await
        .unwrap();
    assert_eq!(due.len(), 60);
    let done: Vec<AttemptRecord> = due
        .iter()
        .map(|d| record(d, "last", retry_at, AttemptOutcome::Delivered))
        .collect();
    store.finish_webhook_attempts(&done).await.unwrap();
    let shown = app
        .get(&format!(
            "/v1/webhooks/endpoints/{}",
            endpoint["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(shown.body["failing_since"], Value::Null, "{shown:?}");
}

/// Each kind's cause, through the API, on a program with tiers, vouchers and rewards.
async fn every_cause_writes_its_kind(backend: TestBackend) {
    let app =
        TestApp::spawn_template(backend, "alibaba-88", common::t("2026-12-10T02:00:00Z")).await;
    let now = app.now();
    // Saved through the store: this server refuses local targets, and no delivery is made.
    app.state
        .store
        .create_webhook_endpoint(
            &app.program_id,
            &jifen_store::WebhookEndpointRow {
                id: "ep_all".into(),
                url: "https://hooks.example.cn/jifen".into(),
                description: String::new(),
                kinds: Vec::new(),
                enabled: true,
                secret: jifen_server::webhooks::signing::new_secret(),
                previous_secret: None,
                previous_until: None,
                failing_since: None,
                disabled_reason: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await
        .unwrap();
    let ok = |r: common::Res| {
        assert!(r.status.is_success(), "{r:?}");
        r.body
    };
    ok(app.put("/v1/members/anna", json!({"name": "Anna"})).await);
    ok(app.purchase("p-1", "anna", "o-1", 300_000).await);
    ok(app
        .put(
            "/v1/members/anna/tier-override",
            json!({"tier": "apass", "reason": "goodwill",
                   "until": (now + Duration::days(10)).to_rfc3339()}),
        )
        .await);
    let issue = |id: &str| json!({"id": id, "template": "apass-welcome-50"});
    let v1 = ok(app.post("/v1/members/anna/vouchers", issue("v-1")).await)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let v2 = ok(app.post("/v1/members/anna/vouchers", issue("v-2")).await)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(app
        .put(
            "/v1/rewards/tumbler",
            json!({"kind": "physical", "title": {"en": "Tumbler"}, "cost": 100, "stock": 10}),
        )
        .await);
    ok(app
        .post(
            "/v1/members/anna/reward-redemptions",
            json!({"id": "rr-1", "reward_id": "tumbler"}),
        )
        .await);
    let cart = json!({"site": "tmall",
                      "lines": [{"sku": "tea", "category": "tea", "price": 40_000, "quantity": 1}]});
    ok(app
        .post(
            "/v1/checkout/redeem",
            json!({"id": "co-1", "member": "anna", "cart": cart, "vouchers": [v1]}),
        )
        .await);
    ok(app.post("/v1/checkout/co-1/confirm", json!({})).await);
    let token = ok(app
        .post(
            &format!("/v1/members/anna/vouchers/{v2}/gift"),
            json!({"id": "share-1"}),
        )
        .await)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(app
        .post(
            &format!("/v1/gifts/{token}/claim"),
            json!({"member": "ben"}),
        )
        .await);

    let messages = app.messages().await;
    let of = |kind: &str| -> Vec<Value> {
        messages
            .iter()
            .filter(|m| m["kind"] == kind)
            .map(|m| m["data"].clone())
            .collect()
    };
    assert!(of("member.enrolled").iter().any(|d| d["member"] == "anna"));
    assert!(
        of("member.enrolled").iter().any(|d| d["member"] == "ben"),
        "a claim's sign-up enrols"
    );
    assert!(
        of("points.earned")
            .iter()
            .any(|d| d["cause"]["id"] == "p-1")
    );
    let tiers = of("tier.changed");
    assert!(!tiers.is_empty(), "{messages:?}");
    assert!(tiers.iter().all(|d| d["member"] == "anna"), "{tiers:?}");
    assert!(tiers.iter().any(|d| d["to_tier"] == "apass"), "{tiers:?}");
    let vouchers = of("voucher.issued");
    assert!(
        vouchers
            .iter()
            .any(|d| d["code"] == v1.as_str() && d["member"] == "anna")
    );
    let redeemed = of("reward.redeemed");
    assert_eq!(redeemed.len(), 1, "{redeemed:?}");
    assert_eq!(redeemed[0]["redemption_id"], "rr-1");
    assert_eq!(redeemed[0]["reward_id"], "tumbler");
    let confirmed = of("checkout.confirmed");
    assert_eq!(confirmed.len(), 1, "{confirmed:?}");
    assert_eq!(confirmed[0]["checkout_id"], "co-1");
    assert_eq!(confirmed[0]["member"], "anna");
    let claimed = of("gift.claimed");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0]["code"], v2.as_str());
    assert_eq!(claimed[0]["sender"], "anna");
    assert_eq!(claimed[0]["recipient"], "ben");
    let notes = of("notification");
    assert!(
        notes.iter().any(|d| d["kind"] == "gift_claimed"),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|d| d["kind"] == "tier_override_set"),
        "{notes:?}"
    );
}

/// `points.expiring`: once per program-time day, one message per member and local day on which
/// some of their points expire within the window (7 days), each written once; a receiver gets
/// them signed like every other kind.
async fn expiring_points_are_announced_once_per_day(backend: TestBackend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start().await;
    let endpoint = app
        .endpoint(&receiver.url, json!(["points.expiring"]))
        .await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 10}}))
        .await;
    app.enroll("anna").await;
    app.enroll("ben").await;
    assert_eq!(
        app.adjust("anna", "a-1", 100).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.adjust("anna", "a-2", 50).await.status,
        StatusCode::CREATED
    );
    let jobs = || async {
        jifen_server::jobs::run_once(&app.state)
            .await
            .expect("jobs")
            .expiring_messages
    };
    // Ten days ahead is outside the window: nothing yet.
    assert_eq!(jobs().await, 0);
    assert!(app.messages().await.is_empty());
    // Four days later, anna's 150 points expire within seven days: one message for the day.
    app.advance(Duration::days(4));
    assert_eq!(jobs().await, 1);
    // A second pass the same day, and the next day, write nothing new.
    assert_eq!(jobs().await, 0);
    app.advance(Duration::days(1));
    assert_eq!(
        app.adjust("ben", "b-1", 30).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        jobs().await,
        0,
        "the day anna's points expire was announced already"
    );
    let messages = app.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let data = &messages[0]["data"];
    assert_eq!(messages[0]["kind"], "points.expiring");
    assert_eq!(
        (&data["member"], &data["points"], &data["available"]),
        (&json!("anna"), &json!(150), &json!(150))
    );
    assert!(
        data["expires_on"].is_string() && data["expires_at"].is_string(),
        "{data}"
    );
    // The receiver gets it, signed.
    assert!(app.deliver(&settings()).await >= 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, messages[0]["id"].as_str().unwrap());
    assert_eq!(
        got[0].signature,
        expected_signature(
            endpoint["secret"].as_str().unwrap(),
            &got[0].id,
            &got[0].timestamp,
            &got[0].body,
        )
    );
    // Ben's points come within the window four days after they were given.
    app.advance(Duration::days(3));
    assert_eq!(jobs().await, 1);
    let ben: Vec<Value> = app
        .messages()
        .await
        .into_iter()
        .filter(|m| m["data"]["member"] == "ben")
        .collect();
    assert_eq!(ben.len(), 1, "{ben:?}");
    assert_eq!(ben[0]["data"]["points"], 30);
}

/// `webhooks.per_endpoint`: a node never has more requests in flight to one endpoint than
/// that, whatever its loops' concurrency; every delivery still arrives.
async fn each_endpoint_gets_at_most_its_share_in_flight(backend: TestBackend) {
    let app = spawn(backend).await;
    let (slow, fast) = (Receiver::start().await, Receiver::start().await);
    for r in [&slow, &fast] {
        let ep = app.endpoint(&r.url, json!(["member.enrolled"])).await;
        r.trust(ep["secret"].as_str().unwrap());
    }
    slow.delay(150);
    fast.delay(20);
    for i in 0..10 {
        app.enroll(&format!("m-{i}")).await;
    }
    let limited = WebhookSettings {
        per_endpoint: 2,
        concurrency: 64,
        ..settings()
    };
    assert_eq!(app.deliver(&limited).await, 20);
    for r in [&slow, &fast] {
        assert_eq!(r.counts().len(), 10, "every message arrived");
        assert!(r.max_in_flight() <= 2, "{} at once", r.max_in_flight());
    }
    assert_eq!(slow.max_in_flight(), 2, "the share is used");
}
