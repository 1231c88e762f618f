//! YAML reading and writing: the one module that knows the YAML library.
//!
//! Callers get plain serde deserialization plus, on failure, a message and a
//! byte range so they can build a [`crate::diagnostics::Diagnostic`] with a
//! span. Values whose position matters after a successful parse (a zone name
//! in a target profile, say) are read as [`Located<T>`], which carries the
//! byte range of the YAML node it came from.
//!
//! Invariant: no other module names the YAML crate; swapping it touches
//! only this file.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A YAML document that could not be read into the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What went wrong, in one line, without a location prefix.
    pub message: String,
    /// Byte offset of the problem, when known.
    pub offset: Option<usize>,
    /// Byte length of the offending node (at least 1 when `offset` is known).
    pub len: usize,
    /// 1-based line and column, when known.
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{} (line {l}, column {c})", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// A value together with the byte range of the YAML node it was read from.
///
/// Ordering and equality look at the value first, so `Located<String>` can
/// key a `BTreeMap` and iterate in name order.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    /// Byte offset of the node in the document.
    pub start: usize,
    /// Byte offset just past the node.
    pub end: usize,
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.start == other.start
    }
}
impl<T: Eq> Eq for Located<T> {}
impl<T: Ord> PartialOrd for Located<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: Ord> Ord for Located<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value
            .cmp(&other.value)
            .then(self.start.cmp(&other.start))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let start = span
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(0);
        let len = span
            .byte_len()
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(0);
        Ok(Located {
            value: spanned.value,
            start,
            end: start + len,
        })
    }
}

/// Reads one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| convert_error(&e, text))
}

/// Writes `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, YamlError> {
    serde_saphyr::to_string(value).map_err(|e| YamlError {
        message: e.to_string(),
        offset: None,
        len: 0,
        line: None,
        column: None,
    })
}

fn convert_error(err: &serde_saphyr::Error, text: &str) -> YamlError {
    let location = err.location();
    let message = plain_message(err);
    let Some(loc) = location else {
        return YamlError {
            message,
            offset: None,
            len: 0,
            line: None,
            column: None,
        };
    };
    let span = loc.span();
    let offset = span
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .or_else(|| offset_of_line_col(text, loc.line(), loc.column()));
    let len = span
        .byte_len()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(0)
        .max(1);
    let len = offset.map_or(0, |o| len.min(text.len().saturating_sub(o)));
    YamlError {
        message,
        offset: offset.map(|o| o.min(text.len())),
        len,
        line: (loc.line() > 0).then(|| loc.line()),
        column: (loc.column() > 0).then(|| loc.column()),
    }
}

/// The error's message without the library's location prefix or snippet.
fn plain_message(err: &serde_saphyr::Error) -> String {
    let rendered = err.without_snippet().to_string();
    let first = rendered.lines().next().unwrap_or("").trim();
    // Drop a trailing " at line L, column C" that the library may append.
    let cut = first
        .find(" at line ")
        .map_or(first, |i| first.get(..i).unwrap_or(first));
    let cut = cut.trim_start_matches("error: ").trim();
    if cut.is_empty() {
        "invalid YAML".to_string()
    } else {
        cut.to_string()
    }
}

/// Byte offset of a 1-based line and character column.
fn offset_of_line_col(text: &str, line: u64, column: u64) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let column = usize::try_from(column).ok()?.saturating_sub(1);
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n').nth(line - 1).map(|(i, _)| i + 1)?
    };
    let rest = text.get(line_start..)?;
    let within = rest
        .char_indices()
        .nth(column)
        .map_or(rest.len(), |(i, _)| i);
    Some(line_start + within)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        name: Located<String>,
        map: BTreeMap<Located<String>, Located<String>>,
    }

    impl Serialize for Located<String> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.value.serialize(s)
        }
    }

    #[test]
    fn located_values_carry_byte_ranges() {
        let text = "name: \"fw é\"\nmap:\n  line1: eth4.101\n";
        let doc: Doc = from_str(text).unwrap();
        assert_eq!(doc.name.value, "fw é");
        let (k, v) = doc.map.iter().next().unwrap();
        assert_eq!(&text[k.start..k.end], "line1");
        assert_eq!(&text[v.start..v.end], "eth4.101");
    }

    #[test]
    fn errors_point_into_the_text() {
        let text = "name: fw\nmap: {}\nbogus: 1\n";
        let err = from_str::<Doc>(text).unwrap_err();
        assert_eq!(err.line, Some(3));
        let at = err.offset.unwrap();
        assert!(text[at..].starts_with("bogus"), "{err:?}");
        assert!(err.message.contains("bogus"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let err = from_str::<Doc>("name: [unclosed\n").unwrap_err();
        assert!(err.offset.is_some(), "{err:?}");
    }

    #[test]
    fn round_trip_writes_yaml() {
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), 1u32);
        let s = to_string(&m).unwrap();
        assert!(s.contains("a: 1"), "{s}");
    }
}
