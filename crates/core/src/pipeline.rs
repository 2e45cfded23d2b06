//! The streaming parallel pipeline: one reader thread frames files into
//! blocks, worker threads process blocks, and the calling thread consumes
//! the results in input order.
//!
//! Memory stays flat: at most `2 × threads + 2` blocks are in flight (read
//! but not yet consumed), whatever the input size. Results reach the
//! consumer in the order of the input, so outputs are the same for every
//! thread count.

use crate::model::Post;
use crate::read::{check_created, expand_inputs, frame_file, Block, FileCtx, FileEvent, Format, InputFile, Item, Position, ReadError, ReadOptions, RecordPosts, Sink};
use crossbeam_channel::{bounded, Receiver, Sender};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Default size of a block of raw records.
pub const DEFAULT_BLOCK_SIZE: usize = 2 << 20;

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Worker threads; 1 runs everything on the calling thread.
    pub threads: usize,
    /// Target size of a block in bytes.
    pub block_size: usize,
    /// Set (by a Ctrl-C handler) to stop reading: no block is handed on
    /// after it is seen.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Continue a read that stopped here: earlier files are not opened,
    /// the items of this one up to here are framed but dropped.
    pub resume: Option<Position>,
}

impl PipelineOptions {
    /// Whether the run was interrupted.
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|i| i.load(Ordering::Relaxed))
    }
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            block_size: DEFAULT_BLOCK_SIZE,
            interrupt: None,
            resume: None,
        }
    }
}

/// One parsed entry of a block, in input order.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // posts are the common case: no boxing
pub enum Parsed {
    /// A file was opened, ignored, or failed to open.
    File(FileEvent),
    /// A post read from a record.
    Post(Post),
    /// A record or stream that was skipped.
    Skipped(ReadError),
    /// A field of the post before it held an impossible value and was
    /// dropped (the post is kept).
    BadField(ReadError),
}

/// Parses every record of a block into posts, keeping input order.
pub fn parse_block(block: Block) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.items.len());
    let mut posts = RecordPosts::default();
    for item in block.items {
        match item {
            Item::File(ev) => out.push(Parsed::File(ev)),
            Item::Error(e) => out.push(Parsed::Skipped(e)),
            Item::Record { ctx, range, loc } => match ctx.parse(&block.data[range], loc, &mut posts) {
                Ok(()) => {
                    for p in posts.drain() {
                        match p {
                            Ok(mut post) => {
                                let bad = check_created(&ctx, loc, &mut post);
                                out.push(Parsed::Post(post));
                                out.extend(bad.map(Parsed::BadField));
                            }
                            Err(lost) => out.push(Parsed::Skipped(ctx.record_error(loc, lost))),
                        }
                    }
                }
                Err(e) => {
                    posts.clear();
                    out.push(Parsed::Skipped(e));
                }
            },
        }
    }
    out
}

