//! The pattern compiler (a rule's `pattern`), with a lexicon to refer to.
#![no_main]

use leadminer_core::analyze::rules::pattern;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lexicons = BTreeMap::from([("tools".to_string(), vec!["jig".to_string(), "3d printer".to_string()])]);
    let _ = pattern::compile(text, &lexicons);
    let _ = pattern::phrase(text);
});
