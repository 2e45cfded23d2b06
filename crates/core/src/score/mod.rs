//! Scores and labels from signals, with the weights of one data file
//! (`weights.toml`, built in; `--weights FILE` replaces it).

use crate::analyze::{kinds, Signal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The built-in weights.
pub const BUILTIN_WEIGHTS: &str = include_str!("../../weights.toml");

pub mod features;
mod label;
pub mod learned;
pub mod model;
pub mod rerank;

pub use label::{Label, PerLabel};

/// Weights of a label weighed from signals.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelWeights {
    /// Added before the sigmoid: the score of a post without evidence.
    pub bias: f32,
    /// Score from which the label is true.
    pub threshold: f32,
    /// Weight of each signal kind's strength.
    pub kinds: BTreeMap<String, f32>,
}

/// Weights of the user-innovation label.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InnovationWeights {
    /// Score from which the label is true.
    pub threshold: f32,
    /// How much a commercial framing discounts the solution score.
    pub penalty: f32,
    /// How much a stated own need relieves that discount.
    pub relief: f32,
}

/// Weights of the lead-user score components (they sum to 1): the
/// `[lead_user]` table of `weights.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadUserWeights {
    /// User innovations and their quality.
    pub innovation: f32,
    /// Stated needs (high expected benefit).
    pub need: f32,
    /// Lead time on rising topics.
    pub lead_time: f32,
    /// Response and adoption their posts drew.
    pub response: f32,
    /// Betweenness in the reply and pointer network.
    pub network: f32,
    /// People who point to them.
    pub pointers: f32,
    /// Expertise shown.
    pub expertise: f32,
}

impl Default for LeadUserWeights {
    fn default() -> Self {
        LeadUserWeights { innovation: 0.35, need: 0.15, lead_time: 0.15, response: 0.1, network: 0.1, pointers: 0.05, expertise: 0.1 }
    }
}

/// All scoring weights: a table per label (`[solution]`, `[need]`, ...),
/// `[user_innovation]` for the derived label and `[lead_user]` for the
/// author ranking.
#[derive(Debug, Clone)]
pub struct Weights {
    /// The weights of every label that is weighed from signals.
    labels: BTreeMap<Label, LabelWeights>,
    /// The `user_innovation` label.
    pub user_innovation: InnovationWeights,
    /// The lead-user ranking (the defaults when the file has no table).
    pub lead_user: LeadUserWeights,
}

impl<'de> Deserialize<'de> for Weights {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WeightsVisitor;

        impl<'de> serde::de::Visitor<'de> for WeightsVisitor {
            type Value = Weights;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table per label, [user_innovation] and [lead_user]")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Weights, A::Error> {
                use serde::de::Error;
                let mut labels = BTreeMap::new();
                let mut user_innovation = None;
                let mut lead_user = None;
                while let Some(key) = map.next_key::<String>()? {
                    match Label::from_name(&key) {
                        Some(Label::UserInnovation) => user_innovation = Some(map.next_value()?),
                        Some(label) => {
                            labels.insert(label, map.next_value()?);
                        }
                        None if key == "lead_user" => lead_user = Some(map.next_value()?),
                        None => {
                            return Err(A::Error::custom(format!(
                                "unknown table [{key}] (known: {}, lead_user)",
                                Label::names()
                            )))
                        }
                    }
                }
                if let Some(label) = Label::ALL.into_iter().find(|l| !l.is_derived() && !labels.contains_key(l)) {
                    return Err(A::Error::custom(format!("no weights for the label {label}: add a [{label}] table")));
                }
                let user_innovation =
                    user_innovation.ok_or_else(|| A::Error::custom("no [user_innovation] table"))?;
                Ok(Weights { labels, user_innovation, lead_user: lead_user.unwrap_or_default() })
            }
        }

        deserializer.deserialize_map(WeightsVisitor)
    }
}

/// An error in a weights file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct WeightsError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Weights {
    /// The built-in weights.
    pub fn builtin() -> Weights {
        // The built-in file is tested to parse.
        toml::from_str(BUILTIN_WEIGHTS).unwrap_or_else(|e| panic!("built-in weights.toml is invalid: {e}"))
    }

    /// Reads weights from a file.
    pub fn load(path: &Path) -> Result<Weights, WeightsError> {
        let err = |message: String| WeightsError { path: path.display().to_string(), message };
        let src = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        toml::from_str(&src).map_err(|e| err(e.to_string()))
    }

    /// The weights of a label weighed from signals; `None` for a derived
    /// label.
    pub fn label(&self, label: Label) -> Option<&LabelWeights> {
        self.labels.get(&label)
    }

    /// The labels weighed from signals with their weights.
    pub fn labels(&self) -> impl Iterator<Item = (Label, &LabelWeights)> {
        self.labels.iter().map(|(l, w)| (*l, w))
    }

    /// Sets the weight of a signal kind for a label weighed from signals;
    /// used for plugin kinds configured by the user. `false` for a derived
    /// label, which has no kinds.
    pub fn set_kind(&mut self, label: Label, kind: &str, weight: f32) -> bool {
        let Some(table) = self.labels.get_mut(&label) else { return false };
        table.kinds.insert(kind.to_string(), weight);
        true
    }

    /// Every signal kind some label weighs.
    pub fn kinds(&self) -> std::collections::BTreeSet<&str> {
        self.labels.values().flat_map(|w| w.kinds.keys().map(String::as_str)).collect()
    }
}

/// The scores of a post, one per label, each in [0, 1].
pub type Scores = PerLabel<f32>;

