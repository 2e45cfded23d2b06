//! Mailing list archives: mbox files (mboxo and mboxrd) and Mailman/pipermail
//! monthly `.txt` archives.
//!
//! # Framing
//!
//! A message starts at a *From_ line*: a line beginning with `From ` that
//! also carries a date (a `hh:mm` time and a four-digit year), as every mbox
//! writer and pipermail put there (`From MAILER-DAEMON Sat Aug 28 14:17:14
//! 2021`, `From user at host  Sat Nov  8 11:37:32 2014`). Demanding the date
//! keeps an unescaped body line of an mboxo file ("From my experience ...")
//! from cutting a message in two. The first non-blank line of a file must be
//! a `From ` line, or the file is not a mailbox (a Format error).
//!
//! One record is one message **including its From_ line** (the parser reads
//! the fallback date from it), with the blank lines that separate it from the
//! next message removed. Its [`RecordLoc`] is the line number and byte offset
//! of the From_ line. CRLF files are read as they are. Memory is bounded by
//! the largest message, which is capped at [`MAX_MESSAGE`] bytes: a larger
//! one is reported and skipped.
//!
//! # Parsing
//!
//! Before parsing, `>From ` escaping is undone with the **mboxrd** rule: a
//! line of one or more `>` followed by `From ` loses one `>`. mboxo files
//! cannot be told apart from mboxrd ones; in mboxo only `From ` was escaped,
//! so the rule also restores those lines, and a line the author really began
//! with `>From ` (rare) loses its `>`. The message is then parsed by
//! `mail-parser`, which decodes quoted-printable, base64, charsets, RFC 2047
//! encoded words and multipart bodies. The fields of the [`Post`]:
//!
//! - `id`: the `Message-ID` without angle brackets; a message without one
//!   gets `<file stem>:<line of its From_ line>` (`EVS:1234`), stable as long
//!   as the file is.
//! - `community`: the id part of a `List-Id` header (`List <evs.list.org>` ->
//!   `evs.list.org`, lower-cased); for pipermail archives without one, the
//!   subject tag Mailman adds (`[Bigbang-dev] test` -> `bigbang-dev`);
//!   otherwise the file stem, or the folder name when the stem is a monthly
//!   archive name such as `2014-November`.
//! - `author`: the first `From` address, lower-cased (pipermail's
//!   `user at host` becomes `user@host`); the display name when there is no
//!   address; for pipermail without a `From` header, the From_ line sender.
//! - `created`: the `Date` header; if it is missing or invalid, the From_
//!   line's date, read as UTC.
//! - `title`: the `Subject`, decoded, with runs of whitespace (left by
//!   header folding) made one space; nothing else is removed (`Re:` stays).
//! - `body`: all inline text parts joined by blank lines, `text/plain`
//!   preferred; a message with only HTML goes through [`html::to_text`].
//!   Quotes (`>` lines, attributions, forwarded tails) are regions. The
//!   footer a list server appends (Mailman's `____` line with the listinfo
//!   link, LISTSERV's `####` block with "To unsubscribe") is cut off.
//! - `parent`: the first `In-Reply-To` id, else the last `References` id.
//! - `thread`: the first `References` id, else `In-Reply-To`, else the
//!   message's own id.
//! - `url`: the `Archived-At` header without angle brackets.
//!
//! A record is **bad** (skipped and reported) when it holds no message
//! (nothing after the From_ line) or does not start with a header field
//! (garbage after a From_ line). Anything else is read leniently, as
//! `mail-parser` does: invalid bytes become U+FFFD, broken MIME structure
//! (a multipart that never closes) yields whatever text can be found.

use super::detect::{Confidence, Probe};
use super::error::{stream_error, ErrorKind, ParseError, ReadError, RecordLoc};
use super::reader::{FileCtx, Format, Reader, RecordPosts, Sink};
use crate::model::{Post, PostKind, Source};
use crate::text::{html, plain, Text};
use mail_parser::{Address, HeaderValue, MessageParser, MessagePart, MimeHeaders, PartType};
use std::borrow::Cow;
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::Arc;

/// The `mbox` format.
pub const MBOX: Format = Format::new(&MailReader { pipermail: false });

