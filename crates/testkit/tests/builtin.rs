//! The built-in analyzers (rule packs and code analyzers) on a small corpus
//! of fixture posts, through the testkit they offer to pack and plugin
//! authors.

use leadminer_core::setup::standard_analysis;

#[test]
fn builtin_detections() {
    let analysis = standard_analysis(&[], Vec::new()).expect("built-in analysis");
    leadminer_testkit::assert_detections!(analysis, "fixtures/*.txt");
}
