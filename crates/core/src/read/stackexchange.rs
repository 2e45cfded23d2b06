//! TODO(reader): being written.

use super::{FileCtx, ParseError, ReadError, Sink};
use crate::model::Post;
use std::io::BufRead;
use std::sync::Arc;

/// Frames the stream into raw records.
pub fn frame(ctx: &Arc<FileCtx>, _reader: Box<dyn BufRead + Send>, _sink: &mut Sink<'_>) -> Result<(), ReadError> {
    Err(ReadError::file(super::ErrorKind::Format, &ctx.path, "not implemented yet"))
}

/// Parses one raw record.
pub fn parse(_ctx: &FileCtx, _bytes: &[u8], _out: &mut Vec<Post>) -> Result<(), ParseError> {
    Err(ParseError::new("not implemented yet"))
}

/// The site a dump file belongs to.
pub(crate) fn site_from_path(_path: &std::path::Path) -> Option<String> {
    None
}
