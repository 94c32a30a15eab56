//! The spec is the truth: schemathesis (pinned, from PyPI) drives the real `jifen` binary on a
//! fresh SQLite file through every operation of its own `/openapi.json`, and every answer must
//! be a documented status with a documented content type and body, and never a 5xx.
//!
//! The virtualenv lives at `~/.cache/jifen/venv` (`.ci/run` creates it; this test creates it
//! when it is missing, so `cargo test --workspace` needs nothing else). Only the operation that
//! revokes a key is left out: it would revoke the key the run uses.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::process::Server;

/// The schemathesis release the run is pinned to.
const SCHEMATHESIS: &str = "4.32.5";
/// Generated cases per operation: enough to reach every documented refusal, short enough for CI.
const MAX_EXAMPLES: &str = "40";

fn venv() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/jifen/venv")
}

/// The `schemathesis` executable of the virtualenv, installed first if it is missing or of
/// another version.
fn schemathesis() -> PathBuf {
    let venv = venv();
    let bin = venv.join("bin/schemathesis");
    let installed = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SCHEMATHESIS));
    if !installed {
        if !venv.join("bin/pip").exists() {
            let status = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .expect("python3 -m venv: python3 is needed to run schemathesis");
            assert!(status.success(), "python3 -m venv {}", venv.display());
        }
        let status = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                &format!("schemathesis=={SCHEMATHESIS}"),
            ])
            .status()
            .expect("pip install schemathesis");
        assert!(status.success(), "pip install schemathesis=={SCHEMATHESIS}");
    }
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_undocumented_answer() {
    let st = tokio::task::spawn_blocking(schemathesis).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("st.db").display());
    let server = Server::start(&url);
    let base = format!("http://{}", server.addr);
    let report = dir.path().join("report");
    let out = Command::new(st)
        .current_dir(dir.path())
        .args(["run", &format!("{base}/openapi.json"), "--url", &base])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance",
        ])
        .args(["--header", &format!("Authorization: Bearer {}", server.key)])
        .args(["--exclude-operation-id", "revoke_api_key"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", "16"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--suppress-health-check", "all", "--no-color"])
        .arg("--report-dir")
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found answers the spec does not describe:\n{stdout}\n{stderr}"
    );
    // The run reached the operations (a run that tests nothing would pass as well).
    assert!(stdout.contains("passed"), "{stdout}");
    drop(server);
}
