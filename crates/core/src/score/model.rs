//! A learned scorer: per label, a logistic regression over a post's
//! [`features`](super::features), with the threshold chosen by
//! cross-validation when it was trained (`leadminer train`). Saved as JSON:
//! each label's bias, threshold and the weight of every feature that has
//! one, by name, so a model can be read, diffed and explained.

use super::label::{Label, PerLabel};
use super::features::Features;
use super::{round3, Labels, Scores};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The file format version this leadminer reads and writes.
pub const FORMAT: u32 = 1;

/// One label's logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearLabel {
    /// The intercept.
    pub bias: f32,
    /// A post is labeled when its probability reaches this.
    pub threshold: f32,
    /// The weight of each feature, by name; features not listed weigh 0.
    #[serde(deserialize_with = "weights_in_bulk")]
    pub weights: BTreeMap<String, f32>,
}

/// A learned model: one logistic regression per label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The file format version ([`FORMAT`]).
    pub format: u32,
    /// How the model was made (gold files, options), for people.
    #[serde(default)]
    pub trained_on: Vec<String>,
    /// The model this one starts from: its probabilities are features of
    /// this one (`builtin:solution`, ...), so a model trained on a user's
    /// labels learns how far to trust the built-in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Base>,
    /// The labels' regressions.
    pub labels: PerLabel<LinearLabel>,
}

/// A model another one starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Base {
    /// The built-in model ([`Model::builtin`]).
    Builtin,
}

impl Base {
    /// Adds this model's probability of each label to a post's features
    /// (`builtin:solution`, ...).
    pub fn add_features(self, features: &mut Features) {
        let base = self.model();
        for label in Label::ALL {
            let p = round3(base.labels[label].probability(features));
            features.insert(Base::feature_name(label), p);
        }
    }

    /// The model.
    pub fn model(self) -> &'static Model {
        match self {
            Base::Builtin => Model::builtin_ref(),
        }
    }

    /// The name of the feature that holds the base model's probability of
    /// `label`.
    pub fn feature_name(label: Label) -> String {
        format!("builtin:{}", label.name())
    }
}

/// A model file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ModelError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// One feature's part in a label's score, for `explain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The feature.
    pub feature: String,
    /// Its value in the post.
    pub value: f32,
    /// Weight times value.
    pub contribution: f32,
}

/// The built-in model, trained on the shared labeled posts (the command
/// that remakes it is in the README's Quality section).
const BUILTIN: &str = include_str!("../../model.json");

/// Reads a map of weights by collecting its entries and building the map
/// at once: a model file lists thousands of names in order, and inserting
/// them one at a time (serde's default) took two thirds of loading the
/// built-in model. A name given twice keeps its last weight, as before.
fn weights_in_bulk<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f32>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = BTreeMap<String, f32>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map of feature names to weights")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries: Vec<(String, f32)> = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries.into_iter().collect())
        }
    }
    d.deserialize_map(Entries)
}

impl Model {
    /// The built-in model.
    pub fn builtin() -> Model {
        Model::builtin_ref().clone()
    }

    fn builtin_ref() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        // The built-in file is tested to parse.
        MODEL.get_or_init(|| {
            serde_json::from_str(BUILTIN).unwrap_or_else(|e| panic!("built-in model.json is invalid: {e}"))
        })
    }

    /// What this model scores: a post's features plus, when it starts from
    /// a [`Base`], that model's probability of each label.
    pub fn inputs(&self, mut features: Features) -> Features {
        if let Some(base) = self.base {
            base.add_features(&mut features);
        }
        features
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let err = |message: String| ModelError { path: path.display().to_string(), message };
        let src = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let model: Model = serde_json::from_str(&src).map_err(|e| err(format!("not a leadminer model: {e}")))?;
        if model.format != FORMAT {
            return Err(err(format!("model format {} (this leadminer reads {FORMAT})", model.format)));
        }
        Ok(model)
    }

    /// Writes the model as pretty JSON.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }

    /// Scores and labels of a post's [`inputs`](Model::inputs).
    pub fn score(&self, features: &Features) -> (Scores, Labels) {
        self.score_with(features, &PerLabel::default())
    }

    /// Scores and labels of a post's [`inputs`](Model::inputs), each
    /// label's log-odds moved by `offsets` (see `untrained_offsets`).
    pub fn score_with(&self, features: &Features, offsets: &PerLabel<f32>) -> (Scores, Labels) {
        self.decide(PerLabel::from_fn(|label| self.labels[label].log_odds(features) + offsets[label]))
    }

    /// Scores and labels from each label's log-odds.
    pub(super) fn decide(&self, log_odds: PerLabel<f32>) -> (Scores, Labels) {
        let mut scores = Scores::default();
        let mut labels = Labels::default();
        for label in Label::ALL {
            let p = round3(sigmoid(log_odds[label]));
            scores[label] = p;
            labels[label] = p >= self.labels[label].threshold;
        }
        // A user innovation is a solution: keep the labels consistent.
        labels[Label::UserInnovation] &= labels[Label::Solution];
        (scores, labels)
    }
}

