//! The [`Reader`] trait, one implementation per dump format, and what it
//! works with: the [`Format`] handle that names a reader, the [`FileCtx`] of
//! the file being read, and the [`Sink`] that collects raw records into
//! [`Block`]s.
//!
//! Reading has two stages so that the expensive one runs on every core:
//! [`Reader::frame`] (one thread per file) cuts the decompressed stream into
//! raw records, and [`Reader::parse`] (any thread) turns each record into
//! posts. The readers leadminer knows are listed in `registry.rs`.

use super::compress::Compression;
use super::detect::{Confidence, Probe};
use super::error::{ErrorKind, ParseError, ReadError, RecordLoc};
use super::mapping::{BodyFormat, FieldMap};
use crate::model::Post;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One dump format: its names, how it is recognized, framed and parsed.
///
/// A reader is a `static` value wrapped in a [`Format`] (`Format::new`) and
/// listed once in the registry; everything else (`--format` values, help
/// text, detection, dispatch) comes from there.
pub trait Reader: Send + Sync + 'static {
    /// The name used on the command line and in outputs (`stackexchange-posts`).
    fn name(&self) -> &'static str;

    /// Other names `--format` accepts, lower-case (`se`, `se-posts`).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// The name `stats --json` writes for files of this format: the
    /// [`Reader::name`] unless the format's JSON name predates it
    /// (`hacker-news`, `stack-exchange-posts`).
    fn json_name(&self) -> &'static str {
        self.name()
    }

    /// How sure this reader is that the probed file is in its format;
    /// `None` when it is not.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence>;

    /// The community implied by the file's path (a Stack Exchange site
    /// named by the file or its folder), if any.
    fn community(&self, path: &Path) -> Option<String> {
        let _ = path;
        None
    }

    /// Cuts the decompressed stream into raw records, written to `sink`
    /// with their locations. `head` is the stream's first bytes (also the
    /// first bytes `reader` yields). Record errors go into the sink; an
    /// error that ends the file is returned.
    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError>;

    /// Parses one raw record, located at `loc` in its file, appending its
    /// posts to `out`. A record that holds several posts (a Discourse
    /// topic) and loses one of them to damage notes the loss with
    /// [`RecordPosts::lose`] and goes on; an error returned loses the whole
    /// record.
    fn parse(&self, ctx: &FileCtx, bytes: &[u8], loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError>;
}

/// A dump format: a handle to its [`Reader`]. Formats are equal when their
/// names are; one serializes as its [`Reader::json_name`].
#[derive(Clone, Copy)]
pub struct Format(&'static dyn Reader);

impl Format {
    /// The format read by `reader`.
    pub const fn new(reader: &'static dyn Reader) -> Self {
        Format(reader)
    }

    /// Its reader.
    pub fn reader(self) -> &'static dyn Reader {
        self.0
    }

    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Format {}

impl Hash for Format {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Format({})", self.name())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.json_name())
    }
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
    /// The largest record a framer holds (bytes); a larger one is skipped
    /// and counted.
    pub max_record: usize,
}

impl FileCtx {
    /// Parses one raw record of this file with its format's reader,
    /// appending its posts to `out`; a failure names the file, the
    /// record's location and, when it was read, its id.
    pub fn parse(&self, bytes: &[u8], loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ReadError> {
        self.format.reader().parse(self, bytes, loc, out).map_err(|e| self.record_error(loc, e))
    }

    /// A record's [`ParseError`] as a [`ReadError`] naming this file and
    /// the record's location.
    pub fn record_error(&self, loc: RecordLoc, e: ParseError) -> ReadError {
        let mut err = ReadError::record(&self.path, loc, e.message);
        err.record = e.id;
        err
    }
}

/// The posts parsed from one record, and the parts of the record lost to
/// damage, each at its place among the posts.
#[derive(Debug, Default)]
pub struct RecordPosts {
    /// The posts, in the record's order.
    pub posts: Vec<Post>,
    /// Each lost part with the number of posts read before it.
    lost: Vec<(usize, ParseError)>,
}

impl RecordPosts {
    /// Adds a post.
    pub fn push(&mut self, post: Post) {
        self.posts.push(post);
    }

    /// Notes that a part of the record (one post of a topic) could not be
    /// read; it is skipped and counted, the rest of the record is kept.
    pub fn lose(&mut self, err: ParseError) {
        self.lost.push((self.posts.len(), err));
    }

    /// Whether nothing was read or lost.
    pub fn is_empty(&self) -> bool {
        self.posts.is_empty() && self.lost.is_empty()
    }

    /// Empties it, keeping its allocation.
    pub fn clear(&mut self) {
        self.posts.clear();
        self.lost.clear();
    }

    /// Takes the posts and losses out in order: `Ok` for a post, `Err` for
    /// a lost part.
    pub fn drain(&mut self) -> impl Iterator<Item = Result<Post, ParseError>> + '_ {
        let mut lost = self.lost.drain(..).peekable();
        let mut posts = self.posts.drain(..).enumerate().peekable();
        std::iter::from_fn(move || {
            let next_post = posts.peek().map(|(i, _)| *i);
            match (lost.peek(), next_post) {
                (Some((at, _)), Some(i)) if *at <= i => lost.next().map(|(_, e)| Err(e)),
                (_, Some(_)) => posts.next().map(|(_, p)| Ok(p)),
                (Some(_), None) => lost.next().map(|(_, e)| Err(e)),
                (None, None) => None,
            }
        })
    }
}

/// A place in the stream of items that framing makes of the inputs: after
/// the first `items` items (its file event, records and errors) of the
/// file at `file` in the input list. Framing is deterministic, so a read
/// started again can skip to it ([`Sink::skip_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// The file's place in the expanded input list.
    pub file: usize,
    /// Items of that file up to here.
    pub items: u64,
}

