//! Diagnostics: what every phase reports, and how it is rendered.
//!
//! A [`Diagnostic`] is a kind (a stable code from [`codes`]) plus a primary
//! source span, a one-line message in the policy's words, optional secondary
//! labels and a hint. Phases never print: they return diagnostics next to
//! their result, and the CLI renders them (text through `miette`, JSON, and
//! the review formats).
//!
//! Invariant: codes are append-only; a retired code keeps its table row.

pub mod codes;
pub mod formats;
pub mod render;

use crate::source::Span;
use serde::Serialize;

/// How bad a diagnostic is. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A labelled span: "this is the zone", "first defined here".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

impl Label {
    pub fn new(span: Span, text: impl Into<String>) -> Label {
        Label {
            span,
            text: text.into(),
        }
    }
}

/// One problem found in a policy, a profile or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code: `E0101` for language errors, `SEG-008` for rule findings.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is. `None` only for problems with no source (I/O).
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, message)
    }

    pub fn warning(code: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, message)
    }

    pub fn new(code: &str, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the primary span and its label text.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label::new(span, label));
        self
    }

    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label::new(span, label));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key that gives a stable order: file, position, code, message.
    pub fn sort_key(&self) -> (Option<Span>, String, String) {
        (
            self.primary.as_ref().map(|l| l.span),
            self.code.clone(),
            self.message.clone(),
        )
    }
}

/// Sorts diagnostics into source order and removes exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|a| a.sort_key());
    diags.dedup();
}

/// Whether any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}
