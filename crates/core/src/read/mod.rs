//! Streaming readers for community dumps.
//!
//! Reading has two stages so that the expensive one runs on every core:
//!
//! 1. **Framing** (one thread per file): decompress the stream and cut it
//!    into raw records (a JSON line, an array element, an XML row, a mail
//!    message) collected in [`Block`]s of a few MB.
//! 2. **Parsing** (any thread): turn each raw record into [`Post`]s.
//!
//! Memory does not grow with file size: a framer holds one block at a time.
//!
//! Each format is one module implementing [`Reader`] (`reddit`,
//! `hackernews`, `discourse`, `stackexchange`, `mail`, `generic`), listed
//! once in the [`Registry`] (`registry.rs`). The other modules are shared:
//! `reader` (the trait, [`Format`], [`FileCtx`], [`Sink`]), `detect` (what
//! detection looks at), `file` (reading one input: open, detect, frame),
//! `framing` (line and whole-document framers), `csv_rows` (CSV rows),
//! `dates` (which creation times are believed),
//! `json` (JSON records and array framing), `compress`, `error`, `inputs`
//! and `mapping` (the generic formats' [`FieldMap`] and [`BodyFormat`]). This module only declares
//! and re-exports them; the modules import each other without cycles.
//!
//! [`Post`]: crate::model::Post

mod compress;
mod csv_rows;
mod dates;
mod detect;
pub mod discourse;
mod error;
mod file;
mod framing;
pub mod generic;
pub mod hackernews;
pub mod inputs;
pub(crate) mod json;
pub(crate) mod json_array;
pub mod mail;
mod mapping;
mod progress;
mod reader;
pub mod reddit;
mod registry;
pub mod stackexchange;

pub use compress::{open_counted, open_decompressed, strip_compression_suffixes, Compression};
pub use progress::{Counting, ReadProgress};
pub use dates::plausible_times;
pub(crate) use dates::check_created;
pub use detect::{Confidence, Probe};
pub use error::{stream_error, ErrorKind, ParseError, ReadError, RecordLoc};
pub use file::{frame_file, ReadOptions, DEFAULT_MAX_RECORD, DETECT_HEAD};
pub use framing::{frame_document, frame_lines};
pub use inputs::{expand_inputs, Expanded, InputFile, LeftOut};
pub use json::iso_to_unix as iso_date;
pub use json::required_id as json_id;
pub use mapping::{BodyFormat, FieldMap};
pub use reader::{Block, FileCtx, FileEvent, Format, Item, Position, Reader, RecordPosts, Sink};
pub use registry::{detect_format, Registry};
