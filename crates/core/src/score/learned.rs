//! A learned [`Model`] made ready to score posts in a scan: each feature
//! name the model weighs is looked up once in a hash table that gives its
//! weight for every label (and for the base model's labels), and a post's
//! features are summed as they are computed ([`features::visit`]), without
//! a map of names or a string per word.
//!
//! Word and word-pair features are found by a 64-bit key made from the
//! hashes of their words, so a pair's name is never built. Word features
//! the model has no weight for still count towards the number of distinct
//! word features of the post (their value depends on it): they are told
//! apart by that key, so two different word features of one post are
//! counted once only if their 64-bit keys collide (and two pairs whose
//! joined names coincide, `a`+`b_c` and `a_b`+`c`, count twice).

use super::features::{self, gram_value, Visitor};
use super::label::{Label, PerLabel};
use super::model::{Base, Model};
use super::{round3, strengths, Labels, Scores, Weights};
use crate::analyze::{Document, Signal};
use std::cell::RefCell;
use hashbrown::HashTable;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Fixed seeds, so hashing is the same in every run.
fn hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(0x6c65_6164, 0x6d69_6e65, 0x7220_6c65, 0x6172_6e74)
}

/// splitmix64's finalizer: every bit of the input moves every bit of the
/// output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A word's hash: its bytes alone (`hash_one` would add the end marker
/// `Hash for str` writes, a step more per word for nothing here).
fn word_hash(hasher: &ahash::RandomState, word: &str) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(word.as_bytes());
    h.finish()
}

/// The key of the word feature `w:{word}` from the word's hash.
fn word_key(word: u64) -> u64 {
    mix(word ^ 0x7731_3a77_6f72_6473)
}

/// The key of the pair feature `w2:{first}_{second}` from the words' hashes.
fn pair_key(first: u64, second: u64) -> u64 {
    mix(first.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ second ^ 0x7732_3a70_6169_7273)
}

/// The size of [`LearnedScorer`]'s filter of word feature keys, in bits
/// (8 KiB, so it stays in the first-level cache).
const FILTER_BITS: u32 = 16;

/// A learned model with its lookup table.
#[derive(Debug, Clone)]
pub struct LearnedScorer {
    model: Model,
    /// Feature name → its row in `weights`, for features other than words.
    index: HashTable<(Box<str>, u32)>,
    /// Word and word-pair feature key → its row in `weights`.
    grams: HashMap<u64, u32, BuildHasherDefault<Identity>>,
    /// One bit per [`FILTER_BITS`] value of a key's top bits, set for the
    /// keys in `grams`: most words of a post are not weighed, and one bit
    /// tells so faster than the table.
    filter: Vec<u64>,
    hasher: ahash::RandomState,
    /// Per feature row: the model's weight for each label, then the base
    /// model's (zero where a model has none).
    weights: Vec<[PerLabel<f32>; 2]>,
    /// The base model's biases, when the model has a base.
    base_bias: Option<PerLabel<f32>>,
    /// The model's weight of each base probability (`builtin:<label>`).
    base_inputs: PerLabel<PerLabel<f32>>,
    /// Per label, the hand weights of the signal kinds the model has no
    /// weight for (see [`LearnedScorer::offsets`]).
    untrained: PerLabel<Vec<(String, f32)>>,
}

/// A key that is already a hash, used as its own hash.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What one post's scoring reuses from the last (per thread).
#[derive(Default)]
struct Scratch {
    /// The distinct word features seen.
    grams: Seen,
    /// Rows of the distinct word features the model weighs.
    known: Vec<usize>,
}

/// A set of 64-bit keys (already hashes) for one post at a time: open
/// addressing with linear probing, each slot stamped with the post it was
/// filled for, so starting the next post clears nothing.
#[derive(Default)]
struct Seen {
    slots: Vec<(u64, u32)>,
    /// The current post's stamp (never 0, the stamp of an empty slot).
    stamp: u32,
    /// Slots in use for this post, minus one (a power of two minus one).
    mask: usize,
    len: usize,
}

impl Seen {
    /// Empties the set for a post of at most `most` keys.
    fn start(&mut self, most: usize) {
        let size = (most * 2).next_power_of_two().max(16);
        if self.slots.len() < size {
            self.slots.resize(size, (0, 0));
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.slots.fill((0, 0));
            self.stamp = 1;
        }
        self.mask = size - 1;
        self.len = 0;
    }

