//! The generic readers (JSON lines, CSV) with same-named fields: the first
//! byte chooses which.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    if which % 2 == 0 {
        leadminer_fuzz::read("jsonl", "forum.jsonl", rest);
    } else {
        leadminer_fuzz::read("csv", "forum.csv", rest);
    }
});
