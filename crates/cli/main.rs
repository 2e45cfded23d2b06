//! `leadminer`: find user innovations and lead users in community dumps.

mod input;
mod plugins_cmd;
mod stats_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Find user innovations and lead users in community dumps.
#[derive(Parser)]
#[command(name = "leadminer", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// What the inputs hold: formats, posts by kind, threads, dates,
    /// communities, top authors and skipped records.
    Stats(stats_cmd::StatsArgs),
    /// Analyzer plugins: list what would be loaded, inspect a library.
    Plugins(plugins_cmd::PluginsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Stats(args) => stats_cmd::run(args),
        Command::Plugins(args) => plugins_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("leadminer: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