    /// Adds `key`; whether it was new. At most the `most` keys of
    /// [`Seen::start`] may be added, so a free slot is always found.
    fn insert(&mut self, key: u64) -> bool {
        let mut at = key as usize & self.mask;
        loop {
            let slot = &mut self.slots[at];
            if slot.1 != self.stamp {
                *slot = (key, self.stamp);
                self.len += 1;
                return true;
            }
            if slot.0 == key {
                return false;
            }
            at = (at + 1) & self.mask;
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Sums a post's features as [`features::visit`] gives them.
struct Sum<'a> {
    scorer: &'a LearnedScorer,
    scratch: &'a mut Scratch,
    /// The hash of the previous word.
    previous: u64,
    /// The model's log-odds, then the base model's, without words.
    sums: [PerLabel<f32>; 2],
}

impl Sum<'_> {
    /// Counts a word feature once per post, noting its row if weighed.
    fn gram(&mut self, key: u64) {
        if self.scratch.grams.insert(key) && self.scorer.may_weigh(key) {
            if let Some(&row) = self.scorer.grams.get(&key) {
                self.scratch.known.push(row as usize);
            }
        }
    }
}

impl Visitor for Sum<'_> {
    fn feature(&mut self, name: &str, value: f32) {
        let hash = self.scorer.hasher.hash_one(name);
        if let Some((_, row)) = self.scorer.index.find(hash, |(n, _)| **n == *name) {
            let w = &self.scorer.weights[*row as usize];
            for (sum, weights) in self.sums.iter_mut().zip(w) {
                for label in Label::ALL {
                    sum[label] += weights[label] * value;
                }
            }
        }
    }

    fn word(&mut self, word: &str, follows: bool) {
        let hash = word_hash(&self.scorer.hasher, word);
        self.gram(word_key(hash));
        if follows {
            self.gram(pair_key(self.previous, hash));
        }
        self.previous = hash;
    }
}

impl LearnedScorer {
    /// Builds the lookup table of `model` (and of its base model), with
    /// the hand `weights` of the signal kinds it has no weight for.
    pub fn new(model: Model, hand: &Weights) -> LearnedScorer {
        let base = model.base.map(Base::model);
        let hasher = hasher();
        let mut index: HashTable<(Box<str>, u32)> = HashTable::new();
        let mut grams: HashMap<u64, u32, BuildHasherDefault<Identity>> = HashMap::default();
        let mut weights: Vec<[PerLabel<f32>; 2]> = Vec::new();
        let models = [Some(&model), base];
        for (which, m) in models.iter().enumerate() {
            let Some(m) = m else { continue };
            for label in Label::ALL {
                for (name, w) in &m.labels[label].weights {
                    let row = row_of(&mut index, &mut weights, &hasher, name);
                    weights[row as usize][which][label] = *w;
                    for key in gram_keys(&hasher, name) {
                        grams.entry(key).or_insert(row);
                    }
                }
            }
        }
        let untrained = PerLabel::from_fn(|label| {
            let table = if label == Label::UserInnovation { Label::Solution } else { label };
            hand.label(table).map_or_else(Vec::new, |w| {
                w.kinds
                    .iter()
                    .filter(|(kind, _)| !model.labels[label].knows_kind(kind))
                    .map(|(kind, weight)| (kind.clone(), *weight))
                    .collect()
            })
        });
        // An untrained kind's hand weight is its `kind:` feature's weight
        // (the feature's value is the kind's strength), so scoring adds
        // the offsets with the other features.
        for label in Label::ALL {
            for (kind, w) in &untrained[label] {
                let row = row_of(&mut index, &mut weights, &hasher, &format!("kind:{kind}"));
                weights[row as usize][0][label] += *w;
            }
        }
        let base_bias = base.map(|b| PerLabel::from_fn(|l| b.labels[l].bias));
        let base_inputs = PerLabel::from_fn(|label| {
            PerLabel::from_fn(|input| {
                model.labels[label].weights.get(&Base::feature_name(input)).copied().unwrap_or(0.0)
            })
        });
        let mut filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for key in grams.keys() {
            let bit = filter_bit(*key);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        LearnedScorer { model, index, grams, filter, hasher, weights, base_bias, base_inputs, untrained }
    }

    /// Whether the model may weigh the word feature `key` (false: it does
    /// not).
    fn may_weigh(&self, key: u64) -> bool {
        let bit = filter_bit(key);
        self.filter[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// What the model scores of a post, by name (for `explain`): its
    /// features and, when the model starts from a base, the base's
    /// probabilities.
    pub fn inputs(&self, doc: &Document<'_>, own: &[Signal]) -> super::features::Features {
        self.model.inputs(features::features(doc, own))
    }

    /// What the hand weights (`weights.toml`, plugins' configured weights)
    /// add to each label's log-odds for the signal kinds the model has no
    /// weight for: a plugin's or a user pack's kinds, or a kind too rare in
    /// the training posts. So configuring a new kind's weight moves scores
    /// under the learned scorer too. `user_innovation` takes the solution
    /// table's weights.
    pub fn offsets(&self, own: &[Signal]) -> PerLabel<f32> {
        if self.untrained.values().all(Vec::is_empty) {
            return PerLabel::default();
        }
        let strengths = strengths(own);
        PerLabel::from_fn(|label| {
            self.untrained[label]
                .iter()
                .filter_map(|(kind, weight)| strengths.get(kind.as_str()).map(|s| weight * s))
                .sum()
        })
    }

    /// Scores and labels of a post from its document and own signals, the
    /// hand weights of the kinds the model has no weight for included (see
    /// [`LearnedScorer::offsets`]). The same as [`Model::score_with`] on the
    /// post's [`Model::inputs`] and its offsets, up to the order in which
    /// the terms are added.
    pub fn score(&self, doc: &Document<'_>, own: &[Signal]) -> (Scores, Labels) {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            // A word feature and a pair feature per token at most.
            scratch.grams.start(2 * doc.tokens.len());
            scratch.known.clear();
            let mut sum = Sum { scorer: self, scratch: &mut scratch, previous: 0, sums: Default::default() };
            features::visit(doc, own, &mut sum);
            let Sum { sums: [mut own_sum, mut base_sum], .. } = sum;
            if scratch.grams.len > 0 {
                let value = gram_value(scratch.grams.len);
                for &row in &scratch.known {
                    let w = &self.weights[row];
                    for label in Label::ALL {
                        own_sum[label] += w[0][label] * value;
                        base_sum[label] += w[1][label] * value;
                    }
                }
            }
            if let Some(bias) = &self.base_bias {
                for input in Label::ALL {
                    let p = round3(sigmoid(bias[input] + base_sum[input]));
                    for label in Label::ALL {
                        own_sum[label] += self.base_inputs[label][input] * p;
                    }
                }
            }
            self.model.decide(PerLabel::from_fn(|l| self.model.labels[l].bias + own_sum[l]))
        })
    }
}

/// The row of the feature `name` in a scorer's `weights` (found by
/// `index`), added with zero weights when it has none yet.
fn row_of(
    index: &mut HashTable<(Box<str>, u32)>,
    weights: &mut Vec<[PerLabel<f32>; 2]>,
    hasher: &ahash::RandomState,
    name: &str,
) -> u32 {
    let entry = index.entry(hasher.hash_one(name), |(n, _)| **n == *name, |(n, _)| hasher.hash_one(&**n));
    entry
        .or_insert_with(|| {
            weights.push(Default::default());
            (name.into(), (weights.len() - 1) as u32)
        })
        .get()
        .1
}

/// The keys a word or word-pair feature's name is found by: one for
/// `w:{word}`; for `w2:{first}_{second}`, one per `_` it could be split at
/// (words may hold `_`; every split names the same feature).
fn gram_keys(hasher: &ahash::RandomState, name: &str) -> Vec<u64> {
    if let Some(word) = name.strip_prefix("w:") {
        return vec![word_key(word_hash(hasher, word))];
    }
    let Some(pair) = name.strip_prefix("w2:") else { return Vec::new() };
    pair.match_indices('_')
        .map(|(at, _)| pair_key(word_hash(hasher, &pair[..at]), word_hash(hasher, &pair[at + 1..])))
        .collect()
}

/// A key's bit in the filter: its top bits (the set's slots use the low
/// ones).
fn filter_bit(key: u64) -> usize {
    (key >> (64 - FILTER_BITS)) as usize
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostKind, Source};
    use std::sync::Arc;

