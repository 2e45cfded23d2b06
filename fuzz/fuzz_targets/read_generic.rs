//! The generic readers (JSON lines, CSV) with same-named fields: the first
//! byte chooses which.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadminer_fuzz::read_either(data, ("jsonl", "forum.jsonl"), ("csv", "forum.csv")));
