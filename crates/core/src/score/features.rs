//! What a learned scorer sees of a post: named features computed from the
//! rule signals (per kind and per rule, where they fall), the post's kind
//! and structure, and the words of its own text (quotes and code left out).
//! Every feature has a readable name (`kind:solution`, `rule:need.wish`,
//! `post:story`, `w:jig`, `w2:i_made`), so `explain` can show what each
//! contributed.

use crate::analyze::normalize::lowercase_into;
use crate::analyze::{Document, Signal};
use crate::model::RegionKind;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// A post's features: name → value, each value in [0, 1] or a small
/// count-like number.
pub type Features = BTreeMap<String, f32>;

/// Title prefixes that say what a post is ("Show HN: ...").
const TITLE_PREFIXES: &[(&str, &str)] =
    &[("show hn", "show_hn"), ("ask hn", "ask_hn"), ("launch hn", "launch_hn"), ("tell hn", "tell_hn")];

/// Hosts of code and design repositories.
const REPOSITORIES: &[&str] = &["github.com", "gitlab.com", "bitbucket.org", "sourceforge.net", "codeberg.org", "thingiverse.com"];

/// Finds any of [`REPOSITORIES`] in a text (a set of literals, which the
/// regex engine searches many bytes at a time).
fn repository_host() -> &'static Regex {
    static FINDER: OnceLock<Regex> = OnceLock::new();
    FINDER.get_or_init(|| {
        let hosts: Vec<String> = REPOSITORIES.iter().map(|h| regex::escape(h)).collect();
        Regex::new(&hosts.join("|")).expect("escaped host names are a valid pattern")
    })
}

/// Whether a lower-cased word marks the author speaking of themselves.
#[inline]
fn is_first_person(word: &str) -> bool {
    // By length first: most words are longer than any of these.
    match word.len() {
        1 => word == "i",
        2 => matches!(word, "my" | "me" | "we" | "us"),
        3 => matches!(word, "i'm" | "i'd" | "our"),
        4 => matches!(word, "i've" | "mine"),
        5 => matches!(word, "we've" | "we're"),
        _ => false,
    }
}

/// Receives a post's features one at a time, so a scorer can use them
/// without building a map of names (see [`visit`]).
pub trait Visitor {
    /// A feature other than a word, each name once per post.
    fn feature(&mut self, name: &str, value: f32);
    /// A lower-cased word of the author's own text, in order, making the
    /// word feature `w:{word}` and, when it `follows` the previous word in
    /// the same sentence, the pair feature `w2:{previous}_{word}`. Word
    /// features may repeat; each distinct one has the value [`gram_value`]
    /// of the number of distinct ones in the post.
    fn word(&mut self, word: &str, follows: bool);
}

/// The value of each word feature of a post with `distinct` distinct word
/// and word-pair features: the post's word features have unit length.
pub fn gram_value(distinct: usize) -> f32 {
    1.0 / (distinct as f32).sqrt()
}

/// The features of a post from its document and all its signals (a reply's
/// reactions to its parent, `response.*`, are left out as in scoring).
pub fn features(doc: &Document<'_>, signals: &[Signal]) -> Features {
    #[derive(Default)]
    struct Collect {
        features: Features,
        grams: BTreeSet<String>,
        previous: String,
    }
    impl Visitor for Collect {
        fn feature(&mut self, name: &str, value: f32) {
            self.features.insert(name.to_string(), value);
        }
        fn word(&mut self, word: &str, follows: bool) {
            self.grams.insert(format!("w:{word}"));
            if follows {
                self.grams.insert(format!("w2:{}_{word}", self.previous));
            }
            word.clone_into(&mut self.previous);
        }
    }
    let mut c = Collect::default();
    visit(doc, signals, &mut c);
    let Collect { mut features, grams, .. } = c;
    let value = gram_value(grams.len());
    features.extend(grams.into_iter().map(|g| (g, value)));
    features
}

