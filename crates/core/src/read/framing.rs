//! Cutting decompressed streams into raw records, collected in blocks.

use super::compress::{open_decompressed, peek_head, Compression};
use super::error::{ErrorKind, ReadError, RecordLoc};
use super::{community_from_path, detect_format, FileCtx, Format, InputFile, ReadOptions};
use std::io::BufRead;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// How many bytes of a stream are looked at to detect its format.
const DETECT_HEAD: usize = 64 * 1024;

/// Largest single-document file (a Discourse topic) read as one record.
const MAX_DOCUMENT: u64 = 512 << 20;

/// A batch of raw records, the unit of parallel work.
#[derive(Debug, Default)]
pub struct Block {
    /// Position of the block in the stream of blocks (0, 1, 2, ...).
    pub seq: u64,
    /// The records' bytes, back to back.
    pub data: Vec<u8>,
    /// Records, errors and file events in input order.
    pub items: Vec<Item>,
}

/// One entry of a block.
#[derive(Debug)]
pub enum Item {
    /// A file was opened (or found unreadable or of unknown format).
    File(FileEvent),
    /// A raw record: `data[range]` of its block.
    Record {
        /// The file it came from.
        ctx: Arc<FileCtx>,
        /// Where its bytes are in the block's data.
        range: Range<usize>,
        /// Where it starts in its file.
        loc: RecordLoc,
    },
    /// A record or stream that could not be read.
    Error(ReadError),
}

/// What happened when a file was opened.
#[derive(Debug, Clone)]
pub struct FileEvent {
    /// Position of the file in the expanded input list.
    pub index: usize,
    /// Its path.
    pub path: PathBuf,
    /// The format it is read as; `None` when it is not read.
    pub format: Option<Format>,
    /// Its compression, when it could be opened.
    pub compression: Option<Compression>,
    /// Why it was ignored (a file of unknown format found in a directory).
    pub ignored: Option<String>,
}

/// Collects records into blocks of about `target` bytes and hands each full
/// block to a consumer.
pub struct Sink<'a> {
    target: usize,
    block: Block,
    emit: &'a mut dyn FnMut(Block) -> bool,
    stopped: bool,
}

impl<'a> Sink<'a> {
    /// A sink that emits blocks of about `target` bytes to `emit`; `emit`
    /// returns `false` to stop reading.
    pub fn new(target: usize, emit: &'a mut dyn FnMut(Block) -> bool) -> Self {
        Sink {
            target,
            block: Block {
                data: Vec::with_capacity(target + target / 4),
                ..Block::default()
            },
            emit,
            stopped: false,
        }
    }

    /// Whether the consumer asked to stop.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// The buffer records are written into; call [`Sink::commit`] after.
    pub fn data(&mut self) -> &mut Vec<u8> {
        &mut self.block.data
    }

    /// Records `data[start..end]` (written through [`Sink::data`]) as one
    /// record; bytes after `end` are dropped.
    pub fn commit(&mut self, ctx: &Arc<FileCtx>, start: usize, end: usize, loc: RecordLoc) {
        self.block.data.truncate(end);
        self.block.items.push(Item::Record {
            ctx: Arc::clone(ctx),
            range: start..end,
            loc,
        });
        if self.block.data.len() >= self.target {
            self.flush();
        }
    }

    /// Copies `bytes` in as one record.
    pub fn record(&mut self, ctx: &Arc<FileCtx>, bytes: &[u8], loc: RecordLoc) {
        let start = self.block.data.len();
        self.block.data.extend_from_slice(bytes);
        let end = self.block.data.len();
        self.commit(ctx, start, end, loc);
    }

    /// Adds an error in input order.
    pub fn error(&mut self, err: ReadError) {
        self.block.items.push(Item::Error(err));
    }

    fn file(&mut self, event: FileEvent) {
        self.block.items.push(Item::File(event));
    }

    /// Emits the current block if it holds anything.
    pub fn flush(&mut self) {
        if self.block.items.is_empty() || self.stopped {
            return;
        }
        let seq = self.block.seq;
        let next = Block {
            seq: seq + 1,
            data: Vec::with_capacity(self.target + self.target / 4),
            // The next block holds about as many records as this one.
            items: Vec::with_capacity(self.block.items.len() + self.block.items.len() / 8),
        };
        let full = std::mem::replace(&mut self.block, next);
        if !(self.emit)(full) {
            self.stopped = true;
        }
    }

    /// Emits what is left.
    pub fn finish(mut self) {
        self.flush();
    }
}

/// Opens one input, detects its format and frames all its records into the
/// sink. Errors go into the sink in order; nothing is returned.
pub fn frame_file(index: usize, input: &InputFile, options: &ReadOptions, sink: &mut Sink<'_>) {
    let path = &input.path;
    let mut event = FileEvent {
        index,
        path: path.clone(),
        format: None,
        compression: None,
        ignored: None,
    };
    let opened = open_decompressed(path).and_then(|(compression, reader)| {
        let (head, reader) = peek_head(reader, DETECT_HEAD)
            .map_err(|e| ReadError::file(ErrorKind::Stream, path, format!("cannot read: {e}")))?;
        Ok((compression, head, reader))
    });
    let (compression, head, reader) = match opened {
        Ok(v) => v,
        Err(e) => {
            sink.file(event);
            sink.error(e);
            return;
        }
    };
    event.compression = Some(compression);
    let format = options.format.or_else(|| detect_format(path, &head));
    let Some(format) = format else {
        if input.explicit {
            sink.file(event);
            sink.error(ReadError::file(
                ErrorKind::Format,
                path,
                "unknown format: name it with --format (reddit, hackernews, discourse, \
                 stackexchange-posts, stackexchange-comments, mbox, pipermail, jsonl, csv)",
            ));
        } else {
            event.ignored = Some("unknown format".into());
            sink.file(event);
        }
        return;
    };
    event.format = Some(format);
    sink.file(event);
    let ctx = Arc::new(FileCtx {
        index,
        path: path.clone(),
        format,
        compression,
        community: community_from_path(path, format),
        map: options.map.clone().map(Arc::new),
        body_format: options.body_format,
    });
    let result = match format {
        Format::HackerNews if first_non_space(&head) == Some(b'[') => frame_json_array(&ctx, reader, sink),
        Format::Reddit | Format::HackerNews | Format::Jsonl => frame_lines(&ctx, reader, sink),
        Format::Discourse => frame_document(&ctx, reader, sink),
        Format::StackExchangePosts | Format::StackExchangeComments => {
            super::stackexchange::frame(&ctx, reader, sink)
        }
        Format::Mbox | Format::Pipermail => super::mail::frame(&ctx, reader, sink),
        Format::Csv => super::generic::frame_csv(&ctx, reader, sink),
    };
    if let Err(e) = result {
        sink.error(e);
    }
}

