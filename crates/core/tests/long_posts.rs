//! A post's analysis takes time linear in its length. A pasted log or a
//! spam post can hold the same sentence a hundred thousand times, each with
//! signals; the rule engine once compared every signal with every other
//! (overlaps, cancellation, proximity), and an 8 MB post took minutes.

use leadminer_core::analyze::{Analyzer, Document, Signal};
use leadminer_core::model::{Post, PostKind, Source};
use leadminer_core::setup::standard_analysis;
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Duration;

/// A solution, a stated need, and a false friend that cancels a solution.
const PARAGRAPH: &str = "I wish there was a way to track my keys, so I built a small tool for it. \
    I developed a roll of film yesterday. ";

/// The built-in proximity rule (a need, then a solution).
const PROXIMITY: &str = "solution.need-then-solution";

fn signals(body: String) -> Vec<Signal> {
    let analysis = standard_analysis(&[], Vec::new()).expect("built-in analysis");
    let mut post = Post::new(Source::Reddit, "c1", PostKind::Comment);
    post.body = body;
    let doc = Document::new(&post);
    let mut out = Vec::new();
    analysis.analyze(&doc, &mut out).expect("analysis");
    out
}

fn per_rule(signals: &[Signal]) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for s in signals {
        *n.entry(s.rule.to_string()).or_insert(0) += 1;
    }
    n
}

#[test]
fn a_long_repeated_post_is_analyzed_in_linear_time() {
    const TIMES: usize = 100_000;
    let one = per_rule(&signals(PARAGRAPH.to_string()));
    // Every path of the engine: matches of one rule, a false friend that
    // cancels what it overlaps, and a proximity rule over the others.
    for rule in ["need.wish", "solution.built-a-thing", "solution.false-friend", PROXIMITY] {
        assert!(one.contains_key(rule), "{rule} in {one:?}");
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(signals(PARAGRAPH.repeat(TIMES)));
    });
    // Linear work takes a few seconds even unoptimized; the quadratic
    // engine took hours on this post.
    let many = rx
        .recv_timeout(Duration::from_secs(300))
        .expect("a 8 MB post is analyzed within five minutes");
    let many = per_rule(&many);
    for (rule, n) in &one {
        // A proximity rule adds one signal per post, the closest pair.
        let expected = if rule == PROXIMITY { 1 } else { n * TIMES };
        assert_eq!(many.get(rule), Some(&expected), "{rule}");
    }
    assert_eq!(many.len(), one.len(), "{many:?}");
}
