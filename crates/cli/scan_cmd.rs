//! `leadminer scan`.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::model::date_string;
use leadminer_core::output::OUTPUTS;
use leadminer_core::score::Label;
use leadminer_core::scan::{Filters, Outcome};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    analysis: AnalysisArgs,

    /// Directory for posts.jsonl, authors.jsonl and summary.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Only these communities (repeatable, case-insensitive).
    #[arg(long = "community", value_name = "NAME")]
    communities: Vec<String>,

    /// Only posts created on or after this date (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,

    /// Only posts created before this date (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,

    /// Only write posts whose highest score reaches this (0 to 1).
    #[arg(long, value_name = "SCORE", default_value_t = 0.0)]
    min_score: f32,

    /// Rows of the printed tables.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
}

/// Parses a `YYYY-MM-DD` date to Unix seconds.
pub fn parse_date(s: &str) -> Result<i64> {
    leadminer_core::read::iso_date(s).with_context(|| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

/// Runs `leadminer scan`.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let filters = Filters {
        communities: args.communities.clone(),
        since: args.since.as_deref().map(parse_date).transpose()?,
        until: args.until.as_deref().map(parse_date).transpose()?,
        min_score: args.min_score,
    };
    let scanner = args.analysis.scanner(filters)?;
    let files = args.input.files()?;
    let read = args.input.read_options()?;
    let outcome = scanner.run(&files, &read, &args.input.pipeline_options(), &args.out, OUTPUTS, args.top)?;
    print_tables(&outcome, args.top);
    if let Some(e) = &outcome.stopped {
        eprintln!("leadminer: error: {e}");
        eprintln!("leadminer: stopped at the first error (--strict); outputs are incomplete");
        return Ok(ExitCode::from(1));
    }
    println!("outputs in {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn print_tables(o: &Outcome, top: usize) {
    let s = &o.summary;
    println!(
        "{} posts read, {} analyzed, {} with signals: {} user innovations, {} needs, {} commercial; {} skipped",
        s.posts, s.analyzed, s.with_signals, s.labels[Label::UserInnovation], s.labels[Label::Need], s.labels[Label::Commercial], s.skipped
    );
    if !o.top_posts.is_empty() {
        println!("\nTop user innovations");
        println!("{:>5}  {:<12} {:<18} {:<10}  title / evidence", "score", "source", "author", "date");
        for r in o.top_posts.iter().take(top) {
            let evidence = r
                .signals
                .iter()
                .find(|x| &*x.kind == "solution")
                .map_or(String::new(), |x| format!("\"{}\"", x.text));
            let title = r.title.clone().unwrap_or_default();
            let shown = if title.is_empty() { evidence } else { format!("{title}  {evidence}") };
            println!(
                "{:>5.2}  {:<12} {:<18} {:<10}  {}",
                r.scores[Label::UserInnovation],
                r.source.as_str(),
                truncate(r.author.as_deref().unwrap_or("-"), 18),
                r.created.map(date_string).unwrap_or_default(),
                truncate(&shown, 90)
            );
        }
    }
    if !o.authors.is_empty() {
        println!("\nTop lead users");
        println!("{:>4} {:>5}  {:<22} {:>5} {:>5} {:>9}  communities", "rank", "score", "author", "innov", "needs", "reactions");
        for a in o.authors.iter().take(top) {
            println!(
                "{:>4} {:>5.2}  {:<22} {:>5} {:>5} {:>9}  {}",
                a.rank,
                a.score,
                truncate(&a.author, 22),
                a.innovations,
                a.needs,
                a.reactions,
                truncate(&a.communities.join(", "), 40)
            );
        }
    }
}

/// Cuts a string to `n` characters with an ellipsis.
pub fn truncate(s: &str, n: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= n {
        s
    } else {
        let cut: String = s.chars().take(n.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