/// The `pipermail` format (Mailman's monthly `.txt` archives).
pub const PIPERMAIL: Format = Format::new(&MailReader { pipermail: true });

/// Reads an mbox file or, with `pipermail`, a pipermail archive.
struct MailReader {
    pipermail: bool,
}

impl Reader for MailReader {
    fn name(&self) -> &'static str {
        if self.pipermail {
            "pipermail"
        } else {
            "mbox"
        }
    }

    fn aliases(&self) -> &'static [&'static str] {
        if self.pipermail {
            &["mailman"]
        } else {
            &[]
        }
    }

    /// By name: `.mbox` files. By content: a first line starting with
    /// `From `; pipermail writes the sender as `user at host`, so a second
    /// word `at` makes it a pipermail archive.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        if !self.pipermail && probe.name().ends_with(".mbox") {
            return Some(Confidence::Name(1));
        }
        let head = probe.head();
        if !head.starts_with(b"From ") {
            return None;
        }
        let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
        let line = String::from_utf8_lossy(line);
        let mut words = line.split_whitespace().skip(1);
        let (_, at) = (words.next(), words.next());
        ((at == Some("at")) == self.pipermail).then_some(Confidence::Content(0))
    }

    /// The file name up to its first dot (`list.mbox.gz` -> `list`).
    fn community(&self, path: &Path) -> Option<String> {
        let file = path.file_name()?.to_str()?;
        let stem = file.split('.').next().unwrap_or(file);
        Some(stem.to_string())
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

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        parse(ctx, bytes, loc, &mut out.posts)
    }
}

/// The largest message a record may hold; larger ones are skipped.
pub const MAX_MESSAGE: usize = 64 << 20;

/// Frames an mbox or pipermail stream into one record per message (see the
/// [module docs](self)).
pub fn frame(ctx: &Arc<FileCtx>, reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    frame_with_limit(ctx, reader, sink, MAX_MESSAGE)
}

/// The message being collected by the framer.
struct Current {
    /// Where its bytes start in the sink's buffer.
    start: usize,
    /// Where its From_ line is in the file.
    loc: RecordLoc,
}

fn frame_with_limit(
    ctx: &Arc<FileCtx>,
    mut reader: Box<dyn BufRead + Send>,
    sink: &mut Sink<'_>,
    max_message: usize,
) -> Result<(), ReadError> {
    // Lines are read in pieces of at most this many bytes, so that a file
    // without line breaks cannot grow the buffer without bound.
    let max_piece = max_message as u64 + 1;
    let mut offset = 0u64;
    let mut line_no = 0u64;
    // Whether the next piece read starts a line.
    let mut at_line_start = true;
    // `None` before the first From_ line and while skipping an oversized
    // message.
    let mut current: Option<Current> = None;
    let mut started = false;
    while !sink.is_stopped() {
        let line_start = sink.data().len();
        let read = (&mut reader).take(max_piece).read_until(b'\n', sink.data());
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                sink.data().truncate(line_start);
                let mut err = stream_error(&ctx.path, offset, e);
                if let Some(cur) = current {
                    sink.data().truncate(cur.start);
                    err.message = format!(
                        "{}; the message starting at line {} (byte {}) is cut off and dropped",
                        err.message,
                        cur.loc.line.unwrap_or(0),
                        cur.loc.offset
                    );
                    err.line = cur.loc.line;
                }
                return Err(err);
            }
        };
        if n == 0 {
            break;
        }
        let starts_line = at_line_start;
        at_line_start = sink.data().last() == Some(&b'\n');
        if starts_line {
            line_no += 1;
        }
        let loc = RecordLoc {
            line: Some(line_no),
            offset,
        };
        offset += n as u64;
        let line = &sink.data()[line_start..];
        if !started {
            let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            if is_blank(line) {
                sink.data().truncate(line_start);
                continue;
            }
            if !line.starts_with(b"From ") {
                sink.data().truncate(line_start);
                let mut err = ReadError::file(
                    ErrorKind::Format,
                    &ctx.path,
                    "not a mailbox: the first line does not start with `From `",
                );
                err.line = loc.line;
                err.offset = Some(loc.offset);
                return Err(err);
            }
            started = true;
            current = Some(Current { start: line_start, loc });
            continue;
        }
        if starts_line && is_from_line(line) {
            // The From_ line just read opens the next record: move it out of
            // the way while the finished message is committed.
            let from_line = line.to_vec();
            sink.data().truncate(line_start);
            if let Some(cur) = current.take() {
                commit_message(ctx, sink, cur);
            }
            let start = sink.data().len();
            sink.data().extend_from_slice(&from_line);
            current = Some(Current { start, loc });
            continue;
        }
        match &current {
            Some(cur) if sink.data().len() - cur.start > max_message => {
                let limit = if max_message >= 1 << 20 {
                    format!("{} MiB", max_message >> 20)
                } else {
                    format!("{max_message} bytes")
                };
                let err = ReadError::record(&ctx.path, cur.loc, format!("message larger than {limit}: skipped"));
                sink.data().truncate(cur.start);
                sink.error(err);
                current = None;
            }
            Some(_) => {}
            None => sink.data().truncate(line_start),
        }
    }
    if let Some(cur) = current {
        if !sink.is_stopped() {
            commit_message(ctx, sink, cur);
        }
    }
    Ok(())
}

