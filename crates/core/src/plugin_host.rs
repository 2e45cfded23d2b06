//! Loading analyzer plugins: shared libraries written against the C ABI of
//! [`leadminer_plugin`] (in Rust with its SDK, or in C with
//! `leadminer_plugin.h`). A loaded plugin is an [`Analyzer`] like any
//! other. `docs/PLUGINS.md` describes the ABI, the configuration file and
//! the safety contract.
//!
//! * [`inspect`] opens a library and checks its descriptor.
//! * [`load`] also creates an instance with the plugin's configuration:
//!   a [`LoadedPlugin`].
//! * [`load_all`] gathers plugins from `--plugin` paths,
//!   `LEADMINER_PLUGIN_PATH` and the configuration file and loads them all;
//!   [`PluginConfig::apply_weights`] adds the configured weights of plugin
//!   kinds to the scoring [`Weights`].
//!
//! A plugin is native code with the same rights as leadminer itself:
//! loading one runs its code. Libraries are never unloaded (unloading is
//! unreliable across platforms and unsafe with thread-local destructors):
//! every library opened here stays mapped for the life of the process.
//!
//! This is the only module of the core crate with `unsafe` code; every
//! block says why it is sound.

#![allow(unsafe_code)]

use crate::analyze::adapter::{post_fields, region_views, Collector};
use crate::analyze::{AnalyzeError, Analyzer, Document, Signal};
use crate::score::{Label, Weights};
/// The plugin SDK this host was built with (its ABI types and test
/// helpers).
pub use leadminer_plugin as sdk;
use leadminer_plugin::abi::{
    AnalyzeFn, CreateFn, DestroyFn, EntryFn, LastErrorFn, PluginDescriptor, PluginHeader, PostView, SignalView, Str,
    ENTRY_SYMBOL, ENTRY_SYMBOL_NUL, MAGIC, STATUS_OK, STATUS_PANIC,
};
use leadminer_plugin::Emitted;
/// The plugin ABI version this leadminer loads.
pub use leadminer_plugin::ABI_VERSION;
use libloading::Library;
use std::collections::{BTreeMap, HashMap};
use std::ffi::{c_void, OsStr};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable with folders of plugins, separated like `PATH`
/// (`:` on Unix).
pub const PLUGIN_PATH_ENV: &str = "LEADMINER_PLUGIN_PATH";

/// File extensions of plugin libraries found in plugin folders.
pub const LIBRARY_EXTENSIONS: &[&str] = &["so", "dylib", "dll"];

/// Longest error message kept from a plugin, in bytes.
const MAX_MESSAGE: usize = 4096;

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

/// What a plugin's descriptor says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// The library, as opened (absolute).
    pub path: PathBuf,
    /// The plugin's name.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// The ABI version it was built for (equal to [`ABI_VERSION`]).
    pub abi_version: u32,
    /// The size of its descriptor.
    pub struct_size: u32,
    /// The signal kinds it emits.
    pub kinds: Vec<String>,
    /// Its triggers (lower case); `None` when it asks for every post.
    pub triggers: Option<Vec<String>>,
}

/// An opened and checked library: its description and entry points.
struct Opened {
    info: PluginInfo,
    create: CreateFn,
    analyze: AnalyzeFn,
    destroy: DestroyFn,
    last_error: LastErrorFn,
}

/// Opens a plugin library and checks its descriptor, without creating an
/// instance.
///
/// The checks, in order: the library opens; it exports
/// `leadminer_plugin_v1`; the descriptor starts with the magic number; its
/// ABI version equals [`ABI_VERSION`]; its `struct_size` covers this
/// version's descriptor. Only then are the other fields read: the name
/// (letters, digits, `-`, `_`), version, kinds and triggers must be UTF-8
/// and the four functions non-null.
///
/// The library stays loaded for the rest of the process, even when a check
/// fails.
pub fn inspect(path: &Path) -> Result<PluginInfo, PluginError> {
    open(path).map(|o| o.info)
}

