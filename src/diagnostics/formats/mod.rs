//! Review formats for `conduit check`: JSON, SARIF 2.1.0, GitHub workflow
//! annotations and JUnit XML, one file each behind [`Renderer`].
//!
//! Every renderer gets the same [`Report`]: the language diagnostics of
//! loading, the rule findings (active and waived) and the summary. Output
//! is deterministic: it follows the order of the findings, which the rule
//! engine sorts. Text output is `super::render` (miette) and stays there.

mod github;
mod json;
mod junit;
pub mod sarif;

pub use github::{Github, ANNOTATION_CAP};
pub use json::Json;
pub use junit::Junit;
pub use sarif::Sarif;

use super::Diagnostic;
use crate::check::{CheckReport, Pack};
use crate::model::Date;
use crate::source::SourceMap;

/// Everything a renderer may show.
pub struct Report<'a> {
    pub sources: &'a SourceMap,
    /// Language diagnostics (load, parse, resolve) and engine diagnostics.
    pub diagnostics: &'a [Diagnostic],
    /// Rule findings; `None` when the rules did not run (language errors).
    pub check: Option<&'a CheckReport>,
    pub pack: Option<&'a Pack>,
    pub as_of: Date,
    pub tool_version: &'a str,
    /// `--deny warnings`: active warnings fail the run (exit code 1), so
    /// formats that show pass or fail (JUnit) count them as failures.
    pub deny_warnings: bool,
}

/// One output format.
pub trait Renderer {
    fn render(&self, report: &Report<'_>) -> String;
}

/// The formats, for the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Json,
    Sarif,
    Github,
    Junit,
}

impl Format {
    pub fn renderer(self) -> &'static dyn Renderer {
        match self {
            Format::Json => &Json,
            Format::Sarif => &Sarif,
            Format::Github => &Github,
            Format::Junit => &Junit,
        }
    }
}

/// Findings of a report, or none.
fn findings<'a>(report: &'a Report<'_>) -> &'a [crate::check::Finding] {
    report.check.map_or(&[], |c| c.findings.as_slice())
}
