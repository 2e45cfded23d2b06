//! The HTML report: `report.html`, one self-contained file (inline CSS,
//! script and SVG; nothing fetched) that a person opens in a browser,
//! filters, sorts, prints and shares. It shows what was scanned, the top
//! user innovations and needs with their evidence highlighted, the lead
//! users with their score's components, and per-community monthly charts.
//!
//! The page's data is one JSON document in a `<script
//! type="application/json">` element, with `<`, `>` and `&` written as
//! `\u003c`, `\u003e` and `\u0026` so no post text can end the element; the
//! page's script builds every element from it with `textContent`, never
//! markup, so nothing from a post is parsed as HTML or runs.

use super::{best_signal, Output, OutputError};
use crate::record::{AuthorRecord, PostRecord, Summary};
use crate::score::Label;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Rows of each table in the report.
pub const REPORT_ROWS: usize = 50;

/// The page, with `/*DATA*/` where the data goes.
const TEMPLATE: &str = include_str!("report/report.html");

/// A post as the report shows it.
#[derive(Debug, Clone, Serialize)]
struct ReportPost {
    source: String,
    id: String,
    community: String,
    author: Option<String>,
    date: Option<String>,
    url: Option<String>,
    title: Option<String>,
    snippet: String,
    /// Evidence spans within the snippet: start, end (bytes of the
    /// snippet's UTF-8), kind.
    highlights: Vec<(usize, usize, String)>,
    scores: crate::score::Scores,
    evidence: Option<String>,
    evidence_kind: Option<String>,
    replies: u64,
    reactions: std::collections::BTreeMap<String, u64>,
    /// Input order, for stable ties.
    #[serde(skip)]
    seq: u64,
}

impl ReportPost {
    fn new(p: &PostRecord, seq: u64) -> ReportPost {
        let snippet = &p.snippet;
        let end = snippet.start + snippet.text.len();
        let mut highlights: Vec<(usize, usize, String)> = p
            .signals
            .iter()
            .filter(|s| &*s.kind != crate::analyze::kinds::FALSE_FRIEND && s.start >= snippet.start && s.end <= end)
            .map(|s| (s.start - snippet.start, s.end - snippet.start, s.kind.to_string()))
            .collect();
        highlights.sort();
        highlights.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let best = best_signal(p);
        ReportPost {
            source: p.source.as_str().to_string(),
            id: p.id.clone(),
            community: p.community.clone(),
            author: p.author.clone(),
            date: p.date.clone(),
            url: p.url.clone(),
            title: p.title.clone(),
            snippet: snippet.text.clone(),
            highlights,
            scores: p.scores,
            evidence: best.map(|s| p.text_of(s).to_string()),
            evidence_kind: best.map(|s| s.kind.to_string()),
            replies: p.response.replies,
            reactions: p.response.kinds.clone(),
            seq,
        }
    }
}

/// The best posts of one label, at most [`REPORT_ROWS`], highest score
/// first, ties in input order.
#[derive(Debug, Default)]
struct Best {
    posts: Vec<ReportPost>,
}

impl Best {
    fn offer(&mut self, label: Label, post: ReportPost) {
        let key = |p: &ReportPost| (std::cmp::Reverse(ordered(p.scores[label])), p.seq);
        let at = self.posts.partition_point(|p| key(p) < key(&post));
        if at < REPORT_ROWS {
            self.posts.insert(at, post);
            self.posts.truncate(REPORT_ROWS);
        }
    }
}

/// A score as an integer that sorts like it (scores are in [0, 1]).
fn ordered(score: f32) -> i64 {
    (f64::from(score) * 1e6).round() as i64
}

/// Everything the page shows.
#[derive(Debug, Serialize)]
struct ReportData<'a> {
    summary: &'a Summary,
    innovations: &'a [ReportPost],
    needs: &'a [ReportPost],
    authors: &'a [AuthorRecord],
}

/// Writes `report.html`.
pub struct Report {
    path: PathBuf,
    seq: u64,
    innovations: Best,
    needs: Best,
    authors: Vec<AuthorRecord>,
}

impl Report {
    /// A report to be written in `dir` (which exists) when the scan ends.
    pub fn open(dir: &Path) -> Result<Report, OutputError> {
        Ok(Report {
            path: dir.join("report.html"),
            seq: 0,
            innovations: Best::default(),
            needs: Best::default(),
            authors: Vec::new(),
        })
    }

    /// [`Report::open`], boxed as an [`Output`].
    pub fn open_boxed(dir: &Path) -> Result<Box<dyn Output>, OutputError> {
        Ok(Box::new(Self::open(dir)?))
    }
}

/// JSON safe to place inside a `<script>` element.
fn script_json<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let json = serde_json::to_string(value)?;
    Ok(json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026"))
}

impl Output for Report {
    fn post(&mut self, post: &PostRecord) -> Result<(), OutputError> {
        self.seq += 1;
        if post.labels[Label::UserInnovation] {
            self.innovations.offer(Label::UserInnovation, ReportPost::new(post, self.seq));
        }
        if post.labels[Label::Need] {
            self.needs.offer(Label::Need, ReportPost::new(post, self.seq));
        }
        Ok(())
    }

    fn author(&mut self, author: &AuthorRecord) -> Result<(), OutputError> {
        if self.authors.len() < REPORT_ROWS {
            self.authors.push(author.clone());
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> Result<(), OutputError> {
        let data = ReportData {
            summary,
            innovations: &self.innovations.posts,
            needs: &self.needs.posts,
            authors: &self.authors,
        };
        let json = script_json(&data).map_err(OutputError::at(&self.path))?;
        let page = TEMPLATE.replacen("/*DATA*/", &json, 1);
        std::fs::write(&self.path, page).map_err(OutputError::at(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::{sample_author, sample_post};

    #[test]
    fn post_text_cannot_leave_the_data_element() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut report = Report::open(dir.path()).expect("open");
        let mut post = sample_post();
        post.title = Some("</script><script>alert(1)</script> & <img src=x onerror=alert(2)>".into());
        report.post(&post).expect("post");
        report.author(&sample_author()).expect("author");
        report.finish(&Summary::default()).expect("finish");
        let page = std::fs::read_to_string(dir.path().join("report.html")).expect("page");
        assert!(!page.contains("alert(1)</script>") && !page.contains("<img src=x"));
        let start = page.find(r#"<script type="application/json" id="data">"#).expect("data element");
        let data = &page[start..];
        let data = &data[data.find('>').expect("tag end") + 1..data.find("</script>").expect("element end")];
        let value: serde_json::Value = serde_json::from_str(data).expect("the data is JSON");
        assert_eq!(value["innovations"][0]["title"], post.title.expect("title").as_str());
    }

    #[test]
    fn keeps_the_best_posts_in_order_with_ties_in_input_order() {
        let mut best = Best::default();
        for (i, score) in [0.5f32, 0.9, 0.5, 0.7].into_iter().enumerate() {
            let mut p = sample_post();
            p.id = format!("p{i}");
            p.scores[Label::Need] = score;
            best.offer(Label::Need, ReportPost::new(&p, i as u64));
        }
        let ids: Vec<&str> = best.posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["p1", "p3", "p0", "p2"]);
    }
}
