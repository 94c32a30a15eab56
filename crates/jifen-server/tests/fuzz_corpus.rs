//! The fuzz corpora as regression tests: every committed input of `fuzz/corpus/<target>` and
//! `fuzz/regressions/<target>` goes through the function its fuzz target calls, on stable
//! Rust, in every test run (see docs/fuzzing.md).

use std::path::PathBuf;

use jifen_server::fuzzing;

/// Every committed input of `target` through `run`.
fn replay(target: &str, run: fn(&[u8])) {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    jifen_core::fuzzing::replay_corpus(&fuzz, target, run);
}

#[test]
fn events_corpus_replays() {
    replay("events", fuzzing::events);
}
