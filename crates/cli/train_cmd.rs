//! `leadminer train`: fit the learned scorer to labeled posts.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::eval::{examples, read_gold, GoldItem};
use leadminer_core::scan::Filters;
use leadminer_core::score::model::{Base, Model};
use leadminer_core::score::Label;
use leadminer_learn::{train, Options};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of the fit, shared by `train` and `eval --cv`.
#[derive(Args, Debug, Clone)]
pub struct FitArgs {
    /// L2 regularization strength of the logistic regressions.
    #[arg(long, value_name = "ALPHA", default_value_t = Options::default().alpha)]
    alpha: f64,

    /// Use a feature only when at least this many training posts have it.
    #[arg(long, value_name = "N", default_value_t = Options::default().min_df)]
    min_df: usize,
}

impl FitArgs {
    /// The fitting options.
    pub fn options(&self) -> Options {
        Options { alpha: self.alpha, min_df: self.min_df, ..Options::default() }
    }
}

/// Arguments of `leadminer train`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer train --gold my-labels.jsonl --out my-model.json dumps/\n      Fit the scorer to your own labels\n  leadminer train --from-builtin --gold my-labels.jsonl --out my-model.json dumps/\n      Start from the built-in model; then `leadminer scan --model my-model.json ...`")]
pub struct TrainArgs {
    /// Gold labels: JSON lines with source, id and 0/1 labels, as for
    /// `eval` (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    gold: Vec<PathBuf>,

    /// Where to write the model (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Start from the built-in model: its probabilities become features of
    /// the new model, which learns from your labels how far to trust them
    /// and what to change.
    #[arg(long)]
    from_builtin: bool,

    #[command(flatten)]
    fit: FitArgs,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    analysis: AnalysisArgs,
}

/// Reads and concatenates gold files.
pub fn read_golds(paths: &[PathBuf]) -> Result<Vec<GoldItem>> {
    let mut gold = Vec::new();
    for path in paths {
        gold.extend(read_gold(path)?);
    }
    Ok(gold)
}

/// Runs `leadminer train`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let gold = read_golds(&args.gold)?;
    let scanner = args.analysis.scanner(Filters::default())?;
    let files = args.input.files()?;
    let read = args.input.read_options()?;
    let (found, skips) = examples(&scanner, &files, &read, &args.input.pipeline_options(), &gold);
    if let Some(code) = crate::input::report_skips(&skips, &read) {
        return Ok(code);
    }
    let (mut rows, missing) = leadminer_learn::rows(&gold, &found);
    let base = args.from_builtin.then_some(Base::Builtin);
    if let Some(base) = base {
        for f in rows.iter_mut().filter_map(|r| r.features.as_mut()) {
            base.add_features(f);
        }
    }
    if !missing.is_empty() {
        eprintln!("warning: {} gold posts not found in the inputs", missing.len());
    }
    let options = args.fit.options();
    let names: Vec<String> = args.gold.iter().map(|p| file_name(p)).collect();
    let trained_on = vec![format!(
        "leadminer {} train --gold {}{} --alpha {} --min-df {} ({} posts, {} listed by the rules)",
        env!("CARGO_PKG_VERSION"),
        names.join(" --gold "),
        if args.from_builtin { " --from-builtin" } else { "" },
        options.alpha,
        options.min_df,
        rows.len(),
        rows.iter().filter(|r| r.features.is_some()).count()
    )];
    let model = Model { base, ..train(&rows, &options, trained_on)? };
    model.save(&args.out).with_context(|| format!("writing {}", args.out.display()))?;
    for label in Label::ALL {
        let l = &model.labels[label];
        println!("{:<16} {} features, threshold {:.3}", label.name(), l.weights.len(), l.threshold);
    }
    println!("model written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