/// The labels of a post: whether each score reached its threshold.
pub type Labels = PerLabel<bool>;

/// One term of a score: a kind's strength and what it added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// The signal kind.
    pub kind: String,
    /// Its strength in [0, 1].
    pub strength: f32,
    /// Weight times strength.
    pub contribution: f32,
}

/// How a label's score was computed, for `explain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// The bias.
    pub bias: f32,
    /// The terms, by kind.
    pub terms: Vec<Term>,
    /// The resulting score.
    pub score: f32,
}

/// Strength of each kind among `signals` (noisy-or of weights). Only
/// evidence about the post itself counts: a reply's reaction to its parent
/// ([`Signal::response`]) is credited to the parent by a scan, not here.
pub fn strengths(signals: &[Signal]) -> BTreeMap<&str, f32> {
    let mut miss: BTreeMap<&str, f32> = BTreeMap::new();
    for s in signals.iter().filter(|s| s.is_own()) {
        let m = miss.entry(&*s.kind).or_insert(1.0);
        *m *= 1.0 - s.weight.clamp(0.0, 1.0);
    }
    miss.into_iter().map(|(k, m)| (k, 1.0 - m)).collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Rounds to three decimals so outputs are stable and readable.
pub fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

impl LabelWeights {
    /// The score and its breakdown.
    pub fn breakdown(&self, strengths: &BTreeMap<&str, f32>) -> Breakdown {
        let mut z = self.bias;
        let mut terms = Vec::new();
        for (kind, w) in &self.kinds {
            if let Some(s) = strengths.get(kind.as_str()) {
                let c = w * s;
                z += c;
                terms.push(Term { kind: kind.clone(), strength: round3(*s), contribution: round3(c) });
            }
        }
        Breakdown { bias: self.bias, terms, score: round3(sigmoid(z)) }
    }
}

/// Scores a post from its signals (see [`strengths`]).
pub fn score(weights: &Weights, signals: &[Signal]) -> (Scores, Labels) {
    let st = strengths(signals);
    let mut scores = Scores::default();
    let mut labels = Labels::default();
    for (label, w) in weights.labels() {
        scores[label] = w.breakdown(&st).score;
        labels[label] = scores[label] >= w.threshold;
    }
    // The derived label: solution discounted by commercial evidence (only
    // the evidence counts, not the prior of a post without any), unless the
    // post ties the solution to the author's own need.
    let own_need = st.get(kinds::NEED_SOLUTION).copied().unwrap_or(0.0);
    let ui = &weights.user_innovation;
    let commercial = scores[Label::Commercial];
    let prior = weights.label(Label::Commercial).map_or(0.0, |w| sigmoid(w.bias));
    let commercial_evidence = ((commercial - prior) / (1.0 - prior)).clamp(0.0, 1.0);
    let discount = ui.penalty * commercial_evidence * (1.0 - ui.relief * own_need);
    scores[Label::UserInnovation] = round3(scores[Label::Solution] * (1.0 - discount).clamp(0.0, 1.0));
    labels[Label::UserInnovation] = labels[Label::Solution] && scores[Label::UserInnovation] >= ui.threshold;
    (scores, labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn sig(kind: &str, weight: f32) -> Signal {
        Signal { kind: kind.into(), analyzer: Arc::from("t"), rule: Arc::from("t"), start: 0, end: 1, weight }
    }

    #[test]
    fn builtin_weights_parse() {
        let w = Weights::builtin();
        assert!(w.label(Label::Solution).is_some_and(|l| l.kinds.contains_key("solution")));
        assert!(w.label(Label::UserInnovation).is_none(), "derived");
        assert!(w.kinds().contains("need_solution"));
        let lead = &w.lead_user;
        let sum = lead.innovation + lead.need + lead.lead_time + lead.response + lead.network + lead.pointers + lead.expertise;
        assert!((sum - 1.0).abs() < 1e-6, "{lead:?}");
    }

    #[test]
    fn evidence_raises_and_commerce_discounts() {
        let w = Weights::builtin();
        let (none, l0) = score(&w, &[]);
        assert!(none[Label::Solution] < 0.2 && !l0[Label::Solution]);
        let (s, l) = score(&w, &[sig("solution", 0.85)]);
        assert!(l[Label::Solution] && l[Label::UserInnovation], "{s:?}");
        let (c, lc) = score(&w, &[sig("solution", 0.85), sig("commercial", 0.8), sig("commercial", 0.7)]);
        assert!(lc[Label::Solution] && lc[Label::Commercial] && !lc[Label::UserInnovation], "{c:?}");
        assert!(c[Label::UserInnovation] < s[Label::UserInnovation]);
    }

    #[test]
    fn weights_files_name_what_is_wrong() {
        let err = |src: &str| toml::from_str::<Weights>(src).unwrap_err().to_string();
        let renamed = BUILTIN_WEIGHTS.replace("[need]", "[needs]").replace("[need.kinds]", "[needs.kinds]");
        assert!(err(&renamed).contains("unknown table [needs]"), "{}", err(&renamed));
        let without_lead_user = &BUILTIN_WEIGHTS[..BUILTIN_WEIGHTS.find("[lead_user]").expect("table")];
        let w: Weights = toml::from_str(without_lead_user).expect("lead_user is optional");
        assert_eq!(w.lead_user.innovation, LeadUserWeights::default().innovation);
        let without_need = without_lead_user.replace("[need]", "[lead_user]").replace("[need.kinds]", "[unused.kinds]");
        assert!(err(&without_need).contains("lead_user") || err(&without_need).contains("unknown"), "{}", err(&without_need));
    }
}
