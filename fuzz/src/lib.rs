//! What every fuzz target checks besides "no panic, no hang": the
//! invariants leadminer's outputs rely on.

use leadminer_core::pipeline::{parse_bytes, Parsed};
use leadminer_core::read::{Registry, ReadOptions};
use leadminer_core::Post;
use std::path::Path;

/// The record limit while fuzzing: small, so that the limit's code paths
/// are reached.
const MAX_RECORD: usize = 64 * 1024;

/// Reads `data` as a file named `name` in the format `format`, checking
/// every post and error.
pub fn read(format: &str, name: &str, data: &[u8]) {
    let format = Registry::builtin().find(format).expect("a built-in format");
    let options = ReadOptions { max_record: MAX_RECORD, ..ReadOptions::default() };
    for parsed in parse_bytes(format, Path::new(name), data, &options) {
        match parsed {
            Parsed::Post(post) => check_post(&post),
            Parsed::Skipped(e) | Parsed::BadField(e) => {
                // Messages quote at most a short excerpt of the input.
                assert!(e.message.len() < 1024, "message of {} bytes", e.message.len());
                assert!(e.record.as_ref().is_none_or(|id| id.len() < 1024));
            }
            Parsed::File(_) => {}
        }
    }
}

/// Reads `data` after its first byte as the first `(format, name)` when
/// that byte is even, as the second when it is odd: one target for two
/// formats that share a reader.
pub fn read_either(data: &[u8], even: (&str, &str), odd: (&str, &str)) {
    let Some((&which, rest)) = data.split_first() else { return };
    let (format, name) = if which % 2 == 0 { even } else { odd };
    read(format, name, rest);
}

/// A post's regions lie inside its body, on character boundaries, sorted.
pub fn check_post(post: &Post) {
    check_regions(&post.body, post.regions.iter().map(|r| (r.start, r.end)));
    if let Some(t) = post.created {
        assert!(leadminer_core::read::plausible_times().contains(&t), "time {t}");
    }
}

/// Each region `(start, end)` lies inside `text`, on character
/// boundaries, and they come sorted by start.
pub fn check_regions(text: &str, regions: impl Iterator<Item = (usize, usize)>) {
    let mut last = 0;
    for (start, end) in regions {
        assert!(start <= end && end <= text.len(), "region {start}..{end} of {}", text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "region {start}..{end}");
        assert!(start >= last, "regions out of order");
        last = start;
    }
}
