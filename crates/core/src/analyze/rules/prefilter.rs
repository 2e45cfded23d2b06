//! The cheap first pass: one Aho-Corasick scan of a post's raw bytes finds
//! which trigger words occur; a post is analyzed only if, for some rule
//! pattern that can apply to it, every required word of the pattern occurs
//! (in any inflection). A post without a hit costs that one scan and
//! nothing more; a long post's scan stops once a pattern is satisfied.
//!
//! A pattern word's triggers are the start of its stem, which begins every
//! inflection (with the few exceptions of the stemmer covered too), and
//! its irregular forms and short forms as whole words; they count only
//! where a word starts (after a byte that is not an ASCII letter or digit),
//! or as whole words. A regex rule's `prefilter` words count anywhere.

use crate::analyze::normalize::{irregular_forms, normalize};
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{dfa, nfa::contiguous, AhoCorasick, AhoCorasickBuilder, Anchored, MatchKind};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What one rule pattern needs in a post's raw text: each inner list is
/// one required element, satisfied when any of its triggers occurs.
pub type Requirement = Vec<Vec<Trigger>>;

/// One rule pattern as the prefilter sees it.
#[derive(Debug, Clone)]
pub struct Need {
    /// Its required elements; `None` for a pattern without any (a regular
    /// expression with no prefilter words): every post it applies to is a
    /// candidate.
    pub requirement: Option<Requirement>,
    /// The check that confirms it once its triggers occur (see
    /// [`Prefilter::new`]); `None` when they are enough.
    pub check: Option<usize>,
    /// Its owner (the rule), which [`Prefilter::is_candidate`] hands to its
    /// `applies` callback: a pattern whose owner cannot apply to the post
    /// (a title rule on a post without a title) admits nothing.
    pub owner: usize,
}

/// A [`Need`] with a requirement, compiled to trigger ids.
#[derive(Debug)]
struct Pattern {
    /// Per required element, the trigger ids that satisfy it.
    elements: Vec<Vec<u32>>,
    /// The need's check.
    check: Option<usize>,
    /// The need's owner.
    owner: usize,
}

/// A piece of raw text whose presence a pattern needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trigger {
    /// The text, lower case (matched ASCII case-insensitively).
    text: String,
    /// How it must sit in the text.
    fit: Fit,
}

impl Trigger {
    /// A substring that counts anywhere.
    pub fn substring(text: &str) -> Trigger {
        Trigger { text: text.to_lowercase(), fit: Fit::Substring }
    }

    /// Its pattern on folded text (see [`word_pattern`]).
    pub(crate) fn word_pattern(&self) -> Option<String> {
        word_pattern(&self.text, self.fit)
    }
}

/// The pattern that finds a word trigger on folded text (see
/// [`Prefilter`]): `" stem"` for a word start, `" word "` for a whole
/// word; `None` for a substring, or for text with other characters than
/// ASCII lower-case letters and digits, which folding would change.
fn word_pattern(text: &str, fit: Fit) -> Option<String> {
    let foldable = !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    match fit {
        Fit::WordStart if foldable => Some(format!(" {text}")),
        Fit::Word if foldable => Some(format!(" {text} ")),
        _ => None,
    }
}

/// How a trigger must sit in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    /// Anywhere.
    Substring,
    /// At the start of a word.
    WordStart,
    /// As a whole word.
    Word,
}

