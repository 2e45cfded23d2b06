//! Command-line conventions: exit codes, invalid values, a closed pipe,
//! progress on a terminal only, colour, completions and man pages.

use crate::common::{leadminer, root};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn invalid_values_are_refused_with_exit_code_2() {
    let data = root().join("examples/data");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let out_dir = dir.path().join("out");
    let out = out_dir.to_str().expect("utf-8 path");
    let cases: &[(&[&str], &str)] = &[
        (&["scan", "--min-score", "2", "--out", out], "'2' is not a score between 0 and 1"),
        (&["scan", "--threads", "0", "--out", out], "--threads"),
        (&["scan", "--color", "purple", "--out", out], "purple"),
        (&["scan", "--output-format", "xml", "--out", out], "unknown output format 'xml'"),
        (&["scan", "--out", file.to_str().expect("utf-8 path")], "is a file, not a folder"),
        (&["scan", "--since", "yesterday", "--out", out], "'yesterday' is not a date"),
    ];
    for (args, message) in cases {
        let mut all: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        all.push(data.clone().into_os_string());
        let result = leadminer(&all);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {}", stderr(&result));
        assert!(stderr(&result).contains(message), "{args:?}: {}", stderr(&result));
        assert!(!stderr(&result).contains("panicked"), "{args:?}");
    }
}

