//! Expertise: signs that the author knows the domain — dense technical
//! vocabulary (identifiers, version numbers, acronyms, units), code of their
//! own, and answers the community accepted.

use super::{kinds, AnalyzeError, Analyzer, Document, Signal, Wants};
use crate::model::RegionKind;
use std::sync::Arc;

/// Share of technical tokens from which the vocabulary counts as dense.
const DENSITY: f32 = 0.06;
/// Fewest technical tokens for a vocabulary signal.
const MIN_TERMS: usize = 4;

/// Emits `expertise` signals.
#[derive(Debug)]
pub struct Expertise {
    kind: Arc<str>,
    id: Arc<str>,
    vocabulary: Arc<str>,
    accepted: Arc<str>,
    code: Arc<str>,
}

impl Default for Expertise {
    fn default() -> Self {
        Expertise {
            kind: kinds::EXPERTISE.into(),
            id: "expertise".into(),
            vocabulary: "expertise.vocabulary".into(),
            accepted: "expertise.accepted".into(),
            code: "expertise.code".into(),
        }
    }
}

/// Whether a word looks like domain vocabulary: an identifier (camelCase,
/// snake_case, dotted), a version or model number, or an acronym.
pub fn is_technical(word: &str) -> bool {
    // Most words are plain ("tool", "Hello"): decided without counting.
    let bytes = word.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_alphabetic) && bytes[1..].iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let digits = word.chars().filter(|c| c.is_ascii_digit()).count();
    let upper = word.chars().filter(|c| c.is_uppercase()).count();
    if letters == 0 {
        return false;
    }
    let camel = word.chars().skip(1).any(|c| c.is_uppercase()) && word.chars().any(|c| c.is_lowercase());
    let acronym = upper >= 2 && upper == letters && word.len() <= 6;
    (digits > 0 && letters > 0) || camel || acronym || word.contains('_')
}

impl Analyzer for Expertise {
    fn id(&self) -> &str {
        &self.id
    }

    fn kinds(&self) -> Vec<String> {
        vec![kinds::EXPERTISE.to_string()]
    }

    fn wants(&self, _post: &crate::Post) -> Wants {
        // Adds to what the rule packs find; never a reason to analyze.
        Wants::Alongside
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let mut push = |rule: &Arc<str>, start: usize, end: usize, weight: f32| {
            out.push(Signal {
                kind: Arc::clone(&self.kind),
                analyzer: Arc::clone(&self.id),
                rule: Arc::clone(rule),
                start,
                end,
                weight,
            });
        };
        let technical: Vec<usize> = (0..doc.tokens.len())
            .filter(|&i| !doc.tokens[i].quoted && is_technical(doc.word(i)))
            .collect();
        let own = doc.tokens.iter().filter(|t| !t.quoted).count().max(1);
        if technical.len() >= MIN_TERMS && technical.len() as f32 / own as f32 >= DENSITY {
            let (first, last) = (technical[0], technical[technical.len() - 1]);
            let span = doc.span(first, last);
            push(&self.vocabulary, span.start, span.end, 0.5);
        }
        if let Some((_, r)) = doc.regions.iter().find(|(k, r)| *k == RegionKind::Code && r.len() >= 40) {
            push(&self.code, r.start, r.end, 0.4);
        }
        if doc.post.accepted && !doc.tokens.is_empty() {
            let span = doc.span(0, doc.tokens.len() - 1);
            push(&self.accepted, span.start, span.end, 0.8);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_technical;

    #[test]
    fn technical_words() {
        for w in ["GLSL", "SetLayout", "boxNodes_", "IntVector3", "v2", "x86", "HLSL"] {
            assert!(is_technical(w), "{w}");
        }
        for w in ["the", "Hello", "I", "tool", "2020", "a", "Über", "naïve"] {
            assert!(!is_technical(w), "{w}");
        }
    }
}
