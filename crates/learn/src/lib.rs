//! Fitting leadminer's learned scorer and judging it the way it will be
//! used: on communities it was not fitted on.
//!
//! * [`fit`] fits one label's L2-regularized logistic regression
//!   (`linfa-logistic`, L-BFGS) over the features of the gold posts a scan
//!   lists ([`leadminer_core::score::features`]).
//! * [`train`] fits every label on all the rows and chooses each label's
//!   threshold on out-of-fold probabilities of leave-one-community-out
//!   cross-validation over the training communities, never on a test set.
//! * [`cross_validate`] holds out each community in turn, trains on the
//!   others (thresholds chosen by an inner leave-one-community-out over
//!   them) and reports precision, recall and F1 per label and per
//!   community, average precision and the precision of the top-ranked
//!   posts, beside the rule scorer on the same posts, with bootstrap
//!   intervals of each F1 and of the differences between the scorers
//!   ([`leadminer_core::bootstrap`]).
//!
//! Logistic regression, because it gives calibrated probabilities from a
//! few hundred examples, its weights are one readable number per named
//! feature (what `explain` shows), and scoring is a sparse dot product
//! over features that are already computed, at no measurable cost to a
//! scan. Posts a scan does not list are never labeled, whatever the
//! scorer: they count as predicted negatives here too.

mod export;
mod head;
mod stack;

pub use export::ExportedRow;
pub use head::{embed_texts, fit_head, locate, train_head, EmbeddingHead, HeadOptions};
pub use stack::{choose_stack, community_folds, out_of_fold_read, Reader, Stack, BLENDS};
use leadminer_core::bootstrap::{top_precision_interval, Interval, Paired, Ranked};
use leadminer_core::eval::{Example, GoldItem};
use leadminer_core::model::Source;
use leadminer_core::score::features::Features;
use leadminer_core::score::model::{LinearLabel, Model, FORMAT};
use leadminer_core::score::{Label, Labels, PerLabel, Scores};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One labeled post.
#[derive(Debug, Clone)]
pub struct Row {
    /// `source:id`, for reports.
    pub key: String,
    /// The community it is held out with ([`group_of`]).
    pub group: String,
    /// Its features, when a scan lists the post.
    pub features: Option<Features>,
    /// The rule scorer's scores and labels, when a scan lists the post.
    pub rules: Option<(Scores, Labels)>,
    /// Its analyzed text.
    pub text: String,
    /// The re-ranking stage's encoder's embeddings of the units of `text`
    /// a head reads ([`leadminer_core::score::rerank::Unit::texts`]), once they are embedded.
    pub embeddings: Option<Vec<Vec<f32>>>,
    /// Its gold labels (a label the line does not give is `None`).
    pub gold: PerLabel<Option<bool>>,
    /// The gold line's evidence quote of each yes label, when it gives one.
    pub evidence: PerLabel<Option<String>>,
    /// Whether the post was drawn at random from its community (the gold
    /// line's `draw` is `random`), not picked for what it says: such posts
    /// are labeled positive as often as in the posts a scan meets.
    pub drawn_at_random: bool,
}

/// The community a post is held out with: the site of its community name,
/// without `forum.`, `www.`, `news.`, `discourse.` or `lists.` and without
/// the path (`forum.gbadev.org/DS development` → `gbadev`,
/// `news.ycombinator.com` → `ycombinator`).
pub fn group_of(community: &str) -> String {
    let site = community.split('/').next().unwrap_or(community).to_lowercase();
    let mut labels: Vec<&str> = site.split('.').collect();
    while labels.len() > 1 && matches!(labels[0], "forum" | "forums" | "www" | "news" | "discourse" | "lists") {
        labels.remove(0);
    }
    labels[0].to_string()
}

