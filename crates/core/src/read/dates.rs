//! The dates leadminer believes: a post's creation time outside
//! [`plausible_times`] (before 1990, after the end of next year, or an
//! integer extreme) is a bad field, counted and dropped, so that no
//! computation downstream meets an impossible time.

use super::error::{ErrorKind, ReadError, RecordLoc};
use super::reader::FileCtx;
use crate::model::{datetime_string, Post};
use chrono::Datelike;
use std::ops::Range;
use std::sync::LazyLock;

/// 1990-01-01T00:00:00Z.
const EARLIEST: i64 = 631_152_000;

static PLAUSIBLE: LazyLock<Range<i64>> = LazyLock::new(|| {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let year = chrono::DateTime::from_timestamp(now, 0).map_or(2026, |t| t.year());
    let after_next_year = year + 2;
    let end = chrono::NaiveDate::from_ymd_opt(after_next_year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(i64::MAX, |t| t.and_utc().timestamp());
    EARLIEST..end
});

/// The creation times believed: from 1990-01-01 up to the end of next
/// year (UTC, Unix seconds).
pub fn plausible_times() -> Range<i64> {
    PLAUSIBLE.clone()
}

/// Drops an implausible creation time from `post`, returning the error
/// that counts it (located at the post's record).
pub(crate) fn check_created(ctx: &FileCtx, loc: RecordLoc, post: &mut Post) -> Option<ReadError> {
    let t = post.created?;
    let range = &*PLAUSIBLE;
    if range.contains(&t) {
        return None;
    }
    post.created = None;
    let mut err = ReadError::record(
        &ctx.path,
        loc,
        format!(
            "creation time {t} ({}) is outside {} .. {}; the post is kept without a date",
            datetime_string(t),
            datetime_string(range.start),
            datetime_string(range.end),
        ),
    );
    err.kind = ErrorKind::Field;
    err.record = Some(super::error::excerpt(post.id.clone(), super::error::MAX_ID));
    Some(err)
}
