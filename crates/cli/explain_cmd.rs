//! `leadminer explain`: one post with its signals highlighted and how its
//! scores were computed.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::{bail, Result};
use clap::Args;
use leadminer_core::analyze::{kinds, Analyzed, Document, Signal};
use leadminer_core::model::Post;
use leadminer_core::pipeline;
use leadminer_core::scan::rerank::Candidate;
use leadminer_core::scan::{Filters, Rerank};
use leadminer_core::score::{score, strengths, Breakdown, Label, Labels, PerLabel, Scores, Weights};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Arguments of `leadminer explain`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer explain --id 9000001 examples/data\n      One post's signals highlighted and each feature's part in its scores\n  leadminer explain --id x1a002 --scorer rules examples/data/reddit\n      The same under the hand-set weights")]
pub struct ExplainArgs {
    /// The post's native id.
    #[arg(long, value_name = "ID")]
    id: String,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    analysis: AnalysisArgs,

    #[command(flatten)]
    encoder: crate::rerank_args::EncoderDir,

    #[command(flatten)]
    head: crate::rerank_args::HeadArgs,
}

/// Runs `leadminer explain`.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let scanner = args.analysis.scanner(Filters::default())?;
    let rerank = args.head.stage(&args.encoder, args.analysis.scorer, 1)?;
    let files = args.input.files()?;
    let read = args.input.read_options()?;
    let mut found: Option<Post> = None;
    let id = args.id.as_str();
    let skips = pipeline::for_each_post(
        &files,
        &read,
        &args.input.pipeline_options(),
        |post| (post.id == id).then_some(post),
        |post| {
            found = Some(post);
            false
        },
    );
    if let Some(code) = crate::input::report_skips(&skips, &read) {
        return Ok(code);
    }
    let Some(post) = found else { bail!("no post with id '{}' in the inputs", args.id) };
    let color = crate::ui::color(std::io::stdout().is_terminal());
    let doc = Document::new(&post);
    let Analyzed { signals, errors, .. } = scanner.analysis.run(&doc);
    println!("{} {} in {} by {}", post.source, post.id, post.community, post.author.as_deref().unwrap_or("-"));
    if let Some(url) = &post.url {
        println!("{url}");
    }
    println!();
    println!("{}", highlight(&doc.text, &signals, color));
    println!();
    if signals.is_empty() {
        println!("no signals");
    }
    for (i, s) in signals.iter().enumerate() {
        let rule = scanner.analysis.rule_message(&s.rule);
        println!(
            "[{}] {:<14} {:<40} w={:.2}  \"{}\"{}",
            i + 1,
            s.kind,
            s.rule,
            s.weight,
            doc.text.get(s.start..s.end).unwrap_or("").replace('\n', " "),
            rule.map_or(String::new(), |m| format!("\n      {m}"))
        );
    }
    for e in &errors {
        println!("analyzer error: {e}");
    }
    println!();
    if let Some(scorer) = &scanner.model {
        let model = scorer.model();
        let own: Vec<Signal> = signals.iter().filter(|s| s.is_own()).cloned().collect();
        let (inputs, offsets) = (scorer.inputs(&doc, &own), scorer.offsets(&own));
        let (scores, labels) = scorer.score(&doc, &own);
        for label in Label::ALL {
            let l = &model.labels[label];
            let contributions = l.contributions(&inputs);
            let mut terms: Vec<String> = contributions
                .iter()
                .take(8)
                .map(|c| format!("{:+.2} {}", c.contribution, c.feature))
                .collect();
            if offsets[label] != 0.0 {
                terms.push(format!("{:+.2} hand weights of untrained kinds", offsets[label]));
            }
            println!(
                "{:<16} {:.3} {}  = sigmoid({:.2} bias {}{})  threshold {:.3}",
                label.name(),
                scores[label],
                if labels[label] { "yes" } else { "no " },
                l.bias,
                terms.join(" "),
                if contributions.len() > 8 { " ..." } else { "" },
                l.threshold
            );
        }
        if let Some(rerank) = &rerank {
            print_second_stage(rerank, &post, &doc, scores)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (scores, labels) = score(&scanner.weights, &signals);
    let st = strengths(&signals);
    for (label, weights) in scanner.weights.labels() {
        print_breakdown(label, &weights.breakdown(&st), labels[label]);
    }
    print_ui(&scanner.weights, scores[Label::UserInnovation], labels[Label::UserInnovation]);
    Ok(ExitCode::SUCCESS)
}

/// What the re-ranking stage makes of the post, were it among a scan's
/// best: the head's probability of each label and its blend with the first
/// stage's score, which decides the label and the post's place among the
/// posts a scan reads.
fn print_second_stage(rerank: &Rerank, post: &Post, doc: &Document<'_>, first: Scores) -> Result<()> {
    let candidate = Candidate::new(post.source, &post.id, first, &doc.text);
    let head = &rerank.head;
    let read = rerank.read_one(&candidate).map_err(|e| anyhow::anyhow!("{}:{}: re-ranking: {e}", post.source, post.id))?;
    println!();
    println!("re-ranking stage ({}, read when the post is among a scan's --rerank-top best of a label):", rerank.encoder.name());
    let mut labels = Labels::default();
    let mut scores = first;
    head.apply(&mut scores, &mut labels, &PerLabel::from_fn(|l| Some(read[l])));
    for label in Label::ALL {
        let h = &head.labels[label];
        println!(
            "{:<16} {:.3} {}  = {:.2} × first stage {:.3} + {:.2} × head {:.3}  threshold {:.3}",
            label.name(),
            scores[label],
            if labels[label] { "yes" } else { "no " },
            h.blend,
            first[label],
            1.0 - h.blend,
            read[label],
            h.threshold
        );
    }
    println!(
        "(a scan orders the posts it reads by this blend; those it accepts take the first stage's best scores in that order, above every post it did not read)"
    );
    Ok(())
}

fn print_breakdown(label: Label, b: &Breakdown, on: bool) {
    let terms: Vec<String> = b
        .terms
        .iter()
        .map(|t| format!("{:+.2} {} (strength {:.2})", t.contribution, t.kind, t.strength))
        .collect();
    println!(
        "{:<16} {:.3} {}  = sigmoid({:.2} bias {})",
        label.name(),
        b.score,
        if on { "yes" } else { "no " },
        b.bias,
        if terms.is_empty() { String::new() } else { terms.join(" ") }
    );
}

fn print_ui(w: &Weights, score: f32, on: bool) {
    println!(
        "{:<16} {:.3} {}  = solution × (1 − {:.1} × commercial evidence × (1 − {:.1} × own need))",
        Label::UserInnovation.name(),
        score,
        if on { "yes" } else { "no " },
        w.user_innovation.penalty,
        w.user_innovation.relief
    );
}

/// The text with signal spans marked: ANSI colours, or `[[...]]{n}` markers.
fn highlight(text: &str, signals: &[Signal], color: bool) -> String {
    let mut marks: Vec<(usize, bool, usize)> = Vec::new();
    for (i, s) in signals.iter().enumerate() {
        marks.push((s.start, true, i));
        marks.push((s.end, false, i));
    }
    marks.sort_by_key(|&(at, open, i)| (at, open, i));
    let mut out = String::with_capacity(text.len() + marks.len() * 8);
    let mut at = 0;
    let mut depth = 0usize;
    for (pos, open, i) in marks {
        if pos < at || !text.is_char_boundary(pos) {
            continue;
        }
        out.push_str(&text[at..pos]);
        at = pos;
        let kind = &*signals[i].kind;
        if color {
            if open {
                depth += 1;
                out.push_str(ansi(kind));
            } else {
                depth = depth.saturating_sub(1);
                out.push_str("\x1b[0m");
                if depth > 0 {
                    out.push_str("\x1b[1m");
                }
            }
        } else if open {
            out.push_str("[[");
        } else {
            out.push_str(&format!("]]{{{}}}", i + 1));
        }
    }
    out.push_str(&text[at..]);
    out
}

fn ansi(kind: &str) -> &'static str {
    match kind {
        kinds::SOLUTION => "\x1b[1;32m",
        kinds::NEED => "\x1b[1;33m",
        kinds::COMMERCIAL => "\x1b[1;31m",
        kinds::SHARING => "\x1b[1;36m",
        kinds::NEED_SOLUTION => "\x1b[1;35m",
        _ => "\x1b[1;34m",
    }
}
