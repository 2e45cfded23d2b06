//! Lenient field deserialisers for dump fields whose type changed across
//! years (numbers as strings, floats, nulls).

use serde::{Deserialize, Deserializer};
use std::borrow::Cow;

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrStr<'a> {
    Int(i64),
    Float(f64),
    #[serde(borrow)]
    Str(Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

/// An integer written as a number, a float, a numeric string or null.
/// Anything else is `None` rather than a failed record.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v: Option<NumOrStr<'de>> = Option::deserialize(d)?;
    Ok(match v {
        Some(NumOrStr::Int(i)) => Some(i),
        Some(NumOrStr::Float(f)) if f.is_finite() => Some(f as i64),
        Some(NumOrStr::Str(s)) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
        }
        _ => None,
    })
}

/// An id written as a string or a number.
pub fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<NumOrStr<'de>> = Option::deserialize(d)?;
    Ok(match v {
        Some(NumOrStr::Int(i)) => Some(i.to_string()),
        Some(NumOrStr::Float(f)) => Some(format!("{f}")),
        Some(NumOrStr::Str(s)) => Some(s.into_owned()),
        _ => None,
    })
}

/// Parses an ISO 8601 timestamp (`2016-08-01T02:50:45.000Z`,
/// `2014-05-14T08:11:02.157`) to Unix seconds; no zone means UTC.
pub fn iso_to_unix(s: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    let s = s.trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
        .iter()
        .find_map(|f| {
            chrono::NaiveDateTime::parse_from_str(s, f).ok().or_else(|| {
                chrono::NaiveDate::parse_from_str(s, f)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
        })
        .map(|t| t.and_utc().timestamp())
}

/// An id written as a string or a number; required.
pub fn required_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    id_string(d)?.ok_or_else(|| serde::de::Error::custom("missing id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        assert_eq!(iso_to_unix("2016-08-01T02:50:45.000Z"), Some(1470019845));
        assert_eq!(iso_to_unix("2014-05-14T08:11:02.157"), Some(1400055062));
        assert_eq!(iso_to_unix("2014-05-14"), Some(1400025600));
        assert_eq!(iso_to_unix("yesterday"), None);
    }
}
