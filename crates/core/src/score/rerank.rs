//! The second stage: a sentence encoder reads the posts the learned scorer
//! ranks high as a whole, and a logistic head over its embedding gives a
//! second probability of each label that is averaged with the first.
//!
//! The encoder is behind the [`Encode`] trait (the `leadminer-rerank` crate
//! runs all-MiniLM-L6-v2 with candle), so the core does not depend on a
//! tensor library. The head is a small JSON file ([`Head`]); the built-in
//! one (`crates/core/rerank.json`) was fitted on the shared labels.
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

/// A re-ranking head: per label, a logistic regression over the encoder's
/// embedding of a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// The file format version ([`HEAD_FORMAT`]).
    pub format: u32,
    /// The encoder whose embeddings the head was fitted on.
    pub encoder: String,
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

/// The built-in head, fitted on the shared labeled posts (the command that
/// remakes it is in the README's Quality section).
const BUILTIN: &str = include_str!("../../rerank.json");

impl Head {
    /// The built-in head.
    pub fn builtin() -> Head {
        static HEAD: OnceLock<Head> = OnceLock::new();
        // The built-in file is tested to parse.
        HEAD.get_or_init(|| serde_json::from_str(BUILTIN).unwrap_or_else(|e| panic!("built-in rerank.json is invalid: {e}")))
            .clone()
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

    /// The combined score of `label` from its learned score and the head's
    /// probability, and whether it reaches the head's threshold.
    pub fn combine(&self, label: Label, learned: f32, head: f32) -> (f32, bool) {
        let h = &self.labels[label];
        let score = blend(h.blend, learned, head);
        (score, score >= h.threshold)
    }

    /// Re-scores a post read for the labels `head` gives a probability of
    /// (see [`Head::combine`]); the other labels are left as they are.
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
    fn builtin_head_parses() {
        let head = Head::builtin();
        assert_eq!(head.format, HEAD_FORMAT);
        assert!(Label::ALL.into_iter().all(|l| head.labels[l].weights.len() == 384));
    }

    #[test]
    fn read_labels_take_the_mean_and_the_head_threshold() {
        let label = |threshold: f32| HeadLabel { bias: 0.0, weights: vec![1.0, -1.0], blend: 0.5, threshold };
        let head = Head {
            format: HEAD_FORMAT,
            encoder: "test".into(),
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
