//! SARIF 2.1.0 output for code scanning, written as a stream.
//!
//! One run; `tool.driver.rules` holds every rule of the pack (title, clause,
//! help text and markdown, `helpUri`, default level) followed by the
//! language codes that occur. Results point at the offending statement,
//! with the secondary labels as related locations; file paths are relative
//! to `%SRCROOT%` (the directory conduit ran in, the repository root in
//! CI). Each result has `partialFingerprints` computed from its rule,
//! subject (or file) and message and its occurrence among equal ones, so
//! code scanning tracks an alert across runs and line moves. A waived
//! finding carries an accepted in-source suppression naming the waiver.
//!
//! [`write`] emits the document piece by piece: the rules, then one result
//! per line, each built, written and dropped, so memory does not grow with
//! the number of findings times their size (docs/performance.md). Valid
//! against the official OASIS schema (checked in tests/rules.rs).

use super::{findings, Renderer, Report};
use crate::check::{Finding, RuleMeta};
use crate::diagnostics::render;
use crate::diagnostics::{codes, Diagnostic, Label, Severity};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Sarif;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base every relative artifact URI is resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// Key of conduit's fingerprint in `partialFingerprints`.
pub const FINGERPRINT: &str = "conduitFinding/v1";

/// Where the rule pages (`docs/rules/ID.md`) are published: the build
/// environment's `CONDUIT_DOCS_URL`, else the crate's `repository`
/// followed by `/blob/main/`; `None` when neither is set (then rules carry
/// their documentation inline only, in `help.markdown`).
pub fn docs_base() -> Option<String> {
    if let Some(url) = option_env!("CONDUIT_DOCS_URL").filter(|u| !u.is_empty()) {
        return Some(url.trim_end_matches('/').to_string() + "/");
    }
    let repo = env!("CARGO_PKG_REPOSITORY");
    (!repo.is_empty()).then(|| format!("{}/blob/main/", repo.trim_end_matches('/')))
}

impl Renderer for Sarif {
    fn render(&self, report: &Report<'_>) -> String {
        let mut out = Vec::new();
        // Writing to memory cannot fail.
        let _ = write(report, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Writes the SARIF document for `report` to `out`.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_with(report, docs_base().as_deref(), out)
}

/// [`write`] with an explicit documentation base URL.
pub fn write_with(report: &Report<'_>, docs: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let (rules, index) = rule_table(report, docs);
    let mut driver = json!({
        "name": "conduit",
        "version": report.tool_version,
        "semanticVersion": report.tool_version.split(['+', ' ']).next().unwrap_or(report.tool_version),
    });
    if let (Some(base), Some(obj)) = (docs, driver.as_object_mut()) {
        obj.insert("informationUri".into(), json!(format!("{base}README.md")));
    }
    // The driver without its rules, then the rules one per line.
    let driver = serde_json::to_string(&driver).unwrap_or_default();
    let driver = driver.strip_suffix('}').unwrap_or(&driver);
    writeln!(
        out,
        "{{\n\"$schema\": \"{SCHEMA}\",\n\"version\": \"2.1.0\","
    )?;
    writeln!(
        out,
        "\"runs\": [{{\n\"tool\": {{\"driver\": {driver},\"rules\": ["
    )?;
    for (i, r) in rules.iter().enumerate() {
        let sep = if i + 1 < rules.len() { "," } else { "" };
        serde_json::to_writer(&mut *out, r)?;
        writeln!(out, "{sep}")?;
    }
    writeln!(out, "]}}}},")?;
    let bases = json!({ SRCROOT: { "description": { "text": "the directory conduit ran in (the repository root in CI)" } } });
    writeln!(out, "\"originalUriBaseIds\": {bases},")?;
    writeln!(out, "\"columnKind\": \"unicodeCodePoints\",")?;
    let props = json!({ "asOf": report.as_of.to_string() });
    writeln!(out, "\"properties\": {props},")?;
    writeln!(out, "\"results\": [")?;
    let mut seen: BTreeMap<u64, u32> = BTreeMap::new();
    let mut first = true;
    let all = report
        .diagnostics
        .iter()
        .map(|d| (d, None))
        .chain(findings(report).iter().map(|f| (&f.diagnostic, Some(f))));
    for (d, f) in all {
        let i = index.get(d.code.as_str()).copied().unwrap_or(0);
        let r = result(report, d, i, f, &mut seen);
        if !first {
            writeln!(out, ",")?;
        }
        first = false;
        serde_json::to_writer(&mut *out, &r)?;
    }
    writeln!(out, "\n]\n}}]\n}}")?;
    out.flush()
}

/// The rules array (pack rules, then language codes as they occur) and
/// each code's index in it.
fn rule_table<'r>(
    report: &'r Report<'_>,
    docs: Option<&str>,
) -> (Vec<Value>, BTreeMap<&'r str, usize>) {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    if let Some(p) = report.pack {
        for meta in &p.rules {
            index.insert(meta.id.as_str(), rules.len());
            rules.push(rule(meta, docs));
        }
    }
    let codes = report
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .chain(findings(report).iter().map(|f| f.rule()));
    for code in codes {
        if index.contains_key(code) {
            continue;
        }
        index.insert(code, rules.len());
        rules.push(language_rule(code, docs));
    }
    (rules, index)
}

