//! `leadminer test`: run the annotated fixtures of rule packs.

use crate::analysis_args::AnalysisArgs;
use anyhow::{bail, Result};
use clap::Args;
use leadminer_core::{fixtures, plugin_host};
use leadminer_core::analyze::rules::{builtin, Pack};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer test`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer test\n      Run the built-in packs' fixtures\n  leadminer test my-packs/bikes.toml\n      Run a pack's fixtures (bikes.fixtures.txt beside it)")]
pub struct TestArgs {
    /// Rule pack files or directories, or plugin libraries (`.so`,
    /// `.dylib`, `.dll`). Each pack's fixtures are `<pack>.fixtures.txt` and
    /// `<pack>.fixtures/*.txt` beside it; a plugin's fixtures are
    /// `<library stem>.fixtures/*.txt` beside it, or given with `--fixtures`.
    /// Without any (and without `--fixtures`), the built-in packs are tested
    /// with their own fixtures.
    #[arg(value_name = "PACK_OR_PLUGIN")]
    packs: Vec<PathBuf>,

    /// Extra fixture files or directories to run against the same analyzers.
    #[arg(long = "fixtures", value_name = "PATH")]
    fixtures: Vec<PathBuf>,

    /// Do not fail on rules of the tested packs that no `# expect:` case
    /// names (they are reported as warnings). Built-in packs never need it.
    #[arg(long)]
    allow_untested: bool,

    #[command(flatten)]
    analysis: AnalysisArgs,
}

/// Runs `leadminer test`.
pub fn run(args: TestArgs) -> Result<ExitCode> {
    let mut files = Vec::new();
    let mut plugin_paths = Vec::new();
    let mut tested: Vec<Pack> = Vec::new();
    for path in &args.packs {
        if plugin_host::is_library(path) {
            plugin_paths.push(path.clone());
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let beside = path.with_file_name(format!("{stem}.fixtures"));
            files.extend(fixtures::txt_files(&beside));
            continue;
        }
        for pack in Pack::load_path(path)? {
            let found = fixtures::fixtures_of_pack(&pack.path);
            if found.is_empty() {
                eprintln!("warning: {} has no fixtures beside it", pack.path.display());
            }
            files.extend(found);
            tested.push(pack);
        }
    }
    for path in &args.fixtures {
        files.extend(if path.is_dir() { fixtures::txt_files(path) } else { vec![path.clone()] });
    }
    let builtin_only = args.packs.is_empty() && args.fixtures.is_empty();
    let loaded = args.analysis.setup().load(&tested, &plugin_paths)?;
    let mut cases = fixtures::load(&files)?;
    let mut file_count = files.len();
    if builtin_only {
        // The built-in packs, with the fixtures compiled into the binary.
        cases.extend(fixtures::builtin()?);
        file_count += builtin::FIXTURES.len();
        tested = builtin::packs()?;
    }
    if cases.is_empty() {
        bail!("no fixture cases found");
    }
    let outcome = fixtures::run(&loaded.analysis, &cases);
    for f in &outcome.failures {
        println!("{f}");
    }
    for e in &outcome.errors {
        println!("{e}");
    }
    // Copies of built-in packs are tested like the user's own.
    let untested = fixtures::untested(&tested, &cases);
    for e in &untested {
        if args.allow_untested {
            eprintln!("warning: {e}");
        } else {
            println!("{e}");
        }
    }
    let failed = outcome.failures.len();
    let problems = outcome.errors.len() + if args.allow_untested { 0 } else { untested.len() };
    let mut summary = format!(
        "{} passed, {failed} failed ({} cases in {file_count} files)",
        outcome.checks - failed,
        outcome.cases,
    );
    if problems > 0 {
        summary.push_str(&format!("; {problems} fixture errors"));
    }
    println!("{summary}");
    Ok(if failed == 0 && problems == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
