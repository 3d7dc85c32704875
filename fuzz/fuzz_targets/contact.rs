#![no_main]
//! libFuzzer target: `domain::fuzzing::contact`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::contact(data));
