//! Rendering diagnostics: graphical text through `miette`, and JSON.
//!
//! Text output shows code, message, `file:line:column`, the source snippet
//! with labels, and the hint. miette reads the snippet through
//! [`FileSource`], a view of the shared, line-indexed [`SourceMap`], so
//! the cost of a diagnostic is the size of its snippet: text output is
//! linear in the number of diagnostics. Snippets and messages are safe on
//! a terminal (control and bidi characters replaced) and bounded (long
//! lines cut to a window with an ellipsis, labels to a few lines, at most
//! [`MAX_PER_CODE`] per code and [`MAX_SHOWN`] diagnostics in all). Labels in another file than the primary span
//! become related diagnostics, so that "first defined here" in an imported
//! file still shows its own snippet.

use super::{Diagnostic, Label, Severity};
use crate::source::{SourceFile, SourceMap, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};
use serde::Serialize;
use std::fmt;

/// Options for text rendering.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub color: bool,
    pub width: usize,
}

impl Default for TextStyle {
    fn default() -> TextStyle {
        TextStyle {
            color: false,
            width: 100,
        }
    }
}

/// A line longer than this (bytes) is quoted as a window around its
/// label, cut with an ellipsis.
const MAX_LINE: usize = 240;
/// Bytes of a long line quoted before a label's start.
const WINDOW_BEFORE: usize = 80;
/// A label covering more lines than this is shown by its first line.
const MAX_LABEL_LINES: usize = 6;
/// A label longer than this (bytes) is cut to it.
const MAX_LABEL_BYTES: usize = 160;
/// A label in the primary's file but further than this many lines away
/// gets a snippet of its own instead of every line in between.
const NEAR_LINES: usize = 12;
/// Text output shows at most this many diagnostics of one code or rule.
pub const MAX_PER_CODE: usize = 100;
/// Text output shows at most this many diagnostics in all.
pub const MAX_SHOWN: usize = 1000;

/// A diagnostic prepared for miette: one source file, its labels.
struct Prepared<'a> {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<Box<dyn miette::SourceCode + 'a>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Prepared<'a>>,
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl fmt::Display for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Prepared<'_> {}

impl miette::Diagnostic for Prepared<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_deref()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// One file of the [`SourceMap`] as miette reads it: the shared text and
/// its line index, no copy. A read looks up the lines it needs by binary
/// search and hands miette only those, so a diagnostic costs the size of
/// its snippet, not of its file.
struct FileSource<'a> {
    name: String,
    file: &'a SourceFile,
}

impl miette::SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.file.display_text().as_bytes();
        let starts = self.file.line_starts();
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let first = self.file.line_of(start).saturating_sub(before);
        let win_start = starts.get(first).copied().unwrap_or(0);
        let win_end = starts
            .get(self.file.line_of(end) + after + 2)
            .copied()
            .unwrap_or(text.len());
        let window = text
            .get(win_start..win_end)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - win_start).into(), end - start);
        let c = window.read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            SourceSpan::new((c.span().offset() + win_start).into(), c.span().len()),
            c.line() + first,
            c.column(),
            c.line_count() + first,
        )))
    }
}

/// A window of one long line, owned, with an ellipsis where it is cut.
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line of the excerpt in its file.
    line: usize,
    /// Offset of the primary label in `text` and its true column (bytes).
    primary: (usize, usize),
}

impl miette::SourceCode for Excerpt {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let c = self.text.as_bytes().read_span(span, before, after)?;
        let column = if span.offset() == self.primary.0 && before == 0 {
            self.primary.1
        } else {
            c.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + self.line,
            column,
            c.line_count() + self.line,
        )))
    }
}

/// The byte range of a label as quoted: inside the text, on character
/// boundaries, at most [`MAX_LABEL_LINES`] lines (else its first line)
/// and [`MAX_LABEL_BYTES`] bytes.
fn clamp(sources: &SourceMap, span: Span) -> (usize, usize) {
    let Some(file) = sources.get(span.file) else {
        return (0, 0);
    };
    let text = file.text.as_str();
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        i = i.min(text.len());
        while i < text.len() && !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let start = floor(span.start as usize);
    let mut end = ceil((span.end as usize).max(start));
    let (l0, l1) = (file.line_of(start), file.line_of(end));
    if l1 - l0 > MAX_LABEL_LINES {
        let next = file
            .line_starts()
            .get(l0 + 1)
            .copied()
            .unwrap_or(text.len());
        end = floor(next.saturating_sub(1)).max(start);
    }
    if end - start > MAX_LABEL_BYTES {
        end = floor(start + MAX_LABEL_BYTES).max(start);
    }
    (start, end)
}