/// A rule entry for a language code (`E0205`).
fn language_rule(code: &str, docs: Option<&str>) -> Value {
    let text = codes::summary(code).unwrap_or("conduit diagnostic");
    let mut v = json!({
        "id": code,
        "shortDescription": { "text": text },
    });
    if let (Some(base), Some(obj)) = (docs, v.as_object_mut()) {
        obj.insert("helpUri".into(), json!(format!("{base}docs/language.md")));
    }
    v
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &RuleMeta, docs: Option<&str>) -> Value {
    let doc = crate::check::docs::markdown(meta);
    let mut v = json!({
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
    });
    if let (Some(base), Some(obj)) = (docs, v.as_object_mut()) {
        obj.insert(
            "helpUri".into(),
            json!(format!("{base}docs/rules/{}.md", uri(&meta.id))),
        );
    }
    v
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
            "artifactLocation": artifact(&loc.file),
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

fn result(
    report: &Report<'_>,
    d: &Diagnostic,
    index: usize,
    f: Option<&Finding>,
    seen: &mut BTreeMap<u64, u32>,
) -> Value {
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
    obj.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT: fingerprint(report, d, f, seen) }),
    );
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

/// The identity of a result that survives line moves and reruns: rule,
/// subject (findings) or file (language diagnostics), message, and the
/// occurrence among results equal in all three.
fn fingerprint(
    report: &Report<'_>,
    d: &Diagnostic,
    f: Option<&Finding>,
    seen: &mut BTreeMap<u64, u32>,
) -> String {
    let place = match (f, &d.primary) {
        (Some(f), _) => f.subject_name.clone(),
        (None, Some(p)) => report.sources.name(p.span.file).to_string(),
        (None, None) => String::new(),
    };
    let mut h = Fnv::default();
    for part in [d.code.as_str(), place.as_str(), d.message.as_str()] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    let n = seen.entry(h.0).or_insert(0);
    *n += 1;
    format!("{:016x}:{n}", h.0)
}

/// FNV-1a, 64 bits: a fixed, documented hash (the standard library's is
/// not stable across releases).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// An artifact location: relative to `%SRCROOT%`, or an absolute `file:`
/// URI for a path given as absolute.
fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        return json!({ "uri": format!("file://{}", uri(path)) });
    }
    let rel = path.trim_start_matches("./");
    json!({ "uri": uri(rel), "uriBaseId": SRCROOT })
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn rules_link_their_pages_when_a_docs_url_is_known() {
        let loaded = crate::load_str(
            "t.zc",
            "zone a {\n purdue 2\n network 10.1.0.0/24\n}\nzone b {\n purdue 3\n network 10.2.0.0/24\n}\n\
             conduit c {\n a -> b\n allow telnet\n}\n",
        );
        let as_of = crate::model::Date::parse("2026-12-01").unwrap();
        let pack = crate::check::pack().unwrap();
        let check = crate::check::run(&loaded.model, &crate::check::RuleConfig::default(), as_of);
        let report = Report {
            sources: &loaded.sources,
            diagnostics: &loaded.diagnostics,
            check: Some(&check),
            pack: Some(pack),
            as_of,
            tool_version: "1.2.3",
            deny_warnings: false,
        };
        let mut out = Vec::new();
        write_with(&report, Some("https://example.org/conduit/"), &mut out).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let driver = &doc["runs"][0]["tool"]["driver"];
        assert_eq!(
            driver["informationUri"],
            "https://example.org/conduit/README.md"
        );
        let rules = driver["rules"].as_array().unwrap();
        assert!(!rules.is_empty());
        for r in rules {
            let id = r["id"].as_str().unwrap();
            let uri = r["helpUri"].as_str().unwrap();
            assert!(
                uri.starts_with("https://example.org/conduit/docs/"),
                "{id}: {uri}"
            );
        }
        assert!(rules[0]["helpUri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("rules/{}.md", rules[0]["id"].as_str().unwrap())));
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        // The string form is the same document.
        assert!(!Sarif.render(&report).is_empty());
    }
}
