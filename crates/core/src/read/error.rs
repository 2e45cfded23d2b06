//! Errors of reading: every one names the file and, where it can, the line,
//! byte offset and record id. A [`ParseError`] is a record's failure before
//! its location is attached; [`stream_error`] is a broken byte stream.

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
    /// One field of a record held an impossible value (a date before 1990
    /// or after next year); the record was kept without it.
    Field,
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

/// The most bytes of a message kept: input quoted in an error (a parser
/// quoting a bad value) is cut to a short excerpt.
pub const MAX_MESSAGE: usize = 400;

/// The most bytes of a record id kept.
pub const MAX_ID: usize = 120;

/// `text` cut to at most `max` bytes at a character boundary, saying how
/// long it was.
pub fn excerpt(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
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
            message: excerpt(message.into(), MAX_MESSAGE),
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
            message: excerpt(message.into(), MAX_MESSAGE),
        }
    }

    /// Adds the record id.
    pub fn with_record(mut self, id: impl Into<String>) -> Self {
        self.record = Some(excerpt(id.into(), MAX_ID));
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

/// A stream failure of the file at `path`, at byte `offset` of its
/// decompressed stream.
pub fn stream_error(path: &Path, offset: u64, e: std::io::Error) -> ReadError {
    let mut err = ReadError::file(ErrorKind::Stream, path, format!("stream broken: {e}"));
    err.offset = Some(offset);
    err
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
            message: excerpt(message.into(), MAX_MESSAGE),
        }
    }

    /// A failure of the record with this id.
    pub fn with_id(id: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError {
            id: Some(excerpt(id.into(), MAX_ID)),
            message: excerpt(message.into(), MAX_MESSAGE),
        }
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        ParseError::new(format!("invalid JSON: {e}"))
    }
}
