//! `scan`: the facade that wires the stages. It reads dumps and analyzes
//! and scores every post on the pipeline's workers (`Scanner::process`),
//! gathers authors and replies and spools the posts with signals in input
//! order (`Collect`), then attaches each spooled post's community
//! response and hands it to the outputs (`Scanner::respond`), and ends
//! with the ranked authors and the summary ([`Scanner::run`]).

mod calendar;
pub mod checkpoint;
pub mod rerank;

use crate::aggregate::{Activity, Aggregate, Reaction, Spool, TopicPost};
use calendar::Calendar;
use crate::analyze::{kinds, Analysis, Analyzed, Document, Signal, Wants};
use crate::model::{Post, PostKind};
use crate::output::{self, Output, OutputError, OutputKind, Stage};
use crate::pipeline::{self, parse_block, Parsed, PipelineOptions};
use crate::read::{InputFile, Position, ReadOptions};
use checkpoint::{Journal, ResumeError};
pub use rerank::Rerank;
use rerank::{Best, Candidate, Placed};
use crate::record::{About, AuthorRecord, InputRecord, PostRecord, ResponseEvidence, Summary};
use crate::score::features::{features, Features};
use crate::score::learned::LearnedScorer;
use crate::network::pointers::pointers;
use crate::score::{score, Label, Labels, Scores, Weights};
use crate::trends::keyphrases;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

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
    /// Scoring weights (the rule scorer).
    pub weights: Weights,
    /// A learned scorer; when present it scores posts instead of the
    /// weights (the evidence spans are still the rule signals).
    pub model: Option<LearnedScorer>,
    /// The re-ranking stage, which reads the best posts of the learned
    /// scorer once the scan is over ([`rerank`]).
    pub rerank: Option<Rerank>,
    /// Filters.
    pub filters: Filters,
    /// The version and options, written into the summary.
    pub about: About,
    /// Rank authors by name across sites (`--merge-authors`) instead of by
    /// (source, site, name).
    pub merge_authors: bool,
    /// Go on with an interrupted scan of the same inputs and options into
    /// the same folder from its last checkpoint, instead of starting over
    /// (`--resume`). Checkpoints are written when this is set or the
    /// inputs are large ([`checkpoint::JOURNAL_FROM`]).
    pub resume: bool,
}

/// What a worker makes of one block; what the checkpoint journal keeps.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct BlockResult {
    /// Where in the inputs the block ends.
    end: Position,
    /// Files opened, records skipped, fields dropped, in input order.
    events: Vec<ReadEvent>,
    records: Vec<PostRecord>,
    reactions: Vec<Reaction>,
    /// The source and the parent id of each reply.
    replies: Vec<(crate::model::Source, String)>,
    activity: Vec<Activity>,
    /// Need and solution posts' keyphrases.
    topics: Vec<TopicPost>,
    /// The block's best posts for the re-ranking stage.
    candidates: Vec<Candidate>,
    analyzer_errors: Vec<String>,
    calendar: Calendar,
    posts: u64,
    in_scope: u64,
    analyzed: u64,
    bytes: u64,
}

/// What reading a block reported besides posts.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
enum ReadEvent {
    /// A file was opened, ignored or found unreadable.
    Input {
        path: String,
        format: Option<String>,
        compression: Option<String>,
        bytes: Option<u64>,
        ignored: Option<String>,
    },
    /// A record was skipped (the error as shown).
    Skipped(String),
    /// A field was dropped (the error as shown).
    BadField(String),
}

impl ReadEvent {
    fn of(parsed: Parsed) -> Option<ReadEvent> {
        Some(match parsed {
            Parsed::Post(_) => return None,
            Parsed::Skipped(e) => ReadEvent::Skipped(e.to_string()),
            Parsed::BadField(e) => ReadEvent::BadField(e.to_string()),
            Parsed::File(ev) => ReadEvent::Input {
                path: ev.path.display().to_string(),
                format: ev.format.map(|f| f.name().to_string()),
                compression: ev
                    .compression
                    .filter(|c| *c != crate::read::Compression::None)
                    .map(|c| format!("{c:?}").to_lowercase()),
                bytes: std::fs::metadata(&ev.path).ok().map(|m| m.len()),
                ignored: ev.ignored,
            },
        })
    }
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
    /// The run was interrupted (`PipelineOptions::interrupt`): nothing was
    /// written, the previous results stand.
    pub interrupted: bool,
    /// Blocks of an interrupted scan that this one resumed after
    /// (`Scanner::resume`); `None` when it started from the beginning.
    pub resumed: Option<u64>,
}

