//! The fuzz corpora as regression tests: every committed input of `fuzz/corpus/<target>` and
//! `fuzz/regressions/<target>` goes through the function its fuzz target calls, on stable
//! Rust, in every test run (see docs/fuzzing.md).

use std::path::PathBuf;

use jifen_core::fuzzing;

/// Every committed input of `target` through `run`.
fn replay(target: &str, run: fn(&[u8])) {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    jifen_core::fuzzing::replay_corpus(&fuzz, target, run);
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
