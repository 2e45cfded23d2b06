//! Reddit, Hacker News and Discourse readers: snapshots of the parsed posts
//! for every variant, and corrupted input that is skipped, counted and
//! located while the good records around it are still read.

use leadminer_core::pipeline::read_all;
use leadminer_core::read::{ErrorKind, ReadError, ReadOptions};
use leadminer_core::{Post, PostKind};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
}

fn read(paths: &[PathBuf]) -> (Vec<Post>, Vec<ReadError>) {
    read_all(paths, &ReadOptions::default()).expect("lenient reading returns Ok")
}

fn ids(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.id.as_str()).collect()
}

fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// Compresses with a 2 GiB window and long-distance matching, the way
/// Pushshift and Arctic Shift write their dumps.
fn zstd_long(bytes: &[u8]) -> Vec<u8> {
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("encoder");
    enc.long_distance_matching(true).expect("ldm");
    enc.window_log(31).expect("window");
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("finish")
}

#[test]
fn reddit_2009_comments_with_string_times() {
    let (posts, skipped) = read(&[fixture("reddit/RC_2009-sample.ndjson")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(posts.len(), 10);
    assert!(posts.iter().all(|p| p.kind == PostKind::Comment && p.created.is_some()));
    assert_eq!(posts.iter().filter(|p| p.author.is_none()).count(), 2, "two [deleted] authors");
    insta::assert_yaml_snapshot!("reddit_2009_comments", posts);
}

#[test]
fn reddit_submissions_of_every_shape() {
    let (posts, skipped) = read(&[fixture("reddit/woodworking_submissions.ndjson")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["a1", "a2", "a3"]);
    let sled = &posts[0];
    assert_eq!(sled.kind, PostKind::Submission);
    assert_eq!(sled.thread.as_deref(), Some("a1"));
    assert!(sled.body.contains("Plans: here (https://example.org/sled) & photos below."), "{}", sled.body);
    assert_eq!(posts[1].score, None, "null score");
    assert_eq!(posts[1].link.as_deref(), Some("https://example.com/joinery"));
    assert_eq!(posts[2].community, "woodworking", "subreddit from the file name");
    assert_eq!((posts[2].author.as_deref(), posts[2].body.as_str()), (None, ""), "removed");
    insta::assert_yaml_snapshot!("reddit_submissions", posts);
}

#[test]
fn reddit_2024_records_with_meta() {
    let (posts, skipped) = read(&[fixture("reddit/RC_2024-01-meta.ndjson")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(posts[1].parent.as_deref(), Some("k9x1"));
    insta::assert_yaml_snapshot!("reddit_2024_meta", posts);
}

#[test]
fn reddit_long_window_zst() {
    let plain = std::fs::read(fixture("reddit/RC_2024-01-meta.ndjson")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let compressed = zstd_long(&plain);
    // The frame really needs the long window: a default decoder refuses it.
    assert!(zstd::stream::decode_all(&compressed[..]).is_err(), "not a long-window frame");
    let zst = temp_file(&dir, "RC_2024-01.zst", &compressed);
    let (posts, skipped) = read(&[zst]);
    assert!(skipped.is_empty(), "{skipped:?}");
    let (direct, _) = read(&[fixture("reddit/RC_2024-01-meta.ndjson")]);
    assert_eq!(posts, direct);
}

#[test]
fn reddit_bad_lines_are_skipped_and_located() {
    let good = std::fs::read_to_string(fixture("reddit/RC_2009-sample.ndjson")).expect("fixture");
    let lines: Vec<&str> = good.lines().collect();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(format!("{}\n{}\n", lines[0], lines[1]).as_bytes());
    let bad_json_at = bytes.len() as u64;
    bytes.extend_from_slice(b"{\"id\": \"broken\", \"body\": \n");
    let bad_utf8_at = bytes.len() as u64;
    bytes.extend_from_slice(b"{\"id\":\"x\",\"body\":\"\xff\xfe\",\"link_id\":\"t3_q\"}\n");
    bytes.extend_from_slice(format!("{}\n", lines[2]).as_bytes());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "RC_2009-06.ndjson", &bytes);
    let (posts, skipped) = read(std::slice::from_ref(&path));
    assert_eq!(ids(&posts), ["c09yi51", "c09yi52", "c09yi53"], "good lines before and after");
    assert_eq!(skipped.len(), 2);
    assert_eq!((skipped[0].kind, skipped[0].line, skipped[0].offset), (ErrorKind::Record, Some(3), Some(bad_json_at)));
    assert_eq!((skipped[1].line, skipped[1].offset), (Some(4), Some(bad_utf8_at)));
    let shown = skipped[0].to_string();
    assert!(shown.contains("RC_2009-06.ndjson: line 3: byte") && shown.contains("invalid JSON"), "{shown}");

    // --strict: the first error.
    let strict = read_all(&[path], &ReadOptions { strict: true, ..ReadOptions::default() }).expect_err("strict");
    assert_eq!(strict.line, Some(3));
}

#[test]
fn reddit_truncated_zst_keeps_what_came_before() {
    let mut plain = Vec::new();
    for i in 0..3000 {
        plain.extend_from_slice(
            format!("{{\"id\":\"c{i}\",\"author\":\"a{}\",\"body\":\"comment number {i} with some text to compress\",\"subreddit\":\"DIY\",\"created_utc\":{},\"link_id\":\"t3_x\"}}\n", i % 7, 1_600_000_000 + i)
                .as_bytes(),
        );
    }
    let compressed = zstd_long(&plain);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "RC_2020-09.zst", &compressed[..compressed.len() * 2 / 3]);
    let (posts, skipped) = read(&[path]);
    assert!(!posts.is_empty() && posts.len() < 3000, "read {} posts", posts.len());
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].kind, ErrorKind::Stream);
    assert!(skipped[0].offset.is_some() && skipped[0].to_string().contains("RC_2020-09.zst"), "{}", skipped[0]);
    for (i, p) in posts.iter().enumerate() {
        assert_eq!(p.id, format!("c{i}"), "records are read in order, none lost before the break");
    }
}

#[test]
fn hackernews_array_and_ndjson() {
    let (posts, skipped) = read(&[fixture("hackernews/items.json"), fixture("hackernews/comments.ndjson")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["101", "103", "104", "105", "102", "106"]);
    let show = &posts[0];
    assert_eq!(show.title.as_deref(), Some("Show HN: Tilewatch – tiles my windows"));
    assert_eq!(show.tags, ["show-hn"]);
    assert!(show.body.contains("https://github.com/tiler/tilewatch"));
    assert_eq!(show.regions.len(), 1, "the code block");
    assert_eq!(posts[1].tags, ["ask-hn"]);
    assert_eq!(posts[2].link.as_deref(), Some("https://example.com/article"));
    assert_eq!((posts[3].kind, posts[3].author.as_deref()), (PostKind::Comment, None), "deleted comment");
    assert_eq!(posts[4].parent.as_deref(), Some("101"));
    assert_eq!(posts[5].kind, PostKind::Story, "a job is a story");
    insta::assert_yaml_snapshot!("hackernews_items", posts);
}

#[test]
fn hackernews_bad_array_element_is_skipped_alone() {
    let bytes = br#"[{"by":"a","id":1,"time":1400000001,"title":"One","type":"story"},
{"by":"b","id":2,"time":1400000002,"title":"Two","type":"story","score":},
{"by":"c","id":3,"time":1400000003,"title":"Three","type":"story"}]"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "items.json", bytes);
    let (posts, skipped) = read(&[path]);
    assert_eq!(ids(&posts), ["1", "3"]);
    assert_eq!(skipped.len(), 1);
    assert_eq!((skipped[0].kind, skipped[0].line), (ErrorKind::Record, Some(2)));
    let at = bytes.iter().position(|&b| b == b'\n').expect("newline") as u64 + 1;
    assert_eq!(skipped[0].offset, Some(at));
}

#[test]
fn hackernews_truncated_array_keeps_earlier_items() {
    let bytes = br#"[{"by":"a","id":1,"time":1400000001,"title":"One","type":"story"},{"by":"b","id":2,"time":2,"ti"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "items.json", bytes);
    let (posts, skipped) = read(&[path]);
    assert_eq!(ids(&posts), ["1"]);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].kind, ErrorKind::Stream);
    assert!(skipped[0].to_string().contains("truncated JSON array"), "{}", skipped[0]);
}

