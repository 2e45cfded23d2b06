//! Loading analyzer plugins: shared libraries written against the C ABI of
//! [`leadminer_plugin`] (in Rust with its SDK, or in C with
//! `leadminer_plugin.h`). A loaded plugin is an
//! [`Analyzer`](crate::analyze::Analyzer) like any
//! other. `docs/PLUGINS.md` describes the ABI, the configuration file and
//! the safety contract.
//!
//! * [`inspect`] opens a library and checks its descriptor.
//! * [`load`] also creates an instance with the plugin's configuration:
//!   a [`LoadedPlugin`].
//! * [`load_all`] gathers plugins from `--plugin` paths,
//!   `LEADMINER_PLUGIN_PATH` and the configuration file and loads them all;
//!   [`PluginConfig::apply_weights`] adds the configured weights of plugin
//!   kinds to the scoring [`Weights`](crate::score::Weights).
//!
//! A plugin is native code with the same rights as leadminer itself:
//! loading one runs its code. Libraries are never unloaded (unloading is
//! unreliable across platforms and unsafe with thread-local destructors):
//! every library opened here stays mapped for the life of the process.
//!
//! Its parts: [`ffi`] opens libraries and calls them across the C ABI
//! (the only module of the core crate with `unsafe` code; every block says
//! why it is sound), [`config`] reads the configuration file and the
//! weights of plugin kinds, [`discovery`] finds plugins on the command
//! line, in `LEADMINER_PLUGIN_PATH` and in the configuration and loads
//! them, and [`linked`] runs a plugin linked into leadminer (no library)
//! through the same conversions and checks.

pub mod config;
pub mod discovery;
pub mod ffi;
pub mod linked;

pub use config::{KindWeight, PluginConfig};
pub use discovery::{
    discover, is_library, load_all, load_plugins, LoadedPlugins, Origin, PluginSource, LIBRARY_EXTENSIONS, PLUGIN_PATH_ENV,
};
pub use ffi::{inspect, load, valid_name, LoadedPlugin, PluginInfo};
pub use linked::{PluginAnalyzer, TriggerWords};
/// The plugin SDK this host was built with (its ABI types and test
/// helpers).
pub use leadminer_plugin as sdk;
/// The plugin ABI version this leadminer loads.
pub use leadminer_plugin::ABI_VERSION;

use leadminer_plugin::abi::{ENTRY_SYMBOL, MAGIC};
use std::path::PathBuf;

/// Why a plugin could not be found, opened, checked or configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginError {
    /// The library could not be opened (missing file, not a shared
    /// library, missing dependencies, wrong architecture).
    #[error("{}: cannot load plugin: {message}", path.display())]
    Open {
        /// The library.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// The library does not export the entry point.
    #[error("{}: not a leadminer plugin: it does not export `{ENTRY_SYMBOL}`{}", path.display(), other.as_ref().map(|o| format!(" (it exports `{o}`: built for a different plugin ABI; rebuild it against this leadminer's leadminer-plugin, ABI version {ABI_VERSION})")).unwrap_or_default())]
    NotAPlugin {
        /// The library.
        path: PathBuf,
        /// Another `leadminer_plugin_vN` entry point it exports, if any.
        other: Option<String>,
    },
    /// The descriptor does not start with the magic number.
    #[error("{}: not a leadminer plugin: its descriptor starts with {found:#018x}, not the magic number {MAGIC:#018x}", path.display())]
    BadMagic {
        /// The library.
        path: PathBuf,
        /// What it starts with.
        found: u64,
    },
    /// The plugin was built against another ABI version.
    #[error("{}: plugin ABI version mismatch: the plugin was built for ABI version {plugin}, this leadminer supports ABI version {host}; rebuild the plugin against a leadminer-plugin with ABI version {host}", path.display())]
    AbiVersion {
        /// The library.
        path: PathBuf,
        /// The plugin's ABI version.
        plugin: u32,
        /// This host's ABI version.
        host: u32,
    },
    /// The descriptor is smaller than this ABI version's.
    #[error("{}: plugin descriptor is {size} bytes, ABI version {ABI_VERSION} needs at least {min}", path.display())]
    StructSize {
        /// The library.
        path: PathBuf,
        /// The size it declares.
        size: u32,
        /// The smallest size accepted.
        min: usize,
    },
    /// A descriptor field is invalid (null function, bad name, non-UTF-8
    /// text).
    #[error("{}: invalid plugin descriptor: {message}", path.display())]
    Invalid {
        /// The library.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The plugin refused its configuration (or failed to start).
    #[error("{}: plugin '{name}' failed to start: {message}", path.display())]
    Create {
        /// The library.
        path: PathBuf,
        /// The plugin's name.
        name: String,
        /// The plugin's message.
        message: String,
    },
    /// The configuration file is unreadable or invalid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A plugin path or folder could not be read.
    #[error("{}: {message}", path.display())]
    Discover {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two loaded plugins have the same name.
    #[error("two plugins are named '{name}': {} and {}", first.display(), second.display())]
    Duplicate {
        /// The name.
        name: String,
        /// The first library.
        first: PathBuf,
        /// The second library.
        second: PathBuf,
    },
}
