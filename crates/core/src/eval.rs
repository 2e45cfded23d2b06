//! `eval`: precision, recall and F1 per label against a gold file, and the
//! worst errors with their evidence.
//!
//! A gold file is JSON lines `{"source", "id", "solution",
//! "user_innovation", "need", "commercial"}` with 0/1 values (other keys are
//! ignored). Gold posts that the inputs do not contain are reported as
//! missing; posts without signals count as negatives.

use crate::model::Source;
use crate::record::PostRecord;
use crate::score::Label;
use crate::bootstrap::{Decision, Interval, Paired};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;


/// One gold line.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldItem {
    /// Source name (`hackernews`, `discourse`, ...).
    pub source: Source,
    /// Native id.
    #[serde(deserialize_with = "crate::read::json_id")]
    pub id: String,
    /// 0/1 labels.
    #[serde(flatten)]
    pub labels: BTreeMap<String, serde_json::Value>,
}

impl GoldItem {
    /// The gold value of a label; `None` when the line does not give it.
    pub fn label(&self, label: Label) -> Option<bool> {
        match self.labels.get(label.name())? {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::Number(n) => Some(n.as_f64()? >= 0.5),
            _ => None,
        }
    }
}

/// An error reading a gold file.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct GoldError {
    /// The file.
    pub path: String,
    /// 1-based line (0 for the file itself).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads a gold file.
pub fn read_gold(path: &Path) -> Result<Vec<GoldItem>, GoldError> {
    let err = |line: usize, message: String| GoldError { path: path.display().to_string(), line, message };
    let text = std::fs::read_to_string(path).map_err(|e| err(0, format!("cannot read: {e}")))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item: GoldItem = serde_json::from_str(line).map_err(|e| err(i + 1, e.to_string()))?;
        if !Label::ALL.iter().any(|l| item.label(*l).is_some()) {
            return Err(err(i + 1, format!("no label ({}) given", Label::names())));
        }
        out.push(item);
    }
    Ok(out)
}

/// Confusion counts and measures of one label.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LabelReport {
    /// The label.
    pub label: String,
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub fn_: u64,
    /// True negatives.
    pub tn: u64,
    /// tp / (tp + fp); 0 when nothing was predicted.
    pub precision: f64,
    /// tp / (tp + fn); 0 when there is nothing to find.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// The [`LEVEL`](crate::bootstrap::LEVEL) bootstrap interval of `f1`
    /// (the labeled posts resampled within the gold lines' communities).
    pub f1_interval: Interval,
}

impl LabelReport {
    fn finish(mut self) -> Self {
        let p = if self.tp + self.fp > 0 { self.tp as f64 / (self.tp + self.fp) as f64 } else { 0.0 };
        let r = if self.tp + self.fn_ > 0 { self.tp as f64 / (self.tp + self.fn_) as f64 } else { 0.0 };
        self.precision = round4(p);
        self.recall = round4(r);
        self.f1 = round4(if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 });
        self.f1_interval = Interval { low: round4(self.f1_interval.low), high: round4(self.f1_interval.high) };
        self
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// A wrong prediction with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct EvalError {
    /// The label.
    pub label: String,
    /// `false_positive` or `false_negative`.
    pub error: &'static str,
    /// Source.
    pub source: Source,
    /// Id.
    pub id: String,
    /// The predicted score.
    pub score: f32,
    /// Title or the start of the text.
    pub snippet: String,
    /// Matched evidence: `kind/rule: text`.
    pub evidence: Vec<String>,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Gold items.
    pub gold: usize,
    /// Gold items not found in the inputs.
    pub missing: Vec<String>,
    /// Per-label measures.
    pub labels: Vec<LabelReport>,
    /// The worst errors: confident false positives, then false negatives
    /// with the lowest scores.
    pub worst: Vec<EvalError>,
    /// How many listed gold posts the re-ranking stage read, when it was
    /// on (see [`predict`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reranked: Option<usize>,
}

/// What was predicted for one gold post.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// The record, when the post had signals.
    pub record: Option<PostRecord>,
    /// Title or start of text, for the report.
    pub snippet: String,
}