/// The triggers of a pattern word (or of a normalized form): one of them
/// occurs in every text that has a token normalizing like the word, or
/// normalizing to the word itself (patterns hold normalized forms, and
/// normalizing is not always idempotent: "thoughtful" -> "thought" ->
/// "think").
pub fn word_triggers(word: &str) -> Vec<Trigger> {
    let lower = word.to_lowercase();
    let normalized = normalize(&lower);
    let forms = if normalized == lower { vec![lower.clone()] } else { vec![normalized, lower.clone()] };
    let mut out = vec![Trigger { text: lower, fit: Fit::Word }];
    for form in &forms {
        // Irregular forms count as their base form ("built" for "build").
        out.extend(irregular_forms(form).map(|w| Trigger { text: w.to_string(), fit: Fit::Word }));
        if form.chars().count() < 2 {
            // No longer word stems to a single letter.
            out.push(Trigger { text: form.clone(), fit: Fit::Word });
            continue;
        }
        // Stems are prefixes of their inflections except for one final
        // i/e/y ("appli" <- applying, "creat" <- create, "use" <- using),
        // short words' too: a word of three letters or less is its own
        // stem, and longer ones may stem to it ("ad" <- added, "go" <-
        // going).
        let prefix = form.strip_suffix(['i', 'e', 'y']).filter(|p| p.chars().count() >= 2).unwrap_or(form);
        out.push(Trigger { text: prefix.to_string(), fit: Fit::WordStart });
        // Two stemmer rules break that. "-bility" stems to "-bl"
        // ("possibility" -> "possibl", the stem of "possible") ...
        if let Some(head) = prefix.strip_suffix("bl") {
            out.push(Trigger { text: format!("{head}bil"), fit: Fit::WordStart });
        }
        // ... and three words are exceptions ("dying" -> "die").
        let exceptions = STEM_EXCEPTIONS.iter().filter(|(_, stem)| stem == form);
        out.extend(exceptions.map(|(word, _)| Trigger { text: word.to_string(), fit: Fit::Word }));
    }
    // A trigger that starts with another word-start trigger adds nothing:
    // wherever it stands, a word starts with the other.
    let starts: Vec<String> = out.iter().filter(|t| t.fit == Fit::WordStart).map(|t| t.text.clone()).collect();
    let covered = |t: &Trigger| starts.iter().any(|s| t.text.starts_with(s.as_str()) && (t.fit == Fit::Word || t.text != *s));
    out.retain(|t| !covered(t));
    out.sort();
    out.dedup();
    out
}

/// The words the English stemmer does not stem to a prefix of the word
/// (less a final i, e or y), with their stems.
const STEM_EXCEPTIONS: [(&str, &str); 3] = [("dying", "die"), ("lying", "lie"), ("tying", "tie")];

/// The compiled prefilter of a rule engine.
///
/// Word triggers are searched in a folded copy of the text: lower-case
/// ASCII letters and digits, every other byte a space, a space before and
/// after. A word-start trigger is searched as `" stem"` and a whole-word one
/// as `" word "`, so the automaton only reports hits where words start.
/// Substring triggers (and any trigger with other characters) are searched
/// folded in the folded text, anywhere; those without a letter or digit
/// (`$`) in the raw text.
#[derive(Debug)]
pub struct Prefilter {
    /// Word triggers, and substring triggers folded, on the folded text.
    words: Option<WordScanner>,
    /// The length of the longest pattern of `words`, in bytes.
    longest_word: usize,
    /// The trigger id of each pattern of `words`.
    word_ids: Vec<u32>,
    /// Triggers without letters or digits, on the raw text. They are rare
    /// bytes: the automaton's own prefilter skips to them.
    substrings: Option<AhoCorasick>,
    /// The trigger id of each pattern of `substrings`.
    substring_ids: Vec<u32>,
    /// The patterns with requirements.
    patterns: Vec<Pattern>,
    /// Per trigger id (one entry per trigger), the patterns whose key
    /// element it satisfies: only those are checked when it occurs. A
    /// pattern's key element is the one with the longest shortest trigger
    /// (longer triggers are rarer).
    keyed: Vec<Vec<u32>>,
    /// The owners of patterns without a requirement: every post one of
    /// them applies to is a candidate.
    always: Vec<usize>,
    /// An automaton could not be built: every post is a candidate.
    everything: bool,
}

