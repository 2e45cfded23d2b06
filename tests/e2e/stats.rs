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

#[test]
fn stackexchange_corpus() {
    check("stackexchange", 624, None);
}

#[test]
fn mbox_corpus_per_file() {
    let Some(dir) = corpora("mbox_corpus_per_file") else { return };
    let v = stats_json(&[&dir.join("mbox")], &[]);
    let files = v["files"].as_array().expect("files array");
    let count = |name: &str| -> u64 {
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .and_then(|f| f["posts"].as_u64())
            .unwrap_or_else(|| panic!("{name} not in {v:#}"))
    };
    assert_eq!(count("3GPP_TSG_RAN_WG4_NR-MIMO-OTA.mbox"), 59);
    assert_eq!(count("3GPP_TSG_SA_WG4_EVS.mbox"), 50);
    assert_eq!(count("bigbang-dev-test.txt"), 6);
    assert_eq!(v["skipped"], 0);
}

#[test]
fn table_output_names_formats() {
    let out = crate::common::leadminer([std::ffi::OsString::from("stats"), crate::common::root().join("examples/data").into_os_string()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for format in ["[reddit]", "[hackernews]", "[discourse]", "[stackexchange-posts]", "[mbox]"] {
        assert!(text.contains(format), "{format} missing in:\n{text}");
    }
    assert!(text.contains("total: 21 posts"), "{text}");
}
