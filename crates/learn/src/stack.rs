//! A second stage stacked on the learned scorer: a [`Reader`] is fitted
//! on labeled rows and gives each post it reads a probability of each
//! label; a post's combined score is a blend of the two probabilities,
//! the blend and its threshold chosen per label on out-of-fold
//! probabilities over the training communities ([`choose_stack`]).

use crate::{choose_threshold, f1_at, out_of_fold, LearnError, Options, Row};
use leadminer_core::score::rerank::blend;
use leadminer_core::score::PerLabel;
use std::collections::BTreeSet;

/// A second stage that reads posts: fitted on some rows, it gives others
/// a probability of each label. The frozen encoder's head
/// ([`crate::EmbeddingHead`]) is one; a fine-tuned encoder is another.
pub trait Reader {
    /// Fits on `train` and gives each row of `read` its probability of
    /// each label (`None` for a row it cannot read).
    fn fit_read(&self, train: &[&Row], read: &[&Row]) -> Result<Vec<Option<PerLabel<f32>>>, LearnError>;

    /// Into how many folds of whole communities training communities are
    /// dealt to choose blends and thresholds; `None`: one per community.
    /// A reader that is slow to fit uses fewer.
    fn inner_folds(&self) -> Option<usize> {
        None
    }
}

/// The shares of the learned probability tried for a label's blend (1: the
/// second stage is not used).
pub const BLENDS: [f32; 5] = [0.25, 0.5, 0.67, 0.8, 1.0];

/// How one label's two probabilities are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stack {
    /// The learned scorer's threshold, for posts the second stage does not
    /// read.
    pub learned_threshold: f32,
    /// The learned probability's share of the combined score.
    pub blend: f32,
    /// A read post is labeled when its combined score reaches this.
    pub threshold: f32,
}

/// The folds of `rows`' communities: one per community, or `k` folds of
/// communities dealt in name order.
pub fn community_folds(rows: &[&Row], k: Option<usize>) -> Vec<Vec<String>> {
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    let k = k.unwrap_or(groups.len()).clamp(1, groups.len().max(1));
    let mut folds = vec![Vec::new(); k];
    for (i, g) in groups.into_iter().enumerate() {
        folds[i % k].push(g.to_string());
    }
    folds
}

/// Out-of-fold readings of every row of `rows`: each fold of communities
/// ([`Reader::inner_folds`]) is read by the reader fitted on the others.
pub fn out_of_fold_read(reader: &dyn Reader, rows: &[&Row]) -> Result<Vec<Option<PerLabel<f32>>>, LearnError> {
    let mut out = vec![None; rows.len()];
    for fold in community_folds(rows, reader.inner_folds()) {
        let held = |r: &Row| fold.contains(&r.group);
        let train: Vec<&Row> = rows.iter().copied().filter(|r| !held(r)).collect();
        let index: Vec<usize> = (0..rows.len()).filter(|&i| held(rows[i])).collect();
        let read: Vec<&Row> = index.iter().map(|&i| rows[i]).collect();
        for (i, p) in index.into_iter().zip(reader.fit_read(&train, &read)?) {
            out[i] = p;
        }
    }
    Ok(out)
}

/// Chooses each label's [`Stack`] on `rows`: the learned threshold on
/// leave-one-community-out learned probabilities, the blend and its
/// threshold on those and the reader's out-of-fold probabilities (the blend
/// with the best F1, ties to the larger learned share). Posts a scan does
/// not list are never labeled, as in a scan. With one community, nothing
/// is held out: the blend is even and the thresholds 0.5.
pub fn choose_stack(rows: &[&Row], options: &Options, reader: &dyn Reader) -> Result<PerLabel<Stack>, LearnError> {
    let even = Stack { learned_threshold: 0.5, blend: 0.5, threshold: 0.5 };
    let groups: BTreeSet<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    if groups.len() < 2 {
        return Ok(PerLabel::from_fn(|_| even));
    }
    let read = out_of_fold_read(reader, rows)?;
    crate::per_label(|label| {
        let learned = out_of_fold(rows, label, options)?;
        let plain: Vec<(Option<f32>, bool)> =
            rows.iter().zip(&learned).filter_map(|(r, p)| Some((*p, r.gold[label]?))).collect();
        let learned_threshold = choose_threshold(&plain);
        let mut best = (-1.0, even);
        for share in BLENDS {
            let stacked: Vec<(Option<f32>, bool)> = rows
                .iter()
                .zip(&learned)
                .zip(&read)
                .filter_map(|((r, p), h)| {
                    let c = match (p, h) {
                        (Some(p), Some(h)) => Some(blend(share, *p, h[label])),
                        (p, _) => *p,
                    };
                    Some((c, r.gold[label]?))
                })
                .collect();
            let threshold = choose_threshold(&stacked);
            let f1 = f1_at(&stacked, threshold);
            if f1 >= best.0 {
                best = (f1, Stack { learned_threshold, blend: share, threshold });
            }
        }
        Ok(best.1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, group: &str) -> Row {
        Row {
            key: key.into(),
            group: group.into(),
            features: None,
            rules: None,
            text: String::new(),
            embeddings: None,
            gold: PerLabel::from_fn(|_| None),
            evidence: PerLabel::from_fn(|_| None),
            drawn_at_random: false,
        }
    }

    #[test]
    fn communities_are_dealt_into_folds_in_name_order() {
        let rows: Vec<Row> = ["e", "a", "d", "b", "c", "a"].iter().enumerate().map(|(i, g)| row(&i.to_string(), g)).collect();
        let refs: Vec<&Row> = rows.iter().collect();
        assert_eq!(community_folds(&refs, None), [["a"], ["b"], ["c"], ["d"], ["e"]]);
        assert_eq!(community_folds(&refs, Some(2)), [vec!["a", "c", "e"], vec!["b", "d"]]);
        assert_eq!(community_folds(&refs, Some(9)).len(), 5, "no empty folds");
    }

    /// A reader that gives each row the number in its key and records the
    /// communities it was fitted on.
    struct Echo(std::sync::Mutex<Vec<Vec<String>>>);

    impl Reader for Echo {
        fn fit_read(&self, train: &[&Row], read: &[&Row]) -> Result<Vec<Option<PerLabel<f32>>>, LearnError> {
            let groups: BTreeSet<String> = train.iter().map(|r| r.group.clone()).collect();
            self.0.lock().expect("not poisoned").push(groups.into_iter().collect());
            Ok(read.iter().map(|r| r.key.parse::<f32>().ok().map(|v| PerLabel::from_fn(|_| v))).collect())
        }

        fn inner_folds(&self) -> Option<usize> {
            Some(2)
        }
    }

    #[test]
    fn out_of_fold_readings_come_from_readers_fitted_without_the_fold() {
        let rows: Vec<Row> = ["a", "b", "c", "a"].iter().enumerate().map(|(i, g)| row(&i.to_string(), g)).collect();
        let refs: Vec<&Row> = rows.iter().collect();
        let echo = Echo(Default::default());
        let read = out_of_fold_read(&echo, &refs).expect("reads");
        let values: Vec<Option<f32>> = read.iter().map(|p| p.map(|p| p[leadminer_core::score::Label::Solution])).collect();
        assert_eq!(values, [Some(0.0), Some(1.0), Some(2.0), Some(3.0)], "every row read once, in place");
        assert_eq!(*echo.0.lock().expect("not poisoned"), [vec!["b"], vec!["a", "c"]], "fold a+c fitted on b, fold b on a+c");
    }
}