/// Commits the message collected since `cur.start`, without the blank
/// lines that end it.
fn commit_message(ctx: &Arc<FileCtx>, sink: &mut Sink<'_>, cur: Current) {
    let data = sink.data();
    let mut end = data.len();
    while end > cur.start && matches!(data[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    sink.commit(ctx, cur.start, end, cur.loc);
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Whether `line` is a From_ line that starts a message: `From `, then a
/// sender, a time (`hh:mm`) and a four-digit year.
fn is_from_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let mut time = false;
    let mut year = false;
    for word in rest.split(|b| b.is_ascii_whitespace()).skip(1) {
        time |= is_time(word);
        year |= word.len() == 4 && word.iter().all(u8::is_ascii_digit);
    }
    time && year
}

/// `h:mm`, `hh:mm` or `hh:mm:ss`.
fn is_time(word: &[u8]) -> bool {
    let mut parts = word.split(|&b| b == b':');
    let ok = |p: Option<&[u8]>, min: usize| {
        p.is_some_and(|p| (min..=2).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
    };
    let (h, m, s) = (parts.next(), parts.next(), parts.next());
    ok(h, 1) && ok(m, 2) && (s.is_none() || ok(s, 2)) && parts.next().is_none()
}

/// Parses one message (a record as [`frame`] cuts it; a message without a
/// From_ line is accepted too). `loc` names the message when it has no
/// `Message-ID`.
pub fn parse(ctx: &FileCtx, bytes: &[u8], loc: RecordLoc, out: &mut Vec<Post>) -> Result<(), ParseError> {
    let (from_line, message) = split_from_line(bytes);
    let message = trim_leading_newlines(message);
    if is_blank(message) {
        return Err(ParseError::new("empty message: nothing follows the From_ line"));
    }
    if !starts_with_header(message) {
        return Err(ParseError::new(
            "not a mail message: the text after the From_ line does not start with a header field",
        ));
    }
    let message = unescape_from(message);
    let Some(msg) = MessageParser::default().parse(message.as_ref()) else {
        return Err(ParseError::new("not a mail message: no headers found"));
    };

    let id = msg
        .message_id()
        .map(clean_id)
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| synthetic_id(&ctx.path, loc));
    let mut post = Post::new(Source::Mail, id.clone(), PostKind::Message);

    let subject = msg.subject().map(str::trim).filter(|s| !s.is_empty());
    post.community = community(ctx, &msg, subject);
    post.title = subject.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    post.author = author(msg.from()).or_else(|| {
        (ctx.format == PIPERMAIL)
            .then(|| from_line.and_then(from_line_sender))
            .flatten()
    });
    post.created = msg
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp())
        .or_else(|| from_line.and_then(from_line_date));

    let in_reply_to = first_id(msg.in_reply_to());
    let references = ids(msg.references());
    post.parent = in_reply_to.clone().or_else(|| references.last().cloned());
    post.thread = Some(references.first().cloned().or(in_reply_to).unwrap_or(id));
    post.url = msg
        .header_raw("Archived-At")
        .map(|u| u.split_whitespace().collect::<String>())
        .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_string())
        .filter(|u| !u.is_empty());

    post.set_text(body(&msg));
    out.push(post);
    Ok(())
}

