//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared development corpora, or `None` (with a SKIPPED line naming
/// the test) when they are not beside the repository.
pub fn corpora(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("LEADMINER_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpora"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED {test}: corpora not found at {} (set LEADMINER_CORPORA)", dir.display());
        None
    }
}

/// Runs the `leadminer` binary with `args`.
pub fn leadminer<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_leadminer"))
        .args(args)
        .output()
        .expect("the leadminer binary runs")
}

/// Runs `leadminer stats --json` and parses its output.
pub fn stats_json(inputs: &[&Path], extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<std::ffi::OsString> = vec!["stats".into(), "--json".into()];
    args.extend(extra.iter().map(Into::into));
    args.extend(inputs.iter().map(|p| p.as_os_str().to_owned()));
    let out = leadminer(&args);
    assert!(
        out.status.success(),
        "leadminer stats failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stats --json prints JSON")
}