/// Reads `files` and runs `work` on every block on the worker threads, each
/// worker with its own state made by `init`; hands each result to `consume`
/// on the calling thread in input order. `consume` returns `false` to stop.
pub fn run<S, O, I, W, C>(
    files: &[InputFile],
    read: &ReadOptions,
    options: &PipelineOptions,
    init: I,
    work: W,
    mut consume: C,
) where
    O: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, Block) -> O + Sync,
    C: FnMut(O) -> bool,
{
    let mut consume = |out: O| !options.interrupted() && consume(out);
    let threads = options.threads.max(1);
    if threads == 1 {
        let mut state = init();
        let mut emit = |block: Block| consume(work(&mut state, block));
        let mut sink = Sink::new(options.block_size, &mut emit);
        frame_files(files, read, options.resume, &mut sink);
        sink.finish();
        return;
    }

    let in_flight = 2 * threads + 2;
    let (block_tx, block_rx) = bounded::<Block>(threads);
    let (result_tx, result_rx) = bounded::<(u64, O)>(in_flight);
    let (permit_tx, permit_rx) = bounded::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = permit_tx.send(());
    }
    let stop = AtomicBool::new(false);

    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || reader(files, read, options, block_tx, permit_rx, stop));
        for _ in 0..threads {
            let block_rx: Receiver<Block> = block_rx.clone();
            let result_tx: Sender<(u64, O)> = result_tx.clone();
            let (init, work) = (&init, &work);
            scope.spawn(move || {
                let mut state = init();
                for block in block_rx {
                    let seq = block.seq;
                    if result_tx.send((seq, work(&mut state, block))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(result_tx);
        drop(block_rx);

        let mut next = 0u64;
        let mut pending: BTreeMap<u64, O> = BTreeMap::new();
        for (seq, out) in &result_rx {
            pending.insert(seq, out);
            while let Some(out) = pending.remove(&next) {
                next += 1;
                let _ = permit_tx.send(());
                if !stop.load(Ordering::Relaxed) && !consume(out) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    });
}

fn reader(
    files: &[InputFile],
    read: &ReadOptions,
    options: &PipelineOptions,
    block_tx: Sender<Block>,
    permit_rx: Receiver<()>,
    stop: &AtomicBool,
) {
    let mut emit = |block: Block| {
        if stop.load(Ordering::Relaxed) || permit_rx.recv().is_err() {
            return false;
        }
        block_tx.send(block).is_ok()
    };
    let mut sink = Sink::new(options.block_size, &mut emit);
    frame_files(files, read, options.resume, &mut sink);
    sink.finish();
}

/// Frames `files` into `sink` in order, from `resume` on when given.
fn frame_files(files: &[InputFile], read: &ReadOptions, resume: Option<Position>, sink: &mut Sink<'_>) {
    if let Some(position) = resume {
        sink.skip_to(position);
    }
    let first = resume.map_or(0, |p| p.file);
    for (index, file) in files.iter().enumerate().skip(first) {
        if sink.is_stopped() {
            break;
        }
        frame_file(index, file, read, sink);
    }
}

/// The records a read skipped: how many, and the first (with its
/// location), as a scan counts them.
#[derive(Debug, Clone, Default)]
#[must_use = "skipped records are reported to the user"]
pub struct Skips {
    /// Records skipped.
    pub count: u64,
    /// The first one.
    pub first: Option<ReadError>,
}

impl Skips {
    /// Whether a strict read stopped at the first skipped record.
    pub fn stopped(&self, read: &ReadOptions) -> Option<&ReadError> {
        self.first.as_ref().filter(|_| read.strict)
    }
}

/// Reads `files` and hands `pick` every post on the worker threads; what it
/// returns reaches `consume` on the calling thread in input order.
/// `consume` returns `false` to stop. Skipped records are counted in the
/// returned [`Skips`]; with `read.strict` the read stops at the first (or
/// at the first dropped field, as a scan does), and no post after it
/// reaches `consume`.
pub fn for_each_post<T, P, C>(
    files: &[InputFile],
    read: &ReadOptions,
    options: &PipelineOptions,
    pick: P,
    mut consume: C,
) -> Skips
where
    T: Send,
    P: Fn(Post) -> Option<T> + Sync,
    C: FnMut(T) -> bool,
{
    let mut skips = Skips::default();
    run(
        files,
        read,
        options,
        || (),
        |_, block| {
            parse_block(block)
                .into_iter()
                .filter_map(|p| match p {
                    Parsed::Post(post) => pick(post).map(Ok),
                    Parsed::Skipped(e) => Some(Err(e)),
                    // A dropped field keeps its post; only --strict stops.
                    Parsed::BadField(e) => read.strict.then_some(Err(e)),
                    Parsed::File(_) => None,
                })
                .collect::<Vec<Result<T, ReadError>>>()
        },
        |picked| {
            for item in picked {
                match item {
                    Ok(t) => {
                        if !consume(t) {
                            return false;
                        }
                    }
                    Err(e) => {
                        skips.count += 1;
                        if skips.first.is_none() {
                            skips.first = Some(e);
                        }
                        if read.strict {
                            return false;
                        }
                    }
                }
            }
            true
        },
    );
    skips
}

/// Reads every file completely on the current thread and returns its posts
/// and its problems: skipped records and dropped fields (kind
/// [`ErrorKind::Field`](crate::read::ErrorKind::Field)). Convenient for tests and small inputs; scans use
/// [`run`].
pub fn read_all(paths: &[PathBuf], options: &ReadOptions) -> Result<(Vec<Post>, Vec<ReadError>), ReadError> {
    let files = expand_inputs(paths)?.files;
    let mut posts = Vec::new();
    let mut skipped = Vec::new();
    let one_thread = PipelineOptions { threads: 1, ..PipelineOptions::default() };
    run(&files, options, &one_thread, || (), |_, block| parse_block(block), |parsed| {
        for p in parsed {
            match p {
                Parsed::Post(post) => posts.push(post),
                Parsed::Skipped(e) | Parsed::BadField(e) => skipped.push(e),
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

/// Frames and parses `bytes` as the (decompressed) contents of a file of
/// `format` at `path`, without touching the disk: every post and problem,
/// in input order. For fuzzing, and for tests that hold their input in
/// memory; `options` gives the mapping, body format and record limit.
pub fn parse_bytes(format: Format, path: &std::path::Path, bytes: &[u8], options: &ReadOptions) -> Vec<Parsed> {
    let reader = format.reader();
    let ctx = Arc::new(FileCtx {
        index: 0,
        path: path.to_path_buf(),
        format,
        compression: crate::read::Compression::None,
        community: reader.community(path),
        map: options.map.clone().map(Arc::new),
        body_format: options.body_format,
        max_record: options.max_record,
    });
    let mut parsed = Vec::new();
    let mut emit = |block: Block| {
        parsed.extend(parse_block(block));
        true
    };
    let mut sink = Sink::new(DEFAULT_BLOCK_SIZE, &mut emit);
    let head = &bytes[..bytes.len().min(crate::read::DETECT_HEAD)];
    let stream: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    if let Err(e) = reader.frame(&ctx, head, stream, &mut sink) {
        sink.error(e);
    }
    sink.finish();
    parsed
}
