//! Fitting the re-ranking stage's head ([`leadminer_core::score::rerank`]):
//! per label, an L2-regularized logistic regression over the encoder's
//! embedding of each labeled post, stacked on the learned scorer by the
//! rule a scan applies (the mean of the two probabilities), with the
//! threshold of that mean chosen on leave-one-community-out probabilities
//! of both stages over the training communities.

use crate::{choose_threshold, fit, out_of_fold, LearnError, Options, Row};
use leadminer_core::score::model::LinearLabel;
use leadminer_core::score::rerank::{blend, Encode, Head, HeadLabel, HEAD_FORMAT};
use leadminer_core::score::{Label, PerLabel};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::Serialize;
use std::collections::BTreeSet;

/// Options of the head's fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadOptions {
    /// L2 regularization strength.
    pub alpha: f64,
    /// Embeddings are multiplied by this (see [`Head::scale`]).
    pub scale: f32,
}

impl Default for HeadOptions {
    /// A unit embedding of 384 dimensions times 20 has components of about
    /// unit size. Alpha 1000 had the best leave-one-community-out F1 for
    /// user_innovation and need of 1, 10, 50, 200, 1000 and 3000
    /// (docs/DEVELOPMENT.md, fifteenth session).
    fn default() -> Self {
        HeadOptions { alpha: 1000.0, scale: 20.0 }
    }
}

/// The shares of the learned probability tried for a label's blend (1: the
/// head is not used).
const BLENDS: [f32; 5] = [0.25, 0.5, 0.67, 0.8, 1.0];

