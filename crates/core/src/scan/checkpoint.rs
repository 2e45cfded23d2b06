//! Checkpoints, so that an interrupted scan can go on where it stopped
//! (`scan --resume`).
//!
//! While a scan reads, every block's result is appended to a journal in the
//! partial folder (`blocks.journal`: length-prefixed `postcard` records,
//! each compressed by zstd at level 1, about a fifth of their size),
//! and after each block `checkpoint.json` is replaced (written beside, then
//! renamed) with the journal's length and the [`Position`] in the inputs
//! that block ends at. A scan killed at any moment leaves a checkpoint
//! that agrees with a prefix of the journal. Resuming truncates the journal
//! to that prefix, gathers its blocks again (cheap: no reading or
//! analysis), and reads on from the position; since framing is
//! deterministic and blocks are gathered in the same order, the outputs
//! are byte for byte those of an uninterrupted scan.
//!
//! A checkpoint is only used for the same inputs (paths, sizes and
//! modification times) and options; anything else starts over.
//!
//! The journal costs about 3% of a scan's instructions (mostly zstd), so
//! it is written only for inputs of [`JOURNAL_FROM`] bytes or more, or
//! when the scan is started with `--resume`: a smaller scan is cheaper to
//! run again than to journal.

use crate::read::Position;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Inputs of this many bytes on disk, or more, are journaled without
/// `--resume`: 1 GiB.
pub const JOURNAL_FROM: u64 = 1 << 30;

/// Whether `files` are large enough to journal by default.
pub fn worth_journaling(files: &[crate::read::InputFile]) -> bool {
    let total: u64 = files.iter().filter_map(|f| std::fs::metadata(&f.path).ok()).map(|m| m.len()).sum();
    total >= JOURNAL_FROM
}

/// The journal's file name in the partial folder.
pub const JOURNAL: &str = "blocks.journal";

/// The checkpoint's file name in the partial folder.
pub const CHECKPOINT: &str = "checkpoint.json";

/// What `checkpoint.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Checkpoint {
    /// The inputs and options of the scan.
    fingerprint: String,
    /// Bytes of the journal that the checkpoint covers.
    journal_bytes: u64,
    /// Blocks in them.
    blocks: u64,
    /// Where in the inputs the last of them ends.
    position: Position,
}

/// The journal being written, with its checkpoints.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    fingerprint: String,
    out: BufWriter<File>,
    bytes: u64,
    blocks: u64,
    buf: Vec<u8>,
}

/// Why a checkpoint could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// No checkpoint in the folder.
    #[error("there is no interrupted scan to resume in {0}")]
    None(PathBuf),
    /// The checkpoint is of other inputs or options.
    #[error("the interrupted scan in {0} read other inputs or had other options")]
    Different(PathBuf),
    /// The files could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
}

impl Journal {
    /// Starts an empty journal in `dir`.
    pub fn create(dir: &Path, fingerprint: String) -> io::Result<Journal> {
        let out = BufWriter::new(File::create(dir.join(JOURNAL))?);
        Ok(Journal { dir: dir.to_path_buf(), fingerprint, out, bytes: 0, blocks: 0, buf: Vec::new() })
    }

