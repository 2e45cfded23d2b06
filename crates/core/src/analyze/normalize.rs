//! Normalized word forms for matching: lower case, irregular verbs mapped to
//! their base form, then the Snowball English stemmer, so that a pattern
//! word matches every inflection ("build" matches builds, building, built).
//!
//! The stemmer alone does not give a base form and its inflections one
//! stem in a few classes of words, which [`normalize`] mends (the tests
//! check each class):
//!
//! - a final `-ue`, `-oe` or `-ye` that the stemmer keeps on the base form
//!   but not on `-ed`/`-ing` forms: glue/glued/gluing, sue/suing,
//!   queue/queued, toe/toed, dye/dyed (the `e` is put back);
//! - words of three letters, which are not stemmed, ending in a consonant
//!   and `y`: dry/dried, try/tried, fly/flies (stemmed like longer words);
//! - a final `ff` that the stemmer halves on inflected forms only:
//!   staff/staffed, stuff/stuffing (halved on every form);
//! - forms listed in `IRREGULAR`: irregular verbs, doubled consonants of
//!   three-letter words (added, erred), `-ic` verbs (panicked), short `-ee`
//!   verbs (freed) and irregular plurals (shelves, feet).

use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::sync::OnceLock;

/// Irregular forms whose stem is not their base form's stem.
const IRREGULAR: &[(&str, &str)] = &[
    ("built", "build"),
    ("made", "make"),
    ("wrote", "write"),
    ("written", "write"),
    ("did", "do"),
    ("done", "do"),
    ("got", "get"),
    ("gotten", "get"),
    ("put", "put"),
    ("sewn", "sew"),
    ("sewed", "sew"),
    ("found", "find"),
    ("bought", "buy"),
    ("sold", "sell"),
    ("taught", "teach"),
    ("thought", "think"),
    ("brought", "bring"),
    ("came", "come"),
    ("began", "begin"),
    ("begun", "begin"),
    ("gave", "give"),
    ("given", "give"),
    ("took", "take"),
    ("taken", "take"),
    ("knew", "know"),
    ("known", "know"),
    ("drew", "draw"),
    ("drawn", "draw"),
    ("ran", "run"),
    ("spent", "spend"),
    ("sent", "send"),
    ("kept", "keep"),
    ("left", "leave"),
    ("lost", "lose"),
    ("went", "go"),
    ("gone", "go"),
    ("was", "be"),
    ("were", "be"),
    ("been", "be"),
    ("is", "be"),
    ("am", "be"),
    ("are", "be"),
    ("has", "have"),
    ("had", "have"),
    ("stuck", "stick"),
    ("wove", "weave"),
    ("woven", "weave"),
    ("cut", "cut"),
    ("set", "set"),
    ("hung", "hang"),
    ("fed", "feed"),
    ("led", "lead"),
    ("rewrote", "rewrite"),
    ("rewritten", "rewrite"),
    ("rebuilt", "rebuild"),
    ("remade", "remake"),
    ("sought", "seek"),
    ("felt", "feel"),
    ("heard", "hear"),
    ("held", "hold"),
    ("meant", "mean"),
    ("paid", "pay"),
    ("said", "say"),
    ("saw", "see"),
    ("seen", "see"),
    ("stood", "stand"),
    ("told", "tell"),
    ("understood", "understand"),
    ("won", "win"),
    ("grew", "grow"),
    ("grown", "grow"),
    ("threw", "throw"),
    ("thrown", "throw"),
    ("broke", "break"),
    ("broken", "break"),
    ("chose", "choose"),
    ("chosen", "choose"),
    ("forgot", "forget"),
    ("forgotten", "forget"),
    ("spun", "spin"),
    ("bent", "bend"),
    ("dug", "dig"),
    ("lit", "light"),
    ("shot", "shoot"),
    ("struck", "strike"),
    ("swore", "swear"),
    ("tore", "tear"),
    ("wore", "wear"),
    ("worn", "wear"),
    ("vying", "vie"),
    // Three-letter words with a doubled consonant, which are not stemmed
    // while their inflections are ("added" -> "ad").
    ("added", "add"),
    ("adding", "add"),
    ("erred", "err"),
    ("erring", "err"),
    ("ebbed", "ebb"),
    ("ebbing", "ebb"),
    ("egged", "egg"),
    ("egging", "egg"),
    // `-ic` verbs take a k ("panicked" -> "panick").
    ("panicked", "panic"),
    ("panicking", "panic"),
    ("mimicked", "mimic"),
    ("mimicking", "mimic"),
    ("picnicked", "picnic"),
    ("picnicking", "picnic"),
    ("trafficked", "traffic"),
    ("trafficking", "traffic"),
    ("frolicked", "frolic"),
    ("frolicking", "frolic"),
    // A short `-ee` verb keeps "eed" whole ("freed" -> "freed").
    ("freed", "free"),
    // Irregular plurals.
    ("shelves", "shelf"),
    ("knives", "knife"),
    ("halves", "half"),
    ("wolves", "wolf"),
    ("men", "man"),
    ("women", "woman"),
    ("children", "child"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("mice", "mouse"),
    ("geese", "goose"),
    // Words the stemmer would conflate with others ("customers" -> "custom").
    ("customer", "customer"),
    ("customers", "customer"),
    ("universe", "universe"),
    ("university", "university"),
    ("news", "news"),
    ("general", "general"),
    ("generally", "general"),
    ("generic", "generic"),
    // Contraction tails as the pre-tokenizer splits them ("didn", "'", "t").
    ("t", "not"),
    ("ve", "have"),
    ("ll", "will"),
    ("re", "be"),
    ("m", "be"),
    ("didn", "do"),
    ("don", "do"),
    ("doesn", "do"),
    ("couldn", "could"),
    ("wouldn", "would"),
    ("shouldn", "should"),
    ("wasn", "be"),
    ("weren", "be"),
    ("isn", "be"),
    ("aren", "be"),
    ("haven", "have"),
    ("hasn", "have"),
    ("hadn", "have"),
    ("can", "can"),
    ("cannot", "can"),
    ("gonna", "go"),
    ("wanna", "want"),
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The base form of an irregular word form ("built" -> "build").
pub fn irregular(word: &str) -> Option<&'static str> {
    IRREGULAR.iter().find(|(w, _)| *w == word).map(|(_, base)| *base)
}

type Cache = std::collections::HashMap<Box<str>, Box<str>, ahash::RandomState>;

thread_local! {
    static CACHE: std::cell::RefCell<Cache> = std::cell::RefCell::new(Cache::default());
}

/// Entries kept in each thread's cache of normalized forms.
const CACHE_LIMIT: usize = 200_000;

/// `word` lower-cased into `buf`, replacing what it held (as
/// `str::to_lowercase`, without allocating for ASCII words).
pub fn lowercase_into(buf: &mut String, word: &str) {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&word.to_lowercase());
    }
}