/// Makes a path absolute, so the loader does not search its library path
/// for a bare file name.
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).or_else(|_| std::path::absolute(path)).unwrap_or_else(|_| path.to_path_buf())
}

fn open(path: &Path) -> Result<Opened, PluginError> {
    let path = absolute(path);
    let invalid = |message: String| PluginError::Invalid { path: path.clone(), message };
    // SAFETY: opening a library runs its initializers. A plugin is trusted
    // native code (docs/PLUGINS.md); the user chose to load it.
    let library =
        unsafe { Library::new(&path) }.map_err(|e| PluginError::Open { path: path.clone(), message: e.to_string() })?;
    // Never unloaded: the descriptor, its strings and the functions stay
    // valid for the life of the process.
    let library: &'static Library = Box::leak(Box::new(library));
    // SAFETY: the symbol's type is the ABI's entry point type; a library
    // exporting this name promises it (checked below by the magic number).
    let entry = match unsafe { library.get::<EntryFn>(ENTRY_SYMBOL_NUL) } {
        Ok(entry) => *entry,
        Err(_) => return Err(PluginError::NotAPlugin { other: other_entry(library), path }),
    };
    // SAFETY: the entry point takes no arguments and returns a pointer to
    // a static descriptor.
    let descriptor = unsafe { entry() };
    if descriptor.is_null() {
        return Err(invalid(format!("`{ENTRY_SYMBOL}` returned a null descriptor")));
    }
    if descriptor as usize % std::mem::align_of::<PluginDescriptor>() != 0 {
        return Err(invalid(format!("`{ENTRY_SYMBOL}` returned a misaligned descriptor")));
    }
    // The fixed header first: magic, version, size; nothing else is read
    // before they are checked.
    // SAFETY: every version of the ABI starts the descriptor with this
    // 16-byte header; the pointer is non-null and aligned.
    let header = unsafe { descriptor.cast::<PluginHeader>().read() };
    if header.magic != MAGIC {
        return Err(PluginError::BadMagic { path, found: header.magic });
    }
    if header.abi_version != ABI_VERSION {
        return Err(PluginError::AbiVersion { path, plugin: header.abi_version, host: ABI_VERSION });
    }
    if (header.struct_size as usize) < PluginDescriptor::V1_SIZE {
        return Err(PluginError::StructSize { path, size: header.struct_size, min: PluginDescriptor::V1_SIZE });
    }
    // SAFETY: the header says this is a version-1 descriptor at least as
    // large as ours, living as long as the (never unloaded) library.
    let d: &'static PluginDescriptor = unsafe { &*descriptor };
    let text = |s: Str, what: &str| -> Result<String, PluginError> {
        // SAFETY: descriptor strings point into the library's static data.
        unsafe { s.to_str() }.map(str::to_string).map_err(|e| invalid(format!("{what} is not UTF-8: {e}")))
    };
    let list = |ptr: *const Str, len: usize, what: &str| -> Result<Vec<String>, PluginError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        if ptr.is_null() || ptr as usize % std::mem::align_of::<Str>() != 0 || len > 4096 {
            return Err(invalid(format!("{what}: bad array ({len} entries)")));
        }
        // SAFETY: a non-null, aligned array of `len` strings in the
        // library's static data, per the ABI.
        let items = unsafe { std::slice::from_raw_parts(ptr, len) };
        items.iter().map(|s| text(*s, what)).collect()
    };
    let name = text(d.name, "name")?;
    if !valid_name(&name) {
        return Err(invalid(format!("name {name:?} must be 1 to 64 ASCII letters, digits, '-' or '_'")));
    }
    let version = text(d.version, "version")?;
    let kinds = list(d.kinds, d.kinds_len, "kinds")?;
    if kinds.is_empty() || kinds.iter().any(|k| k.is_empty()) {
        return Err(invalid("kinds: a plugin declares at least one kind, none empty".to_string()));
    }
    let triggers = if d.triggers.is_null() {
        None
    } else {
        Some(list(d.triggers, d.triggers_len, "triggers")?.into_iter().map(|t| t.to_lowercase()).collect())
    };
    let missing = |what: &str| invalid(format!("`{what}` is null"));
    Ok(Opened {
        create: d.create.ok_or_else(|| missing("create"))?,
        analyze: d.analyze.ok_or_else(|| missing("analyze"))?,
        destroy: d.destroy.ok_or_else(|| missing("destroy"))?,
        last_error: d.last_error.ok_or_else(|| missing("last_error"))?,
        info: PluginInfo {
            path,
            name,
            version,
            abi_version: header.abi_version,
            struct_size: header.struct_size,
            kinds,
            triggers,
        },
    })
}

