//! Fitting the re-ranking stage's head ([`leadminer_core::score::rerank`]):
//! per label, an L2-regularized logistic regression over the frozen
//! encoder's embedding of each labeled post (or of each passage, fitted on
//! the gold lines' evidence quotes), stacked on the learned scorer by the
//! rule a scan applies ([`crate::choose_stack`]).

use crate::{choose_stack, LearnError, Options, Reader, Row};
use leadminer_core::score::rerank::{passages, Encode, Head, HeadLabel, Unit, HEAD_FORMAT};
use leadminer_core::score::{Label, PerLabel};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::Serialize;
use std::ops::Range;

/// Options of the head's fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadOptions {
    /// L2 regularization strength.
    pub alpha: f64,
    /// Embeddings are multiplied by this (see [`Head::scale`]).
    pub scale: f32,
    /// What the encoder reads of a post.
    pub unit: Unit,
}

impl Default for HeadOptions {
    /// A unit embedding of 384 dimensions times 20 has components of about
    /// unit size. Alpha 1000 had the best leave-one-community-out F1 for
    /// user_innovation and need of 1, 10, 50, 200, 1000 and 3000
    /// (docs/DEVELOPMENT.md, fifteenth session).
    fn default() -> Self {
        HeadOptions { alpha: 1000.0, scale: 20.0, unit: Unit::Post }
    }
}

/// Embeds `texts` with `encoder` on `threads` threads, in order, calling
/// `progress` with the number done after each text.
pub fn embed_texts(
    texts: &[&str],
    encoder: &dyn Encode,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<f32>>, String> {
    let chunk = texts.len().div_ceil(threads.max(1)).max(1);
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                let done = &done;
                scope.spawn(move || -> Result<Vec<Vec<f32>>, String> {
                    part.iter()
                        .map(|t| {
                            let e = encoder.encode(t)?;
                            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                            Ok(e)
                        })
                        .collect()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(texts.len());
        for h in handles {
            out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?);
        }
        Ok(out)
    })
}

/// Where `quote` is in `text`, white space and case aside: the whole quote,
/// else the longest of its parts between ellipses, else its first or last
/// 40 characters.
pub fn locate(text: &str, quote: &str) -> Option<Range<usize>> {
    // Folded text, with the byte in `text` where each folded byte starts.
    let fold = |s: &str| -> (String, Vec<usize>) {
        let mut out = String::with_capacity(s.len());
        let mut at = Vec::with_capacity(s.len());
        let mut space = true;
        for (i, c) in s.char_indices() {
            if c.is_whitespace() {
                if !space {
                    out.push(' ');
                    at.push(i);
                }
                space = true;
                continue;
            }
            space = false;
            for l in c.to_lowercase() {
                let before = out.len();
                out.push(l);
                at.extend(std::iter::repeat_n(i, out.len() - before));
            }
        }
        at.push(s.len());
        (out, at)
    };
    let (folded, at) = fold(text);
    let find = |q: &str| -> Option<Range<usize>> {
        let q = q.trim();
        if q.chars().count() < 12 {
            return None;
        }
        let start = folded.find(q)?;
        Some(at[start]..at[start + q.len()])
    };
    let (q, _) = fold(quote);
    let q = q.trim();
    if let Some(r) = find(q) {
        return Some(r);
    }
    let mut parts: Vec<&str> = q.split(['…']).flat_map(|p| p.split("...")).collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    if let Some(r) = parts.iter().find_map(|p| find(p)) {
        return Some(r);
    }
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    if chars.len() > 40 {
        let head = &q[..chars[40].0];
        let tail = &q[chars[chars.len() - 40].0..];
        return find(head).or_else(|| find(tail));
    }
    None
}