/// The normalized form of one word (cached per thread).
pub fn normalize(word: &str) -> String {
    let mut norm = String::new();
    normalize_into(word, &mut norm);
    norm
}

/// The normalized form of one word written into `out` (replacing what it
/// held), without allocating when the form is cached.
pub fn normalize_into(word: &str, out: &mut String) {
    out.clear();
    CACHE.with(|cache| {
        if let Some(hit) = cache.borrow().get(word) {
            out.push_str(hit);
            return;
        }
        let norm = normalize_uncached(word);
        out.push_str(&norm);
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.into(), norm.into_boxed_str());
    })
}

/// The normalized form of one word, computed anew (callers that keep
/// their own cache use this).
pub(crate) fn normalize_uncached(word: &str) -> String {
    let lower: Cow<'_, str> = if word.bytes().any(|b| b.is_ascii_uppercase()) || !word.is_ascii() {
        Cow::Owned(word.to_lowercase().replace('’', "'"))
    } else {
        Cow::Borrowed(word)
    };
    if let Some(base) = irregular(&lower) {
        return base.to_string();
    }
    if !lower.bytes().all(|b| b.is_ascii_alphabetic()) {
        return lower.into_owned();
    }
    if lower.len() <= 3 {
        // Short words are their own stems, but "dry" stems like "dried".
        let b = lower.as_bytes();
        let consonant = |c: u8| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        if b.len() == 3 && b[2] == b'y' && consonant(b[0]) && consonant(b[1]) {
            return stemmer().stem(&lower).into_owned();
        }
        return lower.into_owned();
    }
    let stem = stemmer().stem(&lower);
    mend(&lower, stem.into_owned())
}

/// Mends a stem where the stemmer gives a base form and its inflections
/// different ones (see the module documentation).
fn mend(word: &str, mut stem: String) -> String {
    let inflected_ed = word.ends_with("ed");
    let inflected_ing = word.ends_with("ing");
    if inflected_ed || inflected_ing {
        // glued -> glu: put back the e of "glue", a base form the stemmer
        // leaves whole ("canoed" -> "cano" stays: "canoe" stems to "cano").
        let b = stem.as_bytes();
        let n = b.len();
        let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        let restores = n >= 2
            && match b[n - 1] {
                b'u' => true,
                b'o' | b'y' => inflected_ed && !vowel(b[n - 2]),
                _ => false,
            };
        if restores {
            let base = format!("{stem}e");
            if normalize_base(&base) == base {
                return base;
            }
        }
    }
    if stem.len() >= 4 && stem.ends_with("ff") {
        stem.pop();
    }
    stem
}