impl Prefilter {
    /// Builds the prefilter from what each pattern needs.
    ///
    /// A check is a number that [`Prefilter::is_candidate`] hands to its
    /// `check` callback when that pattern's triggers occur and no unchecked
    /// pattern's do. A regular expression's check is to run it: its
    /// prefilter words are only a hint that it might match.
    pub fn new(needs: &[Need]) -> Prefilter {
        let mut ids: BTreeMap<(String, Fit), u32> = BTreeMap::new();
        let mut always = Vec::new();
        let mut patterns = Vec::new();
        for need in needs {
            let Some(req) = need.requirement.as_ref().filter(|r| !r.is_empty() && !r.iter().any(Vec::is_empty)) else {
                always.push(need.owner);
                continue;
            };
            let mut elements = Vec::new();
            for element in req {
                let mut set: Vec<u32> = element
                    .iter()
                    .map(|t| {
                        let next = ids.len() as u32;
                        *ids.entry((t.text.clone(), t.fit)).or_insert(next)
                    })
                    .collect();
                set.sort_unstable();
                set.dedup();
                elements.push(set);
            }
            patterns.push(Pattern { elements, check: need.check, owner: need.owner });
        }
        always.sort_unstable();
        always.dedup();
        let mut triggers: Vec<(u32, String, Fit)> = ids.into_iter().map(|((w, f), i)| (i, w, f)).collect();
        triggers.sort();
        let (mut word_patterns, mut word_ids, mut substring_patterns, mut substring_ids) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (id, text, fit) in &triggers {
            match word_pattern(text, *fit) {
                Some(pattern) => {
                    word_patterns.push(pattern);
                    word_ids.push(*id);
                }
                // Anything else counts wherever it occurs (never less than
                // the word rules would admit): where the text has it, the
                // folded text has its folded form. A trigger without letters
                // or digits ("$") would fold to spaces only: it is searched
                // in the raw text.
                None => {
                    let folded: String = text.bytes().map(|b| char::from(FOLD[usize::from(b)])).collect();
                    if folded.bytes().any(|b| b != b' ') {
                        word_patterns.push(folded);
                        word_ids.push(*id);
                    } else {
                        substring_patterns.push(text.clone());
                        substring_ids.push(*id);
                    }
                }
            }
        }
        let words = WordScanner::new(&word_patterns, false);
        let substrings = (!substring_patterns.is_empty())
            .then(|| AhoCorasickBuilder::new().ascii_case_insensitive(true).build(&substring_patterns).ok())
            .flatten();
        // An automaton too large to build: analyze everything.
        let everything =
            (words.is_none() && !word_patterns.is_empty()) || (substrings.is_none() && !substring_patterns.is_empty());
        let lengths: Vec<usize> = triggers.iter().map(|(_, w, _)| w.len()).collect();
        let mut keyed = vec![Vec::new(); triggers.len()];
        for (index, pattern) in patterns.iter().enumerate() {
            let rarity = |set: &Vec<u32>| set.iter().map(|&id| lengths[id as usize]).min().unwrap_or(0);
            if let Some(key) = pattern.elements.iter().max_by_key(|set| rarity(set)) {
                for &id in key {
                    keyed[id as usize].push(index as u32);
                }
            }
        }
        let longest_word = word_patterns.iter().map(String::len).max().unwrap_or(0);
        Prefilter { words, longest_word, word_ids, substrings, substring_ids, patterns, keyed, always, everything }
    }

    /// Whether a post with these texts can match any pattern whose owner
    /// `applies` to it. When only patterns with checks can, it is a
    /// candidate if `check` confirms one of their checks (each asked once).
    pub fn is_candidate(&self, texts: &[&str], applies: impl Fn(usize) -> bool, check: impl FnMut(usize) -> bool) -> bool {
        if self.everything || self.always.iter().any(|&owner| applies(owner)) {
            return true;
        }
        thread_local! {
            /// Which trigger ids occurred (all bits clear between calls),
            /// and the list of them.
            static SCRATCH: RefCell<(Vec<u64>, Vec<u32>)> = RefCell::default();
        }
        let to_check = SCRATCH.with(|scratch| {
            let (seen, found) = &mut *scratch.borrow_mut();
            if seen.len() < self.keyed.len().div_ceil(64) {
                seen.resize(self.keyed.len().div_ceil(64), 0);
            }
            found.clear();
            let to_check = self.judge(texts, &applies, seen, found);
            for &id in found.iter() {
                seen[id as usize / 64] = 0;
            }
            to_check
        });
        // Checks run outside the scratch: they may use a prefilter too.
        match to_check {
            None => true,
            Some(checks) => checks.into_iter().any(check),
        }
    }

