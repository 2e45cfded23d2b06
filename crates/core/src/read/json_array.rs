//! Framing a top-level JSON array into one record per element, without
//! parsing it: the framer follows strings, escapes and the nesting of
//! brackets byte by byte.
//!
//! A damaged element loses that element only. The framer notices damage
//! where valid JSON cannot be (a closing bracket that does not match its
//! opener, a bare word other than `true`, `false` or `null` outside a
//! string, an element nested deeper than [`MAX_DEPTH`] or larger than
//! the record limit ([`FileCtx::max_record`])), reports the element as a skipped record with its
//! line, byte offset and the byte range it skipped, and resynchronises at
//! the next element boundary it can trust: `}` `,` `{` between objects. A
//! file that holds several arrays one after the other (dumps joined with
//! `cat`) reads as all of their elements; anything else after an array is
//! damage, skipped the same way.

use super::error::{stream_error, ErrorKind, ReadError, RecordLoc};
use super::reader::{FileCtx, Sink};
use std::io::BufRead;
use std::sync::Arc;

/// Deepest nesting of an element accepted.
pub const MAX_DEPTH: usize = 512;


#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first `[` (whitespace and a byte order mark allowed).
    BeforeArray,
    /// Inside an array, between elements.
    Between,
    /// Inside an element.
    InElement,
    /// After an array's `]`: whitespace, or the `[` of another array.
    AfterArray,
    /// After damage: looking for the next element boundary.
    Resync,
}

/// Damage found, waiting for the boundary that ends the skipped range.
struct Damage {
    loc: RecordLoc,
    reason: String,
}

struct Framer<'s, 'a> {
    ctx: &'s Arc<FileCtx>,
    sink: &'s mut Sink<'a>,
    state: State,
    /// Open brackets of the current element.
    stack: Vec<u8>,
    in_string: bool,
    escaped: bool,
    /// Where the current element starts: in the sink's data, in the file,
    /// and its line.
    elem_start: usize,
    elem_offset: u64,
    elem_line: u64,
    /// The current element's bytes are copied from here in the current
    /// chunk.
    copy_from: usize,
    /// The last two bytes other than whitespace seen while resynchronising.
    recent: [u8; 2],
    damage: Option<Damage>,
    line: u64,
}

/// Whether `b` may stand outside a string in valid JSON: structure,
/// whitespace, numbers and the letters of `true`, `false` and `null`.
fn bare_ok(b: u8) -> bool {
    matches!(b, b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"' | b'-' | b'+' | b'.' | b'0'..=b'9')
        || b.is_ascii_whitespace()
        || matches!(b, b't' | b'r' | b'u' | b'e' | b'f' | b'a' | b'l' | b's' | b'n' | b'E')
}

impl Framer<'_, '_> {
    fn start_element(&mut self, offset: u64, i: usize) {
        self.state = State::InElement;
        self.stack.clear();
        self.in_string = false;
        self.escaped = false;
        self.elem_start = self.sink.data().len();
        self.elem_offset = offset + i as u64;
        self.elem_line = self.line;
        self.copy_from = i;
    }

    /// Damage at file offset `at`: the element (if any) is dropped and
    /// the framer looks for the next boundary.
    fn damaged(&mut self, at: u64, reason: String) {
        let loc = if self.state == State::InElement {
            let start = self.elem_start;
            self.sink.data().truncate(start);
            RecordLoc { line: Some(self.elem_line), offset: self.elem_offset }
        } else {
            RecordLoc { line: Some(self.line), offset: at }
        };
        if self.damage.is_none() {
            self.damage = Some(Damage { loc, reason: format!("{reason} at byte {at}") });
        }
        self.state = State::Resync;
        self.recent = [b' ', b' '];
    }

    /// Reports the pending damage, the skipped range ending at `end`.
    fn report(&mut self, end: u64, resumed: bool) {
        if let Some(d) = self.damage.take() {
            let what = if resumed { "resumed at the next element" } else { "to the end of the file" };
            let message = format!(
                "malformed JSON array element ({}); bytes {}..{end} skipped, {what}",
                d.reason, d.loc.offset
            );
            self.sink.error(ReadError::record(&self.ctx.path, d.loc, message));
        }
    }

    fn commit(&mut self, chunk: &[u8], i: usize) {
        let from = self.copy_from;
        self.sink.data().extend_from_slice(&chunk[from..i]);
        let end = self.sink.data().len();
        let loc = RecordLoc { line: Some(self.elem_line), offset: self.elem_offset };
        let start = self.elem_start;
        self.sink.commit(self.ctx, start, end, loc);
    }

    /// Handles one byte at chunk index `i` (file offset `offset + i`); an
    /// error when the file is not a JSON array at all.
    fn byte(&mut self, chunk: &[u8], offset: u64, i: usize) -> Result<(), ReadError> {
        let b = chunk[i];
        let at = offset + i as u64;
        match self.state {
            State::BeforeArray => {
                if b == b'[' {
                    self.state = State::Between;
                } else if !(b.is_ascii_whitespace() || b == 0xEF || b == 0xBB || b == 0xBF) {
                    return Err(ReadError::file(ErrorKind::Format, &self.ctx.path, "expected a JSON array"));
                }
            }
            State::AfterArray => {
                if b == b'[' {
                    self.state = State::Between;
                } else if !b.is_ascii_whitespace() {
                    self.damaged(at, "text after the end of the array".into());
                }
            }
            State::Between => match b {
                b']' => self.state = State::AfterArray,
                b',' => {}
                _ if b.is_ascii_whitespace() => {}
                _ => {
                    self.start_element(offset, i);
                    self.element_byte(chunk, offset, i);
                }
            },
            State::InElement => self.element_byte(chunk, offset, i),
            State::Resync => {
                if b.is_ascii_whitespace() {
                    return Ok(());
                }
                if b == b'{' && self.recent == [b'}', b','] {
                    self.report(at, true);
                    self.start_element(offset, i);
                    self.element_byte(chunk, offset, i);
                } else if b == b']' && self.recent[1] == b'}' {
                    self.report(at, true);
                    self.state = State::AfterArray;
                } else {
                    self.recent = [self.recent[1], b];
                }
            }
        }
        Ok(())
    }

    fn element_byte(&mut self, chunk: &[u8], offset: u64, i: usize) {
        let b = chunk[i];
        let at = offset + i as u64;
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            } else if b == b'\n' {
                self.damaged(at, "a line break inside a string".into());
            }
            return;
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => {
                if self.stack.len() >= MAX_DEPTH {
                    self.damaged(at, format!("nested deeper than {MAX_DEPTH}"));
                } else {
                    self.stack.push(b);
                }
            }
            b'}' | b']' if !self.stack.is_empty() => {
                let open = if b == b'}' { b'{' } else { b'[' };
                if self.stack.pop() != Some(open) {
                    self.damaged(at, format!("'{}' closes what it did not open", b as char));
                }
            }
            b',' | b']' if self.stack.is_empty() => {
                // The element ends.
                self.commit(chunk, i);
                self.state = if b == b']' { State::AfterArray } else { State::Between };
            }
            b'}' => self.damaged(at, "'}' closes what it did not open".into()),
            _ if !bare_ok(b) => {
                self.damaged(at, format!("unexpected '{}' outside a string", char::from(b).escape_default()))
            }
            _ => {}
        }
    }
}