/// The readable text of a message: its inline text parts, joined. When
/// they give nothing (a multipart whose closing boundary is missing puts its
/// text among the attachments), the first text part that is not a named
/// attachment.
fn body(msg: &mail_parser::Message<'_>) -> Text {
    let convert = |part: Option<&MessagePart<'_>>| match part.map(|p| &p.body) {
        Some(PartType::Text(t)) => Some(plain::to_text(strip_list_footer(t))),
        Some(PartType::Html(h)) => Some(html::to_text(h)),
        _ => None,
    };
    let mut text = Text::default();
    for &part_id in &msg.text_body {
        if let Some(part_text) = convert(msg.parts.get(part_id)) {
            append_text(&mut text, part_text);
        }
    }
    if text.text.is_empty() {
        let unnamed = |p: &&MessagePart<'_>| p.attachment_name().is_none();
        let plain_part = msg
            .parts
            .iter()
            .filter(unnamed)
            .find(|p| matches!(p.body, PartType::Text(_)));
        let html_part = || {
            msg.parts
                .iter()
                .filter(unnamed)
                .find(|p| matches!(p.body, PartType::Html(_)))
        };
        if let Some(found) = convert(plain_part.or_else(html_part)) {
            text = found;
        }
    }
    text
}

/// Splits off the From_ line, if the record starts with one.
fn split_from_line(bytes: &[u8]) -> (Option<&str>, &[u8]) {
    if !bytes.starts_with(b"From ") {
        return (None, bytes);
    }
    let (line, rest) = match memchr::memchr(b'\n', bytes) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &bytes[bytes.len()..]),
    };
    (std::str::from_utf8(line).ok().map(str::trim_end), rest)
}

