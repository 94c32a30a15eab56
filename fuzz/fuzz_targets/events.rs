#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jifen_server::fuzzing::events(data));
