//! The one check of rule packs that every command runs (`scan`, `eval`,
//! `test`, `rules check`, ...): user packs compile together with the
//! built-in ones (copies of built-in packs are recognized and not loaded
//! twice), and every rule emits a kind that counts somewhere, so a typo
//! such as `kind = "soluton"` is an error instead of a rule that silently
//! scores nothing.

use super::builtin;
use super::engine::RuleEngine;
use super::pack::{Pack, PackError};
use crate::analyze::{kinds, ResponseKind};
use std::collections::BTreeSet;

/// The signal kinds a rule may emit: those some label's weights list,
/// those loaded plugins declare, `false_friend` (a rule that only cancels)
/// and reactions (`response.*`).
#[derive(Debug, Clone, Default)]
pub struct KnownKinds {
    kinds: BTreeSet<String>,
}

impl KnownKinds {
    /// The kinds that count: those some label's weights list
    /// (`Weights::kinds`) and those loaded plugins declare.
    pub fn new<'a>(kinds: impl IntoIterator<Item = &'a str>) -> KnownKinds {
        let mut kinds: BTreeSet<String> = kinds.into_iter().map(str::to_string).collect();
        kinds.insert(kinds::FALSE_FRIEND.to_string());
        KnownKinds { kinds }
    }

    /// Whether a rule may emit `kind`.
    pub fn contains(&self, kind: &str) -> bool {
        self.kinds.contains(kind) || ResponseKind::of(kind).is_some_and(|r| !r.reaction().is_empty())
    }

    /// The known kinds, comma separated, for messages.
    pub fn list(&self) -> String {
        let mut all: Vec<&str> = self.kinds.iter().map(String::as_str).collect();
        all.push("response.*");
        all.join(", ")
    }
}

/// Packs that passed [`check`].
#[derive(Debug)]
pub struct Checked {
    /// The built-in packs and the user's, compiled together.
    pub engine: RuleEngine,
    /// The user's packs that were loaded beside the built-in ones.
    pub user: Vec<Pack>,
    /// The user's packs that are exact copies of a built-in pack (the
    /// repository's `crates/core/rules/*.toml`): already loaded, not twice.
    pub copies: Vec<Pack>,
}

/// Checks `user` packs together with the built-in ones and compiles them:
/// compile errors (duplicate ids, bad patterns, unknown post kinds, a
/// `cancels` that reaches no rule) and rules whose kind, or whose `near`
/// kinds, no weights, plugin or rule know. Every error points to a file
/// and line.
pub fn check(user: &[Pack], known: &KnownKinds) -> Result<Checked, Vec<PackError>> {
    let (copies, user): (Vec<Pack>, Vec<Pack>) = user.iter().cloned().partition(builtin::is_copy);
    let mut all = builtin::packs().map_err(|e| vec![e])?;
    all.extend(user.iter().cloned());
    let engine = RuleEngine::new(&all).map_err(|e| vec![e])?;
    let errors = unknown_kinds(&all, known);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked { engine, user, copies })
}

/// The rules of `packs` whose kind is not known, and the `near` rules
/// whose kinds neither are known nor are emitted by a rule of `packs`.
pub fn unknown_kinds(packs: &[Pack], known: &KnownKinds) -> Vec<PackError> {
    let emitted: BTreeSet<&str> = packs.iter().flat_map(|p| &p.file.rules).map(|r| r.kind.get_ref().as_str()).collect();
    let mut errors = Vec::new();
    for pack in packs {
        for def in &pack.file.rules {
            let kind = def.kind.get_ref();
            if !known.contains(kind) {
                errors.push(pack.error_at(
                    def.kind.span().start,
                    format!(
                        "rule '{}': kind '{kind}' counts for no label: it is not in the weights (known: {}) and no loaded plugin declares it; \
                         to add a new kind, give it a weight under a label's `kinds` in a weights file (--weights)",
                        def.id.get_ref(),
                        known.list()
                    ),
                ));
            }
            if let Some(near) = &def.near {
                for k in [&near.first, &near.then] {
                    if !known.contains(k) && !emitted.contains(k.as_str()) {
                        errors.push(pack.error_at(
                            def.id.span().start,
                            format!("rule '{}': `near` names kind '{k}', which no rule, plugin or weights know", def.id.get_ref()),
                        ));
                    }
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> KnownKinds {
        KnownKinds::new(crate::score::Weights::builtin().kinds().into_iter().chain(["plugin_kind"]))
    }

    fn errors(src: &str) -> Vec<String> {
        let pack = Pack::parse("u.toml", src).expect("parses");
        match check(&[pack], &known()) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    const HEAD: &str = "[pack]\nid = \"u\"\n\n[[rule]]\nid = \"u.one\"\n";

    #[test]
    fn known_kinds_pass() {
        for kind in ["solution", "need_others", "plugin_kind", "false_friend", "response.buy"] {
            assert_eq!(errors(&format!("{HEAD}kind = \"{kind}\"\nphrases = [\"my jig\"]\n")), Vec::<String>::new(), "{kind}");
        }
    }

    #[test]
    fn unknown_kinds_are_errors_with_their_line() {
        let e = errors(&format!("{HEAD}kind = \"soluton\"\nphrases = [\"my jig\"]\n"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("u.toml:6: rule 'u.one': kind 'soluton' counts for no label"), "{e:?}");
        assert!(e[0].contains("solution") && e[0].contains("--weights"), "{e:?}");
        let e = errors(&format!("{HEAD}kind = \"need_solution\"\nnear = {{ first = \"nede\", then = \"solution\", within = 5 }}\n"));
        assert!(e.len() == 1 && e[0].contains("`near` names kind 'nede'"), "{e:?}");
    }

    #[test]
    fn unknown_post_kinds_and_cancels_are_errors() {
        let e = errors(&format!("{HEAD}kind = \"solution\"\nphrases = [\"my jig\"]\nposts = [\"reply\", \"coment\"]\n"));
        assert!(e.len() == 1 && e[0].starts_with("u.toml:8: rule 'u.one': unknown post kind 'coment'"), "{e:?}");
        assert!(e[0].contains("submission, comment, question"), "{e:?}");
        let e = errors(&format!("{HEAD}kind = \"false_friend\"\nphrases = [\"my jig\"]\ncancels = [\"solutoin\"]\n"));
        assert!(e.len() == 1 && e[0].starts_with("u.toml:8: rule 'u.one': `cancels` names 'solutoin'"), "{e:?}");
        // A kind that only other packs' rules emit reaches nothing.
        let e = errors(&format!("{HEAD}kind = \"false_friend\"\nphrases = [\"my jig\"]\ncancels = [\"solution\"]\n"));
        assert!(e.len() == 1 && e[0].contains("name another pack's rule by its id"), "{e:?}");
        // Another pack's rule by id is fine.
        let e = errors(&format!("{HEAD}kind = \"false_friend\"\nphrases = [\"my jig\"]\ncancels = [\"solution.made-my-own\"]\n"));
        assert_eq!(e, Vec::<String>::new());
    }

    #[test]
    fn copies_of_builtin_packs_are_recognized() {
        let copy = Pack::parse("rules/need.toml", builtin::PACKS[1].1).expect("parses");
        let checked = check(&[copy], &known()).expect("a copy checks");
        assert_eq!((checked.user.len(), checked.copies.len()), (0, 1));
    }
}
