#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jifen_core::fuzzing::book_snapshot(data));
