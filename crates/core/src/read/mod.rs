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

mod compress;
mod detect;
pub mod discourse;
mod error;
mod framing;
pub(crate) mod json;
pub mod generic;
pub mod hackernews;
pub mod inputs;
pub mod mail;
pub mod reddit;
pub mod stackexchange;

pub use compress::{open_decompressed, Compression};
pub use detect::detect_format;
pub use error::{ErrorKind, ReadError, RecordLoc};
pub use framing::{Block, FileEvent, Item, Sink};
pub use generic::{BodyFormat, FieldMap};
pub use inputs::{expand_inputs, InputFile};
pub use json::required_id as json_id;

/// Parses a `YYYY-MM-DD` date (or ISO timestamp) to Unix seconds (UTC).
pub fn iso_date(s: &str) -> Option<i64> {
    json::iso_to_unix(s)
}

use crate::model::Post;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// A dump format leadminer can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Reddit Pushshift / Arctic Shift NDJSON (comments and submissions).
    Reddit,
    /// Hacker News items: a JSON array or NDJSON.
    HackerNews,
    /// Discourse topic JSON (`/t/{id}.json`).
    Discourse,
    /// Stack Exchange `Posts.xml`.
    StackExchangePosts,
    /// Stack Exchange `Comments.xml`.
    StackExchangeComments,
    /// An mbox mailbox (mboxo or mboxrd).
    Mbox,
    /// A Mailman/pipermail `.txt` monthly archive.
    Pipermail,
    /// Generic JSON lines read through a field mapping.
    Jsonl,
    /// Generic CSV with a header row, read through a field mapping.
    Csv,
}

impl Format {
    /// All formats, in the order `--format` lists them.
    pub const ALL: [Format; 9] = [
        Format::Reddit,
        Format::HackerNews,
        Format::Discourse,
        Format::StackExchangePosts,
        Format::StackExchangeComments,
        Format::Mbox,
        Format::Pipermail,
        Format::Jsonl,
        Format::Csv,
    ];

    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Format::Reddit => "reddit",
            Format::HackerNews => "hackernews",
            Format::Discourse => "discourse",
            Format::StackExchangePosts => "stackexchange-posts",
            Format::StackExchangeComments => "stackexchange-comments",
            Format::Mbox => "mbox",
            Format::Pipermail => "pipermail",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        let alias = match s.as_str() {
            "hn" => "hackernews",
            "se" | "stackexchange" | "se-posts" => "stackexchange-posts",
            "se-comments" => "stackexchange-comments",
            "ndjson" | "json-lines" => "jsonl",
            "mailman" => "pipermail",
            other => other,
        };
        Format::ALL
            .into_iter()
            .find(|f| f.name() == alias)
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format '{s}' (known: {})", names.join(", "))
            })
    }
}

/// Options that change how files are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force this format instead of detecting it.
    pub format: Option<Format>,
    /// Field mapping for generic JSONL and CSV (default: same-named fields).
    pub map: Option<FieldMap>,
    /// How generic JSONL and CSV bodies are written (default: detected).
    pub body_format: BodyFormat,
    /// Stop at the first error instead of skipping and counting.
    pub strict: bool,
}

/// What a parser needs to know about the file a record came from.
#[derive(Debug, Clone)]
pub struct FileCtx {
    /// Position of the file in the expanded input list.
    pub index: usize,
    /// The file's path.
    pub path: PathBuf,
    /// The detected or forced format.
    pub format: Format,
    /// Compression of the file.
    pub compression: Compression,
    /// The community implied by the file or folder name, if any.
    pub community: Option<String>,
    /// Field mapping for generic formats.
    pub map: Option<Arc<FieldMap>>,
    /// How generic formats' bodies are written.
    pub body_format: BodyFormat,
}

impl FileCtx {
    /// Parses one raw record of this file, appending its posts to `out`.
    pub fn parse(&self, bytes: &[u8], loc: RecordLoc, out: &mut Vec<Post>) -> Result<(), ReadError> {
        let result = match self.format {
            Format::Reddit => reddit::parse(self, bytes, out),
            Format::HackerNews => hackernews::parse(self, bytes, out),
            Format::Discourse => discourse::parse(self, bytes, out),
            Format::StackExchangePosts | Format::StackExchangeComments => {
                stackexchange::parse(self, bytes, out)
            }
            Format::Mbox | Format::Pipermail => mail::parse(self, bytes, loc, out),
            Format::Jsonl | Format::Csv => generic::parse(self, bytes, out),
        };
        result.map_err(|e| {
            let mut err = ReadError::record(&self.path, loc, e.message);
            err.record = e.id;
            err
        })
    }
}

/// A record that could not be turned into posts, before its location is
/// attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The record's id, if it was read before the failure.
    pub id: Option<String>,
    /// What was wrong.
    pub message: String,
}

impl ParseError {
    /// A failure with no known record id.
    pub fn new(message: impl Into<String>) -> Self {
        ParseError {
            id: None,
            message: message.into(),
        }
    }

    /// A failure of the record with this id.
    pub fn with_id(id: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError {
            id: Some(id.into()),
            message: message.into(),
        }
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        ParseError::new(format!("invalid JSON: {e}"))
    }
}

/// Reads every file completely on the current thread and returns its posts
/// and skipped records. Convenient for tests and small inputs; scans use
/// [`crate::pipeline`].
pub fn read_all(paths: &[PathBuf], options: &ReadOptions) -> Result<(Vec<Post>, Vec<ReadError>), ReadError> {
    use crate::pipeline::{parse_block, run, Parsed, PipelineOptions};
    let files = expand_inputs(paths)?;
    let mut posts = Vec::new();
    let mut skipped = Vec::new();
    let one_thread = PipelineOptions { threads: 1, ..PipelineOptions::default() };
    run(&files, options, &one_thread, || (), |_, block| parse_block(block), |parsed| {
        for p in parsed {
            match p {
                Parsed::Post(post) => posts.push(post),
                Parsed::Skipped(e) => skipped.push(e),
                Parsed::File(_) => {}
            }
        }
        true
    });
    if options.strict {
        if let Some(e) = skipped.first() {
            return Err(e.clone());
        }
    }
    Ok((posts, skipped))
}

/// The community implied by a path: a Stack Exchange file named
/// `<site>.Posts.xml` or a folder named after the site.
pub(crate) fn community_from_path(path: &Path, format: Format) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    match format {
        Format::StackExchangePosts | Format::StackExchangeComments => {
            stackexchange::site_from_path(path)
        }
        Format::Mbox | Format::Pipermail => {
            let stem = file.split('.').next().unwrap_or(file);
            Some(stem.to_string())
        }
        _ => None,
    }
}

pub use framing::frame_file;
