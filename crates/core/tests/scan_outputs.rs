//! A scan writes every output it is given, through the one `Output` trait:
//! a test-only output registered exactly as the JSON-lines output is (an
//! `OutputKind` beside those of `OUTPUTS`) sees the same posts, authors and
//! summary that land in `posts.jsonl`, `authors.jsonl` and `summary.json`.

use leadminer_core::setup::standard_analysis;
use leadminer_core::output::{self, Output, OutputError, OutputKind, OUTPUTS};
use leadminer_core::pipeline::PipelineOptions;
use leadminer_core::read::{expand_inputs, ReadOptions};
use leadminer_core::record::{AuthorRecord, PostRecord, Summary};
use leadminer_core::scan::{Filters, Scanner};
use leadminer_core::score::Weights;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `tally.txt`: one `post ID` or `author NAME` line per call, then
/// the number of posts the summary counts.
struct Tally {
    file: std::fs::File,
    path: PathBuf,
}

impl Tally {
    fn open(dir: &Path) -> Result<Box<dyn Output>, OutputError> {
        let path = dir.join("tally.txt");
        let file = std::fs::File::create(&path).map_err(OutputError::at(&path))?;
        Ok(Box::new(Tally { file, path }))
    }
}

impl Output for Tally {
    fn post(&mut self, post: &PostRecord) -> Result<(), OutputError> {
        writeln!(self.file, "post {}", post.id).map_err(OutputError::at(&self.path))
    }

    fn author(&mut self, author: &AuthorRecord) -> Result<(), OutputError> {
        writeln!(self.file, "author {}", author.author).map_err(OutputError::at(&self.path))
    }

    fn finish(&mut self, summary: &Summary) -> Result<(), OutputError> {
        writeln!(self.file, "with signals {}", summary.with_signals).map_err(OutputError::at(&self.path))
    }
}

const TALLY: OutputKind = OutputKind { name: "tally", files: "tally.txt", open: Tally::open };

fn jsonl_field(path: &Path, field: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("output file")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            v[field].as_str().expect("string field").to_string()
        })
        .collect()
}

#[test]
fn every_output_given_sees_the_same_results() {
    let scanner = Scanner {
        model: None,
        rerank: None,
        about: Default::default(),
        analysis: standard_analysis(&[], Vec::new()).expect("built-in analysis"),
        weights: Weights::builtin(),
        filters: Filters::default(),
        merge_authors: false,
        resume: false,
    };
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let files = expand_inputs(&[data]).expect("sample data").files;
    let out = tempfile::tempdir().expect("temp dir");
    let kinds = [OUTPUTS[0], TALLY];
    let outcome = scanner
        .run(&files, &ReadOptions::default(), &PipelineOptions::default(), out.path(), &kinds, 3)
        .expect("scan");

    let posts = jsonl_field(&out.path().join("posts.jsonl"), "id");
    let authors = jsonl_field(&out.path().join("authors.jsonl"), "author");
    assert!(posts.len() > 10 && !authors.is_empty(), "{} posts, {} authors", posts.len(), authors.len());
    let mut expected: Vec<String> = posts.iter().map(|id| format!("post {id}")).collect();
    expected.extend(authors.iter().map(|a| format!("author {a}")));
    expected.push(format!("with signals {}", outcome.summary.with_signals));
    let tally = std::fs::read_to_string(out.path().join("tally.txt")).expect("tally");
    assert_eq!(tally.lines().collect::<Vec<_>>(), expected);
    assert_eq!(outcome.summary.with_signals as usize, posts.len());
    assert!(out.path().join("summary.json").is_file());
    assert!(!out.path().join("posts.spool").exists(), "the spool is removed");
    assert!(outcome.top_posts.len() <= 3);

    assert_eq!(output::by_name("JSONL").map(|k| k.name), Some("jsonl"));
    assert!(output::by_name("tally").is_none(), "a test output is not a built-in one");
}
