//! The Stack Exchange readers (`Posts.xml`, `Comments.xml`): the first byte
//! chooses which.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadminer_fuzz::read_either(data, ("stackexchange-posts", "Posts.xml"), ("stackexchange-comments", "Comments.xml")));
