//! An answered write survives `kill -9`, on both backends: after a crash under load, every
//! event that was answered is in the ledger exactly once, and a retry of it returns the first
//! answer.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::Server;
use jifen_store::testkit::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    answered_events_survive_kill_9 => super::answered_events_survive_kill_9;
}

async fn post(
    client: &reqwest::Client,
    server_addr: &str,
    key: &str,
    body: &Value,
) -> Option<(StatusCode, Value)> {
    let res = client
        .post(format!("http://{server_addr}/v1/events"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .ok()?;
    let status = res.status();
    Some((status, res.json().await.ok()?))
}

fn event(id: &str) -> Value {
    json!({"id": id, "type": "purchase", "member": "m-1001",
           "occurred_at": chrono::Utc::now().to_rfc3339(),
           "attributes": {"order_id": format!("order-{id}"), "amount": 1_000}})
}

async fn answered_events_survive_kill_9(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut server = Server::start(&db.url);
    let addr = server.addr.clone();
    let key = server.key.clone();
    // (event id, request, first answer)
    let answered: Arc<Mutex<Vec<(String, Value, Value)>>> = Arc::default();
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (client, addr, key, answered) =
            (client.clone(), addr.clone(), key.clone(), answered.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let id = format!("crash-{worker}-{n}");
                let request = event(&id);
                match post(&client, &addr, &key, &request).await {
                    Some((StatusCode::OK, body)) => {
                        answered.lock().unwrap().push((id, request, body))
                    }
                    Some((status, body)) => panic!("unexpected {status}: {body}"),
                    None => return, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.child.kill().expect("kill -9");
    let _ = server.child.wait();
    for t in tasks {
        t.await.expect("worker");
    }
    let answered = answered.lock().unwrap().clone();
    assert!(
        answered.len() > 20,
        "load reached the server: {}",
        answered.len()
    );

    let server = Server::start(&db.url);
    let client = reqwest::Client::new();
    for (id, request, first) in &answered {
        let (status, again) = post(&client, &server.addr, &server.key, request)
            .await
            .expect("restarted server answers");
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(&again, first, "a retry of {id} returns the first answer");
    }
    // Every earn in the ledger is one event, and the balance adds them up once.
    let mut crash_earns = 0;
    let mut pages: Vec<Value> = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = client
            .get(format!(
                "http://{}/v1/members/m-1001/ledger?limit=200{after}",
                server.addr
            ))
            .bearer_auth(&server.key)
            .send()
            .await
            .expect("ledger")
            .json()
            .await
            .expect("json");
        let next = page["next"].as_str().map(|n| format!("&after={n}"));
        pages.push(page);
        match next {
            Some(n) => after = n,
            None => break,
        }
    }
    let mut causes = std::collections::HashSet::new();
    for page in &pages {
        for e in page["data"].as_array().expect("entries") {
            let cause = e["cause"]["id"].as_str().unwrap_or_default().to_owned();
            if e["kind"] == "earn" && cause.starts_with("crash-") {
                assert!(causes.insert(cause), "an event earned twice");
                crash_earns += 1;
            }
        }
    }
    assert!(
        crash_earns >= answered.len(),
        "{crash_earns} earns for {} answers",
        answered.len()
    );
    for (id, _, _) in &answered {
        assert!(causes.contains(id), "answered event {id} is in the ledger");
    }
    server.terminate();
}