/// Compares predictions with gold labels. `predictions` maps (source, id)
/// to what was predicted for each gold post found in the inputs.
pub fn evaluate(gold: &[GoldItem], predictions: &BTreeMap<(Source, String), Prediction>, worst: usize) -> EvalReport {
    let mut reports: Vec<LabelReport> =
        Label::ALL.iter().map(|l| LabelReport { label: l.to_string(), ..LabelReport::default() }).collect();
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    // Each label's decisions by the gold lines' community, for intervals.
    let mut decisions: Vec<BTreeMap<&str, Vec<Decision>>> = vec![BTreeMap::new(); Label::ALL.len()];
    for g in gold {
        let key = (g.source, g.id.clone());
        let Some(pred) = predictions.get(&key) else {
            missing.push(format!("{}:{}", g.source, g.id));
            continue;
        };
        for (i, label) in Label::ALL.into_iter().enumerate() {
            let Some(truth) = g.label(label) else { continue };
            let (predicted, score) = match &pred.record {
                Some(r) => (r.labels[label], r.scores[label]),
                None => (false, 0.0),
            };
            let community = g.labels.get("community").and_then(serde_json::Value::as_str).unwrap_or("");
            decisions[i].entry(community).or_default().push((predicted, truth));
            let rep = &mut reports[i];
            match (truth, predicted) {
                (true, true) => rep.tp += 1,
                (false, true) => rep.fp += 1,
                (true, false) => rep.fn_ += 1,
                (false, false) => rep.tn += 1,
            }
            if truth != predicted {
                errors.push(EvalError {
                    label: label.to_string(),
                    error: if predicted { "false_positive" } else { "false_negative" },
                    source: g.source,
                    id: g.id.clone(),
                    score,
                    snippet: pred.snippet.clone(),
                    evidence: pred
                        .record
                        .as_ref()
                        .map(|r| r.signals.iter().map(|s| format!("{}/{}: {}", s.kind, s.rule, r.text_of(s))).collect())
                        .unwrap_or_default(),
                });
            }
        }
    }
    // Worst first: how far the score was on the wrong side.
    errors.sort_by(|a, b| {
        let wrong = |e: &EvalError| if e.error == "false_positive" { e.score } else { 1.0 - e.score };
        wrong(b).total_cmp(&wrong(a)).then_with(|| (a.source, &a.id, &a.label).cmp(&(b.source, &b.id, &b.label)))
    });
    errors.truncate(worst);
    for (rep, by_community) in reports.iter_mut().zip(decisions) {
        let mut paired = Paired::new(1);
        by_community.into_values().for_each(|posts| paired.push_group(posts));
        rep.f1_interval = paired.resample().f1(0);
    }
    EvalReport {
        gold: gold.len(),
        missing,
        labels: reports.into_iter().map(LabelReport::finish).collect(),
        worst: errors,
        reranked: None,
    }
}

/// What [`predict`] found.
#[derive(Debug, Default)]
pub struct Predictions {
    /// What was predicted for each gold post found in the inputs, by
    /// (source, id).
    pub posts: BTreeMap<(Source, String), Prediction>,
    /// Records skipped while reading.
    pub skips: crate::pipeline::Skips,
    /// How many listed gold posts the scanner's re-ranking stage read
    /// (`None`: the scanner has no such stage).
    pub reranked: Option<usize>,
    /// Gold posts the re-ranking stage could not read, with why (their
    /// first-stage scores stand).
    pub rerank_errors: Vec<String>,
}

