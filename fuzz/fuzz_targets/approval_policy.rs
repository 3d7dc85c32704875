#![no_main]
//! libFuzzer target: `domain::fuzzing::approval_policy`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::approval_policy(data));
