//! Generic JSON lines and CSV read through a field mapping: same-named
//! fields by default, `--map` overrides.

use leadminer_core::pipeline::read_all;
use leadminer_core::read::{generic, BodyFormat, ErrorKind, FieldMap, ReadError, ReadOptions};
use leadminer_core::{Post, PostKind, Source};
use std::path::{Path, PathBuf};

const FORUM_MAP: &str =
    "id=post_id,body=text,author=user.name,created=ts,title=subject,thread=topic_id,parent=reply_to,score=likes,url=link,kind=type";
const REVIEWS_MAP: &str = "id=id,body=review,author=reviewer,created=date,community=store,score=stars,title=headline";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/generic")
        .join(name)
}

fn options(map: &str) -> ReadOptions {
    ReadOptions {
        map: Some(map.parse().expect("valid mapping")),
        ..ReadOptions::default()
    }
}

fn read(path: &Path, map: &str) -> (Vec<Post>, Vec<ReadError>) {
    read_all(&[path.to_path_buf()], &options(map)).expect("lenient reading returns Ok")
}

fn ids(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.id.as_str()).collect()
}

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    (dir, path)
}

/// Byte offset and 1-based line of the first occurrence of `needle`.
fn locate(haystack: &[u8], needle: &[u8]) -> (u64, u64) {
    let at = haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in haystack");
    let line = haystack[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    (at as u64, line)
}

#[test]
fn jsonl_with_mapping() {
    let (posts, skipped) = read(&fixture("forum.jsonl"), FORUM_MAP);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["101", "102", "103", "104"]);
    assert!(posts
        .iter()
        .all(|p| p.source == Source::Generic && p.community == "forum"));
    let kinds: Vec<_> = posts.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [PostKind::Topic, PostKind::Reply, PostKind::Comment, PostKind::Other]
    );
    assert_eq!(posts[0].thread.as_deref(), Some("101"), "a topic is its own thread");
    assert_eq!(posts[2].author, None, "[deleted] is no author");
    assert_eq!(posts[2].created, Some(1_600_000_100), "milliseconds");
    insta::assert_yaml_snapshot!("forum_jsonl", posts);
}

#[test]
fn csv_with_mapping() {
    let (posts, skipped) = read(&fixture("shop-reviews.csv"), REVIEWS_MAP);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["r1", "r2", "r3"], "the BOM does not hide the `id` column");
    assert_eq!(posts[0].community, "tools-direct");
    assert_eq!(posts[1].title.as_deref(), Some("Too \"heavy\""));
    assert_eq!(posts[1].body, "Line one.\nLine two, after a newline.");
    insta::assert_yaml_snapshot!("shop_reviews_csv", posts);
}

#[test]
fn jsonl_bad_lines_are_skipped_alone() {
    let data: &[u8] = b"{\"post_id\": 1, \"text\": \"first\"}\n\
        {\"post_id\": 2, \"text\": \"cut off\n\
        [1, 2, 3]\n\
        {\"text\": \"no id\"}\n\
        {\"post_id\": 5}\n\
        {\"post_id\": 6, \"text\": \"bad \xFF byte\"}\n\
        \n\
        {\"post_id\": 7, \"text\": \"last\"}\n";
    let (_dir, path) = temp_file("scraped.jsonl", data);
    let (posts, skipped) = read(&path, "id=post_id,body=text");
    assert_eq!(ids(&posts), ["1", "7"], "good lines before and after the bad ones");
    assert!(posts.iter().all(|p| p.community == "scraped"));
    assert_eq!(skipped.len(), 5, "{skipped:#?}");
    let expected = [
        (&b"{\"post_id\": 2"[..], None, "invalid JSON"),
        (&b"[1, 2, 3]"[..], None, "expected a JSON object"),
        (&b"{\"text\": \"no id\"}"[..], None, "without an id (field `post_id`)"),
        (&b"{\"post_id\": 5}"[..], Some("5"), "without a body (field `text`)"),
        (&b"{\"post_id\": 6"[..], None, "invalid JSON"),
    ];
    for (err, (line_start, record, message)) in skipped.iter().zip(expected) {
        let (offset, line) = locate(data, line_start);
        assert_eq!(err.kind, ErrorKind::Record);
        assert_eq!(err.path, path);
        assert_eq!((err.line, err.offset), (Some(line), Some(offset)), "{err}");
        assert_eq!(err.record.as_deref(), record, "{err}");
        assert!(err.message.contains(message), "{err}");
        assert!(err.to_string().contains("scraped.jsonl"), "{err}");
    }
}