impl Scanner {
    /// Analyzes one post: its signals, or nothing when the prefilter
    /// rules it out. Errors of single analyzers come back beside.
    pub fn analyze<'p>(&self, post: &'p Post) -> Option<(Document<'p>, Analyzed)> {
        let wants = self.analysis.wants(post);
        if !wants.contains(&Wants::Yes) {
            return None;
        }
        let doc = Document::new(post);
        let analyzed = self.analysis.run_with_wants(&doc, &wants);
        Some((doc, analyzed))
    }

    /// Reads, analyzes and scores the posts of one block (on a worker).
    fn process(&self, block: crate::read::Block) -> BlockResult {
        let mut r = BlockResult { end: block.end, ..BlockResult::default() };
        let mut best = self.rerank.as_ref().map(|rr| Best::new(rr.top));
        for parsed in parse_block(block) {
            let post = match parsed {
                Parsed::Post(p) => p,
                other => {
                    r.events.extend(ReadEvent::of(other));
                    continue;
                }
            };
            r.posts += 1;
            if !self.filters.accepts(&post) {
                continue;
            }
            r.in_scope += 1;
            r.bytes += post.text_len() as u64;
            r.calendar.post(&post.community, post.created);
            // The post this one answers, if it is a reply.
            let parent = post
                .parent
                .as_ref()
                .filter(|_| !post.kind.is_thread_start() && post.kind != PostKind::Other);
            r.replies.extend(parent.map(|id| (post.source, id.clone())));
            if let Some(author) = &post.author {
                r.activity.push(activity(&post, author, parent));
            }
            let Some((doc, Analyzed { signals, errors, listed })) = self.analyze(&post) else { continue };
            r.analyzed += 1;
            r.analyzer_errors.extend(errors.iter().map(ToString::to_string));
            let (responses, own): (Vec<Signal>, Vec<Signal>) =
                signals.into_iter().partition(|s| !s.is_own());
            if let Some(target) = parent.filter(|_| !responses.is_empty()) {
                let evidence = responses
                    .iter()
                    .map(|s| ResponseEvidence {
                        id: post.id.clone(),
                        author: post.author.clone(),
                        kind: s.kind.to_string(),
                        text: doc.text.get(s.start..s.end).unwrap_or("").to_string(),
                    })
                    .collect();
                r.reactions.push(Reaction::new(post.source, target, evidence));
            }
            if !listed {
                continue;
            }
            if let Some(record) = self.record(&post, &doc, &own) {
                let (need, solution) = (record.labels[Label::Need], record.labels[Label::Solution]);
                if let (true, Some(created)) = (need || solution, post.created) {
                    r.topics.push(TopicPost {
                        source: post.source,
                        community: post.community.clone(),
                        author: post.author.clone().filter(|_| !record.link_submission),
                        created,
                        phrases: keyphrases(&doc),
                    });
                }
                if let Some(best) = &mut best {
                    best.offer(&record.scores, || Candidate::new(post.source, &post.id, record.scores, &doc.text));
                }
                r.records.push(record);
            }
        }
        r.candidates = best.map(Best::into_candidates).unwrap_or_default();
        r
    }

    /// The `posts.jsonl` record of a post from its own signals (replies'
    /// `response.*` signals excluded); `None` when nothing was found.
    pub fn record(&self, post: &Post, doc: &Document<'_>, own: &[Signal]) -> Option<PostRecord> {
        if !own.iter().any(|s| &*s.kind != kinds::FALSE_FRIEND) {
            return None;
        }
        let (scores, labels) = match &self.model {
            Some(scorer) => scorer.score(doc, own),
            None => score(&self.weights, own),
        };
        Some(PostRecord::new(post, doc, own, scores, labels))
    }

    /// Analyzes and scores one post as a scan would (without response).
    pub fn score_post(&self, post: &Post) -> Option<PostRecord> {
        let (doc, analyzed) = self.analyze(post)?;
        if !analyzed.listed {
            return None;
        }
        let own: Vec<Signal> =
            analyzed.signals.into_iter().filter(Signal::is_own).collect();
        self.record(post, &doc, &own)
    }

    /// The features a learned scorer sees of a post a scan would list
    /// (see [`Scanner::score_post`]), with the rule scorer's scores and
    /// labels; `None` for a post a scan would not list.
    pub fn post_features(&self, post: &Post) -> Option<(Features, Scores, Labels)> {
        let (doc, analyzed) = self.analyze(post)?;
        let own: Vec<Signal> = analyzed.signals.into_iter().filter(Signal::is_own).collect();
        let evidence = own.iter().any(|s| &*s.kind != kinds::FALSE_FRIEND);
        (analyzed.listed && evidence).then(|| {
            let (scores, labels) = score(&self.weights, &own);
            (features(&doc, &own), scores, labels)
        })
    }

    /// Runs the scan over `files`, writing `outputs` into `out_dir` (made
    /// if missing; [`output::OUTPUTS`] lists the formats).
    pub fn run(
        &self,
        files: &[InputFile],
        read: &ReadOptions,
        options: &PipelineOptions,
        out_dir: &Path,
        outputs: &[OutputKind],
        top: usize,
    ) -> Result<Outcome, OutputError> {
        let stage = if self.resume { Stage::resume(out_dir)? } else { Stage::begin(out_dir)? };
        match self.run_staged(files, read, options, &stage, outputs, top) {
            Ok(outcome) if outcome.interrupted => {
                stage.mark("interrupted: this scan was stopped before it finished; the results beside this folder \
                            are those of the previous run; `leadminer scan --resume` with the same inputs and \
                            options goes on from where it stopped")?;
                Ok(outcome)
            }
            Ok(outcome) => {
                stage.commit()?;
                Ok(outcome)
            }
            Err(e) => {
                // The error is what the user is told; a failed marker is not.
                let _ = stage.mark(&format!("failed: {e}; the results beside this folder are those of the previous run"));
                Err(e)
            }
        }
    }

    /// [`Scanner::run`] writing into the partial folder of `stage`.
    fn run_staged(
        &self,
        files: &[InputFile],
        read: &ReadOptions,
        options: &PipelineOptions,
        stage: &Stage,
        outputs: &[OutputKind],
        top: usize,
    ) -> Result<Outcome, OutputError> {
        let out_dir = stage.path();
        let mut outputs = output::open(outputs, out_dir)?;
        let started = Instant::now();
        let spool = Spool::create(out_dir).map_err(OutputError::at(out_dir))?;
        let mut collect = Collect::new(files.len(), spool, read.strict, self.merge_authors);
        collect.summary.about = self.about.clone();
        collect.best = self.rerank.as_ref().map(|r| Best::new(r.top));
        let fingerprint = checkpoint::fingerprint(&self.about, files);
        let mut options = options.clone();
        let mut resumed = None;
        let journal = if self.resume {
            let mut blocks = 0;
            match Journal::resume(out_dir, fingerprint.clone(), |res: BlockResult| {
                blocks += 1;
                collect.absorb(res);
            }) {
                Ok((journal, position)) => {
                    options.resume = Some(position);
                    resumed = Some(blocks);
                    Some(journal)
                }
                Err(ResumeError::None(_)) => None,
                Err(e @ ResumeError::Different(_)) => {
                    return Err(OutputError {
                        path: out_dir.to_path_buf(),
                        source: std::io::Error::other(format!("{e}: run without --resume to start over")),
                    })
                }
                Err(ResumeError::Io { path, source }) => return Err(OutputError { path, source }),
            }
        } else {
            None
        };
        collect.journal = match journal {
            Some(journal) => Some(journal),
            None if self.resume || checkpoint::worth_journaling(files) => {
                Some(Journal::create(out_dir, fingerprint).map_err(OutputError::at(out_dir))?)
            }
            None => None,
        };
        collect.progress = read.progress.clone();
        pipeline::run(files, read, &options, || (), |_, block| self.process(block), |res| collect.absorb(res));
        let Collect { mut summary, mut aggregate, mut calendar, spool, mut stopped, spool_error, journal, best, .. } =
            collect;
        if let Some(e) = spool_error {
            return Err(OutputError { path: spool.path().to_path_buf(), source: e });
        }
        summary.timings.scan_seconds = secs(started);
        if options.interrupted() {
            return Ok(Outcome { summary, top_posts: Vec::new(), authors: Vec::new(), stopped, interrupted: true, resumed });
        }
        if let Some(journal) = journal {
            journal.remove().map_err(OutputError::at(out_dir))?;
        }

        let output_started = Instant::now();
        let placed = match (&self.rerank, best) {
            (Some(rerank), Some(best)) => {
                let started = Instant::now();
                let (placed, errors) = rerank.read(best, options.threads);
                for e in errors {
                    count_problem(&mut summary.analyzer_errors, &mut summary.analyzer_error_examples, &e);
                    if read.strict {
                        stopped.get_or_insert(e);
                    }
                }
                summary.reranked = Some(placed.len() as u64);
                summary.reranked_with = Some(rerank.encoder.name().to_string());
                summary.timings.rerank_seconds = Some(secs(started));
                placed
            }
            _ => BTreeMap::new(),
        };
        let top_posts = self.respond(spool, &placed, &mut aggregate, &mut calendar, &mut summary, &mut outputs, top)?;
        calendar.write_into(&mut summary);
        summary.authors_seen = aggregate.authors_seen();
        let finished = aggregate.finish(&self.weights.lead_user);
        let authors = finished.authors;
        summary.authors_ranked = authors.len();
        summary.rising_topics = finished.rising;
        summary.networks = finished.networks;
        summary.topics_pruned_below = finished.topics_pruned_below;
        output::write_pointers(out_dir, &finished.pointers)?;
        for author in &authors {
            for out in &mut outputs {
                out.author(author)?;
            }
        }
        summary.timings.output_seconds = secs(output_started);
        for out in &mut outputs {
            out.finish(&summary)?;
        }
        output::write_summary(out_dir, &summary)?;
        Ok(Outcome { summary, top_posts, authors, stopped, interrupted: false, resumed })
    }

    /// Reads the spool back once every reply is in: attaches each post's
    /// community response, writes the posts that reach the minimum score to
    /// `outputs` and counts them; returns the best `top` user innovations.
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &self,
        spool: Spool,
        placed: &BTreeMap<(crate::model::Source, String), Placed>,
        aggregate: &mut Aggregate,
        calendar: &mut Calendar,
        summary: &mut Summary,
        outputs: &mut [Box<dyn Output>],
        top: usize,
    ) -> Result<Vec<PostRecord>, OutputError> {
        let path = spool.path().to_path_buf();
        let mut spooled = spool.replay().map_err(OutputError::at(&path))?;
        let mut best = Vec::new();
        while let Some(mut record) = spooled.next_record().map_err(OutputError::at(&path))? {
            aggregate.respond(&mut record);
            if let Some(post) = placed.get(&(record.source, record.id.clone())) {
                post.apply(&mut record.scores, &mut record.labels);
            }
            if record.max_score() < self.filters.min_score {
                continue;
            }
            summary.with_signals += 1;
            summary.labels.count(&record.labels);
            let labels = &record.labels;
            calendar.labeled(&record.community, record.created, labels[Label::UserInnovation], labels[Label::Need]);
            for out in outputs.iter_mut() {
                out.post(&record)?;
            }
            if record.labels[Label::UserInnovation] {
                keep_best(&mut best, record, top);
            }
        }
        spooled.remove().map_err(OutputError::at(&path))?;
        Ok(best)
    }
}

