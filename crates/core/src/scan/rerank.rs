//! The re-ranking stage in a scan ([`crate::score::rerank`]): the posts with
//! the highest learned scores of each label are kept, with the first bytes
//! of their text, as the scan goes (each block keeps its own best, the
//! blocks' best are merged in input order, so the choice does not depend on
//! the thread count); once every block is in, the encoder reads them and
//! [`place`] re-orders them before the posts are written.
//!
//! The stage re-ranks the top of the list; it does not move posts across
//! it. Its blend of the two stages' probabilities lives on another scale
//! than the first stage's score (the head's probabilities are drawn towards
//! the base rate), so a blended score written as it is would put every post
//! the stage read below the posts it did not read: the list would open
//! with the first stage's 101st post. Instead, the posts the stage accepts
//! keep the first stage's best scores, handed out in the order of their
//! blends; the posts it rejects keep their blend, below its threshold.

use crate::model::Source;
use crate::score::rerank::{Encode, Head};
use crate::score::{Label, Labels, PerLabel, Scores};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The bytes of a post kept for the encoder: more than its 256 tokens.
const TEXT_BYTES: usize = 4096;

/// The second stage of a scan.
#[derive(Clone)]
pub struct Rerank {
    /// The head over the encoder's embeddings.
    pub head: Head,
    /// The encoder.
    pub encoder: Arc<dyn Encode>,
    /// How many of the best posts of each label are read.
    pub top: usize,
}

impl std::fmt::Debug for Rerank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rerank").field("encoder", &self.encoder.name()).field("top", &self.top).finish_non_exhaustive()
    }
}

/// A post that may be read.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Candidate {
    /// Its source.
    pub source: Source,
    /// Its id.
    pub id: String,
    /// Its learned scores.
    pub scores: Scores,
    /// The first `TEXT_BYTES` of its analyzed text, cut at a character.
    pub text: String,
}

impl Candidate {
    /// A candidate with the start of `text`.
    pub fn new(source: Source, id: &str, scores: Scores, text: &str) -> Candidate {
        let mut end = text.len().min(TEXT_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Candidate { source, id: id.to_string(), scores, text: text[..end].to_string() }
    }
}

/// The best `top` posts of each label, ties to the earlier post.
#[derive(Debug, Default)]
pub struct Best {
    top: usize,
    /// Per label: (score, arrival), best first.
    ranks: PerLabel<Vec<(f32, u64)>>,
    /// The candidates still in some label's list, by arrival.
    kept: BTreeMap<u64, Candidate>,
    arrivals: u64,
}

impl Best {
    /// An empty list of the best `top` posts of each label.
    pub fn new(top: usize) -> Best {
        Best { top, ..Best::default() }
    }

    /// Whether a post with these scores would be kept.
    pub fn wants(&self, scores: &Scores) -> bool {
        self.top > 0 && Label::ALL.into_iter().any(|l| self.beats(l, scores[l]))
    }

    fn beats(&self, label: Label, score: f32) -> bool {
        let ranks = &self.ranks[label];
        ranks.len() < self.top || ranks.last().is_some_and(|(s, _)| score > *s)
    }

    /// Offers a post, made by `candidate` only if it is kept.
    pub fn offer(&mut self, scores: &Scores, candidate: impl FnOnce() -> Candidate) {
        if !self.wants(scores) {
            return;
        }
        let arrival = self.arrivals;
        self.arrivals += 1;
        for label in Label::ALL {
            let score = scores[label];
            if !self.beats(label, score) {
                continue;
            }
            let ranks = &mut self.ranks[label];
            // After every equal or better score: ties go to the earlier.
            let at = ranks.partition_point(|(s, _)| *s >= score);
            ranks.insert(at, (score, arrival));
            if ranks.len() > self.top {
                if let Some((_, dropped)) = ranks.pop() {
                    if !Label::ALL.into_iter().any(|l| self.ranks[l].iter().any(|(_, a)| *a == dropped)) {
                        self.kept.remove(&dropped);
                    }
                }
            }
        }
        self.kept.insert(arrival, candidate());
    }

    /// The kept candidates, in arrival order.
    pub fn into_candidates(self) -> Vec<Candidate> {
        self.kept.into_values().collect()
    }

