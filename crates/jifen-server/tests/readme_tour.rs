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
    let status = server.terminate();
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
