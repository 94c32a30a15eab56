//! Every example of the user docs, run as written: `README*.md`, `docs/*.md` and the pages of
//! the translations, `docs/*/*.md` (`docs/zh-CN/`), whatever files are there.
//!
//! - Each ```` ```sh ```` block runs in bash (`set -euo pipefail`). The blocks of one page run in
//!   order as one script, in a fresh directory, against a fresh `jifen serve --demo` of their own
//!   (on SQLite, and again on PostgreSQL), so a page can create a rule in one block and use it
//!   in the next. The script has `JIFEN` (the server's address) and `KEY` (the demo program's key) as the README sets them,
//!   `jifen` on its `PATH` with `JIFEN_DATABASE_URL` naming the server's database (so
//!   `jifen program create` adds a program the server serves), and `cargo run -- …` standing for
//!   that `jifen`. A block that fails fails the test, naming the page and line, with what it
//!   printed (`curl -fsS` also prints the body of an error answer here, to show why).
//! - Each ```` ```json ```` block must parse: as one or more JSON values, or as the members of an
//!   object (a fragment such as `"limits": […], "budget": 100`). Each ```` ```toml ```` block
//!   must parse as TOML.
//! - A block marked `<!-- example: answer -->` on the line before its fence is the answer of the
//!   ```` ```sh ```` block just before it: besides parsing, each key it shows (at any depth) and
//!   each `code` and `doc` link of an `error` or a `reason` must be in what that block printed.
//! - A block marked `<!-- example: not run — why -->` is neither run nor parsed; the reason is
//!   required (it starts a second server, it needs a production host's paths, …).
//!
//! The convention is described for writers in `docs/README.md` ("Writing docs").

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::TestBackend;
use common::process::{JIFEN, Server};
use jifen_store::testkit::TestDb;

/// Printed after each block, with the block's number, to split the script's output by block.
const SEPARATOR: &str = "@@docs-example-done";

/// The longest one page may take.
const PAGE_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, PartialEq)]
enum Marker {
    None,
    Answer,
    NotRun,
}

#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    lang: String,
    marker: Marker,
    text: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The pages whose examples are run: README*.md, docs/*.md and docs/*/*.md (the translations).
fn pages() -> Vec<PathBuf> {
    fn markdown_in(dir: &Path, prefix: &str) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .map(|n| n.to_string_lossy())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".md"))
            })
            .collect()
    }
    let root = root();
    let docs = root.join("docs");
    let mut pages = markdown_in(&root, "README");
    pages.extend(markdown_in(&docs, ""));
    for entry in std::fs::read_dir(&docs).expect("docs/").flatten() {
        if entry.path().is_dir() {
            pages.extend(markdown_in(&entry.path(), ""));
        }
    }
    pages.sort();
    pages
}

/// Reads a marker line: `Ok(None)` when the line is no marker, `Err` when it is a bad one.
fn marker_of(line: &str) -> Result<Option<Marker>, String> {
    let line = line.trim();
    let Some(rest) = line.strip_prefix("<!-- example:") else {
        return Ok(None);
    };
    let Some(body) = rest.strip_suffix("-->") else {
        return Err(format!("a marker on one line ends with `-->`: {line}"));
    };
    let body = body.trim();
    if body == "answer" {
        return Ok(Some(Marker::Answer));
    }
    if let Some(reason) = body.strip_prefix("not run") {
        let reason = reason.trim_start_matches([' ', '—', '-', ':', ',']).trim();
        if reason.len() < 10 {
            return Err(format!(
                "`not run` needs its reason (`<!-- example: not run — why -->`): {line}"
            ));
        }
        return Ok(Some(Marker::NotRun));
    }
    Err(format!(
        "unknown marker (`answer` or `not run — why`): {line}"
    ))
}

