//! `leadminer rules check` and `leadminer test` on packs and fixtures with
//! the mistakes a new user makes: every one is an error with file and line.

use crate::common::leadminer;
use std::path::Path;
use std::process::Output;

/// A pack of one rule with `extra` lines, written to `dir/u.toml`.
fn write_pack(dir: &Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("u.toml");
    let src = format!("[pack]\nid = \"u\"\n\n[[rule]]\nid = \"u.jig\"\nphrases = [\"my jig\"]\n{extra}");
    std::fs::write(&path, src).expect("write pack");
    path
}

fn out(r: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&r.stderr))
}

#[test]
fn rules_check_names_unknown_kinds_post_kinds_and_cancels() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (extra, expected) in [
        ("kind = \"soluton\"\n", "u.toml:7: rule 'u.jig': kind 'soluton' counts for no label"),
        ("kind = \"solution\"\nposts = [\"coment\"]\n", "u.toml:8: rule 'u.jig': unknown post kind 'coment' in `posts` (valid: submission, comment,"),
        ("kind = \"false_friend\"\ncancels = [\"solutoin\"]\n", "u.toml:8: rule 'u.jig': `cancels` names 'solutoin'"),
    ] {
        let pack = write_pack(dir.path(), extra);
        let r = leadminer([std::ffi::OsStr::new("rules"), "check".as_ref(), pack.as_os_str()]);
        assert_eq!(r.status.code(), Some(1), "{extra}: {}", out(&r));
        assert!(String::from_utf8_lossy(&r.stderr).contains(expected), "errors go to stderr: {extra}: {}", out(&r));
        assert!(r.stdout.is_empty(), "{}", out(&r));
        // `test` and `scan` refuse the pack the same way.
        let t = leadminer([std::ffi::OsStr::new("test"), pack.as_os_str()]);
        assert_eq!(t.status.code(), Some(2), "{}", out(&t));
        assert!(out(&t).contains(expected), "{}", out(&t));
    }
    // A kind that the weights file given lists is known.
    let weights = dir.path().join("weights.toml");
    let builtin = std::fs::read_to_string(crate::common::root().join("crates/core/weights.toml")).expect("weights");
    std::fs::write(&weights, builtin.replace("[need.kinds]\n", "[need.kinds]\nbike_need = 2.0\n")).expect("write");
    let pack = write_pack(dir.path(), "kind = \"bike_need\"\n");
    let r = leadminer([std::ffi::OsStr::new("rules"), "check".as_ref(), pack.as_os_str(), "--weights".as_ref(), weights.as_os_str()]);
    assert!(r.status.success(), "{}", out(&r));
}

#[test]
fn leadminer_test_without_arguments_tests_the_builtin_packs() {
    let r = leadminer(["test"]);
    assert!(r.status.success(), "{}", out(&r));
    assert!(out(&r).contains(" 0 failed (") && out(&r).contains(" in 5 files)"), "{}", out(&r));
}

#[test]
fn fixtures_must_name_existing_rules_and_test_every_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = write_pack(dir.path(), "kind = \"solution\"\n\n[[rule]]\nid = \"u.rack\"\nkind = \"solution\"\nphrases = [\"my rack\"]\n");
    let fixtures = dir.path().join("u.fixtures.txt");
    let test = |extra: &[&str]| {
        let mut args = vec![std::ffi::OsString::from("test"), pack.clone().into_os_string()];
        args.extend(extra.iter().map(Into::into));
        leadminer(args)
    };
    // An `ok` of a misspelt rule is an error, not a pass; so is a rule
    // without an `expect`.
    std::fs::write(&fixtures, "# expect: u.jig\nI welded my jig.\n\n# ok: u.rak\nA shop rack.\n").expect("write");
    let r = test(&[]);
    assert_eq!(r.status.code(), Some(1), "{}", out(&r));
    assert!(out(&r).contains("u.fixtures.txt:4: 'u.rak' is not a rule of any loaded pack or plugin"), "{}", out(&r));
    assert!(out(&r).contains("u.toml:10: rule 'u.rack' has no fixture"), "{}", out(&r));
    // With every rule expected once, it passes; --allow-untested relaxes the
    // second check only.
    std::fs::write(&fixtures, "# expect: u.jig\nI welded my jig.\n\n# ok: u.rack\nA shop rack.\n").expect("write");
    assert_eq!(test(&[]).status.code(), Some(1));
    let r = test(&["--allow-untested"]);
    assert!(r.status.success(), "{}", out(&r));
    assert!(out(&r).contains("warning: ") && out(&r).contains("'u.rack' has no fixture"), "{}", out(&r));
    // A misspelt directive is named.
    std::fs::write(&fixtures, "# expects: u.jig\nI welded my jig.\n").expect("write");
    let r = test(&[]);
    assert_eq!(r.status.code(), Some(2), "{}", out(&r));
    assert!(out(&r).contains("u.fixtures.txt:1: unknown directive '# expects:' (did you mean '# expect:'?)"), "{}", out(&r));
}

#[test]
fn a_packs_cancels_reaches_only_its_own_rules_unless_it_names_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = write_pack(dir.path(), "kind = \"false_friend\"\ncancels = [\"solution\"]\n\n[[rule]]\nid = \"u.own\"\nkind = \"solution\"\nphrases = [\"built my jig\"]\n");
    // The user's false friend cancels the user's own solution rule and
    // leaves the built-in detection of the same words alone.
    std::fs::write(
        dir.path().join("u.fixtures.txt"),
        "# expect: u.jig, solution.first-person-made-artifact\n# ok: u.own\nI built my jig.\n",
    )
    .expect("write");
    let r = leadminer([std::ffi::OsStr::new("test"), pack.as_os_str(), "--allow-untested".as_ref()]);
    assert!(r.status.success(), "{}", out(&r));
}
