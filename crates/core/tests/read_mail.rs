//! The mail reader (mbox and pipermail) on real and hand-made archives.
//!
//! Fixtures in `fixtures/mail/`: messages cut from the 3GPP list archives in
//! the shared corpora (quoted-printable, base64, RFC 2047 names, lower-case
//! headers, `>From` escaping, a message with no headers but `Archived-At`),
//! the whole `bigbang-dev-test.txt` pipermail archive, and hand-made files
//! for mboxrd escaping, multipart/alternative, HTML-only, missing
//! `Message-ID`/`Date` and gzip compression.

use leadminer_core::pipeline::read_all;
use leadminer_core::read::{mail, ErrorKind, ReadError, ReadOptions};
use leadminer_core::{Post, RegionKind};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name)
}

fn read(path: &Path) -> (Vec<Post>, Vec<ReadError>) {
    read_all(&[path.to_path_buf()], &ReadOptions::default()).expect("a lenient read returns Ok")
}

fn read_ok(name: &str) -> Vec<Post> {
    let (posts, skipped) = read(&fixture(name));
    assert!(skipped.is_empty(), "{name}: {skipped:#?}");
    posts
}

fn quotes(post: &Post) -> Vec<&str> {
    post.regions
        .iter()
        .filter(|r| r.kind == RegionKind::Quote)
        .map(|r| &post.body[r.range()])
        .collect()
}

#[test]
fn snapshots() {
    insta::glob!("fixtures/mail/*", |path| {
        let (posts, skipped) = read(path);
        assert!(skipped.is_empty(), "{}: {skipped:#?}", path.display());
        insta::assert_yaml_snapshot!(posts);
    });
}

#[test]
fn decodes_3gpp_bodies_and_headers() {
    let evs = read_ok("3GPP_TSG_SA_WG4_EVS.mbox");
    assert_eq!(evs.len(), 3);
    // quoted-printable with UTF-8, RFC 2047 display name, lower-case headers
    let tomas = &evs[1];
    assert_eq!(tomas.author.as_deref(), Some("tomas.toftgard@ericsson.com"));
    assert!(
        tomas.body.contains("Tomas Toftgård\nMaster Researcher"),
        "{}",
        tomas.body
    );
    assert!(
        tomas.body.contains("The revision marks are against"),
        "soft line breaks joined"
    );
    assert!(!tomas.body.contains("To unsubscribe"), "LISTSERV footer cut");
    // >From unescaped inside a quoted-printable body
    let tohru = &evs[2];
    assert!(tohru.body.contains(
        "\nFrom the next SA4 meeting, we could use the TOHRU hand raising tool hosted on the ETSI server – we won’t"
    ));
    // an inline `>` quote
    assert_eq!(
        quotes(&evs[0]),
        vec![">   *   Note that Tdoc 571 is currently missing."]
    );
    assert_eq!(
        evs[0].parent.as_deref(),
        Some("SN6PR02MB54567B0763574E96206CD5A1F8769@SN6PR02MB5456.namprd02.prod.outlook.com")
    );
    assert_eq!(
        evs[0].url.as_deref(),
        Some("https://list.etsi.org/scripts/wa.exe?A2=3GPP_TSG_SA_WG4_EVS;71ee4598.2104A&S=")
    );

    let ran = read_ok("3GPP_TSG_RAN_WG4_NR-MIMO-OTA.mbox");
    assert_eq!(ran.len(), 3);
    // address written without angle brackets after an RFC 2047 name
    assert_eq!(ran[0].author.as_deref(), Some("ting-wei.kang@mediatek.com"));
    assert_eq!(ran[0].id, "51d91738e2814d1c85bb6233718f0f5f@mtkmbs02n1.mediatek.inc");
    // Outlook-style reply header starts the quoted tail
    assert!(quotes(&ran[0])[0].starts_with("From: 3GPP_TSG_RAN_WG4_NR-MIMO-OTA [mailto:3GPP_TSG_RAN_WG4_NR-MIMO-OTA@LIST.ETSI.ORG] On Behalf Of Ruixin Wang\nSent:"));
    // base64 body with Chinese text
    assert!(ran[1]
        .body
        .starts_with("Just an update, the 2nd Round online session will be started after the Coffee break."));
    assert!(quotes(&ran[1])[0].starts_with("发件人： Ruixin Wang\n发送时间： 2019-08-29 11:35"));
    // a message with nothing but Archived-At: synthetic id from stem and line
    assert_eq!(ran[2].id, "3GPP_TSG_RAN_WG4_NR-MIMO-OTA:60");
    assert_eq!(ran[2].author, None);
    assert_eq!(ran[2].created, Some(1_629_996_640), "From_ line date");
}

