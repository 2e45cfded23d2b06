//! A format is one module implementing `Reader` plus one registry line:
//! the test-only `tiny` format (in `tiny_format/`) is registered exactly as
//! the built-in ones are, and detection, `--format` names, the unknown
//! format message and dispatch all pick it up.

mod tiny_format;

use leadminer_core::pipeline::read_all;
use leadminer_core::read::{ErrorKind, ReadOptions, Registry};
use std::path::PathBuf;

/// The built-in registry plus the one line that registers `tiny`.
fn registry() -> Registry {
    Registry::builtin().clone().with(tiny_format::FORMAT)
}

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write fixture");
    path
}

#[test]
fn a_registered_format_is_detected_framed_and_parsed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(&dir, "notes.tiny", b"1|ann|first post\n\n2|bob|second|with a bar\nbroken line\n");
    let options = ReadOptions { registry: registry(), ..ReadOptions::default() };
    let (posts, skipped) = read_all(std::slice::from_ref(&path), &options).expect("reads");
    let got: Vec<_> = posts.iter().map(|p| (p.id.as_str(), p.author.as_deref(), p.body.as_str())).collect();
    assert_eq!(got, [("1", Some("ann"), "first post"), ("2", Some("bob"), "second|with a bar")]);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].kind, ErrorKind::Record);
    assert_eq!(skipped[0].line, Some(4));
    assert_eq!(skipped[0].to_string(), format!("{}: line 4: byte 42: expected id|author|text", path.display()));
}

#[test]
fn a_registered_format_has_names_and_a_place_in_messages() {
    let registry = registry();
    assert_eq!(registry.find("TINY").map(|f| f.name()), Some("tiny"));
    assert_eq!(registry.find("tiny-lines").map(|f| f.name()), Some("tiny"));
    assert!(registry.names().ends_with(", jsonl, csv, tiny"), "{}", registry.names());
    assert!(Registry::builtin().find("tiny").is_none());

    // Without the registration the file is of unknown format, and the
    // message lists the registry's formats.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(&dir, "notes.tiny", b"1|ann|text\n");
    let (posts, skipped) = read_all(std::slice::from_ref(&path), &ReadOptions::default()).expect("reads");
    assert!(posts.is_empty());
    assert_eq!(skipped[0].kind, ErrorKind::Format);
    assert!(!skipped[0].message.contains("tiny"), "{}", skipped[0].message);
    let options = ReadOptions { registry: registry.clone(), ..ReadOptions::default() };
    let other = write(&dir, "notes.unknown", b"\x00\x01");
    let (_, skipped) = read_all(std::slice::from_ref(&other), &options).expect("reads");
    assert!(skipped[0].message.ends_with(", csv, tiny)"), "{}", skipped[0].message);

    // Forced by name, it reads files of any name.
    let forced = ReadOptions { format: registry.find("tiny"), ..options };
    let (posts, _) = read_all(&[write(&dir, "x.txt", b"7|cy|forced\n")], &forced).expect("reads");
    assert_eq!(posts[0].id, "7");
}
