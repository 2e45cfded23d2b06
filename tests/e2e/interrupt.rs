//! A scan stopped halfway (Ctrl-C, SIGTERM, SIGKILL) leaves the previous
//! results intact and says so; the next run replaces them whole.

use crate::common::leadminer;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A generic JSON-lines dump of `posts` posts, big enough that a scan
/// takes a while; every fourth answers the one before and points to
/// someone.
fn big_input(path: &Path, posts: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for i in 0..posts {
        let body = format!(
            "I built a small tool to solve my own problem number {i}, because nothing on the market fit. \
             Is there a library that does this? I wish someone sold one. {}",
            "More words about the workshop and the jig. ".repeat(8)
        );
        let mut post = serde_json::json!({"id": i.to_string(), "author": format!("user{}", i % 997), "body": body, "community": "bench"});
        // Replies that react and point to others, for the aggregates.
        if i % 4 == 1 {
            post["parent"] = (i - 1).to_string().into();
            post["body"] = format!("Where can I buy one? @user{} made one like it. {body}", (i * 7) % 997).into();
        }
        writeln!(out, "{post}").expect("write");
    }
    out.flush().expect("flush");
}

fn start(input: &Path, out: &Path) -> Child {
    crate::common::command()
        .args(["scan", "--threads", "2", "--out"])
        .arg(out)
        .arg(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs")
}

/// Waits until the scan is writing (its spool exists), then signals it.
fn signal_when_running(child: &Child, out: &Path, signal: &str) {
    let spool = out.join(".leadminer-partial/posts.spool");
    let started = Instant::now();
    while !spool.exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the scan never started writing");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    // The shell's own `kill`: no procps needed on a bare CI image.
    let sent = Command::new("sh").arg("-c").arg(format!("kill {signal} {}", child.id())).status().expect("sh runs");
    assert!(sent.success());
}

#[test]
fn an_interrupted_scan_keeps_the_previous_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("big.jsonl");
    big_input(&input, 40_000);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    for file in ["posts.jsonl", "authors.jsonl", "summary.json", "report.html"] {
        std::fs::write(out.join(file), "previous run\n").expect("write");
    }
    let previous = |out: &Path| {
        for file in ["posts.jsonl", "authors.jsonl", "summary.json", "report.html"] {
            assert_eq!(std::fs::read_to_string(out.join(file)).expect("read"), "previous run\n", "{file}");
        }
    };

    // Ctrl-C and SIGTERM: a clean stop with a message and exit code 130.
    for signal in ["-INT", "-TERM"] {
        let child = start(&input, &out);
        signal_when_running(&child, &out, signal);
        let result = child.wait_with_output().expect("ends");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(130), "{signal}: {stderr}");
        assert!(stderr.contains("interrupted: nothing written"), "{signal}: {stderr}");
        previous(&out);
        let marker = std::fs::read_to_string(out.join(".leadminer-partial/RUNNING")).expect("marker");
        assert!(marker.starts_with("interrupted"), "{marker}");
    }

    // SIGKILL: no chance to clean up; the previous results still stand.
    let child = start(&input, &out);
    signal_when_running(&child, &out, "-KILL");
    let result = child.wait_with_output().expect("ends");
    assert!(!result.status.success());
    previous(&out);
    assert!(out.join(".leadminer-partial/RUNNING").is_file(), "the marker of the unfinished run");

    // The next run replaces everything and clears the partial folder; its
    // results are those of a scan that was never interrupted.
    let rerun = leadminer(["scan".as_ref(), "--threads".as_ref(), "2".as_ref(), "--out".as_ref(), out.as_os_str(), input.as_os_str()]);
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    assert!(!out.join(".leadminer-partial").exists());
    let fresh = dir.path().join("fresh");
    let clean = leadminer(["scan".as_ref(), "--threads".as_ref(), "1".as_ref(), "--out".as_ref(), fresh.as_os_str(), input.as_os_str()]);
    assert!(clean.status.success());
    for file in ["posts.jsonl", "authors.jsonl"] {
        let a = std::fs::read(out.join(file)).expect("read");
        let b = std::fs::read(fresh.join(file)).expect("read");
        assert!(a == b && !a.is_empty(), "{file} differs from an uninterrupted scan");
    }
}

/// Blocks the interrupted scan in `out` had gathered at its last checkpoint.
fn checkpointed_blocks(out: &Path) -> u64 {
    std::fs::read_to_string(out.join(".leadminer-partial/checkpoint.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|c| c["blocks"].as_u64())
        .unwrap_or(0)
}

/// `summary.json` without its timings, which differ between any two runs.
fn summary_without_timings(out: &Path) -> serde_json::Value {
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary")).expect("JSON");
    summary["timings"] = serde_json::Value::Null;
    summary
}

#[test]
fn a_killed_scan_resumes_to_the_outputs_of_an_uninterrupted_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("big.jsonl");
    big_input(&input, 40_000);
    let fresh = dir.path().join("fresh");
    let clean = leadminer(["scan".as_ref(), "--threads".as_ref(), "1".as_ref(), "--out".as_ref(), fresh.as_os_str(), input.as_os_str()]);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));

    let out = dir.path().join("out");
    let scan = |threads: &str| {
        crate::common::command()
            .args(["scan", "--resume", "--threads", threads, "--out"])
            .arg(&out)
            .arg(&input)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs")
    };
    // Killed (SIGKILL, no chance to clean up) once it has gathered 2, then
    // 5, then 8 blocks, each run resuming the one before.
    for (kill_after, threads) in [(2, "2"), (5, "1"), (8, "2")] {
        let mut child = scan(threads);
        let started = Instant::now();
        while checkpointed_blocks(&out) < kill_after {
            assert!(child.try_wait().expect("wait").is_none(), "the scan ended before block {kill_after}");
            assert!(started.elapsed() < Duration::from_secs(120), "no checkpoint after block {kill_after}");
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
    }
    let last = scan("2").wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&last.stderr);
    assert!(last.status.success(), "{stderr}");
    let blocks: u64 = stderr
        .split("resumed after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("says where it resumed: {stderr}"));
    assert!(blocks >= 8, "{stderr}");
    assert!(!out.join(".leadminer-partial").exists(), "the checkpoint is removed once the scan is complete");
    for file in ["posts.jsonl", "authors.jsonl", "pointers.jsonl"] {
        let a = std::fs::read(out.join(file)).expect("read");
        let b = std::fs::read(fresh.join(file)).expect("read");
        assert!(a == b && !a.is_empty(), "{file} differs from an uninterrupted scan");
    }
    assert_eq!(summary_without_timings(&out), summary_without_timings(&fresh));

    // Other options do not resume the checkpoint of a scan: they say so.
    let mut child = scan("2");
    let started = Instant::now();
    while checkpointed_blocks(&out) < 2 {
        assert!(started.elapsed() < Duration::from_secs(120), "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let other = leadminer([
        "scan".as_ref(),
        "--resume".as_ref(),
        "--min-score".as_ref(),
        "0.5".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("run without --resume to start over"));
}