/// Reads the inputs and predicts every gold post found in them, as a scan
/// would score it. With the scanner's re-ranking stage
/// ([`crate::scan::Scanner::rerank`]) every listed gold post is read by it,
/// whatever its rank (a scan reads only its best posts), and is placed as
/// a scan places the posts it reads ([`crate::scan::rerank::place`]): the
/// same labels, its score among the gold posts read.
pub fn predict(
    scanner: &crate::scan::Scanner,
    files: &[crate::read::InputFile],
    read: &crate::read::ReadOptions,
    options: &crate::pipeline::PipelineOptions,
    gold: &[GoldItem],
) -> Predictions {
    use crate::scan::rerank::{Best, Candidate};
    let wanted: std::collections::HashSet<(Source, String)> = gold.iter().map(|g| (g.source, g.id.clone())).collect();
    let mut posts = BTreeMap::new();
    // Every listed gold post: none is left out for its rank.
    let mut best = scanner.rerank.as_ref().map(|_| Best::new(usize::MAX));
    let skips = crate::pipeline::for_each_post(
        files,
        read,
        options,
        |post| {
            let key = (post.source, post.id.clone());
            wanted.contains(&key).then(|| {
                let record = scanner.score_post(&post);
                let candidate = record.as_ref().filter(|_| scanner.rerank.is_some()).map(|r| {
                    let (text, _) = crate::analyze::document::analyzed_text(&post);
                    Candidate::new(post.source, &post.id, r.scores, &text)
                });
                (key, Prediction { snippet: snippet(&post), record }, candidate)
            })
        },
        |(key, prediction, candidate)| {
            if let (Some(best), Some(c)) = (&mut best, candidate) {
                let scores = c.scores;
                best.offer(&scores, || c);
            }
            posts.insert(key, prediction);
            true
        },
    );
    let mut out = Predictions { posts, skips, ..Predictions::default() };
    if let (Some(rerank), Some(best)) = (&scanner.rerank, best) {
        let (placed, errors) = rerank.read(best, options.threads);
        out.reranked = Some(placed.len());
        out.rerank_errors = errors;
        for (key, post) in &placed {
            if let Some(record) = out.posts.get_mut(key).and_then(|p| p.record.as_mut()) {
                post.apply(&mut record.scores, &mut record.labels);
            }
        }
    }
    out
}

/// A gold post as a learned scorer sees it.
#[derive(Debug, Clone)]
pub struct Example {
    /// The post's community.
    pub community: String,
    /// Its analyzed text (title, blank line, body), what the re-ranking
    /// stage's encoder reads.
    pub text: String,
    /// Its features and the rule scorer's scores and labels, when a scan
    /// lists the post; a post a scan does not list is never labeled,
    /// whatever the scorer.
    pub listed: Option<(crate::score::features::Features, crate::score::Scores, crate::score::Labels)>,
}

/// Reads the inputs and computes the features of every gold post found in
/// them (see [`Example`]), keyed by (source, id); with the records skipped.
pub fn examples(
    scanner: &crate::scan::Scanner,
    files: &[crate::read::InputFile],
    read: &crate::read::ReadOptions,
    options: &crate::pipeline::PipelineOptions,
    gold: &[GoldItem],
) -> (BTreeMap<(Source, String), Example>, crate::pipeline::Skips) {
    let wanted: std::collections::HashSet<(Source, String)> = gold.iter().map(|g| (g.source, g.id.clone())).collect();
    let mut out = BTreeMap::new();
    let skips = crate::pipeline::for_each_post(
        files,
        read,
        options,
        |post| {
            let key = (post.source, post.id.clone());
            wanted.contains(&key).then(|| {
                let example = Example {
                    community: post.community.clone(),
                    text: crate::analyze::Document::new(&post).text.into_owned(),
                    listed: scanner.post_features(&post),
                };
                (key, example)
            })
        },
        |(key, example)| {
            out.insert(key, example);
            true
        },
    );
    (out, skips)
}