/// The fenced blocks of a page, with their markers; errors for bad or stray markers.
fn blocks(text: &str) -> (Vec<Block>, Vec<String>) {
    let mut blocks = Vec::new();
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            let indent = line.len() - trimmed.len();
            let lang = lang.trim().to_owned();
            let marker = match i.checked_sub(1).map(|p| marker_of(lines[p])) {
                Some(Ok(Some(m))) => m,
                Some(Err(e)) => {
                    errors.push(format!("line {i}: {e}"));
                    Marker::None
                }
                _ => Marker::None,
            };
            let mut body = String::new();
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim() != "```" {
                let l = lines[j];
                // Blocks indented in a list item: drop the item's indentation.
                let cut = l.len() - l.trim_start().len();
                body.push_str(&l[cut.min(indent)..]);
                body.push('\n');
                j += 1;
            }
            if marker != Marker::None && lang != "sh" && lang != "json" {
                errors.push(format!(
                    "line {}: a marker before a ```{lang} block, which is never run",
                    i + 1
                ));
            }
            blocks.push(Block {
                line: i + 1,
                lang,
                marker,
                text: body,
            });
            i = j + 1;
            continue;
        }
        if let Err(e) = marker_of(line) {
            errors.push(format!("line {}: {e}", i + 1));
        } else if marker_of(line).ok().flatten().is_some()
            && !lines
                .get(i + 1)
                .is_some_and(|n| n.trim_start().starts_with("```"))
        {
            errors.push(format!(
                "line {}: a marker must be on the line just before a fence",
                i + 1
            ));
        }
        i += 1;
    }
    (blocks, errors)
}

/// A JSON block parses as one or more values, or as the members of an object.
fn parse_json(text: &str) -> Result<Vec<Value>, String> {
    let values: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect();
    match values {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => Err("empty block".into()),
        Err(first) => serde_json::from_str::<Value>(&format!("{{{text}}}"))
            .map(|v| vec![v])
            .map_err(|_| first.to_string()),
    }
}

