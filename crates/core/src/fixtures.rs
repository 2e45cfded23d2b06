//! Fixture tests for analyzers, in the style of `semgrep --test`: text
//! files of cases annotated with the rules that must and must not match.
//!
//! ```text
//! # expect: solution.made-my-own
//! Nothing fit my bike, so I made my own rack.
//!
//! # ok: solution.made-my-own
//! I'm going to make my own rack this summer.
//!
//! # title: Show HN: a tiny tiling daemon
//! # expect: solution.showcase-title
//! I got tired of resizing windows.
//! ```
//!
//! A case is a block of text up to the next blank line that is followed by
//! a `#` line (so a case may hold several paragraphs). Lines before it
//! that start with `# expect:` list rules (comma separated) that must match
//! the case; `# ok:` lists rules that must not; `# title:` gives the post a
//! title; `# kind:` a post kind (`reply`, `comment`, ...); `# format:`
//! how the text is read (`plain`, the default, `markdown` or `html`, so that
//! code blocks and quotes become regions). Other lines
//! starting with `#` are comments, but one that looks like a misspelt
//! directive (`# expects:`, `# Title:`) is an error. A rule is named by its
//! id, or by `kind:<signal kind>` for analyzers without rule ids; a name
//! that no loaded analyzer has is an error (see [`FixtureOutcome::errors`]), and
//! [`untested`] finds the rules of packs that no `# expect:` names.

use crate::analyze::{Analysis, Analyzed, Document};
use crate::model::{Post, PostKind, Source};
use std::path::{Path, PathBuf};

/// One annotated case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The fixture file.
    pub file: PathBuf,
    /// 1-based line where the case's text starts.
    pub line: usize,
    /// The title, if given.
    pub title: Option<String>,
    /// The post kind.
    pub kind: PostKind,
    /// The text.
    pub text: String,
    /// How the text is read: `plain`, `markdown` or `html`.
    pub format: String,
    /// Rules that must match.
    pub expect: Vec<String>,
    /// Rules that must not match.
    pub ok: Vec<String>,
    /// Each rule (or `kind:KIND`) that `expect` and `ok` name, with the
    /// 1-based line that names it.
    pub named: Vec<(String, usize)>,
}

/// A fixture file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct FixtureError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses the cases of one fixture file.
pub fn parse(file: &Path, source: &str) -> Result<Vec<Case>, FixtureError> {
    let err = |line: usize, message: String| FixtureError { file: file.to_path_buf(), line, message };
    let mut cases = Vec::new();
    let mut pending = Case {
        file: file.to_path_buf(),
        line: 0,
        title: None,
        kind: PostKind::Topic,
        text: String::new(),
        format: "plain".to_string(),
        expect: Vec::new(),
        ok: Vec::new(),
        named: Vec::new(),
    };
    let mut in_text = false;
    let flush = |pending: &mut Case, cases: &mut Vec<Case>| {
        if !pending.text.trim().is_empty() || pending.title.is_some() {
            let mut case = pending.clone();
            case.text = case.text.trim_end().to_string();
            cases.push(case);
        }
        pending.text.clear();
        pending.title = None;
        pending.kind = PostKind::Topic;
        pending.format = "plain".to_string();
        pending.expect.clear();
        pending.ok.clear();
        pending.named.clear();
    };
    let lines: Vec<&str> = source.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            if in_text {
                let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
                if next.is_none_or(|l| l.starts_with('#')) {
                    flush(&mut pending, &mut cases);
                    in_text = false;
                } else {
                    pending.text.push('\n');
                }
            }
            continue;
        }
        if !in_text {
            if let Some(rest) = line.strip_prefix('#') {
                let rest = rest.trim();
                if let Some(list) = rest.strip_prefix("expect:") {
                    pending.named.extend(split_rules(list).into_iter().map(|r| (r, n)));
                    pending.expect.extend(split_rules(list));
                } else if let Some(list) = rest.strip_prefix("ok:") {
                    pending.named.extend(split_rules(list).into_iter().map(|r| (r, n)));
                    pending.ok.extend(split_rules(list));
                } else if let Some(t) = rest.strip_prefix("title:") {
                    pending.title = Some(t.trim().to_string());
                    pending.line = n;
                } else if let Some(f) = rest.strip_prefix("format:") {
                    let f = f.trim();
                    if !matches!(f, "plain" | "markdown" | "html") {
                        return Err(err(n, format!("unknown format '{f}' (plain, markdown, html)")));
                    }
                    pending.format = f.to_string();
                } else if let Some(k) = rest.strip_prefix("kind:") {
                    pending.kind = PostKind::parse(k.trim()).ok_or_else(|| {
                        err(n, format!("unknown post kind '{}' (valid: {})", k.trim(), PostKind::names()))
                    })?;
                } else if let Some(directive) = misspelt_directive(rest) {
                    let head = rest.split_once(':').map_or(rest, |(h, _)| h);
                    return Err(err(n, format!("unknown directive '# {head}:' (did you mean '# {directive}:'?)")));
                }
                continue;
            }
            in_text = true;
            if pending.title.is_none() {
                pending.line = n;
            }
            if pending.expect.is_empty() && pending.ok.is_empty() {
                return Err(err(n, "a case without `# expect:` or `# ok:` before it".into()));
            }
        }
        pending.text.push_str(line);
        pending.text.push('\n');
    }
    flush(&mut pending, &mut cases);
    Ok(cases)
}