fn trim_leading_newlines(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether the message begins with a header field: a name of printable
/// ASCII characters, then (optional blanks and) a colon.
fn starts_with_header(message: &[u8]) -> bool {
    let name_len = message
        .iter()
        .position(|&b| !(b'!'..=b'~').contains(&b) || b == b':')
        .unwrap_or(message.len());
    if name_len == 0 {
        return false;
    }
    message[name_len..]
        .iter()
        .find(|&&b| b != b' ' && b != b'\t')
        .is_some_and(|&b| b == b':')
}

/// Undoes mboxrd `>From ` escaping: `>`...`>From ` loses one `>`.
fn unescape_from(message: &[u8]) -> Cow<'_, [u8]> {
    let escaped = |line: &[u8]| {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        quotes > 0 && line[quotes..].starts_with(b"From ")
    };
    let has_escape = escaped(message) || memchr::memmem::find_iter(message, b"\n>").any(|i| escaped(&message[i + 1..]));
    if !has_escape {
        return Cow::Borrowed(message);
    }
    let mut out = Vec::with_capacity(message.len());
    for line in message.split_inclusive(|&b| b == b'\n') {
        if escaped(line) {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    Cow::Owned(out)
}

/// A message id without angle brackets and surrounding blanks.
fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// `<file stem>:<line>` for a message without a `Message-ID`.
fn synthetic_id(path: &Path, loc: RecordLoc) -> String {
    let stem = file_stem(path).unwrap_or("mail");
    match loc.line {
        Some(line) => format!("{stem}:{line}"),
        None => format!("{stem}:@{}", loc.offset),
    }
}

/// The file name up to its first dot (`list.mbox.gz` -> `list`).
fn file_stem(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    name.split('.').next().filter(|s| !s.is_empty())
}

/// The ids of an `In-Reply-To` or `References` header value.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    list.into_iter().map(clean_id).filter(|id| !id.is_empty()).collect()
}

fn first_id(value: &HeaderValue<'_>) -> Option<String> {
    ids(value).into_iter().next()
}

/// The community of a message (see the [module docs](self)).
fn community(ctx: &FileCtx, msg: &mail_parser::Message<'_>, subject: Option<&str>) -> String {
    if let Some(list) = msg.header_raw("List-Id").and_then(list_id) {
        return list;
    }
    if ctx.format == PIPERMAIL {
        if let Some(tag) = subject.and_then(subject_tag) {
            return tag;
        }
    }
    file_community(ctx)
}

/// The id part of a `List-Id` value: `Name <id>` -> `id`, lower-cased.
fn list_id(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let id = match (raw.rfind('<'), raw.rfind('>')) {
        (Some(open), Some(close)) if open < close => &raw[open + 1..close],
        _ => raw,
    };
    let id = id.trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then(|| id.to_ascii_lowercase())
}

/// Tags that lists put in subjects but that do not name a list.
const NOT_LIST_TAGS: &[&str] = &[
    "ann",
    "announce",
    "bug",
    "draft",
    "fyi",
    "help",
    "job",
    "jobs",
    "news",
    "ot",
    "off-topic",
    "patch",
    "question",
    "release",
    "rfc",
    "security",
    "solved",
    "spam",
    "urgent",
    "wip",
];

/// Mailman's subject prefix: `Re: [Bigbang-dev] test` -> `bigbang-dev`.
fn subject_tag(subject: &str) -> Option<String> {
    let mut s = subject.trim_start();
    loop {
        let lower = s.get(..4).map(str::to_ascii_lowercase);
        match lower.as_deref() {
            Some("re: " | "aw: " | "sv: ") => s = s[4..].trim_start(),
            _ => match s.get(..5).map(str::to_ascii_lowercase).as_deref() {
                Some("fwd: ") => s = s[5..].trim_start(),
                _ => break,
            },
        }
    }
    let inner = s.strip_prefix('[')?;
    let tag = &inner[..inner.find(']')?];
    let plausible = (2..=64).contains(&tag.len())
        && !tag.contains(char::is_whitespace)
        && tag.chars().any(char::is_alphabetic)
        && !NOT_LIST_TAGS.contains(&tag.to_ascii_lowercase().as_str());
    plausible.then(|| tag.to_lowercase())
}

/// The community implied by the file: its stem, or its folder's name for a
/// monthly archive (`bigbang-dev/2014-November.txt.gz` -> `bigbang-dev`).
fn file_community(ctx: &FileCtx) -> String {
    let stem = file_stem(&ctx.path);
    if stem.is_some_and(is_month_name) {
        if let Some(folder) = ctx.path.parent().and_then(Path::file_name).and_then(|f| f.to_str()) {
            return folder.to_string();
        }
    }
    ctx.community
        .clone()
        .or_else(|| stem.map(str::to_string))
        .unwrap_or_default()
}

/// `2014-November`, `2014-11`: a monthly archive's name.
fn is_month_name(stem: &str) -> bool {
    let Some((year, month)) = stem.split_once('-') else {
        return false;
    };
    let numeric = month.len() == 2 && month.bytes().all(|b| b.is_ascii_digit());
    let named = month.len() >= 3
        && month.bytes().all(|b| b.is_ascii_alphabetic())
        && month
            .get(..3)
            .is_some_and(|abbr| MONTHS.iter().any(|m| m.eq_ignore_ascii_case(abbr)));
    year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && (numeric || named)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The author of a message from its `From` header.
fn author(from: Option<&Address<'_>>) -> Option<String> {
    let addr = from?.first()?;
    if let Some(address) = addr.address.as_deref().and_then(clean_address) {
        return Some(address);
    }
    let name = addr.name.as_deref().or(addr.address.as_deref())?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Normalizes an address: lower-cased; pipermail's `user at host` becomes
/// `user@host`; an address run together with its name (`Ann Lee
/// ann@x.org`, as some archives write it) keeps only the address. `None`
/// when there is no address.
fn clean_address(address: &str) -> Option<String> {
    let words: Vec<&str> = address.split_whitespace().collect();
    fn trim(w: &str) -> &str {
        w.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '"' | '\'' | ',' | ';'))
    }
    if let Some(word) = words.iter().rev().map(|w| trim(w)).find(|w| w.contains('@')) {
        return Some(word.to_lowercase());
    }
    if let Some(i) = words.iter().rposition(|w| w.eq_ignore_ascii_case("at")) {
        if i > 0 && i + 1 < words.len() {
            return Some(format!("{}@{}", trim(words[i - 1]), trim(words[i + 1])).to_lowercase());
        }
    }
    None
}

/// The sender of a pipermail From_ line: `From user at host  Sat ...`.
fn from_line_sender(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["From", user, "at", host, ..] => Some(format!("{user}@{host}").to_lowercase()),
        ["From", sender, ..] if sender.contains('@') => Some(sender.to_lowercase()),
        _ => None,
    }
}