/// The title, or the first 100 characters of the body.
fn snippet(post: &crate::Post) -> String {
    match post.title.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => {
            let body: String = post.body.chars().take(100).collect();
            body.replace('\n', " ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PostKind;
    use crate::score::{Label, Labels, Scores};

    fn gold(line: &str) -> GoldItem {
        serde_json::from_str(line).expect("gold line")
    }

    fn predicted(id: &str, solution: bool, ui: bool, need: bool, commercial: bool, score: f32) -> ((Source, String), Prediction) {
        let record = PostRecord {
            source: Source::HackerNews,
            id: id.into(),
            community: "c".into(),
            thread: None,
            parent: None,
            author: None,
            created: None,
            date: None,
            kind: PostKind::Story,
            title: None,
            url: None,
            link_submission: false,
            snippet: Default::default(),
            scores: Scores::from_fn(|_| score),
            labels: Labels::from_fn(|l| match l {
                Label::Solution => solution,
                Label::UserInnovation => ui,
                Label::Need => need,
                Label::Commercial => commercial,
            }),
            signals: Vec::new(),
            response: Default::default(),
        };
        ((Source::HackerNews, id.into()), Prediction { record: Some(record), snippet: id.into() })
    }

    /// Five gold posts, worked out by hand:
    ///
    /// | id | gold sol | pred sol | gold need | pred need |
    /// |----|----------|----------|-----------|-----------|
    /// | 1  | 1        | 1 (tp)   | 0         | 0 (tn)    |
    /// | 2  | 1        | 0 (fn)   | 1         | 1 (tp)    |
    /// | 3  | 0        | 1 (fp)   | 1         | 0 (fn)    |
    /// | 4  | 1        | 1 (tp)   | 0         | 1 (fp)    |
    /// | 5  | 0        | — (tn, no signals) | 1 | — (fn) |
    ///
    /// solution: tp 2, fp 1, fn 1, tn 1 -> P 2/3, R 2/3, F1 2/3.
    /// need: tp 1, fp 1, fn 2, tn 1 -> P 1/2, R 1/3, F1 0.4.
    #[test]
    fn hand_computed_measures() {
        let g = [
            gold(r#"{"source":"hackernews","id":"1","solution":1,"user_innovation":1,"need":0,"commercial":0}"#),
            gold(r#"{"source":"hackernews","id":2,"solution":1,"user_innovation":0,"need":1,"commercial":0}"#),
            gold(r#"{"source":"hackernews","id":"3","solution":0,"user_innovation":0,"need":1,"commercial":0}"#),
            gold(r#"{"source":"hackernews","id":"4","solution":1,"user_innovation":1,"need":0,"commercial":1}"#),
            gold(r#"{"source":"hackernews","id":"5","solution":0,"user_innovation":0,"need":1,"commercial":0}"#),
            gold(r#"{"source":"hackernews","id":"6","solution":1}"#),
        ];
        let mut p: BTreeMap<(Source, String), Prediction> = [
            predicted("1", true, true, false, false, 0.9),
            predicted("2", false, false, true, false, 0.2),
            predicted("3", true, false, false, false, 0.8),
            predicted("4", true, false, true, true, 0.7),
        ]
        .into_iter()
        .collect();
        p.insert((Source::HackerNews, "5".into()), Prediction { record: None, snippet: "five".into() });
        let r = evaluate(&g, &p, 100);
        assert_eq!(r.missing, ["hackernews:6"]);
        let sol = &r.labels[0];
        assert_eq!((sol.tp, sol.fp, sol.fn_, sol.tn), (2, 1, 1, 1));
        assert_eq!((sol.precision, sol.recall, sol.f1), (0.6667, 0.6667, 0.6667));
        let need = &r.labels[2];
        assert_eq!((need.tp, need.fp, need.fn_, need.tn), (1, 1, 2, 1));
        assert_eq!((need.precision, need.recall, need.f1), (0.5, 0.3333, 0.4));
        // user_innovation: gold 1,0,0,1,0 vs pred 1,0,0,0,- -> tp 1, fn 1, tn 3.
        let ui = &r.labels[1];
        assert_eq!((ui.tp, ui.fp, ui.fn_, ui.tn), (1, 0, 1, 3));
        assert_eq!((ui.precision, ui.recall, ui.f1), (1.0, 0.5, 0.6667));
        // Five posts leave F1 to chance: resamples fall far to either side.
        for l in &r.labels {
            let i = l.f1_interval;
            assert!(0.0 <= i.low && i.low <= l.f1 && l.f1 <= i.high && i.high <= 1.0, "{l:?}");
        }
        assert!(sol.f1_interval.low < 0.4 && sol.f1_interval.high == 1.0, "{:?}", sol.f1_interval);
        // Worst first: how far the score was on the wrong side. Post 5 was
        // missed with score 0 (distance 1.0), post 3 found with 0.8.
        assert_eq!((r.worst[0].id.as_str(), r.worst[0].error), ("5", "false_negative"));
        let fp: Vec<&str> = r.worst.iter().filter(|e| e.error == "false_positive").map(|e| e.id.as_str()).collect();
        assert_eq!(fp[0], "3");
    }

    #[test]
    fn gold_line_errors_name_the_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gold.jsonl");
        std::fs::write(&path, "{\"source\":\"hackernews\",\"id\":\"1\",\"solution\":1}\n{\"source\":\"nowhere\"}\n").expect("write");
        let e = read_gold(&path).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
