//! How `leadminer` talks to the person at the terminal: colour, quiet and
//! verbose output, the same for every subcommand.

use clap::{Args, ValueEnum};
use std::sync::OnceLock;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// Options every subcommand takes.
#[derive(Args, Debug, Clone)]
pub struct UiArgs {
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print nothing on stderr but errors (no progress, no notes).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print each skipped record's location as it is skipped.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Ignore leadminer.toml files (a --config file is still read).
    #[arg(long, global = true)]
    pub isolated: bool,
}

static UI: OnceLock<UiArgs> = OnceLock::new();

/// Sets the options for the run (once, at start).
pub fn init(args: UiArgs) {
    let _ = UI.set(args);
}

fn get() -> &'static UiArgs {
    UI.get_or_init(|| UiArgs { color: ColorChoice::Auto, quiet: false, verbose: false, isolated: false })
}

/// Whether to colour a stream that is (or is not) a terminal.
pub fn color(terminal: bool) -> bool {
    match get().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    get().quiet
}

/// Whether `--verbose` was given.
pub fn verbose() -> bool {
    get().verbose
}
