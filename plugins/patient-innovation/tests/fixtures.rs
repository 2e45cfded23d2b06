//! The plugin's detections on every post in `tests/fixtures/`, as
//! snapshots, through the leadminer testkit. A fixture is a post: an
//! optional `title: ...` line and a blank line, then the body; body lines
//! starting with `>` are quotes.

use leadminer_plugin::Plugin;
use patient_innovation::PatientInnovation;
use std::path::Path;

fn plugin() -> PatientInnovation {
    PatientInnovation::new("").expect("default options")
}

fn fixture_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

#[test]
fn fixtures() {
    leadminer_testkit::assert_detections!(leadminer_testkit::plugin(plugin()), "fixtures/*.txt");
}

/// The prefilter never hides the plugin's detections.
#[test]
fn triggers_cover_the_fixtures() {
    leadminer_testkit::assert_triggers_cover(plugin(), fixture_dir());
}

/// Through the C ABI (the library this crate builds, loaded by leadminer's
/// host) the plugin finds exactly what direct calls find.
#[test]
fn over_the_abi_matches_direct_calls() {
    leadminer_testkit::assert_abi_matches_direct(plugin(), "patient_innovation", fixture_dir());
}
