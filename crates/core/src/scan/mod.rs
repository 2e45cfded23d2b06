//! `scan`: read dumps, analyze every post, score it, attach community
//! response, rank lead users, and write `posts.jsonl`, `authors.jsonl` and
//! `summary.json`.
//!
//! Posts with signals are spooled to disk as they are found (memory stays
//! flat); at the end the spool is read once more to attach the replies'
//! reactions. A spooled record is copied to `posts.jsonl` as it was
//! written; a response attached to it replaces the text of its empty last
//! field (the record is not parsed again). Only the author table and
//! the reply index grow with the input: a 72-byte entry per author and a
//! 16-byte entry per answered post (plus the hash tables' spare room), and
//! the reactions kept for answered posts.

pub mod authors;
pub mod record;
mod replies;

pub use authors::{AuthorRecord, AuthorTable, LeadUserWeights};
pub use record::{PostRecord, ResponseEvidence, ResponseSummary, SignalRecord};

use crate::analyze::{kinds, Analysis, AnalyzeError, Analyzed, Document, Signal};
use crate::model::{Post, PostKind, Source};
use crate::pipeline::{self, parse_block, Parsed, PipelineOptions};
use crate::read::{InputFile, ReadError, ReadOptions};
use crate::score::{score, Weights};
use replies::{PostKey, ReplyIndex};
use serde::Serialize;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How many reactions are kept as evidence per post.
const EVIDENCE_PER_POST: usize = 5;

/// Which posts a scan looks at and writes.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only these communities (case-insensitive); empty means all.
    pub communities: Vec<String>,
    /// Only posts created at or after (Unix seconds).
    pub since: Option<i64>,
    /// Only posts created before (Unix seconds).
    pub until: Option<i64>,
    /// Only write posts whose highest score reaches this.
    pub min_score: f32,
}

impl Filters {
    /// Whether a post is in scope.
    pub fn accepts(&self, post: &Post) -> bool {
        if !self.communities.is_empty() && !self.communities.iter().any(|c| c.eq_ignore_ascii_case(&post.community)) {
            return false;
        }
        match post.created {
            Some(t) => self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u),
            None => self.since.is_none() && self.until.is_none(),
        }
    }
}

/// Everything a scan needs besides its inputs.
pub struct Scanner {
    /// The analyzers.
    pub analysis: Analysis,
    /// Scoring weights.
    pub weights: Weights,
    /// Lead-user weights.
    pub lead_user: LeadUserWeights,
    /// Filters.
    pub filters: Filters,
}

/// A reply's reaction, bound for the post it answers.
#[derive(Debug, Clone)]
struct Reaction {
    target: PostKey,
    evidence: Vec<ResponseEvidence>,
}

/// What a worker makes of one block.
#[derive(Debug, Default)]
struct BlockResult {
    parsed_events: Vec<Parsed>,
    records: Vec<PostRecord>,
    reactions: Vec<Reaction>,
    replies: Vec<PostKey>,
    activity: Vec<(String, Option<i64>, String)>,
    analyzer_errors: Vec<AnalyzeError>,
    posts: u64,
    in_scope: u64,
    analyzed: u64,
    bytes: u64,
}

/// What the last pass of a scan needs of a spooled record, written on the
/// line before it so the record itself is parsed only when it may be among
/// the best posts.
#[derive(Debug, Serialize, serde::Deserialize)]
struct SpoolHead {
    source: Source,
    id: String,
    author: Option<String>,
    max_score: f32,
    labels: crate::score::Labels,
}

