//! `leadminer test`: run the annotated fixtures of rule packs.

use crate::analysis_args::AnalysisArgs;
use anyhow::{bail, Result};
use clap::Args;
use leadminer_core::analyze::standard_analysis;
use leadminer_core::fixtures;
use leadminer_core::plugin_host::load_all;
use leadminer_core::rules::Pack;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `leadminer test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// Rule pack files or directories, or plugin libraries (`.so`,
    /// `.dylib`, `.dll`). Each pack's fixtures are `<pack>.fixtures.txt` and
    /// `<pack>.fixtures/*.txt` beside it; a plugin's fixtures are
    /// `<library stem>.fixtures/*.txt` beside it, or given with `--fixtures`.
    #[arg(value_name = "PACK_OR_PLUGIN", required_unless_present = "fixtures")]
    packs: Vec<PathBuf>,

    /// Extra fixture files or directories to run against the same analyzers.
    #[arg(long = "fixtures", value_name = "PATH")]
    fixtures: Vec<PathBuf>,

    #[command(flatten)]
    analysis: AnalysisArgs,
}

/// Runs `leadminer test`.
pub fn run(args: TestArgs) -> Result<ExitCode> {
    let mut packs = args.analysis.packs()?;
    let mut files = Vec::new();
    let mut plugin_paths = args.analysis.plugins.clone();
    for path in &args.packs {
        if is_library(path) {
            plugin_paths.push(path.clone());
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let beside = path.with_file_name(format!("{stem}.fixtures"));
            files.extend(fixtures::txt_files(&beside));
            continue;
        }
        let loaded = Pack::load_path(path)?;
        for pack in &loaded {
            let found = fixtures::fixtures_of_pack(&pack.path);
            if found.is_empty() {
                eprintln!("warning: {} has no fixtures beside it", pack.path.display());
            }
            files.extend(found);
        }
        // Built-in packs are already in the standard analysis.
        packs.extend(loaded.into_iter().filter(|p| !is_builtin_copy(&p.path)));
    }
    for path in &args.fixtures {
        files.extend(if path.is_dir() { fixtures::txt_files(path) } else { vec![path.clone()] });
    }
    if files.is_empty() {
        bail!("no fixture files found");
    }
    let (plugins, _) = load_all(&plugin_paths, args.analysis.config.as_deref())?;
    let analysis = standard_analysis(&packs, plugins)?;
    let cases = fixtures::load(&files)?;
    let outcome = fixtures::run(&analysis, &cases);
    for f in &outcome.failures {
        println!("{f}");
    }
    println!(
        "{} passed, {} failed ({} cases in {} files)",
        outcome.checks - outcome.failures.len(),
        outcome.failures.len(),
        outcome.cases,
        files.len()
    );
    Ok(if outcome.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Whether a pack file is the repository's copy of a built-in pack (its id
/// is already loaded; loading it twice would duplicate rule ids).
fn is_builtin_copy(path: &Path) -> bool {
    let Ok(src) = std::fs::read_to_string(path) else { return false };
    leadminer_core::rules::builtin::PACKS.iter().any(|(_, builtin)| *builtin == src)
}

/// Whether a path names a shared library.
fn is_library(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "so" | "dylib" | "dll"))
}
