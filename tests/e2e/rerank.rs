//! The re-ranking stage end to end: `scan` with the sentence encoder reads
//! the best posts and re-scores them, the same at any thread count;
//! `train --rerank-out`, `eval` (which reads every listed gold post with
//! the stage, as a scan reads its best), `explain` and `eval --cv --rerank`
//! on a small labeled corpus,
//! with a head on frozen embeddings of posts or passages, or a fine-tuned
//! last layer.
//! The encoders (all-mpnet-base-v2, 438 MB, `scripts/fetch-encoder.sh`;
//! all-MiniLM-L6-v2, 87 MB, `--small`) are not part of the repository:
//! these tests say SKIPPED without them, except in CI.

use crate::common::{command, root};
use std::path::{Path, PathBuf};
use std::process::Output;

/// `dir` when `fetch` has put an encoder there, or `None` (SKIPPED)
/// outside CI.
fn fetched(dir: Option<PathBuf>, test: &str, fetch: &str) -> Option<PathBuf> {
    match dir.filter(|d| leadminer_rerank::is_encoder_dir(d)) {
        Some(dir) => Some(dir),
        None if std::env::var_os("CI").is_some() => panic!("{test}: CI must fetch the encoder ({fetch})"),
        None => {
            eprintln!("SKIPPED {test}: no sentence encoder ({fetch} fetches it)");
            None
        }
    }
}

/// The smaller encoder's folder (all-MiniLM-L6-v2, which most of these
/// tests read with: it is five times faster), or `None` (SKIPPED) outside
/// CI.
fn encoder(test: &str) -> Option<PathBuf> {
    fetched(leadminer_rerank::minilm_dir(), test, "scripts/fetch-encoder.sh --small")
}

/// The default encoder's folder (all-mpnet-base-v2), or `None` (SKIPPED)
/// outside CI.
fn mpnet(test: &str) -> Option<PathBuf> {
    fetched(leadminer_rerank::mpnet_dir(), test, "scripts/fetch-encoder.sh")
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    let out = command().args(args).output().expect("the leadminer binary runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (id, scores) of posts.jsonl.
fn scores(out: &Path) -> Vec<(String, serde_json::Value)> {
    read(&out.join("posts.jsonl"))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            (v["id"].as_str().unwrap_or("").to_string(), v["scores"].clone())
        })
        .collect()
}

#[test]
fn scan_reads_the_best_posts_and_rescores_them_whatever_the_threads() {
    let Some(enc) = encoder("scan_reads_the_best_posts_and_rescores_them_whatever_the_threads") else { return };
    let data = root().join("examples/data");
    let dir = tempfile::tempdir().expect("temp dir");
    let scan = |name: &str, extra: &[&str]| -> PathBuf {
        let out = dir.path().join(name);
        let mut args: Vec<&std::ffi::OsStr> = vec!["scan".as_ref(), "--out".as_ref(), out.as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        args.extend(["--encoder".as_ref(), enc.as_os_str(), data.as_os_str()]);
        run(&args);
        out
    };
    let plain = scan("plain", &["--no-rerank"]);
    let one = scan("one", &["--threads", "1", "--rerank-top", "3"]);
    let two = scan("two", &["--threads", "2", "--rerank-top", "3"]);
    assert_eq!(read(&one.join("posts.jsonl")), read(&two.join("posts.jsonl")), "the same at any thread count");
    let summary: serde_json::Value = serde_json::from_str(&read(&one.join("summary.json"))).expect("summary");
    let reranked = summary["reranked"].as_u64().expect("summary.reranked with the stage on");
    assert_eq!(summary["reranked_with"], "all-MiniLM-L6-v2");
    assert!((1..=12).contains(&reranked), "at most 3 per label read: {reranked}");
    let plain_summary: serde_json::Value = serde_json::from_str(&read(&plain.join("summary.json"))).expect("summary");
    assert!(plain_summary.get("reranked").is_none(), "--no-rerank: the stage is off");
    let (before, after) = (scores(&plain), scores(&one));
    assert_eq!(
        before.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        after.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        "the same posts"
    );
    let changed = before.iter().zip(&after).filter(|(b, a)| b.1 != a.1).count();
    assert!(changed >= 1 && changed as u64 <= reranked, "{changed} posts re-scored, {reranked} read");
    // Off when the encoder search is off and none is named.
    let off = dir.path().join("off");
    run(&["scan".as_ref(), "--out".as_ref(), off.as_os_str(), data.as_os_str()]);
    assert_eq!(read(&off.join("posts.jsonl")), read(&plain.join("posts.jsonl")));
}

/// Without --encoder a scan reads with the larger encoder where
/// `scripts/fetch-encoder.sh` puts it, else with the smaller one where
/// `--small` puts it, and says which in summary.json.
#[test]
fn the_search_finds_the_larger_encoder_first() {
    let test = "the_search_finds_the_larger_encoder_first";
    let (Some(small), Some(large)) = (encoder(test), mpnet(test)) else { return };
    let data_home = tempfile::tempdir().expect("temp dir");
    let found = data_home.path().join("leadminer");
    std::fs::create_dir(&found).expect("the data folder");
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, found.join(name)).expect("a link to the fetched encoder");
    };
    link(&small, "all-minilm-l6-v2");
    link(&large, "all-mpnet-base-v2");
    let data = root().join("examples/data");
    let scan = |name: &str| -> serde_json::Value {
        let out = data_home.path().join(name);
        let output = command()
            .env_remove("LEADMINER_ENCODER")
            .env_remove("LEADMINER_MPNET")
            .env_remove("LEADMINER_MINILM")
            .env("XDG_DATA_HOME", data_home.path())
            .args(["scan", "--rerank-top", "1", "--no-report", "--out"])
            .arg(&out)
            .arg(&data)
            .output()
            .expect("the leadminer binary runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_str(&read(&out.join("summary.json"))).expect("summary")
    };
    assert_eq!(scan("both")["reranked_with"], "all-mpnet-base-v2");
    std::fs::remove_file(found.join("all-mpnet-base-v2")).expect("unlinks");
    assert_eq!(scan("small")["reranked_with"], "all-MiniLM-L6-v2");
    std::fs::remove_file(found.join("all-minilm-l6-v2")).expect("unlinks");
    let none = scan("none");
    assert!(none.get("reranked").is_none() && none.get("reranked_with").is_none(), "{none}");
}

