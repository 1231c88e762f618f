//! Rendering diagnostics: graphical text through `miette`, and JSON.
//!
//! Text output shows code, message, `file:line:column`, the source snippet
//! with labels, and the hint. Labels in another file than the primary span
//! become related diagnostics, so that "first defined here" in an imported
//! file still shows its own snippet.

use super::{Diagnostic, Label, Severity};
use crate::source::{SourceMap, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
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

/// A diagnostic prepared for miette: one source file, its labels.
struct Prepared {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Prepared>,
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl fmt::Display for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Prepared {}

impl miette::Diagnostic for Prepared {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn clamp(sources: &SourceMap, span: Span) -> SourceSpan {
    let text = sources.text(span.file);
    let mut start = (span.start as usize).min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (span.end as usize).clamp(start, text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    SourceSpan::new(start.into(), end - start)
}

fn labeled(sources: &SourceMap, l: &Label, primary: bool) -> LabeledSpan {
    let text = (!l.text.is_empty()).then(|| l.text.clone());
    LabeledSpan::new_with_span(text, clamp(sources, l.span)).tap_primary(primary)
}

trait TapPrimary {
    fn tap_primary(self, primary: bool) -> Self;
}

impl TapPrimary for LabeledSpan {
    fn tap_primary(self, primary: bool) -> LabeledSpan {
        if primary {
            LabeledSpan::new_primary_with_span(self.label().map(str::to_string), *self.inner())
        } else {
            self
        }
    }
}

fn prepare(sources: &SourceMap, d: &Diagnostic) -> Prepared {
    let mut p = Prepared {
        code: d.code.clone(),
        severity: d.severity,
        message: d.message.clone(),
        help: d.help.clone(),
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    let Some(primary) = &d.primary else { return p };
    let file = primary.span.file;
    p.source = Some(
        NamedSource::new(sources.name(file), sources.text(file).to_string()).with_language("zc"),
    );
    p.labels.push(labeled(sources, primary, true));
    for l in &d.secondary {
        if l.span.file == file {
            p.labels.push(labeled(sources, l, false));
        } else {
            p.related.push(Prepared {
                code: d.code.clone(),
                severity: Severity::Info,
                message: l.text.clone(),
                help: None,
                source: Some(NamedSource::new(
                    sources.name(l.span.file),
                    sources.text(l.span.file).to_string(),
                )),
                labels: vec![labeled(sources, l, true)],
                related: Vec::new(),
            });
        }
    }
    p
}

/// Renders one diagnostic as graphical text.
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
        out = format!("{}[{}]: {}\n", d.severity.as_str(), d.code, d.message);
    }
    out
}

/// Renders diagnostics as text, one after the other.
pub fn text_all(sources: &SourceMap, diags: &[Diagnostic], style: TextStyle) -> String {
    diags
        .iter()
        .map(|d| text(sources, d, style))
        .collect::<Vec<_>>()
        .join("\n")
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
                loc.file,
                loc.line,
                loc.column,
                d.severity.as_str(),
                d.code,
                d.message
            )
        }
        None => format!("{}[{}]: {}", d.severity.as_str(), d.code, d.message),
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
