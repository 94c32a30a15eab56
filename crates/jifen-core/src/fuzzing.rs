//! Entry points for the fuzz targets in `fuzz/` and for the test that replays their corpora.
//!
//! Each function takes arbitrary bytes, drives one parser of the core the way the server does,
//! and panics only if a property the core promises is broken (a panic inside the core is a
//! finding too). The fuzz targets are one-line wrappers around these, and
//! `tests/fuzz_corpus.rs` feeds every committed corpus file through them on stable Rust, so
//! the corpora are regression tests of every test run. Not part of the API.

use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::ledger::Snapshot;
use crate::rewards::codes;
use crate::rewards::voucher::VoucherTemplate;
use crate::rules::{Condition, Facts, Truth};
use crate::{Book, Timestamp};

/// The stack of a thread of the server's runtime (tokio's default): conditions are compiled
/// and judged on such threads, so a condition must not need more.
pub const WORKER_STACK: usize = 2 * 1024 * 1024;

/// The instant the targets judge at.
fn now() -> Timestamp {
    static NOW: LazyLock<Timestamp> = LazyLock::new(|| {
        "2026-06-18T12:00:00Z"
            .parse()
            .expect("a fixed instant parses")
    });
    *NOW
}

/// Runs `f` on a thread with the stack of a server worker, propagating its panic.
fn on_worker_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(s, f)
            .expect("a thread starts");
        match handle.join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// A rule condition: the bytes up to the first NUL are the CEL source, the rest (if JSON) the
/// event's `attributes`. The condition is compiled as `PUT /v1/rules/{id}` does; one that
/// compiles is judged against a purchase, and evaluated as a meter key, as an event does. All
/// of it runs on a stack the size of a server worker's. Compiling and judging must return;
/// the fuzzer's `-timeout` is what says they returned in time.
pub fn rule_condition(data: &[u8]) {
    let (source, attributes) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(source) = std::str::from_utf8(source) else {
        return;
    };
    let attributes: Value = serde_json::from_slice(attributes)
        .ok()
        .filter(Value::is_object)
        // The server refuses attributes past the limits conditions are bounded for.
        .filter(|a| crate::rules::limits::check_attributes(a).is_ok())
        .unwrap_or_else(|| json!({"order_id": "T-1001", "amount": 26800}));
    on_worker_stack(|| {
        let Ok(condition) = Condition::compile(source) else {
            return;
        };
        assert_eq!(condition.source(), source);
        let at = now();
        let event = json!({
            "id": "evt-1",
            "type": "purchase",
            "occurred_at": at.to_rfc3339(),
            "site": "tmall",
            "attributes": attributes,
            "amount": attributes.get("amount").and_then(Value::as_i64),
            "local": {"date": "2026-06-18", "year": 2026, "month": 6, "day": 18, "hour": 20,
                      "weekday": 4},
        });
        let member = json!({
            "id": "alice",
            "status": "active",
            "enrolled_at": "2026-01-01T00:00:00+00:00",
            "birthday": "1990-06-18",
            "attributes": {"city": "上海", "vip": true},
            "tags": ["vip", "618"],
            "streaks": {"check_in": 7},
            "meters": {"taoqizhi": 1200, "618-orders": 2},
            "tier": "super",
        });
        let facts = Facts::new(&event, &member, &json!({"id": "demo"}), at);
        match condition.eval(&facts) {
            Truth::True | Truth::False | Truth::Error(_) => {}
        }
        let _ = condition.strings(&facts);
    });
}

/// A voucher code as a member types it, and a voucher template as `PUT /v1/voucher-templates/{id}`
/// reads it. Codes: the canonical form is stable, a code that passes its check character
/// prints and reads back as itself, and a check character computed for a body makes it pass.
/// Templates: one that validates is stored as JSON and reads back as itself, and describes
/// itself and its validity window.
pub fn voucher_code(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let code = codes::canonical(&input);
    assert_eq!(codes::canonical(&code), code, "canonical is idempotent");
    if codes::checksum_ok(&code) {
        assert_eq!(codes::canonical(&codes::display(&code)), code);
    }
    if codes::valid_imported(&code) {
        assert!((4..=32).contains(&code.len()));
    }
    if let Some(c) = codes::check_char(&code) {
        let with_check = format!("{code}{c}");
        assert!(
            codes::checksum_ok(&with_check) || with_check.len() < 2,
            "{with_check} fails its own check character"
        );
    }
    if let Some(random) = data.get(..8) {
        let random: [u8; 8] = random.try_into().expect("eight bytes");
        let prefix = data.get(8..).and_then(|p| std::str::from_utf8(p).ok());
        let generated = codes::generate(prefix.filter(|p| codes::valid_prefix(p)), random);
        assert!(codes::checksum_ok(&generated), "{generated}");
    }
    if let Ok(template) = serde_json::from_slice::<VoucherTemplate>(data)
        && template.validate().is_ok()
    {
        let stored = serde_json::to_string(&template).expect("a template serializes");
        let read: VoucherTemplate = serde_json::from_str(&stored).expect("a stored template reads");
        assert_eq!(read, template);
        let _ = template.gives();
        let _ = template.title_in("zh-CN");
        let (from, until) = template.window(now());
        if let (Some(from), Some(until)) = (from, until) {
            assert!(from < until, "an empty validity window");
        }
    }
}

/// A stored book snapshot, read as the server reads it before a write: decoded, restored,
/// moved to now, its expiries recorded, its figures computed, and saved again. Bytes that do
/// not decode are ignored (the book is replayed from its entries); a snapshot that decodes
/// encodes back to bytes that decode to it, and so does the one the book saves after, when it
/// is sound.
pub fn book_snapshot(data: &[u8]) {
    let Some(snapshot) = Snapshot::decode(data) else {
        return;
    };
    let bytes = snapshot.encode();
    assert_eq!(Snapshot::decode(&bytes).as_ref(), Some(&snapshot));
    let mut book = Book::from_snapshot(snapshot);
    let _ = book.balance();
    let _ = book.advance_to(now());
    let _ = book.record_expiries();
    let _ = book.balance();
    let _ = book.next_due();
    // What the book saves reads back, unless its figures came near i64 (points of a lot and
    // their recorded expiry together past it): such a snapshot is ignored on the next read and
    // the book replayed, as for any snapshot that is not sound.
    let saved = book.snapshot();
    if saved.is_sound() {
        assert_eq!(Snapshot::decode(&saved.encode()), Some(saved));
    }
}

/// Feeds every committed input of a fuzz target — `fuzz/corpus/<target>` and
/// `fuzz/regressions/<target>` under `fuzz_dir` — through `run`, failing on the first that
/// panics, or when the corpus holds fewer than ten inputs (an uncommitted corpus). The stable
/// tests of the crates that hold targets call this.
pub fn replay_corpus(fuzz_dir: &std::path::Path, target: &str, run: fn(&[u8])) {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let bytes = std::fs::read(&path).expect("a corpus file reads");
            files.push((path, bytes));
        }
    }
    files.sort();
    assert!(
        files.len() >= 10,
        "fuzz/corpus/{target} holds {} inputs; is the corpus committed?",
        files.len()
    );
    for (path, bytes) in files {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
}
