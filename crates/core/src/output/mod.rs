//! Outputs: where a scan's results go. Each format is one [`Output`] in a
//! file of its own and one line in [`OUTPUTS`]; a scan writes every output
//! it is given, in the same order of calls:
//!
//! 1. [`Output::post`] for each post with signals, in input order, with
//!    its community response attached;
//! 2. [`Output::author`] for each ranked author, best first;
//! 3. [`Output::finish`] once, with the scan's counts.

mod jsonl;

pub use jsonl::JsonLines;

use crate::record::{AuthorRecord, PostRecord, Summary};
use std::path::{Path, PathBuf};

/// A sink for a scan's results.
pub trait Output {
    /// Writes one post with signals.
    fn post(&mut self, post: &PostRecord) -> Result<(), OutputError>;
    /// Writes one ranked author.
    fn author(&mut self, author: &AuthorRecord) -> Result<(), OutputError>;
    /// Writes the summary and completes the output's files.
    fn finish(&mut self, summary: &Summary) -> Result<(), OutputError>;
}

/// An output format: its name and how to open it in an output folder.
#[derive(Debug, Clone, Copy)]
pub struct OutputKind {
    /// The name that chooses it.
    pub name: &'static str,
    /// The files it writes.
    pub files: &'static str,
    /// Opens the output in a folder (which exists).
    pub open: fn(&Path) -> Result<Box<dyn Output>, OutputError>,
}

/// Every output format, the default first.
pub const OUTPUTS: &[OutputKind] = &[
    OutputKind { name: "jsonl", files: "posts.jsonl, authors.jsonl, summary.json", open: JsonLines::open_boxed },
];

/// The output format named `name`.
pub fn by_name(name: &str) -> Option<&'static OutputKind> {
    OUTPUTS.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

/// Opens `kinds` in `dir`, creating the folder.
pub fn open(kinds: &[OutputKind], dir: &Path) -> Result<Vec<Box<dyn Output>>, OutputError> {
    std::fs::create_dir_all(dir).map_err(OutputError::at(dir))?;
    kinds.iter().map(|k| (k.open)(dir)).collect()
}

/// An error writing an output file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct OutputError {
    /// The file.
    pub path: PathBuf,
    /// The I/O or encoding failure.
    #[source]
    pub source: std::io::Error,
}

impl OutputError {
    /// A function that turns an error about `path` into an [`OutputError`].
    pub fn at<E: Into<std::io::Error>>(path: &Path) -> impl Fn(E) -> OutputError + '_ {
        move |e| OutputError { path: path.to_path_buf(), source: e.into() }
    }
}