#[test]
fn exit_code_1_when_a_strict_run_stops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("posts.jsonl");
    std::fs::write(&input, "{\"id\": \"1\", \"body\": \"I built a jig\"}\n{broken\n").expect("write");
    let out = dir.path().join("out");
    let result = leadminer([
        "scan".as_ref(),
        "--strict".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(stderr(&result).contains("posts.jsonl"), "the error names the file: {}", stderr(&result));
}

#[test]
fn a_community_that_matches_nothing_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let result = leadminer([
        "scan".as_ref(),
        "--community".as_ref(),
        "nosuchplace".as_ref(),
        "--out".as_ref(),
        dir.path().as_os_str(),
        root().join("examples/data").as_os_str(),
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(stderr(&result).contains("no post of the 21 read is in --community nosuchplace"), "{}", stderr(&result));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = crate::common::command()
        .args(["stats", "--threads", "1"])
        .arg(root().join("examples/data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // Close the reading end before anything is written.
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    let status = child.wait().expect("ends");
    assert!(status.success(), "{status:?}: {err}");
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let out = leadminer(["--version"]);
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(version.starts_with(&format!("leadminer {}", env!("CARGO_PKG_VERSION"))), "{version}");
    let head = Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).current_dir(root()).output();
    match head {
        Ok(h) if h.status.success() => {
            let commit = String::from_utf8_lossy(&h.stdout).trim().to_string();
            assert!(version.ends_with(&format!("({commit})")), "{version} built at {commit}");
        }
        _ => eprintln!("SKIPPED the commit check: not a git checkout"),
    }
}

#[test]
fn completions_and_man_pages_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = leadminer(["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("leadminer") && script.contains("--output-format"), "{shell}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = leadminer(["man".as_ref(), "--out".as_ref(), dir.path().as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("leadminer-scan.1")).expect("leadminer-scan.1");
    assert!(page.starts_with(".ie") || page.contains(".TH"), "a man page");
    assert!(page.contains("output\\-format"), "options documented");
    assert!(dir.path().join("leadminer.1").is_file());
}

#[test]
fn every_subcommand_help_has_examples() {
    for command in ["scan", "stats", "eval", "train", "explain", "test", "rules", "snapshot", "plugins", "completions", "man"] {
        let out = leadminer([command, "--help"]);
        assert!(out.status.success(), "{command}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Example"), "{command} --help shows examples");
    }
    let out = leadminer(["--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes:"));
}

/// Runs `command` under a pseudo-terminal (`script` from util-linux), or
/// `None` with a SKIPPED line when `script` is not installed.
fn on_a_terminal(test: &str, command: &str, env: &[(&str, &str)]) -> Option<String> {
    let script = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output();
    match script {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!("{test}: {command}: {}", stderr(&out)),
        Err(_) => {
            eprintln!("SKIPPED {test}: no `script` to make a terminal");
            None
        }
    }
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display())
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let bin = Path::new(env!("CARGO_BIN_EXE_leadminer"));
    let data = root().join("examples/data");
    let dir = tempfile::tempdir().expect("temp dir");
    let scan = format!("{} scan --out {} {}", quote(bin), quote(dir.path()), quote(&data));
    let Some(shown) = on_a_terminal("progress_shows_on_a_terminal_only", &scan, &[]) else { return };
    assert!(shown.contains("21 posts, 0 skipped"), "a progress line on a terminal: {shown:?}");
    let quiet = on_a_terminal("progress", &format!("{scan} --quiet"), &[]).expect("script ran before");
    assert!(!quiet.contains("posts, 0 skipped"), "--quiet: {quiet:?}");
    // In a pipe: nothing on stderr.
    let piped = leadminer(["scan".as_ref(), "--out".as_ref(), dir.path().as_os_str(), data.as_os_str()]);
    assert!(piped.status.success());
    assert_eq!(stderr(&piped), "", "nothing on stderr in a pipe");
    // --verbose names each skipped record, terminal or not.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\": \"1\", \"body\": \"x\"}\n{broken\n").expect("write");
    let out = dir.path().join("out");
    let verbose = leadminer(["scan".as_ref(), "-v".as_ref(), "--out".as_ref(), out.as_os_str(), bad.as_os_str()]);
    assert!(stderr(&verbose).contains("skipped: ") && stderr(&verbose).contains("bad.jsonl"), "{}", stderr(&verbose));
}

#[test]
fn colour_follows_the_terminal_no_color_and_the_flag() {
    let bin = Path::new(env!("CARGO_BIN_EXE_leadminer"));
    let data = root().join("examples/data");
    let explain = format!("{} explain --id 9000001 {}", quote(bin), quote(&data));
    let Some(coloured) = on_a_terminal("colour_follows_the_terminal_no_color_and_the_flag", &explain, &[]) else { return };
    assert!(coloured.contains("\x1b["), "colour on a terminal");
    let plain = on_a_terminal("colour", &explain, &[("NO_COLOR", "1")]).expect("script ran before");
    assert!(!plain.contains("\x1b["), "NO_COLOR: {plain:?}");
    let never = on_a_terminal("colour", &format!("{explain} --color never"), &[]).expect("script ran before");
    assert!(!never.contains("\x1b["), "--color never");
    let always = leadminer(["explain".as_ref(), "--id".as_ref(), "9000001".as_ref(), "--color".as_ref(), "always".as_ref(), data.as_os_str()]);
    assert!(String::from_utf8_lossy(&always.stdout).contains("\x1b["), "--color always into a pipe");
}

#[test]
fn standard_input_reads_as_a_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let from_stdin = dir.path().join("stdin");
    let from_file = dir.path().join("file");
    let input = root().join("examples/data/hackernews/items.ndjson");
    let mut child = crate::common::command()
        .args(["scan", "-", "--format", "hackernews", "--out"])
        .arg(&from_stdin)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let bytes = std::fs::read(&input).expect("the sample");
    child.stdin.take().expect("stdin").write_all(&bytes).expect("write");
    let out = child.wait_with_output().expect("ends");
    assert!(out.status.success(), "{}", stderr(&out));
    let result = leadminer([
        "scan".as_ref(),
        "--format".as_ref(),
        "hackernews".as_ref(),
        "--out".as_ref(),
        from_file.as_os_str(),
        input.as_os_str(),
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    let posts = |d: &Path| std::fs::read_to_string(d.join("posts.jsonl")).expect("posts.jsonl");
    assert!(!posts(&from_file).is_empty());
    assert_eq!(posts(&from_stdin), posts(&from_file));
}

#[test]
fn leadminer_toml_gives_defaults_the_command_line_overrides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    let nested = project.join("work/here");
    std::fs::create_dir_all(&nested).expect("dirs");
    std::fs::write(
        project.join("leadminer.toml"),
        "[scan]\noutput-format = [\"csv\"]\nno-report = true\nmin-score = 0.5\n",
    )
    .expect("write");
    let data = root().join("examples/data");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = crate::common::command().args(args).current_dir(&nested).output().expect("runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    let found = nested.join("found");
    run(&["scan".as_ref(), "--out".as_ref(), found.as_os_str(), data.as_os_str()]);
    assert!(found.join("posts.csv").is_file() && !found.join("posts.jsonl").exists(), "the file's output-format");
    assert!(!found.join("report.html").exists(), "the file's no-report");
    let summary = std::fs::read_to_string(found.join("summary.json")).expect("summary");
    assert!(summary.contains("\"min-score\": \"0.5\""), "{summary}");
    let over = nested.join("over");
    run(&["scan".as_ref(), "--min-score".as_ref(), "0.1".as_ref(), "--out".as_ref(), over.as_os_str(), data.as_os_str()]);
    let summary = std::fs::read_to_string(over.join("summary.json")).expect("summary");
    assert!(summary.contains("\"min-score\": \"0.1\""), "the command line wins: {summary}");
    let isolated = nested.join("isolated");
    run(&["scan".as_ref(), "--isolated".as_ref(), "--out".as_ref(), isolated.as_os_str(), data.as_os_str()]);
    assert!(isolated.join("posts.jsonl").is_file() && isolated.join("report.html").is_file(), "--isolated");
    std::fs::write(project.join("leadminer.toml"), "[scan]\nmin-scor = 0.5\n").expect("write");
    let bad = crate::common::command()
        .args(["scan".as_ref(), "--out".as_ref(), isolated.as_os_str(), data.as_os_str()])
        .current_dir(&nested)
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("leadminer.toml") && stderr(&bad).contains("min-scor"), "{}", stderr(&bad));
}

#[test]
fn snapshot_keeps_a_post_with_an_impossible_date_but_strict_stops_at_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("posts.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"1\", \"body\": \"I built a jig.\", \"created\": 1600000000}\n{\"id\": \"2\", \"body\": \"I made a stand.\", \"created\": -5}\n",
    )
    .expect("write");
    let lenient = leadminer([std::ffi::OsStr::new("snapshot"), input.as_os_str()]);
    assert!(lenient.status.success(), "{}", stderr(&lenient));
    assert!(String::from_utf8_lossy(&lenient.stdout).contains("I made a stand"), "the post is kept");
    let strict = leadminer([std::ffi::OsStr::new("snapshot"), input.as_os_str(), std::ffi::OsStr::new("--strict")]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(stderr(&strict).contains("posts.jsonl: line 2") && stderr(&strict).contains("creation time -5"), "{}", stderr(&strict));
}

#[test]
fn snapshot_and_explain_report_skipped_records_and_honour_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("posts.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"1\", \"body\": \"I built a jig for my saw because nothing fit.\"}\n{broken\n{\"id\": \"3\", \"body\": \"I made a stand.\"}\n",
    )
    .expect("write");
    for command in [&["snapshot"][..], &["explain", "--id", "3"][..]] {
        let mut args: Vec<std::ffi::OsString> = command.iter().map(Into::into).collect();
        args.push(input.clone().into_os_string());
        let lenient = leadminer(&args);
        assert!(lenient.status.success(), "{command:?}: {}", stderr(&lenient));
        assert!(stderr(&lenient).contains("1 records skipped") && stderr(&lenient).contains("posts.jsonl: line 2"), "{command:?}: {}", stderr(&lenient));
        args.push("--strict".into());
        let strict = leadminer(&args);
        assert_eq!(strict.status.code(), Some(1), "{command:?} --strict: {}", stderr(&strict));
        assert!(stderr(&strict).contains("posts.jsonl: line 2"), "{command:?}: {}", stderr(&strict));
    }
}