/// A batch of raw records, the unit of parallel work.
#[derive(Debug, Default)]
pub struct Block {
    /// Position of the block in the stream of blocks (0, 1, 2, ...).
    pub seq: u64,
    /// Where its last item ends.
    pub end: Position,
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
    /// Where the items framed so far end.
    at: Position,
    /// Items up to here are dropped (a resumed read).
    skip: Option<Position>,
    /// Items of a compressed stream not yet trusted ([`Sink::begin_probation`]).
    probation: Option<Probation>,
}

/// The last items of a compressed stream, held until the stream has gone
/// on far enough (or ended) without reporting corruption.
#[derive(Debug, Default)]
struct Probation {
    held: std::collections::VecDeque<(Item, Vec<u8>, Position)>,
    bytes: usize,
}

/// How many bytes of records a compressed stream's [`Probation`] holds.
pub const PROBATION_BYTES: usize = 64 << 20;

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
            at: Position::default(),
            skip: None,
            probation: None,
        }
    }

    /// From here on, holds the items of the current file back: a stream
    /// that reports corruption may have handed on garbage before it
    /// noticed (a gzip member's checksum comes at its end). Items leave
    /// probation when the records held after them pass
    /// `PROBATION_BYTES`, or at [`Sink::end_probation`].
    pub fn begin_probation(&mut self) {
        self.probation = Some(Probation::default());
    }

    /// Ends the probation of the current file's items. `corrupt`: the
    /// stream reported corruption. The damage began at the latest where
    /// the first held record fails to parse (or an error was held): from
    /// there on, held records are not trusted, each counted as an error
    /// saying why instead of read; the records before it are kept.
    pub fn end_probation(&mut self, corrupt: Option<&str>) {
        let Some(probation) = self.probation.take() else { return };
        let damage = match corrupt {
            None => probation.held.len(),
            Some(_) => {
                let mut scratch = RecordPosts::default();
                probation
                    .held
                    .iter()
                    .position(|(item, bytes, _)| match item {
                        Item::Record { ctx, loc, .. } => {
                            scratch.clear();
                            ctx.parse(bytes, *loc, &mut scratch).is_err()
                        }
                        Item::Error(e) => e.kind != ErrorKind::Stream,
                        Item::File(_) => false,
                    })
                    .unwrap_or(probation.held.len())
            }
        };
        let why = corrupt.unwrap_or_default();
        for (i, (item, bytes, at)) in probation.held.into_iter().enumerate() {
            let item = match item {
                Item::Record { ctx, loc, .. } if i >= damage => Item::Error(ReadError::record(
                    &ctx.path,
                    loc,
                    format!("not trusted: read after the first damaged record of a stream that reported corruption ({why})"),
                )),
                item => item,
            };
            self.release(item, &bytes, at);
        }
    }

    /// Puts an item that left probation into the block.
    fn release(&mut self, item: Item, bytes: &[u8], at: Position) {
        self.block.end = at;
        match item {
            Item::Record { ctx, loc, .. } => {
                let start = self.block.data.len();
                self.block.data.extend_from_slice(bytes);
                let end = self.block.data.len();
                self.block.items.push(Item::Record { ctx, range: start..end, loc });
                if self.block.data.len() >= self.target {
                    self.flush();
                }
            }
            other => self.block.items.push(other),
        }
    }

    /// Holds a kept item when the file is on probation, releasing the
    /// oldest ones past the limit; gives the item back when there is no
    /// probation.
    fn hold(&mut self, item: Item, bytes: Vec<u8>) -> Result<(), Item> {
        let at = self.at;
        let Some(probation) = &mut self.probation else { return Err(item) };
        probation.bytes += bytes.len();
        probation.held.push_back((item, bytes, at));
        loop {
            let released = match &mut self.probation {
                Some(p) if p.bytes > PROBATION_BYTES => p.held.pop_front().inspect(|(_, b, _)| p.bytes -= b.len()),
                _ => None,
            };
            let Some((item, bytes, at)) = released else { break };
            self.release(item, &bytes, at);
        }
        Ok(())
    }

    /// Drops every item up to `position`: a read started again from the
    /// beginning continues where a previous one stopped.
    pub fn skip_to(&mut self, position: Position) {
        self.skip = Some(position);
    }

    /// Counts one more item of the current file; whether it is kept.
    fn keep(&mut self) -> bool {
        self.at.items += 1;
        let kept = self.skip.is_none_or(|s| self.at.file > s.file || (self.at.file == s.file && self.at.items > s.items));
        if kept && self.probation.is_none() {
            self.block.end = self.at;
        }
        kept
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
        if !self.keep() {
            self.block.data.truncate(start);
            return;
        }
        if self.probation.is_some() {
            let bytes = self.block.data[start..end].to_vec();
            self.block.data.truncate(start);
            let _ = self.hold(Item::Record { ctx: Arc::clone(ctx), range: 0..0, loc }, bytes);
            return;
        }
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
        if self.keep() {
            if let Err(item) = self.hold(Item::Error(err), Vec::new()) {
                self.block.items.push(item);
            }
        }
    }

    pub(super) fn file(&mut self, event: FileEvent) {
        self.at = Position { file: event.index, items: 0 };
        if self.keep() {
            self.block.items.push(Item::File(event));
        }
    }

    /// Emits the current block if it holds anything.
    pub fn flush(&mut self) {
        if self.block.items.is_empty() || self.stopped {
            return;
        }
        let seq = self.block.seq;
        let next = Block {
            seq: seq + 1,
            end: self.at,
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
