//! The mail readers (mbox, Pipermail archives): the first byte chooses
//! which.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    if which % 2 == 0 {
        leadminer_fuzz::read("mbox", "list.mbox", rest);
    } else {
        leadminer_fuzz::read("pipermail", "2020-January.txt", rest);
    }
});