/// Whether a line near `line` is too long to quote whole.
fn long_lines_near(file: &SourceFile, from: usize, to: usize) -> bool {
    let starts = file.line_starts();
    (from.saturating_sub(1)..=to + 1).any(|l| {
        let (Some(s), e) = (
            starts.get(l),
            starts.get(l + 1).copied().unwrap_or(file.text.len()),
        ) else {
            return false;
        };
        e.saturating_sub(*s) > MAX_LINE
    })
}

fn label_text(l: &Label) -> Option<String> {
    (!l.text.is_empty()).then(|| escape_controls(&l.text))
}

/// The snippet of one label on a long line: a window of that line.
fn excerpt(sources: &SourceMap, l: &Label, primary: bool) -> (Excerpt, LabeledSpan) {
    let name = escape_controls(sources.name(l.span.file));
    let (start, end) = clamp(sources, l.span);
    let (text, line, line_start, line_end) = match sources.get(l.span.file) {
        Some(f) => {
            let line = f.line_of(start);
            let s = f.line_starts().get(line).copied().unwrap_or(0);
            let e = f
                .line_starts()
                .get(line + 1)
                .map_or(f.text.len(), |n| n.saturating_sub(1));
            (f.display_text(), line, s, e.max(s))
        }
        None => ("", 0, 0, 0),
    };
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(start.saturating_sub(WINDOW_BEFORE).max(line_start));
    let to = floor((from + MAX_LINE).max(end).min(line_end)).max(from);
    let end = end.min(to).max(start.min(to));
    let lead = if from > line_start { "…" } else { "" };
    let tail = if to < line_end { "…" } else { "" };
    let body = text.get(from..to).unwrap_or("");
    let excerpt_text = format!("{lead}{body}{tail}");
    let at = lead.len() + start.min(to).saturating_sub(from);
    let len = end.saturating_sub(start.min(to));
    let span = SourceSpan::new(at.into(), len);
    let labeled = if primary {
        LabeledSpan::new_primary_with_span(label_text(l), span)
    } else {
        LabeledSpan::new_with_span(label_text(l), span)
    };
    let column = start - line_start;
    (
        Excerpt {
            name,
            text: excerpt_text,
            line,
            primary: (at, column),
        },
        labeled,
    )
}

fn labeled(sources: &SourceMap, l: &Label, primary: bool) -> LabeledSpan {
    let (start, end) = clamp(sources, l.span);
    let span = SourceSpan::new(start.into(), end - start);
    if primary {
        LabeledSpan::new_primary_with_span(label_text(l), span)
    } else {
        LabeledSpan::new_with_span(label_text(l), span)
    }
}

/// A snippet of its own for one label (another file, far away, or a
/// long line).
fn single<'a>(sources: &'a SourceMap, d: &Diagnostic, l: &Label) -> Prepared<'a> {
    let mut p = Prepared {
        code: d.code.clone(),
        severity: Severity::Info,
        message: escape_controls(&l.text),
        help: None,
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    let Some(file) = sources.get(l.span.file) else {
        return p;
    };
    let (start, end) = clamp(sources, l.span);
    if long_lines_near(file, file.line_of(start), file.line_of(end)) {
        let (e, span) = excerpt(sources, l, true);
        p.source = Some(Box::new(e));
        p.labels.push(span);
    } else {
        p.source = Some(Box::new(FileSource {
            name: escape_controls(&file.name),
            file,
        }));
        p.labels.push(labeled(sources, l, true));
    }
    p
}

fn prepare<'a>(sources: &'a SourceMap, d: &Diagnostic) -> Prepared<'a> {
    let mut p = Prepared {
        code: d.code.clone(),
        severity: d.severity,
        message: escape_controls(&d.message),
        help: d.help.as_deref().map(escape_controls),
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    let Some(primary) = &d.primary else { return p };
    let Some(file) = sources.get(primary.span.file) else {
        return p;
    };
    let (start, end) = clamp(sources, primary.span);
    let line = file.line_of(start);
    if long_lines_near(file, line, file.line_of(end)) {
        let (e, span) = excerpt(sources, primary, true);
        p.source = Some(Box::new(e));
        p.labels.push(span);
        p.related = d.secondary.iter().map(|l| single(sources, d, l)).collect();
        return p;
    }
    p.source = Some(Box::new(FileSource {
        name: escape_controls(&file.name),
        file,
    }));
    p.labels.push(labeled(sources, primary, true));
    for l in &d.secondary {
        let (s, e) = clamp(sources, l.span);
        let near = l.span.file == primary.span.file
            && file.line_of(s).abs_diff(line) <= NEAR_LINES
            && !long_lines_near(file, file.line_of(s), file.line_of(e));
        if near {
            p.labels.push(labeled(sources, l, false));
        } else {
            p.related.push(single(sources, d, l));
        }
    }
    p
}

