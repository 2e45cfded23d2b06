//! `leadminer stats` on the shared corpora: the counts the corpora README
//! documents.

use crate::common::{corpora, stats_json};

fn check(sub: &str, posts: u64, threads: Option<u64>) {
    let Some(dir) = corpora(&format!("stats_{sub}")) else { return };
    let v = stats_json(&[&dir.join(sub)], &[]);
    assert_eq!(v["posts"], posts, "posts in {sub}");
    assert_eq!(v["skipped"], 0, "skipped in {sub}: {v:#}");
    if let Some(t) = threads {
        assert_eq!(v["threads"], t, "threads in {sub}");
    }
    assert!(v["files"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn hackernews_corpus() {
    check("hackernews", 216_932, Some(216_932));
}

#[test]
fn discourse_corpus() {
    check("discourse-urho3d", 36_990, Some(5_046));
}

#[test]
fn reddit_corpus() {
    check("reddit", 10, Some(6));
}
