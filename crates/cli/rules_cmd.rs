//! `leadminer rules check`: validate rule packs.

use anyhow::Result;
use clap::{Args, Subcommand};
use leadminer_core::rules::{builtin, Pack, RuleEngine};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer rules`.
#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// Parse and compile rule packs together with the built-in ones; errors
    /// point to file and line.
    Check {
        /// Pack files or directories.
        #[arg(required = true, value_name = "PACK")]
        packs: Vec<PathBuf>,
    },
}

/// Runs `leadminer rules`.
pub fn run(args: RulesArgs) -> Result<ExitCode> {
    match args.command {
        RulesCommand::Check { packs } => check(&packs),
    }
}

fn check(paths: &[PathBuf]) -> Result<ExitCode> {
    let mut all = builtin::packs()?;
    let builtin_count = all.len();
    let mut failed = false;
    for path in paths {
        match Pack::load_path(path) {
            Ok(packs) => all.extend(packs),
            Err(e) => {
                println!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(1));
    }
    // A copy of a built-in pack would repeat its rule ids: check it alone.
    let user: Vec<Pack> = all.split_off(builtin_count);
    let (to_check, with_builtin): (Vec<Pack>, bool) = if user.iter().any(|p| builtin::PACKS.iter().any(|(_, src)| *src == p.source)) {
        (user.clone(), false)
    } else {
        (all.iter().cloned().chain(user.iter().cloned()).collect(), true)
    };
    match RuleEngine::new(&to_check) {
        Ok(engine) => {
            for p in &user {
                let rules = p.file.rules.len();
                println!("{}: ok, pack '{}' with {rules} rules", p.path.display(), p.file.pack.id);
            }
            let total = engine.rules().len();
            println!("{total} rules compiled{}", if with_builtin { " together with the built-in packs" } else { "" });
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{e}");
            Ok(ExitCode::from(1))
        }
    }
}