/// The rows of `gold` posts found among `examples` (see
/// [`leadminer_core::eval::examples`]), and the keys of those not found.
pub fn rows(gold: &[GoldItem], examples: &BTreeMap<(Source, String), Example>) -> (Vec<Row>, Vec<String>) {
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for g in gold {
        let key = format!("{}:{}", g.source, g.id);
        match examples.get(&(g.source, g.id.clone())) {
            None => missing.push(key),
            Some(e) => rows.push(Row {
                key,
                group: group_of(&e.community),
                features: e.listed.as_ref().map(|(f, _, _)| f.clone()),
                rules: e.listed.as_ref().map(|(_, s, l)| (*s, *l)),
                text: e.text.clone(),
                embeddings: None,
                gold: PerLabel::from_fn(|label| g.label(label)),
                evidence: PerLabel::from_fn(|label| {
                    let quote = g.labels.get("evidence")?.get(label.name())?.as_str()?;
                    (!quote.trim().is_empty()).then(|| quote.to_string())
                }),
                drawn_at_random: g.labels.get("draw").and_then(|d| d.as_str()) == Some("random"),
            }),
        }
    }
    (rows, missing)
}

/// Fitting options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Options {
    /// L2 regularization strength.
    pub alpha: f64,
    /// A feature is used when at least this many training posts have it.
    pub min_df: usize,
    /// L-BFGS iterations at most.
    pub max_iterations: u64,
}

impl Default for Options {
    /// Alpha 3 and min_df 5 were better than alpha 1 and min_df 3 on every
    /// label's leave-one-community-out F1 over the shared labels, and three
    /// times faster to fit (docs/DEVELOPMENT.md, eleventh session).
    fn default() -> Self {
        Options { alpha: 3.0, min_df: 5, max_iterations: 200 }
    }
}

/// Why a model could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    /// The optimizer failed.
    #[error("fitting {label}: {message}")]
    Fit {
        /// The label.
        label: Label,
        /// What failed.
        message: String,
    },
    /// A second stage ([`Reader`]) could not be fitted or read a post.
    #[error("re-ranking stage: {message}")]
    Reader {
        /// What failed.
        message: String,
    },
}

/// The features at least `min_df` of `rows` have, sorted.
fn vocabulary(rows: &[&Row], min_df: usize) -> Vec<String> {
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        for name in r.features.iter().flat_map(|f| f.keys()) {
            *df.entry(name).or_insert(0) += 1;
        }
    }
    df.into_iter().filter(|(_, n)| *n >= min_df).map(|(k, _)| k.to_string()).collect()
}

/// Fits one label on the listed rows that give it; the threshold is left at
/// 0.5 (see [`choose_threshold`]).
pub fn fit(rows: &[&Row], label: Label, options: &Options) -> Result<LinearLabel, LearnError> {
    let rows: Vec<&Row> = rows.iter().copied().filter(|r| r.features.is_some() && r.gold[label].is_some()).collect();
    let positives = rows.iter().filter(|r| r.gold[label] == Some(true)).count();
    if positives == 0 || positives == rows.len() {
        // One class only: a constant.
        let p = if positives == 0 { 0.001f32 } else { 0.999 };
        return Ok(LinearLabel { bias: (p / (1.0 - p)).ln(), threshold: 0.5, weights: BTreeMap::new() });
    }
    let vocab = vocabulary(&rows, options.min_df);
    let index: BTreeMap<&str, usize> = vocab.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let mut x = Array2::<f64>::zeros((rows.len(), vocab.len().max(1)));
    for (i, r) in rows.iter().enumerate() {
        for (name, v) in r.features.iter().flatten() {
            if let Some(&j) = index.get(name.as_str()) {
                x[[i, j]] = f64::from(*v);
            }
        }
    }
    let y: Array1<bool> = rows.iter().map(|r| r.gold[label] == Some(true)).collect();
    let fitted = LogisticRegression::default()
        .alpha(options.alpha)
        .max_iterations(options.max_iterations)
        .fit(&Dataset::new(x, y))
        .map_err(|e| LearnError::Fit { label, message: e.to_string() })?;
    // The regression models the probability of its positive class.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let weights = vocab
        .iter()
        .zip(fitted.params().iter())
        .map(|(k, w)| (k, round4(sign * w)))
        .filter(|(_, w)| *w != 0.0)
        .map(|(k, w)| (k.clone(), w))
        .collect();
    Ok(LinearLabel { bias: round4(sign * fitted.intercept()), threshold: 0.5, weights })
}

