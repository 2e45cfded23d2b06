//! The second stage: a sentence encoder reads the posts the learned scorer
//! ranks high as a whole, and a logistic head over its embedding gives a
//! second probability of each label that is averaged with the first.
//!
//! The encoder is behind the [`Encode`] trait (the `leadminer-rerank` crate
//! runs all-mpnet-base-v2 or all-MiniLM-L6-v2 with candle), so the core
//! does not depend on a tensor library. The head is a small JSON file
//! ([`Head`]); leadminer ships one per encoder, fitted on the shared labels
//! (`crates/core/rerank-mpnet.json`, `crates/core/rerank.json`).
//!
//! Only the top of the list is read: in a scan, the posts with the highest
//! learned scores of each label (`--rerank-top`, 100 by default), so the
//! stage costs the same on any size of input. For a post read for a label,
//! the label's score becomes a blend of the two probabilities (the share
//! of each chosen by cross-validation, per label) and the
//! label is decided against the head's `threshold`, chosen by
//! leave-one-community-out cross-validation of this very rule; every other
//! post and label keeps its learned score and label.

use super::label::{Label, PerLabel};
use super::{round3, Labels, Scores};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;

/// The head file format version this leadminer reads and writes.
pub const HEAD_FORMAT: u32 = 1;

/// Turns a post's text into a fixed-length embedding.
pub trait Encode: Send + Sync {
    /// The encoder's name, as a head records it (`all-MiniLM-L6-v2`).
    fn name(&self) -> &str;
    /// The embedding of `text` (its first tokens, as many as the encoder
    /// reads).
    fn encode(&self, text: &str) -> Result<Vec<f32>, String>;
}

/// One label's logistic regression over an embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadLabel {
    /// The intercept.
    pub bias: f32,
    /// One weight per embedding dimension (after [`Head::scale`]).
    pub weights: Vec<f32>,
    /// The share of the learned probability in the combined score (the
    /// head's probability has the rest), chosen by cross-validation.
    #[serde(default = "half")]
    pub blend: f32,
    /// A post is labeled when its combined score reaches this.
    pub threshold: f32,
}

/// What the encoder reads of a post for a head.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// The post as a whole (its first tokens): one embedding.
    #[default]
    Post,
    /// Each of its [`passages`]: the head's probability is the highest of
    /// theirs, so one passage that describes a thing the author made is
    /// enough.
    Passage,
}

impl Unit {
    /// The texts of `text` the encoder reads as units of this kind.
    pub fn texts(self, text: &str) -> Vec<&str> {
        match self {
            Unit::Post => vec![text],
            Unit::Passage => passages(text).into_iter().map(|r| &text[r]).collect(),
        }
    }
}

/// The most passages of a post a passage head reads.
pub const MAX_PASSAGES: usize = 24;
/// Sentences shorter than this many bytes are joined with the next.
const MIN_PASSAGE: usize = 60;
/// A passage is cut after this many bytes (at a character).
const MAX_PASSAGE: usize = 600;

/// The passages of `text` a passage head reads: its sentences, each short
/// one joined with those after it until it has `MIN_PASSAGE` bytes (a
/// hard-wrapped mailing-list line is not a sentence), cut at
/// `MAX_PASSAGE` bytes, the first [`MAX_PASSAGES`] of them.
pub fn passages(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut open: Option<std::ops::Range<usize>> = None;
    for s in crate::analyze::document::sentences(text) {
        let run = match open.take() {
            Some(o) => o.start..s.end,
            None => s,
        };
        if run.len() < MIN_PASSAGE {
            open = Some(run);
            continue;
        }
        out.push(cut(text, run));
        if out.len() == MAX_PASSAGES {
            return out;
        }
    }
    if let Some(run) = open {
        match out.last_mut() {
            // A short tail joins the passage before it.
            Some(last) if last.len() + run.len() <= MAX_PASSAGE => last.end = run.end,
            _ => out.push(cut(text, run)),
        }
    }
    out
}

fn cut(text: &str, run: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut end = run.end.min(run.start + MAX_PASSAGE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    run.start..end
}

/// A re-ranking head: per label, a logistic regression over the encoder's
/// embedding of a post or of each of its passages ([`Unit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// The file format version ([`HEAD_FORMAT`]).
    pub format: u32,
    /// The encoder whose embeddings the head was fitted on.
    pub encoder: String,
    /// What the encoder reads of a post.
    #[serde(default)]
    pub unit: Unit,
    /// A fine-tuned last layer of the encoder (safetensors, beside the
    /// head file), whose output is one logit per label: the head's weights
    /// then pick each label's logit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuned: Option<String>,
    /// Embeddings are multiplied by this before the regression (unit
    /// vectors have tiny components; this gives them about unit variance).
    pub scale: f32,
    /// How the head was made, for people.
    #[serde(default)]
    pub trained_on: Vec<String>,
    /// The labels' regressions.
    pub labels: PerLabel<HeadLabel>,
}

