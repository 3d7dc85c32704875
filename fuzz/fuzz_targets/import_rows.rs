#![no_main]
//! libFuzzer target: `domain::fuzzing::import_rows`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::import_rows(data));