/// Another `leadminer_plugin_vN` entry point the library exports.
fn other_entry(library: &Library) -> Option<String> {
    (2..=9).map(|n| format!("leadminer_plugin_v{n}")).find(|name| {
        let symbol = format!("{name}\0");
        // SAFETY: only the symbol's presence is checked; it is not called.
        unsafe { library.get::<*const c_void>(symbol.as_bytes()) }.is_ok()
    })
}

/// Whether a plugin name is 1 to 64 ASCII letters, digits, `-` or `_`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A plugin loaded and created with its configuration: an [`Analyzer`].
///
/// `analyze` builds a [`PostView`] of the document, calls the plugin and
/// checks every signal it emits (see [`leadminer_plugin::check_signal`]); a
/// bad signal, an error or a panic the plugin caught becomes an
/// [`AnalyzeError`] with the plugin's name and the post's id.
pub struct LoadedPlugin {
    info: PluginInfo,
    name: Arc<str>,
    kinds: Vec<Arc<str>>,
    triggers: crate::analyze::TriggerWords,
    instance: *mut c_void,
    analyze: AnalyzeFn,
    destroy: DestroyFn,
    last_error: LastErrorFn,
}

// SAFETY: the ABI requires `analyze` to be callable from several threads at
// once on one instance, and `create`/`destroy` are only called by the
// single owner (construction and `Drop`).
unsafe impl Send for LoadedPlugin {}
// SAFETY: as above; `&LoadedPlugin` only ever calls `analyze` and
// `last_error`, which the ABI makes thread-safe.
unsafe impl Sync for LoadedPlugin {}

impl fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedPlugin").field("info", &self.info).finish_non_exhaustive()
    }
}

/// Loads a plugin and creates it with `config`, the TOML text of its own
/// configuration table (may be empty). See [`inspect`] for the checks.
pub fn load(path: &Path, config: &str) -> Result<LoadedPlugin, PluginError> {
    LoadedPlugin::create(open(path)?, config)
}

impl LoadedPlugin {
    fn create(opened: Opened, config: &str) -> Result<LoadedPlugin, PluginError> {
        let mut instance: *mut c_void = std::ptr::null_mut();
        let mut message = String::new();
        // SAFETY: `create` is the plugin's function (checked non-null); the
        // config bytes, the instance slot and the message string outlive
        // the call, and `write_string` expects a `*mut String`.
        let status = unsafe {
            (opened.create)(
                config.as_ptr(),
                config.len(),
                &mut instance,
                write_string,
                (&mut message as *mut String).cast(),
            )
        };
        let info = opened.info;
        if status != STATUS_OK {
            if message.is_empty() {
                message = format!("create failed with status {status} and no message");
            }
            if status == STATUS_PANIC {
                message = format!("panicked: {message}");
            }
            return Err(PluginError::Create { path: info.path, name: info.name, message });
        }
        Ok(LoadedPlugin {
            name: Arc::from(info.name.as_str()),
            kinds: info.kinds.iter().map(|k| Arc::from(k.as_str())).collect(),
            triggers: crate::analyze::TriggerWords::new(info.triggers.as_deref()),
            info,
            instance,
            analyze: opened.analyze,
            destroy: opened.destroy,
            last_error: opened.last_error,
        })
    }

