//! The built-in rule packs and analyzers pass their own fixtures
//! (`crates/core/rules/*.fixtures.txt`).

use leadminer_core::setup::standard_analysis;
use leadminer_core::fixtures;
use std::path::PathBuf;

#[test]
fn builtin_packs_pass_their_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files = Vec::new();
    for name in ["solution", "need", "commercial", "sharing", "response"] {
        let found = fixtures::fixtures_of_pack(&dir.join(format!("{name}.toml")));
        assert!(!found.is_empty(), "no fixtures for {name}");
        files.extend(found);
    }
    let cases = fixtures::load(&files).expect("fixtures parse");
    let analysis = standard_analysis(&[], Vec::new()).expect("built-in analysis");
    let outcome = fixtures::run(&analysis, &cases);
    let report: Vec<String> = outcome.failures.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "{} of {} checks failed:\n{}", report.len(), outcome.checks, report.join("\n"));
    assert!(outcome.checks >= 50, "only {} checks", outcome.checks);
    let errors: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "fixtures name rules that do not exist:\n{}", errors.join("\n"));
    // Every built-in rule has a case it must match.
    let packs = leadminer_core::analyze::rules::builtin::packs().expect("built-in packs");
    let untested: Vec<String> = fixtures::untested(&packs, &cases).iter().map(ToString::to_string).collect();
    assert!(untested.is_empty(), "{}", untested.join("\n"));
}

/// The fixtures compiled into the binary are those of `crates/core/rules`.
#[test]
fn embedded_fixtures_are_the_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    for (name, src) in leadminer_core::analyze::rules::builtin::FIXTURES {
        assert_eq!(std::fs::read_to_string(dir.join(name)).expect("fixture file"), *src, "{name}");
    }
    assert_eq!(leadminer_core::analyze::rules::builtin::FIXTURES.len(), leadminer_core::analyze::rules::builtin::PACKS.len());
}
