#![no_main]
//! libFuzzer target: `domain::fuzzing::period`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::period(data));
