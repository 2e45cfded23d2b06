//! Plugins as analyzers: [`PluginAnalyzer`] turns any type implementing the
//! plugin SDK's [`Plugin`] trait — linked into leadminer, no library
//! loading involved — into an [`Analyzer`]. Loaded plugins
//! ([`crate::plugin_host::LoadedPlugin`]) go through the same conversion of
//! the document and the same checks of every signal, so to the pipeline a
//! built-in analyzer written against the SDK and a plugin are the same
//! thing.

use crate::analyze::{AnalyzeError, Analyzer, Document, Signal, Wants};
use crate::model::RegionKind;
use leadminer_plugin::abi::{RegionView, REGION_CODE, REGION_QUOTE};
use leadminer_plugin::{check_signal, Emitted, Plugin, Post, PostFields, Signals};
use std::sync::Arc;

/// Most signals one plugin may emit for one post; more is an error.
pub const MAX_SIGNALS_PER_POST: usize = 10_000;

/// A [`Plugin`] linked into leadminer, as an [`Analyzer`].
pub struct PluginAnalyzer<T: Plugin> {
    plugin: T,
    name: Arc<str>,
    kinds: Vec<Arc<str>>,
    triggers: TriggerWords,
}

impl<T: Plugin> std::fmt::Debug for PluginAnalyzer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginAnalyzer").field("name", &self.name).field("kinds", &self.kinds).finish()
    }
}

impl<T: Plugin> PluginAnalyzer<T> {
    /// Creates the plugin from its configuration (TOML text, may be empty).
    pub fn new(config: &str) -> Result<Self, String> {
        T::new(config).map(Self::from_plugin)
    }

    /// Wraps a plugin value.
    pub fn from_plugin(plugin: T) -> Self {
        let words: Option<Vec<String>> = T::TRIGGERS.map(|t| t.iter().map(|s| s.to_string()).collect());
        PluginAnalyzer {
            plugin,
            name: T::NAME.into(),
            kinds: T::KINDS.iter().map(|k| Arc::from(*k)).collect(),
            triggers: TriggerWords::new(words.as_deref()),
        }
    }

    /// The plugin.
    pub fn plugin(&self) -> &T {
        &self.plugin
    }
}

impl<T: Plugin + Default> Default for PluginAnalyzer<T> {
    fn default() -> Self {
        Self::from_plugin(T::default())
    }
}

impl<T: Plugin> Analyzer for PluginAnalyzer<T> {
    fn id(&self) -> &str {
        &self.name
    }

    fn kinds(&self) -> Vec<String> {
        T::KINDS.iter().map(|k| k.to_string()).collect()
    }

    fn wants(&self, post: &crate::Post) -> Wants {
        self.triggers.wants(post)
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let regions = region_views(doc);
        let post = Post::new(post_fields(doc, &regions));
        let before = out.len();
        let mut collector = Collector::new(&self.name, &self.kinds, &doc.text, out);
        let result = {
            let mut sink = |e: Emitted<'_>| collector.accept(&e);
            self.plugin.analyze(&post, &mut Signals::new(&mut sink))
        };
        let error = result.err().or(collector.error);
        match error {
            None => Ok(()),
            Some(message) => {
                out.truncate(before);
                Err(AnalyzeError { analyzer: T::NAME.to_string(), post: doc.post.id.clone(), message })
            }
        }
    }
}

/// A plugin's trigger words as a prefilter answer for [`Analyzer::wants`]:
/// no list means every post, an empty list means never by itself, a list
/// means posts that contain one of the words (ASCII case-insensitive).
#[derive(Debug, Clone)]
pub struct TriggerWords {
    automaton: Option<aho_corasick::AhoCorasick>,
    answer: Wants,
}

impl TriggerWords {
    /// Compiles trigger words.
    pub fn new(words: Option<&[String]>) -> Self {
        match words {
            None => TriggerWords { automaton: None, answer: Wants::Yes },
            Some([]) => TriggerWords { automaton: None, answer: Wants::Alongside },
            Some(words) => match aho_corasick::AhoCorasickBuilder::new().ascii_case_insensitive(true).build(words) {
                Ok(ac) => TriggerWords { automaton: Some(ac), answer: Wants::Yes },
                // A word list the automaton cannot hold: analyze everything.
                Err(_) => TriggerWords { automaton: None, answer: Wants::Yes },
            },
        }
    }

    /// The answer for a post.
    pub fn wants(&self, post: &crate::Post) -> Wants {
        match &self.automaton {
            None => self.answer,
            Some(ac) => {
                let found = post.title.as_deref().is_some_and(|t| ac.is_match(t))
                    || ac.is_match(&post.body)
                    || post.link.as_deref().is_some_and(|l| ac.is_match(l));
                if found {
                    Wants::Yes
                } else {
                    Wants::No
                }
            }
        }
    }
}

