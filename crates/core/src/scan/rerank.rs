//! The re-ranking stage in a scan ([`crate::score::rerank`]): the posts with
//! the highest learned scores of each label are kept, with the first bytes
//! of their text, as the scan goes (each block keeps its own best, the
//! blocks' best are merged in input order, so the choice does not depend on
//! the thread count); once every block is in, the encoder reads them and
//! their scores are combined before the posts are written.

use crate::model::Source;
use crate::score::rerank::{Encode, Head};
use crate::score::{Label, PerLabel, Scores};
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

    /// Reads the chosen posts on up to `threads` threads; returns each
    /// one's [`Reading`] by (source, id), and the encoder's errors.
    pub fn read(&self, best: Best, threads: usize) -> (BTreeMap<(Source, String), Reading>, Vec<String>) {
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
        let mut readings = BTreeMap::new();
        let mut errors = Vec::new();
        for ((c, among), result) in chosen.into_iter().zip(results.into_iter().flatten()) {
            match result {
                Ok(p) => {
                    readings.insert((c.source, c.id), PerLabel::from_fn(|l| among[l].then_some(p[l])));
                }
                Err(e) => errors.push(e),
            }
        }
        (readings, errors)
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

    #[test]
    fn text_is_cut_at_a_character() {
        let text = "é".repeat(TEXT_BYTES);
        let c = Candidate::new(Source::Reddit, "1", Scores::default(), &text);
        assert_eq!(c.text.len(), TEXT_BYTES);
        let c = Candidate::new(Source::Reddit, "1", Scores::default(), &format!("a{text}"));
        assert_eq!(c.text.len(), TEXT_BYTES - 1);
    }
}
