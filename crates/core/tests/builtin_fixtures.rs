//! The built-in rule packs and analyzers pass their own fixtures
//! (`crates/core/rules/*.fixtures.txt`).

use leadminer_core::analyze::standard_analysis;
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
}
