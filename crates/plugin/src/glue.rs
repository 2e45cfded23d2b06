//! The `extern "C"` glue behind [`export_plugin!`](crate::export_plugin):
//! generic entry points that turn C calls into [`Plugin`] calls. Not part
//! of the public API; use the macro.
//!
//! Every function here catches panics: since Rust 1.81 a panic unwinding out
//! of an `extern "C"` function aborts the process, so a panic becomes
//! [`STATUS_PANIC`] and a message instead. Memory is freed only where it was
//! allocated: the instance is boxed and unboxed here, in the plugin, and
//! everything the host lends is only borrowed.

#![allow(unsafe_code)] // the C entry points

use crate::abi::{
    PluginDescriptor, PostView, RegionView, SignalView, Str, WriteFn, ABI_VERSION, MAGIC, STATUS_ERROR, STATUS_OK,
    STATUS_PANIC,
};
use crate::sdk::{Emitted, Plugin, Post, PostFields, Signals};
use std::any::Any;
use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A fixed-size array of [`Str`] built at compile time from `&[&str]`, for
/// the descriptor's kinds and triggers.
#[derive(Debug)]
pub struct StrArray<const N: usize>(pub [Str; N]);

impl<const N: usize> StrArray<N> {
    /// Borrows every string of `strs`, which must have `N` entries (more
    /// are ignored, fewer leave empty strings).
    pub const fn new(strs: &'static [&'static str]) -> StrArray<N> {
        let mut out = [Str::EMPTY; N];
        let mut i = 0;
        while i < N && i < strs.len() {
            out[i] = Str::new(strs[i]);
            i += 1;
        }
        StrArray(out)
    }
}

/// The number of triggers of `T` (0 without triggers).
pub const fn triggers_len<T: Plugin>() -> usize {
    match T::TRIGGERS {
        Some(t) => t.len(),
        None => 0,
    }
}

/// The triggers of `T` as a slice (empty without triggers).
pub const fn triggers<T: Plugin>() -> &'static [&'static str] {
    match T::TRIGGERS {
        Some(t) => t,
        None => &[],
    }
}

/// The descriptor of `T`, pointing to the arrays the macro built.
pub const fn descriptor<T: Plugin>(kinds: &'static [Str], triggers: &'static [Str]) -> PluginDescriptor {
    PluginDescriptor {
        magic: MAGIC,
        abi_version: ABI_VERSION,
        struct_size: std::mem::size_of::<PluginDescriptor>() as u32,
        name: Str::new(T::NAME),
        version: Str::new(T::VERSION),
        kinds: kinds.as_ptr(),
        kinds_len: kinds.len(),
        triggers: if T::TRIGGERS.is_some() { triggers.as_ptr() } else { std::ptr::null() },
        triggers_len: triggers.len(),
        create: Some(create::<T>),
        analyze: Some(analyze::<T>),
        destroy: Some(destroy::<T>),
        last_error: Some(last_error),
    }
}

thread_local! {
    /// The last `analyze` error on this thread: (instance address, message).
    static LAST_ERROR: RefCell<Option<(usize, String)>> = const { RefCell::new(None) };
}

fn set_last_error(instance: *mut c_void, message: String) {
    let _ = LAST_ERROR.try_with(|e| {
        if let Ok(mut e) = e.try_borrow_mut() {
            *e = Some((instance as usize, message));
        }
    });
}

/// The message of a panic payload (the host adds "panicked: " from the
/// status). The payload is dropped here, inside
/// `catch_unwind`, in case its destructor panics too.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    message
}

/// Calls a host write callback with `text`.
///
/// # Safety
///
/// `write` and `ctx` must be a callback and context the host passed in.
unsafe fn write_to(write: WriteFn, ctx: *mut c_void, text: &str) {
    // SAFETY: the host's callback copies `text` before returning; the
    // pointer and length come from a live `&str`.
    unsafe { write(ctx, text.as_ptr(), text.len()) }
}

/// [`crate::abi::CreateFn`] for `T`.
///
/// # Safety
///
/// Called by the host per the ABI: `config_ptr`/`config_len` describe
/// readable bytes, `out_instance` is writable.
pub unsafe extern "C" fn create<T: Plugin>(
    config_ptr: *const u8,
    config_len: usize,
    out_instance: *mut *mut c_void,
    err: WriteFn,
    err_ctx: *mut c_void,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<*mut T, String> {
        if out_instance.is_null() {
            return Err("create: out_instance is null".to_string());
        }
        let config = Str { ptr: config_ptr, len: config_len };
        // SAFETY: the host lends `config_len` readable bytes for the call.
        let config = unsafe { config.to_str() }.map_err(|e| format!("configuration is not UTF-8: {e}"))?;
        let plugin = T::new(config)?;
        Ok(Box::into_raw(Box::new(plugin)))
    }));
    let (status, message) = match result {
        Ok(Ok(instance)) => {
            // SAFETY: checked non-null above; the host lends a writable slot.
            unsafe { *out_instance = instance.cast() };
            return STATUS_OK;
        }
        Ok(Err(message)) => (STATUS_ERROR, message),
        Err(payload) => (STATUS_PANIC, panic_message(payload)),
    };
    // SAFETY: `err`/`err_ctx` are the host's error callback and context.
    unsafe { write_to(err, err_ctx, &message) };
    status
}