/// Gives `v` every feature of a post: the rule signals, the structure, then
/// the words. The order is fixed for a given post.
pub fn visit(doc: &Document<'_>, signals: &[Signal], v: &mut impl Visitor) {
    let mut name = String::new();
    signal_features(doc, signals, &mut name, v);
    structure_features(doc, &mut name, v);
    word_features(doc, v);
}

/// `prefix` and `rest` joined in `buf`, for a feature name without
/// allocating one per feature.
fn named<'a>(buf: &'a mut String, prefix: &str, rest: &str) -> &'a str {
    buf.clear();
    buf.push_str(prefix);
    buf.push_str(rest);
    buf
}

/// [`BYTE_CLASS`]: the byte may change when lower-cased (an ASCII capital
/// or any byte of a non-ASCII character).
const UPPER: u8 = 1;
/// [`BYTE_CLASS`]: an ASCII digit.
const DIGIT: u8 = 2;

/// What each byte of a word is, for the word features' one pass.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = if b >= 0x80 || (b as u8).is_ascii_uppercase() {
            UPPER
        } else if (b as u8).is_ascii_digit() {
            DIGIT
        } else {
            0
        };
        b += 1;
    }
    table
};

fn signal_features(doc: &Document<'_>, signals: &[Signal], name: &mut String, v: &mut impl Visitor) {
    let len = doc.text.len().max(1) as f32;
    // A post has a handful of signals: small vectors searched in place and
    // sorted by name at the end (the order a map would give) cost less
    // than maps.
    // Per kind: the chance that none of its signals holds, and how many.
    let mut kinds: Vec<(&str, f32, f32)> = Vec::new();
    let mut rules: Vec<(&str, f32)> = Vec::new();
    let mut title: Vec<&str> = Vec::new();
    let mut early: Vec<&str> = Vec::new();
    for s in signals.iter().filter(|s| s.is_own()) {
        let w = s.weight.clamp(0.0, 1.0);
        match kinds.iter_mut().find(|(k, ..)| *k == &*s.kind) {
            Some((_, miss, count)) => {
                *miss *= 1.0 - w;
                *count += 1.0;
            }
            None => kinds.push((&s.kind, 1.0 - w, 1.0)),
        }
        match rules.iter_mut().find(|(r, _)| *r == &*s.rule) {
            Some((_, strongest)) => *strongest = strongest.max(w),
            None => rules.push((&s.rule, w.max(0.0))),
        }
        let at = if doc.in_title(&(s.start..s.end)) {
            Some(&mut title)
        } else if (s.start as f32) < 0.25 * len {
            Some(&mut early)
        } else {
            None
        };
        if let Some(set) = at.filter(|set| !set.contains(&&*s.kind)) {
            set.push(&s.kind);
        }
    }
    rules.sort_unstable_by(|a, b| a.0.cmp(b.0));
    kinds.sort_unstable_by(|a, b| a.0.cmp(b.0));
    title.sort_unstable();
    early.sort_unstable();
    for (rule, w) in rules {
        v.feature(named(name, "rule:", rule), w);
    }
    for kind in title {
        v.feature(named(name, "title:", kind), 1.0);
    }
    for kind in early {
        v.feature(named(name, "early:", kind), 1.0);
    }
    for &(kind, miss, _) in &kinds {
        v.feature(named(name, "kind:", kind), 1.0 - miss);
    }
    for (kind, _, n) in kinds {
        v.feature(named(name, "count:", kind), (1.0 + n).ln());
    }
}