/// The stem of a base form, short words whole.
fn normalize_base(word: &str) -> String {
    if word.len() <= 3 {
        word.to_string()
    } else {
        stemmer().stem(word).into_owned()
    }
}

/// The irregular forms whose base form is `base` ("built" for "build").
pub fn irregular_forms(base: &str) -> impl Iterator<Item = &'static str> + '_ {
    IRREGULAR.iter().filter(move |(_, b)| *b == base).map(|(w, _)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_share_a_form() {
        for w in ["build", "builds", "building", "built", "Built"] {
            assert_eq!(normalize(w), "build", "{w}");
        }
        for w in ["make", "makes", "making", "made"] {
            assert_eq!(normalize(w), "make", "{w}");
        }
        assert_eq!(normalize("wrote"), normalize("writing"));
        assert_eq!(normalize("created"), normalize("create"));
    }

    /// Every class of words where the stemmer alone gives a base form and
    /// its inflections different stems (see the module documentation).
    #[test]
    fn every_stem_class_shares_a_form() {
        let classes: &[(&str, &[&[&str]])] = &[
            (
                "final -ue, -oe, -ye",
                &[
                    &["glue", "glues", "glued", "gluing", "glueing"],
                    &["sue", "sues", "sued", "suing"],
                    &["cue", "cues", "cued", "cuing", "cueing"],
                    &["queue", "queues", "queued", "queuing", "queueing"],
                    &["issue", "issues", "issued", "issuing"],
                    &["toe", "toes", "toed", "toeing"],
                    &["hoe", "hoes", "hoed", "hoeing"],
                    &["shoe", "shoes", "shoed", "shoeing"],
                    &["canoe", "canoes", "canoed", "canoeing"],
                    &["dye", "dyes", "dyed", "dyeing"],
                    &["eye", "eyes", "eyed", "eyeing"],
                ],
            ),
            (
                "three letters and y",
                &[
                    &["dry", "dries", "dried", "drying"],
                    &["try", "tries", "tried", "trying"],
                    &["fry", "fries", "fried", "frying"],
                    &["spy", "spies", "spied", "spying"],
                    &["fly", "flies", "flying"],
                    &["cry", "cries", "cried", "crying"],
                ],
            ),
            (
                "final ff",
                &[&["staff", "staffs", "staffed", "staffing"], &["stuff", "stuffs", "stuffed", "stuffing"], &["cuff", "cuffed"]],
            ),
            ("doubled consonants of short words", &[&["add", "adds", "added", "adding"], &["err", "errs", "erred", "erring"]]),
            ("-ic verbs", &[&["panic", "panics", "panicked", "panicking"], &["mimic", "mimicked", "mimicking"]]),
            (
                "-ee verbs",
                &[
                    &["free", "frees", "freed", "freeing"],
                    &["agree", "agrees", "agreed", "agreeing"],
                    &["guarantee", "guaranteed", "guaranteeing"],
                ],
            ),
            ("-ie verbs", &[&["die", "dies", "died", "dying"], &["tie", "tied", "tying"], &["vie", "vied", "vying"]]),
            (
                "irregular plurals",
                &[&["shelf", "shelves"], &["knife", "knives"], &["man", "men"], &["foot", "feet"], &["child", "children"]],
            ),
            (
                "regular",
                &[
                    &["mod", "mods", "modded", "modding"],
                    &["solder", "soldered", "soldering"],
                    &["travel", "traveled", "travelled", "traveling", "travelling"],
                    &["apply", "applies", "applied", "applying"],
                    &["use", "uses", "used", "using"],
                    &["fix", "fixes", "fixed", "fixing"],
                    &["wire", "wired", "wiring"],
                ],
            ),
        ];
        for (class, groups) in classes {
            for group in *groups {
                let base = normalize(group[0]);
                for w in &group[1..] {
                    assert_eq!(normalize(w), base, "{class}: '{w}' and '{}'", group[0]);
                }
            }
        }
        // Mending does not merge words that differ.
        for (a, b) in [("going", "goe"), ("doing", "doe"), ("booed", "booe"), ("echoed", "echoe"), ("offs", "of"), ("any", "ani")] {
            assert_ne!(normalize(a), b, "{a}");
        }
        assert_ne!(normalize("sky"), normalize("ski"));
        assert_ne!(normalize("canoe"), normalize("can"));
    }

}