fn split_rules(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The directives of a case.
const DIRECTIVES: [&str; 5] = ["expect", "ok", "title", "kind", "format"];

/// The directive that a comment line (after its `#`) seems to misspell:
/// it starts with a single word and a colon, and the word is a directive in
/// another case or spacing, starts with one or begins one, or is one or two
/// edits from one (one for the short `ok` and `kind`).
fn misspelt_directive(rest: &str) -> Option<&'static str> {
    let (head, _) = rest.split_once(':')?;
    let word = head.trim().to_lowercase();
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    DIRECTIVES.into_iter().find(|d| {
        let near = if d.len() <= 4 { 1 } else { 2 };
        word.starts_with(d) || (word.len() >= 3 && d.starts_with(word.as_str())) || edit_distance(&word, d) <= near
    })
}

/// The Levenshtein distance between two ASCII words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Parses the fixtures of the built-in rule packs
/// ([`crate::analyze::rules::builtin::FIXTURES`], named
/// `builtin:rules/<pack>.fixtures.txt` in messages).
pub fn builtin() -> Result<Vec<Case>, FixtureError> {
    let mut cases = Vec::new();
    for (name, src) in crate::analyze::rules::builtin::FIXTURES {
        cases.extend(parse(Path::new(&format!("builtin:rules/{name}")), src)?);
    }
    Ok(cases)
}

/// The post a case stands for.
pub fn case_post(case: &Case) -> Post {
    let mut post = Post::new(Source::Generic, format!("{}:{}", case.file.display(), case.line), case.kind);
    post.title = case.title.clone();
    post.set_text(match case.format.as_str() {
        "markdown" => crate::text::markdown::to_text(&case.text),
        "html" => crate::text::html::to_text(&case.text),
        _ => crate::text::plain::to_text(&case.text),
    });
    post
}

/// A failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The case.
    pub case: Case,
    /// The rule.
    pub rule: String,
    /// `true`: the rule should have matched and did not; `false`: it
    /// matched and should not have.
    pub missed: bool,
    /// What the rule matched, for false hits.
    pub matched: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.missed { "missed" } else { "false hit" };
        write!(f, "{}:{}: {what} {}", self.case.file.display(), self.case.line, self.rule)?;
        if !self.matched.is_empty() {
            write!(f, " (matched: {})", self.matched.join(" | "))?;
        }
        let text = self.case.text.replace('\n', " ");
        write!(f, "\n    {}", text)
    }
}

/// The result of running fixtures.
#[derive(Debug, Default)]
pub struct FixtureOutcome {
    /// Cases run.
    pub cases: usize,
    /// Expectations checked.
    pub checks: usize,
    /// Failed expectations.
    pub failures: Vec<Failure>,
    /// Names in `# expect:` and `# ok:` that no loaded analyzer has: a
    /// rule id that no analyzer lists (see [`crate::analyze::Analyzer::rules`])
    /// and none emitted on any case, or a `kind:` no analyzer emits. An `ok`
    /// of a misspelt rule would otherwise pass while testing nothing.
    pub errors: Vec<FixtureError>,
}

/// Runs cases through an analysis and checks their expectations.
pub fn run(analysis: &Analysis, cases: &[Case]) -> FixtureOutcome {
    let mut outcome = FixtureOutcome::default();
    let (listed, _) = analysis.rule_ids();
    let kinds = analysis.kinds();
    let mut emitted = std::collections::BTreeSet::new();
    for case in cases {
        outcome.cases += 1;
        let post = case_post(case);
        let doc = Document::new(&post);
        let Analyzed { signals, errors, .. } = analysis.run(&doc);
        emitted.extend(signals.iter().map(|s| s.rule.to_string()));
        let matched = |rule: &str| -> Vec<String> {
            signals
                .iter()
                .filter(|s| match rule.strip_prefix("kind:") {
                    Some(kind) => &*s.kind == kind,
                    None => &*s.rule == rule,
                })
                .map(|s| doc.text.get(s.start..s.end).unwrap_or("").to_string())
                .collect()
        };
        for rule in &case.expect {
            outcome.checks += 1;
            if matched(rule).is_empty() {
                let mut matched: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                matched.extend(signals.iter().map(|s| format!("{}={}", s.rule, doc.text.get(s.start..s.end).unwrap_or(""))));
                outcome.failures.push(Failure { case: case.clone(), rule: rule.clone(), missed: true, matched });
            }
        }
        for rule in &case.ok {
            outcome.checks += 1;
            let hits = matched(rule);
            if !hits.is_empty() {
                outcome.failures.push(Failure { case: case.clone(), rule: rule.clone(), missed: false, matched: hits });
            }
        }
    }
    for case in cases {
        for (name, line) in &case.named {
            let message = match name.strip_prefix("kind:") {
                Some(kind) if !kinds.contains(kind) => format!(
                    "'{name}': no loaded analyzer emits kind '{kind}' (known: {})",
                    kinds.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
                ),
                Some(_) => continue,
                None if listed.contains(name) || emitted.contains(name) => continue,
                None => format!("'{name}' is not a rule of any loaded pack or plugin (check its spelling, or load its pack or plugin)"),
            };
            let error = FixtureError { file: case.file.clone(), line: *line, message };
            if !outcome.errors.contains(&error) {
                outcome.errors.push(error);
            }
        }
    }
    outcome
}

