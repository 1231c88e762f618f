//! JSON output of `conduit check` (schema in docs/rules/README.md).
//!
//! `{ version, tool, as_of, diagnostics[], findings[], summary }`: the
//! diagnostics keep the shape of [`crate::diagnostics::render::json`];
//! a finding adds `rule`, `title`, `clause`, `frs`, `status`, `subject` and
//! `waived_by` (the waiver's location) to it.

use super::{findings, Renderer, Report};
use crate::check::Finding;
use crate::diagnostics::render::{self, JsonDiagnostic, JsonLocation};
use serde::Serialize;

pub struct Json;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool<'a>,
    as_of: String,
    diagnostics: Vec<JsonDiagnostic>,
    findings: Vec<JsonFinding>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonFinding {
    rule: String,
    title: String,
    clause: String,
    frs: Vec<&'static str>,
    status: &'static str,
    subject: String,
    waived_by: Option<JsonLocation>,
    #[serde(flatten)]
    diagnostic: JsonDiagnostic,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    info: usize,
    waived: usize,
    zones: Vec<JsonZone>,
}

#[derive(Serialize)]
struct JsonZone {
    zone: String,
    sl: Option<[u8; 7]>,
    weakest_conduit: Option<JsonWeakest>,
    active_findings: usize,
}

#[derive(Serialize)]
struct JsonWeakest {
    conduit: String,
    from: String,
    rdf: u8,
}

impl Renderer for Json {
    fn render(&self, report: &Report<'_>) -> String {
        let doc = Doc {
            version: 1,
            tool: Tool {
                name: "conduit",
                version: report.tool_version,
            },
            as_of: report.as_of.to_string(),
            diagnostics: report
                .diagnostics
                .iter()
                .map(|d| render::json(report.sources, d))
                .collect(),
            findings: findings(report)
                .iter()
                .map(|f| finding(report, f))
                .collect(),
            summary: summary(report),
        };
        let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
        out.push('\n');
        out
    }
}

fn finding(report: &Report<'_>, f: &Finding) -> JsonFinding {
    let waived_by = f
        .waived_by
        .and_then(|i| waiver_span(report, i))
        .map(|span| render::location(report.sources, span));
    JsonFinding {
        rule: f.rule().to_string(),
        title: f.title.clone(),
        clause: f.clause.clone(),
        frs: f.frs.iter().map(|fr| fr.as_str()).collect(),
        status: f.status.as_str(),
        subject: f.subject_name.clone(),
        waived_by,
        diagnostic: render::json(report.sources, &f.diagnostic),
    }
}

/// The span of waiver `i`'s header.
fn waiver_span(report: &Report<'_>, i: usize) -> Option<crate::source::Span> {
    report.check.and_then(|c| c.waiver_spans.get(i).copied())
}

fn summary(report: &Report<'_>) -> JsonSummary {
    let lang_errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let lang_warnings = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Warning)
        .count();
    let s = report.check.map(|c| c.summary.clone()).unwrap_or_default();
    JsonSummary {
        errors: s.errors + lang_errors,
        warnings: s.warnings + lang_warnings,
        info: s.infos,
        waived: s.waived,
        zones: s
            .zones
            .into_iter()
            .map(|z| JsonZone {
                zone: z.zone,
                sl: z.sl.map(|v| v.0),
                weakest_conduit: z.weakest.map(|(conduit, from, rdf)| JsonWeakest {
                    conduit,
                    from,
                    rdf,
                }),
                active_findings: z.active_findings,
            })
            .collect(),
    }
}
