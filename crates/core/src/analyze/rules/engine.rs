//! The compiled rule engine: the phrases and sequence patterns of all packs
//! in one [`TokenMatcher`] over token ids, behind one prefilter, so a
//! thousand rules cost little more than ten.

use super::pack::{Pack, PackError, Scope, Suppressor};
use super::matcher::{Scratch, TokenMatcher};
use super::pattern::{compile, phrase};
use super::prefilter::{Need, Prefilter, WordScanner, Trigger};
use super::suppress;
use crate::analyze::document::{analyzed_text, analyzed_title};
use crate::analyze::{AnalyzeError, Analyzer, Document, Signal, Wants};
use regex::Regex;
use std::cell::RefCell;
use std::sync::Arc;

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The pack it belongs to.
    pub pack: Arc<str>,
    /// Its id.
    pub id: Arc<str>,
    /// The signal kind it emits.
    pub kind: Arc<str>,
    /// The weight of a match.
    pub weight: f32,
    /// What a match means.
    pub message: String,
    /// Active suppressors.
    pub suppress: Vec<Suppressor>,
    /// Where it looks.
    pub scope: Scope,
    /// Post kinds it applies to (empty: all).
    pub posts: Vec<String>,
    /// The ids of the rules whose signals it cancels where it overlaps
    /// them: those its `cancels` names, and those of its own pack that emit
    /// a kind it names.
    pub cancels: Vec<Arc<str>>,
    /// Proximity condition.
    pub near: Option<super::pack::Near>,
}

/// All loaded rule packs, compiled together.
#[derive(Debug)]
pub struct RuleEngine {
    rules: Vec<Rule>,
    matcher: TokenMatcher,
    /// The rule of each pattern of `matcher`.
    pattern_rule: Vec<usize>,
    /// Regular expressions on the raw text, with their rule and whether
    /// they have prefilter words (then they run only when one occurs).
    raw_regex: Vec<(Regex, usize, bool)>,
    /// The prefilter words of all regular expressions, in one automaton.
    regex_gate: Option<WordScanner>,
    /// Per word of `regex_gate`, the regular expression it opens.
    gate_opens: Vec<usize>,
    prefilter: Prefilter,
}