/// Reads the host's post view, honoring its `struct_size`.
///
/// # Safety
///
/// `post` must point to a live `PostView` whose pointers are valid for
/// `'a`, per the ABI.
unsafe fn read_post<'a>(post: *const PostView, regions: &mut &'a [RegionView]) -> Result<PostFields<'a>, String> {
    if post.is_null() {
        return Err("analyze: post is null".to_string());
    }
    // SAFETY: `struct_size` is the first field of every version of
    // `PostView`; the host lends a live struct.
    let size = unsafe { std::ptr::addr_of!((*post).struct_size).read() } as usize;
    if size < std::mem::size_of::<PostView>() {
        return Err(format!(
            "the host's PostView has {size} bytes, this plugin needs {}",
            std::mem::size_of::<PostView>()
        ));
    }
    // SAFETY: the struct is at least as large as ours (checked above).
    let view = unsafe { post.read() };
    // SAFETY: the ABI makes every `Str` of the view valid for the call.
    let text = unsafe { view.text.to_str() }.map_err(|e| format!("post text is not UTF-8: {e}"))?;
    // SAFETY: as above.
    let field = |s: Str, what: &str| unsafe { s.to_str() }.map_err(|e| format!("post {what} is not UTF-8: {e}"));
    *regions = if view.regions.is_null() || view.regions_len == 0 {
        &[]
    } else {
        // SAFETY: the host lends `regions_len` regions for the call.
        unsafe { std::slice::from_raw_parts(view.regions, view.regions_len) }
    };
    let author = field(view.author, "author")?;
    Ok(PostFields {
        text,
        body_offset: view.body_offset,
        id: field(view.id, "id")?,
        source: field(view.source, "source")?,
        community: field(view.community, "community")?,
        kind: field(view.kind, "kind")?,
        author: (!author.is_empty()).then_some(author),
        created: (view.has_created != 0).then_some(view.created),
        regions,
    })
}

/// [`crate::abi::AnalyzeFn`] for `T`.
///
/// # Safety
///
/// Called by the host per the ABI: `instance` came from [`create::<T>`],
/// `post` is a live view, `emit`/`emit_ctx` the host's callback.
pub unsafe extern "C" fn analyze<T: Plugin>(
    instance: *mut c_void,
    post: *const PostView,
    emit: crate::abi::EmitFn,
    emit_ctx: *mut c_void,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        if instance.is_null() {
            return Err("analyze: instance is null".to_string());
        }
        // SAFETY: `instance` is the `Box<T>` made by `create::<T>`, alive
        // until `destroy`; only shared references are made from it.
        let plugin: &T = unsafe { &*instance.cast::<T>() };
        let mut regions: &[RegionView] = &[];
        // SAFETY: the host lends a valid view for the call.
        let fields = unsafe { read_post(post, &mut regions) }?;
        let post = Post::new(fields);
        let mut sink = |e: Emitted<'_>| {
            let view = SignalView {
                struct_size: std::mem::size_of::<SignalView>() as u32,
                kind: Str::new(e.kind),
                rule: Str::new(e.rule),
                start: e.start,
                end: e.end,
                weight: e.weight,
            };
            // SAFETY: the host's callback copies the signal before it
            // returns; `view` and the strings it borrows outlive the call.
            unsafe { emit(emit_ctx, &view) };
        };
        let mut signals = Signals::new(&mut sink);
        plugin.analyze(&post, &mut signals)
    }));
    let (status, message) = match result {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(message)) => (STATUS_ERROR, message),
        Err(payload) => (STATUS_PANIC, panic_message(payload)),
    };
    set_last_error(instance, message);
    status
}

/// [`crate::abi::DestroyFn`] for `T`.
///
/// # Safety
///
/// `instance` came from [`create::<T>`] and is not used afterwards.
pub unsafe extern "C" fn destroy<T: Plugin>(instance: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !instance.is_null() {
            // SAFETY: `instance` is the `Box<T>` leaked by `create::<T>` in
            // this library; the host calls `destroy` once.
            drop(unsafe { Box::from_raw(instance.cast::<T>()) });
        }
    }));
}