/// A weight to four decimals: model files stay short and diffable, and a
/// refit on another machine gives the same file unless a weight moved.
pub(crate) fn round4(w: f64) -> f32 {
    ((w * 1e4).round() / 1e4) as f32
}

/// The threshold that maximizes F1 over `predictions` (a probability, or
/// `None` for a post a scan does not list, and the truth), the highest of
/// equals; 0.5 when there is no positive. (Taking the highest threshold
/// within 0.02 of the best F1 instead raised precision but lowered
/// leave-one-community-out F1 on every label, commercial from 0.58 to
/// 0.24: docs/DEVELOPMENT.md.)
pub fn choose_threshold(predictions: &[(Option<f32>, bool)]) -> f32 {
    let candidates: BTreeSet<u32> = predictions.iter().filter_map(|(p, _)| p.map(f32::to_bits)).collect();
    let positives = predictions.iter().filter(|(_, t)| *t).count();
    let mut best = (0.0f64, 0.5f32);
    for bits in candidates {
        let t = f32::from_bits(bits);
        let tp = predictions.iter().filter(|(p, truth)| *truth && p.is_some_and(|p| p >= t)).count();
        let flagged = predictions.iter().filter(|(p, _)| p.is_some_and(|p| p >= t)).count();
        let f1 = if tp == 0 { 0.0 } else { 2.0 * tp as f64 / (flagged + positives) as f64 };
        // Ties go to the higher threshold (fewer flags).
        if f1 > best.0 || (f1 == best.0 && f1 > 0.0 && t > best.1) {
            best = (f1, t);
        }
    }
    best.1
}

/// The F1 of flagging the `predictions` that reach `threshold`.
pub(crate) fn f1_at(predictions: &[(Option<f32>, bool)], threshold: f32) -> f64 {
    let positives = predictions.iter().filter(|(_, t)| *t).count();
    let tp = predictions.iter().filter(|(p, truth)| *truth && p.is_some_and(|p| p >= threshold)).count();
    let flagged = predictions.iter().filter(|(p, _)| p.is_some_and(|p| p >= threshold)).count();
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (flagged + positives) as f64
    }
}

/// Leave-one-community-out probabilities of `label` for every row of
/// `rows` (`None` for rows a scan does not list), trained each time on the
/// other communities.
pub fn out_of_fold(rows: &[&Row], label: Label, options: &Options) -> Result<Vec<Option<f32>>, LearnError> {
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    let mut out = vec![None; rows.len()];
    for g in groups {
        let train: Vec<&Row> = rows.iter().copied().filter(|r| r.group != g).collect();
        let model = fit(&train, label, options)?;
        for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.group == g) {
            out[i] = r.features.as_ref().map(|f| model.probability(f));
        }
    }
    Ok(out)
}

/// Fits `label` on `rows` with its threshold chosen on their
/// leave-one-community-out probabilities (all rows, one community: the
/// threshold stays at 0.5).
pub fn fit_with_threshold(rows: &[&Row], label: Label, options: &Options) -> Result<LinearLabel, LearnError> {
    let mut model = fit(rows, label, options)?;
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    if groups.len() > 1 {
        let probs = out_of_fold(rows, label, options)?;
        let predictions: Vec<(Option<f32>, bool)> = rows
            .iter()
            .zip(probs)
            .filter_map(|(r, p)| r.gold[label].map(|t| (p, t)))
            .collect();
        model.threshold = choose_threshold(&predictions);
    }
    Ok(model)
}

