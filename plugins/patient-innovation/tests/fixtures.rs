//! The plugin's detections on every post in `tests/fixtures/`, as
//! snapshots, through the leadminer testkit. A fixture is a post: an
//! optional `title: ...` line and a blank line, then the body; body lines
//! starting with `>` are quotes.

use leadminer_plugin::testing::{run, TestPost};
use leadminer_plugin::Plugin;
use patient_innovation::PatientInnovation;

#[test]
fn fixtures() {
    let plugin = PatientInnovation::new("").expect("default options");
    leadminer_testkit::assert_detections!(leadminer_testkit::plugin(plugin), "fixtures/*.txt");
}

/// The plugin's triggers cover every post it finds something in, so the
/// prefilter never hides its detections.
#[test]
fn triggers_cover_the_fixtures() {
    let plugin = PatientInnovation::new("").expect("default options");
    insta::glob!("fixtures/*.txt", |path| {
        let src = std::fs::read_to_string(path).expect("fixture is UTF-8 text");
        let post = TestPost::from_fixture(&src);
        let found = run(&plugin, &post).expect("signals pass leadminer's checks");
        let lower = post.text.to_lowercase();
        let triggers = PatientInnovation::TRIGGERS.expect("has triggers");
        assert!(found.is_empty() || triggers.iter().any(|t| lower.contains(t)), "signals in a post without triggers");
    });
}
