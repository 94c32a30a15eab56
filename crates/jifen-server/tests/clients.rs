//! The typed clients of `clients/`: the committed generated files are what the pinned generators
//! make of `docs/openapi.json` (like the OpenAPI drift check of `ops.rs`), and each client's tour
//! (`clients/typescript/examples/tour.ts`, `clients/python/examples/tour.py`) runs against a
//! real `jifen serve --demo`, on SQLite and on PostgreSQL.
//!
//! The generators, the TypeScript compiler and the runtimes are installed by `clients/generate`
//! when missing (npm packages in `~/.cache/jifen/npm`, a virtualenv in
//! `~/.cache/jifen/venv-clients`); `.ci/run` installs them up front. A failed install fails the
//! tests: they never skip.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use common::process::Server;
use jifen_store::testkit::{Backend, TestDb};

const REGENERATE: &str = "regenerate them: clients/generate";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn cache() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/jifen")
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `clients/generate` with `args`. One run at a time: two installs into the same
/// directories would trip over each other.
fn generate(args: &[&str]) -> Output {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    Command::new("bash")
        .arg(repo().join("clients/generate"))
        .args(args)
        .output()
        .expect("run clients/generate (bash is needed)")
}

/// Installs the pinned tools if they are missing; fails (never skips) when they cannot be.
fn tools() {
    let out = generate(&["--tools"]);
    assert!(
        out.status.success(),
        "the clients' tools could not be installed (npm and PyPI must be reachable; Node.js 20 \
         and python3 with venv are needed):\n{}",
        text(&out)
    );
}

/// Every file under `dir`, as paths relative to it (bytecode caches left out).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "__pycache__") {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// The first difference between two texts, as a line number and the two lines.
fn first_difference(committed: &str, generated: &str) -> String {
    let mut a = committed.lines();
    let mut b = generated.lines();
    for n in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {n}: committed {:?}, generated {:?}",
                    x.unwrap_or("<end>"),
                    y.unwrap_or("<end>")
                );
            }
        }
    }
    "line endings differ".into()
}

#[test]
fn committed_clients_match_the_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(&["--out", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "clients/generate failed:\n{}",
        text(&out)
    );
    let repo = repo();
    let mut stale = Vec::new();

    let schema = "typescript/src/schema.d.ts";
    let committed = std::fs::read_to_string(repo.join("clients").join(schema)).unwrap_or_default();
    let generated = std::fs::read_to_string(dir.path().join(schema)).unwrap();
    if committed != generated {
        stale.push(format!(
            "clients/{schema}: {}",
            first_difference(&committed, &generated)
        ));
    }

    let committed_dir = repo.join("clients/python/jifen_client");
    let generated_dir = dir.path().join("python/jifen_client");
    let committed_files = if committed_dir.is_dir() {
        files(&committed_dir)
    } else {
        Vec::new()
    };
    let generated_files = files(&generated_dir);
    assert!(
        generated_files.len() > 50,
        "the Python generator wrote only {generated_files:?}"
    );
    for f in &generated_files {
        let path = format!("clients/python/jifen_client/{}", f.display());
        match std::fs::read_to_string(committed_dir.join(f)) {
            Err(_) => stale.push(format!("{path}: missing")),
            Ok(c) => {
                let g = std::fs::read_to_string(generated_dir.join(f)).unwrap();
                if c != g {
                    stale.push(format!("{path}: {}", first_difference(&c, &g)));
                }
            }
        }
    }
    for f in committed_files
        .iter()
        .filter(|f| !generated_files.contains(f))
    {
        stale.push(format!(
            "clients/python/jifen_client/{}: no longer generated",
            f.display()
        ));
    }
    assert!(
        stale.is_empty(),
        "the generated clients are out of date with docs/openapi.json; {REGENERATE}\n{}",
        stale.join("\n")
    );
}