    /// What the plugin's descriptor says.
    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// The calling thread's last error of this instance.
    fn last_error_message(&self) -> String {
        let mut message = String::new();
        // SAFETY: the plugin's `last_error` with its own instance, on the
        // thread whose `analyze` just failed; `write_string` expects the
        // `*mut String` passed as its context.
        unsafe { (self.last_error)(self.instance, write_string, (&mut message as *mut String).cast()) };
        message
    }
}

impl Drop for LoadedPlugin {
    fn drop(&mut self) {
        // SAFETY: the instance came from this plugin's `create` and is
        // destroyed once; no call on it can be running (we own it).
        unsafe { (self.destroy)(self.instance) };
    }
}

impl Analyzer for LoadedPlugin {
    fn id(&self) -> &str {
        &self.name
    }

    fn kinds(&self) -> Vec<String> {
        self.info.kinds.clone()
    }

    fn wants(&self, post: &crate::Post) -> Option<bool> {
        self.triggers.wants(post)
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let regions = region_views(doc);
        let fields = post_fields(doc, &regions);
        let view = PostView {
            struct_size: std::mem::size_of::<PostView>() as u32,
            text: Str::new(fields.text),
            body_offset: fields.body_offset,
            id: Str::new(fields.id),
            source: Str::new(fields.source),
            community: Str::new(fields.community),
            kind: Str::new(fields.kind),
            author: Str::new(fields.author.unwrap_or("")),
            created: fields.created.unwrap_or(0),
            has_created: u32::from(fields.created.is_some()),
            regions: regions.as_ptr(),
            regions_len: regions.len(),
        };
        let before = out.len();
        let mut collector = Collector::new(&self.name, &self.kinds, &doc.text, out);
        // SAFETY: `analyze` is the plugin's function with its instance;
        // `view` and everything it borrows (the document, `regions`) outlive
        // the call; `host_emit` expects the `*mut Collector` passed as its
        // context, which is not otherwise used until the call returns.
        let status =
            unsafe { (self.analyze)(self.instance, &view, host_emit, (&mut collector as *mut Collector<'_>).cast()) };
        let rejected = collector.error.take();
        let message = match status {
            STATUS_OK => rejected,
            STATUS_PANIC => Some(format!("panicked: {}", self.last_error_message())),
            other => {
                let m = self.last_error_message();
                Some(if m.is_empty() { format!("failed with status {other} and no message") } else { m })
            }
        };
        match message {
            None => Ok(()),
            Some(message) => {
                out.truncate(before);
                Err(AnalyzeError { analyzer: self.info.name.clone(), post: doc.post.id.clone(), message })
            }
        }
    }
}

/// [`leadminer_plugin::abi::WriteFn`] appending to a `String`.
///
/// # Safety
///
/// `ctx` is a `*mut String` not otherwise borrowed during the call;
/// `ptr`/`len` describe readable bytes.
unsafe extern "C" fn write_string(ctx: *mut c_void, ptr: *const u8, len: usize) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: the caller passes the `*mut String` it was given.
        let out = unsafe { &mut *ctx.cast::<String>() };
        // SAFETY: the plugin lends `len` readable bytes for the call.
        let bytes = unsafe { Str { ptr, len }.as_bytes() };
        let room = MAX_MESSAGE.saturating_sub(out.len());
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(room)]);
        out.push_str(&text);
    }));
}

