#![no_main]
//! libFuzzer target: `domain::fuzzing::search_words`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| domain::fuzzing::search_words(data));
