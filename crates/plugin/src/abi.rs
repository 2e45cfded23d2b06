//! The C ABI between leadminer and an analyzer plugin.
//!
//! Everything here is `#[repr(C)]`: plain integers, pointer + length pairs
//! and `extern "C"` function pointers. No Rust type with an unstable layout
//! (`String`, `Vec`, `&str`, trait objects, non-`repr` enums) crosses the
//! boundary, and no memory is ever freed by the side that did not allocate
//! it: the host lends the post for the duration of one call, the plugin
//! hands signals back through a host callback that copies them.
//!
//! `include/leadminer_plugin.h` is the same ABI for C; a test compares the
//! size and field offsets of every struct on both sides.
//!
//! # The entry point
//!
//! A plugin exports one symbol, [`ENTRY_SYMBOL`] (`leadminer_plugin_v1`):
//! `extern "C" fn() -> *const PluginDescriptor`. The descriptor starts with
//! a fixed header — [`MAGIC`], [`ABI_VERSION`], `struct_size` — that a host
//! reads and checks before it reads anything else.
//!
//! # Versioning
//!
//! * The header (`magic`, `abi_version`, `struct_size`) and the entry
//!   point's signature never change. The `_v1` suffix of the symbol names
//!   that convention, not the ABI version.
//! * Structs grow only by appending fields. Every struct that may grow
//!   starts with (or, for the descriptor, carries in its header) its
//!   `struct_size`, set by whoever fills it in; a reader uses an appended
//!   field only when `struct_size` covers it and falls back to the field's
//!   documented default otherwise. Appending fields does not change
//!   [`ABI_VERSION`].
//! * [`ABI_VERSION`] is bumped for any change that is not an append:
//!   removing, reordering or retyping a field, changing a function's
//!   signature or the meaning of a value. A host refuses a plugin whose
//!   `abi_version` differs from its own.
//!
//! # Threads
//!
//! `create` and `destroy` are called once per instance, never at the same
//! time as another call on that instance. `analyze` may be called on the
//! same instance from several threads at once; `last_error` is called on
//! the thread whose `analyze` just failed, before that thread makes another
//! call on the instance.

#![allow(unsafe_code)] // `Send`/`Sync` for raw views, reading lent bytes

use std::ffi::c_void;

/// The version of this ABI; see the module documentation for when it
/// changes.
pub const ABI_VERSION: u32 = 1;

/// The first eight bytes of every descriptor: `"LMPLUGIN"` read as a
/// little-endian integer (`0x4E4947554C504D4C`).
pub const MAGIC: u64 = u64::from_le_bytes(*b"LMPLUGIN");

/// The name of the exported entry point.
pub const ENTRY_SYMBOL: &str = "leadminer_plugin_v1";

/// [`ENTRY_SYMBOL`] with a terminating NUL, for `dlsym`.
pub const ENTRY_SYMBOL_NUL: &[u8] = b"leadminer_plugin_v1\0";

/// The type of the entry point.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginDescriptor;

/// A call succeeded.
pub const STATUS_OK: i32 = 0;
/// A call failed; `last_error` (or the error callback of `create`) says why.
pub const STATUS_ERROR: i32 = 1;
/// The plugin panicked (or otherwise crashed in a way it caught); the
/// message is available as for [`STATUS_ERROR`].
pub const STATUS_PANIC: i32 = 2;

/// Region kind of text quoted from someone else.
pub const REGION_QUOTE: u32 = 1;
/// Region kind of a code block or inline code.
pub const REGION_CODE: u32 = 2;

/// Borrowed UTF-8 text: a pointer and a length in bytes. Not
/// NUL-terminated. `len == 0` is the empty string, and `ptr` may then be
/// null.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Str {
    /// The first byte.
    pub ptr: *const u8,
    /// The length in bytes.
    pub len: usize,
}

// SAFETY: a `Str` is a plain pointer and length; reading through it needs
// `unsafe` and the reader's guarantee that the bytes are alive and not
// written to. Descriptors, which live in statics, only ever point to
// immutable `'static` data.
unsafe impl Send for Str {}
// SAFETY: as above.
unsafe impl Sync for Str {}

