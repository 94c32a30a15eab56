//! The `jifen` command line: help for every flag and command, `program list`, `program keys`
//! and shell completions, against the real binary on both backends.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use common::process::{Server, jifen};
use jifen_server::cli::Cli;
use jifen_store::testkit::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::Value;

/// Every command and every argument of `cmd` and below, with its path, that lacks help text.
fn undocumented(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        let text = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        if text.trim().is_empty() {
            missing.push(format!("{path} --{id}"));
        }
    }
    for sub in cmd.get_subcommands() {
        let sub_path = format!("{path} {}", sub.get_name());
        if sub.get_name() == "help" {
            continue;
        }
        let about = sub.get_about().map(|h| h.to_string()).unwrap_or_default();
        if about.trim().is_empty() {
            missing.push(sub_path.clone());
        }
        undocumented(sub, &sub_path, missing);
    }
}

#[test]
fn every_command_and_flag_has_help() {
    let cli = Cli::command();
    cli.clone().debug_assert();
    let mut missing = Vec::new();
    undocumented(&cli, "jifen", &mut missing);
    assert!(missing.is_empty(), "no help text for: {missing:#?}");
    // The tree has what the docs name.
    let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
    for name in [
        "serve",
        "maintain",
        "program",
        "completions",
        "backup",
        "restore",
    ] {
        assert!(names.contains(&name), "{names:?}");
    }
}