/// Counts and timings of a scan (`summary.json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Posts read.
    pub posts: u64,
    /// Posts within the filters.
    pub in_scope: u64,
    /// Posts that passed the prefilter and were fully analyzed.
    pub analyzed: u64,
    /// Posts written to `posts.jsonl`.
    pub with_signals: u64,
    /// Posts labeled with each label.
    pub labels: Labels,
    /// Authors ranked in `authors.jsonl`.
    pub authors_ranked: usize,
    /// Distinct authors seen.
    pub authors_seen: usize,
    /// Records skipped while reading.
    pub skipped: u64,
    /// The first skipped records, with their locations.
    pub skipped_examples: Vec<String>,
    /// Analyzer failures (the post kept the other analyzers' signals).
    pub analyzer_errors: u64,
    /// The first analyzer failures.
    pub analyzer_error_examples: Vec<String>,
    /// Bytes of post text read.
    pub text_bytes: u64,
    /// Wall-clock seconds per phase.
    pub timings: Timings,
}

/// Posts per label.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Labels {
    /// Posts labeled solution.
    pub solution: u64,
    /// Posts labeled user innovation.
    pub user_innovation: u64,
    /// Posts labeled need.
    pub need: u64,
    /// Posts labeled commercial.
    pub commercial: u64,
}

/// Wall-clock time of a scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Reading and analysis.
    pub scan_seconds: f64,
    /// Attaching responses and writing outputs.
    pub output_seconds: f64,
}

/// The result of a scan.
#[derive(Debug)]
pub struct Outcome {
    /// Counts and timings.
    pub summary: Summary,
    /// The best posts by user-innovation score (for the printed table).
    pub top_posts: Vec<PostRecord>,
    /// The ranked authors.
    pub authors: Vec<AuthorRecord>,
    /// The first error, when the scan was strict and stopped.
    pub stopped: Option<String>,
}

/// An error writing outputs.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct OutputError {
    /// The file.
    pub path: PathBuf,
    /// The I/O or encoding failure.
    #[source]
    pub source: std::io::Error,
}

fn out_err(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError { path: path.to_path_buf(), source }
}

