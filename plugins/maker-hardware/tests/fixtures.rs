//! The plugin's detections on every post in `tests/fixtures/`, as
//! snapshots, through the leadminer testkit. A fixture is a post: an
//! optional `title: ...` line and a blank line, then the body; body lines
//! starting with `>` are quotes.

use leadminer_plugin::testing::{run, TestPost};
use leadminer_plugin::Plugin;
use maker_hardware::MakerHardware;

#[test]
fn fixtures() {
    let plugin = MakerHardware::new("").expect("default options");
    leadminer_testkit::assert_detections!(leadminer_testkit::plugin(plugin), "fixtures/*.txt");
}

/// The plugin's triggers cover every post it finds something in, so the
/// prefilter never hides its detections.
#[test]
fn triggers_cover_the_fixtures() {
    let plugin = MakerHardware::new("").expect("default options");
    insta::glob!("fixtures/*.txt", |path| {
        let src = std::fs::read_to_string(path).expect("fixture is UTF-8 text");
        let post = TestPost::from_fixture(&src);
        let found = run(&plugin, &post).expect("signals pass leadminer's checks");
        let lower = post.text.to_lowercase();
        let triggers = MakerHardware::TRIGGERS.expect("has triggers");
        assert!(found.is_empty() || triggers.iter().any(|t| lower.contains(t)), "signals in a post without triggers");
    });
}

/// Through the C ABI — the library this crate builds, loaded by leadminer's
/// host — the plugin finds exactly what the direct calls above find.
#[test]
fn over_the_abi_matches_direct_calls() {
    // The test binary lives in target/<profile>/deps; the library beside it
    // in target/<profile>.
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target profile folder");
    let lib = profile_dir.join(format!("{}maker_hardware{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
    assert!(lib.is_file(), "{} was not built", lib.display());
    let loaded = leadminer_core::plugin_host::load(&lib, "").expect("the built library loads");
    let over_abi = leadminer_core::analyze::Analysis::new(vec![Box::new(loaded)]);
    let direct = leadminer_testkit::plugin(MakerHardware::new("").expect("default options"));
    let mut found_any = false;
    insta::glob!("fixtures/*.txt", |path| {
        let a = leadminer_testkit::detections(&over_abi, path);
        let b = leadminer_testkit::detections(&direct, path);
        assert_eq!(a.error, None);
        assert_eq!(a.signals, b.signals);
        found_any |= !a.signals.is_empty();
    });
    assert!(found_any, "no fixture has detections");
}