fn first_non_space(head: &[u8]) -> Option<u8> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// A stream failure at `offset`.
pub(crate) fn stream_error(ctx: &FileCtx, offset: u64, e: std::io::Error) -> ReadError {
    let mut err = ReadError::file(ErrorKind::Stream, &ctx.path, format!("stream broken: {e}"));
    err.offset = Some(offset);
    err
}

/// One record per non-blank line (NDJSON).
fn frame_lines(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut offset = 0u64;
    let mut line = 0u64;
    while !sink.is_stopped() {
        let start = sink.data().len();
        let n = reader
            .read_until(b'\n', sink.data())
            .map_err(|e| stream_error(ctx, offset, e))?;
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

/// The whole stream as one record (one Discourse topic per file).
fn frame_document(ctx: &Arc<FileCtx>, reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    use std::io::Read;
    let start = sink.data().len();
    let n = reader
        .take(MAX_DOCUMENT + 1)
        .read_to_end(sink.data())
        .map_err(|e| stream_error(ctx, 0, e))?;
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

/// One record per element of a top-level JSON array, found by tracking
/// strings and nesting depth, so a malformed element is skipped alone.
fn frame_json_array(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    #[derive(PartialEq)]
    enum State {
        BeforeArray,
        BetweenElements,
        InElement,
        Done,
    }
    let mut state = State::BeforeArray;
    let mut depth = 0u32;
    let mut in_string = false;
    let mut escaped = false;
    let mut offset = 0u64;
    let mut elem_start_offset = 0u64;
    let mut elem_start = 0usize;
    let mut line = 1u64;
    let mut elem_line = 1u64;
    while state != State::Done && !sink.is_stopped() {
        let chunk = reader.fill_buf().map_err(|e| stream_error(ctx, offset, e))?;
        if chunk.is_empty() {
            break;
        }
        let chunk = chunk.to_vec();
        let mut copy_from = 0usize;
        for (i, &b) in chunk.iter().enumerate() {
            if b == b'\n' {
                line += 1;
            }
            match state {
                State::BeforeArray => {
                    if b == b'[' {
                        state = State::BetweenElements;
                    } else if !(b.is_ascii_whitespace() || b == 0xEF || b == 0xBB || b == 0xBF) {
                        return Err(ReadError::file(ErrorKind::Format, &ctx.path, "expected a JSON array"));
                    }
                }
                State::BetweenElements => {
                    if b == b']' {
                        state = State::Done;
                        break;
                    }
                    if b.is_ascii_whitespace() || b == b',' {
                        continue;
                    }
                    state = State::InElement;
                    depth = 0;
                    in_string = false;
                    escaped = false;
                    elem_start = sink.data().len();
                    elem_start_offset = offset + i as u64;
                    elem_line = line;
                    copy_from = i;
                    // Fall through to account for this byte.
                    if b == b'{' || b == b'[' {
                        depth = 1;
                    } else if b == b'"' {
                        in_string = true;
                    }
                }
                State::InElement => {
                    if in_string {
                        if escaped {
                            escaped = false;
                        } else if b == b'\\' {
                            escaped = true;
                        } else if b == b'"' {
                            in_string = false;
                        }
                        continue;
                    }
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' if depth > 0 => depth -= 1,
                        b',' | b']' if depth == 0 => {
                            sink.data().extend_from_slice(&chunk[copy_from..i]);
                            let end = sink.data().len();
                            let loc = RecordLoc { line: Some(elem_line), offset: elem_start_offset };
                            sink.commit(ctx, elem_start, end, loc);
                            state = if b == b']' { State::Done } else { State::BetweenElements };
                            if state == State::Done {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                State::Done => break,
            }
        }
        if state == State::InElement {
            sink.data().extend_from_slice(&chunk[copy_from..]);
        }
        offset += chunk.len() as u64;
        let n = chunk.len();
        reader.consume(n);
    }
    match state {
        State::Done => Ok(()),
        State::BeforeArray => Err(ReadError::file(ErrorKind::Format, &ctx.path, "empty file: expected a JSON array")),
        State::InElement | State::BetweenElements => {
            if state == State::InElement {
                let data_len = sink.data().len();
                sink.data().truncate(elem_start.min(data_len));
            }
            let mut err = ReadError::file(
                ErrorKind::Stream,
                &ctx.path,
                "truncated JSON array: the file ends inside it",
            );
            err.offset = Some(if state == State::InElement { elem_start_offset } else { offset });
            err.line = Some(elem_line);
            Err(err)
        }
    }
}
