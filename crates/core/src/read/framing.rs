//! Framers shared by several readers: one record per line
//! ([`frame_lines`]) and the whole stream as one record ([`frame_document`]).

use super::error::{stream_error, ErrorKind, ReadError, RecordLoc};
use super::reader::{FileCtx, Sink};
use std::io::BufRead;
use std::sync::Arc;

/// Largest single-document file (a Discourse topic) read as one record.
const MAX_DOCUMENT: u64 = 512 << 20;

/// One record per non-blank line (NDJSON), without its line break and
/// trailing spaces, located by its 1-based line and byte offset; a byte
/// order mark at the start of the file is left out. A broken stream ends
/// the file with an error at the offset of the line it broke in.
pub fn frame_lines(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut offset = 0u64;
    let mut line = 0u64;
    while !sink.is_stopped() {
        let start = sink.data().len();
        let n = reader
            .read_until(b'\n', sink.data())
            .map_err(|e| stream_error(&ctx.path, offset, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let data = sink.data();
        let mut end = data.len();
        while end > start && matches!(data[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
            end -= 1;
        }
        let skip_bom = if line == 1 && data[start..end].starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        if end > start + skip_bom {
            sink.commit(ctx, start + skip_bom, end, RecordLoc { line: Some(line), offset });
        } else {
            sink.data().truncate(start);
        }
        offset += n as u64;
    }
    Ok(())
}

/// The whole stream as one record (one Discourse topic per file), at line
/// 1, byte 0; a stream larger than 512 MiB is a format error.
pub fn frame_document(ctx: &Arc<FileCtx>, reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    use std::io::Read;
    let start = sink.data().len();
    let n = reader
        .take(MAX_DOCUMENT + 1)
        .read_to_end(sink.data())
        .map_err(|e| stream_error(&ctx.path, 0, e))?;
    if n as u64 > MAX_DOCUMENT {
        sink.data().truncate(start);
        return Err(ReadError::file(
            ErrorKind::Format,
            &ctx.path,
            format!("document larger than {} MiB", MAX_DOCUMENT >> 20),
        ));
    }
    let end = sink.data().len();
    sink.commit(ctx, start, end, RecordLoc { line: Some(1), offset: 0 });
    Ok(())
}
