//! `leadminer scan`.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::model::date_string;
use leadminer_core::output::{self, best_signal, OutputKind, OUTPUTS, REPORT};
use leadminer_core::record::About;
use leadminer_core::score::Label;
use leadminer_core::scan::{Filters, Outcome};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Examples shown under `leadminer scan --help`.
const EXAMPLES: &str = "\
Examples:
  leadminer scan examples/data --out results
      Scan the bundled sample; open results/report.html
  leadminer scan RC_2015-01.zst --community DIY --since 2015-01-10 --out diy
      One subreddit of a Pushshift dump, from a date
  leadminer scan dump/ --output-format jsonl,csv --no-report --out tables
      Tables for a spreadsheet, no HTML report
  leadminer scan posts.jsonl --map body=text,author=user.name --out out
      A JSON-lines export with its own field names
  leadminer scan RS_2023-*.zst --out big --resume
      Go on with a scan of big that was stopped (same inputs and options)";

/// The output format named `s` (see `OUTPUTS`).
fn parse_output(s: &str) -> Result<&'static OutputKind, String> {
    output::by_name(s).ok_or_else(|| {
        let names: Vec<&str> = OUTPUTS.iter().map(|k| k.name).collect();
        format!("unknown output format '{s}' (one of: {})", names.join(", "))
    })
}

/// A score between 0 and 1.
fn parse_score(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{s}' is not a score between 0 and 1")),
    }
}

/// Arguments of `leadminer scan`.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    analysis: AnalysisArgs,

    /// Directory for the results: report.html, summary.json and the
    /// tables of --output-format (made if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Table formats to write, one or more (a list or repeated): jsonl
    /// (posts.jsonl, authors.jsonl), csv (posts.csv, authors.csv), parquet
    /// (posts.parquet, authors.parquet).
    #[arg(long = "output-format", value_name = "FORMAT", value_delimiter = ',', default_value = "jsonl", value_parser = parse_output)]
    output_formats: Vec<&'static OutputKind>,

    /// Do not write report.html.
    #[arg(long)]
    no_report: bool,

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
    #[arg(long, value_name = "SCORE", default_value = "0", value_parser = parse_score)]
    min_score: f32,

    /// Rows of the printed tables.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,

    /// Rank one author per name across sites. By default an author is a
    /// name on one site (reddit.com, news.ycombinator.com, a forum's host,
    /// a list): the same name elsewhere may be someone else.
    #[arg(long)]
    merge_authors: bool,

    /// Go on with a scan into --out that was interrupted (Ctrl-C, a kill,
    /// a crash) from its last checkpoint, instead of starting over. The
    /// inputs and options must be the same; the outputs are those an
    /// uninterrupted scan writes. Without a checkpoint, scans from the
    /// start, writing checkpoints. Scans of 1 GiB of input or more write
    /// checkpoints anyway; smaller ones only with --resume.
    #[arg(long)]
    resume: bool,

    #[command(flatten)]
    rerank: crate::rerank_args::RerankArgs,
}

/// Parses a `YYYY-MM-DD` date to Unix seconds.
pub fn parse_date(s: &str) -> Result<i64> {
    leadminer_core::read::iso_date(s).with_context(|| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

/// What the scan was asked, for `summary.json` and the report.
fn about(args: &ScanArgs) -> About {
    let mut options: Vec<(String, String)> = args.input.described();
    options.extend(args.analysis.described());
    let formats: Vec<&str> = args.output_formats.iter().map(|k| k.name).collect();
    options.push(("output-format".into(), formats.join(",")));
    if !args.communities.is_empty() {
        options.push(("community".into(), args.communities.join(",")));
    }
    for (name, value) in [("since", &args.since), ("until", &args.until)] {
        if let Some(v) = value {
            options.push((name.into(), v.clone()));
        }
    }
    options.push(("min-score".into(), args.min_score.to_string()));
    if args.merge_authors {
        options.push(("merge-authors".into(), "true".into()));
    }
    options.extend(args.rerank.described());
    About { version: crate::version().to_string(), options: options.into_iter().collect() }
}

/// Refuses an output folder that is a file.
fn check_out(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("--out {}: is a file, not a folder", dir.display());
    }
    Ok(())
}

/// Runs `leadminer scan`.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    check_out(&args.out)?;
    let filters = Filters {
        communities: args.communities.clone(),
        since: args.since.as_deref().map(parse_date).transpose()?,
        until: args.until.as_deref().map(parse_date).transpose()?,
        min_score: args.min_score,
    };
    let mut scanner = args.analysis.scanner(filters)?;
    scanner.about = about(&args);
    scanner.merge_authors = args.merge_authors;
    scanner.resume = args.resume;
    scanner.rerank = args.rerank.stage(args.analysis.scorer)?;
    let files = args.input.files()?;
    let mut read = args.input.read_options()?;
    read.progress = crate::progress::counters();
    let mut kinds: Vec<OutputKind> = Vec::new();
    for kind in &args.output_formats {
        if !kinds.iter().any(|k| k.name == kind.name) {
            kinds.push(**kind);
        }
    }
    if !args.no_report {
        kinds.push(REPORT);
    }
    let display = crate::progress::Display::start(read.progress.as_ref(), &files);
    let outcome = scanner.run(&files, &read, &args.input.pipeline_options(), &args.out, &kinds, args.top);
    display.finish();
    let outcome = outcome?;
    if outcome.interrupted {
        let partial = args.out.join(output::PARTIAL);
        let resumable = partial.join(leadminer_core::scan::checkpoint::CHECKPOINT).is_file();
        eprintln!(
            "leadminer: interrupted: nothing written; the results in {} are those of the previous run \
             (the unfinished one is in {}){}",
            args.out.display(),
            partial.display(),
            if resumable { "; add --resume to the same command to go on from where it stopped" } else { "" }
        );
        return Ok(ExitCode::from(130));
    }
    match outcome.resumed {
        Some(blocks) => eprintln!("resumed after {blocks} blocks read by the interrupted scan"),
        None if args.resume => eprintln!("note: no interrupted scan to resume in {}; scanned from the start", args.out.display()),
        None => {}
    }
    print_tables(&outcome, args.top);
    if let Some(e) = &outcome.stopped {
        eprintln!("leadminer: error: {e}");
        eprintln!("leadminer: stopped at the first error (--strict); outputs are incomplete");
        return Ok(ExitCode::from(1));
    }
    if !args.communities.is_empty() && outcome.summary.in_scope == 0 && outcome.summary.posts > 0 {
        eprintln!(
            "note: no post of the {} read is in --community {} (run `leadminer stats` to list the communities)",
            outcome.summary.posts,
            args.communities.join(", ")
        );
    }
    print_next_steps(&outcome, &args);
    Ok(ExitCode::SUCCESS)
}

