//! No webhook message is lost across `kill -9`, on both backends: a real `jifen serve` delivers
//! to a receiver the test starts, is killed mid-delivery, and restarted; the receiver then has
//! every message id the outbox holds at least once (at least once, never lost).

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::process::Server;
use common::receiver::Receiver;
use jifen_store::testkit::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    no_message_is_lost_across_kill_9 => super::no_message_is_lost_across_kill_9;
}

const MEMBERS: usize = 400;

const ENV: [(&str, &str); 5] = [
    ("JIFEN_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true"),
    ("JIFEN_WEBHOOKS__POLL_MS", "20"),
    ("JIFEN_WEBHOOKS__BATCH", "16"),
    ("JIFEN_WEBHOOKS__CONCURRENCY", "8"),
    ("JIFEN_WEBHOOKS__TIMEOUT_SECONDS", "2"),
];

/// Every message id of the outbox, through the API.
async fn message_ids(client: &reqwest::Client, server: &Server) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = "/v1/webhooks/messages?limit=200".to_owned();
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let page: Value = client
            .get(server.url(&path))
            .bearer_auth(&server.key)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        for m in page["data"].as_array().expect("data") {
            ids.insert(m["id"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => return ids,
        }
    }
}

async fn no_message_is_lost_across_kill_9(backend: Backend) {
    let db = TestDb::new(backend).await;
    let receiver = Receiver::start().await;
    receiver.delay(3);
    let mut server = Server::start_env(&db.url, &ENV);
    let client = common::http().build().expect("client");
    let r = client
        .post(server.url("/v1/webhooks/endpoints"))
        .bearer_auth(&server.key)
        .json(&json!({"url": receiver.url, "kinds": ["member.enrolled"]}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), StatusCode::CREATED);
    let ep: Value = r.json().await.unwrap();
    receiver.trust(ep["secret"].as_str().unwrap());

    // Enrolments in batches of 100: each commits its members and their messages together.
    for b in 0..MEMBERS / 100 {
        let members: Vec<Value> = (0..100)
            .map(|n| json!({"external_id": format!("crash-{b}-{n}")}))
            .collect();
        let r = client
            .post(server.url("/v1/members/batch"))
            .bearer_auth(&server.key)
            .json(&json!({"id": format!("batch-{b}"), "members": members}))
            .send()
            .await
            .expect("batch");
        assert_eq!(r.status(), StatusCode::OK);
    }
    // Kill it while it delivers.
    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.counts().len() < 40 {
        assert!(Instant::now() < deadline, "deliveries started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().expect("kill -9");
    let _ = server.child.wait();
    let at_kill = receiver.counts().len();
    assert!(
        at_kill < MEMBERS,
        "killed mid-delivery: {at_kill} of {MEMBERS}"
    );

    let server = Server::start_env(&db.url, &ENV);
    let ids = message_ids(&client, &server).await;
    assert_eq!(ids.len(), MEMBERS, "one message per enrolment");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let counts = receiver.counts();
        let missing = ids.iter().filter(|id| !counts.contains_key(*id)).count();
        if missing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{missing} of {MEMBERS} messages never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let counts = receiver.counts();
    assert!(
        counts.keys().all(|id| ids.contains(id)),
        "only the outbox's messages"
    );
    let repeats: usize = counts.values().map(|n| n - 1).sum();
    // At least once: a delivery in flight at the kill may arrive twice, no more.
    assert!(repeats <= 16 * 2, "{repeats} repeats");
    assert!(receiver.received().iter().all(|r| r.verified == 1));
    server.terminate();
}
