//! Framers shared by several readers: one record per line
//! ([`frame_lines`]) and the whole stream as one record ([`frame_document`]).

use super::error::{stream_error, ErrorKind, ReadError, RecordLoc};
use super::reader::{FileCtx, Sink};
use std::io::BufRead;
use std::sync::Arc;

/// One record per non-blank line (NDJSON), without its line break and
/// trailing spaces, located by its 1-based line and byte offset; a byte
/// order mark at the start of the file is left out. A line longer than the
/// record limit ([`FileCtx::max_record`]) is skipped and counted, its bytes
/// streamed past without being held. A broken stream ends the file with an
/// error at the offset of the line it broke in.
pub fn frame_lines(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut offset = 0u64;
    let mut line = 0u64;
    while !sink.is_stopped() {
        let start = sink.data().len();
        let (n, whole) =
            read_line_bounded(&mut reader, sink.data(), ctx.max_record).map_err(|e| stream_error(&ctx.path, offset, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let loc = RecordLoc { line: Some(line), offset };
        offset += n as u64;
        if !whole {
            sink.data().truncate(start);
            sink.error(ReadError::record(
                &ctx.path,
                loc,
                format!("a line of {n} bytes, longer than the record limit ({} bytes); skipped", ctx.max_record),
            ));
            continue;
        }
        let data = sink.data();
        let mut end = data.len();
        while end > start && matches!(data[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
            end -= 1;
        }
        let skip_bom = if line == 1 && data[start..end].starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        if end > start + skip_bom {
            sink.commit(ctx, start + skip_bom, end, loc);
        } else {
            sink.data().truncate(start);
        }
    }
    Ok(())
}

/// Reads one line (through its `\n`) onto `buf`, keeping at most `max`
/// bytes: the bytes consumed, and whether the whole line was kept. A
/// longer line is consumed to its end without being held.
pub fn read_line_bounded(reader: &mut Box<dyn BufRead + Send>, buf: &mut Vec<u8>, max: usize) -> std::io::Result<(usize, bool)> {
    let start = buf.len();
    let mut consumed = 0usize;
    let mut whole = true;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((consumed, whole));
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if whole {
            if buf.len() - start + take > max.saturating_add(1) {
                whole = false;
                buf.truncate(start);
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        consumed += take;
        reader.consume(take);
        if done {
            return Ok((consumed, whole));
        }
    }
}

/// The whole stream as one record (one Discourse topic per file), at line
/// 1, byte 0; a stream larger than the record limit is a format error.
pub fn frame_document(ctx: &Arc<FileCtx>, reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    use std::io::Read;
    let start = sink.data().len();
    let max = ctx.max_record as u64;
    let n = reader
        .take(max + 1)
        .read_to_end(sink.data())
        .map_err(|e| stream_error(&ctx.path, 0, e))?;
    if n as u64 > max {
        sink.data().truncate(start);
        return Err(ReadError::file(
            ErrorKind::Format,
            &ctx.path,
            format!("document larger than the record limit ({max} bytes)"),
        ));
    }
    let end = sink.data().len();
    sink.commit(ctx, start, end, RecordLoc { line: Some(1), offset: 0 });
    Ok(())
}
