//! Outputs: where a scan's results go. Each format is one [`Output`] in a
//! file of its own and one line in [`OUTPUTS`]; a scan writes every output
//! it is given, in the same order of calls:
//!
//! 1. [`Output::post`] for each post with signals, in input order, with
//!    its community response attached;
//! 2. [`Output::author`] for each ranked author, best first;
//! 3. [`Output::finish`] once, with the scan's counts.

mod csv;
mod jsonl;
#[cfg(feature = "parquet")]
mod parquet;
mod report;
mod stage;

pub use self::csv::{author_columns, best_signal, post_columns, Csv};
#[cfg(feature = "parquet")]
pub use self::parquet::{author_schema, post_schema, Parquet};
pub use jsonl::JsonLines;
pub use report::Report;
pub use stage::{Stage, MARKER, PARTIAL};

use crate::record::{AuthorRecord, PostRecord, Summary};
use std::path::{Path, PathBuf};

/// A sink for a scan's results.
pub trait Output {
    /// Writes one post with signals.
    fn post(&mut self, post: &PostRecord) -> Result<(), OutputError>;
    /// Writes one ranked author.
    fn author(&mut self, author: &AuthorRecord) -> Result<(), OutputError>;
    /// Writes the summary and completes the output's files.
    fn finish(&mut self, summary: &Summary) -> Result<(), OutputError>;
}

/// An output format: its name and how to open it in an output folder.
#[derive(Debug, Clone, Copy)]
pub struct OutputKind {
    /// The name that chooses it.
    pub name: &'static str,
    /// The files it writes.
    pub files: &'static str,
    /// Opens the output in a folder (which exists).
    pub open: fn(&Path) -> Result<Box<dyn Output>, OutputError>,
}

/// Every output format, the default first.
#[cfg(feature = "parquet")]
pub const OUTPUTS: &[OutputKind] = &[
    OutputKind { name: "jsonl", files: "posts.jsonl, authors.jsonl", open: JsonLines::open_boxed },
    OutputKind { name: "csv", files: "posts.csv, authors.csv", open: Csv::open_boxed },
    OutputKind { name: "parquet", files: "posts.parquet, authors.parquet", open: Parquet::open_boxed },
];

/// Every output format, the default first (built without Parquet).
#[cfg(not(feature = "parquet"))]
pub const OUTPUTS: &[OutputKind] = &[
    OutputKind { name: "jsonl", files: "posts.jsonl, authors.jsonl", open: JsonLines::open_boxed },
    OutputKind { name: "csv", files: "posts.csv, authors.csv", open: Csv::open_boxed },
];

/// The HTML report, written beside the chosen formats unless turned off.
pub const REPORT: OutputKind = OutputKind { name: "report", files: "report.html", open: Report::open_boxed };

/// Writes `summary.json` (the [`Summary`], pretty-printed) into `dir`:
/// every scan does, whatever its formats.
pub fn write_summary(dir: &Path, summary: &Summary) -> Result<(), OutputError> {
    let path = dir.join("summary.json");
    let json = serde_json::to_string_pretty(summary).map_err(OutputError::at(&path))?;
    std::fs::write(&path, json + "\n").map_err(OutputError::at(&path))
}

/// Writes `pointers.jsonl`: who points to whom on each site (read by
/// `leadminer pyramid`).
pub fn write_pointers(dir: &Path, pointers: &[crate::record::PointerRecord]) -> Result<(), OutputError> {
    let path = dir.join(POINTERS);
    let mut text = String::new();
    for p in pointers {
        text.push_str(&serde_json::to_string(p).map_err(OutputError::at(&path))?);
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(OutputError::at(&path))
}

/// The file of a scan's pointer edges.
pub const POINTERS: &str = "pointers.jsonl";

/// The output format named `name`.
pub fn by_name(name: &str) -> Option<&'static OutputKind> {
    OUTPUTS.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

/// Opens `kinds` in `dir`, creating the folder.
pub fn open(kinds: &[OutputKind], dir: &Path) -> Result<Vec<Box<dyn Output>>, OutputError> {
    std::fs::create_dir_all(dir).map_err(OutputError::at(dir))?;
    kinds.iter().map(|k| (k.open)(dir)).collect()
}

/// An error writing an output file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct OutputError {
    /// The file.
    pub path: PathBuf,
    /// The I/O or encoding failure.
    #[source]
    pub source: std::io::Error,
}

impl OutputError {
    /// A function that turns an error about `path` into an [`OutputError`].
    pub fn at<E: Into<std::io::Error>>(path: &Path) -> impl Fn(E) -> OutputError + '_ {
        move |e| OutputError { path: path.to_path_buf(), source: e.into() }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::model::{PostKind, Source};
    use crate::record::{AuthorRecord, AuthorTopic, Components, PointedBy, PostRecord, ResponseSummary, Snippet};
    use crate::score::{Labels, Scores};

    /// A post record for output tests.
    pub fn sample_post() -> PostRecord {
        PostRecord {
            source: Source::Generic,
            id: "p\"1".into(),
            community: "bench".into(),
            thread: None,
            parent: None,
            author: Some("ann".into()),
            created: Some(1_456_790_400),
            date: Some("2016-03-01T00:00:00Z".into()),
            kind: PostKind::Topic,
            title: Some("line\nbreak".into()),
            url: None,
            link_submission: false,
            snippet: Snippet { start: 0, text: "I built a jig".into() },
            scores: Scores::from([0.75, 0.5, 0.0, 0.125]),
            labels: Labels::from([true, true, false, false]),
            signals: Vec::new(),
            response: ResponseSummary::default(),
        }
    }

    /// An author record for output tests.
    pub fn sample_author() -> AuthorRecord {
        AuthorRecord {
            rank: 1,
            id: "0123456789abcdef".into(),
            author: "ann".into(),
            source: Some("generic".into()),
            site: Some("bench".into()),
            score: 0.5,
            producer: false,
            producer_reason: None,
            components: Components::default(),
            measures: Default::default(),
            posts: 2,
            innovations: 1,
            needs: 0,
            reactions: 0,
            first: None,
            last: None,
            communities: vec!["bench".into()],
            top_posts: Vec::new(),
            need_posts: Vec::new(),
            topics: vec![AuthorTopic {
                community: "bench".into(),
                topic: "jig".into(),
                first: "2016-03-01T00:00:00Z".into(),
                lead_days: 12,
                earliness: 0.8,
            }],
            pointed_by: vec![PointedBy { author: "bob".into(), posts: vec!["p2".into()] }],
        }
    }
}