#[test]
fn pipermail_threads_authors_and_community() {
    let posts = read_ok("bigbang-dev-test.txt");
    assert_eq!(posts.len(), 6);
    let root = "CAEYE9Ofmt3TJu2sFOUspRW4v5tx7aY6fbEVnFPvheEbf6iVekA@mail.gmail.com";
    for p in &posts {
        assert_eq!(p.community, "bigbang-dev");
        assert_eq!(p.author.as_deref(), Some("sb@ischool.berkeley.edu"));
        assert!(!p.body.contains("next part"), "{}", p.body);
    }
    assert_eq!(posts[0].thread.as_deref(), Some(root));
    assert_eq!(posts[0].parent, None);
    assert_eq!(posts[2].thread.as_deref(), Some(root));
    assert_eq!(posts[2].parent.as_deref(), Some(posts[1].id.as_str()));
    assert_eq!(posts[2].title.as_deref(), Some("[Bigbang-dev] test"));
    assert_eq!(posts[0].created, Some(1_415_475_452));
    let q = quotes(&posts[1]);
    assert_eq!(q.len(), 1);
    assert!(q[0].starts_with("On Sat, Nov 8, 2014 at 11:37 AM") && q[0].ends_with("> this is a test\n>"));
}

#[test]
fn mboxrd_escaping_is_undone() {
    let posts = read_ok("mboxrd-escaping.mbox");
    assert_eq!(posts.len(), 2);
    let body = &posts[0].body;
    assert!(body.contains("\nFrom the photos you can see"), "{body}");
    // `>>From` was a quoted `>From` line of the original: one `>` is left
    // and the line is a quote.
    assert!(
        quotes(&posts[0]).contains(&">From your first mail, quoted: \"use toggle clamps\"."),
        "{body}"
    );
    assert!(body.contains("\nFrom my experience a body line"), "{body}");
    assert!(posts[1].body.starts_with("From the start I used plywood."));
    assert_eq!(posts[0].author.as_deref(), Some("alice@example.org"));
}

#[test]
fn multipart_prefers_plain_text_and_drops_attachments_and_footer() {
    let posts = read_ok("multipart-alternative.mbox");
    assert_eq!(posts.len(), 2);
    let p = &posts[0];
    assert!(p.body.starts_with("Café tables need a naïve approach"), "{}", p.body);
    assert!(!p.body.contains('<'));
    assert_eq!(p.title.as_deref(), Some("Re: Cork on the fence – résumé"));
    assert_eq!(p.author.as_deref(), Some("rene.dupont@example.fr"));
    assert_eq!(p.community, "tools.lists.example.org");
    assert_eq!(p.parent.as_deref(), Some("cork-2@example.org"));
    assert_eq!(p.thread.as_deref(), Some("cork-1@example.org"));
    assert_eq!(
        p.url.as_deref(),
        Some("https://lists.example.org/archives/tools/msg00042.html")
    );
    assert_eq!(
        quotes(p),
        vec!["On Tue, 5 Mar 2024, Alice Example wrote:\n> Which fence do you use?"]
    );
    let p = &posts[1];
    assert_eq!(
        p.body,
        "I wired a relay so the dust collector starts with the table saw.\nThe schematic is attached."
    );
}

