//! Finding plugins (`--plugin`, `LEADMINER_PLUGIN_PATH`, the
//! configuration) and loading them all.

#![allow(unsafe_code)]

use super::{LoadedPlugin, PluginConfig, PluginError, PluginInfo};
use super::ffi::{absolute, open};
use crate::analyze::Analyzer;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable with folders of plugins, separated like `PATH`
/// (`:` on Unix).
pub const PLUGIN_PATH_ENV: &str = "LEADMINER_PLUGIN_PATH";

/// File extensions of plugin libraries found in plugin folders.
pub const LIBRARY_EXTENSIONS: &[&str] = &["so", "dylib", "dll"];



/// Where a plugin path came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A `--plugin` argument.
    Argument,
    /// A folder of [`PLUGIN_PATH_ENV`].
    EnvPath(PathBuf),
    /// A `[[plugin]]` entry of the configuration file.
    Config(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Argument => f.write_str("--plugin"),
            Origin::EnvPath(dir) => write!(f, "{PLUGIN_PATH_ENV} ({})", dir.display()),
            Origin::Config(file) => write!(f, "config {}", file.display()),
        }
    }
}

/// A plugin library to load and where its path came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSource {
    /// The library (absolute).
    pub path: PathBuf,
    /// Where the path came from.
    pub origin: Origin,
}

/// Whether a file name has a plugin library extension
/// ([`LIBRARY_EXTENSIONS`]).
pub fn is_library(path: &Path) -> bool {
    path.extension().and_then(OsStr::to_str).is_some_and(|e| LIBRARY_EXTENSIONS.contains(&e))
}