/// The document's regions in the ABI's form.
pub(crate) fn region_views(doc: &Document<'_>) -> Vec<RegionView> {
    doc.regions
        .iter()
        .map(|(kind, r)| RegionView {
            kind: match kind {
                RegionKind::Quote => REGION_QUOTE,
                RegionKind::Code => REGION_CODE,
            },
            start: r.start,
            end: r.end,
        })
        .collect()
}

/// What a plugin sees of a document.
pub(crate) fn post_fields<'a>(doc: &'a Document<'_>, regions: &'a [RegionView]) -> PostFields<'a> {
    let post = doc.post;
    PostFields {
        text: &doc.text,
        body_offset: doc.body_offset,
        id: &post.id,
        source: post.source.as_str(),
        community: &post.community,
        kind: post.kind.as_str(),
        author: post.author.as_deref().filter(|a| !a.is_empty()),
        created: post.created,
        regions,
    }
}

/// Checks and collects the signals of one plugin call; keeps the first
/// error and ignores everything after it.
pub(crate) struct Collector<'c> {
    name: &'c Arc<str>,
    kinds: &'c [Arc<str>],
    text: &'c str,
    out: &'c mut Vec<Signal>,
    count: usize,
    /// The first rejected signal, if any.
    pub(crate) error: Option<String>,
}

impl<'c> Collector<'c> {
    pub(crate) fn new(name: &'c Arc<str>, kinds: &'c [Arc<str>], text: &'c str, out: &'c mut Vec<Signal>) -> Self {
        Collector { name, kinds, text, out, count: 0, error: None }
    }

    /// Checks one signal and adds it, or records why not.
    pub(crate) fn accept(&mut self, e: &Emitted<'_>) {
        if self.error.is_some() {
            return;
        }
        self.count += 1;
        if self.count > MAX_SIGNALS_PER_POST {
            self.error = Some(format!("emitted more than {MAX_SIGNALS_PER_POST} signals"));
            return;
        }
        match check_signal(self.text, self.kinds, e) {
            Ok(kind) => self.out.push(Signal {
                kind: Arc::clone(&self.kinds[kind]),
                analyzer: Arc::clone(self.name),
                rule: Arc::from(e.rule),
                start: e.start,
                end: e.end,
                weight: e.weight,
            }),
            Err(why) => self.error = Some(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post as CorePost, PostKind, Region, Source};

    /// Emits what its configuration says, to test the checks.
    struct Echo {
        start: usize,
        end: usize,
        kind: &'static str,
    }

    impl Plugin for Echo {
        const NAME: &'static str = "echo";
        const VERSION: &'static str = "0";
        const KINDS: &'static [&'static str] = &["echo"];
        const TRIGGERS: Option<&'static [&'static str]> = Some(&["Hello"]);

        fn new(config: &str) -> Result<Self, String> {
            let mut n = config.split(',');
            let mut next = || n.next().and_then(|x| x.trim().parse::<usize>().ok()).ok_or("bad config");
            let (start, end) = (next()?, next()?);
            Ok(Echo { start, end, kind: if config.ends_with(",other") { "other" } else { "echo" } })
        }

        fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
            if post.author() != Some("ann")
                || post.source() != "reddit"
                || !post.is_code(post.body_offset()..post.text().len())
            {
                return Err(format!("unexpected post {post:?}"));
            }
            out.emit(self.kind, "echo.rule", self.start..self.end, 0.5);
            Ok(())
        }
    }

    fn post() -> CorePost {
        let mut p = CorePost::new(Source::Reddit, "p1", PostKind::Comment);
        p.author = Some("ann".into());
        p.title = Some("Hi".into());
        p.body = "x = 1".into();
        p.regions = vec![Region { kind: RegionKind::Code, start: 0, end: 5 }];
        p
    }

    #[test]
    fn good_and_bad_signals() {
        let p = post();
        let doc = Document::new(&p);
        let mut out = Vec::new();
        let a = PluginAnalyzer::<Echo>::new("4,5").expect("config");
        assert_eq!(a.wants(&p), Wants::No, "no trigger word in the post");
        let mut greeting = p.clone();
        greeting.body = "HELLO there".into();
        assert_eq!(a.wants(&greeting), Wants::Yes);
        a.analyze(&doc, &mut out).expect("valid signal");
        assert_eq!((out[0].start, out[0].end, &*out[0].kind, &*out[0].analyzer), (4, 5, "echo", "echo"));
        for (config, why) in [("4,99", "out of bounds"), ("3,3", "empty"), ("0,1,other", "undeclared kind 'other'")] {
            let a = PluginAnalyzer::<Echo>::new(config).expect("config");
            let err = a.analyze(&doc, &mut Vec::new()).expect_err(config);
            assert_eq!((err.analyzer.as_str(), err.post.as_str()), ("echo", "p1"));
            assert!(err.message.contains(why), "{config}: {err}");
        }
    }
}
