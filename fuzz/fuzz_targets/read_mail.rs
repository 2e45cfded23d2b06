//! The mail readers (mbox, Pipermail archives): the first byte chooses
//! which.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadminer_fuzz::read_either(data, ("mbox", "list.mbox"), ("pipermail", "2020-January.txt")));
