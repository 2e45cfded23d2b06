//! A stable, sorted, readable rendering of detections, for snapshot tests
//! of analyzers and rule packs (`leadminer snapshot`, the `testkit`).
//!
//! ```text
//! reddit x1a002  solution 0.963  user_innovation 0.963  need 0.119  commercial 0.100
//!   solution  solution.first-person-made-artifact  "I sewed a stretchy sleeve"
//!   sharing   sharing.repository-link  "github.com/sewingsam/sensor-sleeve"
//! ```
//!
//! Posts are sorted by source and id, signals by position then rule; only
//! posts with signals appear.

use crate::analyze::{Analysis, Analyzed, Document, Signal};
use crate::model::Post;
use crate::score::{score, Weights};
use std::fmt::Write;

/// Renders the detections of one post; empty when it has no signals.
pub fn render_post(analysis: &Analysis, weights: &Weights, post: &Post) -> String {
    let doc = Document::new(post);
    let Analyzed { signals, errors, .. } = analysis.run(&doc);
    render_signals(&doc, weights, &signals, &errors.iter().map(ToString::to_string).collect::<Vec<_>>())
}

/// Renders already computed signals of a document.
pub fn render_signals(doc: &Document<'_>, weights: &Weights, signals: &[Signal], errors: &[String]) -> String {
    if signals.is_empty() && errors.is_empty() {
        return String::new();
    }
    let (scores, _) = score(weights, signals);
    let post = doc.post;
    let mut out = String::new();
    let _ = write!(out, "{} {}", post.source, post.id);
    for (label, score) in scores.iter() {
        let _ = write!(out, "  {label} {score:.3}");
    }
    out.push('\n');
    let mut sorted: Vec<&Signal> = signals.iter().collect();
    sorted.sort_by(|a, b| (a.start, a.end, &a.rule).cmp(&(b.start, b.end, &b.rule)));
    for s in sorted {
        let text = doc.text.get(s.start..s.end).unwrap_or("").replace('\n', " ");
        let _ = writeln!(out, "  {:<14} {:<44} \"{}\"", s.kind, s.rule, text);
    }
    for e in errors {
        let _ = writeln!(out, "  error: {e}");
    }
    out
}

/// Renders many posts, sorted by source and id.
pub fn render(analysis: &Analysis, weights: &Weights, posts: &[Post]) -> String {
    let mut sorted: Vec<&Post> = posts.iter().collect();
    sorted.sort_by(|a, b| (a.source, &a.id).cmp(&(b.source, &b.id)));
    let mut out = String::new();
    for post in sorted {
        let block = render_post(analysis, weights, post);
        if !block.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&block);
        }
    }
    out
}
