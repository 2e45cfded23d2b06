//! The spool: posts with signals wait here, on disk, until every reply in
//! the input has been read and their community response can be attached.
//!
//! Records are written as they are found, each as a length-prefixed
//! `postcard` encoding of the [`PostRecord`], and read back once, in the
//! same order. The file lives in the output folder while the scan runs and
//! is removed when it has been read.

use crate::record::PostRecord;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The spool's file name inside the output folder.
const FILE_NAME: &str = "posts.spool";

/// Posts with signals waiting for their replies.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    out: BufWriter<File>,
    buf: Vec<u8>,
}

impl Spool {
    /// Creates an empty spool in `dir`.
    pub fn create(dir: &Path) -> io::Result<Spool> {
        let path = dir.join(FILE_NAME);
        let out = BufWriter::new(File::create(&path)?);
        Ok(Spool { path, out, buf: Vec::new() })
    }

    /// The spool's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a record.
    pub fn push(&mut self, record: &PostRecord) -> io::Result<()> {
        self.buf.clear();
        let encoded = postcard::to_io(record, &mut self.buf).map_err(io::Error::other)?;
        let len = u32::try_from(encoded.len()).map_err(|_| io::Error::other("record over 4 GiB"))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.buf)
    }

    /// Finishes writing and reads the records back from the start.
    pub fn replay(self) -> io::Result<SpoolReader> {
        let Spool { path, out, .. } = self;
        drop(out.into_inner().map_err(|e| e.into_error())?);
        let input = BufReader::new(File::open(&path)?);
        Ok(SpoolReader { path, input, buf: Vec::new() })
    }
}

/// The records of a [`Spool`], read back in the order they were written.
#[derive(Debug)]
pub struct SpoolReader {
    path: PathBuf,
    input: BufReader<File>,
    buf: Vec<u8>,
}

impl SpoolReader {
    /// The spool's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next record, `None` after the last.
    pub fn next_record(&mut self) -> io::Result<Option<PostRecord>> {
        let mut len = [0u8; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.input.read_exact(&mut self.buf)?;
        postcard::from_bytes(&self.buf).map(Some).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Removes the spool's file.
    pub fn remove(self) -> io::Result<()> {
        drop(self.input);
        std::fs::remove_file(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Document, Signal};
    use crate::model::{Post, PostKind, Source};
    use crate::score::{Labels, Scores};
    use std::sync::Arc;

    #[test]
    fn records_come_back_whole_and_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spool = Spool::create(dir.path()).expect("spool");
        let mut post = Post::new(Source::Generic, "a\u{e9}1", PostKind::Topic);
        post.title = Some("A \"jig\"".into());
        post.body = "I built a jig for it.".into();
        let doc = Document::new(&post);
        let at = doc.text.find("built").expect("word");
        let signal = Signal { kind: "solution".into(), analyzer: Arc::from("rules"), rule: Arc::from("built"), start: at, end: at + 5, weight: 0.85 };
        let scores = Scores::from([0.1 + 0.2, 0.3, 0.0, 1.0]);
        let labels = Labels::from([true, false, false, true]);
        let first = PostRecord::new(&post, &doc, &[signal], scores, labels);
        let mut second = first.clone();
        second.id = "b2".into();
        second.author = Some("ann".into());
        spool.push(&first).expect("push");
        spool.push(&second).expect("push");
        let path = spool.path().to_path_buf();
        let mut reader = spool.replay().expect("replay");
        assert_eq!(reader.next_record().expect("read"), Some(first));
        assert_eq!(reader.next_record().expect("read"), Some(second));
        assert_eq!(reader.next_record().expect("read"), None);
        reader.remove().expect("remove");
        assert!(!path.exists());
    }

    #[test]
    fn a_cut_spool_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spool = Spool::create(dir.path()).expect("spool");
        let path = spool.path().to_path_buf();
        drop(spool);
        std::fs::write(&path, [200u8, 0, 0, 0, 1, 2]).expect("write");
        let mut reader = SpoolReader { path: path.clone(), input: BufReader::new(File::open(&path).expect("open")), buf: Vec::new() };
        assert!(reader.next_record().is_err());
    }
}
