//! Markdown bodies to text with quote and code regions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else { return };
    let text = leadminer_core::text::markdown::to_text(markdown);
    leadminer_fuzz::check_regions(&text.text, text.regions.iter().map(|r| (r.start, r.end)));
});
