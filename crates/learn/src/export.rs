//! What cross-validation sees of each labeled post, written out so that a
//! model of another kind can be tried on exactly the same rows and folds
//! (`leadminer eval --cv --export-rows`; `scripts/loco_probe.py` reads it).

use crate::Row;
use leadminer_core::score::features::Features;
use leadminer_core::score::rerank::Unit;
use leadminer_core::score::{PerLabel, Scores};
use serde::Serialize;

/// One row as JSON: a line of `--export-rows`.
#[derive(Debug, Serialize)]
pub struct ExportedRow<'a> {
    /// `source:id`.
    pub key: &'a str,
    /// The community it is held out with ([`crate::group_of`]).
    pub group: &'a str,
    /// Its gold labels (`null`: the gold line does not give the label).
    pub gold: PerLabel<Option<bool>>,
    /// Whether it was drawn at random ([`Row::drawn_at_random`]).
    pub drawn_at_random: bool,
    /// The learned scorer's features; `null` for a post a scan does not
    /// list (never labeled, whatever the scorer).
    pub features: Option<&'a Features>,
    /// The rule scorer's scores, for a listed post.
    pub rules: Option<Scores>,
    /// The re-ranking encoder's embedding of the post, when the rows were
    /// embedded (`--rerank`, post unit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedding: Option<&'a [f32]>,
    /// The encoder's embedding of each passage of the post, in order, when
    /// the rows were embedded by passage (`--rerank --head-unit passage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<&'a [Vec<f32>]>,
}

impl Row {
    /// The row as `--export-rows` writes it, its embeddings (if any) those
    /// of `unit`.
    pub fn exported(&self, unit: Unit) -> ExportedRow<'_> {
        let embeddings = self.embeddings.as_deref();
        ExportedRow {
            key: &self.key,
            group: &self.group,
            gold: self.gold,
            drawn_at_random: self.drawn_at_random,
            features: self.features.as_ref(),
            rules: self.rules.map(|(scores, _)| scores),
            embedding: embeddings.filter(|_| unit == Unit::Post).and_then(<[_]>::first).map(Vec::as_slice),
            passages: embeddings.filter(|_| unit == Unit::Passage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadminer_core::score::Label;

    #[test]
    fn an_unlisted_row_has_no_features_and_its_missing_labels_are_null() {
        let row = Row {
            key: "generic:1".into(),
            group: "gbadev".into(),
            features: None,
            rules: None,
            text: "text".into(),
            embeddings: None,
            gold: PerLabel::from_fn(|l| (l == Label::Need).then_some(true)),
            evidence: PerLabel::from_fn(|_| None),
            drawn_at_random: false,
        };
        let json = serde_json::to_value(row.exported(Unit::Post)).expect("serializes");
        assert_eq!(json["features"], serde_json::Value::Null);
        assert_eq!(json["gold"]["need"], true);
        assert_eq!(json["gold"]["solution"], serde_json::Value::Null);
        assert_eq!(json["drawn_at_random"], false);
        assert!(json.get("embedding").is_none(), "no embedding key without embeddings");
        assert!(json.get("passages").is_none());
    }

    #[test]
    fn embeddings_are_exported_as_the_units_they_are() {
        let row = Row {
            key: "generic:1".into(),
            group: "gbadev".into(),
            features: None,
            rules: None,
            text: "One. Two.".into(),
            embeddings: Some(vec![vec![1.0, 0.0], vec![0.0, 1.0]]),
            gold: PerLabel::from_fn(|_| Some(false)),
            evidence: PerLabel::from_fn(|_| None),
            drawn_at_random: false,
        };
        let post = serde_json::to_value(row.exported(Unit::Post)).expect("serializes");
        assert_eq!(post["embedding"], serde_json::json!([1.0, 0.0]));
        assert!(post.get("passages").is_none());
        let passages = serde_json::to_value(row.exported(Unit::Passage)).expect("serializes");
        assert_eq!(passages["passages"], serde_json::json!([[1.0, 0.0], [0.0, 1.0]]));
        assert!(passages.get("embedding").is_none(), "a passage is not the post");
    }
}