/// What the scan gathers from the workers' results, in input order.
struct Collect {
    summary: Summary,
    aggregate: Aggregate,
    calendar: Calendar,
    spool: Spool,
    strict: bool,
    /// Where posts and skips are counted for a progress display.
    progress: Option<std::sync::Arc<crate::read::ReadProgress>>,
    /// The first error, when the scan is strict.
    stopped: Option<String>,
    /// Failure to write the spool or the journal.
    spool_error: Option<std::io::Error>,
    /// Where each gathered block goes for a later `--resume`.
    journal: Option<Journal>,
    /// The best posts for the re-ranking stage, when it is on.
    best: Option<Best>,
}

impl Collect {
    fn new(files: usize, spool: Spool, strict: bool, merge_authors: bool) -> Self {
        Collect {
            summary: Summary { files, ..Summary::default() },
            aggregate: Aggregate::new(merge_authors),
            calendar: Calendar::default(),
            progress: None,
            spool,
            strict,
            stopped: None,
            spool_error: None,
            journal: None,
            best: None,
        }
    }

    /// Takes in one block's result; `false` stops the scan (a strict scan's
    /// first error, or a failure to spool).
    fn absorb(&mut self, res: BlockResult) -> bool {
        if let Some(journal) = &mut self.journal {
            if let Err(e) = journal.append(&res, res.end) {
                self.spool_error.get_or_insert(e);
            }
        }
        let summary = &mut self.summary;
        summary.posts += res.posts;
        if let Some(p) = &self.progress {
            p.add_posts(res.posts);
        }
        summary.in_scope += res.in_scope;
        summary.analyzed += res.analyzed;
        summary.text_bytes += res.bytes;
        for event in res.events {
            match event {
                ReadEvent::Skipped(e) => {
                    if let Some(p) = &self.progress {
                        p.skip(|| e.clone());
                    }
                    count_problem(&mut summary.skipped, &mut summary.skipped_examples, &e);
                    if self.strict {
                        self.stopped.get_or_insert(e);
                    }
                }
                ReadEvent::BadField(e) => {
                    count_problem(&mut summary.bad_fields, &mut summary.bad_field_examples, &e);
                    if self.strict {
                        self.stopped.get_or_insert(e);
                    }
                }
                ReadEvent::Input { path, format, compression, bytes, ignored } => {
                    summary.inputs.push(InputRecord { path, format, compression, bytes, ignored });
                }
            }
        }
        self.calendar.merge(res.calendar);
        for e in res.analyzer_errors {
            count_problem(&mut summary.analyzer_errors, &mut summary.analyzer_error_examples, &e);
            if self.strict {
                self.stopped.get_or_insert(e);
            }
        }
        for a in &res.activity {
            self.aggregate.activity(a);
        }
        for (source, parent) in &res.replies {
            self.aggregate.reply(*source, parent);
        }
        for reaction in res.reactions {
            self.aggregate.react(reaction);
        }
        for t in &res.topics {
            self.aggregate.topics(t);
        }
        if let Some(best) = &mut self.best {
            for c in res.candidates {
                let scores = c.scores;
                best.offer(&scores, || c);
            }
        }
        for record in &res.records {
            self.aggregate.post(record);
            if self.spool_error.is_none() {
                if let Err(e) = self.spool.push(record) {
                    self.spool_error = Some(e);
                }
            }
        }
        self.stopped.is_none() && self.spool_error.is_none()
    }
}

/// A post's part in the aggregate: its author, the post it answers, what
/// its title announces, whom it points to.
fn activity(post: &Post, author: &str, parent: Option<&String>) -> Activity {
    let mut a = Activity::new(post, author);
    a.parent = parent.cloned();
    a.pointers = pointers(&post.body, &post.regions)
        .into_iter()
        .map(|p| {
            let text = post.body.get(p.start..p.end).unwrap_or("").to_string();
            (p, text)
        })
        .collect();
    a
}

/// Counts one problem and keeps it among the first ten examples.
fn count_problem(count: &mut u64, examples: &mut Vec<String>, e: &str) {
    *count += 1;
    if examples.len() < 10 {
        examples.push(e.to_string());
    }
}

fn keep_best(best: &mut Vec<PostRecord>, record: PostRecord, top: usize) {
    best.push(record);
    best.sort_by(|a, b| {
        b.scores[Label::UserInnovation]
            .total_cmp(&a.scores[Label::UserInnovation])
            .then_with(|| (&a.source, &a.id).cmp(&(&b.source, &b.id)))
    });
    best.truncate(top.max(1));
}

fn secs(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}
