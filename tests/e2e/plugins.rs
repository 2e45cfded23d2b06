//! Analyzer plugins end to end: the example plugins and deliberately broken
//! ones are built for real (cargo for Rust, `cc` for C), then loaded by the
//! `leadminer` binary (`plugins list`, `plugins info`) and by the core's
//! plugin host as analyzers.

use crate::common::{compile_c, leadminer, leadminer_env, plugins, root};
use leadminer_core::analyze::sharing::CodeSharing;
use leadminer_core::analyze::{Analysis, AnalyzeError, Analyzed, Analyzer, Document, Signal};
use leadminer_core::model::{Post, PostKind, Source};
use leadminer_core::plugin_host::{self, LoadedPlugin};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "leadminer failed ({:?}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The stderr of a run that must fail cleanly: exit code 2, not a crash.
fn failure(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "expected a clean error exit, got {:?}: {stderr}", out.status);
    stderr
}

fn arg(path: &Path) -> &OsStr {
    path.as_os_str()
}

#[test]
fn plugins_list_shows_every_loaded_plugin() {
    let p = plugins();
    let out = stdout(&leadminer_env(
        [
            OsStr::new("plugins"),
            OsStr::new("list"),
            OsStr::new("--plugin"),
            arg(&p.patient),
            OsStr::new("--plugin"),
            arg(&p.maker),
            OsStr::new("--plugin"),
            arg(&p.c_example),
        ],
        &[],
    ));
    for expected in [
        "patient-innovation 0.1.0 (ABI 1)",
        "kinds     patient_innovation, patient_need",
        "maker-hardware 0.1.0 (ABI 1)",
        "kinds     maker_solution",
        "workaround-c 0.1.0 (ABI 1)",
        "kinds     workaround",
        "from      --plugin",
        "3 plugins loaded",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(out.contains(&format!("path      {}", p.patient.display())), "{out}");

    let json = stdout(&leadminer_env(
        [OsStr::new("plugins"), OsStr::new("list"), OsStr::new("--json"), OsStr::new("--plugin"), arg(&p.maker)],
        &[],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let m = &v["plugins"][0];
    assert_eq!(m["name"], "maker-hardware");
    assert_eq!(m["abi_version"], 1);
    assert_eq!(m["origin"], "--plugin");
    assert_eq!(m["kinds"], serde_json::json!(["maker_solution"]));
}

#[test]
fn plugins_info_shows_the_descriptor() {
    let p = plugins();
    let out = stdout(&leadminer([OsStr::new("plugins"), OsStr::new("info"), arg(&p.patient)]));
    for expected in [
        "name         patient-innovation",
        "version      0.1.0",
        "abi version  1 (this leadminer: 1)",
        "kinds        patient_innovation, patient_need",
        "wearenotwaiting",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let out = stdout(&leadminer([OsStr::new("plugins"), OsStr::new("info"), arg(&p.misbehaving)]));
    assert!(out.contains("triggers     none (analyzes every post)"), "{out}");
}

#[test]
fn plugins_from_env_path_and_config() {
    let p = plugins();
    let dir = tempfile::tempdir().expect("temp dir");
    let env_dir = dir.path().join("plugin-dir");
    std::fs::create_dir(&env_dir).expect("mkdir");
    std::fs::copy(&p.maker, env_dir.join("libmaker_hardware.so")).expect("copy");
    std::fs::write(env_dir.join("README.txt"), "not a plugin").expect("write");
    let config = dir.path().join("leadminer.toml");
    std::fs::write(
        &config,
        format!(
            "[[plugin]]\npath = {:?}\n\n[plugins.patient-innovation]\ndisabled_rules = [\"device-owner\"]\n\n\
             [plugins.patient-innovation.weights]\nsolution = {{ patient_innovation = 2.5 }}\n",
            p.patient.display().to_string()
        ),
    )
    .expect("write config");
    let env_value = std::env::join_paths([env_dir.clone(), dir.path().join("missing")]).expect("join");
    let out = stdout(&leadminer_env(
        [OsStr::new("plugins"), OsStr::new("list"), OsStr::new("--config"), arg(&config)],
        &[("LEADMINER_PLUGIN_PATH", &env_value)],
    ));
    for expected in [
        "maker-hardware 0.1.0 (ABI 1)".to_string(),
        format!("from      LEADMINER_PLUGIN_PATH ({})", env_dir.display()),
        "patient-innovation 0.1.0 (ABI 1)".to_string(),
        format!("from      config {}", config.display()),
        "options   disabled_rules = [\"device-owner\"]".to_string(),
        "weight    solution.patient_innovation = 2.5".to_string(),
        "2 plugins loaded".to_string(),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in:\n{out}");
    }

    // A typo in the configuration is an error, not silently ignored.
    std::fs::write(&config, "[plugins.maker-hardwar]\ninclude_quotes = true\n").expect("write");
    let err = failure(&leadminer_env(
        [OsStr::new("plugins"), OsStr::new("list"), OsStr::new("--config"), arg(&config)],
        &[("LEADMINER_PLUGIN_PATH", &env_value)],
    ));
    assert!(err.contains("no loaded plugin is named 'maker-hardwar' (loaded: maker-hardware)"), "{err}");

    // Options the plugin refuses stop the command with the plugin's message.
    std::fs::write(&config, "[plugins.maker-hardware]\ncolour = \"red\"\n").expect("write");
    let err = failure(&leadminer_env(
        [OsStr::new("plugins"), OsStr::new("list"), OsStr::new("--config"), arg(&config)],
        &[("LEADMINER_PLUGIN_PATH", &env_value)],
    ));
    assert!(err.contains("plugin 'maker-hardware' failed to start: invalid options: unknown field `colour`"), "{err}");
}

#[test]
fn plugin_built_for_another_abi_is_refused() {
    let lib = compile_c(&root().join("tests/plugins/header_variants.c"), "abi_v2", &["-DTEST_ABI=2"]);
    for args in [vec!["plugins", "info"], vec!["plugins", "list", "--plugin"]] {
        let mut args: Vec<&OsStr> = args.into_iter().map(OsStr::new).collect();
        args.push(arg(&lib));
        let err = failure(&leadminer_env(&args, &[]));
        assert!(err.contains(&lib.display().to_string()), "names the plugin: {err}");
        assert!(err.contains("plugin ABI version mismatch"), "{err}");
        assert!(err.contains("built for ABI version 2") && err.contains("supports ABI version 1"), "{err}");
    }
    let entry =
        compile_c(&root().join("tests/plugins/header_variants.c"), "entry_v2", &["-DTEST_ENTRY=leadminer_plugin_v2"]);
    let err = failure(&leadminer([OsStr::new("plugins"), OsStr::new("info"), arg(&entry)]));
    assert!(err.contains("does not export `leadminer_plugin_v1` (it exports `leadminer_plugin_v2`"), "{err}");
    let magic = compile_c(&root().join("tests/plugins/header_variants.c"), "magic", &["-DTEST_MAGIC=42"]);
    let err = failure(&leadminer([OsStr::new("plugins"), OsStr::new("info"), arg(&magic)]));
    assert!(err.contains("not the magic number"), "{err}");
    let err = failure(&leadminer([OsStr::new("plugins"), OsStr::new("info"), OsStr::new("no/such/plugin.so")]));
    assert!(err.contains("cannot load plugin"), "{err}");
}

#[test]
fn plugin_panicking_at_start_is_an_error() {
    let p = plugins();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[plugins.misbehaving]\nmode = \"panic-new\"\n").expect("write");
    let err = failure(&leadminer_env(
        [
            OsStr::new("plugins"),
            OsStr::new("list"),
            OsStr::new("--plugin"),
            arg(&p.misbehaving),
            OsStr::new("--config"),
            arg(&config),
        ],
        &[],
    ));
    assert!(
        err.contains("plugin 'misbehaving' failed to start: panicked: misbehaving panics in new as asked"),
        "{err}"
    );
}

fn post(id: &str, body: &str) -> Post {
    let mut p = Post::new(Source::Reddit, id, PostKind::Comment);
    p.body = body.to_string();
    p.community = "test".to_string();
    p
}

fn analyze(plugin: &LoadedPlugin, p: &Post) -> Result<Vec<Signal>, AnalyzeError> {
    let mut out = Vec::new();
    plugin.analyze(&Document::new(p), &mut out).map(|()| out)
}

fn misbehaving(mode: &str) -> LoadedPlugin {
    plugin_host::load(&plugins().misbehaving, &format!("mode = \"{mode}\"\n")).expect("loads")
}

#[test]
fn misbehaving_plugins_fail_the_post_not_the_process() {
    let good = post("good", "hello there");
    let cases = [
        ("panic", "a boom here", "panicked: boom in post p-panic"),
        ("error", "a bad post", "cannot handle post p-error"),
        ("out-of-range", "hello", "span 0..15 of rule 'test.out-of-range' is out of bounds: the text has 5 bytes"),
        ("undeclared", "hello", "undeclared kind 'other'"),
        ("split-char", "héllo", "span 1..2 of rule 'test.split-char' is not on character boundaries"),
        ("nan", "hello", "weight NaN of rule 'test.nan' is not in (0, 1]"),
        ("flood", "hello", "emitted more than 10000 signals"),
    ];
    for (mode, text, expected) in cases {
        let plugin = misbehaving(mode);
        let bad = post(&format!("p-{mode}"), text);
        let e = analyze(&plugin, &bad).expect_err(mode);
        assert_eq!(e.analyzer, "misbehaving", "{mode}");
        assert_eq!(e.post, format!("p-{mode}"), "{mode}");
        assert!(e.message.contains(expected), "{mode}: {e}");
        assert!(e.to_string().contains(&format!("failed on post p-{mode}")), "{e}");
        if matches!(mode, "panic" | "error") {
            let signals = analyze(&plugin, &good).expect("the next post works");
            assert_eq!(signals.len(), 1, "{mode}");
        }
    }
    // In an analysis, a failing plugin drops only its own signals.
    let analysis = Analysis::new(vec![Box::new(misbehaving("panic")), Box::new(misbehaving("ok"))]);
    let boom = post("boom-1", "hello boom");
    let Analyzed { signals, errors, .. } = analysis.run(&Document::new(&boom));
    assert_eq!(errors.len(), 1);
    assert_eq!(signals.len(), 1, "the other plugin's signal stays");
}

#[test]
fn builtin_and_loaded_plugins_run_in_one_analysis() {
    let p = plugins();
    let load = |path: &Path| -> Box<dyn Analyzer> { Box::new(plugin_host::load(path, "").expect("loads")) };
    let analysis =
        Analysis::new(vec![Box::new(CodeSharing::default()), load(&p.patient), load(&p.maker), load(&p.c_example)]);
    let text = "As a T1D I 3D printed a clip for my Dexcom as a stopgap, and flashed ESPHome on a relay.";
    let mixed = post("mixed", text);
    assert!(analysis.candidate(&mixed));
    assert!(!analysis.candidate(&post("plain", "Nice weather today.")));
    let doc = Document::new(&mixed);
    let Analyzed { signals, errors, .. } = analysis.run(&doc);
    assert!(errors.is_empty(), "{errors:?}");
    let mut analyzers: Vec<&str> = signals.iter().map(|s| &*s.analyzer).collect();
    analyzers.sort();
    analyzers.dedup();
    assert_eq!(analyzers, ["maker-hardware", "patient-innovation", "workaround-c"]);
}

/// `leadminer scan` with a plugin: its signals reach `posts.jsonl`, and a
/// weight for its kind in the configuration moves the solution score.
#[test]
fn scan_with_plugin_signals_and_weights() {
    let p = plugins();
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input");
    std::fs::create_dir(&input).expect("mkdir");
    let submission = serde_json::json!({
        "id": "dia1",
        "subreddit": "diabetes_t1",
        "author": "looper",
        "created_utc": 1_700_000_000,
        "title": "How I sewed a sleeve for my Libre sensor",
        "selftext": "I sewed a sleeve for my Libre sensor so it stops ripping off at swim practice. \
                     We closed the loop with AndroidAPS last year. #WeAreNotWaiting",
    });
    std::fs::write(input.join("diabetes_t1_submissions.ndjson"), format!("{submission}\n")).expect("write");
    let scan = |config: &str, out: &Path| -> serde_json::Value {
        let cfg = dir.path().join("leadminer.toml");
        std::fs::write(&cfg, config).expect("write config");
        let args: Vec<&OsStr> = vec![
            OsStr::new("scan"),
            arg(&input),
            OsStr::new("--out"),
            arg(out),
            OsStr::new("--plugin"),
            arg(&p.patient),
            OsStr::new("--config"),
            arg(&cfg),
        ];
        stdout(&leadminer_env(&args, &[]));
        let posts = std::fs::read_to_string(out.join("posts.jsonl")).expect("posts.jsonl");
        posts
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON line"))
            .find(|v| v["id"] == "dia1")
            .expect("the post is in posts.jsonl")
    };
    let plain = scan("", &dir.path().join("out1"));
    let signals = plain["signals"].as_array().expect("signals");
    let ours: Vec<&serde_json::Value> = signals.iter().filter(|s| s["analyzer"] == "patient-innovation").collect();
    assert!(!ours.is_empty(), "plugin signals in the output: {plain:#}");
    for s in &ours {
        assert!(s["kind"] == "patient_innovation" || s["kind"] == "patient_need", "{s}");
        for key in ["rule", "start", "end", "text", "weight"] {
            assert!(s.get(key).is_some(), "{key} in {s}");
        }
    }
    let weighted = scan(
        "[plugins.patient-innovation.weights]\nsolution = { patient_innovation = 3.0 }\n",
        &dir.path().join("out2"),
    );
    let (before, after) =
        (plain["scores"]["solution"].as_f64().expect("score"), weighted["scores"]["solution"].as_f64().expect("score"));
    assert!(after > before, "a weight for patient_innovation raises the solution score: {before} -> {after}");
}

/// The walkthrough's example crate (edition 2024, outside the workspace)
/// builds as its README says and loads.
#[test]
fn walkthrough_example_builds_and_loads() {
    let profile = crate::common::profile_dir();
    let target = profile.parent().expect("target folder");
    let manifest = root().join("examples/plugin-walkthrough/made-my-own/Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["build", "--quiet", "--locked", "--manifest-path"]).arg(&manifest).arg("--target-dir").arg(target);
    if profile.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    let out = cmd.output().expect("cargo runs");
    assert!(out.status.success(), "the walkthrough crate does not build:\n{}", String::from_utf8_lossy(&out.stderr));
    let lib = profile.join(format!("{}made_my_own{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
    let info = stdout(&leadminer([OsStr::new("plugins"), OsStr::new("info"), arg(&lib)]));
    assert!(info.contains("name         made-my-own") && info.contains("kinds        made_my_own"), "{info}");
    let plugin = plugin_host::load(&lib, "weight = 0.7").expect("loads");
    let signals = analyze(&plugin, &post("w1", "Couldn't find a bracket, so I made my own.")).expect("analyzes");
    let found: Vec<(&str, f32)> = signals.iter().map(|s| (&*s.rule, s.weight)).collect();
    assert_eq!(found, [("so i made", 0.7), ("made my own", 0.7)]);
}

/// Errors are kept per thread: with one instance analyzing on several
/// threads, each failure is reported with its own post.
#[test]
fn rust_plugin_errors_stay_with_their_thread() {
    let plugin = std::sync::Arc::new(misbehaving("panic-quiet"));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let plugin = std::sync::Arc::clone(&plugin);
            std::thread::spawn(move || {
                for i in 0..50 {
                    let id = format!("t{t}-{i}");
                    let text = if i % 2 == 0 { "boom hello" } else { "hello" };
                    match analyze(&plugin, &post(&id, text)) {
                        Ok(signals) => assert!(i % 2 == 1 && signals.len() == 1, "{id}"),
                        Err(e) => {
                            assert_eq!(i % 2, 0, "{id}: {e}");
                            assert_eq!(e.message, format!("panicked: boom in post {id}"));
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no thread failed");
    }
}

/// `leadminer test` runs semgrep-style fixtures against a plugin library.
#[test]
fn leadminer_test_runs_plugin_fixtures() {
    let p = plugins();
    let fixtures = root().join("tests/data/plugin-fixtures");
    let ok = leadminer([OsStr::new("test"), p.maker.as_os_str(), OsStr::new("--fixtures"), fixtures.as_os_str()]);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{text}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(text.contains("3 passed, 0 failed"), "{text}");
    // The same fixtures without the plugin: its rules are missed, and
    // named as rules that no loaded analyzer has.
    let without = leadminer([OsStr::new("test"), OsStr::new("--fixtures"), fixtures.as_os_str()]);
    assert_eq!(without.status.code(), Some(1));
    let text = String::from_utf8_lossy(&without.stdout);
    assert!(text.contains("missed mod-retrofit"), "{text}");
    assert!(text.contains("'mod-retrofit' is not a rule of any loaded pack or plugin"), "{text}");
}
