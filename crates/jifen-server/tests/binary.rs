//! The real `jifen` binary: `serve --demo`, `healthcheck`, SIGTERM, `config print`,
//! `program create` and `migrate`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{Server, free_port, jifen};

use jifen_store::testkit::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::Value;

/// The demo members' external ids, sorted.
async fn demo_members(server: &Server, key: &str) -> Vec<String> {
    let (status, body) = server.get(key, "/v1/members").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut ids: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["external_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn serve_demo_flow(database_url: &str) {
    let server = Server::start(database_url);
    assert_eq!(
        demo_members(&server, &server.key).await,
        vec!["m-1001", "m-1002", "m-1003"]
    );
    let (status, balance) = server.get(&server.key, "/v1/members/m-1001/balance").await;
    assert_eq!(status, StatusCode::OK, "{balance}");
    assert!(
        balance["available"].as_i64().is_some_and(|p| p > 0),
        "{balance}"
    );
    let (status, member) = server.get(&server.key, "/v1/members/m-1001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(member["phone"], "+8613800000001");
    let res = reqwest::get(server.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let first_key = server.key.clone();
    let status = server.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");

    // Again on the same database: the demo is there once, with a new key.
    let server = Server::start(database_url);
    assert_ne!(server.key, first_key);
    assert_eq!(
        demo_members(&server, &server.key).await,
        vec!["m-1001", "m-1002", "m-1003"]
    );
    let (status, body) = server.get(&first_key, "/v1/members").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    let (_, balance_again) = server.get(&server.key, "/v1/members/m-1001/balance").await;
    assert_eq!(
        balance_again["lifetime_earned"], balance["lifetime_earned"],
        "demo purchases were recorded twice"
    );
    let status = server.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");
}

fn sqlite_url(dir: &Path, file: &str) -> String {
    format!("sqlite://{}", dir.join(file).display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_on_sqlite_restarts_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    serve_demo_flow(&sqlite_url(dir.path(), "j.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let server = Server::start(&db.url);
    assert_eq!(
        demo_members(&server, &server.key).await,
        vec!["m-1001", "m-1002", "m-1003"]
    );
    let (status, balance) = server.get(&server.key, "/v1/members/m-1001/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(balance["available"].as_i64().is_some_and(|p| p > 0));
    let res = reqwest::get(server.url("/readyz")).await.unwrap();
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["database"], "postgres");
    let status = server.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");
}

/// `jifen serve --demo | head -1`: the banner goes to a closed pipe, and the server serves on.
#[test]
fn serve_survives_a_closed_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = jifen()
        .args(["serve", "--demo", "--listen", &addr, "--database-url"])
        .arg(sqlite_url(dir.path(), "j.db"))
        .env("JIFEN_JOBS__ENABLED", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn jifen serve");
    // Close the reading end before anything is printed.
    drop(child.stdout.take());
    let deadline = Instant::now() + Duration::from_secs(20);
    let healthy = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Err(status);
        }
        let ok = jifen()
            .args(["healthcheck", "--addr", &addr])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            break Ok(());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jifen did not become healthy within 20 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if let Err(status) = healthy {
        panic!("jifen serve exited when its stdout was closed: {status}");
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jifen did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn healthcheck_fails_when_nothing_listens() {
    let out = jifen()
        .args([
            "healthcheck",
            "--addr",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn config_print_hides_the_database_password() {
    let out = jifen()
        .args(["config", "print"])
        .env("JIFEN_DATABASE_URL", "postgres://u:secret@h/d")
        .env("JIFEN_JOBS__ENABLED", "false")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("secret"), "{text}");
    assert!(!err.contains("secret"), "{err}");
    assert!(text.contains("postgres://u:***@h/d"), "{text}");
    // It is the effective settings: the environment and the defaults are there.
    let settings: toml::Value = toml::from_str(&text).expect("TOML");
    assert_eq!(settings["jobs"]["enabled"].as_bool(), Some(false));
    assert_eq!(
        settings["max_body_bytes"].as_integer(),
        Some(2 * 1024 * 1024)
    );
    // A flag wins over the environment.
    let out = jifen()
        .args(["config", "print", "--database-url", "sqlite://x.db"])
        .env("JIFEN_DATABASE_URL", "postgres://u:secret@h/d")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("sqlite://x.db") && !text.contains("secret"),
        "{text}"
    );
}

#[test]
fn docs_base_url_comes_from_the_environment_and_is_checked() {
    let out = jifen()
        .args(["config", "print"])
        .env("JIFEN_DOCS_BASE_URL", "https://docs.example.cn/jifen")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let settings: toml::Value = toml::from_str(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(
        settings["docs_base_url"].as_str(),
        Some("https://docs.example.cn/jifen/")
    );
    let out = jifen()
        .args(["config", "print"])
        .env("JIFEN_DOCS_BASE_URL", "docs.example.cn/jifen/")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("docs_base_url"), "{err}");
}

#[test]
fn program_create_prints_an_id_and_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path(), "p.db");
    let out = jifen()
        .args(["program", "create", "--name", "X", "--database-url", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(
        v["program_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    assert!(
        v["api_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("jf_sk_")),
        "{v}"
    );
    assert_eq!(v["name"], "X");
    assert_eq!(v["timezone"], "Asia/Shanghai");
    assert_eq!(v["currency"], "CNY");
    // Bad input is refused with a message, not a panic.
    let out = jifen()
        .args([
            "program",
            "create",
            "--name",
            "Y",
            "--timezone",
            "Mars/Olympus",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("time zone"),
        "{out:?}"
    );
}

#[test]
fn migrate_exits_zero_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path(), "m.db");
    for _ in 0..2 {
        let out = jifen()
            .args(["migrate", "--database-url", &url])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("migrations applied (sqlite)"),
            "{out:?}"
        );
    }
    assert!(dir.path().join("m.db").exists());
    // A database that cannot be opened is an error exit, with the password hidden. (An
    // unreachable PostgreSQL fails the same way, after the pool's 30 s timeout.)
    let out = jifen()
        .args(["migrate", "--database-url", "mysql://u:secret@h/d"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("secret"), "{err}");
    assert!(err.contains("mysql://u:***@h/d"), "{err}");
}

/// A second `jifen serve --demo` on a port in use fails before it touches the database: no new
/// demo key is printed, and the first server's key keeps working.
async fn a_taken_port_changes_nothing(database_url: &str) {
    let first = Server::start(database_url);
    let before = jifen_store::testkit::table_rows(database_url).await;
    let out = jifen()
        .args(["serve", "--demo", "--listen", &first.addr, "--database-url"])
        .arg(database_url)
        .env("JIFEN_JOBS__ENABLED", "false")
        .stdin(Stdio::null())
        .output()
        .expect("run a second jifen serve");
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot listen on {}: address in use", first.addr)),
        "{err}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(common::process::KEY_LINE),
        "a key was printed: {out:?}"
    );
    assert_eq!(
        demo_members(&first, &first.key).await,
        vec!["m-1001", "m-1002", "m-1003"],
        "the first server's key still works"
    );
    assert_eq!(jifen_store::testkit::table_rows(database_url).await, before);
    let status = first.terminate();
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_changes_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_taken_port_changes_nothing(&sqlite_url(dir.path(), "j.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_changes_nothing_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    a_taken_port_changes_nothing(&db.url).await;
}

/// A PostgreSQL database that does not exist is created, once, and said so in the log.
#[test]
fn a_missing_postgres_database_is_created() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = TestDb::missing();
    assert!(!rt.block_on(db.exists()));
    let name = db.url.rsplit('/').next().unwrap().to_owned();
    let migrate = || {
        jifen()
            .args(["migrate", "--database-url", &db.url])
            .env("JIFEN_LOG", "info")
            .output()
            .unwrap()
    };
    let out = migrate();
    assert!(out.status.success(), "{out:?}");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains(&format!("created PostgreSQL database {name}")),
        "{log}"
    );
    assert!(rt.block_on(db.exists()));
    // The second time it is there: nothing to create.
    let out = migrate();
    assert!(out.status.success(), "{out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("created PostgreSQL database"),
        "{out:?}"
    );
}

/// A role that may not create databases is told so, with the command that would.
#[test]
fn a_missing_database_the_role_may_not_create_is_explained() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let role = rt.block_on(jifen_store::testkit::TestRole::without_createdb());
    let db = TestDb::missing();
    let url = role.url(&db.url);
    let out = jifen()
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        err.contains(&format!("role \"{}\" may not create it", role.name)),
        "{err}"
    );
    assert!(err.contains("createdb"), "{err}");
    assert!(!rt.block_on(db.exists()));
}