/// A head file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct HeadError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The built-in head of the smaller encoder, fitted on the shared labeled
/// posts with all-MiniLM-L6-v2 (the command that remakes it is in the
/// README's "The smaller encoder").
const BUILTIN: &str = include_str!("../../rerank.json");

/// The built-in head of the default encoder, fitted the same way with
/// all-mpnet-base-v2 (README, "The re-ranking stage").
const BUILTIN_MPNET: &str = include_str!("../../rerank-mpnet.json");

impl Head {
    /// The built-in head of all-MiniLM-L6-v2, the smaller encoder.
    pub fn builtin() -> Head {
        static HEAD: OnceLock<Head> = OnceLock::new();
        // The built-in files are tested to parse.
        HEAD.get_or_init(|| serde_json::from_str(BUILTIN).unwrap_or_else(|e| panic!("built-in rerank.json is invalid: {e}")))
            .clone()
    }

    /// The built-in head fitted on the embeddings of the encoder named
    /// `encoder`, when leadminer ships one.
    pub fn builtin_for(encoder: &str) -> Option<Head> {
        static MPNET: OnceLock<Head> = OnceLock::new();
        let builtin = Head::builtin();
        if builtin.encoder == encoder {
            return Some(builtin);
        }
        let mpnet = MPNET.get_or_init(|| {
            serde_json::from_str(BUILTIN_MPNET).unwrap_or_else(|e| panic!("built-in rerank-mpnet.json is invalid: {e}"))
        });
        (mpnet.encoder == encoder).then(|| mpnet.clone())
    }

    /// Reads a head file.
    pub fn load(path: &Path) -> Result<Head, HeadError> {
        let err = |message: String| HeadError { path: path.display().to_string(), message };
        let src = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let head: Head = serde_json::from_str(&src).map_err(|e| err(format!("not a leadminer re-ranking head: {e}")))?;
        if head.format != HEAD_FORMAT {
            return Err(err(format!("head format {} (this leadminer reads {HEAD_FORMAT})", head.format)));
        }
        Ok(head)
    }

    /// Writes the head as JSON, one label per block.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }

    /// The head's probability of each label for an embedding.
    pub fn probabilities(&self, embedding: &[f32]) -> PerLabel<f32> {
        PerLabel::from_fn(|label| {
            let h = &self.labels[label];
            let z: f32 = h.weights.iter().zip(embedding).map(|(w, x)| w * x * self.scale).sum();
            sigmoid(h.bias + z)
        })
    }

    /// The head's probability of each label for the embeddings of a post's
    /// units (one for [`Unit::Post`], one per passage for
    /// [`Unit::Passage`]): the highest of the units' (0 without any).
    pub fn read(&self, embeddings: &[Vec<f32>]) -> PerLabel<f32> {
        let mut best = PerLabel::from_fn(|_| 0.0f32);
        for e in embeddings {
            let p = self.probabilities(e);
            for label in Label::ALL {
                best[label] = best[label].max(p[label]);
            }
        }
        best
    }

    /// The texts the encoder reads of `text` for this head.
    pub fn units<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.unit.texts(text)
    }

    /// The combined score of `label` from its learned score and the head's
    /// probability, and whether it reaches the head's threshold.
    pub fn combine(&self, label: Label, learned: f32, head: f32) -> (f32, bool) {
        let h = &self.labels[label];
        let score = blend(h.blend, learned, head);
        (score, score >= h.threshold)
    }

    /// Re-scores a post read for the labels `head` gives a probability of
    /// (see [`Head::combine`]); the other labels are left as they are. This
    /// is the blend of one post on its own (`explain`); a scan places the
    /// posts it reads among each other ([`crate::scan::rerank::place`]).
    pub fn apply(&self, scores: &mut Scores, labels: &mut Labels, head: &PerLabel<Option<f32>>) {
        for label in Label::ALL {
            if let Some(p) = head[label] {
                (scores[label], labels[label]) = self.combine(label, scores[label], p);
            }
        }
        labels[Label::UserInnovation] &= labels[Label::Solution];
    }
}