/// Trains a model on every row.
pub fn train(rows: &[Row], options: &Options, trained_on: Vec<String>) -> Result<Model, LearnError> {
    let all: Vec<&Row> = rows.iter().collect();
    let mut labels = Vec::new();
    for label in Label::ALL {
        labels.push(fit_with_threshold(&all, label, options)?);
    }
    let mut labels = labels.into_iter();
    Ok(Model {
        format: FORMAT,
        trained_on,
        base: None,
        labels: PerLabel::from_fn(|_| labels.next().unwrap_or_else(|| unreachable!("one model per label"))),
    })
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

impl Prf {
    fn of(decisions: &[(bool, bool)]) -> Prf {
        let tp = decisions.iter().filter(|(p, t)| *p && *t).count();
        let fp = decisions.iter().filter(|(p, t)| *p && !*t).count();
        let fn_ = decisions.iter().filter(|(p, t)| !*p && *t).count();
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        Prf { tp, fp, fn_, precision, recall, f1 }
    }
}

/// One scorer's held-out predictions of one row and label.
#[derive(Debug, Clone, Copy)]
struct Held {
    score: f32,
    flagged: bool,
    truth: bool,
}

/// How many of the highest-scored posts of a community count in
/// [`GroupReport::top_precision`].
pub const TOP: usize = 10;

/// One held-out community's numbers for one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    /// The community.
    pub group: String,
    /// Labeled posts, and how many are positive.
    pub posts: usize,
    /// Positive posts.
    pub positives: usize,
    /// Precision, recall, F1.
    pub prf: Prf,
    /// Average precision of the ranking by score (positives a scan does
    /// not list are never retrieved).
    pub average_precision: f64,
    /// The share of positives among the [`TOP`] highest-scored posts.
    pub top_precision: f64,
    /// The posts of the community drawn at random, when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_random: Option<AtRandom>,
}

/// A scorer's decisions on the held-out posts drawn at random
/// ([`Row::drawn_at_random`]): positives are as rare there as in the
/// posts a scan meets, unlike in a sample picked for creation language, so
/// these say how many false flags a reader of a scan's list will see.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtRandom {
    /// Posts drawn at random.
    pub posts: usize,
    /// Positive posts among them.
    pub positives: usize,
    /// Precision, recall and F1 on them.
    pub prf: Prf,
    /// Posts flagged that do not have the label, per 100 posts drawn at
    /// random.
    pub false_per_100: f64,
}

impl AtRandom {
    /// The numbers of `decisions` (flagged, truth) of posts drawn at
    /// random; `None` when there are none.
    fn of(decisions: &[(bool, bool)]) -> Option<AtRandom> {
        if decisions.is_empty() {
            return None;
        }
        let prf = Prf::of(decisions);
        Some(AtRandom {
            posts: decisions.len(),
            positives: decisions.iter().filter(|(_, t)| *t).count(),
            prf,
            false_per_100: 100.0 * prf.fp as f64 / decisions.len() as f64,
        })
    }
}

/// One scorer's numbers for one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelCv {
    /// The label.
    pub label: Label,
    /// Pooled over the held-out communities.
    pub pooled: Prf,
    /// The [`LEVEL`](leadminer_core::bootstrap::LEVEL) bootstrap interval
    /// of the pooled F1 (posts resampled within their community).
    pub f1_interval: Interval,
    /// Mean over communities of the average precision.
    pub mean_average_precision: f64,
    /// Mean over communities of the top precision.
    pub mean_top_precision: f64,
    /// The [`LEVEL`](leadminer_core::bootstrap::LEVEL) bootstrap interval
    /// of the mean top precision (each community's posts resampled).
    pub top_precision_interval: Interval,
    /// Pooled over the held-out posts drawn at random, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_random: Option<AtRandom>,
    /// Per held-out community.
    pub groups: Vec<GroupReport>,
}

/// A wrong held-out prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvError {
    /// The label.
    pub label: Label,
    /// `source:id`.
    pub key: String,
    /// Its community.
    pub group: String,
    /// The held-out probability.
    pub score: f32,
    /// `false_positive` or `false_negative`.
    pub error: &'static str,
}

/// One scorer's held-out decision on one labeled post
/// (`eval --cv --decisions`), so that two runs (two encoders, two sets
/// of options) can be compared on the same posts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldDecision {
    /// `rules`, `learned` or `reranked`.
    pub scorer: &'static str,
    /// The label.
    pub label: Label,
    /// `source:id`.
    pub key: String,
    /// Its community.
    pub group: String,
    /// The gold label.
    pub truth: bool,
    /// Whether the scorer flagged it.
    pub flagged: bool,
    /// The scorer's score.
    pub score: f32,
}