impl Scanner {
    /// Analyzes one post: its signals, or nothing when the prefilter
    /// rules it out. Errors of single analyzers come back beside.
    pub fn analyze<'p>(&self, post: &'p Post) -> Option<(Document<'p>, Analyzed)> {
        let wants = self.analysis.wants(post);
        if !wants.contains(&Some(true)) {
            return None;
        }
        let doc = Document::new(post);
        let analyzed = self.analysis.run_with_wants(&doc, &wants);
        Some((doc, analyzed))
    }

    fn process(&self, block: crate::read::Block) -> BlockResult {
        let mut r = BlockResult::default();
        for parsed in parse_block(block) {
            let post = match parsed {
                Parsed::Post(p) => p,
                other => {
                    r.parsed_events.push(other);
                    continue;
                }
            };
            r.posts += 1;
            if !self.filters.accepts(&post) {
                continue;
            }
            r.in_scope += 1;
            r.bytes += post.text_len() as u64;
            if let Some(a) = &post.author {
                r.activity.push((a.clone(), post.created, post.community.clone()));
            }
            // The post this one answers, if it is a reply.
            let parent = match &post.parent {
                Some(id) if !post.kind.is_thread_start() && post.kind != PostKind::Other => {
                    Some(PostKey::new(post.source, id))
                }
                _ => None,
            };
            r.replies.extend(parent);
            let Some((doc, Analyzed { signals, errors, listed })) = self.analyze(&post) else { continue };
            r.analyzed += 1;
            r.analyzer_errors.extend(errors);
            let (responses, own): (Vec<Signal>, Vec<Signal>) =
                signals.into_iter().partition(|s| s.kind.starts_with(kinds::RESPONSE_PREFIX));
            if let Some(target) = parent.filter(|_| !responses.is_empty()) {
                r.reactions.push(Reaction {
                    target,
                    evidence: responses
                        .iter()
                        .map(|s| ResponseEvidence {
                            id: post.id.clone(),
                            author: post.author.clone(),
                            kind: s.kind.to_string(),
                            text: doc.text.get(s.start..s.end).unwrap_or("").to_string(),
                        })
                        .collect(),
                });
            }
            if listed {
                r.records.extend(self.record(&post, &doc, &own));
            }
        }
        r
    }

    /// The `posts.jsonl` record of a post from its own signals (replies'
    /// `response.*` signals excluded); `None` when nothing was found.
    pub fn record(&self, post: &Post, doc: &Document<'_>, own: &[Signal]) -> Option<PostRecord> {
        if !own.iter().any(|s| &*s.kind != "false_friend") {
            return None;
        }
        let (scores, labels) = score(&self.weights, own);
        Some(PostRecord::new(post, doc, own, scores, labels))
    }

    /// Analyzes and scores one post as a scan would (without response).
    pub fn score_post(&self, post: &Post) -> Option<PostRecord> {
        let (doc, analyzed) = self.analyze(post)?;
        if !analyzed.listed {
            return None;
        }
        let own: Vec<Signal> =
            analyzed.signals.into_iter().filter(|s| !s.kind.starts_with(kinds::RESPONSE_PREFIX)).collect();
        self.record(post, &doc, &own)
    }

    /// Runs the scan over `files`, writing the outputs into `out_dir`.
    pub fn run(
        &self,
        files: &[InputFile],
        read: &ReadOptions,
        options: &PipelineOptions,
        out_dir: &Path,
        top: usize,
    ) -> Result<Outcome, OutputError> {
        std::fs::create_dir_all(out_dir).map_err(out_err(out_dir))?;
        let started = Instant::now();
        let spool_path = out_dir.join("posts.jsonl.partial");
        let mut spool = BufWriter::new(File::create(&spool_path).map_err(out_err(&spool_path))?);
        let mut summary = Summary { files: files.len(), ..Summary::default() };
        let mut authors = AuthorTable::new();
        let mut responses = ReplyIndex::default();
        let mut stopped: Option<String> = None;
        let mut write_error: Option<std::io::Error> = None;
        let strict = read.strict;

        pipeline::run(
            files,
            read,
            options,
            || (),
            |_, block| self.process(block),
            |res: BlockResult| {
                summary.posts += res.posts;
                summary.in_scope += res.in_scope;
                summary.analyzed += res.analyzed;
                summary.text_bytes += res.bytes;
                for p in &res.parsed_events {
                    if let Parsed::Skipped(e) = p {
                        note_skip(&mut summary, e);
                        if strict && stopped.is_none() {
                            stopped = Some(e.to_string());
                        }
                    }
                }
                for e in &res.analyzer_errors {
                    summary.analyzer_errors += 1;
                    if summary.analyzer_error_examples.len() < 10 {
                        summary.analyzer_error_examples.push(e.to_string());
                    }
                    if strict && stopped.is_none() {
                        stopped = Some(e.to_string());
                    }
                }
                for (author, created, community) in &res.activity {
                    authors.activity(author, *created, community);
                }
                for parent in res.replies {
                    responses.reply(parent);
                }
                for reaction in res.reactions {
                    responses.react(reaction.target, reaction.evidence);
                }
                for record in &res.records {
                    authors.post(record);
                    let head = SpoolHead {
                        source: record.source,
                        id: record.id.clone(),
                        author: record.author.clone(),
                        max_score: record.max_score(),
                        labels: record.labels,
                    };
                    if let Err(e) = serde_json::to_writer(&mut spool, &head)
                        .and_then(|()| serde_json::to_writer(&mut spool, record))
                        .map_err(std::io::Error::from)
                        .and_then(|()| spool.write_all(b"\n"))
                    {
                        write_error.get_or_insert(e);
                    }
                }
                stopped.is_none() && write_error.is_none()
            },
        );
        if let Some(e) = write_error {
            return Err(OutputError { path: spool_path, source: e });
        }
        spool.flush().map_err(out_err(&spool_path))?;
        drop(spool);
        summary.timings.scan_seconds = secs(started);

        let output_started = Instant::now();
        let posts_path = out_dir.join("posts.jsonl");
        let mut posts_out = BufWriter::new(File::create(&posts_path).map_err(out_err(&posts_path))?);
        let reader = BufReader::new(File::open(&spool_path).map_err(out_err(&spool_path))?);
        let mut best: Vec<PostRecord> = Vec::new();
        let spool_error = |e: serde_json::Error| OutputError { path: spool_path.clone(), source: e.into() };
        for line in reader.lines() {
            let line = line.map_err(out_err(&spool_path))?;
            // One line: the head, then the record, both JSON objects.
            let mut values = serde_json::Deserializer::from_str(&line).into_iter::<SpoolHead>();
            let head = values
                .next()
                .transpose()
                .map_err(spool_error)?
                .ok_or_else(|| spool_error(serde::de::Error::custom("empty spool line")))?;
            let json = &line[values.byte_offset()..];
            let (replies, reactions) = responses.take(PostKey::new(head.source, &head.id));
            // Reactions by the author themselves are not the community's.
            let response = (replies.is_some() || reactions.is_some()).then(|| {
                ResponseSummary::from_reactions(
                    replies.map_or(0, u64::from),
                    reactions.unwrap_or_default(),
                    head.author.as_deref(),
                    EVIDENCE_PER_POST,
                )
            });
            if let (Some(author), Some(response)) = (&head.author, &response) {
                authors.reactions(author, response.reactions());
            }
            if head.max_score < self.filters.min_score {
                continue;
            }
            summary.with_signals += 1;
            let l = &head.labels;
            summary.labels.solution += u64::from(l.solution);
            summary.labels.user_innovation += u64::from(l.user_innovation);
            summary.labels.need += u64::from(l.need);
            summary.labels.commercial += u64::from(l.commercial);
            // The record was spooled with an empty response.
            let json = match &response {
                Some(response) => Cow::Owned(PostRecord::json_with_response(json, response).ok_or_else(|| {
                    spool_error(serde::de::Error::custom("spooled record without an empty response"))
                })?),
                None => Cow::Borrowed(json),
            };
            posts_out
                .write_all(json.as_bytes())
                .and_then(|()| posts_out.write_all(b"\n"))
                .map_err(out_err(&posts_path))?;
            if l.user_innovation {
                let record = serde_json::from_str::<PostRecord>(&json).map_err(spool_error)?;
                keep_best(&mut best, record, top);
            }
        }
        posts_out.flush().map_err(out_err(&posts_path))?;
        std::fs::remove_file(&spool_path).map_err(out_err(&spool_path))?;

        summary.authors_seen = authors.len();
        let ranked = authors.rank(&self.lead_user);
        summary.authors_ranked = ranked.len();
        let authors_path = out_dir.join("authors.jsonl");
        let mut authors_out = BufWriter::new(File::create(&authors_path).map_err(out_err(&authors_path))?);
        for a in &ranked {
            serde_json::to_writer(&mut authors_out, a)
                .map_err(|e| OutputError { path: authors_path.clone(), source: e.into() })?;
            authors_out.write_all(b"\n").map_err(out_err(&authors_path))?;
        }
        authors_out.flush().map_err(out_err(&authors_path))?;
        summary.timings.output_seconds = secs(output_started);

        let summary_path = out_dir.join("summary.json");
        let json = serde_json::to_string_pretty(&summary)
            .map_err(|e| OutputError { path: summary_path.clone(), source: e.into() })?;
        std::fs::write(&summary_path, json + "\n").map_err(out_err(&summary_path))?;

        Ok(Outcome { summary, top_posts: best, authors: ranked, stopped })
    }
}

fn note_skip(summary: &mut Summary, e: &ReadError) {
    summary.skipped += 1;
    if summary.skipped_examples.len() < 10 {
        summary.skipped_examples.push(e.to_string());
    }
}

fn keep_best(best: &mut Vec<PostRecord>, record: PostRecord, top: usize) {
    best.push(record);
    best.sort_by(|a, b| {
        b.scores
            .user_innovation
            .total_cmp(&a.scores.user_innovation)
            .then_with(|| (&a.source, &a.id).cmp(&(&b.source, &b.id)))
    });
    best.truncate(top.max(1));
}

fn secs(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}
