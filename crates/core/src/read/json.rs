//! Reading a JSON record, and lenient field deserialisers for dump fields
//! whose type changed across years (numbers as strings, floats, nulls).
//! Framing a top-level JSON array is in [`json_array`](super::json_array).

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::fmt;

/// Parses one JSON record. The record's bytes are checked to be UTF-8 in
/// one pass, so the parser need not check each string it reads (most of a
/// dump record is strings, most of them skipped); a record that is not
/// UTF-8 throughout is parsed from its bytes, which tolerates bad bytes in
/// the strings it skips, and fails with the parser's own error on those it
/// reads.
pub fn from_record<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// A field that may be a number, a string or anything else. Read with one
/// visitor (an untagged enum would buffer the value and build an error
/// message for every variant that does not fit).
enum NumOrStr<'a> {
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Other,
}

struct NumOrStrVisitor;

impl<'de> Visitor<'de> for NumOrStrVisitor {
    type Value = NumOrStr<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string")
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(NumOrStr::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(NumOrStr::Float(v as f64), NumOrStr::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(NumOrStr::Float(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(NumOrStr::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(NumOrStr::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(NumOrStr::Str(Cow::Owned(v)))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NumOrStr::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NumOrStr::Other)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(NumOrStr::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(NumOrStr::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(NumOrStr::Other)
    }
}

/// An integer written as a number, a float, a numeric string or null.
/// Anything else is `None` rather than a failed record.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match d.deserialize_any(NumOrStrVisitor)? {
        NumOrStr::Int(i) => Some(i),
        NumOrStr::Float(f) if f.is_finite() => Some(f as i64),
        NumOrStr::Str(s) => {
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
    Ok(match d.deserialize_any(NumOrStrVisitor)? {
        NumOrStr::Int(i) => Some(i.to_string()),
        NumOrStr::Float(f) => Some(format!("{f}")),
        NumOrStr::Str(s) => Some(s.into_owned()),
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

    #[derive(serde::Deserialize)]
    struct Fields {
        #[serde(default, deserialize_with = "lenient_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "id_string")]
        id: Option<String>,
    }

    fn fields(json: &str) -> (Option<i64>, Option<String>) {
        let f: Fields = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        (f.n, f.id)
    }

    #[test]
    fn lenient_numbers_and_ids() {
        assert_eq!(fields(r#"{"n": 5, "id": 7}"#), (Some(5), Some("7".into())));
        assert_eq!(fields(r#"{"n": "12", "id": "abc"}"#), (Some(12), Some("abc".into())));
        assert_eq!(fields(r#"{"n": 3.9, "id": 1.5}"#), (Some(3), Some("1.5".into())));
        assert_eq!(fields(r#"{"n": " 4.0 ", "id": null}"#), (Some(4), None));
        assert_eq!(fields(r#"{"n": null}"#), (None, None));
        assert_eq!(fields(r#"{"n": true, "id": [1, {"a": 2}]}"#), (None, None));
        assert_eq!(fields(r#"{"n": {"x": [1]}, "id": false}"#), (None, None));
        assert_eq!(fields(r#"{"n": "soon", "id": "a\"b"}"#), (None, Some("a\"b".into())));
        assert_eq!(fields(r#"{"n": 18446744073709551615}"#).0, Some(i64::MAX));
        assert_eq!(fields("{}"), (None, None));
    }

    #[test]
    fn iso_forms() {
        assert_eq!(iso_to_unix("2016-08-01T02:50:45.000Z"), Some(1470019845));
        assert_eq!(iso_to_unix("2014-05-14T08:11:02.157"), Some(1400055062));
        assert_eq!(iso_to_unix("2014-05-14"), Some(1400025600));
        assert_eq!(iso_to_unix("yesterday"), None);
    }

    /// A record parses the same from checked text or from its bytes; bad
    /// bytes are tolerated where they are skipped, an error where read.
    #[test]
    fn records_with_and_without_valid_utf8() {
        let good = r#"{"skip": "é\u00e9", "id": "a\"b€", "n": 2}"#.as_bytes();
        let f: Fields = from_record(good).unwrap();
        assert_eq!((f.n, f.id.as_deref()), (Some(2), Some("a\"b€")));
        let skipped_bad: &[u8] = b"{\"skip\": \"x\xff\xfey\", \"id\": \"ok\"}";
        let f: Fields = from_record(skipped_bad).unwrap();
        assert_eq!(f.id.as_deref(), Some("ok"));
        let read_bad: &[u8] = b"{\"id\": \"x\xffy\"}";
        let e = from_record::<Fields>(read_bad).err().unwrap();
        assert_eq!(e.to_string(), serde_json::from_slice::<Fields>(read_bad).err().unwrap().to_string());
    }
}
