//! `leadminer train`, `--model` and `eval --cv` on a small labeled corpus
//! written for the purpose: two communities, posts where the author made
//! something and posts where they look for something.

use crate::common::leadminer;
use std::ffi::{OsStr, OsString};
use std::path::Path;

/// (id, community, body, solution): made-up posts, listed by the rules
/// (they hold solution or need evidence).
const POSTS: &[(&str, &str, &str, bool)] = &[
    ("a1", "woodshop.example/forum", "I built a jig that holds the router at a fixed angle, here is how I made it.", true),
    ("a2", "woodshop.example/forum", "I made a clamp rack from scrap plywood and it works great.", true),
    ("a3", "woodshop.example/forum", "I built a dust hood for my table saw out of an old bucket.", true),
    ("a4", "woodshop.example/forum", "Is there a tool that measures board moisture? I could not find one anywhere.", false),
    ("a5", "woodshop.example/forum", "Does anyone know a way to sharpen curved chisels? I need something for this.", false),
    ("a6", "woodshop.example/forum", "I wish there was a cheap way to flatten big slabs, nothing on the market fits.", false),
    ("b1", "vanlife.example/forum", "I built a fold-down table for the van, here is how I made it.", true),
    ("b2", "vanlife.example/forum", "I made a roof vent cover from aluminium sheet and it works great.", true),
    ("b3", "vanlife.example/forum", "I built a water tank heater out of an old kettle element.", true),
    ("b4", "vanlife.example/forum", "Is there a tool that tests leisure batteries? I could not find one anywhere.", false),
    ("b5", "vanlife.example/forum", "Does anyone know a way to stop condensation? I need something for winter.", false),
    ("b6", "vanlife.example/forum", "I wish there was a cheap way to insulate the doors, nothing on the market fits.", false),
];

pub fn write_corpus(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let corpus = dir.join("posts.jsonl");
    let gold = dir.join("gold.jsonl");
    let mut lines = String::new();
    let mut labels = String::new();
    for (id, community, body, solution) in POSTS {
        let post = serde_json::json!({"id": id, "community": community, "author": format!("u{id}"), "body": body, "kind": "topic"});
        lines.push_str(&format!("{post}\n"));
        let s = u8::from(*solution);
        // The evidence quote of each yes label: the post's first clause.
        let quote = body.split([',', '?']).next().unwrap_or(body);
        let evidence = if *solution {
            serde_json::json!({"solution": quote, "user_innovation": quote})
        } else {
            serde_json::json!({"need": quote})
        };
        // Two posts of each community drawn at random, the rest picked.
        let draw = if id.ends_with('1') || id.ends_with('4') { "random" } else { "enriched" };
        let label = serde_json::json!({"source": "generic", "id": id, "solution": s, "user_innovation": s,
            "need": 1 - s, "commercial": 0, "evidence": evidence, "draw": draw});
        labels.push_str(&format!("{label}\n"));
    }
    std::fs::write(&corpus, lines).expect("write corpus");
    std::fs::write(&gold, labels).expect("write gold");
    (corpus, gold)
}

fn scores(out: &Path) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(out.join("posts.jsonl")).expect("posts.jsonl");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            (v["id"].as_str().unwrap_or("").to_string(), v["scores"]["solution"].as_f64().unwrap_or(-1.0))
        })
        .collect()
}

