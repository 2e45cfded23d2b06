//! Errors of reading: every one names the file and, where it can, the line,
//! byte offset and record id.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The file could not be opened or listed.
    Open,
    /// The file's format is unknown or unsupported.
    Format,
    /// The byte stream broke (truncated or corrupt compression, I/O error).
    Stream,
    /// One record was malformed; reading went on with the next.
    Record,
}

/// A reading error with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub struct ReadError {
    /// What kind of failure it is.
    pub kind: ErrorKind,
    /// The file being read.
    pub path: PathBuf,
    /// 1-based line number of the record, for line-oriented formats.
    pub line: Option<u64>,
    /// Byte offset of the record in the (decompressed) stream.
    pub offset: Option<u64>,
    /// The record's id, when it could be read.
    pub record: Option<String>,
    /// What was wrong.
    pub message: String,
}

impl ReadError {
    /// An error about a whole file.
    pub fn file(kind: ErrorKind, path: &Path, message: impl Into<String>) -> Self {
        ReadError {
            kind,
            path: path.to_path_buf(),
            line: None,
            offset: None,
            record: None,
            message: message.into(),
        }
    }

    /// An error about one record.
    pub fn record(path: &Path, loc: RecordLoc, message: impl Into<String>) -> Self {
        ReadError {
            kind: ErrorKind::Record,
            path: path.to_path_buf(),
            line: loc.line,
            offset: Some(loc.offset),
            record: None,
            message: message.into(),
        }
    }

    /// Adds the record id.
    pub fn with_record(mut self, id: impl Into<String>) -> Self {
        self.record = Some(id.into());
        self
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, ": byte {offset}")?;
        }
        if let Some(id) = &self.record {
            write!(f, ": record {id}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where a raw record starts in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordLoc {
    /// 1-based line number, for line-oriented formats.
    pub line: Option<u64>,
    /// Byte offset in the decompressed stream.
    pub offset: u64,
}
