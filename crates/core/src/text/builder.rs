//! [`TextBuilder`] accumulates plain text paragraph by paragraph and records
//! where quote and code regions start and end.

use crate::model::{Region, RegionKind};

/// Plain text with its quote and code regions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// The readable text.
    pub text: String,
    /// Regions over `text`, sorted by start offset, never empty.
    pub regions: Vec<Region>,
}

impl From<Text> for (String, Vec<Region>) {
    /// The text and its regions, as a post's body and regions
    /// (`Post::set_text`).
    fn from(text: Text) -> Self {
        (text.text, text.regions)
    }
}

/// Builds [`Text`]: collapses whitespace the way a browser shows it, keeps
/// paragraph and line breaks, and tracks open regions.
#[derive(Debug, Default)]
pub struct TextBuilder {
    out: String,
    regions: Vec<Region>,
    open: Vec<(RegionKind, usize)>,
    /// Pending separator before the next visible text: 0 none, 1 space,
    /// 2 line break, 3 paragraph break.
    pending: u8,
}

impl TextBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder with room for about `capacity` bytes of text.
    pub fn with_capacity(capacity: usize) -> Self {
        TextBuilder {
            out: String::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// Appends flowing text: runs of whitespace become one space, leading
    /// and trailing whitespace becomes a pending separator.
    pub fn push_flow(&mut self, s: &str) {
        // Words separated by single spaces are written as one run: the
        // same text as word by word, in one copy.
        let bytes = s.as_bytes();
        let mut run = 0;
        let mut i = 0;
        let visible = |b: u8| b > b' ' && b < 0x80;
        while i < bytes.len() {
            if visible(bytes[i]) {
                i += 1;
                continue;
            }
            if bytes[i] == b' ' && i > run && bytes.get(i + 1).is_some_and(|&b| visible(b)) {
                i += 2;
                continue;
            }
            let width = whitespace_width(s, i);
            if width == 0 {
                i += 1;
                continue;
            }
            let mut end = i + width;
            let single_space = width == 1 && bytes[i] == b' ';
            if single_space && i > run && end < bytes.len() && whitespace_width(s, end) == 0 {
                i = end;
                continue;
            }
            while end < bytes.len() {
                match whitespace_width(s, end) {
                    0 => break,
                    w => end += w,
                }
            }
            if i > run {
                self.emit(&s[run..i]);
            }
            self.space();
            run = end;
            i = end;
        }
        if run < bytes.len() {
            self.emit(&s[run..]);
        }
    }

    /// Appends text verbatim (for preformatted blocks), keeping its lines.
    pub fn push_verbatim(&mut self, s: &str) {
        let s = if self.out.is_empty() || self.pending >= 2 {
            s.trim_start_matches(['\n', '\r'])
        } else {
            s
        };
        if s.is_empty() {
            return;
        }
        self.emit(s);
    }

    /// Requests a space before the next text.
    pub fn space(&mut self) {
        self.pending = self.pending.max(1);
    }

    /// Requests a line break before the next text.
    pub fn line_break(&mut self) {
        self.pending = self.pending.max(2);
    }

    /// Requests a paragraph break (blank line) before the next text.
    pub fn paragraph(&mut self) {
        self.pending = 3;
    }

    /// Opens a region of `kind`; it starts where the next text is written.
    pub fn open(&mut self, kind: RegionKind) {
        self.open.push((kind, usize::MAX));
    }

    /// Closes the innermost open region of `kind`, if any.
    pub fn close(&mut self, kind: RegionKind) {
        if let Some(pos) = self.open.iter().rposition(|(k, _)| *k == kind) {
            let (kind, start) = self.open.remove(pos);
            let end = self.out.trim_end().len();
            if start != usize::MAX && end > start {
                self.regions.push(Region { kind, start, end });
            }
        }
    }

    /// Whether a region of `kind` is open.
    pub fn is_open(&self, kind: RegionKind) -> bool {
        self.open.iter().any(|(k, _)| *k == kind)
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// Finishes: closes open regions, trims trailing whitespace, sorts and
    /// merges regions.
    pub fn finish(mut self) -> Text {
        while let Some((kind, _)) = self.open.last().copied() {
            self.close(kind);
        }
        let len = self.out.trim_end().len();
        self.out.truncate(len);
        let mut regions: Vec<Region> = self
            .regions
            .into_iter()
            .filter_map(|mut r| {
                r.end = r.end.min(len);
                (r.end > r.start).then_some(r)
            })
            .collect();
        regions.sort_by_key(|r| (r.start, r.end, r.kind));
        let mut merged: Vec<Region> = Vec::with_capacity(regions.len());
        for r in regions {
            match merged.iter_mut().rev().find(|m| m.kind == r.kind) {
                Some(last) if r.start <= last.end => {
                    last.end = last.end.max(r.end);
                }
                Some(last) => {
                    // Adjacent regions separated only by whitespace are one.
                    if self.out[last.end..r.start].trim().is_empty() {
                        last.end = r.end;
                    } else {
                        merged.push(r);
                    }
                }
                _ => merged.push(r),
            }
        }
        Text {
            text: self.out,
            regions: merged,
        }
    }

    fn emit(&mut self, s: &str) {
        if !self.out.is_empty() {
            match self.pending {
                1 if !self.out.ends_with([' ', '\n']) => self.out.push(' '),
                2 => {
                    trim_trailing_spaces(&mut self.out);
                    if !self.out.ends_with('\n') {
                        self.out.push('\n');
                    }
                }
                3 => {
                    trim_trailing_spaces(&mut self.out);
                    while !self.out.ends_with("\n\n") {
                        self.out.push('\n');
                    }
                }
                _ => {}
            }
        }
        self.pending = 0;
        let at = self.out.len();
        for open in self.open.iter_mut() {
            if open.1 == usize::MAX {
                open.1 = at;
            }
        }
        self.out.push_str(s);
    }
}

/// The length of the white-space character at byte `i` of `s` (0 when
/// there is none, or `i` is inside a character).
#[inline]
fn whitespace_width(s: &str, i: usize) -> usize {
    match s.as_bytes()[i] {
        b' ' | b'\t'..=b'\r' => 1,
        b if b < 0x80 => 0,
        _ => s.get(i..).and_then(|rest| rest.chars().next()).filter(|c| c.is_whitespace()).map_or(0, char::len_utf8),
    }
}

fn trim_trailing_spaces(s: &mut String) {
    let len = s.trim_end_matches([' ', '\t']).len();
    s.truncate(len);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `push_flow` as its documentation says it: word by word.
    fn push_flow_by_words(b: &mut TextBuilder, s: &str) {
        for (i, word) in s.split(char::is_whitespace).enumerate() {
            if i > 0 {
                b.space();
            }
            if !word.is_empty() {
                b.emit(word);
            }
        }
    }

    #[test]
    fn flowing_text_is_written_as_word_by_word() {
        let pieces = [
            "", " ", "a", "a b", " a b ", "a  b", "a\tb", "a\n b", "  lead", "trail  ", "x\u{a0}y", "é ü",
            "a\u{2003}\u{3000}b", "\u{85}", "日本 語", "one two three", "\r\n", "emoji🙂 ok",
        ];
        for first in pieces {
            for second in pieces {
                for line_break in [false, true] {
                    let (mut fast, mut slow) = (TextBuilder::new(), TextBuilder::new());
                    fast.push_flow(first);
                    push_flow_by_words(&mut slow, first);
                    if line_break {
                        fast.line_break();
                        slow.line_break();
                    }
                    fast.push_flow(second);
                    push_flow_by_words(&mut slow, second);
                    assert_eq!(fast.finish(), slow.finish(), "{first:?} then {second:?}");
                }
            }
        }
    }

    #[test]
    fn collapses_whitespace_and_keeps_paragraphs() {
        let mut b = TextBuilder::new();
        b.push_flow("  Hello \n  world ");
        b.paragraph();
        b.push_flow("Second");
        let t = b.finish();
        assert_eq!(t.text, "Hello world\n\nSecond");
    }

    #[test]
    fn region_covers_exactly_its_text() {
        let mut b = TextBuilder::new();
        b.push_flow("I said:");
        b.paragraph();
        b.open(RegionKind::Quote);
        b.push_flow("quoted words");
        b.close(RegionKind::Quote);
        b.paragraph();
        b.push_flow("mine");
        let t = b.finish();
        let r = &t.regions[0];
        assert_eq!(&t.text[r.range()], "quoted words");
        assert_eq!(r.kind, RegionKind::Quote);
    }

    #[test]
    fn empty_region_is_dropped() {
        let mut b = TextBuilder::new();
        b.push_flow("a");
        b.open(RegionKind::Code);
        b.close(RegionKind::Code);
        assert!(b.finish().regions.is_empty());
    }
}
