//! Stack Exchange data dumps: `Posts.xml` and `Comments.xml`.
//!
//! A dump file is one XML document with one `<row .../>` element per record
//! (and, in practice, per line), its fields as attributes:
//!
//! - **Posts** (`PostTypeId` 1 = question, 2 = answer, anything else, such as
//!   tag wikis, becomes [`PostKind::Other`]): `Id`, `ParentId` (answers),
//!   `AcceptedAnswerId` (questions), `Title`, `Body` (HTML), `Tags`,
//!   `Score`, `CreationDate`, `OwnerUserId`, `OwnerDisplayName`. Tags come in
//!   the newer `|a|b|` form or the older `<a><b>` form (escaped as
//!   `&lt;a&gt;&lt;b&gt;` in the file); both are read.
//! - **Comments**: `Id`, `PostId`, `Score`, `Text` (the comment's
//!   mini-markdown), `CreationDate`, `UserId`, `UserDisplayName`.
//!
//! What each post gets:
//!
//! - `thread`: a question's own `Id`, an answer's `ParentId` (other post
//!   types: their `ParentId` if any, else their own `Id`). A comment row
//!   only names the post it is on (`PostId`), which may be a question or an
//!   answer; the reader sees one row at a time and cannot tell which, so a
//!   comment's `thread` is its `PostId` (the question only when the comment
//!   is on a question). Its `parent` is `PostId` too.
//! - `author`: the dump carries user ids, not names. `OwnerDisplayName`
//!   (`UserDisplayName` for comments), present for deleted or anonymous
//!   users, is used when set; otherwise `user<OwnerUserId>` (for example
//!   `user14`, `user-1` for the Community bot); `None` when neither is set.
//! - `accepted_answer`: a question's `AcceptedAnswerId`. The answer row does
//!   not say it was accepted, so `accepted` stays `false` on answers: join
//!   on the question's `accepted_answer` to find it.
//! - `community`: the site, named by the file (`datascience.meta.Posts.xml`
//!   is `datascience.meta.stackexchange.com`) or, for a bare `Posts.xml`,
//!   by its folder (`diy.stackexchange.com/Posts.xml`).
//! - `url`: `https://{site}/q/{id}` for questions, `/a/{id}` for answers,
//!   `/posts/comments/{id}` for comments; none for other post types.
//! - `body`: `Body` converted from HTML; a comment's `Text` converted from
//!   its markdown.
//!
//! The dumps ship as one `.7z` archive per site, which is not read directly:
//! extract `Posts.xml` and `Comments.xml` first (see `read::compress`).
//!
//! Framing streams the document with `quick-xml` and copies each row's tag
//! content (`row Id="..." ...`) as one record; attribute parsing and entity
//! decoding happen in [`parse`], on any thread.

use super::compress::{strip_compression_suffixes, strip_suffix_ignore_case};
use super::detect::{Confidence, Probe};
use super::error::{stream_error, ErrorKind, ParseError, ReadError, RecordLoc};
use super::json::iso_to_unix;
use super::reader::{FileCtx, Format, Reader, RecordPosts, Sink};
use crate::model::{Post, PostKind, Source};
use crate::text::{html, markdown};
use quick_xml::events::BytesStart;
use std::borrow::Cow;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

/// The `stackexchange-posts` format (`Posts.xml`).
pub const POSTS: Format = Format::new(&StackExchangeReader { comments: false });

/// The `stackexchange-comments` format (`Comments.xml`).
pub const COMMENTS: Format = Format::new(&StackExchangeReader { comments: true });

/// Reads `Posts.xml` or, with `comments`, `Comments.xml`.
struct StackExchangeReader {
    comments: bool,
}

impl StackExchangeReader {
    /// The file name's ending and the root element's name.
    fn names(&self) -> (&'static str, &'static str) {
        if self.comments {
            ("comments.xml", "<comments")
        } else {
            ("posts.xml", "<posts")
        }
    }
}