impl Str {
    /// The empty string.
    pub const EMPTY: Str = Str { ptr: std::ptr::null(), len: 0 };

    /// Borrows a Rust string; the `Str` is valid as long as `s` is.
    pub const fn new(s: &str) -> Str {
        Str { ptr: s.as_ptr(), len: s.len() }
    }

    /// The bytes this `Str` points to.
    ///
    /// # Safety
    ///
    /// `ptr` must point to `len` initialized bytes (or `len` must be 0)
    /// that stay alive and unmodified for `'a`.
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.len == 0 || self.ptr.is_null() {
            &[]
        } else {
            // SAFETY: the caller guarantees `ptr..ptr+len` is readable for 'a.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }

    /// The string this `Str` points to, if it is valid UTF-8.
    ///
    /// # Safety
    ///
    /// As for [`Str::as_bytes`].
    pub unsafe fn to_str<'a>(&self) -> Result<&'a str, std::str::Utf8Error> {
        // SAFETY: forwarded to the caller.
        std::str::from_utf8(unsafe { self.as_bytes() })
    }
}

/// Writes text to the host: `(ctx, ptr, len)`. The callee copies the bytes
/// before it returns.
pub type WriteFn = unsafe extern "C" fn(ctx: *mut c_void, ptr: *const u8, len: usize);

/// Receives one signal from `analyze`: `(ctx, signal)`. Call it only on the
/// thread that called `analyze`, before `analyze` returns. The host copies
/// what it needs before it returns; `signal` and the text it points to only
/// need to live for the call.
pub type EmitFn = unsafe extern "C" fn(ctx: *mut c_void, signal: *const SignalView);

/// Creates an instance from the plugin's configuration.
///
/// `config_ptr`/`config_len`: the plugin's own configuration table as TOML
/// text (UTF-8, possibly empty). On success the plugin stores an opaque
/// instance pointer in `*out_instance` and returns [`STATUS_OK`]; on
/// failure it calls `err(err_ctx, ...)` with a message (at most once) and
/// returns another status.
pub type CreateFn = unsafe extern "C" fn(
    config_ptr: *const u8,
    config_len: usize,
    out_instance: *mut *mut c_void,
    err: WriteFn,
    err_ctx: *mut c_void,
) -> i32;

/// Analyzes one post, calling `emit(emit_ctx, ...)` once per signal.
/// `post` and everything it points to are valid only during the call.
/// Returns [`STATUS_OK`], or [`STATUS_ERROR`]/[`STATUS_PANIC`] with the
/// message available from `last_error`.
pub type AnalyzeFn =
    unsafe extern "C" fn(instance: *mut c_void, post: *const PostView, emit: EmitFn, emit_ctx: *mut c_void) -> i32;

/// Frees an instance made by `create`. Called once; the instance is not
/// used afterwards.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut c_void);

/// Writes the message of the last failed `analyze` call made with
/// `instance` on the calling thread through `write(ctx, ...)`, at most once;
/// writes nothing when there is none.
pub type LastErrorFn = unsafe extern "C" fn(instance: *mut c_void, write: WriteFn, ctx: *mut c_void);

/// The header every descriptor starts with. A host reads this, and checks
/// `magic`, then `abi_version`, then `struct_size`, before it reads
/// anything else. Its layout never changes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PluginHeader {
    /// Always [`MAGIC`].
    pub magic: u64,
    /// The [`ABI_VERSION`] the plugin was built against.
    pub abi_version: u32,
    /// `size_of::<PluginDescriptor>()` as the plugin knows it.
    pub struct_size: u32,
}