#[test]
fn html_only_message_goes_through_the_html_converter() {
    let posts = read_ok("html-only.mbox");
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert!(
        p.body
            .starts_with("I made a humidity sensor (https://example.org/sensor) for my greenhouse & it works."),
        "{}",
        p.body
    );
    assert_eq!(quotes(p), vec!["Has anyone automated the vents?"]);
    assert!(p
        .regions
        .iter()
        .any(|r| r.kind == RegionKind::Code && &p.body[r.range()] == "if rh > 80: open_vent()"));
    assert_eq!(p.community, "garden.lists.example.org");
    assert_eq!(p.created, Some(1_709_865_899));
}

#[test]
fn missing_message_id_and_date_fall_back() {
    let posts = read_ok("no-message-id.mbox");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].id, "no-message-id:1");
    assert_eq!(posts[0].thread.as_deref(), Some("no-message-id:1"));
    assert_eq!(posts[0].author.as_deref(), Some("Jane Doe"));
    assert_eq!(posts[0].created, Some(1_707_813_000), "From_ line date, read as UTC");
    // References without In-Reply-To; an unparseable Date
    assert_eq!(posts[1].parent.as_deref(), Some("sander-2@example.org"));
    assert_eq!(posts[1].thread.as_deref(), Some("sander-1@example.org"));
    assert_eq!(posts[1].created, Some(1_707_904_800));
}

#[test]
fn gzip_mbox_is_read() {
    let posts = read_ok("compressed.mbox.gz");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].community, "compressed");
    assert_eq!(posts[1].parent.as_deref(), Some("gz-1@example.org"));
}

/// An mbox with a From_ line followed by garbage between good messages, and
/// a message with invalid UTF-8 and a multipart body that never ends.
fn corrupt_mbox() -> (Vec<u8>, u64, u64) {
    let mut data = Vec::new();
    data.extend_from_slice(
        b"From a@example.org Mon Jan  1 10:00:00 2024\n\
          From: a@example.org\nSubject: first\nMessage-ID: <first@x>\n\nfirst body\n\n",
    );
    let garbage_offset = data.len() as u64;
    let garbage_line = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    data.extend_from_slice(
        b"From junk Mon Jan  1 10:01:00 2024\n\x00\x01\x02\xff\xfe binary junk\n\x7fELF\x02\x01\n\n",
    );
    data.extend_from_slice(
        b"From b@example.org Mon Jan  1 10:02:00 2024\n\
          From: b@example.org\nSubject: broken\nMessage-ID: <broken@x>\n\
          Content-Type: multipart/mixed; boundary=\"never\"\n\n\
          --never\nContent-Type: text/plain; charset=utf-8\n\nbad bytes \xff\xfe here\n\n",
    );
    data.extend_from_slice(
        b"From c@example.org Mon Jan  1 10:03:00 2024\n\
          From: c@example.org\nSubject: last\nMessage-ID: <last@x>\n\nlast body\n",
    );
    (data, garbage_line, garbage_offset)
}

#[test]
fn corrupt_record_is_skipped_and_neighbours_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("corrupt.mbox");
    let (data, line, offset) = corrupt_mbox();
    std::fs::write(&path, data).expect("write");
    let (posts, skipped) = read(&path);
    let ids: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["first@x", "broken@x", "last@x"]);
    assert!(posts[1].body.contains("bad bytes \u{FFFD}"), "{:?}", posts[1].body);
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    let e = &skipped[0];
    assert_eq!(e.kind, ErrorKind::Record);
    assert_eq!(e.path, path);
    assert_eq!((e.line, e.offset), (Some(line), Some(offset)));
    let shown = e.to_string();
    assert!(
        shown.contains("corrupt.mbox")
            && shown.contains(&format!("line {line}"))
            && shown.contains(&format!("byte {offset}")),
        "{shown}"
    );
    assert!(shown.contains("header field"), "{shown}");
}