/// The rules of `packs` that no case's `# expect:` names, each as an
/// error at the line of its id: a rule without a case it must match is
/// not tested at all.
pub fn untested(packs: &[crate::analyze::rules::Pack], cases: &[Case]) -> Vec<crate::analyze::rules::PackError> {
    let expected: std::collections::BTreeSet<&str> = cases.iter().flat_map(|c| c.expect.iter().map(String::as_str)).collect();
    let mut errors = Vec::new();
    for pack in packs {
        for def in &pack.file.rules {
            let id = def.id.get_ref();
            if !expected.contains(id.as_str()) {
                errors.push(pack.error_at(
                    def.id.span().start,
                    format!("rule '{id}' has no fixture: add a case under `# expect: {id}` to the pack's fixtures"),
                ));
            }
        }
    }
    errors
}

/// Fixture files of a rule pack file: `<stem>.fixtures.txt` beside it and
/// every `*.txt` in a `<stem>.fixtures/` folder beside it.
pub fn fixtures_of_pack(pack: &Path) -> Vec<PathBuf> {
    let Some(stem) = pack.file_stem().and_then(|s| s.to_str()) else { return Vec::new() };
    let dir = pack.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    let single = dir.join(format!("{stem}.fixtures.txt"));
    if single.is_file() {
        out.push(single);
    }
    out.extend(txt_files(&dir.join(format!("{stem}.fixtures"))));
    out
}

/// The `*.txt` files of a folder, sorted; none when it cannot be listed.
pub fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// Reads and parses fixture files.
pub fn load(files: &[PathBuf]) -> Result<Vec<Case>, FixtureError> {
    let mut cases = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f)
            .map_err(|e| FixtureError { file: f.clone(), line: 0, message: format!("cannot read: {e}") })?;
        cases.extend(parse(f, &src)?);
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cases_and_markers() {
        let src = "# a comment\n# expect: a.one, a.two\nfirst case\nstill first\n\n# title: T\n# kind: reply\n# ok: a.one\nsecond\n";
        let cases = parse(Path::new("f.txt"), src).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].expect, ["a.one", "a.two"]);
        assert_eq!(cases[0].text, "first case\nstill first");
        assert_eq!(cases[0].line, 3);
        assert_eq!(cases[1].title.as_deref(), Some("T"));
        assert_eq!(cases[1].kind, PostKind::Reply);
        assert_eq!(cases[1].ok, ["a.one"]);
    }

    #[test]
    fn misspelt_directives_are_errors() {
        for (line, directive) in [
            ("# expects: a.one", "expect"),
            ("# expected: a.one", "expect"),
            ("# Expect: a.one", "expect"),
            ("# expect : a.one", "expect"),
            ("# exepct: a.one", "expect"),
            ("# okay: a.one", "ok"),
            ("# titel: T", "title"),
            ("# kinds: reply", "kind"),
            ("# fromat: html", "format"),
        ] {
            let e = parse(Path::new("f.txt"), &format!("# expect: a.one\n{line}\ntext\n")).unwrap_err();
            assert_eq!(e.line, 2, "{line}");
            assert!(e.message.contains(&format!("did you mean '# {directive}:'")), "{line}: {}", e.message);
        }
        // Comments that only happen to have a colon stay comments.
        for line in ["# Note: a comment", "# TODO: more", "# see: https://example.com", "# a comment: with a colon"] {
            assert!(parse(Path::new("f.txt"), &format!("# expect: a.one\n{line}\ntext\n")).is_ok(), "{line}");
        }
        let e = parse(Path::new("f.txt"), "# kind: rpely\n# expect: a.one\ntext\n").unwrap_err();
        assert!(e.message.contains("unknown post kind 'rpely' (valid: submission, comment"), "{}", e.message);
    }

    #[test]
    fn names_lines() {
        let cases = parse(Path::new("f.txt"), "# expect: a.one, kind:need\n# ok: a.two\ntext\n").unwrap();
        assert_eq!(cases[0].named, [("a.one".to_string(), 1), ("kind:need".to_string(), 1), ("a.two".to_string(), 2)]);
    }

    #[test]
    fn unannotated_case_is_an_error() {
        let e = parse(Path::new("f.txt"), "just text\n").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