/// The date of a From_ line (`... Sat Nov  8 11:37:32 2014`), as UTC.
fn from_line_date(line: &str) -> Option<i64> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (i, month) = words.iter().enumerate().skip(1).find_map(|(i, w)| {
        let m = MONTHS.iter().position(|m| w.len() == 3 && m.eq_ignore_ascii_case(w))?;
        Some((i, m as u32 + 1))
    })?;
    let day: u32 = words.get(i + 1)?.parse().ok()?;
    let mut hms = words.get(i + 2)?.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next().unwrap_or(Some(0))?);
    let year: i32 = words
        .iter()
        .skip(i + 3)
        .take(2)
        .find(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, s)?;
    Some(date.and_utc().timestamp())
}

/// How far from the end of a text part a list footer may start.
const FOOTER_MAX: usize = 1500;

/// Cuts a list server's footer off the end of a text part: a separator line
/// of at least 20 `_` or `#` within the last [`FOOTER_MAX`] bytes, followed
/// by text that mentions "unsubscribe", "mailing list" or "listinfo".
fn strip_list_footer(text: &str) -> &str {
    let tail_start = text.len().saturating_sub(FOOTER_MAX);
    let mut cut = None;
    let mut pos = text.len();
    // Walk the lines backwards, keeping the earliest separator whose tail
    // reads like a footer.
    while pos > tail_start {
        let search_end = if text[..pos].ends_with('\n') { pos - 1 } else { pos };
        let line_start = text[..search_end].rfind('\n').map_or(0, |i| i + 1);
        let t = text[line_start..pos].trim();
        let separator = t.len() >= 20 && (t.bytes().all(|b| b == b'_') || t.bytes().all(|b| b == b'#'));
        if separator && line_start >= tail_start {
            let tail = text[line_start..].to_lowercase();
            if ["unsubscribe", "mailing list", "listinfo"]
                .iter()
                .any(|k| tail.contains(k))
            {
                cut = Some(line_start);
            }
        }
        if line_start == 0 {
            break;
        }
        pos = line_start;
    }
    cut.map_or(text, |c| &text[..c])
}

