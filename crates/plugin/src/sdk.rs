//! The safe side: the [`Plugin`] trait, the borrowed [`Post`] a plugin
//! reads and the [`Signals`] it writes.
//!
//! A plugin author implements [`Plugin`] and writes
//! [`export_plugin!`](crate::export_plugin) once; the macro generates the C
//! entry points. The same type can also be linked into leadminer directly
//! (the core crate adapts any `T: Plugin` into an analyzer), which is how
//! built-in analyzers use this trait.

use crate::abi::{RegionView, REGION_CODE, REGION_QUOTE};
use std::ops::Range;

/// An analyzer plugin.
///
/// One value is created per configuration with [`Plugin::new`] and then
/// shared by all analysis threads: [`Plugin::analyze`] takes `&self` and
/// may run on several threads at once.
pub trait Plugin: Sized + Send + Sync + 'static {
    /// The plugin's name: unique among loaded plugins, shown in outputs and
    /// errors and used for its configuration table (`[plugins.NAME]`).
    /// Letters, digits, `-` and `_`.
    const NAME: &'static str;

    /// The plugin's own version; `env!("CARGO_PKG_VERSION")` is a good
    /// choice.
    const VERSION: &'static str;

    /// Every signal kind the plugin may emit. A signal of any other kind is
    /// an error.
    const KINDS: &'static [&'static str];

    /// Lower-case substrings one of which a post must contain for this
    /// plugin to find anything; leadminer may skip posts without any of
    /// them. `None` (the default) asks for every post, which keeps
    /// leadminer from skipping any post before analysis: set triggers when
    /// you can.
    const TRIGGERS: Option<&'static [&'static str]> = None;

    /// Creates the plugin from its configuration: the TOML text of the
    /// plugin's own table in the leadminer configuration, empty when there
    /// is none. An `Err` is shown to the user and stops leadminer.
    fn new(config: &str) -> Result<Self, String>;

    /// Analyzes one post, emitting signals into `out`. An `Err` drops this
    /// plugin's signals for this post and is reported with the post's id; a
    /// panic is caught and reported the same way.
    fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String>;
}

/// What a [`Region`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// Text quoted from someone else.
    Quote,
    /// A code block or inline code.
    Code,
    /// A kind added to the ABI after this SDK was written.
    Other(u32),
}

impl RegionKind {
    /// The ABI value of this kind.
    pub fn to_raw(self) -> u32 {
        match self {
            RegionKind::Quote => REGION_QUOTE,
            RegionKind::Code => REGION_CODE,
            RegionKind::Other(n) => n,
        }
    }

    /// The kind of an ABI value.
    pub fn from_raw(raw: u32) -> RegionKind {
        match raw {
            REGION_QUOTE => RegionKind::Quote,
            REGION_CODE => RegionKind::Code,
            n => RegionKind::Other(n),
        }
    }
}

/// A marked region of the post text (the ABI's [`RegionView`]).
pub type Region = RegionView;

impl RegionView {
    /// What the region holds.
    pub fn region_kind(&self) -> RegionKind {
        RegionKind::from_raw(self.kind)
    }

    /// The byte range it covers.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The fields of a [`Post`], for hosts and tests that build one.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostFields<'a> {
    /// Title, `"\n\n"`, body (and maybe a link after another blank line).
    pub text: &'a str,
    /// Where the body starts in `text`.
    pub body_offset: usize,
    /// The post's native id.
    pub id: &'a str,
    /// The platform (`reddit`, `hackernews`, ...).
    pub source: &'a str,
    /// Subreddit, site, forum or list.
    pub community: &'a str,
    /// The post's role (`comment`, `question`, ...).
    pub kind: &'a str,
    /// The author, when known.
    pub author: Option<&'a str>,
    /// Creation time, Unix seconds.
    pub created: Option<i64>,
    /// Quote and code regions of `text`, sorted by start.
    pub regions: &'a [Region],
}

/// One post, borrowed for one [`Plugin::analyze`] call.
///
/// Offsets are byte offsets into [`Post::text`]; signals use the same
/// offsets.
#[derive(Debug, Clone, Copy)]
pub struct Post<'a> {
    f: PostFields<'a>,
}

