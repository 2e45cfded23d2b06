//! `leadminer stats`: what a dump holds, per file and in total.

use crate::model::Post;
use crate::pipeline::Parsed;
use crate::read::{Compression, Format, ReadError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Hash tables keyed by ids and names (a fast hasher: the keys come from
/// the dumps, and nothing about them is secret).
type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
type HashSet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// How many skip reasons are kept per file.
const KEEP_REASONS: usize = 5;
/// How many top authors are listed per file.
const TOP_AUTHORS: usize = 10;

/// Statistics of one input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileStats {
    /// The file.
    pub path: PathBuf,
    /// The format it was read as; `None` when it was not read.
    pub format: Option<Format>,
    /// Its compression.
    pub compression: Option<Compression>,
    /// Why it was ignored, for files of unknown format found in folders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
    /// Posts read.
    pub posts: u64,
    /// Posts by kind.
    pub kinds: BTreeMap<String, u64>,
    /// Distinct threads.
    pub threads: u64,
    /// Earliest creation time (Unix seconds).
    pub first: Option<i64>,
    /// Latest creation time (Unix seconds).
    pub last: Option<i64>,
    /// Posts per community.
    pub communities: BTreeMap<String, u64>,
    /// Most active authors with their post counts.
    pub top_authors: Vec<(String, u64)>,
    /// Posts without an author (deleted or unknown).
    pub no_author: u64,
    /// Bytes of text (titles and bodies) read.
    pub text_bytes: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Fields dropped for an impossible value (the post was kept).
    pub bad_fields: u64,
    /// The first few skip and dropped-field reasons, with their locations.
    pub skip_reasons: Vec<String>,
}

/// Statistics of a whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Posts read in all files.
    pub posts: u64,
    /// Distinct threads in all files.
    pub threads: u64,
    /// Records skipped in all files.
    pub skipped: u64,
    /// Size of the input files on disk.
    pub input_bytes: u64,
    /// Per-file statistics, in input order.
    pub files: Vec<FileStats>,
}

/// Accumulates [`Stats`] from parsed blocks.
#[derive(Debug, Default)]
pub struct StatsBuilder {
    files: Vec<FileAcc>,
    threads: HashSet<(String, String)>,
}

#[derive(Debug)]
struct FileAcc {
    stats: FileStats,
    threads: HashSet<String>,
    authors: HashMap<String, u64>,
}

impl StatsBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one parsed entry.
    pub fn add(&mut self, parsed: &Parsed) {
        match parsed {
            Parsed::File(ev) => {
                self.files.push(FileAcc {
                    stats: FileStats {
                        path: ev.path.clone(),
                        format: ev.format,
                        compression: ev.compression,
                        ignored: ev.ignored.clone(),
                        posts: 0,
                        kinds: BTreeMap::new(),
                        threads: 0,
                        first: None,
                        last: None,
                        communities: BTreeMap::new(),
                        top_authors: Vec::new(),
                        no_author: 0,
                        text_bytes: 0,
                        skipped: 0,
                        bad_fields: 0,
                        skip_reasons: Vec::new(),
                    },
                    threads: HashSet::default(),
                    authors: HashMap::default(),
                });
            }
            Parsed::Post(post) => self.add_post(post),
            Parsed::Skipped(err) => self.add_skip(err),
            Parsed::BadField(err) => {
                if let Some(acc) = self.current() {
                    acc.stats.bad_fields += 1;
                    if acc.stats.skip_reasons.len() < KEEP_REASONS {
                        acc.stats.skip_reasons.push(err.to_string());
                    }
                }
            }
        }
    }

    fn current(&mut self) -> Option<&mut FileAcc> {
        self.files.last_mut()
    }

    fn add_post(&mut self, post: &Post) {
        if let Some(thread) = &post.thread {
            let key = format!("{}/{}", post.source, post.community);
            self.threads.insert((key, thread.clone()));
        }
        let Some(acc) = self.current() else { return };
        let s = &mut acc.stats;
        s.posts += 1;
        *s.kinds.entry(post.kind.as_str().to_string()).or_default() += 1;
        if let Some(t) = post.created {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        *s.communities.entry(post.community.clone()).or_default() += 1;
        s.text_bytes += post.text_len() as u64;
        match &post.author {
            Some(a) => *acc.authors.entry(a.clone()).or_default() += 1,
            None => s.no_author += 1,
        }
        if let Some(t) = &post.thread {
            if !acc.threads.contains(t) {
                acc.threads.insert(t.clone());
            }
        }
    }

    fn add_skip(&mut self, err: &ReadError) {
        if self.files.last().map(|f| &f.stats.path) != Some(&err.path) {
            // An error before any file event (cannot happen with the
            // framer, but keep the count honest).
            self.add(&Parsed::File(crate::read::FileEvent {
                index: self.files.len(),
                path: err.path.clone(),
                format: None,
                compression: None,
                ignored: None,
            }));
        }
        let Some(acc) = self.current() else { return };
        acc.stats.skipped += 1;
        if acc.stats.skip_reasons.len() < KEEP_REASONS {
            acc.stats.skip_reasons.push(err.to_string());
        }
    }

    /// Finishes the statistics.
    pub fn finish(self) -> Stats {
        let mut files = Vec::with_capacity(self.files.len());
        let mut input_bytes = 0;
        for mut acc in self.files {
            acc.stats.threads = acc.threads.len() as u64;
            let mut authors: Vec<(String, u64)> = acc.authors.into_iter().collect();
            authors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            authors.truncate(TOP_AUTHORS);
            acc.stats.top_authors = authors;
            input_bytes += std::fs::metadata(&acc.stats.path).map_or(0, |m| m.len());
            files.push(acc.stats);
        }
        Stats {
            posts: files.iter().map(|f| f.posts).sum(),
            threads: self.threads.len() as u64,
            skipped: files.iter().map(|f| f.skipped).sum(),
            input_bytes,
            files,
        }
    }
}
