//! Opening plugin libraries and calling them across the C ABI.

#![allow(unsafe_code)]

use super::linked::{post_fields, region_views, Collector};
use super::PluginError;
use crate::analyze::{AnalyzeError, Analyzer, Document, Signal};
use leadminer_plugin::abi::{
    AnalyzeFn, CreateFn, DestroyFn, EntryFn, LastErrorFn, PluginDescriptor, PluginHeader, PostView, SignalView, Str,
    ENTRY_SYMBOL, ENTRY_SYMBOL_NUL, MAGIC, STATUS_OK, STATUS_PANIC,
};
use leadminer_plugin::Emitted;
use leadminer_plugin::ABI_VERSION;
use libloading::Library;
use std::ffi::c_void;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Longest error message kept from a plugin, in bytes.
const MAX_MESSAGE: usize = 4096;


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
pub(super) struct Opened {
    pub(super) info: PluginInfo,
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
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).or_else(|_| std::path::absolute(path)).unwrap_or_else(|_| path.to_path_buf())
}

pub(super) fn open(path: &Path) -> Result<Opened, PluginError> {
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
    triggers: super::TriggerWords,
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
    pub(super) fn create(opened: Opened, config: &str) -> Result<LoadedPlugin, PluginError> {
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
            triggers: super::TriggerWords::new(info.triggers.as_deref()),
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

    fn wants(&self, post: &crate::Post) -> crate::analyze::Wants {
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


#[cfg(test)]
mod tests {
    use super::*;
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
