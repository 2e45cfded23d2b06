//! Expanding command-line inputs: files as given, directories recursively in
//! sorted order so that every run sees the same sequence.

use super::error::{ErrorKind, ReadError};
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

/// Expands files and directories into the sorted list of files to read.
/// Hidden files and folders (names starting with `.`) inside directories
/// are left out.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<InputFile>, ReadError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| ReadError::file(ErrorKind::Open, path, format!("cannot open: {e}")))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(InputFile {
                path: path.clone(),
                explicit: true,
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<InputFile>) -> Result<(), ReadError> {
    let list_err = |e: std::io::Error| ReadError::file(ErrorKind::Open, dir, format!("cannot list directory: {e}"));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(list_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(list_err)?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(InputFile {
                path,
                explicit: false,
            });
        }
    }
    Ok(())
}