impl Reader for StackExchangeReader {
    fn name(&self) -> &'static str {
        if self.comments {
            "stackexchange-comments"
        } else {
            "stackexchange-posts"
        }
    }

    fn aliases(&self) -> &'static [&'static str] {
        if self.comments {
            &["se-comments"]
        } else {
            &["se", "stackexchange", "se-posts"]
        }
    }

    fn json_name(&self) -> &'static str {
        if self.comments {
            "stack-exchange-comments"
        } else {
            "stack-exchange-posts"
        }
    }

    /// By name: a file name ending in `posts.xml` (`comments.xml`). By
    /// content: XML whose first 4 KiB open a `<posts` (`<comments`)
    /// element; posts win a tie, being registered first.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        let (file, root) = self.names();
        if probe.name().ends_with(file) {
            return Some(Confidence::Name(1));
        }
        if probe.first_byte()? != b'<' {
            return None;
        }
        let head = probe.head();
        let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
        text.contains(root).then_some(Confidence::Content(0))
    }

    /// The site named by the file or its folder (see [`site_from_path`]).
    fn community(&self, path: &Path) -> Option<String> {
        site_from_path(path)
    }

    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        _head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        frame(ctx, reader, sink)
    }

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        parse(ctx, bytes, &mut out.posts)
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Frames a `Posts.xml` or `Comments.xml` stream: one record per `<row>`
/// element (its tag's content, between `<` and `/>`), located by its
/// 1-based line and its byte offset in the decompressed stream (BOM
/// included).
///
/// The framer follows tags and quoted attribute values itself rather than
/// checking the whole document, so damage loses only the damaged tag: a
/// `<` cannot stand inside a tag in XML, so a row cut off by one (an
/// unterminated quote, a truncated row) is reported as a skipped record and
/// reading resumes at that `<`; an end tag that closes nothing is skipped
/// the same way; a row larger than the record limit is skipped without
/// being held. A document that ends inside a tag, or before the closing
/// tag of its root element (a truncated download), ends with an error of
/// kind [`ErrorKind::Stream`].
pub fn frame(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    // Strip the BOM ourselves so that offsets count it.
    let base = {
        let head = reader.fill_buf().map_err(|e| stream_error(&ctx.path, 0, e))?;
        if head.starts_with(UTF8_BOM) {
            reader.consume(UTF8_BOM.len());
            UTF8_BOM.len() as u64
        } else {
            0
        }
    };
    let mut pos = Position { offset: base, line: 1 };
    let mut root: Option<Vec<u8>> = None;
    let mut root_closed = false;
    let mut tag = Vec::new();
    while !sink.is_stopped() {
        if !skip_to_tag(&mut reader, &mut pos).map_err(|e| stream_error(&ctx.path, pos.offset, e))? {
            break;
        }
        // The tag starts at its `<`, just consumed.
        let at = Position { offset: pos.offset - 1, line: pos.line };
        tag.clear();
        let end = read_tag(&mut reader, &mut tag, &mut pos, ctx.max_record).map_err(|e| stream_error(&ctx.path, pos.offset, e))?;
        let loc = RecordLoc { line: Some(at.line), offset: at.offset };
        match end {
            TagEnd::Eof => {
                let mut err = ReadError::file(ErrorKind::Stream, &ctx.path, "malformed XML: the file ends inside a tag");
                err.offset = Some(at.offset);
                err.line = Some(at.line);
                return Err(err);
            }
            TagEnd::Cut => {
                sink.error(ReadError::record(
                    &ctx.path,
                    loc,
                    "malformed XML: the tag is cut off by the next '<' (an unterminated quote or a truncated row); skipped",
                ));
            }
            TagEnd::TooLarge => {
                sink.error(ReadError::record(
                    &ctx.path,
                    loc,
                    format!("a tag larger than the record limit ({} bytes); skipped", ctx.max_record),
                ));
            }
            TagEnd::Closed => {
                let name_len = tag.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(tag.len());
                let name = &tag[..name_len];
                if tag.starts_with(b"?") || tag.starts_with(b"!") {
                    // The declaration, a comment or a doctype.
                } else if let Some(closing) = tag.strip_prefix(b"/") {
                    let closing = closing.trim_ascii_end();
                    if root.as_deref() == Some(closing) && !root_closed {
                        root_closed = true;
                    } else {
                        let shown = String::from_utf8_lossy(closing).into_owned();
                        sink.error(ReadError::record(&ctx.path, loc, format!("malformed XML: the end tag </{shown}> closes nothing; skipped")));
                    }
                } else if name == b"row" {
                    let content = tag.strip_suffix(b"/").unwrap_or(&tag);
                    sink.record(ctx, content, loc);
                } else if root.is_none() {
                    root = Some(name.to_vec());
                }
            }
        }
    }
    if root.is_some() && !root_closed && !sink.is_stopped() {
        let mut err = ReadError::file(
            ErrorKind::Stream,
            &ctx.path,
            "truncated XML: the file ends before the closing tag of its root element",
        );
        err.offset = Some(pos.offset);
        err.line = Some(pos.line);
        return Err(err);
    }
    Ok(())
}

