//! `leadminer train`: fit the learned scorer to labeled posts.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::eval::{examples, read_gold, GoldItem};
use leadminer_core::scan::Filters;
use leadminer_core::score::model::{Base, Model};
use leadminer_core::score::Label;
use leadminer_core::score::rerank::{Encode, Unit};
use crate::rerank_args::EncoderArgs;
use leadminer_learn::{choose_stack, train, train_head, HeadOptions, Options, Row};
use leadminer_rerank::tune::{tuned_head, TuneOptions, TunedReader};
use leadminer_rerank::Encoder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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

    /// L2 regularization strength of the re-ranking head's regressions.
    #[arg(long, value_name = "ALPHA", default_value_t = HeadOptions::default().alpha)]
    head_alpha: f64,

    /// What the re-ranking head reads of a post: the post as a whole, or
    /// each passage (fitted on the gold lines' `evidence` quotes).
    #[arg(long, value_name = "UNIT", value_enum, default_value_t = HeadUnit::Post)]
    head_unit: HeadUnit,

    /// Fine-tune the encoder's last layer and a classifier on the labels
    /// instead of fitting a head on its frozen embeddings (minutes per fit
    /// on a CPU; `eval --cv --rerank --tune` fits it 18 times).
    #[arg(long)]
    pub tune: bool,

    /// With --tune: passes over the labeled posts.
    #[arg(long, value_name = "N", default_value_t = TuneOptions::default().epochs)]
    tune_epochs: usize,
}

/// The fine-tuning reader of `eval --cv --rerank --tune` and
/// `train --rerank-out --tune`: reads the rows' texts with the encoder's
/// first layers, logging to stderr.
pub fn tuned_reader(encoder: &EncoderArgs, rows: &[Row], fit: &FitArgs, what: &str) -> Result<TunedReader> {
    let dir = encoder.require_dir(what)?;
    let options = TuneOptions { epochs: fit.tune_epochs, ..TuneOptions::default() };
    Ok(TunedReader::new(&dir, rows, options, Box::new(|line: &str| eprintln!("{line}")))?)
}

/// `--head-unit`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadUnit {
    /// The post as a whole.
    Post,
    /// Each passage of a few sentences.
    Passage,
}

impl FitArgs {
    /// The fitting options.
    pub fn options(&self) -> Options {
        Options { alpha: self.alpha, min_df: self.min_df, ..Options::default() }
    }

    /// The re-ranking head's fitting options.
    pub fn head_options(&self) -> HeadOptions {
        let unit = match self.head_unit {
            HeadUnit::Post => Unit::Post,
            HeadUnit::Passage => Unit::Passage,
        };
        HeadOptions { alpha: self.head_alpha, unit, ..HeadOptions::default() }
    }
}

/// Embeds the units of the rows' texts a head of `unit`s reads with
/// `encoder`, showing progress on stderr; with a `cache` file, embeddings
/// of texts already in it are read from it and the others added to it.
pub fn embed(
    rows: &mut [leadminer_learn::Row],
    encoder: &Encoder,
    unit: Unit,
    threads: usize,
    cache: Option<&Path>,
) -> Result<()> {
    let mut cached: BTreeMap<String, Vec<f32>> = BTreeMap::new();
    if let Some(path) = cache.filter(|p| p.exists()) {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (i, line) in text.lines().enumerate() {
            let (key, vector): (String, Vec<f32>) =
                serde_json::from_str(line).with_context(|| format!("{}:{}: not an embedding", path.display(), i + 1))?;
            cached.insert(key, vector);
        }
    }
    let key = |text: &str| format!("{}:{:016x}:{}", encoder.name(), fnv1a(text.as_bytes()), text.len());
    let missing: Vec<&str> = rows
        .iter()
        .flat_map(|r| unit.texts(&r.text))
        .filter(|t| !cached.contains_key(&key(t)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let total = missing.len();
        let started = std::time::Instant::now();
        let vectors = leadminer_learn::embed_texts(&missing, encoder, threads, &|done| {
            if done % 500 == 0 || done == total {
                eprintln!("embedded {done} of {total} texts");
            }
        })
        .map_err(anyhow::Error::msg)?;
        let secs = started.elapsed().as_secs_f64();
        eprintln!("embedded {total} texts in {secs:.0} s ({:.1} texts/s)", total as f64 / secs.max(1e-9));
        let fresh: Vec<(String, Vec<f32>)> = missing.iter().map(|t| key(t)).zip(vectors).collect();
        cached.extend(fresh);
        if let Some(path) = cache {
            let mut out = String::new();
            for entry in &cached {
                out.push_str(&serde_json::to_string(&entry)?);
                out.push('\n');
            }
            std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    for r in rows.iter_mut() {
        let units: Option<Vec<Vec<f32>>> = unit.texts(&r.text).iter().map(|t| cached.get(&key(t)).cloned()).collect();
        r.embeddings = units;
    }
    Ok(())
}

/// FNV-1a, 64 bits: a stable key for a text in the embedding cache.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
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

    /// Also fit a re-ranking head on the sentence encoder's embeddings of
    /// the labeled posts and write it here (`scan --rerank-head FILE`).
    #[arg(long, value_name = "FILE")]
    rerank_out: Option<PathBuf>,

    #[command(flatten)]
    encoder: crate::rerank_args::EncoderArgs,

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
    if let Some(path) = &args.rerank_out {
        let head_options = args.fit.head_options();
        let how = if args.fit.tune {
            format!("--tune --tune-epochs {}", args.fit.tune_epochs)
        } else {
            format!("--head-alpha {} --head-unit {:?}", head_options.alpha, head_options.unit).to_lowercase()
        };
        let posts = rows.len();
        let trained_on = |encoder: &str| {
            vec![format!(
                "leadminer {} train --gold {} --rerank-out {how} ({posts} posts, encoder {encoder})",
                env!("CARGO_PKG_VERSION"),
                names.join(" --gold "),
            )]
        };
        let head = if args.fit.tune {
            let reader = tuned_reader(&args.encoder, &rows, &args.fit, "train --rerank-out --tune")?;
            let all: Vec<&Row> = rows.iter().collect();
            let stack = choose_stack(&all, &options, &reader)?;
            let tuned = reader.fit(&all)?;
            let file = path.with_extension("safetensors");
            tuned.save(&file)?;
            println!("fine-tuned layer written to {}", file.display());
            tuned_head(&file_name(&file), &stack, trained_on(leadminer_rerank::NAME))
        } else {
            let encoder = args.encoder.require("train --rerank-out")?;
            let threads = args.input.pipeline_options().threads;
            embed(&mut rows, &encoder, head_options.unit, threads, args.encoder.embedding_cache.as_deref())?;
            train_head(&rows, &options, &head_options, encoder.name(), trained_on(encoder.name()))?
        };
        head.save(path).with_context(|| format!("writing {}", path.display()))?;
        for label in Label::ALL {
            println!("{:<16} re-ranking threshold {:.3}", label.name(), head.labels[label].threshold);
        }
        println!("re-ranking head written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
