#![no_main]
//! libFuzzer target: `domain::fuzzing::hours`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::hours(data));
