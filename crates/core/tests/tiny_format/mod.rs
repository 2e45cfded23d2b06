//! A made-up format, read by a test-only reader: one post per line,
//! `id|author|text`, in files named `*.tiny`. It is written the way a real
//! format is (one module implementing `Reader`, a `FORMAT` handle) and only
//! uses the public API, so it shows what adding a format takes.

use leadminer_core::model::author_or_none;
use leadminer_core::read::{frame_lines, Confidence, FileCtx, Format, ParseError, Probe, ReadError, Reader, RecordLoc, RecordPosts, Sink};
use leadminer_core::text::plain;
use leadminer_core::{Post, PostKind, Source};
use std::io::BufRead;
use std::sync::Arc;

/// The `tiny` format.
pub const FORMAT: Format = Format::new(&TinyReader);

struct TinyReader;

impl Reader for TinyReader {
    fn name(&self) -> &'static str {
        "tiny"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["tiny-lines"]
    }

    /// By name only: `.tiny` files.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        probe.name().ends_with(".tiny").then_some(Confidence::Name(1))
    }

    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        _head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        frame_lines(ctx, reader, sink)
    }

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        let line = std::str::from_utf8(bytes).map_err(|_| ParseError::new("line is not UTF-8"))?;
        let mut fields = line.splitn(3, '|');
        let (Some(id), Some(author), Some(text)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(ParseError::new("expected id|author|text"));
        };
        let mut post = Post::new(Source::Generic, id, PostKind::Other);
        post.author = author_or_none(Some(author));
        post.community = ctx.community.clone().unwrap_or_else(|| "tiny".to_string());
        post.set_text(plain::to_text(text));
        out.push(post);
        Ok(())
    }
}
