//! One-line snapshot tests of what analyzers detect.
//!
//! ```ignore
//! // tests/detections.rs of a plugin crate
//! #[test]
//! fn detections() {
//!     let detector = leadminer_testkit::plugin(MyPlugin::new("").unwrap());
//!     leadminer_testkit::assert_detections!(detector, "fixtures/*.txt");
//! }
//! ```
//!
//! Each fixture file is one post: an optional first line `title: ...` and a
//! blank line, then the body. Body lines starting with `>` are quotes, and
//! lines between two lines starting with three backticks are code. The macro
//! runs the analyzer on every fixture matched by the glob (relative to the
//! test file, as in `insta::glob!`) and snapshots its detections: kind,
//! analyzer, rule, byte span and matched text of every signal, sorted. The
//! scores depend on the scoring weights, which change as they are tuned, so
//! they are redacted; `assert_detections_with_scores!` keeps them.
//!
//! The analyzer is anything that implements the core's
//! [`Analyzer`]: an [`Analysis`]
//! (built-in analyzers and rule packs, all run together), one analyzer, or
//! an SDK plugin wrapped with [`plugin`] (run through the same checks as a
//! plugin loaded from a shared library).

use leadminer_core::analyze::{sort_signals, Analysis, Analyzer, Document, Signal};
use leadminer_core::plugin_host::PluginAnalyzer;
use leadminer_core::model::{Post, PostKind, Region, RegionKind, Source};
use leadminer_core::score::{score, Scores, Weights};
use serde::Serialize;
use std::path::Path;

#[doc(hidden)]
pub use insta;

/// The signals `analyzer` finds in `doc`, sorted, or its error.
fn detect<A: Analyzer + ?Sized>(analyzer: &A, doc: &Document<'_>) -> Result<Vec<Signal>, String> {
    let mut out = Vec::new();
    analyzer.analyze(doc, &mut out).map_err(|e| e.to_string())?;
    sort_signals(&mut out);
    Ok(out)
}

/// An SDK plugin as an analyzer, run through the same checks as a plugin
/// loaded from a shared library.
pub fn plugin<P: leadminer_plugin::Plugin>(plugin: P) -> PluginAnalyzer<P> {
    PluginAnalyzer::from_plugin(plugin)
}

/// One signal in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// Signal kind.
    pub kind: String,
    /// Analyzer.
    pub analyzer: String,
    /// Rule.
    pub rule: String,
    /// Byte span in the post's text (title, blank line, body).
    pub span: (usize, usize),
    /// Matched text.
    pub text: String,
}

/// The detections of one fixture post.
#[derive(Debug, Serialize)]
pub struct Detections {
    /// The post's title, or its first line.
    pub post: String,
    /// Scores with the built-in weights (redacted by default).
    pub scores: Scores,
    /// Signals, sorted by position.
    pub signals: Vec<Found>,
    /// The analyzer's error, if it failed.
    pub error: Option<String>,
}

/// Reads a fixture post (see the crate documentation).
pub fn fixture_post(path: &Path) -> Post {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let test = leadminer_plugin::testing::TestPost::from_fixture(&src);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("fixture");
    let mut post = Post::new(Source::Generic, stem, PostKind::Topic);
    let title = &test.text[..test.body_offset];
    post.title = Some(title.trim_end().to_string()).filter(|t| !t.is_empty());
    post.body = test.text[test.body_offset..].to_string();
    post.regions = test
        .regions
        .iter()
        .filter(|r| r.start >= test.body_offset)
        .map(|r| Region {
            kind: if r.region_kind() == leadminer_plugin::RegionKind::Code { RegionKind::Code } else { RegionKind::Quote },
            start: r.start - test.body_offset,
            end: r.end - test.body_offset,
        })
        .collect();
    post
}

