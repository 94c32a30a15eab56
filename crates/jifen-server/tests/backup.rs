//! `jifen backup` copies a SQLite database that a server keeps writing to, and `jifen restore`
//! puts the copy back: every event answered before the backup began is in the copy, every
//! member's ledger in the copy is a prefix of the original's (the copy is the state of one
//! instant), and a server started on the restored file answers balances equal to the sum of
//! the copy's entries. On PostgreSQL, `jifen backup` refuses and names the standard tools.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::{Server, jifen};
use jifen_store::testkit::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    backup_during_ingest_restores_a_consistent_copy => super::backup_during_ingest;
}

const MEMBERS: usize = 8;

fn event(id: &str, member: &str) -> Value {
    json!({"id": id, "type": "purchase", "member": member,
           "occurred_at": chrono::Utc::now().to_rfc3339(),
           "attributes": {"order_id": format!("order-{id}"), "amount": 1_500}})
}

/// A member's ledger, oldest first: (seq, points, cause id).
async fn ledger(server: &Server, key: &str, member: &str) -> Vec<(i64, i64, String)> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let (status, body) = server
            .get(
                key,
                &format!("/v1/members/{member}/ledger?limit=200{after}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for e in body["data"].as_array().expect("data") {
            out.push((
                e["seq"].as_i64().expect("seq"),
                e["points"].as_i64().expect("points"),
                e["cause"]["id"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        match body["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    out.sort();
    out
}

fn run(args: &[&str]) -> std::process::Output {
    jifen().args(args).output().expect("run jifen")
}

async fn backup_during_ingest(backend: Backend) {
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().expect("utf-8 path").to_owned();
    if backend == Backend::Postgres {
        // Migrate first so the refusal is about the backend, not an empty database.
        let _ = db.store().await;
        let out = run(&["backup", "--to", &copy_arg, "--database-url", &db.url]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("pg_dump") && err.contains("pg_basebackup"),
            "{err}"
        );
        assert!(!copy.exists());
        return;
    }

    let server = Server::start(&db.url);
    let (addr, key) = (server.addr.clone(), server.key.clone());
    let members: Vec<String> = (0..MEMBERS).map(|i| format!("bk-{i}")).collect();
    let client = common::http().build().expect("client");
    for m in &members {
        let res = client
            .put(server.url(&format!("/v1/members/{m}")))
            .bearer_auth(&key)
            .json(&json!({}))
            .send()
            .await
            .expect("enrol");
        assert!(res.status().is_success(), "{}", res.status());
    }

    // Workers ingest purchases until told to stop; each answered event id is recorded.
    let answered: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (w, member) in members.iter().cloned().enumerate() {
        let (client, addr, key, answered, stop) = (
            client.clone(),
            addr.clone(),
            key.clone(),
            answered.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("bk-{w}-{n}");
                let res = client
                    .post(format!("http://{addr}/v1/events"))
                    .bearer_auth(&key)
                    .json(&event(&id, &member))
                    .send()
                    .await
                    .expect("event");
                assert_eq!(res.status(), StatusCode::OK);
                answered.lock().unwrap().push(id);
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before: HashSet<String> = answered.lock().unwrap().iter().cloned().collect();
    let out = {
        let (url, to) = (db.url.clone(), copy_arg.clone());
        tokio::task::spawn_blocking(move || run(&["backup", "--to", &to, "--database-url", &url]))
            .await
            .expect("backup")
    };
    let after_backup = answered.lock().unwrap().len();
    assert!(
        out.status.success(),
        "jifen backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("backup prints JSON");
    assert!(report["entries"].as_i64().unwrap() > 0, "{report}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("worker");
    }
    let total = answered.lock().unwrap().len();
    assert!(
        before.len() > 20 && total > after_backup,
        "ingest ran before and after the backup: {} then {total}",
        before.len()
    );

    // A backup refuses to overwrite a file.
    let again = run(&["backup", "--to", &copy_arg, "--database-url", &db.url]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // A restore refuses a database a running server holds, even with --force.
    let held = run(&[
        "restore",
        "--from",
        &copy_arg,
        "--force",
        "--database-url",
        &db.url,
    ]);
    assert!(!held.status.success());
    assert!(
        String::from_utf8_lossy(&held.stderr).contains("open in another process"),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );

    let mut original = HashMap::new();
    for m in &members {
        original.insert(m.clone(), ledger(&server, &key, m).await);
    }
    let status = server.terminate();
    assert!(status.success(), "{status}");

    // Restore into a fresh path, and start a server on it.
    let fresh = dir.path().join("restored").join("jifen.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    let out = run(&["restore", "--from", &copy_arg, "--database-url", &fresh_url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Restoring over an existing database needs --force.
    let out = run(&["restore", "--from", &copy_arg, "--database-url", &fresh_url]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));

    let restored = Server::start(&fresh_url);
    let mut in_copy = HashSet::new();
    for m in &members {
        let entries = ledger(&restored, &restored.key, m).await;
        let full = &original[m];
        assert!(
            entries.len() <= full.len() && entries[..] == full[..entries.len()],
            "the copy of {m}'s ledger is a prefix of the original's"
        );
        let sum: i64 = entries.iter().map(|e| e.1).sum();
        let (status, balance) = restored
            .get(&restored.key, &format!("/v1/members/{m}/balance"))
            .await;
        assert_eq!(status, StatusCode::OK, "{balance}");
        assert_eq!(
            balance["lifetime_earned"].as_i64(),
            Some(sum),
            "{m}: {balance}"
        );
        let parts = ["available", "pending", "held"]
            .iter()
            .map(|k| balance[k].as_i64().unwrap())
            .sum::<i64>();
        assert_eq!(parts, sum, "{m}: {balance}");
        in_copy.extend(entries.into_iter().map(|e| e.2));
    }
    let missing: Vec<_> = before.iter().filter(|id| !in_copy.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "events answered before the backup are in the copy: {missing:?}"
    );
    assert!(
        in_copy.len() < total,
        "events answered after the backup are not in it"
    );
    // The restored server takes writes.
    let res = client
        .post(restored.url("/v1/events"))
        .bearer_auth(&restored.key)
        .json(&event("after-restore", "bk-0"))
        .send()
        .await
        .expect("event");
    assert_eq!(res.status(), StatusCode::OK);
}