#[test]
fn train_scan_with_the_model_and_cross_validate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (corpus, gold) = write_corpus(dir.path());
    let model = dir.path().join("model.json");
    let fit = ["--min-df", "1", "--alpha", "0.1"];
    let args = |cmd: &str| -> Vec<OsString> { vec![cmd.into(), "--gold".into(), gold.clone().into_os_string()] };

    // `train` on the corpus with `options`, writing `out`.
    let train = |options: &[&str], out: &Path| {
        let mut train = args("train");
        train.extend(fit.iter().chain(options).map(OsString::from));
        train.extend([OsString::from("--out"), out.into(), corpus.clone().into_os_string()]);
        let r = leadminer(&train);
        assert!(r.status.success(), "train {options:?}: {}", String::from_utf8_lossy(&r.stderr));
    };
    train(&[], &model);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).expect("model written")).expect("model is JSON");
    assert_eq!(saved["format"], 1);
    assert!(saved["labels"]["solution"]["weights"].as_object().is_some_and(|w| !w.is_empty()));

    // `scan` of the corpus into `dir/out` with `options`.
    let scan = |options: &[&OsStr], out: &str| {
        let out = dir.path().join(out);
        let mut args: Vec<&OsStr> = vec![OsStr::new("scan")];
        args.extend(options);
        args.extend([OsStr::new("--out"), out.as_os_str(), corpus.as_os_str()]);
        (leadminer(&args), out)
    };
    let (r, rules_out) = scan(&[OsStr::new("--scorer"), OsStr::new("rules")], "rules");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (r, learned_out) = scan(&[OsStr::new("--model"), model.as_os_str()], "learned");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (by_rules, learned) = (scores(&rules_out), scores(&learned_out));
    assert_eq!(by_rules.len(), POSTS.len(), "every post is listed");
    assert_eq!(
        by_rules.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        learned.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        "the same posts, in the same order"
    );
    assert_ne!(by_rules, learned, "the model scores differently");
    let solution = |id: &str| learned.iter().find(|(i, _)| i == id).map_or(-1.0, |(_, s)| *s);
    for (id, _, _, made) in POSTS {
        for (other, _, _, other_made) in POSTS {
            if *made && !*other_made {
                assert!(solution(id) > solution(other), "{id} ({}) above {other} ({})", solution(id), solution(other));
            }
        }
    }

    // The rule scorer has no model.
    let (r, _) = scan(&[OsStr::new("--scorer"), OsStr::new("rules"), OsStr::new("--model"), model.as_os_str()], "refused");
    assert_eq!(r.status.code(), Some(2), "{}", String::from_utf8_lossy(&r.stderr));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("--scorer learned"), "{err}");

    // Starting from the built-in model: its probabilities are features.
    let based = dir.path().join("based.json");
    train(&["--from-builtin"], &based);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&based).expect("model written")).expect("model is JSON");
    assert_eq!(saved["base"], "builtin");
    assert!(saved["labels"]["solution"]["weights"]["builtin:solution"].as_f64().is_some_and(|w| w > 0.0), "{saved}");
    let (r, based_out) = scan(&[OsStr::new("--model"), based.as_os_str()], "based");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(scores(&based_out).len(), POSTS.len());

    let mut cv = args("eval");
    cv.extend(fit.iter().map(OsString::from));
    let exported = dir.path().join("rows.jsonl");
    let decided = dir.path().join("decisions.jsonl");
    cv.extend([OsString::from("--cv"), "--json".into(), "--export-rows".into(), exported.clone().into_os_string()]);
    cv.extend([OsString::from("--decisions"), decided.clone().into_os_string()]);
    cv.push(corpus.into_os_string());
    let r = leadminer(&cv);
    assert!(r.status.success(), "eval --cv: {}", String::from_utf8_lossy(&r.stderr));
    let report: serde_json::Value = serde_json::from_slice(&r.stdout).expect("eval --cv --json");
    assert_eq!(report["groups"], serde_json::json!(["vanlife", "woodshop"]));
    let solution = &report["learned"][0];
    assert_eq!(solution["label"], "solution");
    let folds: Vec<(String, u64, u64)> = solution["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["group"].as_str().unwrap_or("").to_string(), g["posts"].as_u64().unwrap_or(0), g["positives"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(folds, [("vanlife".to_string(), 6, 3), ("woodshop".to_string(), 6, 3)]);
    // Trained on one community's words, tested on the other's: the shared
    // phrasing ("I built", "I made", "is there a tool") carries over.
    assert!(solution["mean_average_precision"].as_f64().unwrap_or(0.0) > 0.9, "{solution}");
    assert!(report["rules"][0]["pooled"]["tp"].as_u64().is_some());
    // Every pooled F1 and mean top precision lies in its bootstrap
    // interval; the learned scorer is right on every post here, so no
    // resample moves its F1.
    for scorer in ["rules", "learned"] {
        for l in report[scorer].as_array().expect("labels") {
            let at = |k: &str| l["f1_interval"][k].as_f64().unwrap_or(f64::NAN);
            let f1 = l["pooled"]["f1"].as_f64().unwrap_or(f64::NAN);
            assert!(at("low") <= f1 && f1 <= at("high"), "{scorer}: {l}");
            let top = |k: &str| l["top_precision_interval"][k].as_f64().unwrap_or(f64::NAN);
            let mean_top = l["mean_top_precision"].as_f64().unwrap_or(f64::NAN);
            assert!(top("low") <= mean_top && mean_top <= top("high"), "{scorer}: {l}");
        }
    }
    assert_eq!(solution["pooled"]["f1"], 1.0);
    assert_eq!(solution["f1_interval"], serde_json::json!({"low": 1.0, "high": 1.0}));
    // The posts drawn at random (a1, a4, b1, b4), counted apart: one made
    // thing and one request in each community, none flagged wrongly.
    let at_random = &solution["at_random"];
    assert_eq!((at_random["posts"].as_u64(), at_random["positives"].as_u64()), (Some(4), Some(2)), "{at_random}");
    assert_eq!(at_random["false_per_100"], 0.0, "{at_random}");
    assert_eq!(solution["groups"][0]["at_random"]["posts"], 2, "{solution}");
    let f1 = 1.0;
    let differences = report["differences"].as_array().expect("differences");
    assert_eq!(differences.len(), 4, "learned - rules for each label: {differences:?}");
    let d = &differences[0];
    assert_eq!((d["label"].as_str(), d["scorer"].as_str(), d["baseline"].as_str()), (Some("solution"), Some("learned"), Some("rules")));
    let expected = f1 - report["rules"][0]["pooled"]["f1"].as_f64().unwrap_or(0.0);
    assert!((d["f1"].as_f64().unwrap_or(9.0) - expected).abs() < 1e-9, "{d}");

    // What the folds saw, one line per labeled post, for other models.
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&exported)
        .expect("rows exported")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), POSTS.len());
    for (id, _, _, made) in POSTS {
        let row = rows.iter().find(|r| r["key"].as_str().is_some_and(|k| k.ends_with(&format!(":{id}")))).expect("every post");
        assert!(["vanlife", "woodshop"].contains(&row["group"].as_str().unwrap_or("")), "{row}");
        assert_eq!(row["gold"]["solution"], *made, "{row}");
        if row["features"].is_object() {
            assert!(row["rules"]["solution"].as_f64().is_some(), "a listed post has the rule scores: {row}");
        }
    }
    assert!(rows.iter().any(|r| r["features"].as_object().is_some_and(|f| !f.is_empty())), "listed posts have features");

    // Each scorer's held-out decisions, one line per scorer, label and
    // post: their F1 is the report's pooled F1.
    let decisions: Vec<serde_json::Value> = std::fs::read_to_string(&decided)
        .expect("decisions written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(decisions.len(), 2 * 4 * POSTS.len(), "rules and learned, four labels, every post");
    for scorer in ["rules", "learned"] {
        for l in report[scorer].as_array().expect("labels") {
            let of = |d: &&serde_json::Value| d["scorer"] == scorer && d["label"] == l["label"];
            let count = |flagged: bool, truth: bool| {
                decisions.iter().filter(of).filter(|d| d["flagged"] == flagged && d["truth"] == truth).count()
            };
            let (tp, fp, fn_) = (count(true, true), count(true, false), count(false, true));
            let f1 = if tp == 0 { 0.0 } else { 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64 };
            let pooled = l["pooled"]["f1"].as_f64().unwrap_or(f64::NAN);
            assert!((f1 - pooled).abs() < 1e-9, "{scorer} {}: {f1} against {pooled}", l["label"]);
            let random = |d: &&serde_json::Value| d["key"].as_str().is_some_and(|k| k.ends_with('1') || k.ends_with('4'));
            let wrong = decisions.iter().filter(of).filter(random).filter(|d| d["flagged"] == true && d["truth"] == false).count();
            assert_eq!(l["at_random"]["prf"]["fp"].as_u64(), Some(wrong as u64), "{scorer} {}", l["label"]);
            assert!(decisions.iter().filter(of).all(|d| ["vanlife", "woodshop"].contains(&d["group"].as_str().unwrap_or(""))));
        }
    }
}

