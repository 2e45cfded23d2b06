//! The rule pack file format (TOML). See `docs/RULES.md` for the language.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A rule pack as written in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    /// Identity of the pack.
    pub pack: PackInfo,
    /// Named word lists that sequence patterns use as `[name]`.
    #[serde(default)]
    pub lexicons: BTreeMap<String, Vec<String>>,
    /// The rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleDef>,
}

/// The `[pack]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// A short unique id, e.g. `solution` or `acme.medical`.
    pub id: String,
    /// What the pack detects.
    #[serde(default)]
    pub description: String,
    /// The pack's own version.
    #[serde(default)]
    pub version: Option<String>,
}

/// Suppressors that can cancel a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suppressor {
    /// A negation shortly before the match in its clause ("I never built").
    Negation,
    /// The match is in a question ("has anyone built ...?").
    Question,
    /// A plan or hypothetical before the match ("I'm going to build").
    Hypothetical,
    /// The match is in quoted text.
    Quote,
}

impl Suppressor {
    /// All suppressors: the default for every rule.
    pub const ALL: [Suppressor; 4] = [
        Suppressor::Negation,
        Suppressor::Question,
        Suppressor::Hypothetical,
        Suppressor::Quote,
    ];
}

/// Where in a post a rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Title and body.
    #[default]
    Any,
    /// Only the title.
    Title,
    /// Only the body.
    Body,
}

/// A proximity condition: a signal of kind `first` followed within
/// `within` tokens by a signal of kind `then`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    /// The kind that comes first.
    pub first: String,
    /// The kind that follows.
    pub then: String,
    /// The largest distance in tokens from the end of the first to the
    /// start of the second.
    pub within: usize,
}

/// One `[[rule]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Unique id, e.g. `solution.first-person-built`.
    pub id: Spanned<String>,
    /// The signal kind it emits (`solution`, `need`, `commercial`, ...).
    pub kind: Spanned<String>,
    /// Weight of one match, in (0, 1]: how sure a match makes the kind.
    #[serde(default = "default_weight")]
    pub weight: f32,
    /// What a match means, shown by `explain`.
    #[serde(default)]
    pub message: String,
    /// Phrases matched on normalized tokens with inflection.
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    /// Token sequence patterns.
    #[serde(default)]
    pub sequences: Vec<Spanned<String>>,
    /// Regular expressions over the raw text.
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    /// Words, one of which any text matching `regex` contains (lets the
    /// prefilter skip posts; without it the rule's regexes run on every post).
    #[serde(default)]
    pub prefilter: Vec<String>,
    /// A proximity rule instead of patterns.
    #[serde(default)]
    pub near: Option<Near>,
    /// What a match of this rule cancels where it overlaps ("developed a
    /// roll of film" cancels `solution`): a signal kind, which reaches the
    /// rules of this rule's own pack only, or the id of a rule of any pack.
    #[serde(default)]
    pub cancels: Vec<Spanned<String>>,
    /// Suppressors to apply; default all.
    #[serde(default)]
    pub suppress: Option<Vec<Suppressor>>,
    /// Where the rule looks.
    #[serde(default)]
    pub scope: Scope,
    /// Which post kinds it applies to (`story`, `reply`, ...); default all.
    #[serde(default)]
    pub posts: Vec<Spanned<String>>,
}

fn default_weight() -> f32 {
    0.5
}

/// A pack loaded from a file (or built in), with its source kept so
/// errors can point to lines.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Where it came from (`builtin:solution.toml` for built-in packs).
    pub path: PathBuf,
    /// Its source text.
    pub source: String,
    /// The parsed file.
    pub file: PackFile,
}

/// An error in a rule pack, pointing to file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct PackError {
    /// The pack file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Pack {
    /// Parses a pack from its source text.
    pub fn parse(path: impl Into<PathBuf>, source: impl Into<String>) -> Result<Pack, PackError> {
        let path = path.into();
        let source = source.into();
        let file: PackFile = toml::from_str(&source).map_err(|e| PackError {
            line: e.span().map_or(1, |s| line_of(&source, s.start)),
            message: e.message().to_string(),
            path: path.clone(),
        })?;
        Ok(Pack { path, source, file })
    }

    /// Reads a pack file.
    pub fn load(path: &Path) -> Result<Pack, PackError> {
        let source = std::fs::read_to_string(path).map_err(|e| PackError {
            path: path.to_path_buf(),
            line: 1,
            message: format!("cannot read: {e}"),
        })?;
        Pack::parse(path, source)
    }

    /// Reads a pack file, or every `*.toml` file of a directory (sorted).
    pub fn load_path(path: &Path) -> Result<Vec<Pack>, PackError> {
        if !path.is_dir() {
            return Ok(vec![Pack::load(path)?]);
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| PackError {
                path: path.to_path_buf(),
                line: 1,
                message: format!("cannot list: {e}"),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        files.iter().map(|p| Pack::load(p)).collect()
    }

    /// An error at byte `offset` of this pack's source.
    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> PackError {
        PackError {
            path: self.path.clone(),
            line: line_of(&self.source, offset),
            message: message.into(),
        }
    }
}

/// 1-based line of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