/// `share` of `learned` and the rest of `head`, to three decimals (the
/// rule a scan and cross-validation both apply).
pub fn blend(share: f32, learned: f32, head: f32) -> f32 {
    round3(share * learned + (1.0 - share) * head)
}

fn half() -> f32 {
    0.5
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_heads_parse_and_are_found_by_their_encoder() {
        let head = Head::builtin();
        assert_eq!(head.format, HEAD_FORMAT);
        assert!(Label::ALL.into_iter().all(|l| head.labels[l].weights.len() == 384));
        assert_eq!(Head::builtin_for("all-MiniLM-L6-v2"), Some(head));
        let mpnet = Head::builtin_for("all-mpnet-base-v2").expect("a head for the larger encoder");
        assert_eq!((mpnet.format, mpnet.encoder.as_str()), (HEAD_FORMAT, "all-mpnet-base-v2"));
        assert!(Label::ALL.into_iter().all(|l| mpnet.labels[l].weights.len() == 768));
        assert_eq!(Head::builtin_for("another-encoder"), None);
    }

    #[test]
    fn passages_join_short_sentences_and_are_cut_at_a_character() {
        let text = "Hi.\nThanks.\nI built a rig that holds the camera over the bench, it took a weekend. It works.";
        let p: Vec<&str> = passages(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(p, ["Hi.\nThanks.\nI built a rig that holds the camera over the bench, it took a weekend. It works."]);
        let long = format!("{}. Short tail.", "é".repeat(400));
        let p = passages(&long);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].len(), 600, "cut at 600 bytes, a character boundary");
        let many = "This sentence is long enough to stand as a passage on its own. ".repeat(40);
        assert_eq!(passages(&many).len(), MAX_PASSAGES);
        assert!(passages("").is_empty());
    }

    #[test]
    fn a_passage_head_takes_the_best_passage() {
        let head: Head = serde_json::from_str(
            r#"{"format": 1, "encoder": "test", "unit": "passage", "scale": 1.0,
                "labels": {"solution": {"bias": 0, "weights": [1, 0], "threshold": 0.5},
                           "user_innovation": {"bias": 0, "weights": [0, 1], "threshold": 0.5},
                           "need": {"bias": 0, "weights": [0, 0], "threshold": 0.5},
                           "commercial": {"bias": 0, "weights": [0, 0], "threshold": 0.5}}}"#,
        )
        .expect("a head");
        assert_eq!(head.unit, Unit::Passage);
        let p = head.read(&[vec![2.0, -1.0], vec![-1.0, 3.0]]);
        assert_eq!(p[Label::Solution], sigmoid(2.0));
        assert_eq!(p[Label::UserInnovation], sigmoid(3.0));
        assert_eq!(head.read(&[])[Label::Solution], 0.0, "nothing read: 0");
        let text = "I built a rig that holds the camera over the bench, it took a weekend.\nThe second part of the post is here, and it is long enough to stand alone.";
        assert_eq!(head.units(text).len(), 2);
        assert_eq!(Head { unit: Unit::Post, ..head }.units(text), [text]);
    }

    #[test]
    fn read_labels_take_the_mean_and_the_head_threshold() {
        let label = |threshold: f32| HeadLabel { bias: 0.0, weights: vec![1.0, -1.0], blend: 0.5, threshold };
        let head = Head {
            format: HEAD_FORMAT,
            encoder: "test".into(),
            unit: Unit::Post,
            tuned: None,
            scale: 1.0,
            trained_on: Vec::new(),
            labels: PerLabel::from_fn(|_| label(0.6)),
        };
        let probs = head.probabilities(&[2.0, 2.0]);
        assert!(Label::ALL.into_iter().all(|l| probs[l] == 0.5), "sigmoid(0): {probs:?}");
        let mut scores: Scores = PerLabel::from_fn(|_| 0.5);
        let mut labels: Labels = PerLabel::from_fn(|_| true);
        let read = PerLabel::from_fn(|l| (l != Label::Need).then_some(0.9));
        head.apply(&mut scores, &mut labels, &read);
        assert_eq!(scores[Label::Solution], 0.7, "(0.5 + 0.9) / 2");
        assert!(labels[Label::Solution], "0.7 reaches 0.6");
        assert_eq!((scores[Label::Need], labels[Label::Need]), (0.5, true), "not read: unchanged");
        let low = PerLabel::from_fn(|l| (l == Label::Solution).then_some(0.1));
        head.apply(&mut scores, &mut labels, &low);
        assert!(!labels[Label::Solution] && !labels[Label::UserInnovation], "no solution, no user innovation");
    }
}