/// Where the framer is in the stream.
#[derive(Debug, Clone, Copy)]
struct Position {
    offset: u64,
    line: u64,
}

impl Position {
    fn advance(&mut self, bytes: &[u8]) {
        self.offset += bytes.len() as u64;
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
    }
}

/// Skips text up to the next `<` (consumed); `false` at the end of the
/// stream. Text is never held, however long.
fn skip_to_tag(reader: &mut Box<dyn BufRead + Send>, pos: &mut Position) -> std::io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        match memchr::memchr(b'<', buf) {
            Some(i) => {
                pos.advance(&buf[..=i]);
                reader.consume(i + 1);
                return Ok(true);
            }
            None => {
                let n = buf.len();
                pos.advance(buf);
                reader.consume(n);
            }
        }
    }
}

/// How a tag ended.
enum TagEnd {
    /// At its `>` (consumed).
    Closed,
    /// At a `<` outside or inside a quoted value, which no tag may hold
    /// (left for the next tag).
    Cut,
    /// It grew past the record limit; skipped to its `>`.
    TooLarge,
    /// The stream ended inside it.
    Eof,
}

/// Reads a tag's content after its `<` into `tag`, up to the `>` that is
/// not inside a quoted attribute value.
fn read_tag(reader: &mut Box<dyn BufRead + Send>, tag: &mut Vec<u8>, pos: &mut Position, max: usize) -> std::io::Result<TagEnd> {
    let mut quote: Option<u8> = None;
    let mut too_large = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(TagEnd::Eof);
        }
        let mut i = 0;
        let mut end = None;
        while i < buf.len() {
            let found = match quote {
                Some(q) => memchr::memchr2(q, b'<', &buf[i..]),
                None => memchr::memchr3(b'"', b'\'', b'>', &buf[i..]).into_iter().chain(memchr::memchr(b'<', &buf[i..])).min(),
            };
            let Some(k) = found else { break };
            i += k;
            match (quote, buf[i]) {
                (_, b'<') => {
                    end = Some((i, TagEnd::Cut));
                    break;
                }
                (Some(_), _) => quote = None,
                (None, b'>') => {
                    end = Some((i, TagEnd::Closed));
                    break;
                }
                (None, q) => quote = Some(q),
            }
            i += 1;
        }
        let (take, consumed, result) = match end {
            Some((i, TagEnd::Cut)) => (i, i, Some(TagEnd::Cut)),
            Some((i, other)) => (i, i + 1, Some(other)),
            None => (buf.len(), buf.len(), None),
        };
        if !too_large {
            if tag.len() + take > max {
                too_large = true;
                tag.clear();
            } else {
                tag.extend_from_slice(&buf[..take]);
            }
        }
        pos.advance(&buf[..consumed]);
        reader.consume(consumed);
        match result {
            Some(TagEnd::Closed) if too_large => return Ok(TagEnd::TooLarge),
            Some(r) => return Ok(r),
            None => {}
        }
    }
}

/// The attributes of one row that become post fields.
#[derive(Default)]
struct Row<'a> {
    id: Option<Cow<'a, str>>,
    post_type: Option<Cow<'a, str>>,
    parent: Option<Cow<'a, str>>,
    post_id: Option<Cow<'a, str>>,
    accepted_answer: Option<Cow<'a, str>>,
    title: Option<Cow<'a, str>>,
    body: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    tags: Option<Cow<'a, str>>,
    score: Option<Cow<'a, str>>,
    created: Option<Cow<'a, str>>,
    user_id: Option<Cow<'a, str>>,
    display_name: Option<Cow<'a, str>>,
}