/// How much better one scorer's pooled F1 is than another's on the same
/// held-out posts, and how sure the posts let us be of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The label.
    pub label: Label,
    /// The scorer compared (`learned`, `reranked`).
    pub scorer: &'static str,
    /// The scorer it is compared with (`rules`, `learned`).
    pub baseline: &'static str,
    /// `scorer`'s F1 minus `baseline`'s.
    pub f1: f64,
    /// The [`LEVEL`](leadminer_core::bootstrap::LEVEL) paired bootstrap
    /// interval of the difference: when it holds 0, these posts cannot
    /// tell the two apart.
    pub interval: Interval,
}

/// The report of [`cross_validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvReport {
    /// The fitting options.
    pub options: Options,
    /// The communities, each held out once.
    pub groups: Vec<String>,
    /// The learned scorer, per label.
    pub learned: Vec<LabelCv>,
    /// The rule scorer on the same posts (nothing is fitted: its numbers
    /// per community are plain evaluations).
    pub rules: Vec<LabelCv>,
    /// The learned scorer with the re-ranking stage reading every listed
    /// post, when the rows have embeddings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reranked: Option<Vec<LabelCv>>,
    /// Per label: the learned scorer against the rules, and with the
    /// re-ranking stage, the re-ranked against the learned and the rules.
    pub differences: Vec<Difference>,
    /// The learned scorer's worst errors.
    pub worst: Vec<CvError>,
    /// Every scorer's decision on every held-out post that has the label,
    /// by scorer, label and post (not in the JSON report: `eval --cv
    /// --decisions FILE` writes them).
    #[serde(skip)]
    pub decisions: Vec<HeldDecision>,
}

fn label_cv(label: Label, rows: &[Row], held: &[Option<Held>]) -> LabelCv {
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    let mut pooled = Vec::new();
    let mut pooled_at_random = Vec::new();
    let mut reports = Vec::new();
    let mut rankings = Vec::new();
    for g in groups {
        let mut items: Vec<Held> = rows.iter().zip(held).filter(|(r, _)| r.group == g).filter_map(|(_, h)| *h).collect();
        if items.is_empty() {
            continue;
        }
        let decisions: Vec<(bool, bool)> = items.iter().map(|h| (h.flagged, h.truth)).collect();
        pooled.extend(decisions.iter().copied());
        let at_random: Vec<(bool, bool)> = rows
            .iter()
            .zip(held)
            .filter(|(r, _)| r.group == g && r.drawn_at_random)
            .filter_map(|(_, h)| h.map(|h| (h.flagged, h.truth)))
            .collect();
        pooled_at_random.extend(at_random.iter().copied());
        items.sort_by(|a, b| b.score.total_cmp(&a.score));
        let positives = items.iter().filter(|h| h.truth).count();
        let mut hits = 0usize;
        let mut sum = 0.0;
        for (i, h) in items.iter().enumerate().filter(|(_, h)| h.score > 0.0) {
            if h.truth {
                hits += 1;
                sum += hits as f64 / (i + 1) as f64;
            }
        }
        let top = items.len().min(TOP);
        let top_hits = items[..top].iter().filter(|h| h.truth && h.score > 0.0).count();
        if positives > 0 {
            rankings.push(items.iter().map(|h| Ranked { score: h.score, hit: h.truth && h.score > 0.0 }).collect::<Vec<_>>());
        }
        reports.push(GroupReport {
            group: g.to_string(),
            posts: items.len(),
            positives,
            prf: Prf::of(&decisions),
            average_precision: if positives == 0 { 0.0 } else { sum / positives as f64 },
            top_precision: if top == 0 { 0.0 } else { top_hits as f64 / top as f64 },
            at_random: AtRandom::of(&at_random),
        });
    }
    let with_positives: Vec<&GroupReport> = reports.iter().filter(|r| r.positives > 0).collect();
    let mean = |f: fn(&GroupReport) -> f64| {
        if with_positives.is_empty() {
            0.0
        } else {
            with_positives.iter().map(|r| f(r)).sum::<f64>() / with_positives.len() as f64
        }
    };
    LabelCv {
        label,
        pooled: Prf::of(&pooled),
        // Set by the caller, which resamples every scorer at once.
        f1_interval: Interval::default(),
        mean_average_precision: mean(|r| r.average_precision),
        mean_top_precision: mean(|r| r.top_precision),
        top_precision_interval: top_precision_interval(&rankings, TOP),
        at_random: AtRandom::of(&pooled_at_random),
        groups: reports,
    }
}