/// Appends `more` to `text` after a blank line, shifting its regions.
fn append_text(text: &mut Text, more: Text) {
    if more.text.is_empty() {
        return;
    }
    if text.text.is_empty() {
        *text = more;
        return;
    }
    text.text.push_str("\n\n");
    let shift = text.text.len();
    text.text.push_str(&more.text);
    text.regions.extend(more.regions.into_iter().map(|mut r| {
        r.start += shift;
        r.end += shift;
        r
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Block, Compression, Item};
    use std::io::Cursor;
    use std::path::PathBuf;

    fn ctx(format: Format, path: &str) -> Arc<FileCtx> {
        Arc::new(FileCtx {
            index: 0,
            path: PathBuf::from(path),
            format,
            compression: Compression::None,
            community: format.reader().community(Path::new(path)),
            map: None,
            body_format: Default::default(),
            max_record: crate::read::DEFAULT_MAX_RECORD,
        })
    }

    /// Frames `input` and returns the records' bytes and the errors.
    fn frame_bytes(input: &[u8], limit: usize) -> (Vec<(Vec<u8>, RecordLoc)>, Vec<ReadError>) {
        let ctx = ctx(MBOX, "list.mbox");
        let mut records = Vec::new();
        let mut errors = Vec::new();
        let mut emit = |block: Block| {
            for item in block.items {
                match item {
                    Item::Record { range, loc, .. } => records.push((block.data[range].to_vec(), loc)),
                    Item::Error(e) => errors.push(e),
                    Item::File(_) => {}
                }
            }
            true
        };
        let mut sink = Sink::new(64, &mut emit);
        let reader: Box<dyn BufRead + Send> = Box::new(Cursor::new(input.to_vec()));
        if let Err(e) = frame_with_limit(&ctx, reader, &mut sink, limit) {
            sink.error(e);
        }
        sink.finish();
        (records, errors)
    }

    #[test]
    fn frames_messages_at_from_lines() {
        let input = b"\nFrom a@b Sat Aug 28 14:17:14 2021\r\nSubject: one\r\n\r\nFrom here on, no split.\r\n\r\n\
                      From b@c Sat Aug 28 14:17:15 2021\nSubject: two\n\nbody\n\n\n";
        let (records, errors) = frame_bytes(input, MAX_MESSAGE);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0].0,
            b"From a@b Sat Aug 28 14:17:14 2021\r\nSubject: one\r\n\r\nFrom here on, no split.".to_vec()
        );
        assert_eq!(
            records[0].1,
            RecordLoc {
                line: Some(2),
                offset: 1
            }
        );
        assert_eq!(
            records[1].0,
            b"From b@c Sat Aug 28 14:17:15 2021\nSubject: two\n\nbody".to_vec()
        );
        assert_eq!(records[1].1.line, Some(7));
    }

    #[test]
    fn not_a_mailbox_is_a_format_error() {
        let (records, errors) = frame_bytes(b"\n\nhello\nFrom a Sat Aug 28 14:17:14 2021\n", MAX_MESSAGE);
        assert!(records.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, ErrorKind::Format);
        assert_eq!((errors[0].line, errors[0].offset), (Some(3), Some(2)));
    }

    #[test]
    fn oversized_message_is_skipped_alone() {
        let big = "x".repeat(200);
        let input = format!(
            "From a Sat Aug 28 14:17:14 2021\nSubject: 1\n\n{big}\n{big}\nFrom b Sat Aug 28 14:17:14 2021\nSubject: 2\n\nok\n"
        );
        let (records, errors) = frame_bytes(input.as_bytes(), 300);
        assert_eq!(records.len(), 1);
        assert!(records[0].0.ends_with(b"Subject: 2\n\nok"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(1));
        assert!(
            errors[0].message.contains("larger than 300 bytes"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_line_without_breaks_does_not_grow_memory() {
        let junk = "y".repeat(5000);
        let input = format!(
            "From a Sat Aug 28 14:17:14 2021\nSubject: 1\n\n{junk}\nFrom b Sat Aug 28 14:17:14 2021\nSubject: 2\n\nok\n"
        );
        let (records, errors) = frame_bytes(input.as_bytes(), 300);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].1.line, Some(5), "a long line still counts as one line");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(1));
    }

    #[test]
    fn from_lines() {
        assert!(is_from_line(b"From MAILER-DAEMON Sat Aug 28 14:17:14 2021\n"));
        assert!(is_from_line(
            b"From sb at ischool.berkeley.edu  Sat Nov  8 11:37:32 2014\r\n"
        ));
        assert!(is_from_line(b"From - Thu Jan  1 9:05 1998"));
        assert!(!is_from_line(b"From my experience this works.\n"));
        assert!(!is_from_line(b"From 2019 on we met at 10 o'clock\n"));
        assert!(!is_from_line(b"From: a@b Sat Aug 28 14:17:14 2021\n"));
    }

    #[test]
    fn unescapes_mboxrd() {
        let m = b">From the start\nx\n>>From quoted\n> From kept\n>Fromage\n";
        assert_eq!(
            unescape_from(m).as_ref(),
            b"From the start\nx\n>From quoted\n> From kept\n>Fromage\n"
        );
        assert!(matches!(unescape_from(b"a\n> b\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn from_line_dates_and_senders() {
        assert_eq!(
            from_line_date("From sb at x.edu  Sat Nov  8 11:37:32 2014"),
            Some(1_415_446_652)
        );
        assert_eq!(from_line_date("From - Sat Nov 8 11:37 2014"), Some(1_415_446_620));
        assert_eq!(from_line_date("From a Sat Nov 31 11:37:32 2014"), None);
        assert_eq!(from_line_date("From a"), None);
        assert_eq!(
            from_line_sender("From sb at X.edu  Sat Nov  8"),
            Some("sb@x.edu".into())
        );
        assert_eq!(from_line_sender("From MAILER-DAEMON Sat Nov  8"), None);
    }

    #[test]
    fn addresses() {
        assert_eq!(
            clean_address("sb at ischool.berkeley.edu").as_deref(),
            Some("sb@ischool.berkeley.edu")
        );
        assert_eq!(
            clean_address("Ruixin Wang wangruixin@CAICT.AC.CN").as_deref(),
            Some("wangruixin@caict.ac.cn")
        );
        assert_eq!(
            clean_address("Jane.Doe@Example.ORG").as_deref(),
            Some("jane.doe@example.org")
        );
        assert_eq!(clean_address("Jane Doe"), None);
    }

    #[test]
    fn communities() {
        assert_eq!(
            list_id("EVS list <evs.list.ETSI.org>").as_deref(),
            Some("evs.list.etsi.org")
        );
        assert_eq!(list_id(" dev.example.org ").as_deref(), Some("dev.example.org"));
        assert_eq!(subject_tag("[Bigbang-dev] test").as_deref(), Some("bigbang-dev"));
        assert_eq!(subject_tag("Re: [Bigbang-dev] test").as_deref(), Some("bigbang-dev"));
        assert_eq!(subject_tag("[PATCH] fix"), None);
        assert_eq!(subject_tag("[PATCH v2] fix"), None);
        assert_eq!(subject_tag("no tag"), None);
        assert!(is_month_name("2014-November") && is_month_name("2014-11"));
        assert!(!is_month_name("bigbang-dev") && !is_month_name("2014-Novemberish1"));
        assert!(!is_month_name("2014-Nö") && !is_month_name("2014-ö") && !is_month_name("201ö-11"));
        let c = ctx(PIPERMAIL, "/archives/bigbang-dev/2014-November.txt.gz");
        assert_eq!(file_community(&c), "bigbang-dev");
        let c = ctx(MBOX, "/x/3GPP_EVS.mbox");
        assert_eq!(file_community(&c), "3GPP_EVS");
    }

    #[test]
    fn list_footers() {
        let listserv = "Hi\n\nBest\n\n####################\n\nTo unsubscribe from the X list, click:\nhttp://x\n\n####################\n";
        assert_eq!(strip_list_footer(listserv), "Hi\n\nBest\n\n");
        let mailman = "Hi\n_______________________________________________\nDev mailing list\nDev@x.org\nhttp://x.org/listinfo/dev\n";
        assert_eq!(strip_list_footer(mailman), "Hi\n");
        let outlook = "Hi\n\n________________________________\nFrom: a\n";
        assert_eq!(strip_list_footer(outlook), outlook);
        let long = format!("Hi\n____________________\nunsubscribe\n{}", "x".repeat(2000));
        assert_eq!(strip_list_footer(&long), long);
        assert_eq!(strip_list_footer(""), "");
        assert_eq!(strip_list_footer("好"), "好");
        assert_eq!(strip_list_footer("\n\n"), "\n\n");
    }

    #[test]
    fn bad_records() {
        let c = ctx(MBOX, "list.mbox");
        let loc = RecordLoc {
            line: Some(7),
            offset: 99,
        };
        let mut out = Vec::new();
        let e = parse(&c, b"From a Sat Aug 28 14:17:14 2021", loc, &mut out).unwrap_err();
        assert!(e.message.contains("empty message"), "{e:?}");
        let e = parse(&c, b"From a Sat Aug 28 14:17:14 2021\n\x00\x01garbage\n", loc, &mut out).unwrap_err();
        assert!(e.message.contains("header"), "{e:?}");
        parse(&c, b"From a Sat Aug 28 14:17:14 2021\nX-Only: 1\n", loc, &mut out).unwrap();
        assert_eq!(out[0].id, "list:7");
        assert_eq!(out[0].thread.as_deref(), Some("list:7"));
        assert_eq!(out[0].created, Some(1_630_160_234));
    }
}
