//! How sure the labeled posts let us be of an F1: percentile bootstrap
//! intervals of pooled F1, and of the difference between two scorers'
//! F1 on the same posts (paired: every resample draws the same posts for
//! both, so what the two share does not widen the interval); and of the
//! precision among each community's highest-scored posts.
//!
//! Posts are resampled within their community, each community keeping its
//! size, so every resample holds the communities in the proportions the
//! cross-validation held them out in. The resamples come from a fixed
//! seed: the same decisions give the same intervals on every run.

use serde::Serialize;

/// How many resamples an interval is read from.
pub const RESAMPLES: usize = 1000;

/// The share of resamples an interval holds.
pub const LEVEL: f64 = 0.95;

/// The fixed seed of the resamples.
const SEED: u64 = 0x1ead_5eed;

/// A two-sided percentile interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Interval {
    /// The lower end.
    pub low: f64,
    /// The upper end.
    pub high: f64,
}

/// One post's decision by one scorer: (flagged, truly positive).
pub type Decision = (bool, bool);

/// The decisions of several scorers on the same posts, grouped by
/// community: each group holds its posts one after another, each post its
/// `scorers` decisions.
#[derive(Debug, Clone, Default)]
pub struct Paired {
    groups: Vec<Vec<Decision>>,
    scorers: usize,
}

/// The bootstrap distribution of each scorer's pooled F1.
#[derive(Debug, Clone)]
pub struct Resampled {
    /// `f1[scorer][resample]`.
    f1: Vec<Vec<f64>>,
}

impl Paired {
    /// Decisions of `scorers` scorers per post.
    pub fn new(scorers: usize) -> Self {
        Paired { groups: Vec::new(), scorers }
    }

    /// Adds one community's posts: each post's decisions, one per scorer
    /// in scorer order, the posts one after another.
    ///
    /// # Panics
    /// When the decisions are not a whole number of posts (a caller's bug).
    pub fn push_group(&mut self, decisions: Vec<Decision>) {
        assert!(self.scorers > 0 && decisions.len() % self.scorers == 0, "one decision per scorer and post");
        if !decisions.is_empty() {
            self.groups.push(decisions);
        }
    }

    /// Draws [`RESAMPLES`] resamples and each scorer's pooled F1 in each.
    pub fn resample(&self) -> Resampled {
        let mut rng = fastrand::Rng::with_seed(SEED);
        let mut f1 = vec![Vec::with_capacity(RESAMPLES); self.scorers];
        let mut counts = vec![Counts::default(); self.scorers];
        for _ in 0..RESAMPLES {
            counts.iter_mut().for_each(|c| *c = Counts::default());
            for group in &self.groups {
                let posts = group.len() / self.scorers;
                for _ in 0..posts {
                    let at = rng.usize(..posts) * self.scorers;
                    for (c, d) in counts.iter_mut().zip(&group[at..at + self.scorers]) {
                        c.add(*d);
                    }
                }
            }
            for (dist, c) in f1.iter_mut().zip(&counts) {
                dist.push(c.f1());
            }
        }
        Resampled { f1 }
    }
}

impl Resampled {
    /// The interval of scorer `a`'s F1.
    pub fn f1(&self, a: usize) -> Interval {
        percentile_interval(self.f1[a].clone())
    }

    /// The interval of scorer `a`'s F1 minus scorer `b`'s.
    pub fn difference(&self, a: usize, b: usize) -> Interval {
        percentile_interval(self.f1[a].iter().zip(&self.f1[b]).map(|(x, y)| x - y).collect())
    }
}

/// One post as a ranking sees it: its score, and whether it counts as a
/// hit at the top (a true positive the scorer retrieves at all).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// The score the posts are ranked by.
    pub score: f32,
    /// A true positive with a score above 0.
    pub hit: bool,
}

/// The [`LEVEL`] interval of the mean over communities of the share of
/// hits among each community's `k` highest-scored posts (all of them when
/// it has fewer), each community's posts resampled with replacement. Ties
/// keep the order the posts were drawn in, as a stable sort of the posts
/// keeps theirs.
pub fn top_precision_interval(groups: &[Vec<Ranked>], k: usize) -> Interval {
    let groups: Vec<&Vec<Ranked>> = groups.iter().filter(|g| !g.is_empty()).collect();
    if groups.is_empty() || k == 0 {
        return Interval::default();
    }
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut sample: Vec<Ranked> = Vec::new();
    let mut means = Vec::with_capacity(RESAMPLES);
    for _ in 0..RESAMPLES {
        let mut sum = 0.0;
        for posts in &groups {
            sample.clear();
            sample.extend((0..posts.len()).map(|_| posts[rng.usize(..posts.len())]));
            sample.sort_by(|a, b| b.score.total_cmp(&a.score));
            let top = sample.len().min(k);
            sum += sample[..top].iter().filter(|r| r.hit).count() as f64 / top as f64;
        }
        means.push(sum / groups.len() as f64);
    }
    percentile_interval(means)
}

