//! The prefilter never rules out a post on which the rule engine finds
//! something: every post with a signal (other than a false friend, which
//! only cancels), when analyzed regardless of the prefilter, is a
//! candidate; and the triggers of any word cover every word of the text
//! that normalizes like it. Checked on the bundled sample data and, when
//! they are beside the repository, on a sample of every shared corpus.

use leadminer_core::analyze::normalize::normalize;
use leadminer_core::analyze::{kinds, Analyzer, Document, Wants};
use leadminer_core::pipeline::read_all;
use leadminer_core::read::ReadOptions;
use leadminer_core::analyze::rules::prefilter::{word_triggers, Need, Prefilter};
use leadminer_core::analyze::rules::{builtin, RuleEngine};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Posts checked per corpus (every post of the sample data).
const PER_CORPUS: usize = 6_000;

/// Checks the posts of `input` (at most about `limit`): (posts checked,
/// posts with signals, words checked).
fn check(engine: &RuleEngine, input: &Path, limit: usize) -> (usize, usize, usize) {
    let (posts, _) = read_all(&[input.to_path_buf()], &ReadOptions::default()).expect("input reads");
    assert!(!posts.is_empty(), "no posts in {}", input.display());
    let step = posts.len().div_ceil(limit).max(1);
    let mut checked = 0;
    let mut with_signals = 0;
    let mut words = BTreeSet::new();
    for post in posts.iter().step_by(step) {
        checked += 1;
        let doc = Document::new(post);
        let letters = |w: &&str| w.len() > 1 && w.bytes().all(|b| b.is_ascii_alphabetic());
        words.extend((0..doc.tokens.len()).map(|i| doc.word(i)).filter(letters).map(str::to_ascii_lowercase));
        let mut signals = Vec::new();
        engine.analyze(&doc, &mut signals).expect("rules do not fail");
        signals.retain(|s| &*s.kind != kinds::FALSE_FRIEND);
        if signals.is_empty() {
            continue;
        }
        with_signals += 1;
        assert_eq!(
            engine.wants(post),
            Wants::Yes,
            "{}: post {} has signals {:?} but the prefilter rules it out",
            input.display(),
            post.id,
            signals.iter().map(|s| (&*s.rule, &doc.text[s.start..s.end])).collect::<Vec<_>>()
        );
    }
    (checked, with_signals, check_words(input, &words))
}

/// Checks that, were any of `words` or its normalized form a pattern word
/// (patterns hold normalized forms), its triggers would cover every other
/// of `words` that normalizes like it; returns how many words share their
/// normalized form with another.
fn check_words(input: &Path, words: &BTreeSet<String>) -> usize {
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for w in words {
        groups.entry(normalize(w)).or_default().push(w);
    }
    let mut shared = 0;
    for (norm, group) in groups.iter().filter(|(_, g)| g.len() > 1) {
        shared += group.len();
        let pattern_words: Vec<&str> = group.iter().copied().chain([norm.as_str()]).collect();
        let needs: Vec<Need> = pattern_words
            .iter()
            .enumerate()
            .map(|(owner, w)| Need { requirement: Some(vec![word_triggers(w)]), check: None, owner })
            .collect();
        let prefilter = Prefilter::new(&needs);
        for (owner, pattern_word) in pattern_words.iter().enumerate() {
            for text_word in group {
                assert!(
                    prefilter.is_candidate(&[text_word], |o| o == owner, |_| false),
                    "{}: the triggers of '{pattern_word}' ({norm}) miss '{text_word}': {:?}",
                    input.display(),
                    word_triggers(pattern_word)
                );
            }
        }
    }
    shared
}

fn engine() -> RuleEngine {
    RuleEngine::new(&builtin::packs().expect("built-in packs")).expect("engine compiles")
}

#[test]
fn prefilter_admits_every_post_with_signals_in_the_sample_data() {
    let engine = engine();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let (checked, with_signals, words) = check(&engine, &data, usize::MAX);
    assert!(with_signals > 10, "{with_signals} of {checked} sample posts have signals");
    assert!(words > 20, "{words} words share their normalized form");
}

#[test]
fn prefilter_admits_every_post_with_signals_in_the_corpora() {
    let dir = std::env::var_os("LEADMINER_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"));
    if !dir.is_dir() {
        eprintln!("SKIPPED prefilter_admits_every_post_with_signals_in_the_corpora: no corpora at {}", dir.display());
        return;
    }
    let engine = engine();
    let mut corpora: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpora folder lists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    corpora.sort();
    assert!(corpora.len() >= 4, "corpora: {corpora:?}");
    for corpus in corpora {
        let (checked, with_signals, words) = check(&engine, &corpus, PER_CORPUS);
        eprintln!(
            "{}: {with_signals} of {checked} posts with signals, all candidates; {words} words covered by the \
             triggers of their inflections",
            corpus.display()
        );
    }
}