/// Runs an analyzer on one fixture file.
pub fn detections<A: Analyzer + ?Sized>(analyzer: &A, path: &Path) -> Detections {
    let post = fixture_post(path);
    let doc = Document::new(&post);
    let (signals, error) = match detect(analyzer, &doc) {
        Ok(s) => (s, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let (scores, _) = score(&Weights::builtin(), &signals);
    let mut found: Vec<Found> = signals
        .iter()
        .map(|s| Found {
            kind: s.kind.to_string(),
            analyzer: s.analyzer.to_string(),
            rule: s.rule.to_string(),
            span: (s.start, s.end),
            text: doc.text.get(s.start..s.end).unwrap_or("").to_string(),
        })
        .collect();
    found.sort_by(|a, b| (a.span, &a.rule).cmp(&(b.span, &b.rule)));
    let first_line = doc.text.lines().next().unwrap_or("").to_string();
    Detections { post: first_line, scores, signals: found, error }
}

/// Checks that a plugin's trigger words occur in every fixture post it
/// finds something in, so leadminer's prefilter never hides its detections.
pub fn assert_triggers_cover<P: leadminer_plugin::Plugin>(plugin: P, fixtures: &Path) {
    let triggers = P::TRIGGERS.unwrap_or(&[]);
    let detector = PluginAnalyzer::from_plugin(plugin);
    for path in leadminer_core::fixtures::txt_files(fixtures) {
        let found = detections(&detector, &path);
        assert_eq!(found.error, None, "{}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_default().to_lowercase();
        assert!(
            found.signals.is_empty() || P::TRIGGERS.is_none() || triggers.iter().any(|t| text.contains(&t.to_lowercase())),
            "{}: signals in a post without triggers",
            path.display()
        );
    }
}

/// Checks that the shared library this crate builds (named `library` as
/// Cargo names it, `_` for `-`; found beside the test binary's `deps`
/// folder), loaded through leadminer's host and the C ABI, finds exactly
/// what the plugin type finds when called directly, on every fixture in
/// `fixtures`. When the library is missing, the failure says which `cargo
/// build` command builds it.
pub fn assert_abi_matches_direct<P: leadminer_plugin::Plugin>(plugin: P, library: &str, fixtures: &Path) {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("test binary path: {e}"));
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap_or_else(|| panic!("no target folder above {}", exe.display()));
    let lib = profile_dir.join(format!("{}{library}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
    assert!(lib.is_file(), "{}", missing_library(&lib, profile_dir, library));
    let loaded = leadminer_core::plugin_host::load(&lib, "").unwrap_or_else(|e| panic!("{e}"));
    let over_abi = Analysis::new(vec![Box::new(loaded)]);
    let direct = PluginAnalyzer::from_plugin(plugin);
    let mut found_any = false;
    for path in leadminer_core::fixtures::txt_files(fixtures) {
        let a = detections(&over_abi, &path);
        let b = detections(&direct, &path);
        assert_eq!(a.error, None, "{}", path.display());
        assert_eq!(a.signals, b.signals, "{}", path.display());
        found_any |= !a.signals.is_empty();
    }
    assert!(found_any, "no fixture in {} has detections", fixtures.display());
}

/// The failure message of [`assert_abi_matches_direct`] for a library that
/// is not built: the command that builds it, for the package under test
/// (`CARGO_PKG_NAME`, which `cargo test` sets) and the profile of the test
/// binary.
fn missing_library(lib: &Path, profile_dir: &Path, library: &str) -> String {
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| library.replace('_', "-"));
    let release = if profile_dir.file_name().is_some_and(|d| d == "release") { " --release" } else { "" };
    format!(
        "{} was not built: build the plugin library first with `cargo build --lib -p {package}{release}` \
         (its Cargo.toml needs `crate-type = [\"cdylib\", \"rlib\"]` under [lib]), then run the tests again",
        lib.display()
    )
}

/// Snapshots the detections of `$detector` on every fixture matched by
/// `$glob`, with the scores redacted.
#[macro_export]
macro_rules! assert_detections {
    ($detector:expr, $glob:expr) => {{
        let detector = $detector;
        $crate::insta::glob!($glob, |path| {
            let found = $crate::detections(&detector, path);
            $crate::insta::assert_yaml_snapshot!(found, { ".scores" => "[scores]" });
        });
    }};
}

/// Like [`assert_detections!`], keeping the scores.
#[macro_export]
macro_rules! assert_detections_with_scores {
    ($detector:expr, $glob:expr) => {{
        let detector = $detector;
        $crate::insta::glob!($glob, |path| {
            let found = $crate::detections(&detector, path);
            $crate::insta::assert_yaml_snapshot!(found);
        });
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_names_the_command_that_builds_it() {
        let debug = missing_library(Path::new("target/debug/libbike_parts.so"), Path::new("target/debug"), "bike_parts");
        assert!(debug.contains("target/debug/libbike_parts.so was not built"), "{debug}");
        // Under `cargo test` the package is the one being tested (here the testkit).
        assert!(debug.contains("`cargo build --lib -p leadminer-testkit`"), "{debug}");
        let release = missing_library(Path::new("target/release/libx.so"), Path::new("target/release"), "x");
        assert!(release.contains(" --release`"), "{release}");
    }
}
