//! Framing CSV files with a header row: each row becomes one record, a JSON
//! object from column name to string value, read by the generic parser.
//!
//! Rows are found here, not by the `csv` crate's streaming reader, so that
//! damage loses only itself. A physical line ends a row when the quotes
//! seen since the row began are balanced (`""` inside a quoted field counts
//! twice); the row's bytes are then split into fields by the `csv` crate. A
//! row that spans several lines and has the wrong number of fields is an
//! unbalanced quote that swallowed the rows after it: its first line is
//! skipped and counted, and the lines after it are read again as rows of
//! their own. A row still open at the end of the file, or longer than the
//! record limit, is handled the same way.

use super::error::{stream_error, ErrorKind, ReadError, RecordLoc};
use super::framing::read_line_bounded;
use super::mapping::{FieldMap, BODY, ID, TARGETS};
use super::reader::{FileCtx, Sink};
use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::Arc;

/// Frames a CSV file with a header row into one record per row, located by
/// the row's first line (1-based, the header is line 1) and byte offset.
///
/// A row with the wrong number of fields, with bytes that are not UTF-8,
/// with a quote that is never closed, or longer than the record limit is
/// reported as a record error and skipped; the rows after it are read. An
/// I/O failure ends the file. The columns named for `id` and `body` must
/// exist in the header.
pub fn frame_csv(ctx: &Arc<FileCtx>, reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut rows = Rows {
        ctx,
        reader,
        offset: 0,
        number: 0,
        again: VecDeque::new(),
        open: Vec::new(),
        open_bytes: 0,
        quotes_open: false,
        names: None,
        splitter: Splitter::default(),
    };
    while !sink.is_stopped() {
        let Some(line) = rows.next_line()? else {
            if rows.open.is_empty() {
                break;
            }
            rows.give_up_first(sink, "a quote opened here is never closed; the row is skipped");
            continue;
        };
        if line.overlong {
            if rows.open.is_empty() {
                sink.error(ReadError::record(
                    &ctx.path,
                    line.loc(),
                    format!("a line longer than the record limit ({} bytes); skipped", ctx.max_record),
                ));
            } else {
                rows.again.push_front(line);
                rows.give_up_first(sink, "a row longer than the record limit (an unbalanced quote?); skipped");
            }
            continue;
        }
        let odd = memchr::memchr_iter(b'"', &line.bytes).count() % 2 == 1;
        rows.open_bytes += line.bytes.len();
        rows.open.push(line);
        rows.quotes_open ^= odd;
        if rows.quotes_open {
            if rows.open_bytes > ctx.max_record {
                rows.give_up_first(sink, "a row longer than the record limit (an unbalanced quote?); skipped");
            }
            continue;
        }
        rows.complete(sink)?;
    }
    Ok(())
}

/// One physical line of the file.
struct Line {
    /// Its bytes, through its line break; empty when `overlong`.
    bytes: Vec<u8>,
    /// 1-based line number.
    number: u64,
    /// Byte offset of its start.
    offset: u64,
    /// Longer than the record limit (its bytes were not kept).
    overlong: bool,
}

impl Line {
    fn loc(&self) -> RecordLoc {
        RecordLoc { line: Some(self.number), offset: self.offset }
    }
}

/// The state of framing one file.
struct Rows<'c> {
    ctx: &'c Arc<FileCtx>,
    reader: Box<dyn BufRead + Send>,
    /// Where the next line read from the file starts.
    offset: u64,
    /// Lines read from the file so far.
    number: u64,
    /// Lines given back to be read again, before the file's next line.
    again: VecDeque<Line>,
    /// The lines of the row being read.
    open: Vec<Line>,
    open_bytes: usize,
    /// Whether the row's quotes are unbalanced so far.
    quotes_open: bool,
    /// The header's column names, once read.
    names: Option<Vec<String>>,
    /// Splits rows into fields.
    splitter: Splitter,
}