/// The closing lines: where the results are and what to do next.
fn print_next_steps(o: &Outcome, args: &ScanArgs) {
    let mut files: Vec<&str> = vec!["summary.json", output::POINTERS];
    for kind in &args.output_formats {
        files.extend(kind.files.split(", "));
    }
    println!("\noutputs in {}: {}", args.out.display(), files.join(", "));
    if let Some(best) = o.top_posts.first() {
        let inputs: Vec<String> = args.input.inputs.iter().map(|p| p.display().to_string()).collect();
        println!("explain the top post: leadminer explain --id {} {}", best.id, inputs.join(" "));
    }
    if let Some(lead) = o.authors.first() {
        println!("follow who points to whom: leadminer pyramid {} --from {}", args.out.display(), lead.author);
    }
    if !args.no_report {
        println!("open the report: {}", args.out.join("report.html").display());
    }
}

fn print_tables(o: &Outcome, top: usize) {
    let s = &o.summary;
    println!(
        "{} posts read, {} analyzed, {} with signals: {} user innovations, {} needs, {} commercial; {} skipped",
        s.posts, s.analyzed, s.with_signals, s.labels[Label::UserInnovation], s.labels[Label::Need], s.labels[Label::Commercial], s.skipped
    );
    if s.bad_fields > 0 {
        println!(
            "{} impossible dates dropped (posts kept without them), first: {}",
            s.bad_fields,
            s.bad_field_examples.first().map_or("", String::as_str)
        );
    }
    if !o.top_posts.is_empty() {
        println!("\nTop user innovations");
        println!("{:>5}  {:<12} {:<12} {:<18} {:<10}  title / strongest evidence", "score", "source", "id", "author", "date");
        for r in o.top_posts.iter().take(top) {
            let evidence = best_signal(r).map_or(String::new(), |x| format!("\"{}\"", r.text_of(x)));
            let title = r.title.clone().unwrap_or_default();
            let shown = if title.is_empty() { evidence } else { format!("{title}  {evidence}") };
            println!(
                "{:>5.2}  {:<12} {:<12} {:<18} {:<10}  {}",
                r.scores[Label::UserInnovation],
                r.source.as_str(),
                truncate(&r.id, 12),
                truncate(r.author.as_deref().unwrap_or("-"), 18),
                r.created.map(date_string).unwrap_or_default(),
                truncate(&shown, 80)
            );
            if let Some(url) = &r.url {
                println!("{:>5}  {}", "", url);
            }
        }
    }
    if !o.authors.is_empty() {
        println!("\nTop lead users");
        println!("{:>4} {:>6}  {:<22} {:>5} {:>5} {:>9}  early on / communities", "rank", "score", "author", "innov", "needs", "reactions");
        for a in o.authors.iter().filter(|a| !a.producer).take(top) {
            let topics: Vec<&str> = a.topics.iter().map(|t| t.topic.as_str()).collect();
            let shown = if topics.is_empty() { a.communities.join(", ") } else { topics.join(", ") };
            println!(
                "{:>4} {:>6.4}  {:<22} {:>5} {:>5} {:>9}  {}",
                a.rank,
                a.score,
                truncate(&a.author, 22),
                a.innovations,
                a.needs,
                a.reactions,
                truncate(&shown, 40)
            );
        }
        let producers: Vec<&str> = o.authors.iter().filter(|a| a.producer).map(|a| a.author.as_str()).collect();
        if !producers.is_empty() {
            println!("producers, ranked apart: {}", truncate(&producers.join(", "), 100));
        }
    }
    for (community, topics) in s.rising_topics.iter().take(top) {
        let names: Vec<String> = topics.iter().take(5).map(|t| format!("{} ({:+.1})", t.topic, t.rise)).collect();
        println!("\nRising in {community}: {}", names.join(", "));
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
