//! Token sequence patterns, compiled to [`CompiledPattern`]s: lists of
//! elements over normalized tokens that [`super::matcher`] runs on a
//! document's token ids.
//!
//! | element | matches |
//! |---|---|
//! | `word` | one token with the same normalized form (any inflection) |
//! | `{a, b, c}` or `[a, b, c]` | one token that is any of the words |
//! | `[name]` | one token from the pack's lexicon `name` |
//! | `_` | any one token |
//! | `~N` | up to N tokens |
//!
//! Any element may be followed by `?` (optional), `*` (any number) or `+`
//! (one or more). Quantifiers are greedy. Phrases are patterns made of plain
//! words only.

use super::prefilter::{word_triggers, Requirement};
use crate::analyze::normalize::normalize;
use std::collections::BTreeMap;

/// Repetition bound standing for "any number".
pub const UNBOUNDED: u32 = u32::MAX;

/// What one repetition of an element matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// One of these normalized words; a word may stand for several tokens
    /// ("don't" is `["do", "not"]`).
    Words(Vec<Vec<String>>),
    /// Any one token.
    Any,
}

/// One element of a pattern with its repetition bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// What one repetition matches.
    pub step: Step,
    /// Fewest repetitions.
    pub min: u32,
    /// Most repetitions ([`UNBOUNDED`] for `*` and `+`).
    pub max: u32,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledPattern {
    /// The elements, in order.
    pub elements: Vec<Element>,
    /// For each required element, raw-text triggers one of which every
    /// matching post contains (empty when no element is required).
    pub required: Requirement,
}

enum ParsedPattern {
    Words(Vec<Vec<String>>),
    Any,
    Gap(u32),
}

/// Compiles a pattern; `lexicons` resolves `[name]` references.
pub fn compile(pattern: &str, lexicons: &BTreeMap<String, Vec<String>>) -> Result<CompiledPattern, String> {
    let mut elements = Vec::new();
    let mut required_sets: Requirement = Vec::new();
    let mut rest = pattern.trim();
    if rest.is_empty() {
        return Err("empty pattern".into());
    }
    while !rest.is_empty() {
        let (parsed, after) = element(rest, lexicons)?;
        let (quant, after) = match after.chars().next() {
            Some(q @ ('?' | '*' | '+')) => (Some(q), &after[1..]),
            _ => (None, after),
        };
        rest = after.trim_start();
        let (lo, hi) = match quant {
            None => (1, 1),
            Some('?') => (0, 1),
            Some('*') => (0, UNBOUNDED),
            _ => (1, UNBOUNDED),
        };
        let element = match parsed {
            ParsedPattern::Words(words) => {
                if lo > 0 {
                    // A word of several tokens ("do not") needs its first.
                    let mut t: Vec<_> = words.iter().flat_map(|w| word_triggers(&w[0])).collect();
                    t.sort();
                    t.dedup();
                    required_sets.push(t);
                }
                Element { step: Step::Words(words), min: lo, max: hi }
            }
            ParsedPattern::Any => Element { step: Step::Any, min: lo, max: hi },
            // A gap is optional whatever its quantifier; `*` and `+` lift its bound.
            ParsedPattern::Gap(n) => Element { step: Step::Any, min: 0, max: if hi == UNBOUNDED { UNBOUNDED } else { n } },
        };
        elements.push(element);
    }
    Ok(CompiledPattern { elements, required: required_sets })
}

fn element<'a>(s: &'a str, lexicons: &BTreeMap<String, Vec<String>>) -> Result<(ParsedPattern, &'a str), String> {
    let first = s.chars().next().ok_or("unexpected end of pattern")?;
    match first {
        '{' | '[' => {
            let close = if first == '{' { '}' } else { ']' };
            let end = s.find(close).ok_or_else(|| format!("missing '{close}' in '{s}'"))?;
            let inner = s[1..end].trim();
            let after = &s[end + 1..];
            if first == '[' && !inner.contains(',') && !inner.contains(' ') {
                let words = lexicons
                    .get(inner)
                    .ok_or_else(|| format!("unknown lexicon '[{inner}]' (define it under [lexicons])"))?;
                if words.is_empty() {
                    return Err(format!("lexicon '{inner}' is empty"));
                }
                return Ok((ParsedPattern::Words(norm_words(words.iter().map(String::as_str))?), after));
            }
            let words: Vec<&str> = inner.split(',').map(str::trim).filter(|w| !w.is_empty()).collect();
            if words.is_empty() {
                return Err(format!("empty set '{}'", &s[..=end]));
            }
            Ok((ParsedPattern::Words(norm_words(words.into_iter())?), after))
        }
        '_' => Ok((ParsedPattern::Any, &s[1..])),
        '~' => {
            let digits: String = s[1..].chars().take_while(char::is_ascii_digit).collect();
            let n: u32 = digits.parse().map_err(|_| format!("'~' needs a number in '{s}'"))?;
            Ok((ParsedPattern::Gap(n), &s[1 + digits.len()..]))
        }
        '"' => {
            let end = s[1..].find('"').ok_or("unclosed '\"'")? + 1;
            Ok((ParsedPattern::Words(norm_words(std::iter::once(&s[1..end]))?), &s[end + 1..]))
        }
        c if c.is_alphanumeric() || c == '\'' => {
            let end = s
                .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                .unwrap_or(s.len());
            Ok((ParsedPattern::Words(norm_words(std::iter::once(&s[..end]))?), &s[end..]))
        }
        other => Err(format!("unexpected '{other}' in pattern")),
    }
}