impl<'a> Post<'a> {
    /// A post from its fields. A `body_offset` past the end of the text or
    /// off a character boundary is treated as 0.
    pub fn new(mut fields: PostFields<'a>) -> Post<'a> {
        if !fields.text.is_char_boundary(fields.body_offset) {
            fields.body_offset = 0;
        }
        Post { f: fields }
    }

    /// The analyzed text: title, blank line, body.
    pub fn text(&self) -> &'a str {
        self.f.text
    }

    /// The title, empty when the post has none.
    pub fn title(&self) -> &'a str {
        self.f.text.get(..self.f.body_offset).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    /// The body: the text from [`Post::body_offset`] on.
    pub fn body(&self) -> &'a str {
        self.f.text.get(self.f.body_offset..).unwrap_or("")
    }

    /// Where the body starts in [`Post::text`].
    pub fn body_offset(&self) -> usize {
        self.f.body_offset
    }

    /// The post's native id.
    pub fn id(&self) -> &'a str {
        self.f.id
    }

    /// The platform: `reddit`, `stackexchange`, `hackernews`, `discourse`,
    /// `mail` or `generic`.
    pub fn source(&self) -> &'a str {
        self.f.source
    }

    /// Subreddit, Stack Exchange site, forum or list; may be empty.
    pub fn community(&self) -> &'a str {
        self.f.community
    }

    /// The post's role: `submission`, `comment`, `question`, `answer`,
    /// `story`, `reply`, `message`, `topic` or `other`.
    pub fn kind(&self) -> &'a str {
        self.f.kind
    }

    /// The author's name, when known.
    pub fn author(&self) -> Option<&'a str> {
        self.f.author
    }

    /// Creation time in seconds since the Unix epoch, when known.
    pub fn created(&self) -> Option<i64> {
        self.f.created
    }

    /// Quote and code regions, sorted by start.
    pub fn regions(&self) -> &'a [Region] {
        self.f.regions
    }

    /// The text of a byte range, or `None` when it is out of bounds or off
    /// a character boundary.
    pub fn slice(&self, range: Range<usize>) -> Option<&'a str> {
        self.f.text.get(range)
    }

    /// The kind of the region that contains all of `range`, if any.
    pub fn region_of(&self, range: Range<usize>) -> Option<RegionKind> {
        self.f.regions.iter().find(|r| r.start <= range.start && range.end <= r.end).map(Region::region_kind)
    }

    /// The kind of the first region that overlaps `range`, if any.
    pub fn overlapping_region(&self, range: Range<usize>) -> Option<RegionKind> {
        self.f.regions.iter().find(|r| r.start < range.end && range.start < r.end).map(Region::region_kind)
    }

    /// Whether any part of `range` lies in quoted text.
    pub fn is_quoted(&self, range: Range<usize>) -> bool {
        self.overlaps(range, RegionKind::Quote)
    }

    /// Whether any part of `range` lies in code.
    pub fn is_code(&self, range: Range<usize>) -> bool {
        self.overlaps(range, RegionKind::Code)
    }

    /// Whether the author wrote `range` as prose: it touches neither a
    /// quote nor code.
    pub fn is_own_prose(&self, range: Range<usize>) -> bool {
        self.overlapping_region(range).is_none()
    }

    fn overlaps(&self, range: Range<usize>, kind: RegionKind) -> bool {
        self.f.regions.iter().any(|r| r.region_kind() == kind && r.start < range.end && range.start < r.end)
    }
}

/// One emitted signal, as a [`Signals`] sink receives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Emitted<'s> {
    /// The kind: one of [`Plugin::KINDS`].
    pub kind: &'s str,
    /// The rule that matched.
    pub rule: &'s str,
    /// Start byte offset into [`Post::text`].
    pub start: usize,
    /// End byte offset, exclusive.
    pub end: usize,
    /// How much it counts, in (0, 1].
    pub weight: f32,
}

/// Where a plugin puts its signals.
///
/// The host checks every signal: a kind not in [`Plugin::KINDS`], a range
/// out of bounds or off a character boundary, an empty range, or a weight
/// outside (0, 1] fails the post with an error naming the plugin.
pub struct Signals<'s> {
    sink: &'s mut dyn FnMut(Emitted<'_>),
}

impl std::fmt::Debug for Signals<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signals").finish_non_exhaustive()
    }
}

