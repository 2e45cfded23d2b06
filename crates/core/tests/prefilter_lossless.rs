//! The prefilter never rules out a post on which the rule engine finds
//! something: every post with a signal (other than a false friend, which
//! only cancels), when analyzed regardless of the prefilter, is a
//! candidate. Checked on the bundled sample data and, when
//! they are beside the repository, on a sample of every shared corpus.

use leadminer_core::analyze::{kinds, Analyzer, Document};
use leadminer_core::read::{read_all, ReadOptions};
use leadminer_core::rules::{builtin, RuleEngine};
use std::path::{Path, PathBuf};

/// Posts checked per corpus (every post of the sample data).
const PER_CORPUS: usize = 6_000;

fn check(engine: &RuleEngine, input: &Path, limit: usize) -> (usize, usize) {
    let (posts, _) = read_all(&[input.to_path_buf()], &ReadOptions::default()).expect("input reads");
    assert!(!posts.is_empty(), "no posts in {}", input.display());
    let step = posts.len().div_ceil(limit).max(1);
    let mut checked = 0;
    let mut with_signals = 0;
    for post in posts.iter().step_by(step) {
        checked += 1;
        let doc = Document::new(post);
        let mut signals = Vec::new();
        engine.analyze(&doc, &mut signals).expect("rules do not fail");
        signals.retain(|s| &*s.kind != kinds::FALSE_FRIEND);
        if signals.is_empty() {
            continue;
        }
        with_signals += 1;
        assert_eq!(
            engine.wants(post),
            Some(true),
            "{}: post {} has signals {:?} but the prefilter rules it out",
            input.display(),
            post.id,
            signals.iter().map(|s| (&*s.rule, &doc.text[s.start..s.end])).collect::<Vec<_>>()
        );
    }
    (checked, with_signals)
}

fn engine() -> RuleEngine {
    RuleEngine::new(&builtin::packs().expect("built-in packs")).expect("engine compiles")
}

#[test]
fn prefilter_admits_every_post_with_signals_in_the_sample_data() {
    let engine = engine();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let (checked, with_signals) = check(&engine, &data, usize::MAX);
    assert!(with_signals > 10, "{with_signals} of {checked} sample posts have signals");
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
        let (checked, with_signals) = check(&engine, &corpus, PER_CORPUS);
        eprintln!("{}: {with_signals} of {checked} posts with signals, all candidates", corpus.display());
    }
}