/// What an answer shows that the output must have: every key it shows, at any depth (so a
/// field renamed or moved is caught), and the code (and `doc` link) of every `error` and `reason` in it. Values may differ: ids,
/// instants and figures depend on the run.
fn answer_checks(value: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for why in ["error", "reason"] {
                    if let Some(Value::Object(err)) = map.get(why)
                        && let Some(Value::String(code)) = err.get("code")
                    {
                        out.push(format!("\"code\":\"{code}\""));
                    }
                    if let Some(Value::Object(err)) = map.get(why)
                        && let Some(Value::String(doc)) = err.get("doc")
                    {
                        out.push(format!("\"doc\":\"{doc}\""));
                    }
                }
                for (key, x) in map {
                    if key != "…" {
                        out.push(format!("\"{key}\":"));
                    }
                    walk(x, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert(c.clone()));
    out
}

/// Everything the script needs before the page's first block: `cargo run -- …` as `jifen …`,
/// and `curl -fsS` that also prints the body of an error answer (`--fail-with-body`, when this
/// curl has it), so a failing example shows why it failed.
fn prelude() -> String {
    String::from(
        r#"set -euo pipefail
cargo() {
  if [ "${1:-}" = run ] && [ "${2:-}" = -- ]; then shift 2; jifen "$@";
  else echo "the docs test runs only 'cargo run -- …'" >&2; return 1; fi
}
if command curl --help all 2>/dev/null | grep -q -- --fail-with-body; then
  curl() {
    local args=() a
    for a in "$@"; do
      if [ "$a" = -fsS ]; then args+=(--fail-with-body -sS); else args+=("$a"); fi
    done
    command curl "${args[@]}"
  }
fi
"#,
    )
}

/// Servers start one at a time: two starting at once may be handed the same free port, and the
/// one that loses prints its key before it fails to bind, while the winner answers its health
/// check.
static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A demo server whose key its own address accepts (checked, and started again otherwise).
fn start_server(database_url: &str) -> Server {
    for _ in 0..3 {
        let mut server = {
            let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
            Server::start(database_url)
        };
        let ours = Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", "-H"])
            .arg(format!("Authorization: Bearer {}", server.key))
            .arg(server.url("/v1/program"))
            .status()
            .is_ok_and(|s| s.success());
        if ours && matches!(server.child.try_wait(), Ok(None)) {
            return server;
        }
        let _ = server.child.kill();
    }
    panic!("no demo server of its own on a free port after 3 tries");
}

struct PageRun {
    page: String,
    failures: Vec<String>,
    blocks_run: usize,
    seconds: f64,
}

fn run_page(path: &Path, backend: TestBackend) -> PageRun {
    let started = Instant::now();
    let page = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).expect("read page");
    let (blocks, mut failures) = blocks(&text);
    for f in &mut failures {
        *f = format!("{page} {f}");
    }
    // JSON blocks parse.
    for b in blocks.iter().filter(|b| b.lang == "json") {
        if b.marker == Marker::NotRun {
            continue;
        }
        if let Err(e) = parse_json(&b.text) {
            failures.push(format!(
                "{page}:{}: the JSON does not parse ({e}); make it real, or mark it \
                 `<!-- example: not run — why -->`",
                b.line
            ));
        }
    }
    // TOML blocks (settings files, template excerpts) parse.
    for b in blocks.iter().filter(|b| b.lang == "toml") {
        if let Err(e) = b.text.parse::<toml::Table>() {
            failures.push(format!("{page}:{}: the TOML does not parse ({e})", b.line));
        }
    }
    // The shell blocks, as one script.
    let runnable: Vec<(usize, &Block)> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.lang == "sh" && b.marker != Marker::NotRun)
        .collect();
    let mut outputs: Vec<Option<String>> = vec![None; blocks.len()];
    let mut blocks_run = 0;
    if !runnable.is_empty() {
        let mut script = prelude();
        for (n, (_, b)) in runnable.iter().enumerate() {
            script.push_str(&format!("# {page}:{}\n", b.line));
            script.push_str(&b.text);
            script.push_str(&format!("\necho; echo '{SEPARATOR} {}'\n", n + 1));
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let test_db = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(TestDb::new(backend));
        let db = test_db.url.clone();
        let server = start_server(&db);
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).expect("bin dir");
        std::os::unix::fs::symlink(JIFEN, bin.join("jifen")).expect("jifen on PATH");
        let work = dir.path().join("work");
        std::fs::create_dir(&work).expect("work dir");
        let mut cmd = Command::new("bash");
        for (k, _) in std::env::vars() {
            if k.starts_with("JIFEN") || k == "KEY" || k == "NOW" {
                cmd.env_remove(k);
            }
        }
        let path_var = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut child = cmd
            .arg("-c")
            .arg(&script)
            .current_dir(&work)
            .env("PATH", path_var)
            .env("JIFEN", format!("http://{}", server.addr))
            .env("KEY", &server.key)
            .env("JIFEN_DATABASE_URL", &db)
            .env("JIFEN_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bash");
        // Read both pipes in threads; bound the page's time.
        let mut out_pipe = child.stdout.take().expect("stdout");
        let mut err_pipe = child.stderr.take().expect("stderr");
        let out_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut out_pipe, &mut s);
            s
        });
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut err_pipe, &mut s);
            s
        });
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if started.elapsed() > PAGE_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = out_thread.join().unwrap_or_default();
        let stderr = err_thread.join().unwrap_or_default();
        drop(server);
        drop(test_db);
        // Split the output by block.
        let mut done = 0;
        let mut current = String::new();
        for line in stdout.lines() {
            if let Some(n) = line.strip_prefix(SEPARATOR) {
                let n: usize = n.trim().parse().expect("block number");
                outputs[runnable[n - 1].0] = Some(std::mem::take(&mut current));
                done = n;
            } else {
                current.push_str(line);
                current.push('\n');
            }
        }
        blocks_run = done;
        match status {
            Some(s) if s.success() && done == runnable.len() => {}
            _ => {
                let failed = runnable.get(done).map(|(_, b)| b.line).unwrap_or(0);
                let why = match status {
                    None => format!("timed out after {} s", PAGE_TIMEOUT.as_secs()),
                    Some(s) => format!("bash ended {s}"),
                };
                failures.push(format!(
                    "{page}:{failed}: the example fails ({why}); fix it, or mark it \
                     `<!-- example: not run — why -->`\n--- its output:\n{current}\n--- \
                     stderr:\n{stderr}"
                ));
            }
        }
    }
    // Answers match what their request printed.
    for (i, b) in blocks.iter().enumerate() {
        if b.marker != Marker::Answer {
            continue;
        }
        let request = i
            .checked_sub(1)
            .map(|p| &blocks[p])
            .filter(|p| p.lang == "sh" && p.marker == Marker::None);
        let Some(_) = request else {
            failures.push(format!(
                "{page}:{}: an answer must follow the ```sh block that prints it",
                b.line
            ));
            continue;
        };
        let Some(output) = &outputs[i - 1] else {
            continue; // the request failed, reported above
        };
        let compact: String = output.split_whitespace().collect::<Vec<_>>().join("");
        let Ok(values) = parse_json(&b.text) else {
            continue; // reported above
        };
        for check in values.iter().flat_map(answer_checks) {
            let check: String = check.split_whitespace().collect();
            if !compact.contains(&check) {
                failures.push(format!(
                    "{page}:{}: the answer shows {check} but the request before it printed:\n{output}",
                    b.line
                ));
            }
        }
    }
    PageRun {
        page,
        failures,
        blocks_run,
        seconds: started.elapsed().as_secs_f64(),
    }
}