#[test]
fn a_missing_encoder_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = root().join("examples/data");
    let out = command()
        .args(["scan", "--encoder", "/nonexistent/encoder", "--out"])
        .arg(dir.path().join("out"))
        .arg(&data)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/encoder/config.json") && err.contains("fetch-encoder.sh"), "{err}");
}

/// The labeled corpus of tests/e2e/learn.rs in a temporary folder, with
/// where a test's model and head go.
struct Labeled {
    dir: tempfile::TempDir,
    enc: PathBuf,
    corpus: PathBuf,
    gold: PathBuf,
    head: PathBuf,
    model: PathBuf,
}

impl Labeled {
    fn new(enc: PathBuf) -> Labeled {
        let dir = tempfile::tempdir().expect("temp dir");
        let (corpus, gold) = crate::learn::write_corpus(dir.path());
        let (head, model) = (dir.path().join("head.json"), dir.path().join("model.json"));
        Labeled { dir, enc, corpus, gold, head, model }
    }

    /// Runs `command` on the corpus with the gold labels, the encoder and
    /// `extra` options.
    fn run(&self, command: &[&str], extra: &[&std::ffi::OsStr]) -> Output {
        let mut args: Vec<&std::ffi::OsStr> = command.iter().map(std::ffi::OsStr::new).collect();
        args.extend(["--gold".as_ref(), self.gold.as_os_str(), "--min-df".as_ref(), "1".as_ref()]);
        args.extend(["--encoder".as_ref(), self.enc.as_os_str()]);
        args.extend(extra);
        args.push(self.corpus.as_os_str());
        run(&args)
    }

    /// `train` writing the model and the head.
    fn train(&self, extra: &[&std::ffi::OsStr]) -> Output {
        let mut args: Vec<&std::ffi::OsStr> = vec!["--out".as_ref(), self.model.as_os_str(), "--rerank-out".as_ref(), self.head.as_os_str()];
        args.extend(extra);
        self.run(&["train"], &args)
    }

    /// `eval --cv --rerank --json`'s report.
    fn cross_validate(&self, extra: &[&std::ffi::OsStr]) -> serde_json::Value {
        serde_json::from_slice(&self.run(&["eval", "--cv", "--rerank", "--json"], extra).stdout).expect("eval --cv --json")
    }

    /// A scan of the corpus with the encoder and `extra` options into the
    /// folder `name`, whatever its exit.
    fn scan_output(&self, name: &str, extra: &[&std::ffi::OsStr]) -> Output {
        command()
            .arg("scan")
            .args(extra)
            .arg("--encoder")
            .arg(&self.enc)
            .arg("--out")
            .arg(self.dir.path().join(name))
            .arg(&self.corpus)
            .output()
            .expect("the leadminer binary runs")
    }