#[test]
fn discourse_topic() {
    let (posts, skipped) = read(&[fixture("discourse/terrain-water-shader.7.json")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["70", "71", "72"]);
    assert!(posts.iter().all(|p| p.community == "forum.example.org" && p.thread.as_deref() == Some("7")));
    assert_eq!(posts[0].title.as_deref(), Some("Terrain & water shader"));
    assert_eq!(posts[0].tags, ["showcase", "glsl"]);
    assert_eq!(posts[1].parent.as_deref(), Some("70"));
    assert_eq!(posts[2].parent.as_deref(), Some("70"), "a reply to the topic");
    assert!(posts[2].accepted);
    let quote = posts[1].regions.iter().find(|r| r.kind == leadminer_core::RegionKind::Quote).expect("quote region");
    assert!(posts[1].body[quote.range()].contains("I wrote a water shader."));
    insta::assert_yaml_snapshot!("discourse_topic", posts);
}

#[test]
fn discourse_broken_topic_file_is_skipped_and_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = std::fs::read(fixture("discourse/terrain-water-shader.7.json")).expect("fixture");
    temp_file(&dir, "a-topic.7.json", &good);
    temp_file(&dir, "b-broken.8.json", &good[..good.len() / 2]);
    temp_file(&dir, "c-topic.9.json", &good);
    let (posts, skipped) = read(&[dir.path().to_path_buf()]);
    assert_eq!(posts.len(), 6, "both good topics");
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].path.ends_with("b-broken.8.json"), "{}", skipped[0]);
    assert_eq!(skipped[0].kind, ErrorKind::Record);
}

#[test]
fn unknown_format_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "notes.bin", b"\x00\x01\x02 binary");
    let (posts, skipped) = read(&[path]);
    assert!(posts.is_empty());
    assert_eq!(skipped[0].kind, ErrorKind::Format);
    assert!(skipped[0].to_string().contains("unknown format: name it with --format"), "{}", skipped[0]);
}

#[test]
fn discourse_host_from_participants_when_posts_have_cdn_avatars() {
    let src = std::fs::read_to_string(fixture("discourse/terrain-water-shader.7.json")).expect("fixture");
    let mut topic: serde_json::Value = serde_json::from_str(&src).expect("JSON");
    for post in topic["post_stream"]["posts"].as_array_mut().expect("posts") {
        post["avatar_template"] = serde_json::json!("https://avatars.discourse-cdn.com/v4/letter/s/{size}.png");
    }
    topic["details"] = serde_json::json!({"participants": [{"avatar_template": "/user_avatar/forum.example.org/fan/{size}/2.png"}]});
    let dir = tempfile::tempdir().expect("temp dir");
    let path = temp_file(&dir, "terrain.7.json", topic.to_string().as_bytes());
    let (posts, skipped) = read(&[path]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(posts.iter().all(|p| p.community == "forum.example.org"), "{:?}", posts.iter().map(|p| &p.community).collect::<Vec<_>>());
}
