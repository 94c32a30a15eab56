//! The console and the member portal in a real browser: the `jifen` binary serves its demo
//! program on SQLite and on PostgreSQL, and Chromium (driven by playwright-core from Node) walks
//! the journeys of `tests/browser/*.mjs` the way a person does. Nothing here skips: without Node, Chromium or
//! playwright-core (`crates/jifen-server/tests/browser/install` puts them in place) the tests
//! fail and say what is missing.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use common::process::{free_port, jifen};
use jifen_store::testkit::{Backend, TestDb};
use jifen_store::{ConnectOptions, Store};

/// The journeys, each a Node script in `tests/browser/`.
const JOURNEYS: &[&str] = &[
    "portal_budget",
    "portal",
    "gifts",
    "badges",
    "sign_in",
    "language",
    "sessions",
    "support",
    "viewer",
    "marketer",
    "rewards",
    "gallery",
    "pages",
    "referrals",
    "leaderboards",
    "challenges",
    "reminders",
    "segments",
    "offers",
    "webhooks",
];

/// Journeys that run with no other beside them: the portal's budget measures time, and another
/// Chromium working on the same two cores would be part of what it measures.
const ALONE: &[&str] = &["portal_budget"];

/// The operators the journeys sign in as, besides the demo's owner: (env prefix, email, role,
/// display name, password).
const OPERATORS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "MARKETER",
        "li.na@example.cn",
        "marketer",
        "李娜",
        "marketer-password-618",
    ),
    (
        "SUPPORT",
        "wang.fang@example.cn",
        "support",
        "王芳",
        "support-password-888",
    ),
    (
        "VIEWER",
        "zhao.lei@example.cn",
        "viewer",
        "赵磊",
        "viewer-password-123",
    ),
    (
        "SESSIONS",
        "chen.jing@example.cn",
        "viewer",
        "陈静",
        "sessions-password-456",
    ),
    (
        "LOCKED",
        "sun.hao@example.cn",
        "viewer",
        "孙浩",
        "locked-password-789",
    ),
];

/// One browser run at a time: the backends take turns, so two Chromiums at most share the CPUs.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn npm_dir() -> PathBuf {
    std::env::var_os("JIFEN_BROWSER_NPM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/jifen/npm-browser")
        })
}

