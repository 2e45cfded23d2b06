//! `leadminer stats`.

use crate::input::InputArgs;
use anyhow::Result;
use clap::Args;
use leadminer_core::pipeline::{self, parse_block, Parsed};
use leadminer_core::stats::{Stats, StatsBuilder};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `leadminer stats`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer stats examples/data\n      Formats, posts by kind, dates, communities and skipped records\n  leadminer stats --json RC_2015-01.zst | jq .communities\n      The same as JSON")]
pub struct StatsArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `leadminer stats`.
pub fn run(args: StatsArgs) -> Result<ExitCode> {
    let files = args.input.files()?;
    let mut read = args.input.read_options()?;
    read.progress = crate::progress::counters();
    let progress = read.progress.clone();
    let display = crate::progress::Display::start(progress.as_ref(), &files);
    let options = args.input.pipeline_options();
    let started = Instant::now();
    let mut builder = StatsBuilder::new();
    let mut first_error = None;
    let strict = read.strict;
    pipeline::run(
        &files,
        &read,
        &options,
        || (),
        |_, block| parse_block(block),
        |parsed| {
            for p in &parsed {
                builder.add(p);
                if let Some(progress) = &progress {
                    match p {
                        Parsed::Post(_) => progress.add_posts(1),
                        Parsed::Skipped(e) => progress.skip(|| e.to_string()),
                        Parsed::File(_) | Parsed::BadField(_) => {}
                    }
                }
                if let Parsed::Skipped(e) = p {
                    if strict && first_error.is_none() {
                        first_error = Some(e.clone());
                    }
                }
            }
            first_error.is_none()
        },
    );
    display.finish();
    if let Some(e) = first_error {
        eprintln!("leadminer: error: {e}");
        return Ok(ExitCode::from(1));
    }
    let stats = builder.finish();
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let mut value = serde_json::to_value(&stats)?;
        value["seconds"] = serde_json::json!((secs * 1000.0).round() / 1000.0);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_table(&stats, secs);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(stats: &Stats, secs: f64) {
    for f in &stats.files {
        let format = f.format.map_or("-".to_string(), |x| x.to_string());
        if let Some(why) = &f.ignored {
            println!("{}  ignored: {why}", f.path.display());
            continue;
        }
        println!("{}  [{format}]", f.path.display());
        let kinds: Vec<String> = f.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!("  posts     {} ({})", f.posts, kinds.join(", "));
        println!("  threads   {}", f.threads);
        if let (Some(a), Some(b)) = (f.first, f.last) {
            println!("  dates     {} .. {}", date(a), date(b));
        }
        let mut communities: Vec<_> = f.communities.iter().collect();
        communities.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = communities.iter().take(5).map(|(c, n)| format!("{c} ({n})")).collect();
        let more = communities.len().saturating_sub(5);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        println!("  community {}{more}", shown.join(", "));
        let authors: Vec<String> = f.top_authors.iter().take(5).map(|(a, n)| format!("{a} ({n})")).collect();
        println!("  authors   {}", authors.join(", "));
        if f.skipped > 0 {
            println!("  skipped   {}", f.skipped);
        }
        if f.bad_fields > 0 {
            println!("  bad dates {} (posts kept without them)", f.bad_fields);
        }
        if f.skipped > 0 || f.bad_fields > 0 {
            for r in &f.skip_reasons {
                println!("    {r}");
            }
        }
    }
    let mb = stats.input_bytes as f64 / 1e6;
    println!(
        "total: {} posts, {} threads, {} skipped, {} files, {:.1} MB in {:.2}s ({:.0} MB/s)",
        stats.posts,
        stats.threads,
        stats.skipped,
        stats.files.len(),
        mb,
        secs,
        if secs > 0.0 { mb / secs } else { 0.0 }
    );
}

fn date(t: i64) -> String {
    leadminer_core::model::date_string(t)
}
