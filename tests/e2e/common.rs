//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared development corpora, or `None` (with a SKIPPED line naming
/// the test) when they are not beside the repository.
pub fn corpora(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("LEADMINER_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpora"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED {test}: corpora not found at {} (set LEADMINER_CORPORA)", dir.display());
        None
    }
}

/// A file's text; a test fails naming the file when it cannot be read.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `leadminer` binary as a command, with the re-ranking stage's
/// encoder search off (`LEADMINER_ENCODER=off`), so a fetched encoder does
/// not change what the tests see; the tests of the stage name it.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadminer"));
    cmd.env("LEADMINER_ENCODER", "off");
    cmd
}

/// Runs the `leadminer` binary with `args`.
pub fn leadminer<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    command().args(args).output().expect("the leadminer binary runs")
}

/// Runs `leadminer stats --json` and parses its output.
pub fn stats_json(inputs: &[&Path], extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<std::ffi::OsString> = vec!["stats".into(), "--json".into()];
    args.extend(extra.iter().map(Into::into));
    args.extend(inputs.iter().map(|p| p.as_os_str().to_owned()));
    let out = leadminer(&args);
    assert!(
        out.status.success(),
        "leadminer stats failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stats --json prints JSON")
}

/// The folder the `leadminer` binary was built in (`target/debug`).
pub fn profile_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_leadminer"));
    exe.parent().expect("the binary lies in a folder").to_path_buf()
}

/// A folder under the target directory for files the tests build.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = profile_dir().join("e2e").join(name);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The example and test plugins, built for real.
#[derive(Debug)]
pub struct BuiltPlugins {
    /// `plugins/patient-innovation`.
    pub patient: PathBuf,
    /// `plugins/maker-hardware`.
    pub maker: PathBuf,
    /// `tests/plugins/misbehaving`.
    pub misbehaving: PathBuf,
    /// `plugins/c-example`, compiled with the C compiler.
    pub c_example: PathBuf,
}

/// Builds the plugins once per test binary: the Rust ones with the same
/// cargo, target folder and profile as the binary under test, the C one
/// with `cc`.
pub fn plugins() -> &'static BuiltPlugins {
    static BUILT: OnceLock<BuiltPlugins> = OnceLock::new();
    BUILT.get_or_init(|| {
        let profile = profile_dir();
        let target = profile.parent().expect("the profile folder lies in the target folder");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        // The workspace's libraries with its test targets: the same packages
        // and features as `cargo test --workspace`, so after one the build
        // is a no-op (selecting only the plugin packages would unify
        // features differently and compile their dependencies again).
        let mut cmd = Command::new(cargo);
        cmd.current_dir(root()).args(["build", "--quiet", "--workspace", "--lib", "--tests"]);
        cmd.arg("--target-dir").arg(target);
        if profile.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let out = cmd.output().expect("cargo runs");
        assert!(out.status.success(), "building the plugins failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let lib = |name: &str| {
            let path = profile.join(format!("{}{name}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX));
            assert!(path.is_file(), "{} was not built", path.display());
            path
        };
        BuiltPlugins {
            patient: lib("patient_innovation"),
            maker: lib("maker_hardware"),
            misbehaving: lib("leadminer_test_plugin"),
            c_example: compile_c(&root().join("plugins/c-example/plugin.c"), "workaround_c", &[]),
        }
    })
}

/// Compiles a C plugin against `leadminer_plugin.h` into
/// `target/<profile>/e2e/c/lib{name}.so`.
pub fn compile_c(src: &Path, name: &str, defines: &[&str]) -> PathBuf {
    let out = scratch_dir("c").join(format!("lib{name}{}", std::env::consts::DLL_SUFFIX));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(&cc)
        .args(["-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden"])
        .arg("-I")
        .arg(root().join("crates/plugin/include"))
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

/// Runs `leadminer` with extra environment variables.
pub fn leadminer_env<I, S>(args: I, env: &[(&str, &std::ffi::OsStr)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = command();
    cmd.args(args).env_remove("LEADMINER_PLUGIN_PATH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the leadminer binary runs")
}
