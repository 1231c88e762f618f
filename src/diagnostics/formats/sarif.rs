//! SARIF 2.1.0 output for code scanning.
//!
//! One run; `tool.driver.rules` holds every rule of the pack (title, clause,
//! help text and markdown, default level) followed by the language codes
//! that occur. Results point at the offending statement, with the secondary
//! labels as related locations. A waived finding carries an accepted
//! in-source suppression naming the waiver. Valid against the official
//! OASIS schema (checked in tests/rules.rs).

use super::{findings, Renderer, Report};
use crate::check::{Finding, RuleMeta};
use crate::diagnostics::render;
use crate::diagnostics::{codes, Diagnostic, Label, Severity};
use serde_json::{json, Value};

pub struct Sarif;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

impl Renderer for Sarif {
    fn render(&self, report: &Report<'_>) -> String {
        let mut rules: Vec<Value> = report
            .pack
            .map(|p| p.rules.iter().map(rule).collect())
            .unwrap_or_default();
        let mut ids: Vec<String> = report
            .pack
            .map(|p| p.rules.iter().map(|r| r.id.clone()).collect())
            .unwrap_or_default();
        let mut results = Vec::new();
        for d in report.diagnostics {
            let index = rule_index(&mut ids, &mut rules, &d.code);
            results.push(result(report, d, index, None));
        }
        for f in findings(report) {
            let index = rule_index(&mut ids, &mut rules, f.rule());
            results.push(result(report, &f.diagnostic, index, Some(f)));
        }
        let doc = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "conduit",
                    "version": report.tool_version,
                    "semanticVersion": report.tool_version,
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "properties": { "asOf": report.as_of.to_string() },
                "results": results,
            }],
        });
        let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
        out.push('\n');
        out
    }
}

/// Index of `code` in the rules array, adding a language-code rule if new.
fn rule_index(ids: &mut Vec<String>, rules: &mut Vec<Value>, code: &str) -> usize {
    if let Some(i) = ids.iter().position(|c| c == code) {
        return i;
    }
    ids.push(code.to_string());
    let text = codes::summary(code).unwrap_or("conduit diagnostic");
    rules.push(json!({
        "id": code,
        "shortDescription": { "text": text },
    }));
    ids.len() - 1
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &RuleMeta) -> Value {
    let doc = crate::check::docs::markdown(meta);
    json!({
        "id": meta.id,
        "name": pascal(&meta.title),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": one_line(&meta.what) },
        "help": { "text": format!("{}\n\nFix: {}", one_line(&meta.why), meta.fix.trim()), "markdown": doc },
        "defaultConfiguration": { "level": level(meta.severity.severity()) },
        "properties": {
            "clause": meta.clause,
            "waivable": meta.waivable,
            "tags": ["security", "iec-62443", family(&meta.id)],
        },
    })
}

fn family(id: &str) -> String {
    id.split('-').next().unwrap_or(id).to_lowercase()
}

/// `Zone or conduit has no owner` → `ZoneOrConduitHasNoOwner`.
fn pascal(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn location(report: &Report<'_>, label: &Label, id: Option<usize>) -> Value {
    let loc = render::location(report.sources, label.span);
    let mut v = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&loc.file) },
            "region": {
                "startLine": loc.line,
                "startColumn": loc.column,
                "endLine": loc.end_line,
                "endColumn": loc.end_column.max(if loc.end_line == loc.line { loc.column } else { 1 }),
            },
        },
        "message": { "text": if label.text.is_empty() { "here".to_string() } else { label.text.clone() } },
    });
    if let (Some(i), Some(obj)) = (id, v.as_object_mut()) {
        obj.insert("id".to_string(), json!(i));
    }
    v
}

fn result(report: &Report<'_>, d: &Diagnostic, index: usize, f: Option<&Finding>) -> Value {
    let mut r = json!({
        "ruleId": d.code,
        "ruleIndex": index,
        "level": level(d.severity),
        "message": { "text": match &d.help {
            Some(h) => format!("{}\nhelp: {h}", d.message),
            None => d.message.clone(),
        }},
    });
    let Some(obj) = r.as_object_mut() else {
        return r;
    };
    if let Some(p) = &d.primary {
        obj.insert("locations".into(), json!([location(report, p, None)]));
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .enumerate()
        .map(|(i, l)| location(report, l, Some(i + 1)))
        .collect();
    if !related.is_empty() {
        obj.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(f) = f {
        obj.insert(
            "properties".into(),
            json!({ "status": f.status.as_str(), "subject": f.subject_name, "clause": f.clause }),
        );
        if let Some(i) = f.waived_by {
            let at = report
                .check
                .and_then(|c| c.waiver_spans.get(i))
                .map(|s| {
                    let l = render::location(report.sources, *s);
                    format!("{}:{}", l.file, l.line)
                })
                .unwrap_or_default();
            obj.insert(
                "suppressions".into(),
                json!([{ "kind": "inSource", "status": "accepted", "justification": format!("waived at {at}") }]),
            );
        }
    }
    r
}

/// A relative URI reference for a file name: unreserved characters and `/`
/// kept, everything else percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