fn structure_features(doc: &Document<'_>, name: &mut String, v: &mut impl Visitor) {
    let post = doc.post;
    v.feature(named(name, "post:", post.kind.as_str()), 1.0);
    if post.kind.is_thread_start() {
        v.feature("post:thread_start", 1.0);
    }
    lowercase_into(name, post.title.as_deref().unwrap_or(""));
    let prefixes: Vec<&str> =
        TITLE_PREFIXES.iter().filter(|(prefix, _)| name.starts_with(prefix)).map(|(_, n)| *n).collect();
    for prefix in prefixes {
        v.feature(named(name, "title_prefix:", prefix), 1.0);
    }
    if let Some(link) = post.link.as_deref() {
        v.feature("link:any", 1.0);
        if repository_host().is_match(link) {
            v.feature("link:repository", 1.0);
        }
    }
    if repository_host().is_match(&post.body) {
        v.feature("body:repository_link", 1.0);
    }
    let code: usize = doc.regions.iter().filter(|(k, _)| *k == RegionKind::Code).map(|(_, r)| r.len()).sum();
    if code > 0 {
        v.feature("body:code", (code as f32 / doc.text.len().max(1) as f32).min(1.0));
    }
    v.feature("length:log_bytes", (1.0 + doc.text.len() as f32).ln() / 10.0);
    let sentences = doc.sentences.len().max(1) as f32;
    let questions = doc.questions.iter().filter(|q| **q).count() as f32;
    v.feature("sentences:questions", questions / sentences);
}

/// The lower-cased words and word pairs of the author's own text (words
/// with digits or over 30 bytes left out, pairs within a sentence), and the
/// share of its words in the first person and of quoted words.
fn word_features(doc: &Document<'_>, v: &mut impl Visitor) {
    let mut lowered = String::new();
    let mut have_prev = false;
    let mut last_sentence = usize::MAX;
    let (mut own, mut first_person) = (0usize, 0usize);
    for t in doc.tokens.iter().filter(|t| !t.quoted) {
        own += 1;
        let raw = &doc.text[t.start..t.end];
        // One pass over the bytes, a table lookup each: digits are the same
        // lower-cased.
        let class = raw.bytes().fold(0u8, |class, b| class | BYTE_CLASS[usize::from(b)]);
        let word = if class & UPPER != 0 {
            lowercase_into(&mut lowered, raw);
            lowered.as_str()
        } else {
            raw
        };
        let digit = class & DIGIT != 0;
        first_person += usize::from(is_first_person(word));
        if digit || word.len() > 30 {
            last_sentence = usize::MAX;
            continue;
        }
        if t.sentence != last_sentence {
            have_prev = false;
        }
        last_sentence = t.sentence;
        v.word(word, have_prev);
        have_prev = true;
    }
    if own > 0 {
        v.feature("words:first_person", (first_person as f32 / own as f32 * 10.0).min(1.0));
        let quoted = doc.tokens.len() - own;
        v.feature("words:quoted", quoted as f32 / doc.tokens.len() as f32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostKind, Source};
    use std::sync::Arc;

    #[test]
    fn signals_structure_and_words_are_named() {
        let mut p = Post::new(Source::HackerNews, "1", PostKind::Story);
        p.title = Some("Show HN: A jig".into());
        p.body = "I made a jig for my saw. See github.com/x/jig".into();
        let doc = Document::new(&p);
        let at = doc.text.find("made").expect("in the text");
        let s = |kind: &str, rule: &str, w: f32| Signal {
            kind: kind.into(),
            analyzer: Arc::from("rules"),
            rule: rule.into(),
            start: at,
            end: at + 4,
            weight: w,
        };
        let f = features(&doc, &[s("solution", "solution.made", 0.5), s("solution", "solution.x", 0.5), s("response.buy", "r", 1.0)]);
        assert_eq!(f["kind:solution"], 0.75);
        assert_eq!(f["rule:solution.made"], 0.5);
        assert!(!f.keys().any(|k| k.contains("response")), "reactions are not the post's own evidence");
        assert_eq!(f["title_prefix:show_hn"], 1.0);
        assert_eq!(f["body:repository_link"], 1.0);
        assert_eq!(f["post:story"], 1.0);
        assert!(f.contains_key("w:jig") && f.contains_key("w2:i_made"));
        assert!(f["words:first_person"] > 0.0);
    }
}