/// Leave-one-community-out cross-validation of the learned scorer, with the
/// rule scorer on the same posts; `worst` errors are listed.
pub fn cross_validate(rows: &[Row], options: &Options, worst: usize) -> Result<CvReport, LearnError> {
    cross_validate_with(rows, options, None, worst)
}

/// [`cross_validate`], and with a `reader` the re-ranking stage too, as
/// if it read every listed post: in each fold it is fitted on the training
/// communities and its blends and thresholds chosen on them
/// ([`choose_stack`]).
pub fn cross_validate_with(
    rows: &[Row],
    options: &Options,
    reader: Option<&dyn Reader>,
    worst: usize,
) -> Result<CvReport, LearnError> {
    let groups: Vec<String> = rows.iter().map(|r| r.group.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut held: PerLabel<Vec<Option<Held>>> = PerLabel::from_fn(|_| vec![None; rows.len()]);
    let mut held_reranked: PerLabel<Vec<Option<Held>>> = PerLabel::from_fn(|_| vec![None; rows.len()]);
    let mut errors = Vec::new();
    for g in &groups {
        let train: Vec<&Row> = rows.iter().filter(|r| &r.group != g).collect();
        let index: Vec<usize> = (0..rows.len()).filter(|&i| &rows[i].group == g).collect();
        let models = per_label(|label| fit_with_threshold(&train, label, options))?;
        let second = match reader {
            Some(reader) => {
                let read: Vec<&Row> = index.iter().map(|&i| &rows[i]).collect();
                Some((reader.fit_read(&train, &read)?, choose_stack(&train, options, reader)?))
            }
            None => None,
        };
        for (k, &i) in index.iter().enumerate() {
            let r = &rows[i];
            for label in Label::ALL {
                let Some(truth) = r.gold[label] else { continue };
                let model = &models[label];
                let score = r.features.as_ref().map_or(0.0, |f| model.probability(f));
                let flagged = r.features.is_some() && score >= model.threshold;
                held[label][i] = Some(Held { score, flagged, truth });
                if let Some((readings, stack)) = &second {
                    let s = &stack[label];
                    let held = match (&r.features, &readings[k]) {
                        (Some(_), Some(p)) => {
                            let combined = leadminer_core::score::rerank::blend(s.blend, score, p[label]);
                            Held { score: combined, flagged: combined >= s.threshold, truth }
                        }
                        _ => Held { score, flagged: r.features.is_some() && score >= s.learned_threshold, truth },
                    };
                    held_reranked[label][i] = Some(held);
                }
                if flagged != truth {
                    errors.push(CvError {
                        label,
                        key: r.key.clone(),
                        group: r.group.clone(),
                        score,
                        error: if flagged { "false_positive" } else { "false_negative" },
                    });
                }
            }
        }
    }
    let mut learned = Vec::new();
    let mut rules = Vec::new();
    let mut reranked = Vec::new();
    let mut differences = Vec::new();
    let mut decisions = Vec::new();
    for label in Label::ALL {
        let by_rules: Vec<Option<Held>> = rows
            .iter()
            .map(|r| {
                let truth = r.gold[label]?;
                Some(match &r.rules {
                    Some((scores, labels)) => Held { score: scores[label], flagged: labels[label], truth },
                    None => Held { score: 0.0, flagged: false, truth },
                })
            })
            .collect();
        // Scorers in the order rules, learned, re-ranked.
        let mut scorers = vec![&by_rules, &held[label]];
        if reader.is_some() {
            scorers.push(&held_reranked[label]);
        }
        let names = ["rules", "learned", "reranked"];
        for (name, held) in names.iter().zip(&scorers) {
            decisions.extend(rows.iter().zip(held.iter()).filter_map(|(r, h)| {
                h.map(|h| HeldDecision {
                    scorer: name,
                    label,
                    key: r.key.clone(),
                    group: r.group.clone(),
                    truth: h.truth,
                    flagged: h.flagged,
                    score: h.score,
                })
            }));
        }
        let resampled = paired_decisions(rows, &groups, &scorers).resample();
        let mut reports: Vec<LabelCv> = scorers
            .iter()
            .enumerate()
            .map(|(i, held)| LabelCv { f1_interval: resampled.f1(i), ..label_cv(label, rows, held) })
            .collect();
        let pairs: &[(usize, usize)] = if reports.len() == 3 { &[(1, 0), (2, 1), (2, 0)] } else { &[(1, 0)] };
        for &(scorer, baseline) in pairs {
            differences.push(Difference {
                label,
                scorer: names[scorer],
                baseline: names[baseline],
                f1: reports[scorer].pooled.f1 - reports[baseline].pooled.f1,
                interval: resampled.difference(scorer, baseline),
            });
        }
        if reader.is_some() {
            reranked.push(reports.remove(2));
        }
        learned.push(reports.remove(1));
        rules.push(reports.remove(0));
    }
    let wrong = |e: &CvError| if e.error == "false_positive" { e.score } else { 1.0 - e.score };
    errors.sort_by(|a, b| wrong(b).total_cmp(&wrong(a)).then_with(|| (&a.key, a.label).cmp(&(&b.key, b.label))));
    errors.truncate(worst);
    let reranked = reader.is_some().then_some(reranked);
    Ok(CvReport { options: *options, groups, learned, rules, reranked, differences, worst: errors, decisions })
}

/// Each scorer's held-out decision of every post that has the label, by
/// community, for paired bootstrap intervals.
fn paired_decisions(rows: &[Row], groups: &[String], scorers: &[&Vec<Option<Held>>]) -> Paired {
    let mut paired = Paired::new(scorers.len());
    for g in groups {
        let decisions = (0..rows.len())
            .filter(|&i| &rows[i].group == g)
            .filter_map(|i| scorers.iter().map(|held| held[i].map(|h| (h.flagged, h.truth))).collect::<Option<Vec<_>>>())
            .flatten()
            .collect();
        paired.push_group(decisions);
    }
    paired
}

/// `f` of every label, in [`Label::ALL`] order, stopping at the first
/// error.
pub(crate) fn per_label<T, E>(mut f: impl FnMut(Label) -> Result<T, E>) -> Result<PerLabel<T>, E> {
    let mut out = Vec::with_capacity(Label::ALL.len());
    for label in Label::ALL {
        out.push(f(label)?);
    }
    let mut out = out.into_iter();
    Ok(PerLabel::from_fn(|_| out.next().unwrap_or_else(|| unreachable!("one value per label"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, group: &str, words: &[&str], solution: bool) -> Row {
        let features: Features = words.iter().map(|w| (format!("w:{w}"), 1.0)).collect();
        let mut gold = PerLabel::from_fn(|_| Some(false));
        gold[Label::Solution] = Some(solution);
        gold[Label::UserInnovation] = Some(solution);
        Row {
            key: key.into(),
            group: group.into(),
            features: Some(features),
            rules: None,
            text: String::new(),
            embeddings: None,
            gold,
            evidence: PerLabel::from_fn(|_| None),
            drawn_at_random: false,
        }
    }

    #[test]
    fn groups_are_sites() {
        assert_eq!(group_of("forum.gbadev.org/DS development"), "gbadev");
        assert_eq!(group_of("news.ycombinator.com"), "ycombinator");
        assert_eq!(group_of("discourse.urho3d.io"), "urho3d");
        assert_eq!(group_of("blinux-list.listman.redhat.com"), "blinux-list");
        assert_eq!(group_of("splitscreenvanclub"), "splitscreenvanclub");
    }

    #[test]
    fn thresholds_maximize_f1() {
        let p = [(Some(0.9), true), (Some(0.8), false), (Some(0.7), true), (Some(0.2), false), (None, true)];
        // At 0.7: tp 2, flagged 3, positives 3 → F1 2/3; at 0.9: 1/2.
        assert_eq!(choose_threshold(&p), 0.7);
        // 50 positives. At 0.5: tp 40 of 50 flagged, F1 0.800; at 0.9: tp 39
        // of 48 flagged, F1 0.796: the best F1 wins, however close.
        let mut q = vec![(Some(0.9), true); 39];
        q.extend([(Some(0.9), false); 9]);
        q.extend([(Some(0.5), true), (Some(0.5), false)]);
        q.extend([(None, true); 10]);
        assert_eq!(choose_threshold(&q), 0.5);
        assert_eq!(choose_threshold(&[(Some(0.3), false)]), 0.5);
    }

    #[test]
    fn a_separable_word_is_learned_and_folds_hold_out_whole_communities() {
        let mut rows = Vec::new();
        for (g, n) in [("a", 0), ("b", 1), ("c", 2)] {
            for i in 0..6 {
                let made = i % 2 == 0;
                let words: &[&str] = if made { &["made", "jig"] } else { &["where", "buy"] };
                rows.push(row(&format!("{g}{i}{n}"), g, words, made));
            }
        }
        let options = Options { alpha: 0.1, min_df: 2, max_iterations: 100 };
        let all: Vec<&Row> = rows.iter().collect();
        let model = fit(&all, Label::Solution, &options).expect("fits");
        assert!(model.weights["w:made"] > 0.0 && model.weights["w:buy"] < 0.0, "{model:?}");
        let report = cross_validate(&rows, &options, 5).expect("cross-validates");
        assert_eq!(report.groups, ["a", "b", "c"]);
        let solution = &report.learned[0];
        assert_eq!(solution.groups.iter().map(|g| g.posts).collect::<Vec<_>>(), [6, 6, 6]);
        assert_eq!(solution.pooled.f1, 1.0, "{solution:?}");
        assert_eq!(solution.groups[0].top_precision, 0.5, "3 positives among the top 6 of a fold");
        assert_eq!(report.rules[0].pooled.tp, 0, "unlisted by the rules, never flagged");
    }

    #[test]
    fn posts_drawn_at_random_are_counted_apart() {
        let mut rows = Vec::new();
        for g in ["a", "b", "c"] {
            for i in 0..6 {
                let made = i % 2 == 0;
                let words: &[&str] = if made { &["made", "jig"] } else { &["where", "buy"] };
                let mut r = row(&format!("{g}{i}"), g, words, made);
                r.drawn_at_random = i < 2;
                rows.push(r);
            }
        }
        // Says what the positives say, and is not one: a false flag among
        // the posts drawn at random.
        let mut odd = row("a-odd", "a", &["made", "jig"], false);
        odd.drawn_at_random = true;
        rows.push(odd);
        let options = Options { alpha: 0.1, min_df: 2, max_iterations: 100 };
        let report = cross_validate(&rows, &options, 5).expect("cross-validates");
        let learned = report.learned[0].at_random.expect("posts drawn at random");
        assert_eq!((learned.posts, learned.positives), (7, 3));
        assert_eq!((learned.prf.tp, learned.prf.fp, learned.prf.fn_), (3, 1, 0));
        assert!((learned.false_per_100 - 100.0 / 7.0).abs() < 1e-9, "{learned:?}");
        let a = report.learned[0].groups[0].at_random.expect("group a has some");
        assert_eq!((a.posts, a.positives, a.prf.fp), (3, 1, 1));
        let b = report.learned[0].groups[1].at_random.expect("group b has some");
        assert_eq!((b.posts, b.prf.fp, b.false_per_100), (2, 0, 0.0));
        let rules = report.rules[0].at_random.expect("the same posts for the rules");
        assert_eq!((rules.posts, rules.prf.tp, rules.prf.fp), (7, 0, 0));
        let none = cross_validate(&rows.iter().cloned().map(|r| Row { drawn_at_random: false, ..r }).collect::<Vec<_>>(), &options, 5)
            .expect("cross-validates");
        assert_eq!(none.learned[0].at_random, None, "no post drawn at random, no numbers");
    }
}
