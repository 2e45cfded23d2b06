//! Stack Exchange `Posts.xml` and `Comments.xml` through `read_all`.

use leadminer_core::pipeline::read_all;
use leadminer_core::read::{stackexchange, ErrorKind, ReadError, ReadOptions};
use leadminer_core::{Post, PostKind};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stackexchange")
        .join(name)
}

fn read(paths: &[PathBuf]) -> (Vec<Post>, Vec<ReadError>) {
    read_all(paths, &ReadOptions::default()).expect("lenient reading returns Ok")
}

fn ids(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.id.as_str()).collect()
}

/// Writes `bytes` to a new file named `name` in a temporary folder.
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
fn real_excerpt_datascience_meta() {
    let (posts, skipped) = read(&[fixture("datascience.meta.Posts.xml")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["6", "13", "17", "79", "93"]);
    assert!(posts
        .iter()
        .all(|p| p.community == "datascience.meta.stackexchange.com"));
    assert!(posts.iter().all(|p| p.kind == PostKind::Question));
    insta::assert_yaml_snapshot!("datascience_meta_posts", posts);
}

#[test]
fn old_format_in_site_folder() {
    let (posts, skipped) = read(&[fixture("diy.stackexchange.com/Posts.xml")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["1", "2", "3", "4", "5"]);
    let question = &posts[0];
    assert_eq!(question.tags, ["electrical", "ceiling-fan", "noise"]);
    assert_eq!(question.accepted_answer.as_deref(), Some("3"));
    let accepted = posts
        .iter()
        .find(|p| Some(&p.id) == question.accepted_answer.as_ref())
        .expect("accepted answer in the dump");
    assert_eq!(accepted.kind, PostKind::Answer);
    assert_eq!(accepted.thread.as_deref(), Some("1"));
    assert_eq!(accepted.url.as_deref(), Some("https://diy.stackexchange.com/a/3"));
    assert_eq!(posts[1].author.as_deref(), Some("Bob the Builder"));
    assert_eq!(posts[3].kind, PostKind::Other);
    assert_eq!(posts[3].author, None);
    insta::assert_yaml_snapshot!("diy_posts_old_format", posts);
}

#[test]
fn comments() {
    let (posts, skipped) = read(&[fixture("diy.stackexchange.com/Comments.xml")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(ids(&posts), ["10", "11", "12"]);
    assert!(posts.iter().all(|p| p.kind == PostKind::Comment));
    assert_eq!(posts[1].parent.as_deref(), Some("3"));
    assert_eq!(posts[1].thread.as_deref(), Some("3"));
    insta::assert_yaml_snapshot!("diy_comments", posts);
}

#[test]
fn site_folder_reads_posts_and_comments() {
    let (posts, skipped) = read(&[fixture("diy.stackexchange.com")]);
    assert!(skipped.is_empty(), "{skipped:?}");
    // Sorted file order: Comments.xml before Posts.xml.
    assert_eq!(ids(&posts), ["10", "11", "12", "1", "2", "3", "4", "5"]);
    assert!(posts.iter().all(|p| p.community == "diy.stackexchange.com"));
}

/// Rows that are well-formed XML but bad records are skipped one by one.
#[test]
fn corrupt_rows_are_skipped_alone() {
    let mut xml = Vec::new();
    xml.extend_from_slice(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<posts>\r\n");
    xml.extend_from_slice(b"  <row Id=\"1\" PostTypeId=\"1\" Title=\"first\" Body=\"&lt;p&gt;ok&lt;/p&gt;\" />\r\n");
    xml.extend_from_slice(b"  <row Id=\"2\" PostTypeId=\"1\" Score=7 Body=\"unquoted score\" />\r\n");
    xml.extend_from_slice(b"  <row Id=\"3\" PostTypeId=\"2\" ParentId=\"1\" Body=\"&bogus; entity\" />\r\n");
    xml.extend_from_slice(b"  <row Id=\"4\" PostTypeId=\"2\" ParentId=\"1\" Body=\"bad \xFF\xFE bytes\" />\r\n");
    xml.extend_from_slice(b"  <row PostTypeId=\"2\" ParentId=\"1\" Body=\"no id\" />\r\n");
    xml.extend_from_slice(b"  <row Id=\"6\" PostTypeId=\"2\" ParentId=\"1\" Body=\"last\" />\r\n</posts>");
    let (_dir, path) = temp_file("bad.Posts.xml", &xml);
    let (posts, skipped) = read(std::slice::from_ref(&path));
    assert_eq!(ids(&posts), ["1", "6"], "good rows before and after the bad ones");
    assert_eq!(skipped.len(), 4, "{skipped:#?}");
    let expected = [
        (&b"<row Id=\"2\""[..], Some("2"), "malformed attribute"),
        (&b"<row Id=\"3\""[..], Some("3"), "attribute `Body`"),
        (&b"<row Id=\"4\""[..], None, "invalid UTF-8"),
        (&b"<row PostTypeId"[..], None, "without an `Id`"),
    ];
    for (err, (row, record, message)) in skipped.iter().zip(expected) {
        let (offset, line) = locate(&xml, row);
        assert_eq!(err.kind, ErrorKind::Record);
        assert_eq!(err.path, path);
        assert_eq!(err.offset, Some(offset), "{err}");
        assert_eq!(err.line, Some(line), "{err}");
        assert_eq!(err.record.as_deref(), record, "{err}");
        assert!(err.message.contains(message), "{err}");
        let shown = err.to_string();
        assert!(
            shown.contains("bad.Posts.xml") && shown.contains(&format!("line {line}")),
            "{shown}"
        );
    }
}

/// A download cut inside a row: the rows before the cut are read, the cut
/// is a stream error at the broken row's offset.
#[test]
fn truncated_inside_a_row() {
    let full = std::fs::read(fixture("datascience.meta.Posts.xml")).expect("fixture");
    let (row_offset, row_line) = locate(&full, b"<row Id=\"17\"");
    let cut = &full[..row_offset as usize + 200];
    let (_dir, path) = temp_file("datascience.meta.Posts.xml", cut);
    let (posts, skipped) = read(std::slice::from_ref(&path));
    assert_eq!(ids(&posts), ["6", "13"]);
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    let err = &skipped[0];
    assert_eq!(err.kind, ErrorKind::Stream);
    assert_eq!(err.path, path);
    assert_eq!(err.offset, Some(row_offset), "{err}");
    assert_eq!(err.line, Some(row_line), "{err}");
    assert!(err.message.contains("malformed XML"), "{err}");
}

/// A download cut between rows: every row is read and the missing end of
/// the document is still reported.
#[test]
fn truncated_between_rows() {
    let full = std::fs::read(fixture("datascience.meta.Posts.xml")).expect("fixture");
    let (end, _) = locate(&full, b"</posts>");
    let (_dir, path) = temp_file("datascience.meta.Posts.xml", &full[..end as usize]);
    let (posts, skipped) = read(std::slice::from_ref(&path));
    assert_eq!(posts.len(), 5);
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0].kind, ErrorKind::Stream);
    assert_eq!(skipped[0].offset, Some(end));
    assert!(skipped[0].message.contains("truncated"), "{}", skipped[0]);
}

/// Broken markup in the middle loses only itself: it is counted with its
/// location and the rows after it are read.
#[test]
fn malformed_markup_loses_only_itself() {
    let xml = b"<?xml version=\"1.0\"?>\n<comments>\n  <row Id=\"1\" PostId=\"5\" Text=\"a\" />\n  </oops>\n  <row Id=\"2\" PostId=\"5\" Text=\"b\" />\n</comments>\n";
    let (_dir, path) = temp_file("Comments.xml", xml);
    let (posts, skipped) = read(std::slice::from_ref(&path));
    assert_eq!(ids(&posts), ["1", "2"]);
    assert_eq!(skipped.len(), 1);
    let (offset, line) = locate(xml, b"</oops>");
    assert_eq!(skipped[0].kind, ErrorKind::Record);
    assert_eq!(skipped[0].offset, Some(offset), "{}", skipped[0]);
    assert_eq!(skipped[0].line, Some(line), "{}", skipped[0]);
}

/// An unterminated quote cuts one row off at the next `<`: that row is
/// skipped, the ones after it are read.
#[test]
fn an_unterminated_quote_loses_one_row() {
    let mut xml = b"<?xml version=\"1.0\"?>\n<posts>\n".to_vec();
    for i in 1..=12 {
        let body = if i == 3 { "\"broken".to_string() } else { format!("\"row {i}\"") };
        xml.extend_from_slice(format!("  <row Id=\"{i}\" PostTypeId=\"1\" Body={body} />\n").as_bytes());
    }
    xml.extend_from_slice(b"</posts>\n");
    let (_dir, path) = temp_file("Posts.xml", &xml);
    let (posts, skipped) = read(std::slice::from_ref(&path));
    let expected: Vec<String> = (1..=12).filter(|i| *i != 3).map(|i| i.to_string()).collect();
    assert_eq!(ids(&posts), expected);
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    let (offset, line) = locate(&xml, b"<row Id=\"3\"");
    assert_eq!((skipped[0].kind, skipped[0].offset, skipped[0].line), (ErrorKind::Record, Some(offset), Some(line)));
}

/// A row longer than the record limit is skipped, the others read.
#[test]
fn an_oversized_row_is_skipped() {
    let mut xml = b"<posts>\n<row Id=\"1\" PostTypeId=\"1\" Body=\"ok\" />\n".to_vec();
    xml.extend_from_slice(format!("<row Id=\"2\" PostTypeId=\"1\" Body=\"{}\" />\n", "x".repeat(5000)).as_bytes());
    xml.extend_from_slice(b"<row Id=\"3\" PostTypeId=\"1\" Body=\"ok\" />\n</posts>\n");
    let (_dir, path) = temp_file("Posts.xml", &xml);
    let options = ReadOptions { max_record: 1000, ..ReadOptions::default() };
    let (posts, skipped) = read_all(std::slice::from_ref(&path), &options).expect("lenient");
    assert_eq!(ids(&posts), ["1", "3"]);
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert!(skipped[0].message.contains("record limit"), "{}", skipped[0]);
}

#[test]
fn strict_mode_fails_on_the_first_bad_row() {
    let xml = b"<posts>\n<row Id=\"1\" PostTypeId=\"1\" Body=\"ok\" />\n<row Id=\"2\" PostTypeId=\"1\" Body=\"&nope;\" />\n</posts>\n";
    let (_dir, path) = temp_file("Posts.xml", xml);
    let options = ReadOptions {
        strict: true,
        ..ReadOptions::default()
    };
    let err = read_all(std::slice::from_ref(&path), &options).expect_err("strict reading fails");
    assert_eq!(err.kind, ErrorKind::Record);
    assert_eq!(err.record.as_deref(), Some("2"));
    assert_eq!(err.line, Some(3));
    assert_eq!(err.path, path);
}

/// A comments file forced as posts still reads comment rows as comments.
#[test]
fn forced_format() {
    let options = ReadOptions {
        format: Some(stackexchange::POSTS),
        ..ReadOptions::default()
    };
    let (posts, skipped) = read_all(&[fixture("diy.stackexchange.com/Comments.xml")], &options).expect("ok");
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(posts.iter().all(|p| p.kind == PostKind::Comment));
}
