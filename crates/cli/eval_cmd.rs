//! `leadminer eval`.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use crate::scan_cmd::truncate;
use anyhow::Result;
use clap::Args;
use leadminer_core::eval::{evaluate, predict, read_gold, EvalReport};
use leadminer_core::scan::Filters;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Gold labels: JSON lines with source, id and 0/1 labels.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    analysis: AnalysisArgs,

    /// How many of the worst errors to list.
    #[arg(long, value_name = "N", default_value_t = 15)]
    worst: usize,

    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `leadminer eval`.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let gold = read_gold(&args.gold)?;
    let scanner = args.analysis.scanner(Filters::default())?;
    let files = args.input.files()?;
    let read = args.input.read_options()?;
    let predictions = predict(&scanner, &files, &read, &args.input.pipeline_options(), &gold);
    let report = evaluate(&gold, &predictions, args.worst);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &EvalReport) {
    println!("{} gold posts, {} found in the inputs", r.gold, r.gold - r.missing.len());
    if !r.missing.is_empty() {
        println!("missing: {}", truncate(&r.missing.join(", "), 200));
    }
    println!("\n{:<16} {:>4} {:>4} {:>4} {:>4}  {:>9} {:>6} {:>6}", "label", "tp", "fp", "fn", "tn", "precision", "recall", "f1");
    for l in &r.labels {
        println!(
            "{:<16} {:>4} {:>4} {:>4} {:>4}  {:>9.3} {:>6.3} {:>6.3}",
            l.label, l.tp, l.fp, l.fn_, l.tn, l.precision, l.recall, l.f1
        );
    }
    if !r.worst.is_empty() {
        println!("\nworst errors");
        for e in &r.worst {
            println!("  {} {} {}:{} score {:.2}  {}", e.label, e.error, e.source, e.id, e.score, truncate(&e.snippet, 70));
            for ev in e.evidence.iter().take(4) {
                println!("      {}", truncate(ev, 100));
            }
        }
    }
}
