//! Transparent decompression chosen by magic bytes, and the one helper that
//! takes compression suffixes off file names ([`strip_compression_suffixes`]).

use super::error::{ErrorKind, ReadError};
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use super::progress::{Counting, ReadProgress};

/// The compression a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`), including Pushshift's 2 GiB windows.
    Zstd,
    /// xz / LZMA2 (`.xz`).
    Xz,
    /// bzip2 (`.bz2`).
    Bzip2,
}

const READ_BUFFER: usize = 1 << 20;

/// Zstandard window limit: Pushshift and Arctic Shift files use 2 GiB
/// windows (`--long=31`), beyond the library's default of 128 MiB.
const ZSTD_WINDOW_LOG_MAX: u32 = 31;

/// Opens `path` and returns its compression and a buffered reader of the
/// decompressed bytes.
pub fn open_decompressed(path: &Path) -> Result<(Compression, Box<dyn BufRead + Send>), ReadError> {
    open_counted(path, None)
}

/// [`open_decompressed`], counting the file's bytes (before decompression)
/// into `progress` when given.
pub fn open_counted(
    path: &Path,
    progress: Option<&Arc<ReadProgress>>,
) -> Result<(Compression, Box<dyn BufRead + Send>), ReadError> {
    let open_err = |e: std::io::Error| ReadError::file(ErrorKind::Open, path, format!("cannot open: {e}"));
    let raw: Box<dyn std::io::Read + Send> = if super::inputs::is_stdin(path) {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).map_err(open_err)?)
    };
    let raw: Box<dyn std::io::Read + Send> = match progress {
        Some(p) => Box::new(Counting::new(raw, Arc::clone(p))),
        None => Box::new(raw),
    };
    let mut file = BufReader::with_capacity(READ_BUFFER, raw);
    let magic = file.fill_buf().map_err(open_err)?;
    let compression = match magic {
        [0x28, 0xB5, 0x2F, 0xFD, ..] => Compression::Zstd,
        [0x1F, 0x8B, ..] => Compression::Gzip,
        [0xFD, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
        [b'B', b'Z', b'h', ..] => Compression::Bzip2,
        [b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C, ..] => {
            return Err(ReadError::file(
                ErrorKind::Format,
                path,
                "a 7z archive: extract it first (`7z x FILE`, or `7z e FILE Posts.xml Comments.xml`) \
                 and give leadminer the extracted XML files or their folder",
            ))
        }
        [b'P', b'K', 0x03, 0x04, ..] | [b'P', b'K', 0x05, 0x06, ..] => {
            return Err(ReadError::file(
                ErrorKind::Format,
                path,
                "a zip archive: extract it first (`unzip FILE`) and give leadminer the extracted files or their folder",
            ))
        }
        _ => Compression::None,
    };
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(file),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            flate2::bufread::MultiGzDecoder::new(file),
        )),
        Compression::Zstd => {
            let mut dec = zstd::stream::read::Decoder::with_buffer(file).map_err(|e| {
                ReadError::file(ErrorKind::Stream, path, format!("zstd: {e}"))
            })?;
            dec.window_log_max(ZSTD_WINDOW_LOG_MAX).map_err(|e| {
                ReadError::file(ErrorKind::Stream, path, format!("zstd: {e}"))
            })?;
            Box::new(BufReader::with_capacity(READ_BUFFER, dec))
        }
        Compression::Xz => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            xz2::bufread::XzDecoder::new_multi_decoder(file),
        )),
        Compression::Bzip2 => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            bzip2::bufread::MultiBzDecoder::new(file),
        )),
    };
    Ok((compression, reader))
}

/// The file name suffixes of compressed files, in the order
/// [`strip_compression_suffixes`] takes them off.
const COMPRESSION_SUFFIXES: [&str; 5] = [".zst", ".zstd", ".gz", ".xz", ".bz2"];

/// `name` without its compression suffixes (`.zst`, `.zstd`, `.gz`, `.xz`,
/// `.bz2`, in any letter case): `RC_2023-01.zst` gives `RC_2023-01`,
/// `Posts.xml.GZ` gives `Posts.xml`. Each suffix is taken off at most once,
/// in that order; a name that is nothing but a suffix gives `""`.
pub fn strip_compression_suffixes(name: &str) -> &str {
    let mut name = name;
    for suffix in COMPRESSION_SUFFIXES {
        if let Some(stripped) = strip_suffix_ignore_case(name, suffix) {
            name = stripped;
        }
    }
    name
}

/// `s` without `suffix`, compared ASCII-case-insensitively.
pub(crate) fn strip_suffix_ignore_case<'s>(s: &'s str, suffix: &str) -> Option<&'s str> {
    let cut = s.len().checked_sub(suffix.len())?;
    // An ASCII suffix matching the last bytes starts on a char boundary.
    s.as_bytes()[cut..].eq_ignore_ascii_case(suffix.as_bytes()).then(|| &s[..cut])
}

/// Reads up to `n` bytes from the start of a stream and returns them with a
/// reader that yields the whole stream again, those bytes included.
///
/// A stream that breaks inside the head (a small truncated `.gz`) still
/// yields the bytes before the break, then the error, so the framer reads
/// the records before it and reports where the stream broke.
pub(crate) fn peek_head(
    mut reader: Box<dyn BufRead + Send>,
    n: usize,
) -> std::io::Result<(Vec<u8>, Box<dyn BufRead + Send>)> {
    let mut head = Vec::with_capacity(n);
    let rest: Box<dyn Read + Send> = match (&mut reader).take(n as u64).read_to_end(&mut head) {
        Ok(_) => Box::new(reader),
        Err(e) if !head.is_empty() => Box::new(FailOnce(Some(e))),
        Err(e) => return Err(e),
    };
    let again = std::io::Cursor::new(head.clone()).chain(rest);
    Ok((head, Box::new(BufReader::with_capacity(READ_BUFFER, again))))
}

/// A reader that fails once with a stored error, then reports the end.
struct FailOnce(Option<std::io::Error>);

impl Read for FailOnce {
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_suffixes() {
        assert_eq!(strip_compression_suffixes("RC_2023-01.zst"), "RC_2023-01");
        assert_eq!(strip_compression_suffixes("Posts.xml.GZ"), "Posts.xml");
        assert_eq!(strip_compression_suffixes("a.jsonl.bz2"), "a.jsonl");
        assert_eq!(strip_compression_suffixes("list.mbox"), "list.mbox");
        assert_eq!(strip_compression_suffixes("Übersicht.Xz"), "Übersicht");
        assert_eq!(strip_compression_suffixes(".gz"), "");
        assert_eq!(strip_compression_suffixes("gz"), "gz");
    }
}
