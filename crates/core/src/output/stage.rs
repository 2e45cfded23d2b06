//! Outputs that appear together or not at all. A scan writes into
//! `DIR/.leadminer-partial/` (with a `RUNNING` marker saying what it is);
//! only when everything is written are the files moved into `DIR`, each
//! by a rename that replaces the previous run's file. A run that fails or
//! is interrupted leaves the previous results untouched and the partial
//! folder with its marker, which says why; the next run clears it, unless
//! it resumes the interrupted one ([`Stage::resume`]).

use super::OutputError;
use std::path::{Path, PathBuf};

/// The folder a scan writes into before its outputs are moved in place.
pub const PARTIAL: &str = ".leadminer-partial";

/// The marker file in the partial folder.
pub const MARKER: &str = "RUNNING";

/// A scan's outputs being written.
#[derive(Debug)]
pub struct Stage {
    out: PathBuf,
    dir: PathBuf,
}

impl Stage {
    /// Makes `out` if missing and a fresh partial folder in it.
    pub fn begin(out: &Path) -> Result<Stage, OutputError> {
        std::fs::create_dir_all(out).map_err(OutputError::at(out))?;
        let dir = out.join(PARTIAL);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(OutputError::at(&dir))?;
        }
        std::fs::create_dir(&dir).map_err(OutputError::at(&dir))?;
        let stage = Stage { out: out.to_path_buf(), dir };
        stage.mark("a leadminer scan is writing here; if no scan is running, it stopped before it finished \
                    and the results beside this folder are those of the previous run")?;
        Ok(stage)
    }

    /// Like [`Stage::begin`], but keeps the partial folder of an
    /// interrupted scan (its checkpoint) when there is one.
    pub fn resume(out: &Path) -> Result<Stage, OutputError> {
        let dir = out.join(PARTIAL);
        if !dir.is_dir() {
            return Stage::begin(out);
        }
        let stage = Stage { out: out.to_path_buf(), dir };
        stage.mark("a leadminer scan is resuming here; if no scan is running, it stopped before it finished \
                    and the results beside this folder are those of the previous run")?;
        Ok(stage)
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Replaces the marker's text (why the partial folder is there).
    pub fn mark(&self, why: &str) -> Result<(), OutputError> {
        let marker = self.dir.join(MARKER);
        std::fs::write(&marker, format!("{why}\n")).map_err(OutputError::at(&marker))
    }

    /// Moves every written file into the output folder (replacing the
    /// previous run's) and removes the partial folder.
    pub fn commit(self) -> Result<(), OutputError> {
        let entries = std::fs::read_dir(&self.dir).map_err(OutputError::at(&self.dir))?;
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(OutputError::at(&self.dir))?;
            if entry.file_name() != MARKER {
                files.push(entry.path());
            }
        }
        files.sort();
        for file in files {
            let name = file.file_name().map(PathBuf::from).unwrap_or_default();
            let target = self.out.join(name);
            std::fs::rename(&file, &target).map_err(OutputError::at(&target))?;
        }
        std::fs::remove_dir_all(&self.dir).map_err(OutputError::at(&self.dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_appear_on_commit_and_not_before() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("posts.jsonl"), "old\n").expect("write");
        let stage = Stage::begin(dir.path()).expect("begin");
        std::fs::write(stage.path().join("posts.jsonl"), "new\n").expect("write");
        assert_eq!(std::fs::read_to_string(dir.path().join("posts.jsonl")).expect("read"), "old\n");
        assert!(stage.path().join(MARKER).is_file());
        stage.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(dir.path().join("posts.jsonl")).expect("read"), "new\n");
        assert!(!dir.path().join(PARTIAL).exists());
    }

    #[test]
    fn a_left_partial_folder_is_cleared_by_the_next_run() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Stage::begin(dir.path()).expect("begin");
        std::fs::write(first.path().join("posts.jsonl"), "torn").expect("write");
        drop(first);
        let second = Stage::begin(dir.path()).expect("begin");
        assert!(!second.path().join("posts.jsonl").exists());
    }
}