/// [`crate::abi::LastErrorFn`]: the calling thread's last `analyze` error
/// for `instance`.
///
/// # Safety
///
/// `write`/`ctx` are the host's callback and context.
pub unsafe extern "C" fn last_error(instance: *mut c_void, write: WriteFn, ctx: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let message = LAST_ERROR
            .try_with(|e| {
                e.try_borrow_mut()
                    .ok()
                    .and_then(|mut e| e.take())
                    .filter(|(at, _)| *at == instance as usize)
                    .map(|(_, m)| m)
            })
            .ok()
            .flatten();
        if let Some(message) = message {
            // SAFETY: the host's callback and context.
            unsafe { write_to(write, ctx, &message) };
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{SignalView, STATUS_ERROR};

    struct Panicky;

    impl Plugin for Panicky {
        const NAME: &'static str = "panicky";
        const VERSION: &'static str = "0";
        const KINDS: &'static [&'static str] = &["k"];

        fn new(config: &str) -> Result<Self, String> {
            match config {
                "panic" => panic!("asked to panic"),
                "refuse" => Err("refused".to_string()),
                _ => Ok(Panicky),
            }
        }

        fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
            if post.text() == "boom" {
                panic!("boom in {}", post.id());
            }
            out.emit("k", "r", 0..post.text().len(), 1.0);
            Ok(())
        }
    }

    unsafe extern "C" fn to_string(ctx: *mut c_void, ptr: *const u8, len: usize) {
        // SAFETY: the tests pass a `*mut String` and a live byte range.
        let (out, bytes) = unsafe { (&mut *ctx.cast::<String>(), std::slice::from_raw_parts(ptr, len)) };
        out.push_str(&String::from_utf8_lossy(bytes));
    }

    unsafe extern "C" fn count(ctx: *mut c_void, signal: *const SignalView) {
        // SAFETY: the tests pass a `*mut usize`; the glue a live signal.
        // (No assertion here: a panic must not unwind out of `extern "C"`.)
        unsafe {
            let complete = (*signal).struct_size as usize == std::mem::size_of::<SignalView>();
            *ctx.cast::<usize>() += if complete { 1 } else { 1000 };
        }
    }

    fn create_with(config: &str) -> (i32, *mut c_void, String) {
        let mut instance = std::ptr::null_mut();
        let mut message = String::new();
        // SAFETY: valid config bytes, instance slot and error callback.
        let status = unsafe {
            create::<Panicky>(
                config.as_ptr(),
                config.len(),
                &mut instance,
                to_string,
                (&mut message as *mut String).cast(),
            )
        };
        (status, instance, message)
    }

    fn view(text: &str, struct_size: u32) -> PostView {
        PostView {
            struct_size,
            text: Str::new(text),
            body_offset: 0,
            id: Str::new("p1"),
            source: Str::new("generic"),
            community: Str::EMPTY,
            kind: Str::new("other"),
            author: Str::EMPTY,
            created: 0,
            has_created: 0,
            regions: std::ptr::null(),
            regions_len: 0,
        }
    }

    fn analyze_with(instance: *mut c_void, post: &PostView) -> (i32, usize, String) {
        let mut n = 0usize;
        // SAFETY: an instance from `create::<Panicky>` and a live view.
        let status = unsafe { analyze::<Panicky>(instance, post, count, (&mut n as *mut usize).cast()) };
        let mut message = String::new();
        // SAFETY: the same instance, on the same thread.
        unsafe { last_error(instance, to_string, (&mut message as *mut String).cast()) };
        (status, n, message)
    }

    #[test]
    fn panics_and_errors_become_statuses() {
        assert_eq!(create_with("refuse"), (STATUS_ERROR, std::ptr::null_mut(), "refused".to_string()));
        let (status, instance, message) = create_with("panic");
        assert_eq!((status, instance.is_null(), message.as_str()), (STATUS_PANIC, true, "asked to panic"));

        let (status, instance, _) = create_with("");
        assert_eq!(status, STATUS_OK);
        assert_eq!(
            analyze_with(instance, &view("fine", std::mem::size_of::<PostView>() as u32)),
            (STATUS_OK, 1, String::new())
        );
        let (status, n, message) = analyze_with(instance, &view("boom", std::mem::size_of::<PostView>() as u32));
        assert_eq!((status, n, message.as_str()), (STATUS_PANIC, 0, "boom in p1"));
        let (status, _, message) = analyze_with(instance, &view("fine", 8));
        assert_eq!(status, STATUS_ERROR);
        assert!(message.contains("the host's PostView has 8 bytes"), "{message}");
        // The error is reported once.
        let (status, _, message) = analyze_with(instance, &view("fine", std::mem::size_of::<PostView>() as u32));
        assert_eq!((status, message.as_str()), (STATUS_OK, ""));
        // SAFETY: the instance is not used afterwards.
        unsafe { destroy::<Panicky>(instance) };
    }
}