impl<'s> Signals<'s> {
    /// Signals that go to `sink`; for hosts and tests.
    pub fn new(sink: &'s mut dyn FnMut(Emitted<'_>)) -> Signals<'s> {
        Signals { sink }
    }

    /// Emits a signal of `kind` found by `rule` over the byte `range` of
    /// the post text.
    pub fn emit(&mut self, kind: &str, rule: &str, range: Range<usize>, weight: f32) {
        (self.sink)(Emitted { kind, rule, start: range.start, end: range.end, weight });
    }
}

/// Checks one signal the way leadminer does before accepting it, and
/// returns the index of its kind in `kinds`.
///
/// A signal is rejected when its kind is not in `kinds`, its rule is
/// empty, its range is empty, reversed, past the end of `text` or off a
/// character boundary, or its weight is not a number in (0, 1].
pub fn check_signal<K: AsRef<str>>(text: &str, kinds: &[K], s: &Emitted<'_>) -> Result<usize, String> {
    let Some(kind) = kinds.iter().position(|k| k.as_ref() == s.kind) else {
        let declared: Vec<&str> = kinds.iter().map(AsRef::as_ref).collect();
        return Err(format!(
            "signal of undeclared kind '{}' (rule '{}'); the plugin declares: {}",
            s.kind,
            s.rule,
            declared.join(", ")
        ));
    };
    if s.rule.is_empty() {
        return Err(format!("signal of kind '{}' has an empty rule", s.kind));
    }
    let span = format!("span {}..{} of rule '{}'", s.start, s.end, s.rule);
    if s.end > text.len() {
        return Err(format!("{span} is out of bounds: the text has {} bytes", text.len()));
    }
    if s.start >= s.end {
        return Err(format!("{span} is empty or reversed"));
    }
    if !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
        return Err(format!("{span} is not on character boundaries"));
    }
    if !(s.weight > 0.0 && s.weight <= 1.0) {
        return Err(format!("weight {} of rule '{}' is not in (0, 1]", s.weight, s.rule));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(start: usize, end: usize, weight: f32) -> Emitted<'static> {
        Emitted { kind: "k", rule: "r", start, end, weight }
    }

    #[test]
    fn signals_are_checked() {
        let text = "héllo";
        assert_eq!(check_signal(text, &["x", "k"], &sig(0, 6, 1.0)), Ok(1));
        assert!(check_signal(text, &["x"], &sig(0, 1, 0.5)).is_err_and(|e| e.contains("undeclared kind 'k'")));
        assert!(check_signal(text, &["k"], &sig(0, 7, 0.5)).is_err_and(|e| e.contains("out of bounds")));
        assert!(check_signal(text, &["k"], &sig(2, 2, 0.5)).is_err_and(|e| e.contains("empty")));
        assert!(check_signal(text, &["k"], &sig(0, 2, 0.5)).is_err_and(|e| e.contains("character boundaries")));
        for w in [0.0, -1.0, 1.5, f32::NAN, f32::INFINITY] {
            assert!(check_signal(text, &["k"], &sig(0, 1, w)).is_err(), "{w}");
        }
    }

    #[test]
    fn post_accessors() {
        let regions = [
            Region { kind: crate::abi::REGION_QUOTE, start: 10, end: 15 },
            Region { kind: crate::abi::REGION_CODE, start: 16, end: 20 },
        ];
        let post = Post::new(PostFields {
            text: "Title\n\nbody quote code end",
            body_offset: 7,
            id: "1",
            regions: &regions,
            ..PostFields::default()
        });
        assert_eq!(post.title(), "Title");
        assert_eq!(post.body(), "body quote code end");
        assert!(post.is_quoted(12..13) && !post.is_quoted(0..10) && post.is_quoted(0..11));
        assert!(post.is_code(16..17) && !post.is_code(10..15));
        assert_eq!(post.region_of(10..15), Some(RegionKind::Quote));
        assert_eq!(post.region_of(9..15), None);
        assert!(post.is_own_prose(0..10) && !post.is_own_prose(14..17));
        let odd = Post::new(PostFields { text: "é", body_offset: 1, ..PostFields::default() });
        assert_eq!((odd.body_offset(), odd.title(), odd.body()), (0, "", "é"));
    }
}
