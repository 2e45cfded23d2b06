//! Normalized word forms for matching: lower case, irregular verbs mapped to
//! their base form, then the Snowball English stemmer, so that a pattern
//! word matches every inflection ("build" matches builds, building, built).

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

/// The normalized form of one word (cached per thread).
pub fn normalize(word: &str) -> String {
    CACHE.with(|cache| {
        if let Some(hit) = cache.borrow().get(word) {
            return hit.to_string();
        }
        let norm = normalize_uncached(word);
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.into(), norm.as_str().into());
        norm
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
    if lower.len() <= 3 || !lower.bytes().all(|b| b.is_ascii_alphabetic()) {
        return lower.into_owned();
    }
    stemmer().stem(&lower).into_owned()
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

}
