//! [`Document`]: a post's text prepared for analysis — word tokens with byte
//! offsets (from the `tokenizers` BERT pre-tokenizer) and sentences. The
//! normalized form of a token ([`Document::norm`]) is computed on demand.
//!
//! The analyzed text is the title, a blank line, the body, and — for a
//! submission that points elsewhere — a blank line and its link. Offsets of
//! signals are byte offsets into this text; [`Document::body_offset`] says
//! where the body starts.

use super::normalize::normalize;
use crate::model::{Post, RegionKind};
use std::borrow::Cow;
use std::ops::Range;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::{OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer};

/// One word token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte range in [`Document::text`].
    pub start: usize,
    /// End of the byte range, exclusive.
    pub end: usize,
    /// Index of the sentence it belongs to.
    pub sentence: usize,
    /// Set when the token lies in quoted text.
    pub quoted: bool,
}

/// A post's text prepared for analysis.
#[derive(Debug)]
pub struct Document<'p> {
    /// The post.
    pub post: &'p Post,
    /// Title, blank line, body (and the submission's link, if any):
    /// borrowed from the post when it is the body alone.
    pub text: Cow<'p, str>,
    /// Where the body starts in `text`.
    pub body_offset: usize,
    /// Word tokens outside code, in order. Punctuation is not a token.
    pub tokens: Vec<Token>,
    /// Sentence byte ranges in `text`.
    pub sentences: Vec<Range<usize>>,
    /// Whether each sentence ends with a question mark.
    pub questions: Vec<bool>,
    /// Regions of `text` (quotes and code), shifted from the body's.
    pub regions: Vec<(RegionKind, Range<usize>)>,
}

impl<'p> Document<'p> {
    /// Prepares a post for analysis.
    pub fn new(post: &'p Post) -> Self {
        let (text, body_offset) = analyzed_text(post);
        let regions: Vec<(RegionKind, Range<usize>)> = post
            .regions
            .iter()
            .map(|r| (r.kind, r.start + body_offset..r.end + body_offset))
            .collect();
        let (sentences, questions) = split_sentences(&text);
        let links = link_ranges(&text);
        let mut doc = Document {
            post,
            text,
            body_offset,
            tokens: Vec::new(),
            sentences,
            questions,
            regions,
        };
        doc.tokenize(&links);
        doc
    }

    fn tokenize(&mut self, links: &[Range<usize>]) {
        let splits = pre_tokenize(&self.text);
        self.tokens.reserve(splits.len());
        let mut sentence = 0usize;
        let mut region = 0usize;
        let mut link = 0usize;
        for (start, end) in splits {
            let word = &self.text[start..end];
            if !word.chars().next().is_some_and(char::is_alphanumeric) {
                continue;
            }
            while link < links.len() && links[link].end <= start {
                link += 1;
            }
            if links.get(link).is_some_and(|l| l.start <= start) {
                // Words of a URL are not prose.
                continue;
            }
            while sentence + 1 < self.sentences.len() && self.sentences[sentence].end <= start {
                sentence += 1;
            }
            while region < self.regions.len() && self.regions[region].1.end <= start {
                region += 1;
            }
            let in_region = self
                .regions
                .get(region)
                .filter(|(_, r)| r.start <= start)
                .map(|(k, _)| *k);
            if in_region == Some(RegionKind::Code) {
                continue;
            }
            self.tokens.push(Token { start, end, sentence, quoted: in_region == Some(RegionKind::Quote) });
        }
    }

    /// The normalized form of token `i` (see [`normalize`]).
    pub fn norm(&self, i: usize) -> String {
        normalize(self.word(i))
    }

    /// The original text of token `i`.
    pub fn word(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.text[t.start..t.end]
    }

    /// Byte range in `text` covering tokens `first..=last`.
    pub fn span(&self, first: usize, last: usize) -> Range<usize> {
        self.tokens[first].start..self.tokens[last].end
    }

    /// Whether a byte range of `text` lies in the title.
    pub fn in_title(&self, range: &Range<usize>) -> bool {
        self.body_offset > 0 && range.end <= self.body_offset
    }
}