/// Confusion counts of one scorer in one resample.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn add(&mut self, (flagged, truth): Decision) {
        match (flagged, truth) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => {}
        }
    }

    /// F1 as 2·tp / (2·tp + fp + fn), 0 when there is nothing flagged or
    /// to find (the same as the harmonic mean of precision and recall).
    fn f1(&self) -> f64 {
        let denominator = 2 * self.tp + self.fp + self.fn_;
        if denominator == 0 {
            0.0
        } else {
            f64::from(2 * self.tp) / f64::from(denominator)
        }
    }
}

/// The [`LEVEL`] interval of a sample: its lower and upper percentiles,
/// read at the nearest rank.
fn percentile_interval(mut sample: Vec<f64>) -> Interval {
    if sample.is_empty() {
        return Interval::default();
    }
    sample.sort_by(f64::total_cmp);
    let tail = (1.0 - LEVEL) / 2.0;
    let at = |q: f64| sample[((q * sample.len() as f64).round() as usize).min(sample.len() - 1)];
    Interval { low: at(tail), high: at(1.0 - tail) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` posts of which the scorer gets `right` right: true positives,
    /// then false positives.
    fn posts(n: usize, right: usize) -> Vec<Decision> {
        (0..n).map(|i| (true, i < right)).collect()
    }

    #[test]
    fn a_scorer_right_on_every_post_has_no_spread() {
        let mut p = Paired::new(1);
        p.push_group(posts(50, 50));
        assert_eq!(p.resample().f1(0), Interval { low: 1.0, high: 1.0 });
    }

    #[test]
    fn intervals_hold_the_estimate_and_narrow_with_more_posts() {
        let width = |n: usize| {
            let mut p = Paired::new(1);
            // Half of the flagged posts are right: F1 = 2·(n/2) / (2·(n/2) + n/2) = 2/3.
            p.push_group(posts(n, n / 2));
            let i = p.resample().f1(0);
            assert!(i.low < 2.0 / 3.0 && 2.0 / 3.0 < i.high, "{i:?}");
            i.high - i.low
        };
        let (small, large) = (width(40), width(4000));
        assert!(small > 4.0 * large, "{small} against {large}");
    }

    #[test]
    fn paired_differences_cancel_what_two_scorers_share() {
        // Scorer 1 is scorer 0 finding five more of the positives among 400
        // posts: each F1 varies from resample to resample, the difference
        // far less, and it is never below 0.
        let mut p = Paired::new(2);
        let group: Vec<Decision> = (0..400)
            .flat_map(|i| {
                let truth = i % 2 == 0;
                let a = (i % 4 == 0, truth);
                let b = (i % 4 == 0 || (i % 4 == 2 && i < 20), truth);
                [a, b]
            })
            .collect();
        p.push_group(group);
        let r = p.resample();
        let (a, d) = (r.f1(0), r.difference(1, 0));
        assert!(d.low >= 0.0 && d.high > 0.0, "{d:?}");
        assert!(d.high - d.low < (a.high - a.low) / 2.0, "{d:?} against {a:?}");
    }

    #[test]
    fn top_precision_resamples_each_community_and_averages() {
        let ranked = |scores_hits: &[(f32, bool)]| -> Vec<Ranked> {
            scores_hits.iter().map(|&(score, hit)| Ranked { score, hit }).collect()
        };
        // Every post of the first community is a hit, none of the second:
        // whatever is drawn, the mean of the two is 0.5.
        let all = ranked(&[(0.9, true), (0.8, true), (0.1, true)]);
        let none = ranked(&[(0.7, false), (0.6, false)]);
        assert_eq!(top_precision_interval(&[all.clone(), none], 2), Interval { low: 0.5, high: 0.5 });
        // Hits only at the top: the top 2 of 20 posts is mostly hits, but a
        // resample that draws neither of them has none.
        let mut mixed = ranked(&[(0.95, true), (0.9, true)]);
        mixed.extend((0..18).map(|i| Ranked { score: 0.5 - i as f32 * 0.01, hit: false }));
        let i = top_precision_interval(&[mixed], 2);
        assert!(i.low < 0.5 && i.high == 1.0, "{i:?}");
        assert_eq!(top_precision_interval(&[], 10), Interval::default());
    }

    #[test]
    fn resamples_are_the_same_on_every_run() {
        let mut p = Paired::new(1);
        p.push_group(posts(30, 10));
        p.push_group(posts(7, 5));
        assert_eq!(p.resample().f1(0), p.resample().f1(0));
    }
}
