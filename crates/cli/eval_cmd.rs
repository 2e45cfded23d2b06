//! `leadminer eval`.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use crate::scan_cmd::truncate;
use anyhow::Result;
use clap::Args;
use crate::train_cmd::{read_golds, FitArgs};
use leadminer_core::eval::{evaluate, examples, predict, EvalReport};
use leadminer_learn::{cross_validate_with, CvReport, EmbeddingHead, LabelCv, Reader};
use leadminer_core::scan::Filters;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer eval`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer eval --gold ../shared/eval/dev.jsonl ../shared/corpora/hackernews ../shared/corpora/discourse-urho3d\n      Precision, recall and F1 of the default scorer on labeled posts\n  leadminer eval --cv --gold labels.jsonl dumps/\n      Leave-one-community-out cross-validation of a learned scorer")]
pub struct EvalArgs {
    /// Gold labels: JSON lines with source, id and 0/1 labels (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    gold: Vec<PathBuf>,

    /// Leave-one-community-out cross-validation of the learned scorer
    /// (trained on the gold posts of every community but one, tested on
    /// it, for each), beside the rule scorer on the same posts, with 95%
    /// bootstrap intervals of each F1 and of each difference between two
    /// scorers.
    #[arg(long)]
    cv: bool,

    /// With --cv, cross-validate the re-ranking stage too (it reads every
    /// listed post here): needs the sentence encoder. (Without --cv, the
    /// stage is on whenever the encoder is there, as in `scan`, and reads
    /// every listed gold post; --no-rerank turns it off.)
    #[arg(long, requires = "cv")]
    rerank: bool,

    #[command(flatten)]
    encoder: crate::rerank_args::EncoderArgs,

    #[command(flatten)]
    head: crate::rerank_args::HeadArgs,

    #[command(flatten)]
    fit: FitArgs,

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

    /// With --cv, also write what the cross-validation sees of each labeled
    /// post (community, gold labels, features, rule scores, and with
    /// --rerank the post's embedding, or each passage's with --head-unit
    /// passage) as JSON lines, to try other models on the same rows
    /// (`scripts/loco_probe.py`).
    #[arg(long, value_name = "FILE", requires = "cv")]
    export_rows: Option<PathBuf>,

    /// With --cv, also write each scorer's held-out decision on every
    /// labeled post (scorer, label, key, community, truth, flagged, score)
    /// as JSON lines, to compare two runs on the same posts
    /// (`scripts/paired_f1.py`).
    #[arg(long, value_name = "FILE", requires = "cv")]
    decisions: Option<PathBuf>,
}

/// Writes `items` as JSON lines into `path`; `what` names the option in
/// errors.
fn write_lines<T: serde::Serialize>(items: impl IntoIterator<Item = T>, path: &std::path::Path, what: &str) -> Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let write = || -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for item in items {
            serde_json::to_writer(&mut out, &item)?;
            out.write_all(b"\n")?;
        }
        out.flush()
    };
    write().with_context(|| format!("{what} {}", path.display()))
}

/// Runs `leadminer eval`.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let gold = read_golds(&args.gold)?;
    let mut scanner = args.analysis.scanner(Filters::default())?;
    let files = args.input.files()?;
    let read = args.input.read_options()?;
    if args.cv {
        if let Some(head) = &args.head.rerank_head {
            anyhow::bail!("--rerank-head {}: cross-validation fits its own heads (--cv --rerank); give it to eval without --cv", head.display());
        }
        let (found, skips) = examples(&scanner, &files, &read, &args.input.pipeline_options(), &gold);
        if let Some(code) = crate::input::report_skips(&skips, &read) {
            return Ok(code);
        }
        let (mut rows, missing) = leadminer_learn::rows(&gold, &found);
        let reader: Option<Box<dyn Reader>> = if !args.rerank {
            None
        } else if args.fit.tune {
            Some(Box::new(crate::train_cmd::tuned_reader(&args.encoder, &rows, &args.fit, "eval --cv --rerank --tune")?))
        } else {
            let encoder = args.encoder.require("eval --cv --rerank")?;
            let cache = args.encoder.embedding_cache.as_deref();
            let options = args.fit.head_options();
            crate::train_cmd::embed(&mut rows, &encoder, options.unit, args.input.pipeline_options().threads, cache)?;
            Some(Box::new(EmbeddingHead(options)))
        };
        if let Some(path) = &args.export_rows {
            let unit = args.fit.head_options().unit;
            write_lines(rows.iter().map(|r| r.exported(unit)), path, "--export-rows")?;
        }
        let report = cross_validate_with(&rows, &args.fit.options(), reader.as_deref(), args.worst)?;
        if let Some(path) = &args.decisions {
            write_lines(&report.decisions, path, "--decisions")?;
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print_cv(&report, gold.len(), &missing);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Every listed gold post is read by the second stage, as the posts at
    // the top of a scan are.
    scanner.rerank = args.head.stage(&args.encoder.dir, args.analysis.scorer, usize::MAX)?;
    let predicted = predict(&scanner, &files, &read, &args.input.pipeline_options(), &gold);
    if let Some(code) = crate::input::report_skips(&predicted.skips, &read) {
        return Ok(code);
    }
    for e in &predicted.rerank_errors {
        eprintln!("warning: {e}");
    }
    let mut report = evaluate(&gold, &predicted.posts, args.worst);
    report.reranked = predicted.reranked;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// An interval as the reports print it: `[0.432, 0.546]`.
fn bracketed(i: &leadminer_core::bootstrap::Interval) -> String {
    format!("[{:.3}, {:.3}]", i.low, i.high)
}

fn print_report(r: &EvalReport) {
    println!("{} gold posts, {} found in the inputs", r.gold, r.gold - r.missing.len());
    if let Some(n) = r.reranked {
        println!("re-ranking stage: read {n} listed gold posts (--no-rerank for the first stage alone)");
    }
    if !r.missing.is_empty() {
        println!("missing: {}", truncate(&r.missing.join(", "), 200));
    }
    println!(
        "\n{:<16} {:>4} {:>4} {:>4} {:>4}  {:>9} {:>6} {:>6} {:>15}",
        "label",
        "tp",
        "fp",
        "fn",
        "tn",
        "precision",
        "recall",
        "f1",
        format!("f1 {:.0}%", leadminer_core::bootstrap::LEVEL * 100.0)
    );
    for l in &r.labels {
        println!(
            "{:<16} {:>4} {:>4} {:>4} {:>4}  {:>9.3} {:>6.3} {:>6.3} {:>15}",
            l.label,
            l.tp,
            l.fp,
            l.fn_,
            l.tn,
            l.precision,
            l.recall,
            l.f1,
            bracketed(&l.f1_interval)
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

fn print_cv(r: &CvReport, gold: usize, missing: &[String]) {
    println!("{gold} gold posts, {} found in the inputs", gold - missing.len());
    if !missing.is_empty() {
        println!("missing: {}", truncate(&missing.join(", "), 200));
    }
    println!("leave-one-community-out over {} communities: {}", r.groups.len(), r.groups.join(", "));
    println!(
        "\n{:<16} {:<8} {:>9} {:>6} {:>6} {:>15} {:>7} {:>7} {:>15}",
        "label",
        "scorer",
        "precision",
        "recall",
        "f1",
        format!("f1 {:.0}%", leadminer_core::bootstrap::LEVEL * 100.0),
        "avg.P",
        "top10.P",
        format!("top10.P {:.0}%", leadminer_core::bootstrap::LEVEL * 100.0)
    );
    for (i, (learned, rules)) in r.learned.iter().zip(&r.rules).enumerate() {
        let reranked = r.reranked.as_ref().and_then(|v| v.get(i));
        for (name, l) in [("rules", Some(rules)), ("learned", Some(learned)), ("reranked", reranked)] {
            let Some(l) = l else { continue };
            println!(
                "{:<16} {:<8} {:>9.3} {:>6.3} {:>6.3} {:>15} {:>7.3} {:>7.3} {:>15}",
                l.label.name(),
                name,
                l.pooled.precision,
                l.pooled.recall,
                l.pooled.f1,
                bracketed(&l.f1_interval),
                l.mean_average_precision,
                l.mean_top_precision,
                bracketed(&l.top_precision_interval)
            );
        }
    }
    println!(
        "\nF1 differences on the same posts, {:.0}% paired bootstrap intervals ({} resamples of the posts within each community; an interval holding 0 cannot tell the two apart)",
        leadminer_core::bootstrap::LEVEL * 100.0,
        leadminer_core::bootstrap::RESAMPLES
    );
    println!("{:<16} {:<20} {:>7}  {:>17}", "label", "compared", "f1", "interval");
    for d in &r.differences {
        println!(
            "{:<16} {:<20} {:>+7.3}  {:>17}",
            d.label.name(),
            format!("{} - {}", d.scorer, d.baseline),
            d.f1,
            format!("[{:+.3}, {:+.3}]", d.interval.low, d.interval.high)
        );
    }
    print_at_random(r);
    println!(
        "\nper community\n{:<16} {:<20} {:>5} {:>4}  {:>17}  {:>17}  {:>13}",
        "label", "community", "posts", "pos", "rules P/R/F1", "learned P/R/F1", "avg.P r / l"
    );
    for (learned, rules) in r.learned.iter().zip(&r.rules) {
        print_groups(learned, rules);
    }
    if let Some(reranked) = &r.reranked {
        println!(
            "\nper community, re-ranked\n{:<16} {:<20} {:>5} {:>4}  {:>17}  {:>13}",
            "label", "community", "posts", "pos", "reranked P/R/F1", "avg.P top10.P"
        );
        for l in reranked {
            for g in &l.groups {
                println!(
                    "{:<16} {:<20} {:>5} {:>4}  {:>17}  {:>5.3} {:>7.3}",
                    l.label.name(),
                    g.group,
                    g.posts,
                    g.positives,
                    format!("{:.3} {:.3} {:.3}", g.prf.precision, g.prf.recall, g.prf.f1),
                    g.average_precision,
                    g.top_precision
                );
            }
        }
    }
    if !r.worst.is_empty() {
        println!("\nworst errors of the learned scorer (held out)");
        for e in &r.worst {
            println!("  {} {} {} ({}) p={:.2}", e.label, e.error, e.key, e.group, e.score);
        }
    }
}

/// Each scorer's numbers on the held-out posts drawn at random, when the
/// gold lines say which (`draw`).
fn print_at_random(r: &CvReport) {
    if r.rules.iter().all(|l| l.at_random.is_none()) {
        return;
    }
    println!(
        "\nposts drawn at random (gold \"draw\": \"random\"; positives as rare as in a scan): false flags per 100 posts\n{:<16} {:<8} {:>5} {:>4} {:>9} {:>6} {:>6} {:>9}  by community",
        "label", "scorer", "posts", "pos", "precision", "recall", "f1", "false/100"
    );
    for (i, (learned, rules)) in r.learned.iter().zip(&r.rules).enumerate() {
        let reranked = r.reranked.as_ref().and_then(|v| v.get(i));
        for (name, l) in [("rules", Some(rules)), ("learned", Some(learned)), ("reranked", reranked)] {
            let Some((l, a)) = l.and_then(|l| Some((l, l.at_random?))) else { continue };
            let per_group: Vec<String> = l
                .groups
                .iter()
                .filter_map(|g| g.at_random.map(|a| format!("{} {:.1}", g.group, a.false_per_100)))
                .collect();
            println!(
                "{:<16} {:<8} {:>5} {:>4} {:>9.3} {:>6.3} {:>6.3} {:>9.1}  {}",
                l.label.name(),
                name,
                a.posts,
                a.positives,
                a.prf.precision,
                a.prf.recall,
                a.prf.f1,
                a.false_per_100,
                per_group.join(", ")
            );
        }
    }
}

fn print_groups(learned: &LabelCv, rules: &LabelCv) {
    let prf = |p: &leadminer_learn::Prf| format!("{:.3} {:.3} {:.3}", p.precision, p.recall, p.f1);
    for (l, r) in learned.groups.iter().zip(&rules.groups) {
        println!(
            "{:<16} {:<20} {:>5} {:>4}  {:>17}  {:>17}  {:>5.3} / {:.3}",
            learned.label.name(),
            l.group,
            l.posts,
            l.positives,
            prf(&r.prf),
            prf(&l.prf),
            r.average_precision,
            l.average_precision
        );
    }
}

