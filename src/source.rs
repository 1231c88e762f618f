//! Source files and byte spans.
//!
//! Every phase points back at the policy text through a [`Span`]: a file id
//! and a half-open byte range. The [`SourceMap`] owns the text of every file
//! read in one run (policy files, imports, the built-in catalog, target
//! profiles) so that diagnostics can show line, column and snippet.
//!
//! Invariant: a span's range always lies inside its file's text and on
//! `char` boundaries; renderers clamp defensively all the same.

use std::path::{Path, PathBuf};

/// Index of a file inside a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A half-open byte range `[start, end)` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end.max(start)).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both (same file assumed; `self` wins otherwise).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// One source text with the name it is shown under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name shown in diagnostics (the path as the user gave it, or `<builtin>/…`).
    pub name: String,
    /// Canonical path on disk, when the file came from disk.
    pub path: Option<PathBuf>,
    pub text: String,
    /// Byte offset of the start of every line (the first is 0).
    line_starts: Vec<usize>,
    /// The text as shown in snippets when it holds characters that must
    /// not reach a terminal (see [`display_char`]); same byte length and
    /// character count as `text`, so every span fits both.
    display: Option<String>,
}

impl SourceFile {
    /// The text to quote in human-readable output.
    pub fn display_text(&self) -> &str {
        self.display.as_deref().unwrap_or(&self.text)
    }

    /// Byte offsets of the line starts (the first is 0).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

/// The stand-in of a character in quoted source: itself when it is safe
/// on a terminal, else a visible character of the same UTF-8 length (`?`,
/// `¿` or U+FFFD), so spans keep their offsets. Tabs, newlines and a
/// carriage return before a newline stay (the renderer lays them out).
pub fn display_char(c: char) -> char {
    let unsafe_char = (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        );
    if !unsafe_char {
        return c;
    }
    match c.len_utf8() {
        1 => '?',
        2 => '\u{bf}',
        _ => '\u{fffd}',
    }
}

/// The display copy of `text`, when it differs (see [`display_char`]).
fn display_copy(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let needs = text
        .char_indices()
        .any(|(i, c)| display_char(c) != c || (c == '\r' && bytes.get(i + 1) != Some(&b'\n')));
    if !needs {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c == '\r' && bytes.get(i + 1) != Some(&b'\n') {
            out.push('?');
        } else {
            out.push(display_char(c));
        }
    }
    Some(out)
}

/// All files read in one run.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Canonical path → first file read from it, for [`SourceMap::find_path`].
    by_path: std::collections::BTreeMap<PathBuf, FileId>,
}

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, path: Option<PathBuf>, text: String) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        if let Some(p) = &path {
            self.by_path.entry(p.clone()).or_insert(id);
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let display = display_copy(&text);
        self.files.push(SourceFile {
            name: name.into(),
            path,
            text,
            line_starts,
            display,
        });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.text.as_str()).unwrap_or("")
    }

    pub fn find_path(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }

    /// The text a span covers ("" when out of range).
    pub fn snippet(&self, span: Span) -> &str {
        let text = self.text(span.file);
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// 1-based line and column of a span's start (O(log lines)).
    pub fn line_col(&self, span: Span) -> LineCol {
        let Some(file) = self.get(span.file) else {
            return LineCol { line: 1, column: 1 };
        };
        let text = file.text.as_str();
        let mut at = (span.start as usize).min(text.len());
        while at > 0 && !text.is_char_boundary(at) {
            at -= 1;
        }
        let line = file.line_starts.partition_point(|&s| s <= at).max(1);
        let line_start = file.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = text
            .get(line_start..at)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        LineCol { line, column }
    }
}