/// What a plugin exports: who it is, what it emits and its entry points.
/// Lives as long as the library (in practice: a `static`).
#[repr(C)]
#[derive(Debug)]
pub struct PluginDescriptor {
    /// Always [`MAGIC`].
    pub magic: u64,
    /// The [`ABI_VERSION`] the plugin was built against.
    pub abi_version: u32,
    /// `size_of::<PluginDescriptor>()` as the plugin knows it; fields past
    /// this size are absent.
    pub struct_size: u32,
    /// The plugin's name: unique among loaded plugins, used in outputs,
    /// errors and configuration (`[plugins.NAME]`). Letters, digits, `-`
    /// and `_`.
    pub name: Str,
    /// The plugin's own version, free-form (e.g. `1.2.0`).
    pub version: Str,
    /// The signal kinds the plugin may emit, `kinds_len` entries.
    pub kinds: *const Str,
    /// The number of kinds.
    pub kinds_len: usize,
    /// Lower-case substrings one of which a post must contain for the
    /// plugin to find anything, `triggers_len` entries; the host may skip
    /// posts without any. Null means "analyze every post". Non-null with
    /// length 0 means the plugin only runs on posts other analyzers select.
    pub triggers: *const Str,
    /// The number of triggers.
    pub triggers_len: usize,
    /// See [`CreateFn`]. Required.
    pub create: Option<CreateFn>,
    /// See [`AnalyzeFn`]. Required.
    pub analyze: Option<AnalyzeFn>,
    /// See [`DestroyFn`]. Required.
    pub destroy: Option<DestroyFn>,
    /// See [`LastErrorFn`]. Required.
    pub last_error: Option<LastErrorFn>,
}

// SAFETY: a descriptor is immutable after construction and only points to
// immutable data that lives as long as the library (see `Str`).
unsafe impl Send for PluginDescriptor {}
// SAFETY: as above.
unsafe impl Sync for PluginDescriptor {}

impl PluginDescriptor {
    /// The size of the version-1 descriptor, the smallest `struct_size` a
    /// version-1 host accepts.
    pub const V1_SIZE: usize = std::mem::size_of::<PluginDescriptor>();
}

/// One marked region of the post text: a byte range and what it holds.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionView {
    /// [`REGION_QUOTE`], [`REGION_CODE`], or a kind added later (ignore
    /// kinds you do not know).
    pub kind: u32,
    /// Start byte offset into the post text.
    pub start: usize,
    /// End byte offset, exclusive.
    pub end: usize,
}

/// A post lent to `analyze`: valid only during the call.
///
/// All text is UTF-8. Offsets are byte offsets into `text` and lie on
/// character boundaries.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PostView {
    /// `size_of::<PostView>()` as the host knows it: fields past it are
    /// absent.
    pub struct_size: u32,
    /// The analyzed text: the title, a blank line (`"\n\n"`) and the body;
    /// a submission's external link may follow after another blank line.
    /// Without a title the text is the body.
    pub text: Str,
    /// Where the body starts in `text` (0 without a title).
    pub body_offset: usize,
    /// The post's native id.
    pub id: Str,
    /// The platform: `reddit`, `stackexchange`, `hackernews`, `discourse`,
    /// `mail`, `generic`.
    pub source: Str,
    /// Subreddit, site, forum or list; may be empty.
    pub community: Str,
    /// The post's role: `submission`, `comment`, `question`, `answer`,
    /// `story`, `reply`, `message`, `topic`, `other`.
    pub kind: Str,
    /// The author's name; length 0 when unknown or deleted.
    pub author: Str,
    /// Creation time in seconds since the Unix epoch, when `has_created`
    /// is non-zero.
    pub created: i64,
    /// Non-zero when `created` is set.
    pub has_created: u32,
    /// Quote and code regions of `text`, sorted by start, `regions_len`
    /// entries.
    pub regions: *const RegionView,
    /// The number of regions.
    pub regions_len: usize,
}

/// One signal, passed to the host's [`EmitFn`].
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SignalView {
    /// `size_of::<SignalView>()` as the plugin knows it.
    pub struct_size: u32,
    /// The signal kind: one of the descriptor's kinds.
    pub kind: Str,
    /// The rule that matched (free-form, e.g. `diy-aps.openaps`).
    pub rule: Str,
    /// Start byte offset into the post text, on a character boundary.
    pub start: usize,
    /// End byte offset, exclusive; `start < end <= text length`.
    pub end: usize,
    /// How much the signal counts, in (0, 1].
    pub weight: f32,
}