#[test]
fn strict_read_fails_on_corrupt_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("corrupt.mbox");
    let (data, line, _) = corrupt_mbox();
    std::fs::write(&path, data).expect("write");
    let options = ReadOptions {
        strict: true,
        ..ReadOptions::default()
    };
    let err = read_all(std::slice::from_ref(&path), &options).expect_err("strict read must fail");
    assert_eq!(err.kind, ErrorKind::Record);
    assert_eq!(err.path, path);
    assert_eq!(err.line, Some(line));
}

/// Reads a gzip mbox cut in the middle of its compressed bytes: a small
/// first message, then one of `lines` lines of incompressible text, so the
/// cut falls inside the second message.
fn read_truncated_gzip(lines: usize) {
    let first = "From a@example.org Mon Jan  1 10:00:00 2024\nMessage-ID: <one@x>\nSubject: one\n\nfirst\n\n";
    let mut second = String::from("From b@example.org Mon Jan  1 10:01:00 2024\nMessage-ID: <two@x>\nSubject: two\n\n");
    let mut seed = 12345u64;
    for _ in 0..lines {
        for _ in 0..60 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            second.push(char::from(b'a' + (seed >> 59) as u8 % 26));
        }
        second.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(first.as_bytes()).expect("gzip");
    gz.write_all(second.as_bytes()).expect("gzip");
    let compressed = gz.finish().expect("gzip");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cut.mbox.gz");
    std::fs::write(&path, &compressed[..compressed.len() / 2]).expect("write");

    let (posts, skipped) = read(&path);
    let ids: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["one@x"], "{skipped:#?}");
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    let e = &skipped[0];
    assert_eq!(e.kind, ErrorKind::Stream);
    assert_eq!(e.path, path);
    assert_eq!(e.line, Some(7), "the line of the cut message's From_ line");
    assert!(e.offset.is_some_and(|o| o > first.len() as u64), "{e}");
    assert!(e.message.contains("cut off"), "{e}");
}

#[test]
fn truncated_gzip_keeps_messages_before_the_cut() {
    // cut far beyond the 64 KiB head used for format detection
    read_truncated_gzip(6000);
}

#[test]
fn truncated_small_gzip_keeps_messages_before_the_cut() {
    // cut inside the head used for format detection
    read_truncated_gzip(300);
}

#[test]
fn a_file_that_is_not_a_mailbox_is_a_format_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "\nDear all,\nFrom tomorrow on we meet at 10:00 in 2024.\n").expect("write");
    let options = ReadOptions {
        format: Some(mail::MBOX),
        ..ReadOptions::default()
    };
    let (posts, skipped) = read_all(std::slice::from_ref(&path), &options).expect("lenient");
    assert!(posts.is_empty());
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].kind, ErrorKind::Format);
    assert_eq!(skipped[0].path, path);
    assert_eq!((skipped[0].line, skipped[0].offset), (Some(2), Some(1)));
}

#[test]
fn crlf_mbox_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crlf.mbox");
    let text = "From a@x Mon Jan  1 10:00:00 2024\r\nFrom: A <a@x>\r\nMessage-ID: <c1@x>\r\nSubject: one\r\n\r\nline one\r\n\r\n> quoted\r\n\r\n\
                From b@x Mon Jan  1 10:01:00 2024\r\nFrom: B <b@x>\r\nMessage-ID: <c2@x>\r\nSubject: two\r\n\r\nline two\r\n";
    std::fs::write(&path, text).expect("write");
    let (posts, skipped) = read(&path);
    assert!(skipped.is_empty(), "{skipped:#?}");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].body, "line one\n\n> quoted");
    assert_eq!(quotes(&posts[0]), vec!["> quoted"]);
    assert_eq!(posts[1].title.as_deref(), Some("two"));
    assert_eq!(posts[1].body, "line two");
}