impl Rows<'_> {
    /// The next line to look at: one given back, else the file's next.
    fn next_line(&mut self) -> Result<Option<Line>, ReadError> {
        if let Some(line) = self.again.pop_front() {
            return Ok(Some(line));
        }
        let mut bytes = Vec::new();
        let (n, whole) = read_line_bounded(&mut self.reader, &mut bytes, self.ctx.max_record)
            .map_err(|e| stream_error(&self.ctx.path, self.offset, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        if self.number == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let line = Line { bytes, number: self.number, offset: self.offset, overlong: !whole };
        self.offset += n as u64;
        Ok(Some(line))
    }

    /// Skips and counts the open row's first line, and gives the lines
    /// after it back to be read again.
    fn give_up_first(&mut self, sink: &mut Sink<'_>, why: &str) {
        let mut open = std::mem::take(&mut self.open).into_iter();
        if let Some(first) = open.next() {
            sink.error(ReadError::record(&self.ctx.path, first.loc(), why));
        }
        for line in open.rev() {
            self.again.push_front(line);
        }
        self.open_bytes = 0;
        self.quotes_open = false;
    }

    /// Splits the open row (its quotes balanced) into fields: the header,
    /// or a record for the sink.
    fn complete(&mut self, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        let loc = self.open[0].loc();
        let joined;
        let bytes: &[u8] = if self.open.len() == 1 {
            &self.open[0].bytes
        } else {
            joined = self.open.iter().flat_map(|l| l.bytes.iter().copied()).collect::<Vec<u8>>();
            &joined
        };
        // A quoted field holding a line break in a file of bare `\r` line
        // ends can give several records.
        let mut records = Vec::new();
        self.splitter.split(bytes, &mut records);
        let lines = self.open.len();
        let mut swallowed = None;
        for record in records {
            let Some(names) = &self.names else {
                self.names = Some(header_names(self.ctx, &record)?);
                continue;
            };
            if record.len() != names.len() {
                if lines > 1 {
                    swallowed = Some(format!(
                        "a quote opened here runs over {lines} lines into a row of {} fields, the header has {}; \
                         this line is skipped and the lines after it read again",
                        record.len(),
                        names.len()
                    ));
                    break;
                }
                sink.error(ReadError::record(
                    &self.ctx.path,
                    loc,
                    format!("row has {} fields, the header has {}", record.len(), names.len()),
                ));
                continue;
            }
            let start = sink.data().len();
            match write_object(sink.data(), names, &record) {
                Ok(()) => {
                    let end = sink.data().len();
                    sink.commit(self.ctx, start, end, loc);
                }
                Err(column) => {
                    sink.data().truncate(start);
                    let name = names.get(column).map_or("?", String::as_str);
                    sink.error(ReadError::record(
                        &self.ctx.path,
                        loc,
                        format!("column {} ({name}) is not valid UTF-8", column + 1),
                    ));
                }
            }
        }
        if let Some(why) = swallowed {
            self.give_up_first(sink, &why);
            return Ok(());
        }
        self.open.clear();
        self.open_bytes = 0;
        Ok(())
    }
}

/// Splits rows into fields as the `csv` crate reads them, with buffers
/// kept from row to row (making a reader costs more than splitting a row).
struct Splitter {
    reader: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl Default for Splitter {
    fn default() -> Self {
        // `csv_core::Reader::default()` is not a working reader: `new` builds it.
        Splitter { reader: csv_core::Reader::new(), fields: Vec::new(), ends: Vec::new() }
    }
}

impl Splitter {
    /// Splits `bytes` (whole rows) into records of fields.
    fn split(&mut self, bytes: &[u8], records: &mut Vec<csv::ByteRecord>) {
        use csv_core::ReadRecordResult;
        self.reader.reset();
        if self.fields.len() < bytes.len() + 16 {
            self.fields.resize(bytes.len() + 16, 0);
        }
        if self.ends.len() < 32 {
            self.ends.resize(32, 0);
        }
        let mut input = bytes;
        let (mut out, mut end) = (0, 0);
        loop {
            let (result, read, written, ended) =
                self.reader.read_record(input, &mut self.fields[out..], &mut self.ends[end..]);
            input = &input[read..];
            out += written;
            end += ended;
            match result {
                // An empty input next tells the reader that the rows end.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    let mut record = csv::ByteRecord::with_capacity(out, end);
                    let mut start = 0;
                    for &field_end in &self.ends[..end] {
                        record.push_field(&self.fields[start..field_end]);
                        start = field_end;
                    }
                    records.push(record);
                    (out, end) = (0, 0);
                }
                ReadRecordResult::End => break,
            }
        }
    }
}

/// The header's column names, checked for the columns the map needs.
fn header_names(ctx: &FileCtx, header: &csv::ByteRecord) -> Result<Vec<String>, ReadError> {
    let mut names = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let name = std::str::from_utf8(h).map_err(|_| {
            ReadError::file(ErrorKind::Format, &ctx.path, format!("CSV header column {} is not UTF-8", i + 1))
        })?;
        names.push(name.trim().to_string());
    }
    check_columns(ctx, &names)?;
    Ok(names)
}

/// The `id` and `body` columns must be in the header.
fn check_columns(ctx: &FileCtx, names: &[String]) -> Result<(), ReadError> {
    let default_map;
    let map = match ctx.map.as_deref() {
        Some(map) => map,
        None => {
            default_map = FieldMap::default();
            &default_map
        }
    };
    for target in [ID, BODY] {
        let Some(source) = map.field(target) else {
            continue;
        };
        if !names.iter().any(|n| n == source) {
            return Err(ReadError::file(
                ErrorKind::Format,
                &ctx.path,
                format!(
                    "CSV has no column '{source}' (mapped to {}); its columns: {}",
                    TARGETS[target],
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Writes a row as a JSON object; on invalid UTF-8 returns the column.
fn write_object(out: &mut Vec<u8>, names: &[String], row: &csv::ByteRecord) -> Result<(), usize> {
    out.push(b'{');
    for (i, (name, field)) in names.iter().zip(row.iter()).enumerate() {
        let value = std::str::from_utf8(field).map_err(|_| i)?;
        if i > 0 {
            out.push(b',');
        }
        write_json_string(out, name);
        out.push(b':');
        write_json_string(out, value);
    }
    out.push(b'}');
    Ok(())
}

/// Appends `s` as a quoted JSON string.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1F => None,
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[from..i]);
        match escape {
            Some(e) => out.extend_from_slice(e),
            None => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
        }
        from = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[from..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }
}
