//! Expanding command-line inputs: files as given, directories recursively in
//! sorted order so that every run sees the same sequence. Each file is read
//! once, however many names reach it (a folder named twice, a link to a
//! file already listed), and a link back to a folder being walked is
//! skipped, so a link loop cannot make a walk run forever.

use super::error::{ErrorKind, ReadError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Its path.
    pub path: PathBuf,
    /// Named on the command line (an unknown format is an error) rather
    /// than found in a directory (an unknown format is ignored and listed).
    pub explicit: bool,
}

/// The files to read, and what was left out of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expanded {
    /// The files, in reading order.
    pub files: Vec<InputFile>,
    /// Paths not read, each with why (a repeated file, a link loop, an
    /// unreadable folder inside a walk).
    pub left_out: Vec<LeftOut>,
}

/// A path an expansion did not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// What identifies a file or folder on disk, whatever its name: device
/// and inode where there are such, the canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn identity(path: &Path, meta: &std::fs::Metadata) -> Identity {
    #[cfg(unix)]
    {
        let _ = path;
        use std::os::unix::fs::MetadataExt;
        Identity::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Identity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// Expands files and directories into the sorted list of files to read.
/// Hidden files and folders (names starting with `.`) inside directories
/// are left out silently; repeated files, link loops and unreadable
/// folders inside a walk are listed in [`Expanded::left_out`]. A path named
/// on the command line that cannot be opened is an error.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Expanded, ReadError> {
    let mut walk = Walk::default();
    let mut stdin = false;
    for path in paths {
        if is_stdin(path) {
            if std::mem::replace(&mut stdin, true) {
                walk.leave_out(path, "standard input named twice");
            } else {
                walk.out.files.push(InputFile { path: path.clone(), explicit: true });
            }
            continue;
        }
        let meta = std::fs::metadata(path)
            .map_err(|e| ReadError::file(ErrorKind::Open, path, format!("cannot open: {e}")))?;
        if meta.is_dir() {
            walk.dir(path, &meta, true)?;
        } else {
            walk.file(path, &meta, true);
        }
    }
    Ok(walk.out)
}

/// Whether an input names standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

#[derive(Default)]
struct Walk {
    out: Expanded,
    /// Files already listed.
    seen: BTreeSet<Identity>,
    /// Folders being walked (the current path from a root), for loops.
    open: Vec<Identity>,
    /// Folders already walked.
    walked: BTreeSet<Identity>,
}

impl Walk {
    fn leave_out(&mut self, path: &Path, reason: impl Into<String>) {
        self.out.left_out.push(LeftOut { path: path.to_path_buf(), reason: reason.into() });
    }

    fn file(&mut self, path: &Path, meta: &std::fs::Metadata, explicit: bool) {
        if self.seen.insert(identity(path, meta)) {
            self.out.files.push(InputFile { path: path.to_path_buf(), explicit });
        } else {
            self.leave_out(path, "already read under another name");
        }
    }

    fn dir(&mut self, dir: &Path, meta: &std::fs::Metadata, root: bool) -> Result<(), ReadError> {
        let id = identity(dir, meta);
        if self.open.contains(&id) {
            self.leave_out(dir, "a link back to a folder being read (loop), skipped");
            return Ok(());
        }
        if !self.walked.insert(id.clone()) {
            self.leave_out(dir, "a folder already read under another name");
            return Ok(());
        }
        let listed = std::fs::read_dir(dir).and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>());
        let mut entries = match listed {
            Ok(entries) => entries,
            Err(e) if root => {
                return Err(ReadError::file(ErrorKind::Open, dir, format!("cannot list directory: {e}")));
            }
            Err(e) => {
                self.leave_out(dir, format!("cannot list directory: {e}"));
                return Ok(());
            }
        };
        entries.sort();
        self.open.push(id);
        for path in entries {
            let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.dir(&path, &meta, false)?,
                Ok(meta) => self.file(&path, &meta, false),
                // A dangling link or a file gone since the listing: the
                // reader reports it as unreadable, with its path.
                Err(_) => self.out.files.push(InputFile { path, explicit: false }),
            }
        }
        self.open.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary folder holding these files (folders made as needed).
    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, "{}\n").expect("write");
        }
        dir
    }

    fn names(e: &Expanded, root: &Path) -> Vec<String> {
        e.files.iter().map(|f| f.path.strip_prefix(root).unwrap_or(&f.path).display().to_string()).collect()
    }

    #[test]
    fn sorted_hidden_left_out_and_each_file_once() {
        let dir = tree(&["a.jsonl", "b/c/d.jsonl", ".hidden.jsonl"]);
        let root = dir.path();
        let e = expand_inputs(&[root.to_path_buf(), root.join("a.jsonl")]).expect("expands");
        assert_eq!(names(&e, root), ["a.jsonl", "b/c/d.jsonl"]);
        assert_eq!(e.left_out.len(), 1, "{:?}", e.left_out);
        assert!(e.left_out[0].reason.contains("already read"));
        let twice = expand_inputs(&[root.to_path_buf(), root.to_path_buf()]).expect("expands");
        assert_eq!(names(&twice, root), ["a.jsonl", "b/c/d.jsonl"]);
        assert!(twice.left_out[0].to_string().contains("already read"), "{:?}", twice.left_out);
    }

    #[cfg(unix)]
    #[test]
    fn link_loops_end_and_linked_files_are_read_once() {
        let dir = tree(&["data/a.jsonl", "data/sub/b.jsonl"]);
        let root = dir.path();
        std::os::unix::fs::symlink(".", root.join("data/x")).expect("link");
        std::os::unix::fs::symlink("..", root.join("data/sub/up")).expect("link");
        std::os::unix::fs::symlink("a.jsonl", root.join("data/z.jsonl")).expect("link");
        let e = expand_inputs(&[root.join("data")]).expect("expands");
        assert_eq!(names(&e, &root.join("data")), ["a.jsonl", "sub/b.jsonl"]);
        let reasons: Vec<String> = e.left_out.iter().map(ToString::to_string).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons.iter().filter(|r| r.contains("loop")).count() == 2, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("z.jsonl") && r.contains("already read")), "{reasons:?}");
    }
}
