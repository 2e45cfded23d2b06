//! `leadminer`: find user innovations and lead users in community dumps.

mod analysis_args;
mod config;
mod eval_cmd;
mod explain_cmd;
mod input;
mod interrupt;
mod rules_cmd;
mod scan_cmd;
mod snapshot_cmd;
mod plugins_cmd;
mod progress;
mod pyramid_cmd;
mod rerank_args;
mod stats_cmd;
mod test_cmd;
mod train_cmd;
mod ui;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Scans allocate many small, short-lived buffers per post; mimalloc
/// serves them faster than the system allocator (see README, "Speed"). It
/// is built without transparent huge pages (`no_thp`): with them a scan
/// held about 60 MB more memory on a 2 GB input, for no measurable speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The version, with the commit when built from git: `0.1.0 (abc123def456)`.
pub fn version() -> &'static str {
    match env!("LEADMINER_COMMIT") {
        "" => env!("CARGO_PKG_VERSION"),
        commit => {
            static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            VERSION.get_or_init(|| format!("{} ({commit})", env!("CARGO_PKG_VERSION")))
        }
    }
}

/// The exit codes, shown under `--help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  done, and something is wrong with the inputs or fixtures: a --strict run
     stopped at a bad record, `test` fixtures failed, `rules check` found errors
  2  could not run: a bad option value, an unreadable input named on the
     command line, outputs that cannot be written";

/// Find user innovations and lead users in community dumps.
#[derive(Parser)]
#[command(name = "leadminer", version = version(), about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    ui: ui::UiArgs,
}

#[derive(Subcommand)]
enum Command {
    /// What the inputs hold: formats, posts by kind, threads, dates,
    /// communities, top authors and skipped records.
    Stats(stats_cmd::StatsArgs),
    /// Find user innovations, needs and lead users; write posts.jsonl,
    /// authors.jsonl and summary.json.
    Scan(scan_cmd::ScanArgs),
    /// Precision, recall and F1 per label against gold files; `--cv` for
    /// leave-one-community-out cross-validation of the learned scorer.
    Eval(eval_cmd::EvalArgs),
    /// Fit the learned scorer to labeled posts; `--model` uses it.
    Train(train_cmd::TrainArgs),
    /// From one person, follow whom they point to ("ask X", "@X's plugin")
    /// through a scan's pointers: lead-user pyramiding.
    Pyramid(pyramid_cmd::PyramidArgs),
    /// Show one post with its signals highlighted and its scores explained.
    Explain(explain_cmd::ExplainArgs),
    /// Run the annotated fixtures of rule packs; non-zero exit on failure.
    Test(test_cmd::TestArgs),
    /// Validate rule packs.
    Rules(rules_cmd::RulesArgs),
    /// Print a stable, sorted rendering of the detections in the inputs.
    Snapshot(snapshot_cmd::SnapshotArgs),
    /// Analyzer plugins: list what would be loaded, inspect a library.
    Plugins(plugins_cmd::PluginsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Write the man pages (leadminer.1 and one per subcommand) into a folder.
    Man(ManArgs),
}

/// Arguments of `leadminer completions`.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  leadminer completions bash > ~/.local/share/bash-completion/completions/leadminer")]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Arguments of `leadminer man`.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  leadminer man --out ~/.local/share/man/man1 && man leadminer")]
struct ManArgs {
    /// The folder to write into (made if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: std::path::PathBuf,
}

/// Prints the completion script of `shell`.
fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "leadminer", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Writes the man pages.
fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    clap_mangen::generate_to(Cli::command(), &args.out).with_context(|| format!("cannot write into {}", args.out.display()))?;
    println!("man pages written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// A closed pipe on stdout (`leadminer stats ... | head -1`) ends the run
/// quietly with success, as ripgrep does, instead of a panic message.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let command = Cli::command().mut_subcommands(|s| s.args_override_self(true));
    let cwd = std::env::current_dir().unwrap_or_default();
    let args = match config::with_defaults(std::env::args_os().collect(), &command, &cwd) {
        Ok(args) => args,
        Err(err) => {
            eprintln!("leadminer: error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let cli = match Cli::from_arg_matches(&command.get_matches_from(args)) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    ui::init(cli.ui.clone());
    let result = match cli.command {
        Command::Stats(args) => stats_cmd::run(args),
        Command::Scan(args) => scan_cmd::run(args),
        Command::Eval(args) => eval_cmd::run(args),
        Command::Train(args) => train_cmd::run(args),
        Command::Explain(args) => explain_cmd::run(args),
        Command::Pyramid(args) => pyramid_cmd::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Snapshot(args) => snapshot_cmd::run(args),
        Command::Plugins(args) => plugins_cmd::run(args),
        Command::Completions(args) => completions(&args),
        Command::Man(args) => man(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("leadminer: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
