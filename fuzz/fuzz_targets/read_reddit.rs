//! The `reddit` reader: framing and parsing of arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadminer_fuzz::read("reddit", "RC_2023-01.ndjson", data));