/// The units of the listed rows with embeddings that a head of `label` is
/// fitted on, with their truth: a post's one unit with the post's label,
/// or, for passages, every passage of a post without the label and the
/// passages of a post with it that its evidence quote overlaps (a post
/// with the label but no quote found in it gives none).
fn training_units<'r>(rows: &[&'r Row], label: Label, unit: Unit) -> Vec<(&'r [f32], bool)> {
    let mut out = Vec::new();
    // Only posts a scan lists: the stage never reads the others (on all
    // labeled posts, leave-one-community-out F1 was lower for every label:
    // docs/DEVELOPMENT.md).
    for r in rows.iter().filter(|r| r.features.is_some()) {
        let (Some(embeddings), Some(truth)) = (&r.embeddings, r.gold[label]) else { continue };
        match (unit, truth) {
            (Unit::Post, _) | (Unit::Passage, false) => out.extend(embeddings.iter().map(|e| (e.as_slice(), truth))),
            (Unit::Passage, true) => {
                let Some(quote) = r.evidence[label].as_deref().and_then(|q| locate(&r.text, q)) else { continue };
                let ranges = passages(&r.text);
                for (range, e) in ranges.iter().zip(embeddings) {
                    if range.start < quote.end && quote.start < range.end {
                        out.push((e.as_slice(), true));
                    }
                }
            }
        }
    }
    out
}

