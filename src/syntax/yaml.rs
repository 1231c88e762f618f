//! YAML front end (in progress).

use super::tree::Document;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

/// Parses a YAML policy into the same syntax tree as a `.zc` file.
pub fn parse(file: FileId, _text: &str) -> (Document, Vec<Diagnostic>) {
    (
        Document::default(),
        vec![
            Diagnostic::error("E0404", "YAML policies are not supported yet")
                .at(Span::new(file, 0, 0), "here"),
        ],
    )
}