impl RuleEngine {
    /// Compiles packs; errors point to the pack file and line.
    pub fn new(packs: &[Pack]) -> Result<RuleEngine, PackError> {
        let mut rules = Vec::new();
        let mut patterns = Vec::new();
        let mut pattern_rule = Vec::new();
        let mut raw_regex = Vec::new();
        let mut gate_words: Vec<String> = Vec::new();
        let mut gate_opens: Vec<usize> = Vec::new();
        let mut all_needs: Vec<Need> = Vec::new();
        let mut seen_ids = std::collections::BTreeMap::new();
        for pack in packs {
            let pack_id: Arc<str> = pack.file.pack.id.as_str().into();
            for def in &pack.file.rules {
                let id_at = def.id.span().start;
                let id = def.id.get_ref().clone();
                if let Some(prev) = seen_ids.insert(id.clone(), pack.path.clone()) {
                    return Err(pack.error_at(id_at, format!("rule id '{id}' is already used in {}", prev.display())));
                }
                if !(def.weight > 0.0 && def.weight <= 1.0) {
                    return Err(pack.error_at(id_at, format!("rule '{id}': weight must be in (0, 1], not {}", def.weight)));
                }
                let has_patterns = !(def.phrases.is_empty() && def.sequences.is_empty() && def.regex.is_empty());
                if has_patterns == def.near.is_some() {
                    return Err(pack.error_at(
                        id_at,
                        format!("rule '{id}' needs either patterns (phrases, sequences, regex) or `near`, not both or neither"),
                    ));
                }
                for post in &def.posts {
                    if crate::model::PostKind::parse(post.get_ref()).is_none() {
                        return Err(pack.error_at(
                            post.span().start,
                            format!("rule '{id}': unknown post kind '{}' in `posts` (valid: {})", post.get_ref(), crate::model::PostKind::names()),
                        ));
                    }
                }
                let index = rules.len();
                let mut needs: Vec<Need> = Vec::new();
                for p in &def.phrases {
                    let compiled = phrase(p.get_ref()).map_err(|m| pack.error_at(p.span().start, m))?;
                    needs.push(Need { requirement: Some(compiled.required.clone()), check: None, owner: index });
                    patterns.push(compiled);
                    pattern_rule.push(index);
                }
                for s in &def.sequences {
                    let compiled = compile(s.get_ref(), &pack.file.lexicons)
                        .map_err(|m| pack.error_at(s.span().start, format!("in sequence: {m}")))?;
                    needs.push(Need { requirement: Some(compiled.required.clone()), check: None, owner: index });
                    patterns.push(compiled);
                    pattern_rule.push(index);
                }
                for r in &def.regex {
                    let re = Regex::new(r.get_ref()).map_err(|e| pack.error_at(r.span().start, format!("in regex: {e}")))?;
                    for word in &def.prefilter {
                        gate_words.push(word.clone());
                        gate_opens.push(raw_regex.len());
                    }
                    let words = (!def.prefilter.is_empty())
                        .then(|| vec![def.prefilter.iter().map(|w| Trigger::substring(w)).collect()]);
                    // Its words only hint at a match: the regex confirms it.
                    needs.push(Need { requirement: words, check: Some(raw_regex.len()), owner: index });
                    raw_regex.push((re, index, !def.prefilter.is_empty()));
                }
                // A false friend only cancels what other rules find: it
                // never makes a post worth analyzing by itself.
                if *def.kind.get_ref() != crate::analyze::kinds::FALSE_FRIEND {
                    all_needs.extend(needs);
                }
                rules.push(Rule {
                    pack: Arc::clone(&pack_id),
                    id: id.as_str().into(),
                    kind: def.kind.get_ref().as_str().into(),
                    weight: def.weight,
                    message: def.message.clone(),
                    suppress: def.suppress.clone().unwrap_or_else(|| Suppressor::ALL.to_vec()),
                    scope: def.scope,
                    posts: def.posts.iter().map(|p| p.get_ref().clone()).collect(),
                    cancels: Vec::new(),
                    near: def.near.clone(),
                });
            }
        }
        resolve_cancels(packs, &mut rules)?;
        let regex_gate = WordScanner::new(&gate_words, true);
        if regex_gate.is_none() && !gate_words.is_empty() {
            return Err(PackError { path: "rules".into(), line: 1, message: "regex prefilter words: too many to compile".into() });
        }
        Ok(RuleEngine {
            rules,
            matcher: TokenMatcher::new(&patterns),
            pattern_rule,
            raw_regex,
            regex_gate,
            gate_opens,
            prefilter: Prefilter::new(&all_needs),
        })
    }

    /// The compiled rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }

    /// Matches of the rules that can apply to the post: (rule index, first
    /// token, last token, byte span). For a regular expression that covers
    /// no word (a URL), the tokens are the nearest ones, used as context by
    /// the suppressors.
    fn matches(&self, doc: &Document<'_>) -> Vec<(usize, usize, usize, std::ops::Range<usize>)> {
        let applies = |rule: usize| can_apply(&self.rules[rule], doc.post);
        thread_local! {
            static SCRATCH: RefCell<(Vec<u32>, Scratch)> = RefCell::default();
        }
        let mut found = Vec::new();
        SCRATCH.with(|scratch| {
            let (ids, scratch) = &mut *scratch.borrow_mut();
            ids.clear();
            self.matcher.text_ids((0..doc.tokens.len()).map(|i| doc.word(i)), ids);
            let wanted = |pattern: usize| applies(self.pattern_rule[pattern]);
            self.matcher.find(ids, scratch, wanted, |pattern, a, b| {
                found.push((self.pattern_rule[pattern], a, b, doc.span(a, b)));
            });
        });
        if !doc.tokens.is_empty() && !self.raw_regex.is_empty() {
            // One pass finds which regular expressions' words occur.
            let mut open: Vec<bool> = self.raw_regex.iter().map(|(_, _, gated)| !gated).collect();
            if let Some(gate) = &self.regex_gate {
                gate.scan(&doc.text, |word| open[self.gate_opens[word]] = true);
            }
            for ((re, rule, _), open) in self.raw_regex.iter().zip(&open) {
                if !open || !applies(*rule) {
                    continue;
                }
                for m in re.find_iter(&doc.text) {
                    let first = doc.tokens.partition_point(|t| t.end <= m.start());
                    let last = doc.tokens.partition_point(|t| t.start < m.end());
                    let (a, b) = if first < last {
                        (first, last - 1)
                    } else {
                        let near = first.min(doc.tokens.len() - 1);
                        (near, near)
                    };
                    found.push((*rule, a, b, m.range()));
                }
            }
        }
        found.sort_unstable_by_key(|x| (x.0, x.1, x.2, x.3.start, x.3.end));
        found.dedup();
        found
    }

