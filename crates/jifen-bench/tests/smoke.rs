//! The whole harness on a tiny dataset, so it never rots: every scenario and ceiling runs
//! against both backends (the figures of so short a run mean nothing and are not checked).

use std::process::Command;

#[test]
fn harness_runs_every_scenario_on_both_backends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_jifen-bench"))
        .args([
            "all",
            "--smoke",
            "--members",
            "200",
            "--seconds",
            "1",
            "--dir",
        ])
        .arg(dir.path())
        .env(
            "JIFEN_BENCH_DATABASE_URL",
            std::env::var("JIFEN_TEST_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
        )
        .output()
        .expect("run jifen-bench");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "jifen-bench all --smoke failed:\n{stderr}"
    );
    for step in [
        "HTTP ceiling",
        "sqlite: (a)",
        "sqlite: (e)",
        "postgres: (b)",
        "postgres: (f)",
    ] {
        assert!(stderr.contains(step), "step {step} ran:\n{stderr}");
    }
    assert!(stderr.contains("23 measurements"), "{stderr}");
}