/// [`leadminer_plugin::abi::EmitFn`] feeding a [`Collector`].
///
/// # Safety
///
/// `ctx` is the `*mut Collector` passed to `analyze`, called on the thread
/// running that `analyze`; `signal` points to a live [`SignalView`].
unsafe extern "C" fn host_emit(ctx: *mut c_void, signal: *const SignalView) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: the context `LoadedPlugin::analyze` passed, exclusively
        // ours during the call.
        let collector = unsafe { &mut *ctx.cast::<Collector<'_>>() };
        if collector.error.is_some() {
            return;
        }
        if signal.is_null() {
            collector.error = Some("emitted a null signal".to_string());
            return;
        }
        // SAFETY: `struct_size` is the first field of every SignalView
        // version; the plugin lends the struct for the call. Read unaligned:
        // a C plugin may hand any address.
        let size = unsafe { std::ptr::addr_of!((*signal).struct_size).read_unaligned() } as usize;
        if size < std::mem::size_of::<SignalView>() {
            collector.error = Some(format!(
                "emitted a signal of {size} bytes, ABI version {ABI_VERSION} needs {}",
                std::mem::size_of::<SignalView>()
            ));
            return;
        }
        // SAFETY: the struct is at least as large as ours (checked above).
        let s = unsafe { signal.read_unaligned() };
        // SAFETY: the plugin lends the kind and rule text for the call.
        let (kind, rule) = match unsafe { (s.kind.to_str(), s.rule.to_str()) } {
            (Ok(kind), Ok(rule)) => (kind, rule),
            _ => {
                collector.error = Some("emitted a signal whose kind or rule is not UTF-8".to_string());
                return;
            }
        };
        collector.accept(&Emitted { kind, rule, start: s.start, end: s.end, weight: s.weight });
    }));
}

// ---------------------------------------------------------------------------
// Configuration and discovery

/// The weight of one plugin kind for one label, from
/// `[plugins.NAME.weights]`.
#[derive(Debug, Clone, PartialEq)]
pub struct KindWeight {
    /// The plugin's name.
    pub plugin: String,
    /// `solution`, `need` or `commercial`.
    pub label: Label,
    /// The signal kind.
    pub kind: String,
    /// Its weight in the label's score.
    pub weight: f32,
}

/// The plugin part of a leadminer configuration file (TOML):
///
/// ```toml
/// # Libraries to load; relative paths are relative to this file.
/// [[plugin]]
/// path = "plugins/libpatient_innovation.so"
///
/// # The plugin's own options, passed to it as TOML text (without
/// # `weights`).
/// [plugins.patient-innovation]
/// extra_devices = ["omnipod"]
///
/// # How its kinds count in the scores: label -> kind -> weight.
/// [plugins.patient-innovation.weights]
/// solution = { patient_innovation = 2.0 }
/// need = { patient_need = 1.5 }
/// ```
///
/// Other top-level keys are ignored: they belong to other parts of
/// leadminer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginConfig {
    /// The configuration file, if one was read.
    pub file: Option<PathBuf>,
    /// `[[plugin]]` paths, resolved against the file's folder.
    pub paths: Vec<PathBuf>,
    /// Each plugin's options as TOML text, by plugin name.
    pub options: BTreeMap<String, String>,
    /// Weights of plugin kinds.
    pub weights: Vec<KindWeight>,
}