fn chromium() -> PathBuf {
    std::env::var_os("JIFEN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Fails (never skips) when a tool of the browser tests is missing, naming the fix.
fn require_tools() {
    let fix = "run crates/jifen-server/tests/browser/install (it installs Debian's chromium and \
               the pinned playwright-core into ~/.cache/jifen/npm-browser)";
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "the browser tests need Node.js 20 or newer on PATH: {fix}"
    );
    assert!(
        chromium().exists(),
        "the browser tests need Chromium at {}: {fix}",
        chromium().display()
    );
    let pinned: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(browser_dir().join("package.json")).expect("package.json"),
    )
    .expect("package.json is JSON");
    let want = pinned["dependencies"]["playwright-core"]
        .as_str()
        .expect("playwright-core pinned");
    let installed =
        std::fs::read_to_string(npm_dir().join("node_modules/playwright-core/package.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let have = installed.as_ref().and_then(|v| v["version"].as_str());
    assert_eq!(
        have,
        Some(want),
        "the browser tests need playwright-core {want} in {}: {fix}",
        npm_dir().display()
    );
}

/// `jifen serve --demo` and what its banner tells a newcomer.
struct Demo {
    child: Child,
    base: String,
    key: String,
    program_id: String,
    email: String,
    password: String,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The text between `before` and `after` in `line`.
fn between<'a>(line: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = line.find(before)? + before.len();
    let end = start + line[start..].find(after)?;
    Some(&line[start..end])
}

impl Demo {
    fn start(database_url: &str) -> Demo {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut child = jifen()
            .args([
                "serve",
                "--demo",
                "--listen",
                &addr,
                "--database-url",
                database_url,
            ])
            .env("JIFEN_JOBS__ENABLED", "true")
            .env("JIFEN_JOBS__INTERVAL_SECONDS", "1")
            // The webhooks journey's receiver listens on 127.0.0.1.
            .env("JIFEN_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")
            .env("JIFEN_WEBHOOKS__POLL_MS", "100")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn jifen serve --demo");
        let (line_tx, line_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = line_tx.send(line);
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        let mut stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        let mut demo = Demo {
            child,
            base: String::new(),
            key: String::new(),
            program_id: String::new(),
            email: String::new(),
            password: String::new(),
            stderr: err_rx,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while demo.password.is_empty() {
            match line_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    if let Some(id) = line
                        .contains("jifen demo program \"")
                        .then(|| line.rsplit_once('(').map(|(_, r)| r.trim_end_matches(')')))
                        .flatten()
                    {
                        demo.program_id = id.trim().to_owned();
                    }
                    if let Some((_, key)) = line.split_once("API key (shown once): ") {
                        demo.key = key.trim().to_owned();
                    }
                    if let Some((_, url)) = line.split_once("Console: ") {
                        demo.base = url.trim().trim_end_matches("/console").to_owned();
                    }
                    if let Some(email) = between(&line, "Sign in as ", " with password ") {
                        demo.email = email.to_owned();
                        demo.password = between(&line, " with password ", " (shown once)")
                            .expect("the password on the sign-in line")
                            .to_owned();
                    }
                }
                Err(_) => {
                    demo.fail_if_exited();
                    assert!(
                        Instant::now() < deadline,
                        "jifen serve --demo printed no console sign-in within 60 s"
                    );
                }
            }
        }
        assert!(demo.key.starts_with("jf_sk_"), "API key: {}", demo.key);
        assert!(!demo.program_id.is_empty(), "no program id in the banner");
        assert!(demo.base.starts_with("http://"), "console: {}", demo.base);
        loop {
            let ok = jifen()
                .args(["healthcheck", "--addr", &addr])
                .output()
                .expect("jifen healthcheck");
            if ok.status.success() {
                break;
            }
            demo.fail_if_exited();
            assert!(Instant::now() < deadline, "jifen healthcheck never passed");
            std::thread::sleep(Duration::from_millis(100));
        }
        demo
    }

    fn fail_if_exited(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let err = self
                .stderr
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            panic!("jifen serve --demo exited early ({status}):\n{err}");
        }
    }
}

/// `jifen user create` on the server's database, as an owner would run it.
fn create_operator(database_url: &str, program: &str, op: &(&str, &str, &str, &str, &str)) {
    let (_, email, role, name, password) = op;
    let mut child = jifen()
        .args([
            "user",
            "create",
            "--database-url",
            database_url,
            "--program",
            program,
            "--email",
            email,
            "--role",
            role,
            "--name",
            name,
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jifen user create");
    writeln!(child.stdin.take().expect("stdin"), "{password}").expect("write the password");
    let out = child.wait_with_output().expect("jifen user create");
    assert!(
        out.status.success(),
        "jifen user create {email}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How long a portal session lasts without use (`portal::auth::IDLE`).
const PORTAL_IDLE: chrono::Duration = chrono::Duration::minutes(30);

/// Ages portal sessions for the journeys, so that a journey sees a session end as it ends
/// after 30 idle minutes, without waiting for them: `POST /` with a session's cookie value as
/// the body records its last use 31 minutes ago, and its idle deadline one minute ago, in the
/// server's database. The server's own check then finds it expired. Answers `204`, or `404`
/// for a session it does not know. Returns the address, for the journeys' `SESSION_AGER`.
fn session_ager(database_url: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the session ager");
    let addr = format!("http://{}/", listener.local_addr().expect("its address"));
    let url = database_url.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let options = ConnectOptions {
            max_connections: 1,
            migrate: false,
        };
        let store = rt
            .block_on(jifen_store::connect(&url, &options))
            .expect("the session ager opens the database");
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let secret = read_body(&mut stream);
            let status = rt.block_on(age_session(&*store, secret.trim()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    addr
}

/// The body of a small HTTP request (its `Content-Length` bytes after the headers).
fn read_body(stream: &mut std::net::TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut body = vec![0; length.min(1024)];
    let _ = reader.read_exact(&mut body);
    String::from_utf8_lossy(&body).into_owned()
}

/// Moves a session's last use 31 minutes back and its idle deadline one minute back.
async fn age_session(store: &dyn Store, secret: &str) -> &'static str {
    let hash = jifen_server::console::auth::hash_secret(secret);
    match store.portal_session(&hash).await {
        Ok(Some(_)) => {
            let now = chrono::Utc::now();
            let last_use = now - PORTAL_IDLE - chrono::Duration::minutes(1);
            match store
                .touch_portal_session(&hash, last_use, last_use + PORTAL_IDLE)
                .await
            {
                Ok(()) => "204 No Content",
                Err(_) => "500 Internal Server Error",
            }
        }
        Ok(None) => "404 Not Found",
        Err(_) => "500 Internal Server Error",
    }
}

/// One journey's Node process.
struct Running {
    name: &'static str,
    child: Child,
    started: Instant,
}

/// Runs every journey against the demo, `jobs` at a time; returns the failures' output.
fn run_journeys(
    backend: &str,
    demo: &Demo,
    temp: &Path,
    shots: &Path,
    ager: &str,
) -> (Vec<String>, Vec<String>) {
    let jobs: usize = std::env::var("JIFEN_BROWSER_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(2)
        .max(1);
    // JIFEN_BROWSER_ONLY=support,viewer runs those journeys alone, while writing one.
    let only = std::env::var("JIFEN_BROWSER_ONLY").unwrap_or_default();
    let mut queue: Vec<&'static str> = JOURNEYS
        .iter()
        .rev()
        .copied()
        .filter(|j| only.is_empty() || only.split(',').any(|o| o.trim() == *j))
        .collect();
    let mut running: Vec<Running> = Vec::new();
    let mut failures = Vec::new();
    let mut timings = Vec::new();
    let deadline = Duration::from_secs(240);
    while !queue.is_empty() || !running.is_empty() {
        while running.len() < jobs
            && !running.iter().any(|r| ALONE.contains(&r.name))
            && queue
                .last()
                .is_some_and(|next| running.is_empty() || !ALONE.contains(next))
            && let Some(name) = queue.pop()
        {
            let mut cmd = Command::new("node");
            cmd.arg(browser_dir().join(format!("{name}.mjs")))
                .current_dir(browser_dir())
                .env("BASE", &demo.base)
                .env("BACKEND", backend)
                .env("API_KEY", &demo.key)
                .env("PROGRAM_ID", &demo.program_id)
                .env("OWNER_EMAIL", &demo.email)
                .env("OWNER_PASSWORD", &demo.password)
                .env("SCREENSHOTS", shots)
                .env("SESSION_AGER", ager)
                .env("TMPDIR", temp)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            for (prefix, email, _, name, password) in OPERATORS {
                cmd.env(format!("{prefix}_EMAIL"), email)
                    .env(format!("{prefix}_NAME"), name)
                    .env(format!("{prefix}_PASSWORD"), password);
            }
            running.push(Running {
                name,
                child: cmd.spawn().expect("spawn node"),
                started: Instant::now(),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut i = 0;
        while i < running.len() {
            let r = &mut running[i];
            let done = r.child.try_wait().expect("wait for node");
            let late = r.started.elapsed() > deadline;
            if done.is_none() && !late {
                i += 1;
                continue;
            }
            if late {
                let _ = r.child.kill();
            }
            let r = running.swap_remove(i);
            let took = r.started.elapsed();
            let out = r.child.wait_with_output().expect("journey output");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            timings.push(format!("{} {:.1} s", r.name, took.as_secs_f64()));
            // The portal's measured budget goes to the test's output whether it passes or not:
            // written to stdout itself, which the test harness does not capture.
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                if line.starts_with("budget ") {
                    let _ = writeln!(std::io::stdout().lock(), "{line}");
                }
            }
            if late {
                failures.push(format!(
                    "journey {} on {backend} took longer than {} s:\n{text}",
                    r.name,
                    deadline.as_secs()
                ));
            } else if !out.status.success() {
                failures.push(format!("journey {} on {backend} failed:\n{text}", r.name));
            }
        }
    }
    (failures, timings)
}

fn browser_journeys(backend: Backend, label: &str) {
    require_tools();
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let db = rt.block_on(TestDb::new(backend));
    let started = Instant::now();
    let mut demo = Demo::start(&db.url);
    for op in OPERATORS {
        create_operator(&db.url, &demo.program_id, op);
    }
    let temp = tempfile::tempdir().expect("temporary folder");
    let shots = std::env::var_os("SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().join("screenshots"));
    let ager = session_ager(&db.url);
    let (failures, timings) = run_journeys(label, &demo, temp.path(), &shots, &ager);
    demo.fail_if_exited();
    eprintln!(
        "browser journeys on {label}: {} in {:.1} s ({})",
        timings.len(),
        started.elapsed().as_secs_f64(),
        timings.join(", ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    drop(demo);
    drop(db);
}

#[test]
fn browser_journeys_on_sqlite() {
    browser_journeys(Backend::Sqlite, "sqlite");
}

#[test]
fn browser_journeys_on_postgres() {
    browser_journeys(Backend::Postgres, "postgres");
}
