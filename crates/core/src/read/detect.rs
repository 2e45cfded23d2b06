//! What format detection looks at: a [`Probe`] of a file's name and first
//! decompressed bytes, and the [`Confidence`] a reader answers with.
//!
//! Every registered reader is asked (see `registry.rs`); the most confident
//! answer wins, and a tie goes to the reader registered first.

use super::compress::strip_compression_suffixes;
use std::cell::OnceCell;
use std::path::Path;

/// How sure a reader is that a file is in its format. A name match beats
/// any content match, which beats a fallback; the number orders readers
/// with the same kind of evidence (higher wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Content a catch-all format takes when no other reader claims it
    /// (any JSON object is generic JSON lines).
    Fallback,
    /// The first bytes look like the format.
    Content(u8),
    /// The file name says (`Posts.xml`, `.mbox`, `RC_2023-01.zst`).
    Name(u8),
}

/// A file as detection sees it: its name and its first decompressed bytes.
pub struct Probe<'a> {
    path: &'a Path,
    name: String,
    head: &'a [u8],
    json: OnceCell<Option<serde_json::Value>>,
}

impl<'a> Probe<'a> {
    /// A probe of the file at `path` whose decompressed stream starts with
    /// `head`.
    pub fn new(path: &'a Path, head: &'a [u8]) -> Self {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let name = strip_compression_suffixes(&name.to_ascii_lowercase()).to_string();
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
        Probe {
            path,
            name,
            head: &head[start..],
            json: OnceCell::new(),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        self.path
    }

    /// The file name, lower-cased, without compression suffixes
    /// (`rc_2023-01` for `RC_2023-01.zst`); empty when it is not UTF-8.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first bytes from the first one that is not a byte order mark or
    /// whitespace; empty when there is none.
    pub fn head(&self) -> &[u8] {
        self.head
    }

    /// The first byte of [`Probe::head`].
    pub fn first_byte(&self) -> Option<u8> {
        self.head.first().copied()
    }

    /// The first line of the head that starts with `{` as a JSON object, or
    /// the whole head (a pretty-printed document); `None` when neither
    /// parses. Parsed once for all readers.
    pub fn json_object(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.json
            .get_or_init(|| {
                if self.first_byte() != Some(b'{') {
                    return None;
                }
                let line = self.head.split(|&b| b == b'\n').next().unwrap_or(self.head);
                serde_json::from_slice(line)
                    .ok()
                    .or_else(|| serde_json::from_slice(self.head).ok())
            })
            .as_ref()
            .and_then(serde_json::Value::as_object)
    }
}
