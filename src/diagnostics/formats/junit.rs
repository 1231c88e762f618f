//! JUnit XML: one test suite, one test case per rule of the pack (failing
//! when the rule has active errors or warnings, its findings listed in the
//! failure), and one test case for the language diagnostics. Waived and
//! info findings go to the case's `system-out`.

use super::{findings, Renderer, Report};
use crate::diagnostics::render;
use crate::diagnostics::{Diagnostic, Severity};

pub struct Junit;

struct Case {
    class: String,
    name: String,
    failures: Vec<String>,
    notes: Vec<String>,
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
                };
                for f in findings(report).iter().filter(|f| f.rule() == meta.id) {
                    let line = format!(
                        "{}{}",
                        line(report, &f.diagnostic),
                        if f.is_active() { "" } else { " [waived]" }
                    );
                    if f.is_active() && f.severity() > Severity::Info {
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
    };
    for d in report.diagnostics {
        if d.is_error() {
            case.failures.push(line(report, d));
        } else {
            case.notes.push(line(report, d));
        }
    }
    case
}

fn line(report: &Report<'_>, d: &Diagnostic) -> String {
    render::short(report.sources, d)
}

fn render_cases(cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"conduit check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        cases.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"conduit check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        cases.len()
    ));
    for c in cases {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(&c.class),
            xml(&c.name)
        ));
        if c.failures.is_empty() && c.notes.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
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

/// Escapes text for XML content and attributes; drops characters XML 1.0
/// cannot hold.
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
            c if (c as u32) < 0x20 => {}
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
        assert_eq!(xml("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
