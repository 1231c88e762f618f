//! JUnit XML: one test suite, one test case per rule of the pack, and one
//! test case for the language diagnostics. A rule's case fails when the
//! run fails because of it: active errors, and active warnings only under
//! `--deny warnings` (so JUnit agrees with the exit code); its failing
//! findings are listed in the failure, the rest (warnings otherwise,
//! waived and info findings) in `system-out`. When language errors kept
//! the rules from running, every rule case is `<skipped/>`, not passed.

use super::{findings, Renderer, Report};
use crate::diagnostics::render;
use crate::diagnostics::{Diagnostic, Severity};

pub struct Junit;

struct Case {
    class: String,
    name: String,
    failures: Vec<String>,
    notes: Vec<String>,
    /// Why the case did not run, if it did not.
    skipped: Option<&'static str>,
}

impl Renderer for Junit {
    fn render(&self, report: &Report<'_>) -> String {
        let mut cases = vec![language_case(report)];
        if let Some(pack) = report.pack {
            for meta in &pack.rules {
                let mut case = Case {
                    class: format!(
                        "conduit.rules.{}",
                        meta.id.split('-').next().unwrap_or("rule").to_lowercase()
                    ),
                    name: format!("{}: {}", meta.id, meta.title),
                    failures: Vec::new(),
                    notes: Vec::new(),
                    skipped: report
                        .check
                        .is_none()
                        .then_some("rules not run: the policy has language errors"),
                };
                for f in findings(report).iter().filter(|f| f.rule() == meta.id) {
                    let line = format!(
                        "{}{}",
                        line(report, &f.diagnostic),
                        if f.is_active() { "" } else { " [waived]" }
                    );
                    if f.is_active() && fails(report, f.severity()) {
                        case.failures.push(line);
                    } else {
                        case.notes.push(line);
                    }
                }
                cases.push(case);
            }
        }
        render_cases(&cases)
    }
}

fn language_case(report: &Report<'_>) -> Case {
    let mut case = Case {
        class: "conduit.language".to_string(),
        name: "policy loads without errors".to_string(),
        failures: Vec::new(),
        notes: Vec::new(),
        skipped: None,
    };
    for d in report.diagnostics {
        if fails(report, d.severity) {
            case.failures.push(line(report, d));
        } else {
            case.notes.push(line(report, d));
        }
    }
    case
}

/// Whether a finding of this severity fails the run (exit code 1).
fn fails(report: &Report<'_>, s: Severity) -> bool {
    s == Severity::Error || (report.deny_warnings && s == Severity::Warning)
}

fn line(report: &Report<'_>, d: &Diagnostic) -> String {
    render::short(report.sources, d)
}

fn render_cases(cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let skipped = cases.iter().filter(|c| c.skipped.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"conduit check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        cases.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"conduit check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n",
        cases.len()
    ));
    for c in cases {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(&c.class),
            xml(&c.name)
        ));
        if c.failures.is_empty() && c.notes.is_empty() && c.skipped.is_none() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if let Some(why) = c.skipped {
            out.push_str(&format!("      <skipped message=\"{}\"/>\n", xml(why)));
        }
        if !c.failures.is_empty() {
            out.push_str(&format!(
                "      <failure message=\"{} finding(s)\" type=\"conduit\">{}</failure>\n",
                c.failures.len(),
                xml(&c.failures.join("\n"))
            ));
        }
        if !c.notes.is_empty() {
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                xml(&c.notes.join("\n"))
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Escapes text for XML content and attributes. Characters XML 1.0 cannot
/// hold (C0 controls but tab and newline, U+FFFE, U+FFFF) become U+FFFD,
/// so the document stays well-formed whatever a name contains.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml("a<b>&\"'\u{1}\u{fffe}\u{ffff}"),
            "a&lt;b&gt;&amp;&quot;&apos;\u{fffd}\u{fffd}\u{fffd}"
        );
    }
}