    /// The kept candidates, each with the labels it is among the best of.
    fn chosen(self) -> Vec<(Candidate, PerLabel<bool>)> {
        let Best { ranks, kept, .. } = self;
        kept.into_iter()
            .map(|(arrival, c)| {
                let among = PerLabel::from_fn(|l| ranks[l].iter().any(|(_, a)| *a == arrival));
                (c, among)
            })
            .collect()
    }
}

/// What the stage found for one post: the head's probability of each label
/// it was read for.
pub type Reading = PerLabel<Option<f32>>;

/// What the stage decided for one post: for each label it was read for, the
/// post's new score and whether it has the label ([`place`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Placed(pub PerLabel<Option<(f32, bool)>>);

impl Placed {
    /// Writes the stage's decisions into a post's scores and labels (a user
    /// innovation is still a solution first).
    pub fn apply(&self, scores: &mut Scores, labels: &mut Labels) {
        for label in Label::ALL {
            if let Some((score, on)) = self.0[label] {
                (scores[label], labels[label]) = (score, on);
            }
        }
        labels[Label::UserInnovation] &= labels[Label::Solution];
    }
}

/// Places the posts the stage read, label by label. Each post's blend of
/// its first-stage score and the head's probability ([`Head::combine`])
/// decides whether it has the label (the blend reaches the head's
/// threshold) and its order among the posts read: accepted posts first,
/// best blend first (ties to the higher first-stage score, then the earlier
/// source and id). In that order the posts take the first-stage scores of
/// the posts read, highest first, so that they stay above every post the
/// stage did not read; a rejected post takes its blend instead where that
/// is lower (it is below the head's threshold).
pub fn place(head: &Head, read: &[((Source, String), Scores, Reading)]) -> BTreeMap<(Source, String), Placed> {
    let mut placed: BTreeMap<(Source, String), Placed> =
        read.iter().map(|(key, _, _)| (key.clone(), Placed::default())).collect();
    for label in Label::ALL {
        let mut first: Vec<f32> = Vec::new();
        // (accepted, blend, first-stage score, post)
        let mut order: Vec<(bool, f32, f32, &(Source, String))> = Vec::new();
        for (key, scores, reading) in read {
            let Some(p) = reading[label] else { continue };
            first.push(scores[label]);
            let (blend, on) = head.combine(label, scores[label], p);
            order.push((on, blend, scores[label], key));
        }
        first.sort_by(|a, b| b.total_cmp(a));
        order.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(b.2.total_cmp(&a.2)).then_with(|| a.3.cmp(b.3)));
        for ((on, blend, _, key), score) in order.into_iter().zip(first) {
            if let Some(post) = placed.get_mut(key) {
                post.0[label] = Some((if on { score } else { score.min(blend) }, on));
            }
        }
    }
    placed
}

impl Rerank {
    /// The head's probability of each label for one candidate's text (read
    /// in the head's units, the best unit's for each label).
    pub fn read_one(&self, candidate: &Candidate) -> Result<PerLabel<f32>, String> {
        let embeddings = self
            .head
            .units(&candidate.text)
            .into_iter()
            .map(|unit| self.encoder.encode(unit))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(self.head.read(&embeddings))
    }

