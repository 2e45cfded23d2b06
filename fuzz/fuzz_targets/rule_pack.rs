//! Rule packs: the TOML parser and the compilation of every rule into the
//! engine. A bad pack is an error with a line inside the source.
#![no_main]

use leadminer_core::analyze::rules::{Pack, RuleEngine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let lines = source.lines().count().max(1);
    match Pack::parse("fuzz.toml", source) {
        Ok(pack) => {
            if let Err(e) = RuleEngine::new(&[pack]) {
                assert!(e.line >= 1 && e.line <= lines + 1, "line {} of {lines}", e.line);
            }
        }
        Err(e) => assert!(e.line >= 1 && e.line <= lines + 1, "line {} of {lines}", e.line),
    }
});