impl LinearLabel {
    /// The probability of the label for a post's features.
    pub fn probability(&self, features: &Features) -> f32 {
        sigmoid(self.log_odds(features))
    }

    /// The log-odds of the label for a post's features.
    pub fn log_odds(&self, features: &Features) -> f32 {
        self.bias + features.iter().filter_map(|(name, v)| self.weights.get(name).map(|w| w * v)).sum::<f32>()
    }

    /// Whether the model was trained with a weight for this signal kind.
    pub fn knows_kind(&self, kind: &str) -> bool {
        self.weights.contains_key(&format!("kind:{kind}"))
    }

    /// The features that moved the score, largest effect first.
    pub fn contributions(&self, features: &Features) -> Vec<Contribution> {
        let mut out: Vec<Contribution> = features
            .iter()
            .filter_map(|(name, v)| {
                self.weights.get(name).map(|w| Contribution { feature: name.clone(), value: *v, contribution: w * v })
            })
            .collect();
        out.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()).then_with(|| a.feature.cmp(&b.feature)));
        out
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(bias: f32, weights: &[(&str, f32)]) -> LinearLabel {
        LinearLabel { bias, threshold: 0.5, weights: weights.iter().map(|(k, w)| (k.to_string(), *w)).collect() }
    }

    #[test]
    fn weights_read_in_bulk_are_a_map_whose_repeated_names_keep_the_last() {
        let l: LinearLabel =
            serde_json::from_str(r#"{"bias": 0, "threshold": 0.5, "weights": {"w:b": 1, "kind:a": 2, "w:b": 3}}"#)
                .expect("a label");
        assert_eq!(l.weights.into_iter().collect::<Vec<_>>(), [("kind:a".to_string(), 2.0), ("w:b".to_string(), 3.0)]);
    }

    #[test]
    fn builtin_model_parses() {
        let model = Model::builtin();
        assert_eq!(model.format, FORMAT);
        for label in Label::ALL {
            let l = &model.labels[label];
            assert!(l.threshold > 0.0 && l.threshold < 1.0, "{label}: {}", l.threshold);
            assert!(l.weights.keys().any(|k| k.starts_with("kind:")), "{label} uses the rule signals");
        }
    }

    #[test]
    fn scores_are_logistic_and_round_trip() {
        let model = Model {
            format: FORMAT,
            trained_on: vec!["test".into()],
            base: None,
            labels: PerLabel::from_fn(|l| match l {
                Label::Solution | Label::UserInnovation => label(-1.0, &[("kind:solution", 3.0)]),
                _ => label(-2.0, &[]),
            }),
        };
        let f: Features = [("kind:solution".to_string(), 1.0), ("w:jig".to_string(), 0.5)].into();
        let (scores, labels) = model.score(&f);
        assert_eq!(scores[Label::Solution], round3(1.0 / (1.0 + (-2.0f32).exp())));
        assert!(labels[Label::Solution] && labels[Label::UserInnovation] && !labels[Label::Need]);
        let c = model.labels[Label::Solution].contributions(&f);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].feature.as_str(), c[0].contribution), ("kind:solution", 3.0));
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("m.json");
        model.save(&path).expect("saves");
        assert_eq!(Model::load(&path).expect("loads"), model);
        let based = Model { base: Some(Base::Builtin), ..model.clone() };
        let inputs = based.inputs(f.clone());
        assert!(inputs.contains_key("builtin:need") && inputs.len() == f.len() + 4);
        based.save(&path).expect("saves");
        assert_eq!(Model::load(&path).expect("loads"), based);
        std::fs::write(&path, "{}").expect("write");
        assert!(Model::load(&path).expect_err("not a model").to_string().contains("m.json"));
    }
}
