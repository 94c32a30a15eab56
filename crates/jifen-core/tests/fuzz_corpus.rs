//! The fuzz corpora as regression tests: every committed input of `fuzz/corpus/<target>` and
//! `fuzz/regressions/<target>` goes through the function its fuzz target calls, on stable
//! Rust, in every test run (see docs/fuzzing.md).

use std::path::PathBuf;

use jifen_core::fuzzing;

/// The committed inputs of a target: its corpus and the inputs of findings fixed since.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
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
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
}

#[test]
fn rule_condition_corpus_replays() {
    replay("rule_condition", fuzzing::rule_condition);
}

#[test]
fn voucher_code_corpus_replays() {
    replay("voucher_code", fuzzing::voucher_code);
}

#[test]
fn book_snapshot_corpus_replays() {
    replay("book_snapshot", fuzzing::book_snapshot);
}