    /// Whether a match of a rule that can apply to the post stands: it lies
    /// where the rule looks, and no suppressor of the rule cancels it.
    fn applies(&self, rule: &Rule, doc: &Document<'_>, first: usize, last: usize, span: &std::ops::Range<usize>) -> bool {
        match rule.scope {
            Scope::Title if !doc.in_title(span) => return false,
            Scope::Body if doc.in_title(span) => return false,
            _ => {}
        }
        if rule.suppress.contains(&Suppressor::Quote) && in_quote(doc, span) {
            return false;
        }
        !rule.suppress.iter().any(|s| suppress::applies(*s, doc, first, last))
    }
}

/// Resolves what each rule's `cancels` names to rule ids: a kind reaches
/// the rules of the rule's own pack that emit it, and a rule id that rule,
/// whatever its pack. A name that reaches no rule is an error, so a typo
/// ("solutoin") does not silently cancel nothing. `rules` are the packs'
/// rules in order.
fn resolve_cancels(packs: &[Pack], rules: &mut [Rule]) -> Result<(), PackError> {
    let mut index = 0;
    for pack in packs {
        let own = index..index + pack.file.rules.len();
        for def in &pack.file.rules {
            let mut ids: Vec<Arc<str>> = Vec::new();
            for spanned in &def.cancels {
                let name = spanned.get_ref().as_str();
                let before = ids.len();
                ids.extend(rules[own.clone()].iter().filter(|r| &*r.kind == name).map(|r| Arc::clone(&r.id)));
                ids.extend(rules.iter().filter(|r| &*r.id == name).map(|r| Arc::clone(&r.id)));
                if ids.len() == before {
                    return Err(pack.error_at(
                        spanned.span().start,
                        format!(
                            "rule '{}': `cancels` names '{name}', which is neither a kind that a rule of pack '{}' emits nor a rule id (a kind reaches only the rules of its own pack; name another pack's rule by its id)",
                            def.id.get_ref(),
                            pack.file.pack.id
                        ),
                    ));
                }
            }
            ids.sort();
            ids.dedup();
            rules[index].cancels = ids;
            index += 1;
        }
    }
    Ok(())
}

/// Whether a rule can match anywhere in a post: it looks at posts of its
/// kind, and a title rule needs a title. Neither the prefilter nor the
/// matcher tries the others.
fn can_apply(rule: &Rule, post: &crate::Post) -> bool {
    let fits_kind = rule.posts.is_empty() || rule.posts.iter().any(|k| k == post.kind.as_str());
    fits_kind && (rule.scope != Scope::Title || analyzed_title(post).is_some())
}

/// Whether a byte span lies in a quote region.
fn in_quote(doc: &Document<'_>, span: &std::ops::Range<usize>) -> bool {
    doc.regions
        .iter()
        .any(|(k, r)| *k == crate::model::RegionKind::Quote && r.start <= span.start && span.start < r.end)
}

impl Analyzer for RuleEngine {
    fn id(&self) -> &str {
        "rules"
    }

    fn kinds(&self) -> Vec<String> {
        let mut k: Vec<String> = self.rules.iter().map(|r| r.kind.to_string()).collect();
        k.sort();
        k.dedup();
        k
    }