/// The TypeScript client and its tour, compiled once with the pinned `tsc` in a directory of
/// its own (a copy of `clients/typescript` beside the installed `node_modules`).
fn compiled_typescript() -> &'static Path {
    static COMPILED: OnceLock<PathBuf> = OnceLock::new();
    COMPILED.get_or_init(|| {
        tools();
        let dir = tempfile::Builder::new()
            .prefix("jifen-ts-")
            .tempdir()
            .unwrap()
            .keep();
        let source = repo().join("clients/typescript");
        for f in ["package.json", "tsconfig.json"] {
            std::fs::copy(source.join(f), dir.join(f)).unwrap();
        }
        for sub in ["src", "examples"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for f in files(&source.join(sub)) {
                std::fs::copy(source.join(sub).join(&f), dir.join(sub).join(&f)).unwrap();
            }
        }
        let modules = cache().join("npm/node_modules");
        std::os::unix::fs::symlink(&modules, dir.join("node_modules")).unwrap();
        let out = Command::new("node")
            .arg(modules.join("typescript/bin/tsc"))
            .args(["-p", "tsconfig.json"])
            .current_dir(&dir)
            .output()
            .expect("run tsc (node is needed)");
        assert!(
            out.status.success(),
            "the TypeScript client or its tour does not compile:\n{}",
            text(&out)
        );
        dir
    })
}

fn run_tour(mut cmd: Command, server: &Server, language: &str) -> String {
    let out = cmd
        .env("JIFEN", format!("http://{}", server.addr))
        .env("KEY", &server.key)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("run the {language} tour: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the {language} tour failed:\n{}",
        text(&out)
    );
    stdout
}

/// The tour's output: each figure the demo program gives, the retry that returned the first
/// answer, the typed error, the members walked page by page (`members` in all), and a batch
/// whose events answer for themselves.
fn assert_tour(language: &str, stdout: &str, members: usize) {
    let lines: Vec<&str> = stdout.lines().collect();
    let expected_prefixes = [
        "enrolled tour-",
        "purchase of ¥268.00: processed, +268 points",
        "balance: 268 available, 268 earned",
        "attempt 1 failed (the connection dropped before the answer arrived); sending the same \
         id again",
        "redeemed 50 points: 218 available",
        "the same redemption again: same answer true, 218 available",
        "insufficient_points caught: status 422, ",
        &format!("members listed page by page: {members}, tour-"),
        "batch: processed, failed member_not_found",
    ];
    assert_eq!(
        lines.len(),
        expected_prefixes.len(),
        "{language} tour:\n{stdout}"
    );
    for (line, prefix) in lines.iter().zip(expected_prefixes) {
        assert!(
            line.starts_with(prefix),
            "{language} tour: expected a line starting {prefix:?}, got {line:?}\n{stdout}"
        );
    }
    assert!(
        lines[0].ends_with("(Alice, 1 identity)"),
        "{language}: {}",
        lines[0]
    );
    assert!(
        lines[7].ends_with("among them: true"),
        "{language}: {}",
        lines[7]
    );
}

/// Both tours against one server with the demo program (three members): the TypeScript tour
/// enrolls the fourth member, the Python tour the fifth.
fn tours(database_url: &str) {
    let ts = compiled_typescript();
    let server = Server::start(database_url);

    let mut node = Command::new("node");
    node.arg("dist/examples/tour.js").current_dir(ts);
    let stdout = run_tour(node, &server, "TypeScript");
    assert_tour("TypeScript", &stdout, 4);

    let mut python = Command::new(cache().join("venv-clients/bin/python"));
    python.arg(repo().join("clients/python/examples/tour.py"));
    let stdout = run_tour(python, &server, "Python");
    assert_tour("Python", &stdout, 5);

    let status = server.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tours_run_against_jifen_on_sqlite() {
    let db = TestDb::new(Backend::Sqlite).await;
    tokio::task::spawn_blocking(move || tours(&db.url))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tours_run_against_jifen_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || tours(&url))
        .await
        .unwrap();
    drop(db);
}