impl PluginConfig {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<PluginConfig, PluginError> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| PluginError::Config { path: path.to_path_buf(), message: format!("cannot read: {e}") })?;
        PluginConfig::parse(&src, Some(path))
    }

    /// Parses configuration text; `file` resolves relative paths and names
    /// the file in errors.
    pub fn parse(src: &str, file: Option<&Path>) -> Result<PluginConfig, PluginError> {
        let name = file.map_or_else(|| PathBuf::from("<config>"), Path::to_path_buf);
        let err = |message: String| PluginError::Config { path: name.clone(), message };
        let doc: toml::Table = src.parse().map_err(|e: toml::de::Error| err(e.to_string().trim_end().to_string()))?;
        let base = file.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
        let mut config = PluginConfig { file: file.map(Path::to_path_buf), ..PluginConfig::default() };
        if let Some(list) = doc.get("plugin") {
            let list = list.as_array().ok_or_else(|| err("`plugin` must be an array of tables: [[plugin]]".into()))?;
            for (i, entry) in list.iter().enumerate() {
                let table = entry.as_table().ok_or_else(|| err(format!("[[plugin]] #{}: not a table", i + 1)))?;
                if let Some(key) = table.keys().find(|k| *k != "path") {
                    return Err(err(format!("[[plugin]] #{}: unknown key `{key}` (expected `path`)", i + 1)));
                }
                let path = table
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| err(format!("[[plugin]] #{}: `path` must be a string", i + 1)))?;
                config.paths.push(base.join(path));
            }
        }
        if let Some(plugins) = doc.get("plugins") {
            let plugins = plugins.as_table().ok_or_else(|| err("`plugins` must be a table".into()))?;
            for (plugin, table) in plugins {
                let mut table =
                    table.as_table().cloned().ok_or_else(|| err(format!("[plugins.{plugin}] must be a table")))?;
                if let Some(weights) = table.remove("weights") {
                    config.weights.extend(parse_weights(plugin, &weights).map_err(&err)?);
                }
                let options = toml::to_string(&table).map_err(|e| err(format!("[plugins.{plugin}]: {e}")))?;
                config.options.insert(plugin.clone(), options);
            }
        }
        Ok(config)
    }

    /// The options of a plugin as TOML text: empty when it has none.
    pub fn options_for(&self, plugin: &str) -> &str {
        self.options.get(plugin).map_or("", String::as_str)
    }

    /// Adds the configured weights of plugin kinds to `weights`, replacing
    /// weights of the same kinds.
    pub fn apply_weights(&self, weights: &mut Weights) {
        for w in &self.weights {
            // Labels are checked when the configuration is parsed.
            weights.set_kind(w.label, &w.kind, w.weight);
        }
    }

    /// Checks the configuration against the loaded plugins: every
    /// `[plugins.NAME]` names a loaded plugin, and every weighted kind is
    /// one its plugin emits.
    fn check(&self, loaded: &[PluginInfo]) -> Result<(), PluginError> {
        let err = |message: String| PluginError::Config {
            path: self.file.clone().unwrap_or_else(|| PathBuf::from("<config>")),
            message,
        };
        let names: Vec<&str> = loaded.iter().map(|p| p.name.as_str()).collect();
        let loaded_list = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        let names_in_config = self.options.keys().chain(self.weights.iter().map(|w| &w.plugin));
        for name in names_in_config {
            if !names.contains(&name.as_str()) {
                return Err(err(format!(
                    "[plugins.{name}]: no loaded plugin is named '{name}' (loaded: {loaded_list})"
                )));
            }
        }
        for w in &self.weights {
            if let Some(p) = loaded.iter().find(|p| p.name == w.plugin) {
                if !p.kinds.contains(&w.kind) {
                    return Err(err(format!(
                        "[plugins.{}.weights.{}]: plugin '{}' does not emit kind '{}' (it emits: {})",
                        w.plugin,
                        w.label,
                        w.plugin,
                        w.kind,
                        p.kinds.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}

fn parse_weights(plugin: &str, value: &toml::Value) -> Result<Vec<KindWeight>, String> {
    let at = format!("[plugins.{plugin}.weights]");
    let labels = value.as_table().ok_or_else(|| format!("{at} must be a table"))?;
    let mut out = Vec::new();
    for (name, kinds) in labels {
        let Some(label) = Label::from_name(name).filter(|l| !l.is_derived()) else {
            let weighed: Vec<&str> = Label::ALL.iter().filter(|l| !l.is_derived()).map(|l| l.name()).collect();
            return Err(format!("{at}: unknown label `{name}` (expected one of {})", weighed.join(", ")));
        };
        let kinds = kinds.as_table().ok_or_else(|| format!("{at}: `{label}` must be a table of kind = weight"))?;
        for (kind, weight) in kinds {
            let weight = match weight {
                toml::Value::Float(f) => *f as f32,
                toml::Value::Integer(i) => *i as f32,
                _ => return Err(format!("{at}: {label}.{kind} must be a number")),
            };
            if !weight.is_finite() {
                return Err(format!("{at}: {label}.{kind} must be finite"));
            }
            out.push(KindWeight { plugin: plugin.to_string(), label, kind: kind.clone(), weight });
        }
    }
    Ok(out)
}

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

/// Whether a file name has a plugin library extension.
fn is_library(path: &Path) -> bool {
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

/// Adds the plugin weights of `config` to `weights`; the same as
/// [`PluginConfig::apply_weights`].
pub fn apply_weights(config: &PluginConfig, weights: &mut Weights) {
    config.apply_weights(weights);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_parses_paths_options_and_weights() {
        let src = r#"
            other = "ignored"
            [[plugin]]
            path = "libs/libx.so"
            [plugins.x]
            level = 2
            names = ["a", "b"]
            [plugins.x.weights]
            solution = { x_kind = 2.0 }
            need.x_need = 1
        "#;
        let c = PluginConfig::parse(src, Some(Path::new("/etc/lm/config.toml"))).expect("parses");
        assert_eq!(c.paths, [PathBuf::from("/etc/lm/libs/libx.so")]);
        let options: toml::Table = c.options_for("x").parse().expect("options are TOML");
        assert_eq!(options.len(), 2, "weights are not passed on: {options:?}");
        assert_eq!(options["level"].as_integer(), Some(2));
        assert_eq!(c.options_for("y"), "");
        assert_eq!(c.weights.len(), 2);
        let mut w = Weights::builtin();
        c.apply_weights(&mut w);
        assert_eq!(w.label(Label::Solution).and_then(|l| l.kinds.get("x_kind")), Some(&2.0));
        assert_eq!(w.label(Label::Need).and_then(|l| l.kinds.get("x_need")), Some(&1.0));
    }

    #[test]
    fn config_errors() {
        for (src, why) in [
            ("plugin = 1", "array of tables"),
            ("[[plugin]]\npath = 3", "`path` must be a string"),
            ("[[plugin]]\npath = 'a'\nname = 'b'", "unknown key `name`"),
            ("[plugins.x.weights]\nscore = { k = 1.0 }", "unknown label `score`"),
            ("[plugins.x.weights]\nsolution = { k = 'high' }", "must be a number"),
            ("[plugins.x.weights]\nsolution = { k = nan }", "must be finite"),
            ("[plugins\n", "<config>"),
        ] {
            let e = PluginConfig::parse(src, None).expect_err(src).to_string();
            assert!(e.contains(why), "{src}: {e}");
        }
    }

    #[test]
    fn config_is_checked_against_loaded_plugins() {
        let info = PluginInfo {
            path: "/p/libx.so".into(),
            name: "x".into(),
            version: "1".into(),
            abi_version: ABI_VERSION,
            struct_size: 0,
            kinds: vec!["x_kind".into()],
            triggers: None,
        };
        let ok = PluginConfig::parse("[plugins.x.weights]\nsolution.x_kind = 1.5", None).expect("parses");
        assert_eq!(ok.check(std::slice::from_ref(&info)), Ok(()));
        let other = PluginConfig::parse("[plugins.y]\na = 1", None).expect("parses");
        let e = other.check(std::slice::from_ref(&info)).expect_err("unknown plugin").to_string();
        assert!(e.contains("no loaded plugin is named 'y' (loaded: x)"), "{e}");
        let kind = PluginConfig::parse("[plugins.x.weights]\nsolution.nope = 1.5", None).expect("parses");
        let e = kind.check(&[info]).expect_err("unknown kind").to_string();
        assert!(e.contains("does not emit kind 'nope' (it emits: x_kind)"), "{e}");
    }

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

    #[test]
    fn names() {
        assert!(valid_name("patient-innovation") && valid_name("a_1"));
        assert!(!valid_name("") && !valid_name("a b") && !valid_name("é") && !valid_name(&"a".repeat(65)));
    }

    #[test]
    fn not_a_library() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fake = dir.path().join("libfake.so");
        std::fs::write(&fake, "not an ELF file").expect("write");
        let e = inspect(&fake).expect_err("not a library");
        assert!(matches!(e, PluginError::Open { .. }), "{e}");
    }
}
