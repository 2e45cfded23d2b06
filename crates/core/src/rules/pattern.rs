//! Token sequence patterns, compiled to regular expressions over the
//! normalized token stream (`" i build a tool "`).
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
//! (one or more). Phrases are patterns made of plain words only.

use crate::analyze::normalize::{normalize, triggers};
use std::collections::BTreeMap;

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledPattern {
    /// Regular expression over the token stream; a match starts at the
    /// space before its first token and ends with the space after its last.
    pub regex: String,
    /// For each required element, raw-text substrings one of which every
    /// matching post contains (empty when no element is required).
    pub required: Vec<Vec<String>>,
}

enum Element {
    Words(Vec<String>),
    Any,
    Gap(usize),
}

/// Compiles a pattern; `lexicons` resolves `[name]` references.
pub fn compile(pattern: &str, lexicons: &BTreeMap<String, Vec<String>>) -> Result<CompiledPattern, String> {
    let mut regex = String::new();
    let mut required_sets: Vec<Vec<String>> = Vec::new();
    let mut rest = pattern.trim();
    if rest.is_empty() {
        return Err("empty pattern".into());
    }
    let mut count = 0;
    while !rest.is_empty() {
        let (element, after) = element(rest, lexicons)?;
        let (quant, after) = match after.chars().next() {
            Some(q @ ('?' | '*' | '+')) => (Some(q), &after[1..]),
            _ => (None, after),
        };
        rest = after.trim_start();
        count += 1;
        let body = match &element {
            Element::Words(words) => {
                let alts: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
                if alts.len() == 1 {
                    format!(" {}", alts[0])
                } else {
                    format!(" (?:{})", alts.join("|"))
                }
            }
            Element::Any => " [^ ]+".to_string(),
            Element::Gap(n) => format!("(?: [^ ]+){{0,{n}}}"),
        };
        let required = quant.is_none() || quant == Some('+');
        if required {
            if let Element::Words(words) = &element {
                let mut t: Vec<String> = words.iter().flat_map(|w| triggers(w)).collect();
                t.sort();
                t.dedup();
                required_sets.push(t);
            }
        }
        match quant {
            None => regex.push_str(&body),
            Some(q) => {
                regex.push_str("(?:");
                regex.push_str(&body);
                regex.push(')');
                regex.push(q);
            }
        }
    }
    if count == 0 {
        return Err("empty pattern".into());
    }
    regex.push(' ');
    Ok(CompiledPattern {
        regex,
        required: required_sets,
    })
}

fn element<'a>(s: &'a str, lexicons: &BTreeMap<String, Vec<String>>) -> Result<(Element, &'a str), String> {
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
                return Ok((Element::Words(norm_words(words.iter().map(String::as_str))?), after));
            }
            let words: Vec<&str> = inner.split(',').map(str::trim).filter(|w| !w.is_empty()).collect();
            if words.is_empty() {
                return Err(format!("empty set '{}'", &s[..=end]));
            }
            Ok((Element::Words(norm_words(words.into_iter())?), after))
        }
        '_' => Ok((Element::Any, &s[1..])),
        '~' => {
            let digits: String = s[1..].chars().take_while(char::is_ascii_digit).collect();
            let n: usize = digits.parse().map_err(|_| format!("'~' needs a number in '{s}'"))?;
            Ok((Element::Gap(n), &s[1 + digits.len()..]))
        }
        '"' => {
            let end = s[1..].find('"').ok_or("unclosed '\"'")? + 1;
            Ok((Element::Words(norm_words(std::iter::once(&s[1..end]))?), &s[end + 1..]))
        }
        c if c.is_alphanumeric() || c == '\'' => {
            let end = s
                .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                .unwrap_or(s.len());
            Ok((Element::Words(norm_words(std::iter::once(&s[..end]))?), &s[end..]))
        }
        other => Err(format!("unexpected '{other}' in pattern")),
    }
}

/// Normalizes pattern words. A word with a hyphen or apostrophe stands for
/// the tokens the pre-tokenizer makes of it ("don't" -> "do not").
fn norm_words<'a>(words: impl Iterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for w in words {
        let parts: Vec<String> = w
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .map(normalize)
            .collect();
        if parts.is_empty() {
            return Err(format!("'{w}' has no word characters"));
        }
        out.push(parts.join(" "));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Splits a phrase into its normalized words joined by single spaces, with
/// a leading and trailing space, ready for matching on the stream.
pub fn phrase(text: &str) -> Result<String, String> {
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(normalize)
        .collect::<Vec<_>>();
    if words.is_empty() {
        return Err(format!("phrase '{text}' has no words"));
    }
    Ok(format!(" {} ", words.join(" ")))
}

/// Raw-text requirements of a phrase: the triggers of each of its words.
pub fn phrase_requirement(text: &str) -> Vec<Vec<String>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(triggers)
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

    #[test]
    fn compiles_elements() {
        let p = compile("I [adverb]* {built, made} [a, an, my]? tool", &lex()).unwrap();
        assert_eq!(p.regex, " i(?: (?:final|just))* (?:build|make)(?: (?:a|an|my))? tool ");
        let re = regex::Regex::new(&p.regex).unwrap();
        assert!(re.is_match(" so i final make my tool "));
        assert!(!re.is_match(" i make the tool "));
        assert_eq!(p.required.len(), 3, "{:?}", p.required);
    }

    #[test]
    fn gaps_and_any() {
        let p = compile("is there ~3 tool", &lex()).unwrap();
        let re = regex::Regex::new(&p.regex).unwrap();
        assert!(re.is_match(" be there a good free tool "));
        assert!(!re.is_match(" be there a b c d tool "));
    }

    #[test]
    fn errors() {
        assert!(compile("[nope] x", &lex()).unwrap_err().contains("unknown lexicon"));
        assert!(compile("{a, b", &lex()).is_err());
        assert!(compile("", &lex()).is_err());
    }

    #[test]
    fn phrases() {
        assert_eq!(phrase("so I made my own").unwrap(), " so i make my own ");
        assert_eq!(phrase("couldn't find").unwrap(), " could not find ");
    }
}
