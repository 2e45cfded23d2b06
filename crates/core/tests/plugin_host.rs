//! The plugin host on real shared libraries: the C example plugin and
//! deliberately broken C plugins, compiled with the system C compiler
//! (`cc`, or `$CC`) and loaded with `dlopen`.

use leadminer_core::analyze::sharing::CodeSharing;
use leadminer_core::analyze::{Analysis, Analyzed, Analyzer, Document, Signal};
use leadminer_core::model::{Post, PostKind, Region, RegionKind, Source};
use leadminer_core::plugin_host::{self, LoadedPlugin, Origin, PluginConfig, PluginError};
use leadminer_core::score::{self, Label, Weights};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin_host");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Compiles a C plugin into a shared library named `lib{name}.so`.
fn compile(src: &Path, name: &str, defines: &[&str]) -> PathBuf {
    let out = out_dir().join(format!("lib{name}.so"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(&cc)
        .args(["-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden"])
        .arg("-I")
        .arg(repo().join("crates/plugin/include"))
        .args(defines)
        .arg(src)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler '{cc}' (install build-essential): {e}"));
    assert!(
        output.status.success(),
        "{} does not compile:\n{}",
        src.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// The C example plugin, compiled once per test binary.
fn c_example() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| compile(&repo().join("plugins/c-example/plugin.c"), "workaround_c", &[]))
}

fn variant(name: &str, defines: &[&str]) -> PathBuf {
    compile(&repo().join("tests/plugins/header_variants.c"), name, defines)
}

fn post(id: &str, title: &str, body: &str, regions: Vec<Region>) -> Post {
    let mut p = Post::new(Source::Reddit, id, PostKind::Comment);
    p.title = Some(title.to_string());
    p.body = body.to_string();
    p.regions = regions;
    p.author = Some("maker".into());
    p.created = Some(1_700_000_000);
    p
}

fn texts<'a>(doc: &'a Document<'_>, signals: &'a [Signal]) -> Vec<(&'a str, &'a str, &'a str, f32)> {
    signals.iter().map(|s| (&*s.analyzer, &*s.rule, &doc.text[s.start..s.end], s.weight)).collect()
}

#[test]
fn c_plugin_info() {
    let info = plugin_host::inspect(c_example()).expect("the C example loads");
    assert_eq!(info.name, "workaround-c");
    assert_eq!(info.version, "0.1.0");
    assert_eq!(info.abi_version, leadminer_plugin::ABI_VERSION);
    assert_eq!(info.kinds, ["workaround"]);
    assert!(info.triggers.as_ref().is_some_and(|t| t.contains(&"duct tape".to_string())));
    assert!(info.path.is_absolute());
}

#[test]
fn c_plugin_analyzes_documents() {
    let plugin = plugin_host::load(c_example(), "weight = 0.5\n").expect("loads");
    let quote = "> duct tape is all I have";
    let body = format!("{quote}\nI held it with Zip Ties as a workaround, not jury-rigged.");
    let p = post("p1", "A workaround", &body, vec![Region { kind: RegionKind::Quote, start: 0, end: quote.len() }]);
    let doc = Document::new(&p);
    let mut out = Vec::new();
    plugin.analyze(&doc, &mut out).expect("analyzes");
    assert_eq!(
        texts(&doc, &out),
        [
            ("workaround-c", "workaround.word", "workaround", 0.5),
            ("workaround-c", "workaround.zip-tie", "Zip Ties", 0.5),
            ("workaround-c", "workaround.word", "workaround", 0.5),
            ("workaround-c", "workaround.jury-rig", "jury-rigged", 0.5),
        ]
    );
    assert!(out.iter().all(|s| &*s.kind == "workaround"));
}

#[test]
fn loaded_and_builtin_plugins_run_together() {
    let plugin: Box<dyn Analyzer> = Box::new(plugin_host::load(c_example(), "").expect("loads"));
    let analysis = Analysis::new(vec![plugin, Box::new(CodeSharing::default())]);
    let code = "fn main() { println!(\"a stopgap until the vendor fixes it, shared for anyone who needs it\"); }";
    let body = format!("My stopgap:\n{code}\n");
    let p = post("p2", "Fix", &body, vec![Region { kind: RegionKind::Code, start: 12, end: 12 + code.len() }]);
    assert!(analysis.candidate(&p), "the plugin's triggers reach the prefilter");
    let plain = post("p3", "Hello", "nothing to see", Vec::new());
    assert!(!analysis.candidate(&plain));
    let doc = Document::new(&p);
    let Analyzed { signals, errors, .. } = analysis.run(&doc);
    assert!(errors.is_empty(), "{errors:?}");
    let found: Vec<(&str, &str)> = signals.iter().map(|s| (&*s.analyzer, &doc.text[s.start..s.end])).collect();
    assert_eq!(found, [("workaround-c", "stopgap"), ("sharing-code", code)]);
    let mut weights = Weights::builtin();
    weights.set_kind(Label::Solution, "workaround", 2.0);
    let (with, _) = score::score(&weights, &signals);
    let (without, _) = score::score(&Weights::builtin(), &signals);
    assert!(with[Label::Solution] > without[Label::Solution], "{with:?} vs {without:?}");
}

#[test]
fn c_plugin_is_thread_safe() {
    let plugin: Arc<LoadedPlugin> = Arc::new(plugin_host::load(c_example(), "").expect("loads"));
    let posts: Vec<Post> =
        (0..200).map(|i| post(&i.to_string(), "t", &"x ".repeat(i % 7).replace('x', "kludge"), Vec::new())).collect();
    let expected: Vec<usize> = posts.iter().map(|p| p.body.matches("kludge").count()).collect();
    let posts = Arc::new(posts);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (plugin, posts) = (Arc::clone(&plugin), Arc::clone(&posts));
            std::thread::spawn(move || {
                posts
                    .iter()
                    .map(|p| {
                        let mut out = Vec::new();
                        plugin.analyze(&Document::new(p), &mut out).map(|()| out.len())
                    })
                    .collect::<Result<Vec<usize>, _>>()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("thread").expect("analyzes"), expected);
    }
}

#[test]
fn c_plugin_refuses_bad_config() {
    let e = plugin_host::load(c_example(), "colour = 'red'").expect_err("unknown option");
    match &e {
        PluginError::Create { name, message, .. } => {
            assert_eq!(name, "workaround-c");
            assert!(message.contains("unknown option"), "{message}");
        }
        other => panic!("unexpected error {other}"),
    }
    let e = plugin_host::load(c_example(), "weight = 3").expect_err("weight out of range");
    assert!(e.to_string().contains("weight must be a number in (0, 1]"), "{e}");
}

#[test]
fn broken_descriptors_are_refused() {
    let ok = variant("variant_ok", &[]);
    let plugin = plugin_host::load(&ok, "").expect("a valid plugin with a null instance");
    let p = post("v", "t", "b", Vec::new());
    plugin.analyze(&Document::new(&p), &mut Vec::new()).expect("analyzes");

    let abi = variant("variant_abi2", &["-DTEST_ABI=2"]);
    let e = plugin_host::inspect(&abi).expect_err("ABI 2");
    assert!(matches!(e, PluginError::AbiVersion { plugin: 2, host: 1, .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("libvariant_abi2.so"), "names the path: {message}");
    assert!(message.contains("ABI version 2") && message.contains("ABI version 1"), "{message}");

    let magic = variant("variant_magic", &["-DTEST_MAGIC=0x1234"]);
    let e = plugin_host::inspect(&magic).expect_err("bad magic");
    assert!(matches!(e, PluginError::BadMagic { found: 0x1234, .. }), "{e:?}");

    let size = variant("variant_size", &["-DTEST_SIZE=16"]);
    let e = plugin_host::inspect(&size).expect_err("small descriptor");
    assert!(matches!(e, PluginError::StructSize { size: 16, .. }), "{e:?}");

    let entry = variant("variant_entry", &["-DTEST_ENTRY=leadminer_plugin_v2"]);
    let e = plugin_host::inspect(&entry).expect_err("no v1 entry");
    assert!(matches!(&e, PluginError::NotAPlugin { other: Some(o), .. } if o == "leadminer_plugin_v2"), "{e:?}");
    assert!(e.to_string().contains("built for a different plugin ABI"), "{e}");

    let name = variant("variant_name", &["-DTEST_NAME=\"bad name!\""]);
    let e = plugin_host::inspect(&name).expect_err("bad name");
    assert!(matches!(&e, PluginError::Invalid { message, .. } if message.contains("name")), "{e:?}");

    let null = variant("variant_null", &["-DTEST_NULL_ANALYZE"]);
    let e = plugin_host::inspect(&null).expect_err("null analyze");
    assert!(matches!(&e, PluginError::Invalid { message, .. } if message.contains("`analyze` is null")), "{e:?}");
}

#[test]
fn load_plugins_from_arguments_env_and_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let env_dir = dir.path().join("plugins");
    std::fs::create_dir(&env_dir).expect("mkdir");
    std::fs::copy(variant("variant_env", &[]), env_dir.join("libvariant.so")).expect("copy");
    std::fs::copy(c_example(), dir.path().join("libworkaround_c.so")).expect("copy");
    let config = dir.path().join("leadminer.toml");
    std::fs::write(
        &config,
        "[scan]\nthreads = 2\n\n[[plugin]]\npath = \"libworkaround_c.so\"\n\n\
         [plugins.workaround-c]\nweight = 0.25\n\n[plugins.workaround-c.weights]\nsolution = { workaround = 1.5 }\n",
    )
    .expect("write config");
    let env = env_dir.clone().into_os_string();
    let loaded = plugin_host::load_plugins(&[], Some(&env), Some(&config)).expect("loads");
    let got: Vec<(&str, &Origin)> = loaded.plugins.iter().map(|(s, p)| (p.info().name.as_str(), &s.origin)).collect();
    assert_eq!(
        got,
        [("header-variant", &Origin::EnvPath(env_dir.clone())), ("workaround-c", &Origin::Config(config.clone())),]
    );
    let mut weights = Weights::builtin();
    loaded.config.apply_weights(&mut weights);
    assert_eq!(weights.label(Label::Solution).and_then(|l| l.kinds.get("workaround")), Some(&1.5));
    let (_, workaround) = &loaded.plugins[1];
    let p = post("w", "t", "a kludge", Vec::new());
    let doc = Document::new(&p);
    let mut out = Vec::new();
    workaround.analyze(&doc, &mut out).expect("analyzes");
    assert_eq!(out[0].weight, 0.25, "the plugin got its options");

    // The same plugin twice under two names is one plugin too many.
    let copy = dir.path().join("libcopy.so");
    std::fs::copy(c_example(), &copy).expect("copy");
    let e = plugin_host::load_plugins(&[copy], None, Some(&config)).expect_err("duplicate");
    assert!(matches!(&e, PluginError::Duplicate { name, .. } if name == "workaround-c"), "{e:?}");

    // Options for a plugin that is not loaded are an error, not ignored.
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[plugins.workaround]\nweight = 0.3\n").expect("write");
    let e = plugin_host::load_plugins(&[c_example().to_path_buf()], None, Some(&typo)).expect_err("typo");
    assert!(e.to_string().contains("no loaded plugin is named 'workaround' (loaded: workaround-c)"), "{e}");

    // A weight for a kind the plugin does not emit.
    let kind = dir.path().join("kind.toml");
    std::fs::write(&kind, "[plugins.workaround-c.weights]\nneed.wish = 1.0\n").expect("write");
    let e = plugin_host::load_plugins(&[c_example().to_path_buf()], None, Some(&kind)).expect_err("kind");
    assert!(e.to_string().contains("does not emit kind 'wish'"), "{e}");
}

#[test]
fn load_all_returns_analyzers_and_config() {
    let (analyzers, config) = plugin_host::load_all(&[c_example().to_path_buf()], None).expect("loads");
    assert_eq!(analyzers.len(), 1);
    assert_eq!(analyzers[0].id(), "workaround-c");
    assert_eq!(config, PluginConfig::default());
}