/// Embeds the text of every row that has no embedding yet with `encoder`
/// on `threads` threads, calling `progress` with the number done after
/// each row.
pub fn embed_rows(
    rows: &mut [Row],
    encoder: &dyn Encode,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(), String> {
    let mut missing: Vec<&mut Row> = rows.iter_mut().filter(|r| r.embedding.is_none()).collect();
    let chunk = missing.len().div_ceil(threads.max(1)).max(1);
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = missing
            .chunks_mut(chunk)
            .map(|part| {
                let done = &done;
                scope.spawn(move || -> Result<(), String> {
                    for r in part {
                        r.embedding = Some(encoder.encode(&r.text).map_err(|e| format!("{}: {e}", r.key))?);
                        progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })
}

/// Fits one label's head on the listed rows with an embedding that give
/// the label; the threshold is left at 0.5.
pub fn fit_head(rows: &[&Row], label: Label, options: &HeadOptions) -> Result<HeadLabel, LearnError> {
    // Only posts a scan lists: the stage never reads the others (on all
    // labeled posts, leave-one-community-out F1 was lower for every label:
    // docs/DEVELOPMENT.md).
    let rows: Vec<(&Vec<f32>, bool)> = rows
        .iter()
        .filter(|r| r.features.is_some())
        .filter_map(|r| Some((r.embedding.as_ref()?, r.gold[label]?)))
        .collect();
    let dims = rows.first().map_or(0, |(e, _)| e.len());
    let positives = rows.iter().filter(|(_, t)| *t).count();
    if positives == 0 || positives == rows.len() {
        let p = if positives == 0 { 0.001f32 } else { 0.999 };
        return Ok(HeadLabel { bias: (p / (1.0 - p)).ln(), weights: vec![0.0; dims], blend: 0.5, threshold: 0.5 });
    }
    let mut x = Array2::<f64>::zeros((rows.len(), dims));
    for (i, (e, _)) in rows.iter().enumerate() {
        for (j, v) in e.iter().enumerate() {
            x[[i, j]] = f64::from(*v * options.scale);
        }
    }
    let y: Array1<bool> = rows.iter().map(|(_, t)| *t).collect();
    let fitted = LogisticRegression::default()
        .alpha(options.alpha)
        .max_iterations(300)
        .fit(&Dataset::new(x, y))
        .map_err(|e| LearnError::Fit { label, message: e.to_string() })?;
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(HeadLabel {
        bias: crate::round4(sign * fitted.intercept()),
        weights: fitted.params().iter().map(|w| crate::round4(sign * w)).collect(),
        blend: 0.5,
        threshold: 0.5,
    })
}

/// Leave-one-community-out probabilities of the head for every row (`None`
/// without an embedding).
pub fn out_of_fold_head(rows: &[&Row], label: Label, options: &HeadOptions) -> Result<Vec<Option<f32>>, LearnError> {
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    let mut out = vec![None; rows.len()];
    for g in groups {
        let train: Vec<&Row> = rows.iter().copied().filter(|r| r.group != g).collect();
        let head = fit_head(&train, label, options)?;
        for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.group == g) {
            out[i] = r.embedding.as_ref().map(|e| head.probability(e, options.scale));
        }
    }
    Ok(out)
}

/// Fits the learned scorer's label and the head's on `rows`: the learned
/// threshold on out-of-fold learned probabilities, the blend and the
/// head's threshold on out-of-fold blended scores, the blend with the best
/// F1 (ties to the larger share of the learned probability). Posts a scan
/// does not list are never labeled, as in a scan.
pub fn fit_stack(
    rows: &[&Row],
    label: Label,
    options: &Options,
    head_options: &HeadOptions,
) -> Result<(LinearLabel, HeadLabel), LearnError> {
    let mut model = fit(rows, label, options)?;
    let mut head = fit_head(rows, label, head_options)?;
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    if groups.len() > 1 {
        let learned = out_of_fold(rows, label, options)?;
        let read = out_of_fold_head(rows, label, head_options)?;
        let plain: Vec<(Option<f32>, bool)> =
            rows.iter().zip(&learned).filter_map(|(r, p)| Some((*p, r.gold[label]?))).collect();
        model.threshold = choose_threshold(&plain);
        let mut best = (-1.0, 0.5, 0.5);
        for share in BLENDS {
            let stacked: Vec<(Option<f32>, bool)> = rows
                .iter()
                .zip(&learned)
                .zip(&read)
                .filter_map(|((r, p), h)| {
                    let c = match (p, h) {
                        (Some(p), Some(h)) => Some(blend(share, *p, *h)),
                        (p, _) => *p,
                    };
                    Some((c, r.gold[label]?))
                })
                .collect();
            let threshold = choose_threshold(&stacked);
            let f1 = crate::f1_at(&stacked, threshold);
            if f1 >= best.0 {
                best = (f1, share, threshold);
            }
        }
        (head.blend, head.threshold) = (best.1, best.2);
    }
    Ok((model, head))
}

/// Fits a head for every label on all `rows` (which need embeddings).
pub fn train_head(
    rows: &[Row],
    options: &Options,
    head_options: &HeadOptions,
    encoder: &str,
    trained_on: Vec<String>,
) -> Result<Head, LearnError> {
    let all: Vec<&Row> = rows.iter().collect();
    let mut labels = Vec::new();
    for label in Label::ALL {
        labels.push(fit_stack(&all, label, options, head_options)?.1);
    }
    let mut labels = labels.into_iter();
    Ok(Head {
        format: HEAD_FORMAT,
        encoder: encoder.to_string(),
        scale: head_options.scale,
        trained_on,
        labels: PerLabel::from_fn(|_| labels.next().unwrap_or_else(|| unreachable!("one head per label"))),
    })
}

/// A head label's probability of an embedding.
pub(crate) trait Probability {
    fn probability(&self, embedding: &[f32], scale: f32) -> f32;
}

impl Probability for HeadLabel {
    fn probability(&self, embedding: &[f32], scale: f32) -> f32 {
        let z: f32 = self.weights.iter().zip(embedding).map(|(w, x)| w * x * scale).sum();
        1.0 / (1.0 + (-(self.bias + z)).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, group: &str, embedding: Vec<f32>, solution: bool) -> Row {
        let mut gold = PerLabel::from_fn(|_| Some(false));
        gold[Label::Solution] = Some(solution);
        Row {
            key: key.into(),
            group: group.into(),
            features: Some([("w:x".to_string(), 1.0)].into_iter().collect()),
            rules: None,
            text: String::new(),
            embedding: Some(embedding),
            gold,
        }
    }

    #[test]
    fn a_separating_direction_is_learned_and_stacked() {
        let mut rows = Vec::new();
        for g in ["a", "b", "c"] {
            for i in 0..8 {
                let yes = i % 2 == 0;
                let e = if yes { vec![0.9, 0.1, 0.0] } else { vec![0.1, 0.9, 0.0] };
                rows.push(row(&format!("{g}{i}"), g, e, yes));
            }
        }
        let all: Vec<&Row> = rows.iter().collect();
        let h = fit_head(&all, Label::Solution, &HeadOptions::default()).expect("fits");
        assert!(h.weights[0] > 0.0 && h.weights[1] < 0.0, "{h:?}");
        let (_, stacked) = fit_stack(&all, Label::Solution, &Options::default(), &HeadOptions::default()).expect("fits");
        // The learned scorer sees one constant feature: only the head tells
        // posts apart, so the combined threshold separates them.
        assert!(stacked.blend < 1.0, "the head is used: {stacked:?}");
        let yes = blend(stacked.blend, 0.5, stacked.probability(&[0.9, 0.1, 0.0], 20.0));
        let no = blend(stacked.blend, 0.5, stacked.probability(&[0.1, 0.9, 0.0], 20.0));
        assert!(no < stacked.threshold && stacked.threshold <= yes, "{no} {} {yes}", stacked.threshold);
        let report = crate::cross_validate_with(&rows, &Options::default(), Some(&HeadOptions::default()), 3)
            .expect("cross-validates");
        let reranked = report.reranked.expect("reranked numbers");
        assert_eq!(reranked[0].pooled.f1, 1.0, "{:?}", reranked[0]);
        assert!(report.learned[0].pooled.f1 < 1.0, "the learned scorer alone cannot separate them");
    }
}