/// Parses one row (the content of a `<row .../>` tag) into a post.
///
/// A row of `Comments.xml` (or, whatever the file, a row with a `PostId`
/// and no `PostTypeId`) becomes a [`PostKind::Comment`]; see the module
/// documentation for how each field is filled.
pub fn parse(ctx: &FileCtx, bytes: &[u8], out: &mut Vec<Post>) -> Result<(), ParseError> {
    let content = std::str::from_utf8(bytes)
        .map_err(|e| ParseError::new(format!("invalid UTF-8 at byte {} of the row", e.valid_up_to())))?;
    let name_len = content.find(|c: char| c.is_ascii_whitespace()).unwrap_or(content.len());
    let tag = BytesStart::from_content(content, name_len);
    let row = read_row(&tag)?;
    let id = row
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ParseError::new("row without an `Id`"))?
        .to_string();
    let is_comment = ctx.format == COMMENTS || (row.post_type.is_none() && row.post_id.is_some());
    let kind = if is_comment {
        PostKind::Comment
    } else {
        match row.post_type.as_deref().map(str::trim) {
            Some("1") => PostKind::Question,
            Some("2") => PostKind::Answer,
            Some(_) => PostKind::Other,
            None => return Err(ParseError::with_id(id, "post row without a `PostTypeId`")),
        }
    };
    let site = ctx.community.as_deref().unwrap_or("");
    let mut post = Post::new(Source::StackExchange, id.clone(), kind);
    post.community = site.to_string();
    post.created = row.created.as_deref().and_then(|c| iso_to_unix(c.trim()));
    post.score = row.score.as_deref().and_then(|s| s.trim().parse().ok());
    post.author = author(row.display_name.as_deref(), row.user_id.as_deref());
    let url_path = match kind {
        PostKind::Question => Some("q"),
        PostKind::Answer => Some("a"),
        PostKind::Comment => Some("posts/comments"),
        _ => None,
    };
    if let Some(path) = url_path.filter(|_| !site.is_empty()) {
        post.url = Some(format!("https://{site}/{path}/{id}"));
    }
    if is_comment {
        let on = non_empty(row.post_id);
        post.parent.clone_from(&on);
        post.thread = on;
        if let Some(text) = row.text.as_deref() {
            post.set_text(markdown::to_text(text));
        }
    } else {
        post.parent = non_empty(row.parent);
        post.thread = match kind {
            PostKind::Answer => post.parent.clone(),
            _ => post.parent.clone().or_else(|| Some(id.clone())),
        };
        post.title = non_empty(row.title);
        if let Some(body) = row.body.as_deref() {
            post.set_text(html::to_text(body));
        }
        post.accepted_answer = non_empty(row.accepted_answer);
        if let Some(tags) = row.tags.as_deref() {
            post.tags = split_tags(tags);
        }
    }
    out.push(post);
    Ok(())
}

/// Reads the attributes the reader uses, decoding entities; an attribute
/// that is malformed or holds an unknown entity fails the row.
fn read_row<'a>(tag: &'a BytesStart<'_>) -> Result<Row<'a>, ParseError> {
    let mut row = Row::default();
    match fill_row(tag, &mut row) {
        Ok(()) => Ok(row),
        Err(message) => Err(match row.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => ParseError::with_id(id, message),
            _ => ParseError::new(message),
        }),
    }
}

fn fill_row<'a>(tag: &'a BytesStart<'_>, row: &mut Row<'a>) -> Result<(), String> {
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| format!("malformed attribute: {e}"))?;
        let slot = match attr.key.as_ref() {
            b"Id" => &mut row.id,
            b"PostTypeId" => &mut row.post_type,
            b"ParentId" => &mut row.parent,
            b"PostId" => &mut row.post_id,
            b"AcceptedAnswerId" => &mut row.accepted_answer,
            b"Title" => &mut row.title,
            b"Body" => &mut row.body,
            b"Text" => &mut row.text,
            b"Tags" => &mut row.tags,
            b"Score" => &mut row.score,
            b"CreationDate" => &mut row.created,
            b"OwnerUserId" | b"UserId" => &mut row.user_id,
            b"OwnerDisplayName" | b"UserDisplayName" => &mut row.display_name,
            _ => continue,
        };
        let value = attr
            .unescape_value()
            .map_err(|e| format!("attribute `{}`: {e}", String::from_utf8_lossy(attr.key.as_ref())))?;
        *slot = Some(value);
    }
    Ok(())
}

fn non_empty(v: Option<Cow<'_, str>>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `OwnerDisplayName` when set, else `user<OwnerUserId>`.
fn author(display_name: Option<&str>, user_id: Option<&str>) -> Option<String> {
    if let Some(name) = display_name.map(str::trim).filter(|n| !n.is_empty()) {
        return Some(name.to_string());
    }
    user_id
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| format!("user{u}"))
}