/// The command that remakes the built-in model, run from the repository
/// root (the README's Quality section gives it).
const BUILTIN_TRAIN: &str = "train --gold ../shared/eval/train.jsonl --gold ../shared/eval/dev.jsonl \
    --out crates/core/model.json ../shared/corpora/{hackernews,discourse-urho3d,mbox,openenergymonitor,splitscreenvan,gbadev}";

/// Retraining the built-in model with the README's command gives the
/// committed `crates/core/model.json`: the same features, and the same
/// weights, biases and thresholds up to the last rounded digit.
#[test]
fn builtin_model_is_reproducible() {
    let Some(corpora) = crate::common::corpora("builtin_model_is_reproducible") else { return };
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    assert!(readme.contains(BUILTIN_TRAIN), "the README gives the command that remakes the model");
    let eval = corpora.join("../eval");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("model.json");
    let mut args: Vec<OsString> = vec!["train".into()];
    for gold in ["train.jsonl", "dev.jsonl"] {
        args.extend([OsString::from("--gold"), eval.join(gold).into_os_string()]);
    }
    args.extend([OsString::from("--out"), out.clone().into_os_string()]);
    for corpus in ["hackernews", "discourse-urho3d", "mbox", "openenergymonitor", "splitscreenvan", "gbadev"] {
        args.push(corpora.join(corpus).into_os_string());
    }
    let r = leadminer(&args);
    assert!(r.status.success(), "train: {}", String::from_utf8_lossy(&r.stderr));
    let read = |path: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("model file")).expect("model JSON")
    };
    let (fresh, committed) = (read(&out), read(&crate::common::root().join("crates/core/model.json")));
    assert_eq!(fresh["trained_on"], committed["trained_on"]);
    let close = |a: &serde_json::Value, b: &serde_json::Value, tolerance: f64, what: &str| {
        let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
        assert!((a - b).abs() <= tolerance, "{what}: retrained {a}, committed {b}");
    };
    for label in ["solution", "user_innovation", "need", "commercial"] {
        let (f, c) = (&fresh["labels"][label], &committed["labels"][label]);
        close(&f["bias"], &c["bias"], 2e-4, &format!("{label} bias"));
        close(&f["threshold"], &c["threshold"], 1e-3, &format!("{label} threshold"));
        let (fw, cw) = (f["weights"].as_object().expect("weights"), c["weights"].as_object().expect("weights"));
        let names = |m: &serde_json::Map<String, serde_json::Value>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(fw), names(cw), "{label}: the same features");
        for (name, w) in fw {
            close(w, &cw[name], 2e-4, &format!("{label} {name}"));
        }
    }
}