/// The plugin libraries of a folder, sorted by name.
fn libraries_in(dir: &Path) -> Result<Vec<PathBuf>, PluginError> {
    let err =
        |e: std::io::Error| PluginError::Discover { path: dir.to_path_buf(), message: format!("cannot list: {e}") };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let path = entry.map_err(err)?.path();
        if is_library(&path) && path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Lists the plugin libraries to load, in order: `--plugin` arguments (a
/// folder stands for the libraries in it), then the libraries in each
/// folder of `env_path` (the value of [`PLUGIN_PATH_ENV`]; missing folders
/// are skipped, like in `PATH`), then the configuration's `[[plugin]]`
/// paths. A library named twice is listed once, with its first origin.
/// Paths given explicitly (arguments, configuration) must exist.
pub fn discover(
    arguments: &[PathBuf],
    env_path: Option<&OsStr>,
    config: &PluginConfig,
) -> Result<Vec<PluginSource>, PluginError> {
    let mut out: Vec<PluginSource> = Vec::new();
    let mut push = |path: &Path, origin: Origin| {
        let path = absolute(path);
        if !out.iter().any(|s| s.path == path) {
            out.push(PluginSource { path, origin });
        }
    };
    let explicit = |path: &Path, origin: Origin, push: &mut dyn FnMut(&Path, Origin)| {
        if path.is_dir() {
            for lib in libraries_in(path)? {
                push(&lib, origin.clone());
            }
            Ok(())
        } else if path.exists() {
            push(path, origin);
            Ok(())
        } else {
            Err(PluginError::Discover {
                path: path.to_path_buf(),
                message: format!("plugin not found (from {origin})"),
            })
        }
    };
    for path in arguments {
        explicit(path, Origin::Argument, &mut push)?;
    }
    if let Some(env_path) = env_path {
        for dir in std::env::split_paths(env_path) {
            if dir.as_os_str().is_empty() || !dir.is_dir() {
                continue;
            }
            for lib in libraries_in(&dir)? {
                push(&lib, Origin::EnvPath(dir.clone()));
            }
        }
    }
    let file = config.file.clone().unwrap_or_else(|| PathBuf::from("<config>"));
    for path in &config.paths {
        explicit(path, Origin::Config(file.clone()), &mut push)?;
    }
    Ok(out)
}

/// Loaded plugins with their origins, and the configuration they were
/// loaded with.
#[derive(Debug, Default)]
pub struct LoadedPlugins {
    /// The plugins, in load order.
    pub plugins: Vec<(PluginSource, LoadedPlugin)>,
    /// The configuration (default when no file was given).
    pub config: PluginConfig,
}

/// Finds and loads plugins like [`load_all`], with the value of
/// [`PLUGIN_PATH_ENV`] passed in, keeping each plugin's origin.
pub fn load_plugins(
    arguments: &[PathBuf],
    env_path: Option<&OsStr>,
    config: Option<&Path>,
) -> Result<LoadedPlugins, PluginError> {
    let config = match config {
        Some(path) => PluginConfig::load(path)?,
        None => PluginConfig::default(),
    };
    let sources = discover(arguments, env_path, &config)?;
    let mut opened = Vec::with_capacity(sources.len());
    let mut first_of: HashMap<String, PathBuf> = HashMap::new();
    for source in sources {
        let o = open(&source.path)?;
        if let Some(first) = first_of.insert(o.info.name.clone(), o.info.path.clone()) {
            return Err(PluginError::Duplicate { name: o.info.name, first, second: o.info.path });
        }
        opened.push((source, o));
    }
    let infos: Vec<PluginInfo> = opened.iter().map(|(_, o)| o.info.clone()).collect();
    config.check(&infos)?;
    let mut plugins = Vec::with_capacity(opened.len());
    for (source, o) in opened {
        let options = config.options_for(&o.info.name).to_string();
        plugins.push((source, LoadedPlugin::create(o, &options)?));
    }
    Ok(LoadedPlugins { plugins, config })
}

/// Loads every plugin a command line asks for, as analyzers.
///
/// * `paths`: the `--plugin PATH` arguments, in order (a folder stands for
///   every `.so`/`.dylib`/`.dll` in it).
/// * the folders of the `LEADMINER_PLUGIN_PATH` environment variable
///   (separated like `PATH`; missing folders are skipped): every library in
///   them.
/// * `config`: the `--config FILE`, if given: its `[[plugin]] path = ...`
///   entries (relative to the file) are loaded too, `[plugins.NAME]` tables
///   are passed to the plugin named NAME as TOML text, and
///   `[plugins.NAME.weights]` set weights of its kinds (see
///   [`PluginConfig`]).
///
/// A library found twice is loaded once. Every library is checked (magic
/// number, ABI version, descriptor size, names) and created with its
/// options before this returns, so any problem — a missing file, a library
/// that is not a plugin, an ABI mismatch, two plugins with the same name, a
/// `[plugins.NAME]` for no loaded plugin, a weight for a kind the plugin
/// does not emit, a plugin refusing its options — is an error here, before
/// any post is read.
///
/// Returns the analyzers, in the order above, and the configuration; call
/// [`PluginConfig::apply_weights`] on the scoring weights (after loading
/// any `--weights` file) so the plugin kinds count. Libraries stay loaded
/// for the life of the process; dropping an analyzer frees its instance
/// only. Analyzers are thread-safe: share them across worker threads.
pub fn load_all(
    paths: &[PathBuf],
    config: Option<&Path>,
) -> Result<(Vec<Box<dyn Analyzer>>, PluginConfig), PluginError> {
    let env = std::env::var_os(PLUGIN_PATH_ENV);
    let loaded = load_plugins(paths, env.as_deref(), config)?;
    let analyzers = loaded.plugins.into_iter().map(|(_, p)| Box::new(p) as Box<dyn Analyzer>).collect();
    Ok((analyzers, loaded.config))
}



#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn discovery_order_and_dedup() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("env");
        std::fs::create_dir(&a).expect("mkdir");
        for f in ["libb.so", "liba.so", "notes.txt", "libc.dylib"] {
            std::fs::write(a.join(f), "").expect("write");
        }
        let arg = a.join("libb.so");
        let env = std::env::join_paths([a.clone(), dir.path().join("missing")]).expect("join");
        let config =
            PluginConfig::parse("[[plugin]]\npath = 'env/liba.so'", Some(&dir.path().join("c.toml"))).expect("parses");
        let found = discover(std::slice::from_ref(&arg), Some(&env), &config).expect("discovers");
        let names: Vec<(String, String)> = found
            .iter()
            .map(|s| {
                let name = s.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let origin = match s.origin {
                    Origin::Argument => "arg",
                    Origin::EnvPath(_) => "env",
                    Origin::Config(_) => "config",
                };
                (name, origin.to_string())
            })
            .collect();
        let expected = [("libb.so", "arg"), ("liba.so", "env"), ("libc.dylib", "env")];
        assert_eq!(names, expected.map(|(a, b)| (a.to_string(), b.to_string())));
        let missing = discover(&[dir.path().join("nope.so")], None, &PluginConfig::default());
        assert!(missing.is_err_and(|e| e.to_string().contains("plugin not found (from --plugin)")));
    }
}