    /// Reads the chosen posts on up to `threads` threads and [`place`]s
    /// them; returns each one's [`Placed`] by (source, id), and the
    /// encoder's errors (a post it could not read keeps its first-stage
    /// scores and does not take part in the placing).
    pub fn read(&self, best: Best, threads: usize) -> (BTreeMap<(Source, String), Placed>, Vec<String>) {
        let chosen = best.chosen();
        let threads = threads.clamp(1, chosen.len().max(1));
        let chunk = chosen.len().div_ceil(threads).max(1);
        let results: Vec<Vec<Result<PerLabel<f32>, String>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chosen
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(c, _)| self.read_one(c).map_err(|e| format!("{}:{}: re-ranking: {e}", c.source, c.id)))
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        let mut read = Vec::new();
        let mut errors = Vec::new();
        for ((c, among), result) in chosen.into_iter().zip(results.into_iter().flatten()) {
            match result {
                Ok(p) => read.push(((c.source, c.id), c.scores, PerLabel::from_fn(|l| among[l].then_some(p[l])))),
                Err(e) => errors.push(e),
            }
        }
        (place(&self.head, &read), errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(s: f32, n: f32) -> Scores {
        let mut out = Scores::default();
        out[Label::Solution] = s;
        out[Label::Need] = n;
        out
    }

    fn ids(best: Best) -> Vec<(String, Vec<Label>)> {
        best.chosen()
            .into_iter()
            .map(|(c, among)| (c.id, Label::ALL.into_iter().filter(|l| among[*l]).collect()))
            .collect()
    }

    #[test]
    fn the_best_of_each_label_are_kept_ties_to_the_earlier() {
        let mut best = Best::new(2);
        for (id, s, n) in [("a", 0.9, 0.0), ("b", 0.5, 0.0), ("c", 0.5, 0.8), ("d", 0.7, 0.1), ("e", 0.7, 0.0)] {
            best.offer(&scores(s, n), || Candidate::new(Source::Reddit, id, scores(s, n), "text"));
        }
        // solution: a 0.9, d 0.7 (e ties d and came later); need: c 0.8,
        // d 0.1 (the commercial and user-innovation lists hold a and b, the
        // first two of equal zeros).
        let got = ids(best);
        let names: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        assert_eq!(got[2].1, [Label::Need]);
        assert_eq!(got[3].1, [Label::Solution, Label::Need]);
    }

    #[test]
    fn blocks_merged_in_order_choose_as_one_pass() {
        let posts: Vec<(String, f32)> = (0..40).map(|i| (format!("p{i}"), ((i * 37) % 11) as f32 / 10.0)).collect();
        let mut one = Best::new(5);
        for (id, s) in &posts {
            one.offer(&scores(*s, 0.0), || Candidate::new(Source::Reddit, id, scores(*s, 0.0), ""));
        }
        let mut merged = Best::new(5);
        for block in posts.chunks(7) {
            let mut b = Best::new(5);
            for (id, s) in block {
                b.offer(&scores(*s, 0.0), || Candidate::new(Source::Reddit, id, scores(*s, 0.0), ""));
            }
            for c in b.into_candidates() {
                let s = c.scores;
                merged.offer(&s, || c);
            }
        }
        assert_eq!(ids(one), ids(merged));
    }

    /// A head that blends half and half, flagging from 0.4.
    fn half_head() -> Head {
        let label = crate::score::rerank::HeadLabel { bias: 0.0, weights: Vec::new(), blend: 0.5, threshold: 0.4 };
        Head {
            format: crate::score::rerank::HEAD_FORMAT,
            encoder: "test".into(),
            unit: crate::score::rerank::Unit::Post,
            tuned: None,
            scale: 1.0,
            trained_on: Vec::new(),
            labels: PerLabel::from_fn(|_| label.clone()),
        }
    }

    #[test]
    fn the_posts_read_stay_on_top_in_the_order_of_their_blends() {
        let key = |id: &str| (Source::Reddit, id.to_string());
        let post = |id: &str, first: f32, head: Option<f32>| {
            let mut reading = Reading::default();
            reading[Label::Solution] = head;
            (key(id), scores(first, 0.0), reading)
        };
        // First-stage scores 0.9 > 0.8 > 0.7 > 0.6; blends with the head:
        // a (0.9 + 0.1) / 2 = 0.5, b (0.8 + 0.6) / 2 = 0.7, c (0.7 + 0.5) / 2
        // = 0.6, d (0.6 + 0.0) / 2 = 0.3, below 0.4: rejected. e was not
        // read for solution.
        let read = [
            post("a", 0.9, Some(0.1)),
            post("b", 0.8, Some(0.6)),
            post("c", 0.7, Some(0.5)),
            post("d", 0.6, Some(0.0)),
            post("e", 0.95, None),
        ];
        let placed = place(&half_head(), &read);
        let solution = |id: &str| placed[&key(id)].0[Label::Solution];
        // Accepted by blend (b, c, a), they take 0.9, 0.8, 0.7: still above
        // any post not read; d keeps its blend, below its first-stage 0.6.
        assert_eq!(solution("b"), Some((0.9, true)));
        assert_eq!(solution("c"), Some((0.8, true)));
        assert_eq!(solution("a"), Some((0.7, true)));
        assert_eq!(solution("d"), Some((0.3, false)));
        assert_eq!(solution("e"), None, "not read for solution: its scores stand");
        assert_eq!(placed[&key("a")].0[Label::Need], None);

        // A rejected post whose blend is above the first-stage score it
        // would take keeps that lower score, so no accepted post is below it.
        // Blends: p 0.55, q 0.45, r 0.375 (rejected, though above the 0.05
        // its place gives it).
        let read = [post("p", 0.2, Some(0.9)), post("q", 0.1, Some(0.8)), post("r", 0.05, Some(0.7))];
        let placed = place(&half_head(), &read);
        let solution = |id: &str| placed[&key(id)].0[Label::Solution];
        assert_eq!(solution("p"), Some((0.2, true)));
        assert_eq!(solution("q"), Some((0.1, true)));
        assert_eq!(solution("r"), Some((0.05, false)));

        // Written into a post: a user innovation needs a solution.
        let mut s = scores(0.9, 0.0);
        let mut labels = Labels::default();
        labels[Label::UserInnovation] = true;
        let mut rejected = Placed::default();
        rejected.0[Label::Solution] = Some((0.3, false));
        rejected.apply(&mut s, &mut labels);
        assert_eq!((s[Label::Solution], labels[Label::Solution], labels[Label::UserInnovation]), (0.3, false, false));
    }

    #[test]
    fn text_is_cut_at_a_character() {
        let text = "é".repeat(TEXT_BYTES);
        let c = Candidate::new(Source::Reddit, "1", Scores::default(), &text);
        assert_eq!(c.text.len(), TEXT_BYTES);
        let c = Candidate::new(Source::Reddit, "1", Scores::default(), &format!("a{text}"));
        assert_eq!(c.text.len(), TEXT_BYTES - 1);
    }
}