    /// Opens the journal of an interrupted scan in `dir` for the scan
    /// `fingerprint`: the journal is cut to its last checkpoint, and its
    /// blocks are handed to `replay` in order. Returns the journal, ready
    /// to be appended to, and the position to read on from.
    pub fn resume<T: DeserializeOwned>(
        dir: &Path,
        fingerprint: String,
        mut replay: impl FnMut(T),
    ) -> Result<(Journal, Position), ResumeError> {
        let at = |path: PathBuf| move |source| ResumeError::Io { path, source };
        let checkpoint_path = dir.join(CHECKPOINT);
        let text = match std::fs::read_to_string(&checkpoint_path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ResumeError::None(dir.to_path_buf())),
            Err(e) => return Err(at(checkpoint_path)(e)),
        };
        let checkpoint: Checkpoint = serde_json::from_str(&text).map_err(|e| at(checkpoint_path.clone())(io::Error::other(e)))?;
        if checkpoint.fingerprint != fingerprint {
            return Err(ResumeError::Different(dir.to_path_buf()));
        }
        let path = dir.join(JOURNAL);
        let mut file = OpenOptions::new().read(true).write(true).open(&path).map_err(at(path.clone()))?;
        let len = file.metadata().map_err(at(path.clone()))?.len();
        if len < checkpoint.journal_bytes {
            return Err(at(path)(io::Error::other("the journal is shorter than its checkpoint")));
        }
        file.set_len(checkpoint.journal_bytes).map_err(at(path.clone()))?;
        let mut input = BufReader::new(&file);
        let mut buf = Vec::new();
        for _ in 0..checkpoint.blocks {
            let block = read_frame(&mut input, &mut buf).map_err(at(path.clone()))?;
            replay(block);
        }
        drop(input);
        file.seek(io::SeekFrom::End(0)).map_err(at(path.clone()))?;
        let journal = Journal {
            dir: dir.to_path_buf(),
            fingerprint,
            out: BufWriter::new(file),
            bytes: checkpoint.journal_bytes,
            blocks: checkpoint.blocks,
            buf,
        };
        Ok((journal, checkpoint.position))
    }

    /// Appends one block's result and checkpoints after it.
    pub fn append<T: Serialize>(&mut self, block: &T, position: Position) -> io::Result<()> {
        self.buf.clear();
        postcard::to_io(block, &mut self.buf).map_err(io::Error::other)?;
        let compressed = zstd::bulk::compress(&self.buf, 1)?;
        let len = u32::try_from(compressed.len()).map_err(|_| io::Error::other("block result over 4 GiB"))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&compressed)?;
        self.bytes += 4 + u64::from(len);
        self.blocks += 1;
        self.out.flush()?;
        let checkpoint = Checkpoint {
            fingerprint: self.fingerprint.clone(),
            journal_bytes: self.bytes,
            blocks: self.blocks,
            position,
        };
        let json = serde_json::to_string(&checkpoint).map_err(io::Error::other)?;
        let temp = self.dir.join(format!("{CHECKPOINT}.new"));
        std::fs::write(&temp, json)?;
        std::fs::rename(&temp, self.dir.join(CHECKPOINT))
    }

    /// Removes the journal and its checkpoint (the scan is complete),
    /// with a checkpoint a kill left half written.
    pub fn remove(self) -> io::Result<()> {
        drop(self.out);
        match std::fs::remove_file(self.dir.join(format!("{CHECKPOINT}.new"))) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::fs::remove_file(self.dir.join(CHECKPOINT))?;
        std::fs::remove_file(self.dir.join(JOURNAL))
    }
}

/// Reads one length-prefixed, compressed record.
fn read_frame<T: DeserializeOwned>(input: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<T> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    buf.resize(u32::from_le_bytes(len) as usize, 0);
    input.read_exact(buf)?;
    let encoded = zstd::decode_all(&buf[..])?;
    postcard::from_bytes(&encoded).map_err(io::Error::other)
}

/// The fingerprint of a scan: its options and, per input, the path, size
/// and modification time.
pub fn fingerprint(about: &impl Serialize, files: &[crate::read::InputFile]) -> String {
    let inputs: Vec<(String, Option<u64>, Option<u128>)> = files
        .iter()
        .map(|f| {
            let meta = std::fs::metadata(&f.path).ok();
            let modified = meta
                .as_ref()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos());
            (f.path.display().to_string(), meta.map(|m| m.len()), modified)
        })
        .collect();
    serde_json::json!({ "about": about, "inputs": inputs }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_resumes_at_its_last_checkpoint() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut journal = Journal::create(dir.path(), "scan a".into()).expect("create");
        for i in 0..3u64 {
            journal.append(&vec![i; 3], Position { file: 0, items: i + 1 }).expect("append");
        }
        // A block written after the last checkpoint, torn by a kill.
        journal.out.write_all(&[200, 0, 0, 0, 1, 2]).expect("write");
        journal.out.flush().expect("flush");
        drop(journal);

        let mut seen: Vec<Vec<u64>> = Vec::new();
        let (mut journal, position) = Journal::resume(dir.path(), "scan a".into(), |b| seen.push(b)).expect("resume");
        assert_eq!(seen, [vec![0; 3], vec![1; 3], vec![2; 3]]);
        assert_eq!(position, Position { file: 0, items: 3 });
        journal.append(&vec![3u64; 3], Position { file: 1, items: 1 }).expect("append");
        drop(journal);
        let mut again: Vec<Vec<u64>> = Vec::new();
        let (_, position) = Journal::resume(dir.path(), "scan a".into(), |b| again.push(b)).expect("resume");
        assert_eq!(again.len(), 4);
        assert_eq!(position, Position { file: 1, items: 1 });

        let other = Journal::resume::<Vec<u64>>(dir.path(), "scan b".into(), |_| {});
        assert!(matches!(other, Err(ResumeError::Different(_))), "{other:?}");

        // A checkpoint half written by a kill goes with the rest.
        std::fs::write(dir.path().join(format!("{CHECKPOINT}.new")), "{").expect("write");
        let (journal, _) = Journal::resume::<Vec<u64>>(dir.path(), "scan a".into(), |_| {}).expect("resume");
        journal.remove().expect("remove");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }
}