/// Renders one diagnostic as graphical text. Quoted source is bounded
/// (a few lines; long lines as a window) and characters unsafe on a
/// terminal are replaced, in the snippet and in every message.
pub fn text(sources: &SourceMap, d: &Diagnostic, style: TextStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    let prepared = prepare(sources, d);
    if handler.render_report(&mut out, &prepared).is_err() {
        out = format!(
            "{}[{}]: {}\n",
            d.severity.as_str(),
            d.code,
            escape_controls(&d.message)
        );
    }
    out
}

/// Renders diagnostics as text, one after the other.
pub fn text_all(sources: &SourceMap, diags: &[Diagnostic], style: TextStyle) -> String {
    text_capped(sources, diags.iter(), style)
}

/// Renders diagnostics as text, at most [`MAX_PER_CODE`] of one code and
/// [`MAX_SHOWN`] in all; then a line with the number left out and a
/// pointer to `--format json`, which lists every one.
pub fn text_capped<'d>(
    sources: &SourceMap,
    diags: impl Iterator<Item = &'d Diagnostic>,
    style: TextStyle,
) -> String {
    let mut shown = 0usize;
    let mut per_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut left_out: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut parts: Vec<String> = Vec::new();
    for d in diags {
        let n = per_code.entry(d.code.as_str()).or_insert(0);
        if *n >= MAX_PER_CODE || shown >= MAX_SHOWN {
            *left_out.entry(d.code.as_str()).or_insert(0) += 1;
            continue;
        }
        *n += 1;
        shown += 1;
        parts.push(text(sources, d, style));
    }
    let mut out = parts.join("\n");
    if !left_out.is_empty() {
        let total: usize = left_out.values().sum();
        let mut codes: Vec<(&str, usize)> = left_out.into_iter().collect();
        codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = codes
            .iter()
            .take(8)
            .map(|(c, n)| format!("{n} {}", escape_controls(c)))
            .collect();
        let more = if codes.len() > 8 { ", …" } else { "" };
        out.push_str(&format!(
            "\n… {total} more diagnostic(s) not shown ({}{more}): at most {MAX_PER_CODE} per code \
             and {MAX_SHOWN} in all are printed as text; `--format json` lists every one\n",
            list.join(", ")
        ));
    }
    out
}

/// A position in JSON output.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte offsets `[start, end)` in the file.
    pub start: u32,
    pub end: u32,
}

/// A label in JSON output.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLabel {
    pub message: String,
    #[serde(flatten)]
    pub location: JsonLocation,
}

/// One diagnostic in JSON output (schema documented in README.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub location: Option<JsonLocation>,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
}

/// Where a span is, in file:line:column terms.
pub fn location(sources: &SourceMap, span: Span) -> JsonLocation {
    let start = sources.line_col(span);
    let end = sources.line_col(Span {
        start: span.end,
        ..span
    });
    JsonLocation {
        file: sources.name(span.file).to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        start: span.start,
        end: span.end,
    }
}

/// The JSON form of a diagnostic.
pub fn json(sources: &SourceMap, d: &Diagnostic) -> JsonDiagnostic {
    JsonDiagnostic {
        code: d.code.clone(),
        severity: d.severity,
        message: d.message.clone(),
        location: d.primary.as_ref().map(|l| location(sources, l.span)),
        labels: d
            .primary
            .iter()
            .chain(&d.secondary)
            .map(|l| JsonLabel {
                message: l.text.clone(),
                location: location(sources, l.span),
            })
            .collect(),
        help: d.help.clone(),
    }
}

/// A one-line summary: `file:line:col: severity[CODE]: message`.
pub fn short(sources: &SourceMap, d: &Diagnostic) -> String {
    match &d.primary {
        Some(l) => {
            let loc = location(sources, l.span);
            format!(
                "{}:{}:{}: {}[{}]: {}",
                escape_controls(&loc.file),
                loc.line,
                loc.column,
                d.severity.as_str(),
                d.code,
                escape_controls(&d.message)
            )
        }
        None => format!(
            "{}[{}]: {}",
            d.severity.as_str(),
            d.code,
            escape_controls(&d.message)
        ),
    }
}

/// Whether a character must not reach a terminal as is: C0 and C1
/// controls (ESC starts terminal escape sequences; a newline in a file
/// name forges a new output line), DEL, and the Unicode bidirectional
/// and line-separator controls that reorder or split what is shown.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
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
        )
}

/// `text` with every unsafe character (see [`is_unsafe_char`]) written as
/// a `\u{…}` escape, for one line of human-readable output.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(is_unsafe_char) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