#[test]
fn markers_are_read_strictly() {
    assert_eq!(
        marker_of("<!-- example: answer -->"),
        Ok(Some(Marker::Answer))
    );
    assert_eq!(
        marker_of("<!-- example: not run — it starts a second server -->"),
        Ok(Some(Marker::NotRun))
    );
    assert!(marker_of("<!-- example: not run -->").is_err());
    assert!(marker_of("<!-- example: skip -->").is_err());
    assert_eq!(marker_of("<!-- tour:start -->"), Ok(None));
    let (_, errors) = blocks("<!-- example: answer -->\n\ntext\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (b, errors) = blocks("<!-- example: answer -->\n```json\n{\"a\": 1}\n```\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(b[0].marker, Marker::Answer);
}

#[test]
fn json_blocks_parse_as_values_or_members() {
    assert_eq!(
        parse_json("{\"a\": 1}\n{\"b\": 2}\n").map(|v| v.len()),
        Ok(2)
    );
    assert!(parse_json("\"limits\": [1],\n\"budget\": 100\n").is_ok());
    assert!(parse_json("{\"a\": [ … ]}").is_err());
    let checks = answer_checks(&serde_json::json!({"error": {"code": "x", "field": null}}));
    assert_eq!(
        checks,
        vec!["\"code\":\"x\"", "\"error\":", "\"code\":", "\"field\":"]
    );
    let checks =
        answer_checks(&serde_json::json!({"error": {"code": "x", "doc": "https://d/api.md#x"}}));
    assert!(
        checks.contains(&"\"doc\":\"https://d/api.md#x\"".to_owned()),
        "{checks:?}"
    );
}

#[test]
fn every_docs_example_runs_as_written_on_sqlite() {
    every_docs_example_runs_as_written(TestBackend::Sqlite);
}

#[test]
fn every_docs_example_runs_as_written_on_postgres() {
    every_docs_example_runs_as_written(TestBackend::Postgres);
}

fn every_docs_example_runs_as_written(backend: TestBackend) {
    for tool in ["curl", "jq"] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "the docs' examples use {tool}: install it (apt-get install {tool})"
        );
    }
    let pages = pages();
    let names: Vec<String> = pages
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in ["README.md", "api.md", "rules.md", "tiers.md", "rewards.md"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    // Pages run in parallel, a few at a time, each with its own server.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut runs: Vec<PageRun> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(page) = pages.get(i) else {
                            return mine;
                        };
                        mine.push(run_page(page, backend));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("page worker"))
            .collect()
    });
    runs.sort_by(|a, b| a.page.cmp(&b.page));
    let mut failures = Vec::new();
    let mut total = 0;
    for run in &runs {
        eprintln!(
            "{backend:?} {}: {} blocks run in {:.1} s",
            run.page, run.blocks_run, run.seconds
        );
        total += run.blocks_run;
        failures.extend(run.failures.iter().cloned());
    }
    assert!(
        failures.is_empty(),
        "{} failing examples:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(total > 50, "the docs have examples to run ({total})");
}
