//! How far a read has come, for a progress display: the bytes of the input
//! files consumed (compressed bytes for compressed files, so they compare
//! with the files' sizes), the file being read, the posts read and the
//! records skipped. The readers and the scan add to it; a display polls it
//! from another thread.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Counters shared between the readers, the scan and a display.
#[derive(Debug, Default)]
pub struct ReadProgress {
    bytes: AtomicU64,
    posts: AtomicU64,
    skipped: AtomicU64,
    file: Mutex<String>,
    /// Keep each skipped record's location for [`ReadProgress::take_notes`].
    verbose: bool,
    notes: Mutex<Vec<String>>,
}

impl ReadProgress {
    /// Counters; with `verbose`, skipped records' locations are kept for
    /// the display to print.
    pub fn new(verbose: bool) -> Arc<ReadProgress> {
        Arc::new(ReadProgress { verbose, ..ReadProgress::default() })
    }

    /// Input bytes consumed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Posts read so far.
    pub fn posts(&self) -> u64 {
        self.posts.load(Ordering::Relaxed)
    }

    /// Records skipped so far.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The file being read.
    pub fn file(&self) -> String {
        self.file.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Notes the file now being read.
    pub fn start_file(&self, path: &std::path::Path) {
        *self.file.lock().unwrap_or_else(PoisonError::into_inner) = path.display().to_string();
    }

    /// Counts posts read.
    pub fn add_posts(&self, n: u64) {
        self.posts.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a skipped record, keeping its location when verbose.
    pub fn skip(&self, location: impl FnOnce() -> String) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
        if self.verbose {
            self.notes.lock().unwrap_or_else(PoisonError::into_inner).push(location());
        }
    }

    /// The skipped records' locations noted since the last call.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A reader that counts the bytes read through it.
pub struct Counting<R> {
    inner: R,
    progress: Arc<ReadProgress>,
}

impl<R> Counting<R> {
    /// Counts `inner`'s bytes into `progress`.
    pub fn new(inner: R, progress: Arc<ReadProgress>) -> Self {
        Counting { inner, progress }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_bytes_posts_skips_and_notes() {
        let progress = ReadProgress::new(true);
        let mut reader = Counting::new(&b"hello world"[..], Arc::clone(&progress));
        let mut out = String::new();
        reader.read_to_string(&mut out).expect("reads");
        progress.add_posts(3);
        progress.skip(|| "a.jsonl:2".into());
        progress.start_file(std::path::Path::new("a.jsonl"));
        assert_eq!((progress.bytes(), progress.posts(), progress.skipped()), (11, 3, 1));
        assert_eq!(progress.file(), "a.jsonl");
        assert_eq!(progress.take_notes(), ["a.jsonl:2"]);
        assert!(progress.take_notes().is_empty());
    }
}
