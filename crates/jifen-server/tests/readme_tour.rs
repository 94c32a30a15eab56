//! The README's tour, run as written against the real binary with its demo program.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The shell blocks between the tour markers of the README.
fn tour_script() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let start = readme
        .find("<!-- tour:start -->")
        .expect("tour start marker");
    let end = readme.find("<!-- tour:end -->").expect("tour end marker");
    let mut script = String::from("set -euo pipefail\n");
    let mut in_block = false;
    for line in readme[start..end].lines() {
        match line.trim() {
            "```sh" => in_block = true,
            "```" => {
                in_block = false;
                script.push_str("echo\n");
            }
            _ if in_block => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    script
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[test]
fn readme_tour_runs_as_written() {
    let script = tour_script();
    assert!(script.lines().count() > 20, "the tour has commands");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_jifen"))
        .args(["serve", "--demo", "--listen", &addr, "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("tour.db").display()))
        .env("JIFEN_JOBS__ENABLED", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start jifen");
    let stdout = server.stdout.take().expect("stdout");
    let mut key = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read stdout");
        if let Some(k) = line.split("API key (shown once): ").nth(1) {
            key = Some(k.trim().to_owned());
            break;
        }
        assert!(Instant::now() < deadline, "no API key printed");
    }
    let key = key.expect("the demo prints its API key");
    let ready = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        Command::new(env!("CARGO_BIN_EXE_jifen"))
            .args(["healthcheck", "--addr", &addr])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    assert!(ready, "jifen did not become healthy");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("JIFEN", format!("http://{addr}"))
        .env("KEY", &key)
        .output()
        .expect("run the tour");
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let status = server.wait().expect("jifen exits");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the tour failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(status.success(), "jifen stopped cleanly on SIGTERM");
    // What the tour promises along the way.
    assert!(stdout.contains("\"phone\":\"+8613912345678\""), "{stdout}");
    assert!(stdout.contains("\"points\":268"), "{stdout}");
    assert!(stdout.contains("\"points\":-100"), "{stdout}");
    assert!(
        stdout.contains("\"code\":\"idempotency_conflict\""),
        "{stdout}"
    );
    assert!(stdout.contains("\"status\":\"committed\""), "{stdout}");
    assert!(stdout.contains("\"field\":\"points\""), "{stdout}");
    // 268 + 99 − 100 − 50 − 80 + 20
    assert!(stdout.contains("\"available\":157"), "{stdout}");
}
