//! The spreadsheet output: `posts.csv` and `authors.csv`, UTF-8, quoted as
//! RFC 4180 says, one row per post or author with flat columns (listed in
//! `docs/OUTPUTS.md`), every cell kept under a spreadsheet's limit of
//! 32,767 characters. The summary stays in `summary.json`, which every scan
//! writes.

use super::{Output, OutputError};
use crate::model::datetime_string;
use crate::record::{cut, AuthorRecord, Components, PostRecord, Summary};
use crate::score::Label;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The most bytes written in one cell (spreadsheets hold 32,767
/// characters; bytes are at least as many).
pub const MAX_CELL: usize = 32_000;

/// One CSV file being written.
struct Table {
    path: PathBuf,
    out: csv::Writer<File>,
}

impl Table {
    fn create(path: PathBuf, header: &[String]) -> Result<Table, OutputError> {
        let file = File::create(&path).map_err(OutputError::at(&path))?;
        let mut table = Table { out: csv::Writer::from_writer(file), path };
        table.row(header.iter().map(String::as_str))?;
        Ok(table)
    }

    fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), OutputError> {
        let cells: Vec<String> = cells.into_iter().map(|c| cut(c, MAX_CELL)).collect();
        self.out.write_record(&cells).map_err(|e| OutputError { path: self.path.clone(), source: e.into() })
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        self.out.flush().map_err(OutputError::at(&self.path))
    }
}

/// Writes `posts.csv` and `authors.csv` into a folder.
pub struct Csv {
    posts: Table,
    authors: Table,
}

/// The columns of `posts.csv`.
pub fn post_columns() -> Vec<String> {
    let mut c: Vec<String> =
        ["source", "id", "community", "author", "date", "created", "kind", "title", "url", "link_submission", "snippet"].map(String::from).into();
    c.extend(Label::ALL.map(|l| format!("score_{}", l.name())));
    c.extend(Label::ALL.map(|l| format!("is_{}", l.name())));
    c.extend(["evidence_kind", "evidence", "signals", "replies", "reactions"].map(String::from));
    c
}

/// The columns of `authors.csv`.
pub fn author_columns() -> Vec<String> {
    let mut columns: Vec<String> = ["rank", "id", "author", "site", "score", "producer"].map(String::from).into();
    columns.extend(Components::NAMES.iter().map(|c| format!("{c}_score")));
    columns.extend(
        ["posts", "innovations", "needs", "reactions", "first", "last", "communities", "top_posts", "topics", "pointed_by"]
            .map(String::from),
    );
    columns
}

/// The strongest own signal of a post (the first of equal weight).
pub fn best_signal(post: &PostRecord) -> Option<&crate::record::SignalRecord> {
    post.signals
        .iter()
        .filter(|s| &*s.kind != crate::analyze::kinds::FALSE_FRIEND)
        .fold(None, |best: Option<&crate::record::SignalRecord>, s| match best {
            Some(b) if b.weight >= s.weight => Some(b),
            _ => Some(s),
        })
}

impl Csv {
    /// Creates the files in `dir` (which exists).
    pub fn open(dir: &Path) -> Result<Csv, OutputError> {
        Ok(Csv {
            posts: Table::create(dir.join("posts.csv"), &post_columns())?,
            authors: Table::create(dir.join("authors.csv"), &author_columns())?,
        })
    }

    /// [`Csv::open`], boxed as an [`Output`].
    pub fn open_boxed(dir: &Path) -> Result<Box<dyn Output>, OutputError> {
        Ok(Box::new(Self::open(dir)?))
    }
}

fn number(x: f32) -> String {
    format!("{x}")
}

impl Output for Csv {
    fn post(&mut self, p: &PostRecord) -> Result<(), OutputError> {
        let best = best_signal(p);
        let mut cells: Vec<String> = vec![
            p.source.as_str().to_string(),
            p.id.clone(),
            p.community.clone(),
            p.author.clone().unwrap_or_default(),
            p.date.clone().unwrap_or_default(),
            p.created.map(|t| t.to_string()).unwrap_or_default(),
            p.kind.as_str().to_string(),
            p.title.clone().unwrap_or_default(),
            p.url.clone().unwrap_or_default(),
            p.link_submission.to_string(),
            p.snippet.text.clone(),
        ];
        cells.extend(Label::ALL.map(|l| number(p.scores[l])));
        cells.extend(Label::ALL.map(|l| p.labels[l].to_string()));
        cells.push(best.map(|s| s.kind.to_string()).unwrap_or_default());
        cells.push(best.map(|s| p.text_of(s).to_string()).unwrap_or_default());
        cells.push(p.signals.len().to_string());
        cells.push(p.response.replies.to_string());
        cells.push(p.response.reactions().to_string());
        self.posts.row(cells.iter().map(String::as_str))
    }

    fn author(&mut self, a: &AuthorRecord) -> Result<(), OutputError> {
        let mut cells: Vec<String> = vec![
            a.rank.to_string(),
            a.id.clone(),
            a.author.clone(),
            a.site.clone().unwrap_or_default(),
            number(a.score),
            a.producer.to_string(),
        ];
        cells.extend(a.components.values().map(number));
        cells.extend([
            a.posts.to_string(),
            a.innovations.to_string(),
            a.needs.to_string(),
            a.reactions.to_string(),
            a.first.map(datetime_string).unwrap_or_default(),
            a.last.map(datetime_string).unwrap_or_default(),
            a.communities.join("; "),
            a.top_posts.iter().map(|(source, id, _)| format!("{source}:{id}")).collect::<Vec<_>>().join("; "),
            a.topics.iter().map(|t| format!("{}: {} ({} days ahead)", t.community, t.topic, t.lead_days)).collect::<Vec<_>>().join("; "),
            a.pointed_by.iter().map(|p| p.author.as_str()).collect::<Vec<_>>().join("; "),
        ]);
        self.authors.row(cells.iter().map(String::as_str))
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
    fn rows_read_back_with_quotes_newlines_and_long_cells() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut out = Csv::open(dir.path()).expect("open");
        let mut post = sample_post();
        post.title = Some("a \"quoted\", comma\nand a newline".into());
        post.snippet.text = "x".repeat(40_000);
        out.post(&post).expect("post");
        out.author(&sample_author()).expect("author");
        out.finish(&Summary::default()).expect("finish");
        let mut reader = csv::Reader::from_path(dir.path().join("posts.csv")).expect("csv");
        let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
        assert_eq!(header, post_columns());
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
        assert_eq!(rows.len(), 1);
        let cell = |name: &str| rows[0].get(header.iter().position(|h| h == name).expect(name)).expect("cell").to_string();
        assert_eq!(cell("title"), "a \"quoted\", comma\nand a newline");
        assert!(cell("snippet").len() <= MAX_CELL + '…'.len_utf8());
        assert_eq!(cell("score_solution"), "0.75");
        assert_eq!(cell("is_user_innovation"), "true");
        let authors = std::fs::read_to_string(dir.path().join("authors.csv")).expect("authors");
        assert_eq!(authors.lines().count(), 2);
    }
}
