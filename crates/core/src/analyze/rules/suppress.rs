//! Suppressors: conditions in a match's context that cancel it.
//!
//! Each looks back from the first token of a match within its clause: the
//! look-back stops at a clause boundary (a comma, semicolon, colon or
//! bracket between two tokens, or a clause word such as "so" or "but").

use super::pack::Suppressor;
use crate::analyze::Document;

/// How many tokens before a match the negation and plan cues may stand.
const WINDOW: usize = 5;

/// Words that start a new clause: cues before them do not reach the match.
const CLAUSE_WORDS: &[&str] = &[
    "so", "but", "and", "then", "becaus", "sinc", "therefor", "thus", "which", "that", "when", "after",
    "befor", "until", "while", "or", "instead", "anyway", "now", "final",
];

/// Negation cues (normalized).
const NEGATION: &[&str] = &["not", "never", "no", "nobodi", "none", "neither", "nor"];

/// Plan and hypothetical cues (normalized): single words, or two-word cues
/// written "first second".
const HYPOTHETICAL: &[&str] = &[
    "would", "will", "could", "should", "might", "may", "plan", "intend", "wish", "if", "consid",
    "hope", "someday", "maybe", "go to", "want to", "think about", "think of", "tri to", "like to",
    "need to", "let", "whether", "idea",
];

/// Whether suppressor `s` cancels the match covering tokens `first..=last`.
pub fn applies(s: Suppressor, doc: &Document<'_>, first: usize, last: usize) -> bool {
    match s {
        Suppressor::Quote => (first..=last).any(|i| doc.tokens[i].quoted),
        Suppressor::Question => doc.questions.get(doc.tokens[first].sentence).copied().unwrap_or(false),
        Suppressor::Negation => cue_before(doc, first, NEGATION),
        Suppressor::Hypothetical => cue_before(doc, first, HYPOTHETICAL),
    }
}

/// Whether one of `cues` stands in the clause before token `first`.
fn cue_before(doc: &Document<'_>, first: usize, cues: &[&str]) -> bool {
    let sentence = doc.tokens[first].sentence;
    let mut i = first;
    let mut steps = 0;
    while i > 0 && steps < WINDOW {
        let prev = i - 1;
        if doc.tokens[prev].sentence != sentence {
            break;
        }
        let gap = &doc.text[doc.tokens[prev].end..doc.tokens[i].start];
        if gap.contains([',', ';', ':', '(', ')', '—', '–']) || gap.contains(" - ") {
            break;
        }
        let word = doc.norm(prev);
        let word = word.as_str();
        if CLAUSE_WORDS.contains(&word) {
            break;
        }
        for cue in cues {
            match cue.split_once(' ') {
                None if *cue == word => return true,
                Some((a, b)) if a == word && i < doc.tokens.len() && doc.norm(i) == b && i < first => return true,
                Some((a, b)) if a == word && i == first && doc.norm(i) == b => return true,
                _ => {}
            }
        }
        i = prev;
        steps += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostKind, Source};

    fn check(s: Suppressor, text: &str, word: &str) -> bool {
        let mut p = Post::new(Source::Generic, "1", PostKind::Other);
        p.body = text.to_string();
        let d = Document::new(&p);
        let i = (0..d.tokens.len()).find(|&i| d.word(i) == word).expect("word in text");
        applies(s, &d, i, i)
    }

    #[test]
    fn negation_in_clause_only() {
        assert!(check(Suppressor::Negation, "I never built one.", "built"));
        assert!(check(Suppressor::Negation, "I didn't make it.", "make"));
        assert!(!check(Suppressor::Negation, "I couldn't find one, so I built it.", "built"));
        assert!(!check(Suppressor::Negation, "I couldn't find one so I built it.", "built"));
    }

    #[test]
    fn plans_and_questions() {
        assert!(check(Suppressor::Hypothetical, "I'm going to build a dolly.", "build"));
        assert!(check(Suppressor::Hypothetical, "I would make one.", "make"));
        assert!(check(Suppressor::Hypothetical, "I'm thinking of building one.", "building"));
        assert!(!check(Suppressor::Hypothetical, "I went ahead and built one.", "built"));
        assert!(check(Suppressor::Question, "Has anyone built one? I did.", "built"));
        assert!(!check(Suppressor::Question, "Has anyone tried? I built one.", "built"));
    }
}
