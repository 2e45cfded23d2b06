//! The Stack Exchange readers (`Posts.xml`, `Comments.xml`): the first byte
//! chooses which.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    if which % 2 == 0 {
        leadminer_fuzz::read("stackexchange-posts", "Posts.xml", rest);
    } else {
        leadminer_fuzz::read("stackexchange-comments", "Comments.xml", rest);
    }
});