#[test]
fn csv_bad_rows_are_skipped_alone() {
    let data: &[u8] = b"id,text,score\n\
        a,first,1\n\
        b,too,many,fields\n\
        c,short\n\
        d,\"bad \xFF byte\",4\n\
        e,last,5\n";
    let (_dir, path) = temp_file("rows.csv", data);
    let (posts, skipped) = read(&path, "id=id,body=text,score=score");
    assert_eq!(ids(&posts), ["a", "e"], "good rows before and after the bad ones");
    assert_eq!(posts[1].score, Some(5));
    assert_eq!(skipped.len(), 3, "{skipped:#?}");
    let expected = [
        (&b"b,too"[..], "row has 4 fields, the header has 3"),
        (&b"c,short"[..], "row has 2 fields, the header has 3"),
        (&b"d,\"bad"[..], "column 2 (text) is not valid UTF-8"),
    ];
    for (err, (row, message)) in skipped.iter().zip(expected) {
        let (offset, line) = locate(data, row);
        assert_eq!(err.kind, ErrorKind::Record);
        assert_eq!(err.path, path);
        assert_eq!((err.line, err.offset), (Some(line), Some(offset)), "{err}");
        assert!(err.message.contains(message), "{err}");
        assert!(err.to_string().contains("rows.csv"), "{err}");
    }
}

#[test]
fn csv_an_unbalanced_quote_loses_only_its_row() {
    // Row b opens a quote it never closes: read as one stream it swallows
    // the rows after it up to the next quote.
    let data: &[u8] = b"id,text,score\n\
        a,first,1\n\
        b,\"never closed,2\n\
        c,third,3\n\
        d,\"quoted, with a comma\",4\n\
        e,\"a body over\ntwo lines\",5\n\
        f,last,6\n";
    let (_dir, path) = temp_file("rows.csv", data);
    let (posts, skipped) = read(&path, "id=id,body=text,score=score");
    assert_eq!(ids(&posts), ["a", "c", "d", "e", "f"]);
    assert_eq!(posts[2].body, "quoted, with a comma");
    assert_eq!(posts[3].body, "a body over\ntwo lines");
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    let (offset, line) = locate(data, b"b,");
    assert_eq!((skipped[0].line, skipped[0].offset), (Some(line), Some(offset)), "{}", skipped[0]);
    assert!(skipped[0].message.contains("quote"), "{}", skipped[0]);

    // A quote still open at the end of the file loses its line only.
    let (_dir, path) = temp_file("rows.csv", b"id,text\n1,one\n2,\"open\n3,three\n4,four\n");
    let (posts, skipped) = read(&path, "id=id,body=text");
    assert_eq!(ids(&posts), ["1", "3", "4"]);
    assert_eq!((skipped.len(), skipped[0].line), (1, Some(3)), "{skipped:#?}");

    // With --strict the read stops there and nothing after it is kept.
    let opts = ReadOptions { strict: true, ..options("id=id,body=text") };
    let err = read_all(std::slice::from_ref(&path), &opts).expect_err("strict reading fails");
    assert_eq!(err.line, Some(3));
}

#[test]
fn csv_rows_are_capped_by_the_record_limit() {
    let mut data = b"id,text\n1,one\n2,\"".to_vec();
    for _ in 0..200 {
        data.extend_from_slice(b"a line of an endless quoted field\n");
    }
    data.extend_from_slice(b"\"\n3,three\n");
    let long_line = format!("4,{}\n5,five\n", "x".repeat(5000));
    data.extend_from_slice(long_line.as_bytes());
    let (_dir, path) = temp_file("rows.csv", &data);
    let opts = ReadOptions { max_record: 1000, ..options("id=id,body=text") };
    let (posts, skipped) = read_all(&[path], &opts).expect("lenient");
    // Row 2 gives up at the limit; its lines are read again as rows of one
    // field each, which are counted too; the row of 5000 bytes is skipped.
    assert_eq!(posts.first().map(|p| p.id.as_str()), Some("1"));
    assert_eq!(posts.iter().rev().take(2).map(|p| p.id.as_str()).collect::<Vec<_>>(), ["5", "3"]);
    assert!(skipped.iter().any(|e| e.line == Some(3) && e.message.contains("record limit")), "{skipped:#?}");
    assert!(skipped.iter().any(|e| e.line == Some(205) && e.message.contains("record limit")), "{skipped:#?}");
}

#[test]
fn csv_without_the_mapped_body_column_is_refused() {
    let (_dir, path) = temp_file("rows.csv", b"id,content\n1,hello\n");
    let (posts, skipped) = read(&path, "id=id,body=text");
    assert!(posts.is_empty());
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].kind, ErrorKind::Format);
    assert!(skipped[0].message.contains("no column 'text'"), "{}", skipped[0]);
    assert!(skipped[0].message.contains("id, content"), "{}", skipped[0]);
}

