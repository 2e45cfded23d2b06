//! Pointers: the places where a post names another member as the one who
//! knows or made something — `@name` and `u/name` mentions, "ask name",
//! "thanks to name", "name's plugin", "name made one". Quoted text and code
//! are not read (a quote's pointers are its writer's; `@` in code is a
//! decorator or an annotation).
//!
//! Names found here are candidates: a scan keeps a pointer only when the
//! name is an author of the same site (an `@` or `u/` mention matched
//! without regard to case, a name in prose exactly as written), and never
//! when it names the post's own author.

use crate::model::{Region, RegionKind};
use regex::Regex;
use std::sync::OnceLock;

/// How a post points to someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Via {
    /// An `@name` or `u/name` mention: the name is a handle.
    Mention,
    /// A name in a phrase that recommends or credits its bearer.
    Named,
}

/// One candidate pointer in a text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pointer {
    /// The name as written.
    pub name: String,
    /// How it was found.
    pub via: Via,
    /// Byte range of the phrase that points, in the text.
    pub start: usize,
    /// End of that range (exclusive).
    pub end: usize,
}

/// At most this many pointers are taken from one post.
pub const MAX_PER_POST: usize = 16;

/// Words that are never names in prose ("ask the forum", "this's").
const NOT_NAMES: &[&str] = &[
    "a", "about", "all", "an", "and", "any", "anyone", "around", "for", "google", "he", "her", "here", "him", "his",
    "how", "i", "if", "in", "is", "it", "its", "me", "my", "on", "one", "our", "people", "she", "so", "somebody",
    "someone", "that", "the", "their", "them", "there", "they", "this", "those", "to", "us", "we", "what", "when",
    "where", "which", "who", "why", "you", "your", "everyone", "everybody", "else", "him/her", "yourself", "god",
    "today", "mine", "yours", "ours", "theirs", "other", "others", "some", "guys", "folks", "author", "op",
];

fn patterns() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let name = r"([A-Za-z0-9][A-Za-z0-9_.\-]{1,38}[A-Za-z0-9_])";
        let made = "made|wrote|built|created|has|did|posted|published|shared|ported|released";
        let thing = "plugin|plug-in|library|lib|tool|script|mod|addon|add-on|fork|port|repo|repository|code|project|\
                     branch|patch|sketch|version|firmware|board|design|build|kit|editor|framework|wrapper|bindings|\
                     extension|utility|app|program|implementation|shader|component|module";
        let pattern = format!(
            r"(?:^|[^A-Za-z0-9_@/.])(?:@|/?u/){name}|(?i:(?-u:\b)(?:ask|asking|thanks\s+to|thank\s+you|credit\s+to|kudos\s+to|shout[\s-]?out\s+to|contact|ping|message)\s+){name}(?-u:\b)|(?-u:\b){name}(?:'s|’s)\s+(?i:{thing})(?-u:\b)|(?-u:\b){name}\s+(?i:{made})\s+(?i:one|a|an|this|it|something|that|the)(?-u:\b)"
        );
        // Word boundaries are ASCII ones (names are ASCII): a Unicode `\b`
        // makes the regex engine leave its DFA for a far slower one on any
        // text with a non-ASCII byte, which was most of a scan's time. The
        // lazy DFA's cache is 8 MiB instead of 2: with the default it kept
        // being rebuilt (5 MB of comments: 4.6% fewer instructions in all,
        // 17 MB more peak memory on 200 MB at two threads).
        regex::RegexBuilder::new(&pattern)
            .dfa_size_limit(8 << 20)
            .build()
            .expect("the pointer pattern is valid")
    })
}

/// The candidate pointers of a text, outside its quote and code regions,
/// in text order, at most [`MAX_PER_POST`].
pub fn pointers(text: &str, regions: &[Region]) -> Vec<Pointer> {
    let skipped = |at: usize| regions.iter().any(|r| matches!(r.kind, RegionKind::Quote | RegionKind::Code) && r.range().contains(&at));
    let mut out = Vec::new();
    for caps in patterns().captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let Some((group, m)) = (1..=4).find_map(|i| caps.get(i).map(|m| (i, m))) else { continue };
        if skipped(m.start()) {
            continue;
        }
        let via = if group == 1 { Via::Mention } else { Via::Named };
        let name = m.as_str().trim_end_matches(['.', '-']);
        if via == Via::Named && (NOT_NAMES.contains(&name.to_ascii_lowercase().as_str()) || name.len() < 3) {
            continue;
        }
        // The phrase without the character that may precede a mention.
        let start = if group == 1 { text[whole.start()..m.start()].find(['@', 'u', '/']).map_or(m.start(), |i| whole.start() + i) } else { whole.start() };
        out.push(Pointer { name: name.to_string(), via, start, end: whole.end() });
        if out.len() == MAX_PER_POST {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, Via)> {
        pointers(text, &[]).into_iter().map(|p| (p.name, p.via)).collect()
    }

    #[test]
    fn mentions_and_named_phrases() {
        assert_eq!(names("@Lumak did this before, see also u/dev_42."), [("Lumak".into(), Via::Mention), ("dev_42".into(), Via::Mention)]);
        assert_eq!(names("You should ask weitjong about the build."), [("weitjong".into(), Via::Named)]);
        assert_eq!(names("I used rku's plugin for that."), [("rku".into(), Via::Named)]);
        assert_eq!(names("Sinoid made one last year."), [("Sinoid".into(), Via::Named)]);
        assert_eq!(names("Thanks to Modanung for the shader."), [("Modanung".into(), Via::Named)]);
    }

    #[test]
    fn what_is_not_a_pointer() {
        assert!(names("mail me at ann@example.com").is_empty(), "an address is not a mention");
        assert!(names("ask the forum, or ask anyone; it's done").is_empty());
        assert!(names("It has one wheel.").is_empty(), "a pronoun is not a name");
        let text = "see @Override below\n@Override void f()";
        let code = Region { kind: RegionKind::Code, start: 20, end: text.len() };
        let quote = Region { kind: RegionKind::Quote, start: 0, end: 19 };
        assert!(pointers(text, &[code, quote]).is_empty());
    }

    #[test]
    fn the_phrase_is_located() {
        let text = "hello @ann_b!";
        let p = &pointers(text, &[])[0];
        assert_eq!(&text[p.start..p.end], "@ann_b");
    }
}
