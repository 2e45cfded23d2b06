//! The JSON-lines output: `posts.jsonl` (one [`PostRecord`] a line),
//! `authors.jsonl` (one [`AuthorRecord`] a line, best first) and
//! (`summary.json` is written by every scan: [`super::write_summary`]).

use super::{Output, OutputError};
use crate::record::{AuthorRecord, PostRecord, Summary};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One JSON-lines file being written.
#[derive(Debug)]
struct Lines {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Lines {
    fn create(path: PathBuf) -> Result<Lines, OutputError> {
        let file = File::create(&path).map_err(OutputError::at(&path))?;
        Ok(Lines { out: BufWriter::new(file), path })
    }

    fn write<T: Serialize>(&mut self, value: &T) -> Result<(), OutputError> {
        serde_json::to_writer(&mut self.out, value).map_err(OutputError::at(&self.path))?;
        self.out.write_all(b"\n").map_err(OutputError::at(&self.path))
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        self.out.flush().map_err(OutputError::at(&self.path))
    }
}

/// Writes `posts.jsonl` and `authors.jsonl` into a folder.
#[derive(Debug)]
pub struct JsonLines {
    posts: Lines,
    authors: Lines,
}

impl JsonLines {
    /// Creates the files in `dir` (which exists).
    pub fn open(dir: &Path) -> Result<JsonLines, OutputError> {
        Ok(JsonLines {
            posts: Lines::create(dir.join("posts.jsonl"))?,
            authors: Lines::create(dir.join("authors.jsonl"))?,
        })
    }

    /// [`JsonLines::open`], boxed as an [`Output`].
    pub fn open_boxed(dir: &Path) -> Result<Box<dyn Output>, OutputError> {
        Ok(Box::new(Self::open(dir)?))
    }
}

impl Output for JsonLines {
    fn post(&mut self, post: &PostRecord) -> Result<(), OutputError> {
        self.posts.write(post)
    }

    fn author(&mut self, author: &AuthorRecord) -> Result<(), OutputError> {
        self.authors.write(author)
    }

    fn finish(&mut self, _summary: &Summary) -> Result<(), OutputError> {
        self.posts.flush()?;
        self.authors.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::{sample_author, sample_post};

    #[test]
    fn writes_one_line_per_record_and_the_summary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut out = JsonLines::open(dir.path()).expect("open");
        let post = sample_post();
        let author = sample_author();
        out.post(&post).expect("post");
        out.post(&post).expect("post");
        out.author(&author).expect("author");
        out.finish(&Summary { posts: 3, ..Summary::default() }).expect("finish");
        super::super::write_summary(dir.path(), &Summary { posts: 3, ..Summary::default() }).expect("summary");

        let posts = std::fs::read_to_string(dir.path().join("posts.jsonl")).expect("posts");
        assert_eq!(posts.lines().count(), 2);
        let back: PostRecord = serde_json::from_str(posts.lines().next().expect("line")).expect("json");
        assert_eq!(back, post);
        let authors = std::fs::read_to_string(dir.path().join("authors.jsonl")).expect("authors");
        assert_eq!(authors, serde_json::to_string(&author).expect("json") + "\n");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).expect("summary")).expect("json");
        assert_eq!(summary["posts"], 3);
    }
}
