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
    tier_job_resumes_after_kill_9 => super::tier_job_resumes_after_kill_9;
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
    let client = common::http().build().expect("client");
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
    let client = common::http().build().expect("client");
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

/// `GET path` with the server's key, as JSON.
async fn get_json(client: &reqwest::Client, server: &Server, path: &str) -> Value {
    client
        .get(server.url(path))
        .bearer_auth(&server.key)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// A tier re-evaluation killed halfway resumes on restart, and every member is upgraded, and
/// gifted, exactly once.
async fn tier_job_resumes_after_kill_9(backend: Backend) {
    const MEMBERS: usize = 10_000;
    let db = TestDb::new(backend).await;
    let server = Server::start(&db.url);
    let client = common::http().build().expect("client");
    let program = get_json(&client, &server, "/v1/program").await;
    let program_id = program["id"].as_str().expect("id").to_owned();
    server.terminate();
    // Members with ¥2,000 of orders each, loaded straight into the store.
    let store = jifen_store::connect(&db.url, &jifen_store::ConnectOptions::default())
        .await
        .expect("store");
    let at = chrono::Utc::now() - chrono::Duration::days(1);
    let members: Vec<jifen_store::BulkMember> = (0..MEMBERS)
        .map(|n| jifen_store::BulkMember {
            external_id: format!("t-{n}"),
            phone: None,
            enrolled_at: Some(at),
            ledger: Default::default(),
            orders: vec![jifen_store::Order {
                program_id: program_id.clone(),
                order_id: format!("t-order-{n}"),
                member_id: None,
                guest_ref: None,
                amount: 200_000,
                refunded: 0,
                points_per_yuan: 1,
                points: Some(0),
                occurred_at: at,
            }],
            events: Vec::new(),
            book: None,
        })
        .collect();
    for chunk in members.chunks(2_000) {
        store
            .bulk_load(&program_id, chunk)
            .await
            .expect("bulk load");
    }
    drop(store);

    let mut server = Server::start(&db.url);
    let policy = json!({
        "basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
        "tiers": [
            {"id": "silver", "name": "Silver", "threshold": 0},
            {"id": "gold", "name": "Gold", "threshold": 100_000, "benefits": [
                {"id": "gold-welcome", "kind": "upgrade_gift", "gift": {"points": 100}}]}
        ]
    });
    let saved: Value = client
        .put(server.url("/v1/tier-policy"))
        .bearer_auth(&server.key)
        .json(&policy)
        .send()
        .await
        .expect("policy")
        .json()
        .await
        .expect("json");
    let job = saved["job"]["id"].as_str().expect("job").to_owned();
    let job_url = format!("/v1/tier-jobs/{job}");
    // Kill the server once a page or more is done, before the last.
    loop {
        let j = get_json(&client, &server, &job_url).await;
        assert_eq!(j["status"], "running", "killed before the end: {j}");
        if j["members"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().expect("kill -9");
    let _ = server.child.wait();

    // The restarted node's background job picks the job up where it stood.
    let server = Server::start_jobs(&db.url, true);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let done = loop {
        let j = get_json(&client, &server, &job_url).await;
        if j["status"] == "done" {
            break j;
        }
        assert!(std::time::Instant::now() < deadline, "the job resumed: {j}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["changes"], MEMBERS as u64, "{done}");
    server.terminate();
    let store = jifen_store::connect(&db.url, &jifen_store::ConnectOptions::default())
        .await
        .expect("store");
    for n in 0..MEMBERS {
        let head = store
            .member_head(&program_id, &format!("t-{n}"))
            .await
            .expect("read")
            .expect("member");
        let changes = store
            .tier_changes(head.id, None, 10)
            .await
            .expect("history");
        assert_eq!(changes.len(), 1, "t-{n}: {changes:?}");
        assert_eq!(changes[0].to_tier, "gold");
        let grants = store.benefit_grants(head.id, 10).await.expect("grants");
        assert_eq!(grants.len(), 1, "t-{n}: {grants:?}");
        let rows = store.ledger(head.id).await.expect("ledger");
        let earned: i64 = rows.entries.iter().map(|e| e.points).sum();
        assert_eq!(earned, 100, "t-{n} was gifted once");
    }
}
