//! Scores and labels from signals, with the weights of one data file
//! (`weights.toml`, built in; `--weights FILE` replaces it).

use crate::analyze::{kinds, Signal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The built-in weights.
pub const BUILTIN_WEIGHTS: &str = include_str!("../weights.toml");

/// Weights of one label.
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

/// All scoring weights.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// The `solution` label.
    pub solution: LabelWeights,
    /// The `need` label.
    pub need: LabelWeights,
    /// The `commercial` label.
    pub commercial: LabelWeights,
    /// The `user_innovation` label.
    pub user_innovation: InnovationWeights,
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

    /// Sets the weight of a signal kind for a label (`solution`, `need`,
    /// `commercial`); used for plugin kinds configured by the user.
    pub fn set_kind(&mut self, label: &str, kind: &str, weight: f32) -> bool {
        let table = match label {
            "solution" => &mut self.solution,
            "need" => &mut self.need,
            "commercial" => &mut self.commercial,
            _ => return false,
        };
        table.kinds.insert(kind.to_string(), weight);
        true
    }
}

/// The four scores of a post, each in [0, 1].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// The author reports a self-built solution.
    pub solution: f32,
    /// ... made for their own use rather than to sell.
    pub user_innovation: f32,
    /// The author states an unmet need.
    pub need: f32,
    /// The post presents a company's product or a paid offering.
    pub commercial: f32,
}

/// The four labels of a post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// See [`Scores::solution`].
    pub solution: bool,
    /// See [`Scores::user_innovation`].
    pub user_innovation: bool,
    /// See [`Scores::need`].
    pub need: bool,
    /// See [`Scores::commercial`].
    pub commercial: bool,
}

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

/// Strength of each kind among `signals` (noisy-or of weights).
pub fn strengths(signals: &[Signal]) -> BTreeMap<&str, f32> {
    let mut miss: BTreeMap<&str, f32> = BTreeMap::new();
    for s in signals {
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

/// Scores a post's signals.
pub fn score(weights: &Weights, signals: &[Signal]) -> (Scores, Labels) {
    let st = strengths(signals);
    let solution = weights.solution.breakdown(&st).score;
    let need = weights.need.breakdown(&st).score;
    let commercial = weights.commercial.breakdown(&st).score;
    let own_need = st.get(kinds::NEED_SOLUTION).copied().unwrap_or(0.0);
    let ui = &weights.user_innovation;
    // Only commercial evidence counts, not the prior of a post without any.
    let prior = sigmoid(weights.commercial.bias);
    let commercial_evidence = ((commercial - prior) / (1.0 - prior)).clamp(0.0, 1.0);
    let discount = ui.penalty * commercial_evidence * (1.0 - ui.relief * own_need);
    let user_innovation = round3(solution * (1.0 - discount).clamp(0.0, 1.0));
    let scores = Scores { solution, user_innovation, need, commercial };
    let labels = Labels {
        solution: solution >= weights.solution.threshold,
        user_innovation: solution >= weights.solution.threshold && user_innovation >= ui.threshold,
        need: need >= weights.need.threshold,
        commercial: commercial >= weights.commercial.threshold,
    };
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
        assert!(w.solution.kinds.contains_key("solution"));
    }

    #[test]
    fn evidence_raises_and_commerce_discounts() {
        let w = Weights::builtin();
        let (none, l0) = score(&w, &[]);
        assert!(none.solution < 0.2 && !l0.solution);
        let (s, l) = score(&w, &[sig("solution", 0.85)]);
        assert!(l.solution && l.user_innovation, "{s:?}");
        let (c, lc) = score(&w, &[sig("solution", 0.85), sig("commercial", 0.8), sig("commercial", 0.7)]);
        assert!(lc.solution && lc.commercial && !lc.user_innovation, "{c:?}");
        assert!(c.user_innovation < s.user_innovation);
    }
}
