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
use super::reader::{FileCtx, Format, Reader, Sink};
use crate::model::{Post, PostKind, Source};
use crate::text::{html, markdown};
use quick_xml::events::{BytesStart, Event};
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

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut Vec<Post>) -> Result<(), ParseError> {
        parse(ctx, bytes, out)
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Frames a `Posts.xml` or `Comments.xml` stream: one record per `<row>`
/// element, located by its 1-based line and its byte offset in the
/// decompressed stream (BOM included).
///
/// Malformed XML ends the stream with an error of kind
/// [`ErrorKind::Stream`] naming the byte offset and line; the rows before
/// it are already in the sink. A document that ends before the closing tag
/// of its root element (a truncated download) is reported the same way.
pub fn frame(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    // Strip the BOM ourselves so that offsets count it: quick-xml would
    // skip it without counting.
    let base = {
        let head = reader.fill_buf().map_err(|e| stream_error(&ctx.path, 0, e))?;
        if head.starts_with(UTF8_BOM) {
            reader.consume(UTF8_BOM.len());
            UTF8_BOM.len() as u64
        } else {
            0
        }
    };
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::with_capacity(64 * 1024);
    // Newlines before the current event.
    let mut newlines = 0u64;
    // Depth of open elements: rows sit at depth 1 (inside the root).
    let mut depth = 0u32;
    while !sink.is_stopped() {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => return Err(xml_error(ctx, base + xml.error_position(), newlines + 1, &e)),
        };
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Empty(tag) | Event::Start(tag) if tag.name().as_ref() == b"row" => {
                let end = base + xml.buffer_position();
                // The tag is `<` + content + `/>` (or `>` for a start tag).
                let markup = if is_start { 2 } else { 3 };
                let offset = end.saturating_sub(tag.len() as u64 + markup);
                sink.record(
                    ctx,
                    &tag,
                    RecordLoc {
                        line: Some(newlines + 1),
                        offset,
                    },
                );
                if is_start {
                    depth += 1;
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => {
                if depth > 0 {
                    let mut err = ReadError::file(
                        ErrorKind::Stream,
                        &ctx.path,
                        "truncated XML: the file ends before the closing tag of its root element",
                    );
                    err.offset = Some(base + xml.buffer_position());
                    err.line = Some(newlines + 1);
                    return Err(err);
                }
                break;
            }
            _ => {}
        }
        newlines += memchr::memchr_iter(b'\n', &buf).count() as u64;
    }
    Ok(())
}

fn xml_error(ctx: &FileCtx, offset: u64, line: u64, e: &quick_xml::Error) -> ReadError {
    let message = match e {
        quick_xml::Error::Io(io) => format!("stream broken: {io}"),
        other => format!("malformed XML: {other}"),
    };
    let mut err = ReadError::file(ErrorKind::Stream, &ctx.path, message);
    err.offset = Some(offset);
    err.line = Some(line);
    err
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
