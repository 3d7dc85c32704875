#![no_main]
//! libFuzzer target: `domain::fuzzing::intake`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::intake(data));
