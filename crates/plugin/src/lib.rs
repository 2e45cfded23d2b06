//! `leadminer-plugin`: the stable C ABI and the safe SDK for leadminer
//! analyzer plugins.
//!
//! An analyzer plugin is a shared library (`.so`, `.dylib`) that leadminer
//! loads at run time. It reads one post at a time and reports *signals*:
//! byte ranges of the post text with a kind (`patient_innovation`), the
//! rule that found them and a weight. Signal kinds feed leadminer's scores
//! through the weights in its configuration.
//!
//! * [`abi`]: the `#[repr(C)]` types and constants both sides agree on
//!   (`include/leadminer_plugin.h` is the same for C). Versioned on its
//!   own: [`ABI_VERSION`].
//! * [`Plugin`], [`Post`], [`Signals`]: the safe trait a Rust plugin
//!   implements.
//! * [`export_plugin!`]: writes the `extern "C"` glue for a [`Plugin`].
//! * [`testing`]: run a plugin on a text without leadminer.
//!
//! ```
//! use leadminer_plugin::{export_plugin, Plugin, Post, Signals};
//!
//! pub struct Hello;
//!
//! impl Plugin for Hello {
//!     const NAME: &'static str = "hello";
//!     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
//!     const KINDS: &'static [&'static str] = &["greeting"];
//!     const TRIGGERS: Option<&'static [&'static str]> = Some(&["hello"]);
//!
//!     fn new(_config: &str) -> Result<Self, String> {
//!         Ok(Hello)
//!     }
//!
//!     fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
//!         for (at, _) in post.text().match_indices("hello") {
//!             out.emit("greeting", "hello.word", at..at + 5, 0.5);
//!         }
//!         Ok(())
//!     }
//! }
//!
//! export_plugin!(Hello);
//! ```
//!
//! The crate has no dependencies. Its version follows semver for the Rust
//! API; the C ABI is versioned separately by [`ABI_VERSION`].

#![warn(missing_docs)]
#![deny(unsafe_code)] // allowed in `abi` and `glue` only

pub mod abi;
#[doc(hidden)]
pub mod glue;
pub mod sdk;
pub mod testing;

pub use abi::ABI_VERSION;
pub use sdk::{check_signal, Emitted, Plugin, Post, PostFields, Region, RegionKind, Signals};

/// Exports a [`Plugin`] type as a leadminer plugin: generates the
/// descriptor and the `leadminer_plugin_v1` entry point. Use it once per
/// library, in a crate with `crate-type = ["cdylib"]` (add `"rlib"` to
/// test the type directly).
///
/// Every generated entry point catches panics and reports them as errors.
/// Build plugins with the default `panic = "unwind"`: with
/// `panic = "abort"` a panic ends the whole leadminer process.
///
/// The macro works in edition 2021 and 2024 crates alike (its export
/// attribute takes this crate's edition, 2021, where it is written
/// `#[no_mangle]`; edition 2024 spells it `#[unsafe(no_mangle)]`). A crate
/// may `#![deny(unsafe_code)]`, which the generated entry point allows for
/// itself; `forbid` cannot be overridden and so does not work.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        const _: () = {
            const KINDS_LEN: usize = <$plugin as $crate::Plugin>::KINDS.len();
            const TRIGGERS_LEN: usize = $crate::glue::triggers_len::<$plugin>();
            static KINDS: $crate::glue::StrArray<KINDS_LEN> =
                $crate::glue::StrArray::new(<$plugin as $crate::Plugin>::KINDS);
            static TRIGGERS: $crate::glue::StrArray<TRIGGERS_LEN> =
                $crate::glue::StrArray::new($crate::glue::triggers::<$plugin>());
            static DESCRIPTOR: $crate::abi::PluginDescriptor =
                $crate::glue::descriptor::<$plugin>(&KINDS.0, &TRIGGERS.0);

            /// The leadminer plugin entry point.
            #[no_mangle]
            #[allow(unsafe_code)]
            pub extern "C" fn leadminer_plugin_v1() -> *const $crate::abi::PluginDescriptor {
                // Nothing here can panic, but every export catches panics.
                ::std::panic::catch_unwind(|| &DESCRIPTOR as *const $crate::abi::PluginDescriptor)
                    .unwrap_or(::std::ptr::null())
            }
        };
    };
}