    /// The summary of a scan of the corpus with the trained model and head.
    fn scan(&self, name: &str) -> serde_json::Value {
        let out = self.scan_output(name, &["--model".as_ref(), self.model.as_os_str(), "--rerank-head".as_ref(), self.head.as_os_str()]);
        assert!(out.status.success(), "scan: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(&read(&self.dir.path().join(name).join("summary.json"))).expect("summary")
    }
}

#[test]
fn train_a_head_and_cross_validate_the_stage() {
    let Some(enc) = encoder("train_a_head_and_cross_validate_the_stage") else { return };
    let labeled = Labeled::new(enc);
    let cache = labeled.dir.path().join("embeddings.jsonl");
    let cached: [&std::ffi::OsStr; 2] = ["--embedding-cache".as_ref(), cache.as_os_str()];
    labeled.train(&cached);
    let saved: serde_json::Value = serde_json::from_str(&read(&labeled.head)).expect("head JSON");
    assert_eq!(saved["encoder"], "all-MiniLM-L6-v2");
    assert_eq!(saved["labels"]["solution"]["weights"].as_array().map(Vec::len), Some(384));
    assert_eq!(read(&cache).lines().count(), 12, "every labeled post's embedding is cached");

    let report = labeled.cross_validate(&cached);
    let reranked = &report["reranked"][0];
    assert_eq!(reranked["label"], "solution");
    let posts: Vec<u64> = reranked["groups"].as_array().expect("groups").iter().map(|g| g["posts"].as_u64().unwrap_or(0)).collect();
    assert_eq!(posts, [6, 6], "each community held out once");
    // Made things and wanted things read differently to the encoder too.
    assert!(reranked["mean_average_precision"].as_f64().unwrap_or(0.0) > 0.9, "{reranked}");

    // A scan with the new head reads with it.
    let summary = labeled.scan("out");
    assert_eq!(summary["reranked"], 12, "twelve posts, all among the best 100");
}

/// The larger encoder: a head fitted on its embeddings records it, a scan
/// reads with that head or, given none, with the built-in head fitted on
/// it, and a head fitted on all-MiniLM-L6-v2 is refused with it rather
/// than fed the wrong vectors.
#[test]
fn a_head_on_the_larger_encoder_reads_only_with_it() {
    let Some(enc) = mpnet("a_head_on_the_larger_encoder_reads_only_with_it") else { return };
    let labeled = Labeled::new(enc);
    labeled.train(&[]);
    let saved: serde_json::Value = serde_json::from_str(&read(&labeled.head)).expect("head JSON");
    assert_eq!(saved["encoder"], "all-mpnet-base-v2");
    assert_eq!(saved["labels"]["solution"]["weights"].as_array().map(Vec::len), Some(768));
    assert!(saved["trained_on"][0].as_str().is_some_and(|t| t.ends_with("encoder all-mpnet-base-v2)")), "{saved}");
    let summary = labeled.scan("out");
    assert_eq!(summary["reranked"], 12);

    let out = labeled.scan_output("builtin", &["--model".as_ref(), labeled.model.as_os_str()]);
    assert!(out.status.success(), "the built-in head of the larger encoder: {}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&labeled.dir.path().join("builtin/summary.json"))).expect("summary");
    assert_eq!(summary["reranked"], 12);

    let minilm_head = root().join("crates/core/rerank.json");
    let refused = [
        "--model".as_ref(),
        labeled.model.as_os_str(),
        "--rerank-head".as_ref(),
        minilm_head.as_os_str(),
    ];
    let out = labeled.scan_output("refused", &refused);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("was fitted on all-MiniLM-L6-v2") && err.contains("is all-mpnet-base-v2"), "{err}");
}

#[test]
fn eval_and_explain_read_with_the_second_stage_as_a_scan_does() {
    let Some(enc) = encoder("eval_and_explain_read_with_the_second_stage_as_a_scan_does") else { return };
    let labeled = Labeled::new(enc);
    labeled.train(&[]);
    let with_head: [&std::ffi::OsStr; 4] =
        ["--model".as_ref(), labeled.model.as_os_str(), "--rerank-head".as_ref(), labeled.head.as_os_str()];
    let eval = |extra: &[&std::ffi::OsStr]| -> serde_json::Value {
        serde_json::from_slice(&labeled.run(&["eval", "--json"], extra).stdout).expect("eval --json")
    };
    let staged = eval(&with_head);
    assert_eq!(staged["reranked"], 12, "every listed gold post is read: {staged}");
    let mut first: Vec<&std::ffi::OsStr> = with_head.to_vec();
    first.truncate(2);
    first.push("--no-rerank".as_ref());
    assert!(eval(&first).get("reranked").is_none(), "--no-rerank: the first stage alone");

    // eval's counts are those of a scan's labels (all twelve posts are among
    // its best 100, so the scan reads them all too).
    labeled.scan("out");
    let gold: Vec<serde_json::Value> =
        read(&labeled.gold).lines().map(|l| serde_json::from_str(l).expect("gold line")).collect();
    let scanned: Vec<serde_json::Value> = read(&labeled.dir.path().join("out/posts.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    for report in staged["labels"].as_array().expect("labels") {
        let label = report["label"].as_str().expect("label name");
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for g in &gold {
            let truth = g[label] == 1;
            let said = scanned.iter().find(|p| p["id"] == g["id"]).is_some_and(|p| p["labels"][label] == true);
            match (truth, said) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
        }
        assert_eq!((report["tp"].as_u64(), report["fp"].as_u64(), report["fn_"].as_u64()), (Some(tp), Some(fp), Some(fn_)), "{label}");
    }

    // The scan places the posts it read: those it accepts as solutions take
    // the first stage's best scores (a scan without the stage gives them),
    // so they stay above any post it did not read.
    let first_stage = labeled.scan_output("first", &["--model".as_ref(), labeled.model.as_os_str(), "--no-rerank".as_ref()]);
    assert!(first_stage.status.success(), "{}", String::from_utf8_lossy(&first_stage.stderr));
    let solution_scores = |dir: &str, accepted_only: bool| -> Vec<f64> {
        let mut s: Vec<f64> = read(&labeled.dir.path().join(dir).join("posts.jsonl"))
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
            .filter(|p| !accepted_only || p["labels"]["solution"] == true)
            .map(|p| p["scores"]["solution"].as_f64().unwrap_or(f64::NAN))
            .collect();
        s.sort_by(|a, b| b.total_cmp(a));
        s
    };
    let accepted = solution_scores("out", true);
    assert!(!accepted.is_empty(), "some post is a solution");
    assert_eq!(accepted, solution_scores("first", false)[..accepted.len()], "the first stage's best scores");

    // explain shows each post's blend of the two stages, it adds up, and it
    // orders the accepted posts as the scan does.
    let mut blends = Vec::new();
    for g in &gold[..4] {
        let id = g["id"].as_str().expect("an id");
        let mut args: Vec<&std::ffi::OsStr> = vec!["explain".as_ref(), "--id".as_ref(), id.as_ref()];
        args.extend(with_head);
        args.extend(["--encoder".as_ref(), labeled.enc.as_os_str(), labeled.corpus.as_os_str()]);
        let text = String::from_utf8_lossy(&run(&args).stdout).into_owned();
        let stage = text.split("re-ranking stage").nth(1).unwrap_or_else(|| panic!("no second stage shown:\n{text}"));
        let line = stage.lines().find(|l| l.starts_with("solution")).expect("a solution line");
        let numbers: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        let [blend, share, first, rest, head, _threshold] = numbers[..] else { panic!("{line}") };
        assert!((share + rest - 1.0).abs() < 0.011, "{line}");
        assert!((blend - (share * first + rest * head)).abs() < 0.003, "{line}");
        let scanned = scanned.iter().find(|p| p["id"] == id).expect("scanned");
        assert_eq!(line.contains(" yes "), scanned["labels"]["solution"] == true, "explain's label is the scan's: {line}");
        if line.contains(" yes ") {
            blends.push((blend, scanned["scores"]["solution"].as_f64().unwrap_or(f64::NAN)));
        }
    }
    for (a, b) in blends.iter().flat_map(|a| blends.iter().map(move |b| (a, b))) {
        assert!(a.0 <= b.0 || a.1 >= b.1, "a better blend is never placed lower: {blends:?}");
    }
}

#[test]
fn fine_tune_the_last_layer_cross_validate_it_and_scan_with_it() {
    let Some(enc) = encoder("fine_tune_the_last_layer_cross_validate_it_and_scan_with_it") else { return };
    let labeled = Labeled::new(enc);
    let tune: [&std::ffi::OsStr; 3] = ["--tune".as_ref(), "--tune-epochs".as_ref(), "2".as_ref()];
    let out = String::from_utf8_lossy(&labeled.train(&tune).stdout).into_owned();
    assert!(out.contains("fine-tuned layer written to"), "{out}");
    let saved: serde_json::Value = serde_json::from_str(&read(&labeled.head)).expect("head JSON");
    assert_eq!(saved["tuned"], "head.safetensors");
    let layer = labeled.dir.path().join("head.safetensors");
    assert!(layer.is_file());
    assert_eq!(saved["labels"]["need"]["weights"], serde_json::json!([0.0, 0.0, 1.0, 0.0]), "need reads its own logit");

    let report = labeled.cross_validate(&tune);
    let posts: Vec<u64> =
        report["reranked"][0]["groups"].as_array().expect("groups").iter().map(|g| g["posts"].as_u64().unwrap_or(0)).collect();
    assert_eq!(posts, [6, 6], "each community held out once");

    let summary = labeled.scan("out");
    assert_eq!(summary["reranked"], 12, "twelve posts, all among the best 100");
    // The layer is found beside the head, wherever the scan runs from.
    std::fs::remove_file(&layer).expect("remove");
    let err = labeled.scan_output("out2", &["--rerank-head".as_ref(), labeled.head.as_os_str()]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("head.safetensors"), "{}", String::from_utf8_lossy(&err.stderr));
}

#[test]
fn a_passage_head_is_fitted_on_the_evidence_and_reads_passages() {
    let Some(enc) = encoder("a_passage_head_is_fitted_on_the_evidence_and_reads_passages") else { return };
    let labeled = Labeled::new(enc);
    labeled.train(&["--head-unit".as_ref(), "passage".as_ref()]);
    let saved: serde_json::Value = serde_json::from_str(&read(&labeled.head)).expect("head JSON");
    assert_eq!(saved["unit"], "passage");
    assert!(saved.get("tuned").is_none());
    let summary = labeled.scan("out");
    assert_eq!(summary["reranked"], 12);
}

/// The README's command that remakes the built-in head.
const BUILTIN_HEAD_TRAIN: &str = "train --gold ../shared/eval/train.jsonl --gold ../shared/eval/dev.jsonl \\
    --out target/model.json --rerank-out crates/core/rerank.json --encoder ~/.local/share/leadminer/all-minilm-l6-v2 \\
    ../shared/corpora/{hackernews,discourse-urho3d,mbox,openenergymonitor,splitscreenvan,gbadev}";

/// Retraining the built-in head with the README's command gives the
/// committed `crates/core/rerank.json`: the same blends, and the same
/// weights and thresholds up to what the encoder's floating point on
/// another CPU may move (it embeds all 1,436 labeled posts: about two
/// minutes).
#[test]
fn builtin_head_is_reproducible() {
    let Some(enc) = encoder("builtin_head_is_reproducible") else { return };
    let Some(corpora) = crate::common::corpora("builtin_head_is_reproducible") else { return };
    assert_readme_gives(BUILTIN_HEAD_TRAIN);
    let dir = tempfile::tempdir().expect("temp dir");
    let head = dir.path().join("rerank.json");
    retrain_head(&corpora, &enc, &head, &dir.path().join("model.json"), None);
    assert_heads_match(&head, &root().join("crates/core/rerank.json"));
}

/// The command that remakes the built-in head of the default encoder, run
/// from the repository root (the README's "The re-ranking stage" gives it).
const BUILTIN_MPNET_HEAD_TRAIN: &str = "train --gold ../shared/eval/train.jsonl --gold ../shared/eval/dev.jsonl \\
    --out target/model.json --rerank-out crates/core/rerank-mpnet.json \\
    --encoder ~/.local/share/leadminer/all-mpnet-base-v2 --embedding-cache target/mpnet-embeddings.jsonl \\
    ../shared/corpora/{hackernews,discourse-urho3d,mbox,openenergymonitor,splitscreenvan,gbadev}";

/// The same for the default encoder's built-in head, whose embedding of the
/// 1,436 labeled posts would take eight minutes: the test starts from the
/// committed embeddings (`crates/core/rerank-mpnet.embeddings.jsonl.zst`,
/// what the command's `--embedding-cache` holds afterwards) less eight of
/// them, which the encoder embeds again and must give back.
#[test]
fn builtin_mpnet_head_is_reproducible() {
    let Some(enc) = mpnet("builtin_mpnet_head_is_reproducible") else { return };
    let Some(corpora) = crate::common::corpora("builtin_mpnet_head_is_reproducible") else { return };
    assert_readme_gives(BUILTIN_MPNET_HEAD_TRAIN);
    let packed = std::fs::File::open(root().join("crates/core/rerank-mpnet.embeddings.jsonl.zst")).expect("committed embeddings");
    let committed = String::from_utf8(zstd::decode_all(packed).expect("zstd")).expect("UTF-8");
    let lines: Vec<&str> = committed.lines().collect();
    assert_eq!(lines.len(), 1436, "one embedding per labeled post");
    let dropped_here = |i: usize| i % 180 == 7;
    let dropped: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| dropped_here(*i)).map(|(_, l)| *l).collect();
    assert_eq!(dropped.len(), 8);
    let kept: String = lines.iter().enumerate().filter(|(i, _)| !dropped_here(*i)).map(|(_, l)| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache.jsonl");
    std::fs::write(&cache, kept).expect("write cache");
    let head = dir.path().join("rerank-mpnet.json");
    retrain_head(&corpora, &enc, &head, &dir.path().join("model.json"), Some(&cache));
    let again: std::collections::BTreeMap<String, Vec<f64>> =
        read(&cache).lines().map(|l| serde_json::from_str::<(String, Vec<f64>)>(l).expect("an embedding")).collect();
    for line in dropped {
        let (key, vector): (String, Vec<f64>) = serde_json::from_str(line).expect("an embedding");
        let fresh = again.get(&key).unwrap_or_else(|| panic!("{key} embedded again"));
        let worst = fresh.iter().zip(&vector).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= 1e-4, "{key}: the encoder moved a component by {worst}");
    }
    assert_heads_match(&head, &root().join("crates/core/rerank-mpnet.json"));
}

/// The README gives `command`, the one a reproducibility test runs.
fn assert_readme_gives(command: &str) {
    assert!(read(&root().join("README.md")).contains(command), "the README gives the command that remakes the head");
}

/// Runs the README's head-fitting command with `enc`, writing the head to
/// `head` (and the model, which the head's blends need, to `model`).
fn retrain_head(corpora: &Path, enc: &Path, head: &Path, model: &Path, cache: Option<&Path>) {
    let eval = corpora.join("../eval");
    let mut args: Vec<std::ffi::OsString> = vec!["train".into()];
    for gold in ["train.jsonl", "dev.jsonl"] {
        args.extend(["--gold".into(), eval.join(gold).into_os_string()]);
    }
    args.extend(["--out".into(), model.as_os_str().to_owned()]);
    args.extend(["--rerank-out".into(), head.as_os_str().to_owned(), "--encoder".into(), enc.as_os_str().to_owned()]);
    if let Some(cache) = cache {
        args.extend(["--embedding-cache".into(), cache.as_os_str().to_owned()]);
    }
    for corpus in ["hackernews", "discourse-urho3d", "mbox", "openenergymonitor", "splitscreenvan", "gbadev"] {
        args.push(corpora.join(corpus).into_os_string());
    }
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    run(&refs);
}

/// A retrained head matches the committed one: the same blends, and the
/// same weights and thresholds up to what the encoder's floating point on
/// another CPU may move.
fn assert_heads_match(fresh: &Path, committed: &Path) {
    let parse = |path: &Path| -> serde_json::Value { serde_json::from_str(&read(path)).expect("head JSON") };
    let (fresh, committed) = (parse(fresh), parse(committed));
    for key in ["format", "encoder", "unit", "scale", "trained_on"] {
        assert_eq!(fresh[key], committed[key], "{key}");
    }
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    for label in ["solution", "user_innovation", "need", "commercial"] {
        let (f, c) = (&fresh["labels"][label], &committed["labels"][label]);
        assert_eq!(f["blend"], c["blend"], "{label} blend");
        let threshold = (number(&f["threshold"]) - number(&c["threshold"])).abs();
        assert!(threshold <= 0.01, "{label} threshold: retrained {}, committed {}", f["threshold"], c["threshold"]);
        let (fw, cw) = (f["weights"].as_array().expect("weights"), c["weights"].as_array().expect("weights"));
        assert_eq!(fw.len(), cw.len(), "{label}: one weight per dimension");
        let worst = std::iter::once((&f["bias"], &c["bias"])).chain(fw.iter().zip(cw)).map(|(a, b)| (number(a) - number(b)).abs()).fold(0.0, f64::max);
        assert!(worst <= 1e-3, "{label}: a weight moved by {worst}");
    }
}