/// Normalizes pattern words. A word with a hyphen or apostrophe stands for
/// the tokens the pre-tokenizer makes of it ("don't" -> "do not"). Longer
/// alternatives come first, so the longest one is tried first.
fn norm_words<'a>(words: impl Iterator<Item = &'a str>) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    for w in words {
        out.push(split_normalized(w).ok_or_else(|| format!("'{w}' has no word characters"))?);
    }
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    Ok(out)
}

/// The normalized tokens of a piece of pattern text; `None` without words.
fn split_normalized(text: &str) -> Option<Vec<String>> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(normalize)
        .collect();
    (!words.is_empty()).then_some(words)
}

/// Compiles a phrase: its normalized words, each matching one token.
pub fn phrase(text: &str) -> Result<CompiledPattern, String> {
    let words = split_normalized(text).ok_or_else(|| format!("phrase '{text}' has no words"))?;
    let elements = words
        .into_iter()
        .map(|w| Element { step: Step::Words(vec![vec![w]]), min: 1, max: 1 })
        .collect();
    Ok(CompiledPattern { elements, required: phrase_requirement(text) })
}

/// Raw-text requirements of a phrase: the triggers of each of its words.
fn phrase_requirement(text: &str) -> Requirement {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(word_triggers)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> BTreeMap<String, Vec<String>> {
        let mut m = BTreeMap::new();
        m.insert("adverb".into(), vec!["just".into(), "finally".into()]);
        m
    }

    fn words(w: &[&str]) -> Step {
        Step::Words(w.iter().map(|x| x.split(' ').map(String::from).collect()).collect())
    }

    #[test]
    fn compiles_elements() {
        let p = compile("I [adverb]* {built, made} [a, an, my]? tool", &lex()).unwrap();
        let shape: Vec<(Step, u32, u32)> = p.elements.into_iter().map(|e| (e.step, e.min, e.max)).collect();
        assert_eq!(
            shape,
            vec![
                (words(&["i"]), 1, 1),
                (words(&["final", "just"]), 0, UNBOUNDED),
                (words(&["build", "make"]), 1, 1),
                (words(&["a", "an", "my"]), 0, 1),
                (words(&["tool"]), 1, 1),
            ]
        );
        assert_eq!(p.required.len(), 3, "{:?}", p.required);
    }

    #[test]
    fn gaps_any_and_multi_token_words() {
        let p = compile("is there ~3 _ {don't, need}", &lex()).unwrap();
        assert_eq!(p.elements[2], Element { step: Step::Any, min: 0, max: 3 });
        assert_eq!(p.elements[3], Element { step: Step::Any, min: 1, max: 1 });
        assert_eq!(p.elements[4].step, words(&["do not", "need"]), "longest alternative first");
    }

    #[test]
    fn errors() {
        assert!(compile("[nope] x", &lex()).unwrap_err().contains("unknown lexicon"));
        assert!(compile("{a, b", &lex()).is_err());
        assert!(compile("", &lex()).is_err());
        assert!(compile("~x", &lex()).is_err());
    }

    #[test]
    fn phrases() {
        let norm = |t: &str| -> Vec<Step> { phrase(t).unwrap().elements.into_iter().map(|e| e.step).collect() };
        assert_eq!(norm("so I made my own"), ["so", "i", "make", "my", "own"].map(|w| words(&[w])));
        assert_eq!(norm("couldn't find"), ["could", "not", "find"].map(|w| words(&[w])));
        assert!(phrase("--").is_err());
    }
}