    /// [`Prefilter::is_candidate`] with its scratch (`seen` with all bits
    /// clear, `found` empty; the ids of the triggers that occur are noted
    /// in both): `None` when an unchecked pattern's triggers occur, else
    /// the checks of the patterns whose triggers do, each once.
    fn judge(
        &self,
        texts: &[&str],
        applies: &impl Fn(usize) -> bool,
        seen: &mut [u64],
        found: &mut Vec<u32>,
    ) -> Option<Vec<usize>> {
        let mut tally = Tally { prefilter: self, applies, seen, found };
        if let Some(substrings) = &self.substrings {
            for text in texts {
                for m in substrings.find_overlapping_iter(*text) {
                    tally.note(self.substring_ids[m.pattern().as_usize()]);
                }
            }
        }
        if let Some(words) = &self.words {
            words.scan_folded(texts, self.longest_word, &mut tally);
        }
        let mut to_check: Vec<usize> = Vec::new();
        for pattern in tally.satisfied() {
            match pattern.check {
                None => return None,
                Some(c) => to_check.push(c),
            }
        }
        to_check.sort_unstable();
        to_check.dedup();
        Some(to_check)
    }
}

/// The triggers found in a post so far, for one [`Prefilter::judge`].
struct Tally<'a, F> {
    prefilter: &'a Prefilter,
    applies: &'a F,
    /// Which trigger ids occurred.
    seen: &'a mut [u64],
    /// The ids of `seen`, in the order found.
    found: &'a mut Vec<u32>,
}

impl<F: Fn(usize) -> bool> Tally<'_, F> {
    /// Notes that a trigger occurs.
    fn note(&mut self, id: u32) {
        let (word, bit) = (id as usize / 64, 1 << (id % 64));
        if self.seen[word] & bit == 0 {
            self.seen[word] |= bit;
            self.found.push(id);
        }
    }

    /// The patterns whose owner applies and every element of which is
    /// satisfied by a trigger found (some of them more than once).
    fn satisfied(&self) -> impl Iterator<Item = &Pattern> + '_ {
        let has = |id: u32| self.seen[id as usize / 64] & (1 << (id % 64)) != 0;
        let patterns = &self.prefilter.patterns;
        let keyed = self.found.iter().flat_map(|&id| self.prefilter.keyed[id as usize].iter());
        keyed.map(|&p| &patterns[p as usize]).filter(move |pattern| {
            pattern.elements.iter().all(|set| set.iter().any(|&id| has(id))) && (self.applies)(pattern.owner)
        })
    }
}

impl<F: Fn(usize) -> bool> Hits for Tally<'_, F> {
    fn hit(&mut self, pattern: usize) {
        self.note(self.prefilter.word_ids[pattern]);
    }

    /// Settled when an unchecked pattern is satisfied: the post is a
    /// candidate whatever else the text holds.
    fn settled(&mut self) -> bool {
        self.satisfied().any(|pattern| pattern.check.is_none())
    }
}

/// What a walk over folded texts reports to.
trait Hits {
    /// A pattern of the automaton occurs.
    fn hit(&mut self, pattern: usize);
    /// Asked at checkpoints of long texts: whether the walk can stop
    /// there, the answer being known.
    fn settled(&mut self) -> bool;
}