#[test]
fn strict_mode_fails_on_the_first_bad_record() {
    let (_dir, path) = temp_file("x.jsonl", b"{\"id\": 1, \"body\": \"ok\"}\nnot json\n");
    let opts = ReadOptions {
        strict: true,
        format: Some(generic::JSONL),
        ..options("id=id,body=body")
    };
    let err = read_all(std::slice::from_ref(&path), &opts).expect_err("strict reading fails");
    assert_eq!(err.kind, ErrorKind::Record);
    assert_eq!(err.line, Some(2));
    assert_eq!(err.path, path);

    let (_dir, path) = temp_file("x.csv", b"id,body\n1,ok\n2,too,long\n");
    let opts = ReadOptions {
        strict: true,
        ..options("id=id,body=body")
    };
    let err = read_all(std::slice::from_ref(&path), &opts).expect_err("strict reading fails");
    assert_eq!(err.line, Some(3));
}

#[test]
fn csv_without_an_id_column_names_the_columns_it_has() {
    let (posts, skipped) = read_all(&[fixture("shop-reviews.csv")], &ReadOptions::default()).expect("ok");
    assert!(posts.is_empty());
    assert!(skipped[0].message.contains("no column 'body'"), "{}", skipped[0]);
}

#[test]
fn same_named_fields_need_no_mapping() {
    let lines = concat!(
        r#"{"id":"t-1","thread":"t-1","author":"ann","created":"2015-03-01T10:00:00Z","title":"Bench power supply","#,
        r#""community":"bench","url":"https://example.org/t/1","kind":"topic","score":4,"#,
        r#""body":"Rebuilt an old PSU.\n<br>Pictures below:<br><img src=\"a.jpg\"> and a <b>fuse</b>."}"#,
        "\n",
        r#"{"id":"t-2","thread":"t-1","parent":"t-1","author":"bob","kind":"reply","body":"Nice, 3 < 4 and <3"}"#,
        "\n"
    );
    let (_dir, path) = temp_file("bench.jsonl", lines.as_bytes());
    let (posts, skipped) = read_all(std::slice::from_ref(&path), &ReadOptions::default()).expect("ok");
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["t-1", "t-2"]);
    let (topic, reply) = (&posts[0], &posts[1]);
    assert_eq!(topic.kind, PostKind::Topic);
    assert_eq!(topic.author.as_deref(), Some("ann"));
    assert_eq!(topic.created, Some(1_425_204_000));
    assert_eq!(topic.title.as_deref(), Some("Bench power supply"));
    assert_eq!(topic.community, "bench");
    assert_eq!(topic.url.as_deref(), Some("https://example.org/t/1"));
    assert_eq!(topic.score, Some(4));
    assert_eq!(topic.body, "Rebuilt an old PSU.\nPictures below:\nand a fuse.");
    assert_eq!(reply.kind, PostKind::Reply);
    assert_eq!(reply.thread.as_deref(), Some("t-1"));
    assert_eq!(reply.parent.as_deref(), Some("t-1"));
    assert_eq!(reply.body, "Nice, 3 < 4 and <3");

    // --map overrides one target and keeps the other defaults; an empty
    // source leaves a target unread; --body-format forces the reading.
    let opts = ReadOptions {
        map: Some("author=community,kind=".parse().expect("valid")),
        body_format: BodyFormat::Text,
        ..ReadOptions::default()
    };
    let (posts, _) = read_all(std::slice::from_ref(&path), &opts).expect("ok");
    assert_eq!(posts[0].author.as_deref(), Some("bench"));
    // Its kind unread, a record with a title and no parent starts a thread.
    assert_eq!(posts[0].kind, PostKind::Topic);
    assert_eq!(posts[0].title.as_deref(), Some("Bench power supply"));
    assert!(posts[0].body.contains("<br>"), "{}", posts[0].body);
}

#[test]
fn field_map_specs() {
    let map: FieldMap = FORUM_MAP.parse().expect("valid");
    assert_eq!(map.source("author"), Some("user.name"));
    assert_eq!(map.source("community"), Some("community"));
    assert_eq!(map.to_string().replace(",community=community", ""), FORUM_MAP);
    for target in FieldMap::targets() {
        assert!(map.to_string().contains(&format!("{target}=")));
    }

    let bad = |spec: &str| spec.parse::<FieldMap>().expect_err(spec);
    assert!(bad("id=a,body=b,writer=c").contains("unknown target field 'writer'"));
    assert!(bad("id=a body=b").contains("separate mappings with commas"));
    assert!(bad("id=a,text").contains("has no '='"));
    assert!(bad("id=a,body=b,body=c").contains("mapped twice"));
    assert!(bad("id=,body=b").contains("names no source field"));
}
