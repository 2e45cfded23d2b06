//! What a learned scorer sees of a post: named features computed from the
//! rule signals (per kind and per rule, where they fall), the post's kind
//! and structure, and the words of its own text (quotes and code left out).
//! Every feature has a readable name (`kind:solution`, `rule:need.wish`,
//! `post:story`, `w:jig`, `w2:i_made`), so `explain` can show what each
//! contributed.

use crate::analyze::{Document, Signal};
use crate::model::RegionKind;
use std::collections::BTreeMap;

/// A post's features: name → value, each value in [0, 1] or a small
/// count-like number.
pub type Features = BTreeMap<String, f32>;

/// Title prefixes that say what a post is ("Show HN: ...").
const TITLE_PREFIXES: &[(&str, &str)] =
    &[("show hn", "show_hn"), ("ask hn", "ask_hn"), ("launch hn", "launch_hn"), ("tell hn", "tell_hn")];

/// Hosts of code and design repositories.
const REPOSITORIES: &[&str] = &["github.com", "gitlab.com", "bitbucket.org", "sourceforge.net", "codeberg.org", "thingiverse.com"];

/// Words that mark the author speaking of themselves.
const FIRST_PERSON: &[&str] = &["i", "i'm", "i've", "i'd", "my", "me", "mine", "we", "our", "we've", "we're", "us"];

/// The features of a post from its document and all its signals (a reply's
/// reactions to its parent, `response.*`, are left out as in scoring).
pub fn features(doc: &Document<'_>, signals: &[Signal]) -> Features {
    let mut f = Features::new();
    signal_features(doc, signals, &mut f);
    structure_features(doc, &mut f);
    word_features(doc, &mut f);
    f
}

fn signal_features(doc: &Document<'_>, signals: &[Signal], f: &mut Features) {
    let len = doc.text.len().max(1) as f32;
    let mut miss: BTreeMap<&str, f32> = BTreeMap::new();
    let mut count: BTreeMap<&str, f32> = BTreeMap::new();
    for s in signals.iter().filter(|s| s.is_own()) {
        let w = s.weight.clamp(0.0, 1.0);
        *miss.entry(&s.kind).or_insert(1.0) *= 1.0 - w;
        *count.entry(&s.kind).or_insert(0.0) += 1.0;
        let rule = f.entry(format!("rule:{}", s.rule)).or_insert(0.0);
        *rule = rule.max(w);
        if doc.in_title(&(s.start..s.end)) {
            f.insert(format!("title:{}", s.kind), 1.0);
        } else if (s.start as f32) < 0.25 * len {
            f.insert(format!("early:{}", s.kind), 1.0);
        }
    }
    for (kind, m) in miss {
        f.insert(format!("kind:{kind}"), 1.0 - m);
    }
    for (kind, n) in count {
        f.insert(format!("count:{kind}"), (1.0 + n).ln());
    }
}

fn structure_features(doc: &Document<'_>, f: &mut Features) {
    let post = doc.post;
    f.insert(format!("post:{}", post.kind.as_str()), 1.0);
    if post.kind.is_thread_start() {
        f.insert("post:thread_start".into(), 1.0);
    }
    let title = post.title.as_deref().unwrap_or("").to_lowercase();
    for (prefix, name) in TITLE_PREFIXES {
        if title.starts_with(prefix) {
            f.insert(format!("title_prefix:{name}"), 1.0);
        }
    }
    if let Some(link) = post.link.as_deref() {
        f.insert("link:any".into(), 1.0);
        if REPOSITORIES.iter().any(|h| link.contains(h)) {
            f.insert("link:repository".into(), 1.0);
        }
    }
    if REPOSITORIES.iter().any(|h| post.body.contains(h)) {
        f.insert("body:repository_link".into(), 1.0);
    }
    let code: usize = doc.regions.iter().filter(|(k, _)| *k == RegionKind::Code).map(|(_, r)| r.len()).sum();
    if code > 0 {
        f.insert("body:code".into(), (code as f32 / doc.text.len().max(1) as f32).min(1.0));
    }
    f.insert("length:log_bytes".into(), (1.0 + doc.text.len() as f32).ln() / 10.0);
    let sentences = doc.sentences.len().max(1) as f32;
    let questions = doc.questions.iter().filter(|q| **q).count() as f32;
    f.insert("sentences:questions".into(), questions / sentences);
    let own: Vec<&crate::analyze::Token> = doc.tokens.iter().filter(|t| !t.quoted).collect();
    if !own.is_empty() {
        let first_person = own
            .iter()
            .filter(|t| {
                let w = doc.text[t.start..t.end].to_lowercase();
                FIRST_PERSON.contains(&w.as_str())
            })
            .count();
        f.insert("words:first_person".into(), (first_person as f32 / own.len() as f32 * 10.0).min(1.0));
        let quoted = doc.tokens.len() - own.len();
        f.insert("words:quoted".into(), quoted as f32 / doc.tokens.len() as f32);
    }
}

/// Lower-cased words and word pairs of the author's own text, present or
/// not, scaled so a post's word features have unit length.
fn word_features(doc: &Document<'_>, f: &mut Features) {
    let mut words: Vec<String> = Vec::new();
    let mut last_sentence = usize::MAX;
    let mut grams: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for t in doc.tokens.iter().filter(|t| !t.quoted) {
        let w = doc.text[t.start..t.end].to_lowercase();
        if w.chars().any(|c| c.is_ascii_digit()) || w.len() > 30 {
            last_sentence = usize::MAX;
            continue;
        }
        if t.sentence != last_sentence {
            words.clear();
        }
        last_sentence = t.sentence;
        grams.insert(format!("w:{w}"));
        if let Some(prev) = words.last() {
            grams.insert(format!("w2:{prev}_{w}"));
        }
        words.push(w);
    }
    if grams.is_empty() {
        return;
    }
    let value = 1.0 / (grams.len() as f32).sqrt();
    for g in grams {
        f.insert(g, value);
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
