//! Reading one input file: open and decompress it, detect its format with
//! the registry (unless one is forced), and let the format's reader frame
//! its records into the sink.

use super::compress::{open_counted, peek_head, Compression};
use super::progress::ReadProgress;
use super::error::{ErrorKind, ReadError};
use super::inputs::InputFile;
use super::mapping::{BodyFormat, FieldMap};
use super::reader::{FileCtx, FileEvent, Format, Sink};
use super::registry::Registry;
use std::io::{BufRead, Read};
use std::sync::Arc;

/// How many bytes of a stream are looked at to detect its format.
pub const DETECT_HEAD: usize = 64 * 1024;

/// Options that change how files are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force this format instead of detecting it.
    pub format: Option<Format>,
    /// Field mapping for generic JSONL and CSV (default: same-named fields).
    pub map: Option<FieldMap>,
    /// How generic JSONL and CSV bodies are written (default: detected).
    pub body_format: BodyFormat,
    /// Stop at the first error instead of skipping and counting.
    pub strict: bool,
    /// The formats detection chooses from (default: the built-in ones).
    pub registry: Registry,
    /// The largest record read (bytes, default [`DEFAULT_MAX_RECORD`]): a
    /// longer line, array element, XML row or document is skipped and
    /// counted, its bytes streamed past without being held.
    pub max_record: usize,
    /// Where to count what is read, for a progress display.
    pub progress: Option<Arc<ReadProgress>>,
}

/// The default record size limit: 64 MiB.
pub const DEFAULT_MAX_RECORD: usize = 64 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            map: None,
            body_format: BodyFormat::default(),
            strict: false,
            registry: Registry::builtin().clone(),
            max_record: DEFAULT_MAX_RECORD,
            progress: None,
        }
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
    if let Some(p) = &options.progress {
        p.start_file(path);
    }
    let opened = open_counted(path, options.progress.as_ref()).and_then(|(compression, reader)| {
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
    let format = options.format.or_else(|| options.registry.detect(path, &head));
    let Some(format) = format else {
        if input.explicit {
            sink.file(event);
            sink.error(ReadError::file(
                ErrorKind::Format,
                path,
                format!("unknown format: name it with --format ({})", options.registry.names()),
            ));
        } else {
            event.ignored = Some("unknown format".into());
            sink.file(event);
        }
        return;
    };
    event.format = Some(format);
    sink.file(event);
    let reader_of_format = format.reader();
    let ctx = Arc::new(FileCtx {
        index,
        path: path.clone(),
        format,
        compression,
        community: reader_of_format.community(path),
        map: options.map.clone().map(Arc::new),
        body_format: options.body_format,
        max_record: options.max_record,
    });
    let corruption = Arc::new(std::sync::Mutex::new(None));
    let reader: Box<dyn BufRead + Send> = if compression == Compression::None {
        reader
    } else {
        sink.begin_probation();
        Box::new(WatchCorruption { inner: reader, seen: Arc::clone(&corruption) })
    };
    if let Err(e) = reader_of_format.frame(&ctx, &head, reader, sink) {
        sink.error(e);
    }
    let corrupt = corruption.lock().ok().and_then(|c| c.clone());
    sink.end_probation(corrupt.as_deref());
}

/// Passes a decompressed stream through, noting the first error that says
/// the data is corrupt (a truncated stream is not corrupt: what came
/// before the cut is sound).
struct WatchCorruption {
    inner: Box<dyn BufRead + Send>,
    seen: Arc<std::sync::Mutex<Option<String>>>,
}

/// Notes `e` in `seen` when it says the data is corrupt.
fn note_corruption(seen: &std::sync::Mutex<Option<String>>, e: &std::io::Error) {
    if !matches!(e.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::Interrupted) {
        if let Ok(mut seen) = seen.lock() {
            seen.get_or_insert_with(|| e.to_string());
        }
    }
}

impl Read for WatchCorruption {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| note_corruption(&self.seen, e))
    }
}

impl BufRead for WatchCorruption {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let WatchCorruption { inner, seen } = self;
        inner.fill_buf().inspect_err(|e| note_corruption(seen, e))
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
    }
}