    fn wants(&self, post: &crate::Post) -> Wants {
        let title = post.title.as_deref().unwrap_or("");
        let link = post.link.as_deref().unwrap_or("");
        let mut text: Option<std::borrow::Cow<'_, str>> = None;
        let applies = |rule: usize| can_apply(&self.rules[rule], post);
        let candidate = self.prefilter.is_candidate(&[title, &post.body, link], applies, |regex| {
            let text = text.get_or_insert_with(|| analyzed_text(post).0);
            self.raw_regex[regex].0.is_match(text)
        });
        if candidate {
            Wants::Yes
        } else {
            Wants::No
        }
    }

    fn describe(&self, rule: &str) -> Option<String> {
        self.rule(rule).map(|r| r.message.clone()).filter(|m| !m.is_empty())
    }

    fn rules(&self) -> Option<Vec<String>> {
        Some(self.rules.iter().map(|r| r.id.to_string()).collect())
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let first_new = out.len();
        let mut cancelling: Vec<(usize, usize, usize)> = Vec::new();
        let mut matches = self.matches(doc);
        // By rule, then by start, longest first, so overlapping matches of
        // one rule keep the widest: a match overlaps an earlier one of its
        // rule exactly when it starts before the furthest end taken so far.
        matches.sort_by_key(|m| (m.0, m.3.start, std::cmp::Reverse(m.3.end)));
        let mut taken: Option<(usize, usize)> = None;
        for (rule_index, first, last, span) in matches {
            let rule = &self.rules[rule_index];
            if taken.is_some_and(|(r, end)| r == rule_index && span.start < end) {
                continue;
            }
            if !self.applies(rule, doc, first, last, &span) {
                continue;
            }
            let end = match taken {
                Some((r, end)) if r == rule_index => end.max(span.end),
                _ => span.end,
            };
            taken = Some((rule_index, end));
            if !rule.cancels.is_empty() {
                cancelling.push((rule_index, span.start, span.end));
            }
            out.push(Signal {
                kind: Arc::clone(&rule.kind),
                analyzer: Arc::clone(&rule.pack),
                rule: Arc::clone(&rule.id),
                start: span.start,
                end: span.end,
                weight: rule.weight,
            });
        }
        self.cancel(&cancelling, out, first_new);
        self.proximity(doc, out);
        Ok(())
    }
}

impl RuleEngine {
    /// Cancellation: a false friend removes the signals (from `first_new`
    /// on) it overlaps. Each signal looks only at the cancelling spans that
    /// can reach it, so a post with many of both costs no more than the
    /// overlaps it has.
    fn cancel(&self, cancelling: &[(usize, usize, usize)], out: &mut Vec<Signal>, first_new: usize) {
        if cancelling.is_empty() {
            return;
        }
        let mut by_start = cancelling.to_vec();
        by_start.sort_by_key(|c| (c.1, c.2, c.0));
        let longest = by_start.iter().map(|(_, a, b)| b - a).max().unwrap_or(0);
        let mut position = 0;
        out.retain(|s| {
            position += 1;
            if position <= first_new {
                return true;
            }
            // Spans starting before s.end and ending after s.start.
            let from = by_start.partition_point(|c| c.1 + longest <= s.start);
            let to = by_start.partition_point(|c| c.1 < s.end);
            !by_start[from..to.max(from)]
                .iter()
                .any(|(r, a, b)| s.start < *b && *a < s.end && self.rules[*r].cancels.iter().any(|id| **id == *s.rule))
        });
    }

