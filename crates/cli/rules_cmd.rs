//! `leadminer rules check`: validate rule packs.

use crate::analysis_args::AnalysisArgs;
use anyhow::Result;
use clap::{Args, Subcommand};
use leadminer_core::analyze::rules::Pack;
use leadminer_core::setup::SetupError;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer rules`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer rules check my-packs/\n      Parse and check packs; errors name the file and line")]
pub struct RulesArgs {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// Parse and compile rule packs together with the built-in ones, and
    /// check that every rule's kind counts for a label (in the weights or a
    /// plugin's kinds); errors point to file and line.
    Check {
        /// Pack files or directories.
        #[arg(required = true, value_name = "PACK")]
        packs: Vec<PathBuf>,

        #[command(flatten)]
        analysis: AnalysisArgs,
    },
}

/// Runs `leadminer rules`.
pub fn run(args: RulesArgs) -> Result<ExitCode> {
    match args.command {
        RulesCommand::Check { packs, analysis } => check(&packs, &analysis),
    }
}

fn check(paths: &[PathBuf], analysis: &AnalysisArgs) -> Result<ExitCode> {
    let mut packs = Vec::new();
    let mut failed = false;
    for path in paths {
        match Pack::load_path(path) {
            Ok(loaded) => packs.extend(loaded),
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(1));
    }
    match analysis.setup().load(&packs, &[]) {
        Ok(loaded) => {
            for p in &loaded.copies {
                println!("{}: ok, a copy of the built-in pack '{}' (already loaded)", p.path.display(), p.file.pack.id);
            }
            for p in &loaded.user {
                let rules = p.file.rules.len();
                println!("{}: ok, pack '{}' with {rules} rules", p.path.display(), p.file.pack.id);
            }
            println!("{} rules compiled together with the built-in packs", loaded.rules);
            Ok(ExitCode::SUCCESS)
        }
        Err(SetupError::Packs(errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
