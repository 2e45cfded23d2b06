//! Keyphrases of a post: the content words and two-word phrases of its own
//! text (the title first, then the body; quotes and code left out), keyed
//! by their normalized forms so that "3d printer" and "3D printers" are one
//! phrase. No external model: the tokens are those of the [`Document`].

use crate::analyze::normalize::{lowercase_into, normalize_into};
#[cfg(test)]
use crate::analyze::normalize::normalize;
use crate::analyze::Document;
// Keyphrases are short: held inline (up to 24 bytes), they cost no
// allocation.
use compact_str::CompactString;

/// At most this many keyphrases are taken from one post.
pub const MAX_PER_POST: usize = 24;

/// A keyphrase: its key (normalized words joined by a space) and the text
/// as first written (lower case).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Keyphrase {
    /// Normalized form: equal for inflections of the same words.
    pub key: CompactString,
    /// The words as written, in lower case.
    pub surface: CompactString,
}

/// Function words, and the words every need or solution post uses, which
/// name no topic.
const STOPWORDS: &[&str] = &[
    "about", "above", "actually", "after", "again", "against", "all", "almost", "already", "also", "although",
    "always", "am", "among", "an", "and", "another", "any", "anybody", "anyone", "anything", "anyway", "are",
    "around", "as", "ask", "asked", "at", "available", "away", "back", "bad", "based", "be", "because", "been",
    "before", "being", "below", "best", "better", "between", "big", "bit", "both", "build", "building", "built",
    "but", "by", "can", "cannot", "cant", "could", "couldn", "create", "created", "day", "days", "did", "didn",
    "different", "do", "does", "doesn", "doing", "don", "done", "down", "during", "each", "easy", "either",
    "else", "enough", "etc", "even", "ever", "every", "everyone", "everything", "example", "few", "find",
    "first", "for", "found", "free", "from", "full", "get", "gets", "getting", "give", "go", "goes", "going",
    "good", "got", "great", "had", "has", "hasn", "have", "haven", "having", "he", "hello", "help", "her",
    "here", "hey", "hi", "him", "his", "how", "however", "idea", "ideas", "if", "in", "into", "is", "isn", "it",
    "its", "just", "keep", "kind", "know", "last", "later", "least", "less", "let", "like", "little", "long",
    "look", "looking", "lot", "lots", "made", "make", "makes", "making", "many", "may", "maybe", "me", "might",
    "mine", "more", "most", "much", "must", "my", "myself", "need", "needed", "needs", "never", "new", "next",
    "nice", "no", "not", "nothing", "now", "of", "off", "often", "old", "on", "once", "one", "only", "or",
    "other", "others", "our", "out", "over", "own", "part", "people", "please", "pretty", "problem", "problems",
    "project", "put", "question", "quite", "rather", "really", "right", "said", "same", "say", "see", "seems",
    "set", "she", "should", "show", "simple", "since", "small", "so", "solution", "some", "someone",
    "something", "soon", "still", "stuff", "such", "sure", "take", "than", "thank", "thanks", "that", "the",
    "their", "them", "then", "there", "these", "they", "thing", "things", "think", "this", "those", "though",
    "through", "time", "times", "to", "too", "tried", "try", "trying", "two", "under", "until", "up", "us",
    "use", "used", "useful", "uses", "using", "very", "want", "wanted", "was", "wasn", "way", "ways", "we",
    "well", "went", "were", "what", "when", "where", "whether", "which", "while", "who", "whole", "why",
    "will", "with", "without", "won", "work", "worked", "working", "works", "would", "wouldn", "wrote", "year",
    "years", "yes", "yet", "you", "your", "yours", "able", "add", "added", "via", "per", "lol", "http",
    "https", "www", "com", "org", "html", "ago", "week", "weeks", "month", "months", "today", "yesterday",
];

fn is_stopword(word: &str) -> bool {
    // A fixed fast hash: the set is small and its keys are not chosen by
    // an adversary, so SipHash's protection would only cost time.
    type Set = std::collections::HashSet<&'static str, ahash::RandomState>;
    static SET: std::sync::OnceLock<Set> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut set = Set::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4));
        set.extend(STOPWORDS.iter().copied());
        set
    })
    .contains(word)
}

