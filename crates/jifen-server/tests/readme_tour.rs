//! The README's tour, run as written against the real binary with its demo program.

mod common;

use std::process::Command;

use common::process::Server;

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

#[test]
fn readme_tour_runs_as_written() {
    let script = tour_script();
    assert!(script.lines().count() > 20, "the tour has commands");
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&format!(
        "sqlite://{}",
        dir.path().join("tour.db").display()
    ));
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("JIFEN", format!("http://{}", server.addr))
        .env("KEY", &server.key)
        .output()
        .expect("run the tour");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // The tour ends with a portal link for m-1001: it opens the member's portal, once.
    let url = stdout
        .split("\"url\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a portal link: {stdout}"));
    assert!(
        url.contains("/portal/") && url.contains("/enter?token="),
        "{url}"
    );
    let open = |url: &str| {
        let out = Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", url])
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(open(url), "303", "the link opens the portal");
    assert_eq!(open(url), "410", "and only once");
    let status = server.terminate();
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
    // After the policy change, a new 58-point order is pending now and available in 8 days; the
    // 157 points earned before the change are not made pending.
    assert!(
        stdout.contains("\"available\":157,\"pending\":58,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"available\":215,\"pending\":0,"),
        "{stdout}"
    );
    // A year later the 58 points have expired; the 157 earned before the change have not.
    assert!(
        stdout.contains(
            "\"available\":157,\"pending\":0,\"held\":0,\"negative\":0,\
             \"lifetime_earned\":445,\"lifetime_redeemed\":130,\"expired\":58,"
        ),
        "{stdout}"
    );
    // The check-in rule fired; the simulated 6.18 purchase doubles 199 points.
    assert!(stdout.contains("\"rule\":\"daily-check-in\""), "{stdout}");
    assert!(stdout.contains("\"outcome\":\"fired\""), "{stdout}");
    assert!(stdout.contains("\"points\":398"), "{stdout}");
}

/// The README's PostgreSQL line, as written but for the server and database: the host and
/// credentials of `JIFEN_TEST_DATABASE_URL`, and a database that does not exist yet (the line
/// works on a fresh server because jifen creates it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_postgres_line_runs_as_written() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let line = readme
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cargo run -- serve --database-url postgres://"))
        .expect("the README's PostgreSQL line");
    let db = jifen_store::testkit::TestDb::missing();
    assert!(!db.exists().await);
    let mut args: Vec<String> = line
        .trim_start_matches("cargo run -- ")
        .split_whitespace()
        .map(|a| {
            if a.starts_with("postgres://") {
                db.url.clone()
            } else {
                a.to_owned()
            }
        })
        .collect();
    assert!(args.iter().any(|a| a == "--demo"), "{line}");
    // Its own port, not the line's 8081, so that tests can run side by side.
    let addr = format!("127.0.0.1:{}", common::process::free_port());
    let listen = args
        .iter()
        .position(|a| a == "--listen")
        .expect("the README's PostgreSQL line names its own port, beside the demo server's 8080");
    args[listen + 1] = addr.clone();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Waits for the demo key and /healthz.
    let server = Server::start_args(&args, &addr, false);
    assert!(db.exists().await);
    let (status, body) = server.get(&server.key, "/v1/members").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(body["data"].as_array().map(Vec::len), Some(3), "{body}");
    let status = server.terminate();
    assert!(status.success(), "{status}");
}
