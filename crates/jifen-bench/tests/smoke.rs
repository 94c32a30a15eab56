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
        .arg("--out")
        .arg(dir.path().join("benchmarks.md"))
        .arg("--json")
        .arg(dir.path().join("benchmarks.json"))
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
        "sqlite: (h)",
        "postgres: (h)",
        "sqlite: (j) console rules list",
        "postgres: (j) console rules list",
        "sqlite: (j) console member search by phone",
        "postgres: (j) console member page",
        "sqlite: (j) console dashboard page",
        "postgres: (j) console dashboard page",
        "sqlite: (h) closest to the next tier",
        "sqlite: (k) portal home page",
        "postgres: (k) portal history page",
    ] {
        assert!(stderr.contains(step), "step {step} ran:\n{stderr}");
    }
    assert!(stderr.contains("58 measurements"), "{stderr}");
    // Ingestion and reads are measured on answers that succeeded: a scenario whose requests
    // were refused (ids reused between scenarios, say) would measure errors.
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("benchmarks.json")).expect("the JSON report"),
    )
    .expect("JSON");
    let rows = json.as_array().expect("rows");
    for row in rows {
        let scenario = row["scenario"].as_str().unwrap_or_default();
        if ["(a)", "(b)", "(c)", "(f)", "(g)", "(j)", "(k)"]
            .iter()
            .any(|s| scenario.starts_with(s))
        {
            assert_eq!(row["non_2xx"], 0, "{scenario} on {}: {row}", row["backend"]);
            assert_eq!(row["errors"], 0, "{scenario} on {}: {row}", row["backend"]);
        }
    }
}

/// The leaderboard figures on a tiny dataset, with the Redis ceiling and rankings in Redis.
#[test]
fn leaderboard_figures_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("lb.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_jifen-bench"))
        .args(["leaderboards", "--members", "300", "--seconds", "1"])
        .args(["--database-url", &db, "--redis-url"])
        .arg(
            std::env::var("JIFEN_TEST_REDIS_URL")
                .unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        )
        .output()
        .expect("run jifen-bench");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "jifen-bench leaderboards failed:\n{stderr}"
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rows as JSON");
    let rows = rows.as_array().expect("rows");
    // Nine with wrk and redis-benchmark (.ci/run installs them): the rank route and Redis's
    // ZREVRANK from C load generators in their own processes.
    assert_eq!(rows.len(), 9, "{rows:?}");
    for row in rows {
        assert_eq!(row["non_2xx"], 0, "{row}");
        assert_eq!(row["errors"], 0, "{row}");
    }
    assert!(rows.iter().any(|r| r["ceiling_name"] == "Redis ZREVRANK"));
    assert!(
        rows.iter()
            .any(|r| r["ceiling_name"] == "redis-benchmark ZREVRANK, same connections")
    );
}

/// The segment figures on a tiny dataset: a segment judged from scratch, purchases that move
/// members in, ingest with and without segments.
#[test]
fn segment_figures_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("segments.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_jifen-bench"))
        .args([
            "segments",
            "--members",
            "300",
            "--seconds",
            "1",
            "--changes",
            "5",
        ])
        .args(["--database-url", &db])
        .output()
        .expect("run jifen-bench");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "jifen-bench segments failed:\n{stderr}"
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rows as JSON");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in rows {
        assert_eq!(row["non_2xx"], 0, "{row}");
        assert_eq!(row["errors"], 0, "{row}");
    }
    assert!(
        rows[0]["scenario"]
            .as_str()
            .unwrap()
            .contains("from scratch over 300 members")
    );
    assert_eq!(
        rows[1]["met"], true,
        "five purchases seen in their segment within a second: {rows:?}"
    );
    assert_eq!(rows[2]["ceiling_name"], "the same ingest without segments");
}