/// Fits one label's head on the listed rows with embeddings that give the
/// label (`training_units`); the threshold is left at 0.5.
pub fn fit_head(rows: &[&Row], label: Label, options: &HeadOptions) -> Result<HeadLabel, LearnError> {
    let units = training_units(rows, label, options.unit);
    let dims = units.first().map_or(0, |(e, _)| e.len());
    let positives = units.iter().filter(|(_, t)| *t).count();
    if positives == 0 || positives == units.len() {
        let p = if positives == 0 { 0.001f32 } else { 0.999 };
        return Ok(HeadLabel { bias: (p / (1.0 - p)).ln(), weights: vec![0.0; dims], blend: 0.5, threshold: 0.5 });
    }
    let mut x = Array2::<f64>::zeros((units.len(), dims));
    for (i, (e, _)) in units.iter().enumerate() {
        for (j, v) in e.iter().enumerate() {
            x[[i, j]] = f64::from(*v * options.scale);
        }
    }
    let y: Array1<bool> = units.iter().map(|(_, t)| *t).collect();
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

/// The frozen-encoder head as a [`Reader`]: per label, [`fit_head`] on
/// the training rows' embeddings.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddingHead(pub HeadOptions);

impl Reader for EmbeddingHead {
    fn fit_read(&self, train: &[&Row], read: &[&Row]) -> Result<Vec<Option<PerLabel<f32>>>, LearnError> {
        let heads = crate::per_label(|label| fit_head(train, label, &self.0))?;
        Ok(read
            .iter()
            .map(|r| {
                let e = r.embeddings.as_ref()?;
                Some(PerLabel::from_fn(|label| heads[label].probability(e, self.0.scale)))
            })
            .collect())
    }
}

/// Fits a head for every label on all `rows` (which need embeddings), its
/// blends and thresholds chosen by [`choose_stack`].
pub fn train_head(
    rows: &[Row],
    options: &Options,
    head_options: &HeadOptions,
    encoder: &str,
    trained_on: Vec<String>,
) -> Result<Head, LearnError> {
    let all: Vec<&Row> = rows.iter().collect();
    let stack = choose_stack(&all, options, &EmbeddingHead(*head_options))?;
    let mut labels = Vec::new();
    for label in Label::ALL {
        let head = fit_head(&all, label, head_options)?;
        labels.push(HeadLabel { blend: stack[label].blend, threshold: stack[label].threshold, ..head });
    }
    let mut labels = labels.into_iter();
    Ok(Head {
        format: HEAD_FORMAT,
        encoder: encoder.to_string(),
        unit: head_options.unit,
        scale: head_options.scale,
        tuned: None,
        trained_on,
        labels: PerLabel::from_fn(|_| labels.next().unwrap_or_else(|| unreachable!("one head per label"))),
    })
}

/// A head label's probability of a post from its units' embeddings: the
/// highest of theirs, as [`Head::read`] gives it.
pub(crate) trait Probability {
    fn probability(&self, embeddings: &[Vec<f32>], scale: f32) -> f32;
}

impl Probability for HeadLabel {
    fn probability(&self, embeddings: &[Vec<f32>], scale: f32) -> f32 {
        embeddings
            .iter()
            .map(|e| {
                let z: f32 = self.weights.iter().zip(e).map(|(w, x)| w * x * scale).sum();
                1.0 / (1.0 + (-(self.bias + z)).exp())
            })
            .fold(0.0, f32::max)
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
            embeddings: Some(vec![embedding]),
            gold,
            evidence: PerLabel::from_fn(|_| None),
            drawn_at_random: false,
        }
    }

    #[test]
    fn quotes_are_found_whatever_the_white_space_and_case() {
        let text = "Hello all.\n\nI  Built a small\nsketch that loops 100 times. Then it stops.";
        let r = locate(text, "I built a small sketch that loops 100 times.").expect("found");
        assert_eq!(&text[r], "I  Built a small\nsketch that loops 100 times.");
        let r = locate(text, "I built a small sketch ... Then it stops.").expect("the longest part");
        assert_eq!(&text[r], "I  Built a small\nsketch");
        assert!(locate(text, "Something else entirely, not in the post").is_none());
        assert!(locate(text, "Hello").is_none(), "too short to place");
    }

    #[test]
    fn passage_heads_learn_from_the_passages_the_evidence_covers() {
        let text = "The weather was fine all week and we drove down to the coast for the long weekend.\nI built a heater for the water tank from an old kettle element and a thermostat.";
        let mut yes = row("y", "a", vec![], true);
        yes.text = text.into();
        yes.embeddings = Some(vec![vec![0.0, 1.0], vec![1.0, 0.0]]);
        yes.evidence[Label::Solution] = Some("I built a heater for the water tank".into());
        let mut no = row("n", "a", vec![], false);
        no.text = text.into();
        no.embeddings = Some(vec![vec![0.5, 0.5], vec![0.2, 0.8]]);
        let mut unquoted = row("u", "a", vec![], true);
        unquoted.embeddings = Some(vec![vec![9.0, 9.0]]);
        let units = training_units(&[&yes, &no, &unquoted], Label::Solution, Unit::Passage);
        let got: Vec<(Vec<f32>, bool)> = units.iter().map(|(e, t)| (e.to_vec(), *t)).collect();
        assert_eq!(
            got,
            [(vec![1.0, 0.0], true), (vec![0.5, 0.5], false), (vec![0.2, 0.8], false)],
            "the quoted passage, every passage of the negative post, nothing of the post without a quote"
        );
        let post = training_units(&[&yes, &no, &unquoted], Label::Solution, Unit::Post);
        assert_eq!(post.len(), 5, "post units: every embedding with the post's label");
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
        let head = train_head(&rows, &Options::default(), &HeadOptions::default(), "test", Vec::new()).expect("fits");
        let stacked = &head.labels[Label::Solution];
        // The learned scorer sees one constant feature: only the head tells
        // posts apart, so the combined threshold separates them.
        assert!(stacked.blend < 1.0, "the head is used: {stacked:?}");
        let yes = leadminer_core::score::rerank::blend(stacked.blend, 0.5, stacked.probability(&[vec![0.9, 0.1, 0.0]], 20.0));
        let no = leadminer_core::score::rerank::blend(stacked.blend, 0.5, stacked.probability(&[vec![0.1, 0.9, 0.0]], 20.0));
        assert!(no < stacked.threshold && stacked.threshold <= yes, "{no} {} {yes}", stacked.threshold);
        let report = crate::cross_validate_with(&rows, &Options::default(), Some(&EmbeddingHead(HeadOptions::default())), 3)
            .expect("cross-validates");
        let reranked = report.reranked.expect("reranked numbers");
        assert_eq!(reranked[0].pooled.f1, 1.0, "{:?}", reranked[0]);
        assert!(report.learned[0].pooled.f1 < 1.0, "the learned scorer alone cannot separate them");
    }
}