    /// The table gives the scores of the map of named features, for the
    /// built-in model and for one that starts from it.
    #[test]
    fn scores_match_the_named_features() {
        let mut p = Post::new(Source::HackerNews, "1", PostKind::Story);
        p.title = Some("Show HN: A jig I made for my saw".into());
        p.body = "I made a jig for my saw because nothing on the market fit. \
                  It is on github.com/x/jig. Does anyone sell one? I wish they did."
            .into();
        let doc = Document::new(&p);
        let at = doc.text.find("made").expect("in the text");
        let signal = |kind: &str, w: f32| Signal {
            kind: kind.into(),
            analyzer: Arc::from("rules"),
            rule: format!("{kind}.test").into(),
            start: at,
            end: at + 4,
            weight: w,
        };
        // `uses_existing` is too rare in the labels for the built-in model
        // to weigh: its hand weight moves the scores.
        let own = [signal("solution", 0.7), signal("need", 0.4), signal("uses_existing", 0.6)];
        let mut based = Model::builtin();
        based.base = Some(Base::Builtin);
        for model in [Model::builtin(), based] {
            let inputs = model.inputs(features::features(&doc, &own));
            for prefix in ["w:", "w2:"] {
                let weighed = |l: Label| model.labels[l].weights.keys().any(|k| k.starts_with(prefix) && inputs.contains_key(k));
                assert!(Label::ALL.into_iter().any(weighed), "the post has {prefix} features the model weighs");
            }
            let scorer = LearnedScorer::new(model.clone(), &Weights::builtin());
            let offsets = scorer.offsets(&own);
            assert!(Label::ALL.into_iter().any(|l| offsets[l] != 0.0), "an untrained kind: {offsets:?}");
            let expected = model.score_with(&inputs, &offsets);
            let (scores, labels) = scorer.score(&doc, &own);
            for label in Label::ALL {
                assert!((scores[label] - expected.0[label]).abs() <= 0.001, "{label}: {scores:?} {expected:?}");
            }
            assert_eq!(labels, expected.1);
        }
    }
}
