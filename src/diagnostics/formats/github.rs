//! GitHub Actions workflow-command annotations (`::error file=…::…`).
//!
//! GitHub shows at most [`ANNOTATION_CAP`] annotations of each level
//! (error, warning, notice) per step and drops the rest silently. So per
//! level the first `CAP - 1` are annotated one by one and, when more
//! remain, the last slot summarises them (rule and place of each); when a
//! level has exactly `CAP`, all are annotated. A plain summary line closes
//! the output. Waived findings and info become notices.

use super::{findings, Renderer, Report};
use crate::diagnostics::render;
use crate::diagnostics::{Diagnostic, Severity};

pub struct Github;

/// Annotations per level that GitHub displays for one step.
pub const ANNOTATION_CAP: usize = 10;

struct Annotation {
    level: &'static str,
    props: Vec<(&'static str, String)>,
    message: String,
    place: String,
    code: String,
}

impl Renderer for Github {
    fn render(&self, report: &Report<'_>) -> String {
        let mut all: Vec<Annotation> = report
            .diagnostics
            .iter()
            .map(|d| annotation(report, d, false))
            .collect();
        all.extend(
            findings(report)
                .iter()
                .map(|f| annotation(report, &f.diagnostic, !f.is_active())),
        );
        let mut out = String::new();
        for level in ["error", "warning", "notice"] {
            let items: Vec<&Annotation> = all.iter().filter(|a| a.level == level).collect();
            emit_level(&mut out, level, &items);
        }
        out.push_str(&summary_line(report));
        out
    }
}

fn emit_level(out: &mut String, level: &str, items: &[&Annotation]) {
    let shown = if items.len() > ANNOTATION_CAP {
        ANNOTATION_CAP - 1
    } else {
        items.len()
    };
    for a in items.iter().take(shown) {
        let props: Vec<String> = a
            .props
            .iter()
            .map(|(k, v)| format!("{k}={}", escape_property(v)))
            .collect();
        out.push_str(&format!(
            "::{}{}{}::{}\n",
            a.level,
            if props.is_empty() { "" } else { " " },
            props.join(","),
            escape_data(&a.message)
        ));
    }
    let rest = items.get(shown..).unwrap_or(&[]);
    if !rest.is_empty() {
        let list: Vec<String> = rest
            .iter()
            .map(|a| format!("{} at {}", a.code, a.place))
            .collect();
        let msg = format!(
            "{} more {level} annotation(s) not shown individually:\n{}",
            rest.len(),
            list.join("\n")
        );
        out.push_str(&format!(
            "::{level} title={}::{}\n",
            escape_property("conduit: more findings"),
            escape_data(&msg)
        ));
    }
}

fn annotation(report: &Report<'_>, d: &Diagnostic, waived: bool) -> Annotation {
    let level = match (waived, d.severity) {
        (true, _) | (false, Severity::Info) => "notice",
        (false, Severity::Warning) => "warning",
        (false, Severity::Error) => "error",
    };
    let mut props = Vec::new();
    let mut place = "(no location)".to_string();
    if let Some(p) = &d.primary {
        let l = render::location(report.sources, p.span);
        let file = render::escape_controls(&l.file);
        place = format!("{file}:{}:{}", l.line, l.column);
        props.push(("file", file));
        props.push(("line", l.line.to_string()));
        props.push(("col", l.column.to_string()));
        props.push(("endLine", l.end_line.to_string()));
        if l.end_line == l.line {
            props.push(("endColumn", l.end_column.to_string()));
        }
    }
    let title = if waived {
        format!("{} (waived)", d.code)
    } else {
        d.code.clone()
    };
    props.push(("title", title));
    // Control and bidi characters are escaped for the log; newlines are
    // then encoded by `escape_data`, so one annotation stays one command.
    let mut message = render::escape_controls(&d.message);
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {}", render::escape_controls(h)));
    }
    Annotation {
        level,
        props,
        message,
        place,
        code: d.code.clone(),
    }
}

fn summary_line(report: &Report<'_>) -> String {
    let lang_err = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let lang_warn = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let (e, w, i, x) = report.check.map_or((0, 0, 0, 0), |c| {
        (
            c.summary.errors,
            c.summary.warnings,
            c.summary.infos,
            c.summary.waived,
        )
    });
    format!(
        "conduit check: {} error(s), {} warning(s), {i} info, {x} waived\n",
        e + lang_err,
        w + lang_warn
    )
}

/// Escapes a workflow-command message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_commands_on_one_line() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
    }
}