/// Tags in the `|a|b|` form or the `<a><b>` form.
fn split_tags(tags: &str) -> Vec<String> {
    tags.split(['|', '<', '>'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Hosts of the Stack Exchange network not under `stackexchange.com`.
const OWN_DOMAINS: [(&str, &str); 6] = [
    ("stackoverflow", "com"),
    ("superuser", "com"),
    ("serverfault", "com"),
    ("askubuntu", "com"),
    ("stackapps", "com"),
    ("mathoverflow", "net"),
];

/// The Stack Exchange site a dump file belongs to, from its name or folder.
///
/// - `<site>.Posts.xml`, `<site>-Posts.xml` (also `.Comments.xml`, and with
///   a compression suffix such as `.gz` or an archive name like
///   `stackoverflow.com-Posts.7z`): the site named before `Posts` or
///   `Comments`, completed to a host name where it is a short name:
///   `datascience.meta` becomes `datascience.meta.stackexchange.com`,
///   `superuser` becomes `superuser.com`, `diy.stackexchange.com` stays.
/// - `Posts.xml` or `Comments.xml` alone: the name of the folder holding it,
///   as it is (`diy.stackexchange.com/Posts.xml` is
///   `diy.stackexchange.com`).
pub(crate) fn site_from_path(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let mut base = strip_compression_suffixes(name);
    for ext in [".7z", ".xml"] {
        if let Some(stripped) = strip_suffix_ignore_case(base, ext) {
            base = stripped;
        }
    }
    for kind in ["posts", "comments"] {
        if let Some(stripped) = strip_suffix_ignore_case(base, kind) {
            base = stripped;
            break;
        }
    }
    let prefix = base.trim_end_matches(['.', '-', '_', ' ']);
    if !prefix.is_empty() {
        return Some(complete_host(prefix));
    }
    let folder = path.parent()?.file_name()?.to_str()?.trim();
    (!folder.is_empty()).then(|| folder.to_string())
}

/// Completes a short site name (`datascience.meta`, `superuser`) to its
/// host name; names that already end in a top-level domain stay.
fn complete_host(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    if matches!(last, "com" | "net" | "org") {
        return lower;
    }
    if last == "stackexchange" {
        return format!("{lower}.com");
    }
    if let Some((_, tld)) = OWN_DOMAINS
        .iter()
        .find(|(host, _)| lower.split('.').any(|l| l == *host))
    {
        return format!("{lower}.{tld}");
    }
    format!("{lower}.stackexchange.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(p: &str) -> Option<String> {
        site_from_path(Path::new(p))
    }

    #[test]
    fn sites_from_names() {
        assert_eq!(
            site("x/datascience.meta.Posts.xml").as_deref(),
            Some("datascience.meta.stackexchange.com")
        );
        assert_eq!(
            site("diy.stackexchange.com/Posts.xml").as_deref(),
            Some("diy.stackexchange.com")
        );
        assert_eq!(
            site("dumps/stackoverflow.com-Posts.7z").as_deref(),
            Some("stackoverflow.com")
        );
        assert_eq!(site("superuser.com/Posts.xml").as_deref(), Some("superuser.com"));
        assert_eq!(site("superuser.Comments.xml.gz").as_deref(), Some("superuser.com"));
        assert_eq!(
            site("ru.stackoverflow.Posts.xml").as_deref(),
            Some("ru.stackoverflow.com")
        );
        assert_eq!(site("mathoverflow.Posts.xml").as_deref(), Some("mathoverflow.net"));
        assert_eq!(
            site("meta.stackexchange.Posts.xml").as_deref(),
            Some("meta.stackexchange.com")
        );
        assert_eq!(
            site("diy.stackexchange.com-Comments.xml.zst").as_deref(),
            Some("diy.stackexchange.com")
        );
        assert_eq!(
            site("corpora/stackexchange/Posts.xml").as_deref(),
            Some("stackexchange")
        );
        assert_eq!(site("Posts.xml"), None);
        assert_eq!(site("é/Posts.xml").as_deref(), Some("é"));
        assert_eq!(site("éé.xml").as_deref(), Some("éé.stackexchange.com"));
    }

    #[test]
    fn tags_in_both_forms() {
        assert_eq!(
            split_tags("|feature-request|status-completed|"),
            ["feature-request", "status-completed"]
        );
        assert_eq!(split_tags("<drywall><tools>"), ["drywall", "tools"]);
        assert!(split_tags("").is_empty());
    }

    #[test]
    fn authors() {
        assert_eq!(author(Some("Ann"), Some("3")).as_deref(), Some("Ann"));
        assert_eq!(author(Some(" "), Some("3")).as_deref(), Some("user3"));
        assert_eq!(author(None, None), None);
    }
}
