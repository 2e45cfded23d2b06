//! TODO(reader): being written.

use super::{FileCtx, ParseError, ReadError, Sink};
use crate::model::Post;
use std::io::BufRead;
use std::sync::Arc;

/// A mapping from post fields to the input's field names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMap {}

/// Frames CSV rows.
pub fn frame_csv(ctx: &Arc<FileCtx>, _reader: Box<dyn BufRead + Send>, _sink: &mut Sink<'_>) -> Result<(), ReadError> {
    Err(ReadError::file(super::ErrorKind::Format, &ctx.path, "not implemented yet"))
}

/// Parses one raw record.
pub fn parse(_ctx: &FileCtx, _bytes: &[u8], _out: &mut Vec<Post>) -> Result<(), ParseError> {
    Err(ParseError::new("not implemented yet"))
}

impl std::str::FromStr for FieldMap {
    type Err = String;
    fn from_str(_s: &str) -> Result<Self, Self::Err> {
        Err("not implemented yet".into())
    }
}