/// The text a [`Document`] analyzes for a post, and where its body starts:
/// the title, a blank line, the body, and — for a submission that points
/// elsewhere — a blank line and its link. Borrowed when it is the body.
pub fn analyzed_text(post: &Post) -> (Cow<'_, str>, usize) {
    let (mut text, body_offset) = match analyzed_title(post) {
        Some(title) => {
            let mut t = String::with_capacity(title.len() + 2 + post.body.len());
            t.push_str(title.trim_end());
            t.push_str("\n\n");
            let off = t.len();
            t.push_str(&post.body);
            (Cow::Owned(t), off)
        }
        None => (Cow::Borrowed(post.body.as_str()), 0),
    };
    if let Some(link) = &post.link {
        if !text.contains(link.as_str()) {
            let text = text.to_mut();
            text.push_str(if text.is_empty() { "" } else { "\n\n" });
            text.push_str(link);
        }
    }
    (text, body_offset)
}

/// The title a [`Document`] analyzes: the post's, unless it is blank.
pub fn analyzed_title(post: &Post) -> Option<&str> {
    post.title.as_deref().filter(|t| !t.trim().is_empty())
}

/// The byte ranges of the `tokenizers` BERT pre-tokenizer's splits: text
/// split at white space, each punctuation character a split of its own.
/// One pass over the text splits it directly, which gives the same splits
/// (a test checks both on real posts): ASCII by a table of byte classes,
/// other letters and digits as word characters, the common typographic
/// punctuation ([`TYPOGRAPHIC_PUNCTUATION`]) as splits of their own. A
/// piece between ASCII white space that holds any other character (emoji,
/// symbols, other white space) drops the splits made in it and goes to
/// the pre-tokenizer itself.
fn pre_tokenize(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut splits = Vec::with_capacity(text.len() / 5);
    // The piece being read starts after the last white space; `kept` is
    // the number of splits made before it.
    let (mut piece, mut kept) = (0usize, 0usize);
    let mut word: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match BYTE_CLASS[usize::from(bytes[i])] {
            ByteClass::Word => {
                word.get_or_insert(i);
            }
            ByteClass::Space => {
                if let Some(s) = word.take() {
                    splits.push((s, i));
                }
                (piece, kept) = (i + 1, splits.len());
            }
            ByteClass::Punctuation => {
                if let Some(s) = word.take() {
                    splits.push((s, i));
                }
                splits.push((i, i + 1));
            }
            ByteClass::Other => {
                // A non-ASCII character: `i` is on its first byte.
                let c = text.get(i..).and_then(|rest| rest.chars().next());
                if let Some(c) = c.filter(|c| c.is_alphanumeric()) {
                    word.get_or_insert(i);
                    i += c.len_utf8();
                    continue;
                }
                if let Some(c) = c.filter(|c| TYPOGRAPHIC_PUNCTUATION.contains(c)) {
                    if let Some(s) = word.take() {
                        splits.push((s, i));
                    }
                    splits.push((i, i + c.len_utf8()));
                    i += c.len_utf8();
                    continue;
                }
                // Any other character: the whole piece, cut at ASCII white
                // space (so it lies on character boundaries), goes to the
                // pre-tokenizer.
                let end = bytes[i..]
                    .iter()
                    .position(|&b| matches!(BYTE_CLASS[usize::from(b)], ByteClass::Space))
                    .map_or(bytes.len(), |n| i + n);
                splits.truncate(kept);
                split_with_tokenizers(&text[piece..end], piece, &mut splits);
                word = None;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if let Some(s) = word {
        splits.push((s, bytes.len()));
    }
    splits
}

/// What a byte is to [`pre_tokenize`].
#[derive(Clone, Copy)]
enum ByteClass {
    /// Part of a word: ASCII letters, digits and control bytes.
    Word,
    /// ASCII white space as `char::is_whitespace` has it: space, \t, \n,
    /// \x0B, \x0C, \r.
    Space,
    /// ASCII punctuation: a split of its own.
    Punctuation,
    /// The first byte of a non-ASCII character.
    Other,
}

const BYTE_CLASS: [ByteClass; 256] = {
    let mut table = [ByteClass::Other; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if matches!(c, b' ' | b'\t'..=b'\r') {
            ByteClass::Space
        } else if c.is_ascii_punctuation() {
            ByteClass::Punctuation
        } else {
            ByteClass::Word
        };
        b += 1;
    }
    table
};

/// Non-ASCII characters that are punctuation to the BERT pre-tokenizer and
/// common in posts: curly quotes, dashes, the ellipsis.
const TYPOGRAPHIC_PUNCTUATION: [char; 7] = ['\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2013}', '\u{2014}', '\u{2026}'];

/// Splits a piece with the `tokenizers` BERT pre-tokenizer.
fn split_with_tokenizers(piece: &str, offset: usize, splits: &mut Vec<(usize, usize)>) {
    let mut pre = PreTokenizedString::from(piece);
    if BertPreTokenizer.pre_tokenize(&mut pre).is_err() {
        return;
    }
    splits.extend(
        pre.get_splits(OffsetReferential::Original, OffsetType::Byte)
            .into_iter()
            .map(|(_, (s, e), _)| (offset + s, offset + e)),
    );
}

/// Byte ranges of URLs and bare domain paths (`github.com/a/b`).
fn link_ranges(text: &str) -> Vec<Range<usize>> {
    static LINK: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = LINK.get_or_init(|| {
        // ASCII word boundaries keep the fast DFA on non-ASCII text.
        regex::Regex::new(r"(?i)(?:(?-u:\b)(?:https?://|www\.)|(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|dev|app|co|me|info|edu|gov|ly|gl|gg|ai|xyz|html?|php)/)[^\s<>()\[\]]*")
            .unwrap_or_else(|e| panic!("link pattern: {e}"))
    });
    if !text.contains('/') && !text.contains("www.") {
        return Vec::new();
    }
    re.find_iter(text).map(|m| m.range()).collect()
}

/// The byte ranges of `text`'s sentences, as a [`Document`] splits them:
/// at line breaks, and after `.`, `!` or `?` followed by white space.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    split_sentences(text).0
}

/// Splits text into sentences: at line breaks, and after `.`, `!` or `?`
/// followed by white space.
fn split_sentences(text: &str) -> (Vec<Range<usize>>, Vec<bool>) {
    let bytes = text.as_bytes();
    let mut sentences = Vec::new();
    let mut questions = Vec::new();
    let mut start = 0usize;
    let mut push = |s: usize, e: usize, sentences: &mut Vec<Range<usize>>| {
        let slice = &text[s..e];
        let trimmed = slice.trim();
        if trimmed.is_empty() {
            return;
        }
        let lead = slice.len() - slice.trim_start().len();
        sentences.push(s + lead..s + lead + trimmed.len());
        questions.push(trimmed.ends_with('?') || trimmed.ends_with("?)") || trimmed.ends_with("?\""));
    };
    // The next line break and the next `.`, `!` or `?` at or after `i`
    // (`usize::MAX` when there is none), found with `memchr` and kept
    // until passed.
    let next_newline = |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(usize::MAX, |n| from + n);
    let next_mark = |from: usize| memchr::memchr3(b'.', b'!', b'?', &bytes[from..]).map_or(usize::MAX, |n| from + n);
    let (mut newline, mut mark) = (next_newline(0), next_mark(0));
    let mut i = 0usize;
    while i < bytes.len() {
        if newline < i {
            newline = next_newline(i);
        }
        if mark < i {
            mark = next_mark(i);
        }
        let at = newline.min(mark);
        if at >= bytes.len() {
            break;
        }
        let boundary_after = if bytes[at] == b'\n' {
            Some(at + 1)
        } else {
            let mut j = at + 1;
            while j < bytes.len() && matches!(bytes[j], b'.' | b'!' | b'?' | b')' | b'"') {
                j += 1;
            }
            (j >= bytes.len() || bytes[j].is_ascii_whitespace()).then_some(j)
        };
        match boundary_after {
            Some(end) => {
                push(start, end, &mut sentences);
                start = end;
                i = end;
            }
            None => i = at + 1,
        }
    }
    push(start, bytes.len(), &mut sentences);
    (sentences, questions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Region, Source};

    fn post(title: Option<&str>, body: &str) -> Post {
        let mut p = Post::new(Source::Generic, "1", crate::PostKind::Other);
        p.title = title.map(str::to_string);
        p.body = body.to_string();
        p
    }

    #[test]
    fn tokens_offsets_and_norms() {
        let p = post(Some("Show HN: a tool"), "I couldn't find one, so I built it.");
        let d = Document::new(&p);
        assert_eq!(d.body_offset, 17);
        let words: Vec<&str> = (0..d.tokens.len()).map(|i| d.word(i)).collect();
        assert_eq!(words, ["Show", "HN", "a", "tool", "I", "couldn", "t", "find", "one", "so", "I", "built", "it"]);
        let norms: Vec<String> = (4..d.tokens.len()).map(|i| d.norm(i)).collect();
        assert_eq!(norms, ["i", "could", "not", "find", "one", "so", "i", "build", "it"]);
        assert_eq!(d.sentences.len(), 2);
        assert_eq!(d.tokens[4].sentence, 1);
    }

    /// The splits of the `tokenizers` BERT pre-tokenizer itself.
    fn reference_splits(text: &str) -> Vec<(usize, usize)> {
        let mut pre = PreTokenizedString::from(text);
        BertPreTokenizer.pre_tokenize(&mut pre).unwrap();
        pre.get_splits(OffsetReferential::Original, OffsetType::Byte).into_iter().map(|(_, r, _)| r).collect()
    }

    #[test]
    fn splits_like_the_bert_pre_tokenizer() {
        let mut texts: Vec<String> = vec![
            "Hey friend!     How are you?!?".into(),
            "I couldn't find one -- so I built it (v2.0) @home #diy $40 <tag> a_b \\path\x0bx\x0cy\r\n\t end".into(),
            "\x01ctrl\x7f del ~tilde `tick` [x]{y}|z^w".into(),
            String::new(),
            "   ".into(),
            "!".into(),
        ];
        // Real posts of the bundled sample data, every format.
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.extend(text.lines().map(str::to_string));
                }
            }
        }
        texts.push("It’s “fine” — ok…\u{a0}non\u{2003}breaking — 日本語。 emoji🙂!".into());
        // Pieces split directly: letters, digits and typographic punctuation
        // of other scripts; and pieces that fall back after splits were made.
        texts.push("naïve café’s ‘quoted’ – Ünïcödé—dash ²³ Ⅻ 日本語 x…y “a”b ab’".into());
        texts.push("ab’c🙂d é,f\u{301}g h’i\u{a0}j k’l€m".into());
        for c in TYPOGRAPHIC_PUNCTUATION {
            texts.push(format!("a{c}b {c}{c} é{c}"));
        }
        // ASCII splits made before a piece turns out to hold other characters.
        texts.push("ab,c.d’e f(g)…h i-j k, l.m🙂 (n)".into());
        assert!(texts.len() > 50, "sample texts: {}", texts.len());
        assert!(texts.iter().any(|t| !t.is_ascii()) && texts.iter().any(|t| t.is_ascii()));
        for t in &texts {
            assert_eq!(pre_tokenize(t), reference_splits(t), "{t:?}");
        }
    }

    #[test]
    fn sentences_and_questions() {
        let p = post(None, "Has anyone built one? I did. It works!\nNext line");
        let d = Document::new(&p);
        let s: Vec<&str> = d.sentences.iter().map(|r| &d.text[r.clone()]).collect();
        assert_eq!(s, ["Has anyone built one?", "I did.", "It works!", "Next line"]);
        assert_eq!(d.questions, [true, false, false, false]);
        // Marks inside words, runs of marks, closing quotes and brackets,
        // blank lines, a text that ends without a break.
        let p = post(None, "v2.0 is out (really?) Wait...\"yes!\" ok\n\n e.g. this.Then that?)\nend.");
        let d = Document::new(&p);
        let s: Vec<&str> = d.sentences.iter().map(|r| &d.text[r.clone()]).collect();
        assert_eq!(s, ["v2.0 is out (really?)", "Wait...\"yes!\"", "ok", "e.g.", "this.Then that?)", "end."]);
        assert_eq!(d.questions, [true, false, false, false, true, false]);
    }

    #[test]
    fn links_are_not_words() {
        let p = post(None, "Code: https://github.com/a/tool-editor and github.com/b/c here");
        let d = Document::new(&p);
        let words: Vec<&str> = (0..d.tokens.len()).map(|i| d.word(i)).collect();
        assert_eq!(words, ["Code", "and", "here"]);
    }

    #[test]
    fn code_is_skipped_and_quotes_flagged() {
        let mut p = post(None, "quoted words here mine code");
        p.regions = vec![
            Region { kind: RegionKind::Quote, start: 0, end: 17 },
            Region { kind: RegionKind::Code, start: 23, end: 27 },
        ];
        let d = Document::new(&p);
        let flags: Vec<(&str, bool)> = (0..d.tokens.len()).map(|i| (d.word(i), d.tokens[i].quoted)).collect();
        assert_eq!(flags, [("quoted", true), ("words", true), ("here", true), ("mine", false)]);
    }
}