/// The folding of a byte: ASCII letters lower case, digits kept, every
/// other byte a space.
const FOLD: [u8; 256] = {
    let mut table = [b' '; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// An Aho-Corasick automaton walked byte by byte, reporting every match
/// (overlapping ones too) at the position it ends. A DFA where one can be
/// built, else the contiguous NFA: both walk a byte in a few instructions,
/// with no per-match iterator state.
#[derive(Debug)]
pub(crate) enum WordScanner {
    Dfa(dfa::DFA),
    Nfa(contiguous::NFA),
}

impl WordScanner {
    /// `None` when there are no patterns or the automaton cannot be built.
    pub(crate) fn new(patterns: &[String], fold_case: bool) -> Option<WordScanner> {
        if patterns.is_empty() {
            return None;
        }
        let dfa = dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(fold_case)
            .prefilter(false)
            .build(patterns);
        match dfa {
            Ok(dfa) => Some(WordScanner::Dfa(dfa)),
            Err(_) => contiguous::NFA::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(fold_case)
                .prefilter(false)
                .build(patterns)
                .ok()
                .map(WordScanner::Nfa),
        }
    }

    /// Calls `hit` with the index of every pattern that occurs in `text`.
    pub(crate) fn scan(&self, text: &str, hit: impl FnMut(usize)) {
        match self {
            WordScanner::Dfa(a) => walk(a, text, hit),
            WordScanner::Nfa(a) => walk(a, text, hit),
        }
    }

    /// Whether a pattern occurs in the folded text of one word (a space,
    /// the word folded ([`FOLD`]), a space); also when the automaton
    /// cannot be walked, so a caller that skips work on `false` skips
    /// nothing it needs.
    pub(crate) fn occurs_in_word(&self, word: &str) -> bool {
        match self {
            WordScanner::Dfa(a) => occurs_in_word(a, word),
            WordScanner::Nfa(a) => occurs_in_word(a, word),
        }
    }

    /// [`WordScanner::scan`] over the folded text of each of `texts`: a
    /// space, the text folded ([`FOLD`]), a space — without copying it.
    /// `longest` is the length of the longest pattern. Hits may repeat;
    /// the walk ends early when `hits` is settled at a checkpoint.
    fn scan_folded(&self, texts: &[&str], longest: usize, hits: &mut impl Hits) {
        match self {
            WordScanner::Dfa(a) => walk_folded(a, texts, longest, hits),
            WordScanner::Nfa(a) => walk_folded(a, texts, longest, hits),
        }
    }
}

/// Walks the automaton over `text`.
fn walk(a: &impl Automaton, text: &str, mut hit: impl FnMut(usize)) {
    let Ok(mut sid) = a.start_state(Anchored::No) else { return };
    for &b in text.as_bytes() {
        step(a, &mut sid, b, &mut hit);
    }
}

/// Whether a pattern occurs in the folded text of one word (see
/// [`WordScanner::occurs_in_word`]).
fn occurs_in_word(a: &impl Automaton, word: &str) -> bool {
    let Ok(mut sid) = a.start_state(Anchored::No) else { return true };
    let mut found = false;
    let mut hit = |_| found = true;
    step(a, &mut sid, b' ', &mut hit);
    for b in word.bytes() {
        step(a, &mut sid, FOLD[usize::from(b)], &mut hit);
    }
    step(a, &mut sid, b' ', &mut hit);
    found
}

/// Walks the automaton over the folded text of each of `texts` (a space,
/// the text folded, a space) and reports matches, some of them twice.
///
/// A long text is walked in pieces, the first [`FIRST_CHECKPOINT`] bytes
/// long and each next one twice as long as the one before; after each
/// piece the walk stops if `hits` is settled. Most long posts are
/// candidates, and their first sentences show it: they are not walked to
/// the end.
fn walk_folded(a: &impl Automaton, texts: &[&str], longest: usize, hits: &mut impl Hits) {
    let Ok(start) = a.start_state(Anchored::No) else { return };
    for text in texts {
        let bytes = text.as_bytes();
        let mut sid = start;
        step(a, &mut sid, b' ', &mut |p| hits.hit(p));
        let (mut done, mut piece) = (0, FIRST_CHECKPOINT);
        while bytes.len() - done > piece {
            walk_piece(a, &mut sid, &bytes[done..done + piece], longest, &mut |p| hits.hit(p));
            done += piece;
            piece *= 2;
            if hits.settled() {
                return;
            }
        }
        walk_piece(a, &mut sid, &bytes[done..], longest, &mut |p| hits.hit(p));
        step(a, &mut sid, b' ', &mut |p| hits.hit(p));
    }
}

/// Walks the automaton over `bytes` folded, from state `sid`, leaving
/// there the state at their end.
///
/// A transition waits on the load of the one before, and the automaton
/// of a rule set is larger than the first-level cache: one walk spends
/// much of its time waiting on memory. So a long piece is walked as two
/// halves at once, whose loads overlap (the prefilter ran about 10% faster
/// on the benchmark). The second half starts `longest - 1` bytes before
/// the first ends, from the start state, so a match that ends after the
/// first half's end starts inside the second walk, and the state the
/// second walk ends in is the one a single walk would end in.
fn walk_piece(a: &impl Automaton, sid: &mut StateID, bytes: &[u8], longest: usize, hit: &mut impl FnMut(usize)) {
    let fold = |b: &u8| FOLD[usize::from(*b)];
    let mid = bytes.len() / 2;
    if mid < SPLIT_MIN.max(2 * longest) {
        for b in bytes {
            step(a, sid, fold(b), hit);
        }
        return;
    }
    let Ok(mut y) = a.start_state(Anchored::No) else { return };
    let (first, second) = (&bytes[..mid], &bytes[mid + 1 - longest..]);
    for (b, c) in first.iter().zip(second) {
        step(a, sid, fold(b), hit);
        step(a, &mut y, fold(c), hit);
    }
    for c in &second[first.len()..] {
        step(a, &mut y, fold(c), hit);
    }
    *sid = y;
}

/// Pieces shorter than this are walked as one.
const SPLIT_MIN: usize = 64;

/// The length of the first piece of a long text, after which the walk
/// may stop (see [`walk_folded`]).
const FIRST_CHECKPOINT: usize = 128;

/// One transition; reports the patterns that end at the new state.
#[inline(always)]
fn step(a: &impl Automaton, sid: &mut StateID, byte: u8, hit: &mut impl FnMut(usize)) {
    *sid = a.next_state(Anchored::No, *sid, byte);
    if a.is_special(*sid) && a.is_match(*sid) {
        for i in 0..a.match_len(*sid) {
            hit(a.match_pattern(*sid, i).as_usize());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unchecked pattern needing these words (each inner list one
    /// element).
    fn req(elements: &[&[&str]]) -> Need {
        let requirement = elements.iter().map(|e| e.iter().flat_map(|w| word_triggers(w)).collect()).collect();
        Need { requirement: Some(requirement), check: None, owner: 0 }
    }

    /// An unchecked pattern needing one of these substrings.
    fn substrings(texts: &[&str]) -> Need {
        Need { requirement: Some(vec![texts.iter().map(|t| Trigger::substring(t)).collect()]), check: None, owner: 0 }
    }

    impl Prefilter {
        /// [`Prefilter::is_candidate`] where every pattern applies.
        fn admits(&self, texts: &[&str], check: impl FnMut(usize) -> bool) -> bool {
            self.is_candidate(texts, |_| true, check)
        }
    }

    #[test]
    fn triggers_cover_inflections() {
        for (word, forms) in [
            ("build", &["build", "builds", "building", "built", "Built"][..]),
            ("apply", &["apply", "applying", "applied"]),
            ("use", &["use", "using", "used", "uses"]),
            ("not", &["not", "don't", "can’t"]),
            ("api", &["API", "APIs"]),
            // Stems that do not start every inflection.
            ("possible", &["possibly", "possibility"]),
            ("reliable", &["reliability"]),
            ("tie", &["tied", "tying", "zip-tying"]),
            ("lie", &["lying"]),
            // Stems the normalizer mends (see `normalize`).
            ("glue", &["glued", "gluing", "glues"]),
            ("dye", &["dyed", "dyeing"]),
            ("toe", &["toed", "toeing"]),
            ("dry", &["dried", "drying", "dries"]),
            ("staff", &["staffed", "staffing"]),
            ("add", &["added", "adding"]),
            ("panic", &["panicked"]),
            ("free", &["freed"]),
            ("shelf", &["shelves"]),
            ("foot", &["feet"]),
            // Irregular forms of the stem, and longer words that stem to
            // short ones.
            ("building", &["built"]),
            ("go", &["going", "went"]),
            ("ad", &["added"]),
            ("is", &["being", "were"]),
            // Normalized forms that normalize further: patterns hold
            // "thought" for "thoughtful", which normalizes to "think".
            ("thought", &["thoughtful", "thinking"]),
        ] {
            let p = Prefilter::new(&[req(&[&[word]])]);
            for f in forms {
                assert!(p.admits(&[&format!("so, {f}.")], |_| true), "{word}: {f} not covered by {:?}", word_triggers(word));
            }
        }
    }

    #[test]
    fn whole_words_covered_by_a_word_start_are_dropped() {
        let texts = |word: &str| -> Vec<String> {
            let mut t: Vec<String> = word_triggers(word).into_iter().map(|t| format!("{:?} {}", t.fit, t.text)).collect();
            t.sort();
            t
        };
        // "building" starts with the stem "build": only the stem is kept;
        // "built" does not start with it: it stays a whole word.
        assert_eq!(texts("build"), ["Word built", "WordStart build"]);
        assert_eq!(texts("building"), ["Word built", "WordStart build"]);
        // Words too short to stem are their own stems, and longer words
        // stem to them ("ad" <- added); only single letters are whole.
        assert_eq!(texts("ad"), ["WordStart ad"]);
        assert_eq!(texts("a"), ["Word a"]);
    }

    #[test]
    fn all_required_elements_must_occur() {
        let p = Prefilter::new(&[req(&[&["there"], &["tool"]]), req(&[&["built", "build"], &["jig"]])]);
        assert!(p.admits(&["Is there a tool to do it?"], |_| true));
        assert!(!p.admits(&["Is there a bus today?"], |_| true));
        assert!(p.admits(&["We BUILT a", "small jig"], |_| true));
        assert!(!p.admits(&["We built a shed"], |_| true));
    }

    #[test]
    fn word_triggers_start_words_and_single_letters_are_whole() {
        let p = Prefilter::new(&[req(&[&["create"], &["go"]])]);
        assert!(p.admits(&["Go on: I created it"], |_| true));
        assert!(p.admits(&["(creating) [going]"], |_| true));
        assert!(!p.admits(&["recreated for ego"], |_| true), "inside words");
        assert!(!p.admits(&["procreate go"], |_| true));
        let p = Prefilter::new(&[req(&[&["a"], &["jig"]])]);
        assert!(p.admits(&["a jig"], |_| true));
        assert!(!p.admits(&["an jig"], |_| true));
        let p = Prefilter::new(&[req(&[&["not"], &["jig"]])]);
        assert!(p.admits(&["I don't have a jig"], |_| true));
        assert!(p.admits(&["I don’t have a jig"], |_| true));
        assert!(!p.admits(&["I do have a jig"], |_| true));
        assert!(!p.admits(&["tin jig"], |_| true));
    }

    #[test]
    fn regex_prefilter_words_are_substrings() {
        let p = Prefilter::new(&[substrings(&["$"])]);
        assert!(p.admits(&["costs US$40"], |_| true));
        assert!(!p.admits(&["costs 40 dollars"], |_| true));
        let p = Prefilter::new(&[substrings(&["git.", "I’m"])]);
        assert!(p.admits(&["see GIT.sr.ht/x"], |_| true));
        assert!(p.admits(&["so i’m done"], |_| true));
        assert!(p.admits(&["digit.s"], |_| true), "anywhere, inside words too");
        assert!(!p.admits(&["a gitlab page, I am"], |_| true));
    }

    #[test]
    fn checked_patterns_are_confirmed_once() {
        let p = Prefilter::new(&[Need { check: Some(7), ..req(&[&["made"]]) }, req(&[&["tool"]])]);
        let mut asked = Vec::new();
        assert!(!p.admits(&["we made it, made it"], |c| {
            asked.push(c);
            false
        }));
        assert_eq!(asked, [7]);
        assert!(p.admits(&["we made it"], |c| c == 7));
        assert!(p.admits(&["we made a tool"], |_| unreachable!("an unchecked pattern admits it")));
        assert!(!p.admits(&["nothing here"], |_| unreachable!("no triggers")));
    }

    #[test]
    fn long_texts_walked_in_halves_miss_nothing() {
        // A trigger at every position of texts long enough to be split,
        // the split point included; nothing where there is none. The
        // substring is the longest pattern: it fits the halves' overlap
        // exactly.
        let p = Prefilter::new(&[
            req(&[&["jig"], &["workbench"]]),
            substrings(&["sr.ht/~user/jigs"]),
        ]);
        for len in [200, 201, 333, 1001] {
            let filler: String = "x ".repeat(len / 2);
            assert!(!p.admits(&[&filler], |_| true));
            for at in 0..filler.len() - 1 {
                for (needle, needs) in [("workbench", Some("jig")), ("sr.ht/~user/jigs", None)] {
                    let mut text = filler.clone();
                    text.replace_range(at..at + 1, &format!(" {needle} "));
                    let texts = match needs {
                        Some(other) => vec![text.as_str(), other],
                        None => vec![text.as_str()],
                    };
                    assert!(p.admits(&texts, |_| true), "{needle} at {at} of {len}");
                }
                let mut text = filler.clone();
                text.replace_range(at..at + 1, "workbenc");
                assert!(!p.admits(&[&text, "jig"], |_| true), "a prefix is not the word, at {at}");
            }
        }
    }

    /// Counts hits; settled once `after` hits were seen.
    struct Counter {
        hits: usize,
        checkpoints: usize,
        after: usize,
    }

    impl Hits for Counter {
        fn hit(&mut self, _pattern: usize) {
            self.hits += 1;
        }
        fn settled(&mut self) -> bool {
            self.checkpoints += 1;
            self.hits >= self.after
        }
    }

    #[test]
    fn long_texts_are_checked_in_growing_pieces_and_walks_stop_once_settled() {
        let pattern = " ab ".to_string();
        let longest = pattern.len();
        let scanner = WordScanner::new(&[pattern], false).expect("an automaton");
        // "ab" every 4 bytes of 2,000: the pieces are 128, 256, 512 and
        // 1,024 bytes long, then the last 80.
        let text = "ab, ".repeat(500);
        let walk = |after: usize| {
            let mut counter = Counter { hits: 0, checkpoints: 0, after };
            scanner.scan_folded(&[&text], longest, &mut counter);
            (counter.hits, counter.checkpoints)
        };
        assert_eq!(walk(usize::MAX), (500, 4), "the whole text, checked after each of 4 pieces");
        assert_eq!(walk(1), (32, 1), "the first piece only");
        assert_eq!(walk(33), (96, 2), "two pieces");
        // Texts no longer than a piece are not checked.
        let mut counter = Counter { hits: 0, checkpoints: 0, after: 0 };
        scanner.scan_folded(&[&text[..FIRST_CHECKPOINT]], longest, &mut counter);
        assert_eq!((counter.hits, counter.checkpoints), (32, 0));
    }

    #[test]
    fn triggers_do_not_span_texts() {
        let p = Prefilter::new(&[substrings(&["i'm"])]);
        assert!(p.admits(&["so I'm done"], |_| true));
        assert!(!p.admits(&["Pi", "m"], |_| true));
    }

    #[test]
    fn a_pattern_without_requirements_admits_every_post_its_owner_applies_to() {
        let p = Prefilter::new(&[req(&[&["x"]]), Need { requirement: None, check: None, owner: 1 }]);
        assert!(p.admits(&["anything"], |_| true));
        // Unless its owner does not apply to the post.
        assert!(!p.is_candidate(&["anything"], |owner| owner != 1, |_| true));
        assert!(p.is_candidate(&["x"], |owner| owner != 1, |_| true));
    }

    #[test]
    fn patterns_whose_owner_does_not_apply_admit_nothing() {
        let p = Prefilter::new(&[
            Need { owner: 1, ..req(&[&["release"]]) },
            Need { owner: 2, ..req(&[&["jig"]]) },
            Need { owner: 3, check: Some(9), ..req(&[&["tool"]]) },
        ]);
        let only = |owners: &'static [usize]| move |owner: usize| owners.contains(&owner);
        assert!(p.is_candidate(&["Released it"], only(&[1, 2]), |_| true));
        assert!(!p.is_candidate(&["Released it"], only(&[2]), |_| true));
        assert!(p.is_candidate(&["Released a jig"], only(&[2]), |_| true));
        assert!(!p.is_candidate(&["a tool"], only(&[1, 2]), |_| unreachable!("its owner does not apply")));
        assert!(p.is_candidate(&["a tool"], only(&[3]), |c| c == 9));
    }
}
