//! Damage inside a file loses only what is damaged: readers resynchronise
//! at the next record boundary, count what they skipped with its location,
//! and a concatenation of valid files reads as the sum of its parts.

use leadminer_core::pipeline::read_all;
use leadminer_core::read::{ErrorKind, ReadError, ReadOptions};
use leadminer_core::Post;
use std::path::{Path, PathBuf};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)).expect("fixture")
}

fn read_bytes(name: &str, bytes: &[u8]) -> (Vec<String>, Vec<ReadError>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    let (posts, skipped) = read_all(&[path], &ReadOptions::default()).expect("lenient reading returns Ok");
    (posts.iter().map(|p: &Post| p.id.clone()).collect(), skipped)
}

/// A Hacker News array of `n` stories, one per element, on one line as the
/// dumps are.
fn hn_array(first: u32, n: u32) -> String {
    let items: Vec<String> = (first..first + n)
        .map(|i| (i, 1_400_000_000 + i))
        .map(|(i, t)| format!(r#"{{"by":"u{i}","id":{i},"time":{t},"title":"Story {i} {{with}} [brackets]","type":"story"}}"#))
        .collect();
    format!("[{}]", items.join(","))
}

fn ids(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

#[test]
fn concatenated_arrays_read_as_the_sum_of_their_parts() {
    let one = fixture("hackernews/items.json");
    let (alone, skipped) = read_bytes("items.json", &one);
    assert!(skipped.is_empty());
    let mut twice = one.clone();
    twice.extend_from_slice(&one);
    let (both, skipped) = read_bytes("items.json", &twice);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(both, [alone.clone(), alone].concat());
    let (posts, skipped) = read_bytes("items.json", format!("{}\n{}\n", hn_array(1, 50), hn_array(51, 50)).as_bytes());
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(posts, ids(1..101));
}

#[test]
fn stray_brackets_lose_one_element() {
    let text = hn_array(1, 60).replacen(r#""title":"Story 10 "#, r#""title":"Story 10 "]]]],"#, 1);
    let text = text.replacen(r#"Story 10 "]]]],"#, r#"Story 10 "]]]], "#, 1);
    let (posts, skipped) = read_bytes("items.json", text.as_bytes());
    assert_eq!(posts, [ids(1..10), ids(11..61)].concat());
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let e = &skipped[0];
    assert_eq!(e.kind, ErrorKind::Record);
    let start = text.find(r#"{"by":"u10""#).expect("element 10") as u64;
    assert_eq!(e.offset, Some(start));
    assert!(e.to_string().contains("skipped, resumed at the next element"), "{e}");
}

#[test]
fn an_unterminated_string_loses_one_element() {
    let text = hn_array(1, 50).replacen(r#""title":"Story 2 {with} [brackets]""#, r#""title":"Story 2"#, 1);
    let (posts, skipped) = read_bytes("items.json", text.as_bytes());
    assert_eq!(posts, [ids(1..2), ids(3..51)].concat());
    assert_eq!(skipped.len(), 1, "{skipped:?}");
}

#[test]
fn text_after_the_array_is_counted() {
    let text = format!("{}garbage{{\"id\":1}}\n", hn_array(1, 5));
    let (posts, skipped) = read_bytes("items.json", text.as_bytes());
    assert_eq!(posts, ids(1..6));
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].to_string().contains("text after the end of the array"), "{}", skipped[0]);
}

#[test]
fn strict_stops_at_the_first_damage() {
    let text = hn_array(1, 20).replacen(r#""title":"Story 5 "#, r#""title":"Story 5 "}}"#, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("items.json");
    std::fs::write(&path, &text).expect("write");
    let strict = ReadOptions { strict: true, ..ReadOptions::default() };
    match read_all(&[path], &strict) {
        Err(e) => assert_eq!(e.offset, Some(text.find(r#"{"by":"u5""#).expect("element 5") as u64), "{e}"),
        Ok((posts, skipped)) => panic!("strict reading went on: {} posts, {skipped:?}", posts.len()),
    }
}

#[test]
fn an_error_quotes_a_short_excerpt_of_the_input() {
    let huge = "x".repeat(5 << 20);
    // An element that is a string: the parser quotes it in its error.
    let text = format!(r#"[{{"by":"a","id":1,"time":1400000000,"type":"story"}},"{huge}"]"#);
    let (posts, skipped) = read_bytes("items.json", text.as_bytes());
    assert_eq!(posts, ["1"]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let shown = skipped[0].to_string();
    assert!(shown.len() < 1000, "{} bytes", shown.len());
    assert!(shown.contains("bytes in all"), "{shown}");
}

#[test]
fn an_overlong_line_is_skipped_without_being_held() {
    let mut text = String::new();
    text.push_str(r#"{"id":"a","author":"x","body":"one","subreddit":"s","created_utc":1600000000}"#);
    text.push('\n');
    text.push_str(&format!(r#"{{"id":"b","author":"x","body":"{}","subreddit":"s","created_utc":1600000000}}"#, "y".repeat(10_000)));
    text.push('\n');
    text.push_str(r#"{"id":"c","author":"x","body":"three","subreddit":"s","created_utc":1600000000}"#);
    text.push('\n');
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("RC_2020-01.ndjson");
    std::fs::write(&path, &text).expect("write");
    let options = ReadOptions { max_record: 1000, ..ReadOptions::default() };
    let (posts, skipped) = read_all(&[path], &options).expect("lenient");
    assert_eq!(posts.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!((skipped[0].line, skipped[0].kind), (Some(2), ErrorKind::Record));
    assert!(skipped[0].message.contains("longer than the record limit"), "{}", skipped[0]);
}

#[test]
fn archives_get_one_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes, says) in [
        ("dump.zip", &b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip"[..], "a zip archive: extract it first"),
        ("site.7z", &b"7z\xBC\xAF\x27\x1C\x00\x04rest of a 7z"[..], "a 7z archive: extract it first"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let (posts, skipped) = read_all(&[path], &ReadOptions::default()).expect("lenient");
        assert!(posts.is_empty());
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert_eq!(skipped[0].kind, ErrorKind::Format);
        assert!(skipped[0].to_string().contains(name) && skipped[0].message.contains(says), "{}", skipped[0]);
    }
}

#[test]
fn a_damaged_discourse_post_loses_only_itself() {
    let topic: serde_json::Value =
        serde_json::from_slice(&fixture("discourse/terrain-water-shader.7.json")).expect("fixture is JSON");
    let (whole, skipped) = read_bytes("terrain-water-shader.7.json", &fixture("discourse/terrain-water-shader.7.json"));
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(whole, ["70", "71", "72"]);

    let mut damaged = topic.clone();
    damaged["post_stream"]["posts"][1]["cooked"] = serde_json::json!(12345);
    let bytes = serde_json::to_vec(&damaged).expect("serialize");
    let (posts, skipped) = read_bytes("terrain-water-shader.7.json", &bytes);
    assert_eq!(posts, ["70", "72"]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let e = &skipped[0];
    assert_eq!((e.kind, e.record.as_deref()), (ErrorKind::Record, Some("71")), "{e}");
    assert!(e.message.contains("post of topic 7"), "{e}");
    // Strict reading stops at the lost post.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("terrain-water-shader.7.json");
    std::fs::write(&path, &bytes).expect("write");
    let strict = ReadOptions { strict: true, ..ReadOptions::default() };
    match read_all(&[path], &strict) {
        Err(e) => assert_eq!(e.record.as_deref(), Some("71"), "{e}"),
        Ok((posts, _)) => panic!("strict reading went on with {} posts", posts.len()),
    }
}

#[test]
fn records_after_the_damage_in_a_corrupt_gzip_stream_are_not_trusted() {
    use std::io::Write;
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            r#"{{"id":"c{i}","author":"user{}","body":"Comment {i} about a jig and a router table, with a few words more to fill the line.","subreddit":"s{}","created_utc":{}}}"#,
            i % 97,
            i % 8,
            1_400_000_000 + i
        ));
        text.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).expect("compress");
    let mut bytes = gz.finish().expect("compress");
    let middle = bytes.len() / 2;
    for k in 0..5 {
        bytes[middle + 7 * k] ^= 0x55;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("RC_2014-05.ndjson.gz");
    std::fs::write(&path, &bytes).expect("write");
    let (posts, skipped) = read_all(&[path], &ReadOptions::default()).expect("lenient");

    // Every post read is one of the file's, as written, and they are the
    // ones before the damage: no garbage that happened to parse.
    assert!(!posts.is_empty() && posts.len() < 20_000, "{} posts", posts.len());
    for (i, post) in posts.iter().enumerate() {
        assert_eq!(post.id, format!("c{i}"));
        assert_eq!(post.community, format!("s{}", i % 8));
        assert_eq!(post.author.as_deref(), Some(format!("user{}", i % 97).as_str()));
    }
    assert!(skipped.iter().any(|e| e.kind == ErrorKind::Stream), "{:?}", skipped.last());
    let distrusted = skipped.iter().filter(|e| e.message.starts_with("not trusted")).count();
    assert!(distrusted > 0, "{:?}", &skipped[..3.min(skipped.len())]);
    // Nothing is lost silently: every line is a post or a counted skip,
    // but for the lines the corrupt stream never produced.
    assert!(posts.len() + skipped.len() > 1000, "{} + {}", posts.len(), skipped.len());
}

#[test]
fn a_truncated_gzip_stream_keeps_what_came_before_the_cut() {
    use std::io::Write;
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!(
            r#"{{"id":"c{i}","author":"u","body":"Comment {i}.","subreddit":"s","created_utc":{}}}"#,
            1_400_000_000 + i
        ));
        text.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).expect("compress");
    let bytes = gz.finish().expect("compress");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("RC_2014-05.ndjson.gz");
    std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).expect("write");
    let (posts, skipped) = read_all(&[path], &ReadOptions::default()).expect("lenient");
    assert!(posts.len() > 1000, "{} posts", posts.len());
    assert!(skipped.iter().all(|e| !e.message.starts_with("not trusted")), "{skipped:?}");
    assert!(skipped.iter().any(|e| e.kind == ErrorKind::Stream), "{skipped:?}");
}