/// Whether a lower-cased word can name a topic: three letters or more (or
/// two with a digit, as in "3d"), not only digits, not a stopword.
fn content(word: &str) -> bool {
    let digits = word.bytes().filter(u8::is_ascii_digit).count();
    let long_enough = word.len() >= 3 || (word.len() == 2 && digits == 1);
    long_enough && digits < word.len() && word.len() <= 30 && !is_stopword(word)
}

/// Whether the word at `start..end` of `text` stands alone: not part of an
/// address, a path, an identifier or an emoji code (`github.com/a/b`,
/// `foo_bar`, `:confetti_ball:`), whose words name no topic.
fn standalone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let mut after = text[end..].chars();
    let next = after.next();
    let joined = |c: Option<char>| matches!(c, Some('/' | '_' | '@' | '\\' | '=' | '#' | '&' | '~'));
    let dotted = matches!(next, Some('.' | ':')) && after.next().is_some_and(char::is_alphanumeric);
    !joined(before) && !joined(next) && !dotted && !matches!(before, Some('.' | ':'))
}

/// The keyphrases of a post: distinct, in order of first appearance (two-
/// word phrases right after their first word), at most [`MAX_PER_POST`].
pub fn keyphrases(doc: &Document<'_>) -> Vec<Keyphrase> {
    let mut out: Vec<Keyphrase> = Vec::new();
    // Whether `key` is not taken yet and there is room for it.
    let fits = |out: &[Keyphrase], key: &str| out.len() < MAX_PER_POST && !out.iter().any(|k| k.key == key);
    // The previous token's sentence, key and form when it was a content
    // word; buffers reused from token to token, so a word already taken
    // costs no allocation.
    let mut previous: Option<usize> = None;
    let (mut prev_key, mut prev_lower) = (String::new(), String::new());
    let (mut key, mut lowered, mut pair) = (String::new(), String::new(), String::new());
    for (i, token) in doc.tokens.iter().enumerate() {
        if out.len() >= MAX_PER_POST {
            break;
        }
        if token.quoted {
            previous = None;
            continue;
        }
        let word = doc.word(i);
        let lower: &str = if word.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            lowercase_into(&mut lowered, word);
            &lowered
        } else {
            word
        };
        if !content(lower) || !standalone(&doc.text, token.start, token.end) {
            previous = None;
            continue;
        }
        normalize_into(lower, &mut key);
        if fits(&out, &key) {
            out.push(Keyphrase { key: CompactString::from(key.as_str()), surface: CompactString::from(lower) });
        }
        if previous == Some(token.sentence) && prev_key != key {
            pair.clear();
            pair.push_str(&prev_key);
            pair.push(' ');
            pair.push_str(&key);
            if fits(&out, &pair) {
                let mut surface = CompactString::with_capacity(prev_lower.len() + 1 + lower.len());
                surface.push_str(&prev_lower);
                surface.push(' ');
                surface.push_str(lower);
                out.push(Keyphrase { key: CompactString::from(pair.as_str()), surface });
            }
        }
        previous = Some(token.sentence);
        std::mem::swap(&mut prev_key, &mut key);
        prev_lower.clear();
        prev_lower.push_str(lower);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostKind, Source};

    fn phrases(title: &str, body: &str) -> Vec<String> {
        let post = Post {
            title: Some(title.into()),
            body: body.into(),
            ..Post::new(Source::Reddit, "1", PostKind::Submission)
        };
        keyphrases(&Document::new(&post)).into_iter().map(|k| k.surface.to_string()).collect()
    }

    #[test]
    fn words_and_phrases_in_order() {
        assert_eq!(
            phrases("Solar diverter", "I built a solar diverter for my water heater."),
            ["solar", "diverter", "solar diverter", "water", "heater", "water heater"]
        );
    }

    #[test]
    fn stopwords_sentences_and_numbers_break_phrases() {
        assert_eq!(phrases("", "Heater. Pump 2024 and 3d printing"), ["heater", "pump", "3d", "printing", "3d printing"]);
    }

    #[test]
    fn words_of_addresses_identifiers_and_emoji_are_left_out() {
        assert_eq!(
            phrases("", "see github.com/urho/blob/master and foo_bar :confetti_ball: then lathe."),
            ["lathe"]
        );
    }

    #[test]
    fn inflections_share_a_key() {
        let post = Post { body: "printers and printer".into(), ..Post::new(Source::Reddit, "1", PostKind::Comment) };
        let keys: Vec<String> = keyphrases(&Document::new(&post)).into_iter().map(|k| k.key.to_string()).collect();
        assert_eq!(keys, [normalize("printer")]);
    }
}