    /// Proximity rules, over everything found so far: for each, the
    /// shortest span from a signal of its first kind to one of its second
    /// kind within its token distance (the earliest such pair in the order
    /// found, on a tie).
    fn proximity(&self, doc: &Document<'_>, out: &mut Vec<Signal>) {
        let token_of = |byte: usize| doc.tokens.partition_point(|t| t.start < byte);
        for rule in self.rules.iter().filter(|r| r.near.is_some()) {
            let Some(near) = &rule.near else { continue };
            // Second-kind signals by start, with their place in `out`.
            let mut then: Vec<(usize, usize)> =
                out.iter().enumerate().filter(|(_, s)| *s.kind == *near.then).map(|(i, s)| (s.start, i)).collect();
            then.sort_unstable();
            let mut best: Option<(usize, usize, usize)> = None;
            for (ai, a) in out.iter().enumerate().filter(|(_, s)| *s.kind == *near.first) {
                let from = then.partition_point(|(start, _)| *start < a.end);
                let end_token = token_of(a.end);
                for &(start, bi) in &then[from..] {
                    if token_of(start).saturating_sub(end_token) > near.within {
                        break;
                    }
                    let candidate = (out[bi].end - a.start, ai, bi);
                    if best.is_none_or(|b| candidate < b) {
                        best = Some(candidate);
                    }
                }
            }
            if let Some((_, ai, bi)) = best {
                let (start, end) = (out[ai].start, out[bi].end);
                out.push(Signal {
                    kind: Arc::clone(&rule.kind),
                    analyzer: Arc::clone(&rule.pack),
                    rule: Arc::clone(&rule.id),
                    start,
                    end,
                    weight: rule.weight,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostKind, Source};

    const PACK: &str = r#"
[pack]
id = "t"
description = "test"
version = "1"

[[rule]]
id = "t.title"
kind = "solution"
weight = 0.5
scope = "title"
phrases = ["released"]

[[rule]]
id = "t.reply"
kind = "response.adopt"
weight = 0.5
posts = ["comment"]
phrases = ["works great"]
"#;

    fn engine() -> RuleEngine {
        RuleEngine::new(&[Pack::parse("t.toml", PACK).expect("pack parses")]).expect("pack compiles")
    }

    fn post(kind: PostKind, title: Option<&str>, body: &str) -> Post {
        let mut p = Post::new(Source::Reddit, "p1", kind);
        p.title = title.map(str::to_string);
        p.body = body.into();
        p
    }

    /// Whether the rules find anything in a post, analyzed whatever the
    /// prefilter says.
    fn finds(engine: &RuleEngine, post: &Post) -> bool {
        let mut out = Vec::new();
        engine.analyze(&Document::new(post), &mut out).expect("rules do not fail");
        !out.is_empty()
    }

    #[test]
    fn word_ids_in_the_sample_data_are_those_of_their_normalized_forms() {
        use crate::analyze::normalize::normalize_uncached;
        let engine = RuleEngine::new(&crate::analyze::rules::builtin::packs().expect("built-in packs")).expect("compiles");
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
        let (posts, _) = crate::pipeline::read_all(&[data], &Default::default()).expect("sample data reads");
        let (mut words, mut known, mut skipped) = (0, 0, 0);
        for post in &posts {
            let doc = Document::new(post);
            let text: Vec<&str> = (0..doc.tokens.len()).map(|i| doc.word(i)).collect();
            let mut ids = Vec::new();
            engine.matcher.text_ids(text.iter().copied(), &mut ids);
            for (word, id) in text.iter().zip(ids) {
                assert_eq!(id, engine.matcher.id(&normalize_uncached(word)), "'{word}' in post {}", post.id);
                words += 1;
                known += usize::from(id != 0);
                skipped += usize::from(!engine.matcher.may_be_known(word));
            }
        }
        assert!(known > 100 && skipped > 50, "{words} words, {known} known, {skipped} not normalized");
    }

    #[test]
    fn the_prefilter_skips_rules_that_cannot_apply_to_the_post() {
        let engine = engine();
        let cases = [
            // A title rule: its words in a post without a title admit nothing.
            (post(PostKind::Comment, None, "I released it"), false),
            (post(PostKind::Submission, Some("  "), "I released it"), false),
            (post(PostKind::Submission, Some("Released: a jig"), "details"), true),
            // A rule for comments: only comments.
            (post(PostKind::Comment, None, "it works great"), true),
            (post(PostKind::Submission, None, "it works great"), false),
        ];
        for (post, candidate) in &cases {
            let what = format!("{:?} {:?} {:?}", post.kind, post.title, post.body);
            assert_eq!(engine.wants(post) == Wants::Yes, *candidate, "{what}");
            assert_eq!(finds(&engine, post), *candidate, "{what}");
        }
    }
}