/// One record per element of a top-level JSON array (or of several arrays
/// one after the other), found by tracking strings and nesting, so a
/// malformed element is skipped alone (see the module documentation).
pub fn frame_json_array(ctx: &Arc<FileCtx>, mut reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut f = Framer {
        ctx,
        sink,
        state: State::BeforeArray,
        stack: Vec::new(),
        in_string: false,
        escaped: false,
        elem_start: 0,
        elem_offset: 0,
        elem_line: 1,
        copy_from: 0,
        recent: [b' ', b' '],
        damage: None,
        line: 1,
    };
    let mut offset = 0u64;
    while !f.sink.is_stopped() {
        let chunk = reader.fill_buf().map_err(|e| stream_error(&ctx.path, offset, e))?;
        if chunk.is_empty() {
            break;
        }
        let chunk = chunk.to_vec();
        let mut i = 0;
        while i < chunk.len() {
            if f.state == State::InElement && f.in_string && !f.escaped {
                // Inside a string only a quote, a backslash or a line break
                // matters.
                match memchr::memchr3(b'"', b'\\', b'\n', &chunk[i..]) {
                    Some(k) => i += k,
                    None => break,
                }
            }
            if chunk[i] == b'\n' {
                f.line += 1;
            }
            f.byte(&chunk, offset, i)?;
            i += 1;
        }
        if f.state == State::InElement {
            let from = f.copy_from;
            f.sink.data().extend_from_slice(&chunk[from..]);
            f.copy_from = 0;
            if f.sink.data().len() - f.elem_start > ctx.max_record {
                let at = offset + chunk.len() as u64;
                f.damaged(at, format!("element larger than the record limit ({} bytes)", ctx.max_record));
            }
        }
        offset += chunk.len() as u64;
        let n = chunk.len();
        reader.consume(n);
    }
    match f.state {
        State::AfterArray => Ok(()),
        State::Resync => {
            f.report(offset, false);
            Ok(())
        }
        State::BeforeArray => Err(ReadError::file(ErrorKind::Format, &ctx.path, "empty file: expected a JSON array")),
        State::InElement | State::Between => {
            let line = if f.state == State::InElement { f.elem_line } else { f.line };
            let at = if f.state == State::InElement { f.elem_offset } else { offset };
            if f.state == State::InElement {
                let start = f.elem_start;
                f.sink.data().truncate(start);
            }
            let mut err = ReadError::file(ErrorKind::Stream, &ctx.path, "truncated JSON array: the file ends inside it");
            err.offset = Some(at);
            err.line = Some(line);
            Err(err)
        }
    }
}
