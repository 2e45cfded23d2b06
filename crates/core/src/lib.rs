//! leadminer's core, its modules named for the data flow: `read` (dumps to
//! posts) → `text` → `analyze` (its rule engine in `analyze::rules`, loaded
//! plugins in `plugin_host`) → `score` → `aggregate` → `output`, wired by
//! `scan`; `setup` assembles the standard analysis every command runs. See
//! docs/ARCHITECTURE.md.

#![deny(unsafe_code)] // allowed in `plugin_host::ffi` only

pub mod aggregate;
pub mod analyze;
pub mod bootstrap;
pub mod eval;
pub mod fixtures;
pub mod model;
pub mod network;
pub mod output;
pub mod pipeline;
pub mod plugin_host;
pub mod read;
pub mod record;
pub mod scan;
pub mod score;
pub mod setup;
pub mod snapshot;
pub mod stats;
pub mod text;
pub mod trends;

pub use model::{Post, PostKind, Region, RegionKind, Source};