#[test]
fn maintain_help_tells_the_real_pass_from_the_rehearsal() {
    let out = jifen().args(["maintain", "--help"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let help = String::from_utf8(out.stdout).unwrap();
    for words in [
        "birthday",
        "tier",
        "lapsed checkouts",
        "for real",
        "rehearsal",
        "never changed",
        "--at <INSTANT>",
    ] {
        assert!(help.contains(words), "{words:?} not in:\n{help}");
    }
    // Every command's help prints, the short one included.
    let out = jifen().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("completions"), "{help}");
    assert!(help.contains("rehearse them on a copy"), "{help}");
}

/// `jifen` with `args` on `url`; stdout, after checking it exited 0.
fn run(url: &str, args: &[&str]) -> String {
    let out = jifen()
        .args(args)
        .args(["--database-url", url])
        .output()
        .expect("run jifen");
    assert!(
        out.status.success(),
        "jifen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn run_json(url: &str, args: &[&str]) -> Value {
    let text = run(url, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn program_list(backend: Backend) {
    let db = TestDb::new(backend).await;
    // No program yet: the header alone, and an empty JSON array.
    assert_eq!(
        run(&db.url, &["program", "list"]).lines().count(),
        1,
        "a header"
    );
    assert_eq!(
        run_json(&db.url, &["program", "list", "--json"]),
        Value::Array(vec![])
    );
    let a = run_json(
        &db.url,
        &[
            "program",
            "create",
            "--name",
            "茶饮 Tea",
            "--currency",
            "HKD",
        ],
    );
    let b = run_json(&db.url, &["program", "create", "--template", "spend-tiers"]);
    let table = run(&db.url, &["program", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("ID"), "{table}");
    for (line, program, name) in [(lines[1], &a, "茶饮 Tea"), (lines[2], &b, "Spend tiers")] {
        assert!(
            line.contains(program["program_id"].as_str().unwrap()),
            "{table}"
        );
        assert!(line.contains(name), "{table}");
        assert!(line.contains("Asia/Shanghai"), "{table}");
    }
    assert!(lines[1].contains("HKD"), "{table}");
    // The columns line up, wide characters counted twice.
    let column = |line: &str| {
        let at = line
            .find("Asia/Shanghai")
            .unwrap_or_else(|| line.find("TIMEZONE").unwrap());
        let cjk = line[..at].chars().filter(|c| *c > '\u{2E80}').count();
        line[..at].chars().count() + cjk
    };
    assert_eq!(column(lines[0]), column(lines[1]), "{table}");
    assert_eq!(column(lines[1]), column(lines[2]), "{table}");
    let listed = run_json(&db.url, &["program", "list", "--json"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["id"], a["program_id"]);
    assert_eq!(listed[0]["name"], "茶饮 Tea");
    assert_eq!(listed[0]["currency"], "HKD");
    assert_eq!(listed[1]["id"], b["program_id"]);
    assert!(listed[1]["created_at"].as_str().is_some(), "{listed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_list_on_sqlite() {
    program_list(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_list_on_postgres() {
    program_list(Backend::Postgres).await;
}

/// The status of `GET /v1/members` with `key`.
async fn members_status(server: &Server, key: &str) -> StatusCode {
    server.get(key, "/v1/members").await.0
}

async fn program_keys(backend: Backend) {
    let db = TestDb::new(backend).await;
    let created = run_json(&db.url, &["program", "create", "--name", "Keys"]);
    let program = created["program_id"].as_str().unwrap().to_owned();
    let first = created["api_key"].as_str().unwrap().to_owned();
    let server = Server::start(&db.url);
    assert_eq!(members_status(&server, &first).await, StatusCode::OK);

    let issued = run_json(
        &db.url,
        &[
            "program",
            "keys",
            "issue",
            "--program-id",
            &program,
            "--name",
            "pos",
        ],
    );
    let second = issued["api_key"].as_str().unwrap().to_owned();
    assert!(second.starts_with("jf_sk_"), "{issued}");
    assert_eq!(issued["name"], "pos");
    assert_eq!(members_status(&server, &second).await, StatusCode::OK);
    // `program key` is the same as `program keys issue`.
    let third = run_json(&db.url, &["program", "key", "--program-id", &program]);
    assert_eq!(third["name"], "cli");

    let table = run(
        &db.url,
        &["program", "keys", "list", "--program-id", &program],
    );
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(table.lines().next().unwrap().contains("REVOKED"), "{table}");
    let keys = run_json(
        &db.url,
        &[
            "program",
            "keys",
            "list",
            "--program-id",
            &program,
            "--json",
        ],
    );
    let keys = keys.as_array().unwrap().clone();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k["revoked_at"].is_null() && k.get("secret").is_none())
    );
    let default = keys
        .iter()
        .find(|k| k["name"] == "default")
        .expect("the first key");
    let default_id = default["id"].as_str().unwrap();
    assert!(
        first.starts_with(default["prefix"].as_str().unwrap()),
        "{default}"
    );
    assert!(table.contains(default_id), "{table}");

    let revoked = run_json(
        &db.url,
        &[
            "program",
            "keys",
            "revoke",
            "--program-id",
            &program,
            "--key-id",
            default_id,
        ],
    );
    assert_eq!(revoked["revoked"], true, "{revoked}");
    // The running server trusts a looked-up key 2 seconds at most.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = members_status(&server, &first).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the revoked key still answers {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(members_status(&server, &second).await, StatusCode::OK);
    let keys = run_json(
        &db.url,
        &[
            "program",
            "keys",
            "list",
            "--program-id",
            &program,
            "--json",
        ],
    );
    let listed = keys.as_array().unwrap();
    let default = listed.iter().find(|k| k["id"] == default_id).unwrap();
    assert!(default["revoked_at"].is_string(), "{keys}");

    // Revoking it again, or a key or program that does not exist: an error exit, with why.
    for (program_id, key_id, says) in [
        (program.as_str(), default_id, "is revoked already"),
        (program.as_str(), "no-such-key", "no key no-such-key"),
        ("no-such-program", default_id, "no program no-such-program"),
    ] {
        let out = jifen()
            .args(["program", "keys", "revoke", "--program-id", program_id])
            .args(["--key-id", key_id, "--database-url", &db.url])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{says:?} not in {err}");
    }
    let status = server.terminate();
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_keys_on_sqlite() {
    program_keys(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_keys_on_postgres() {
    program_keys(Backend::Postgres).await;
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = jifen().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.len() > 1_000, "{shell}: {script}");
        for word in [
            "maintain",
            "program",
            "keys",
            "revoke",
            "completions",
            "database-url",
        ] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
    // bash parses the script.
    let script = jifen()
        .args(["completions", "bash"])
        .output()
        .unwrap()
        .stdout;
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .expect("bash");
    bash.stdin.take().unwrap().write_all(&script).unwrap();
    assert!(bash.wait().unwrap().success(), "bash -n refused the script");
    // An unknown shell is refused, naming the ones there are.
    let out = jifen()
        .args(["completions", "powershell"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bash") && err.contains("zsh") && err.contains("fish"),
        "{err}"
    );
}

#[test]
fn an_unknown_template_is_refused_before_the_database_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jifen.db");
    let url = format!("sqlite://{}", db.display());
    let out = jifen()
        .args(["program", "create", "--template", "no-such-template"])
        .args(["--database-url", &url])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("taobao-points") && err.contains("coffee-holiday-gifts"),
        "{err}"
    );
    assert!(!db.exists(), "the database was created");
    // The bash completions offer the names.
    let script = jifen()
        .args(["completions", "bash"])
        .output()
        .unwrap()
        .stdout;
    let script = String::from_utf8(script).unwrap();
    assert!(
        script.contains("taobao-points inoherb-checkin"),
        "the bash completions do not offer the templates"
    );
}

#[test]
fn a_failed_command_prints_its_error_without_a_backtrace() {
    let out = jifen()
        .args(["healthcheck", "--addr", "127.0.0.1:9"])
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("Error: no jifen answers at 127.0.0.1:9"),
        "{err}"
    );
    assert!(!err.contains("backtrace"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// Posts the console's sign-in form; the status (303 signed in, 401 refused).
async fn console_sign_in(server: &Server, email: &str, password: &str) -> StatusCode {
    common::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url("/console/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap())
        .send()
        .await
        .unwrap()
        .status()
}

async fn user_create(backend: Backend) {
    let db = TestDb::new(backend).await;
    let created = run_json(&db.url, &["program", "create", "--name", "Users"]);
    let program = created["program_id"].as_str().unwrap().to_owned();
    // A new account gets a generated password, shown once.
    let made = run_json(
        &db.url,
        &[
            "user",
            "create",
            "--program",
            &program,
            "--email",
            "Li.Wei@Brand.cn",
            "--role",
            "support",
            "--name",
            "Li Wei",
        ],
    );
    assert_eq!(made["email"], "li.wei@brand.cn");
    assert_eq!(
        (made["role"].as_str(), made["created"].as_bool()),
        (Some("support"), Some(true))
    );
    let generated = made["password"].as_str().unwrap().to_owned();
    assert_eq!(generated.len(), 20, "{made}");
    // Or it takes one from standard input.
    let mut child = jifen()
        .args([
            "user",
            "create",
            "--program",
            &program,
            "--email",
            "owner@brand.cn",
        ])
        .args([
            "--role",
            "owner",
            "--password-stdin",
            "--database-url",
            &db.url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-password-from-stdin\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let owner: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        owner["password"],
        Value::Null,
        "a given password is not printed"
    );
    // An existing account gets the role and keeps its password.
    let again = run_json(
        &db.url,
        &[
            "user",
            "create",
            "--program",
            &program,
            "--email",
            "li.wei@brand.cn",
            "--role",
            "viewer",
        ],
    );
    assert_eq!(
        (again["created"].as_bool(), again["password"].as_str()),
        (Some(false), None)
    );
    let server = Server::start(&db.url);
    assert_eq!(
        console_sign_in(&server, "li.wei@brand.cn", &generated).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        console_sign_in(&server, "owner@brand.cn", "a-password-from-stdin").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        console_sign_in(&server, "owner@brand.cn", "wrong-password-here").await,
        StatusCode::UNAUTHORIZED
    );
    // Refusals are one clear line, and change nothing.
    for (args, says) in [
        (
            vec!["--program", "nope", "--email", "a@b.cn", "--role", "owner"],
            "no program nope",
        ),
        (
            vec![
                "--program",
                program.as_str(),
                "--email",
                "not-an-email",
                "--role",
                "owner",
            ],
            "is not an email address",
        ),
        (
            vec![
                "--program",
                program.as_str(),
                "--email",
                "a@b.cn",
                "--role",
                "boss",
            ],
            "invalid value 'boss'",
        ),
    ] {
        let out = jifen()
            .args(["user", "create"])
            .args(&args)
            .args(["--database-url", &db.url])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{says:?} not in {err}");
    }
    let status = server.terminate();
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_on_sqlite() {
    user_create(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_on_postgres() {
    user_create(Backend::Postgres).await;
}
