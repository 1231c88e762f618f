//! `conduit diff` output: JSON for tools, Markdown for a pull-request
//! comment (a one-line summary, then tables; long tables collapsed; the
//! whole under GitHub's comment limit), plain text for a terminal.
//!
//! Policy strings (names, messages, schedules) reach Markdown only through
//! [`md`], which escapes everything Markdown or HTML would interpret, and
//! text only through [`plain`], which drops control characters.

use super::flows::{ports_text, FlowChange, When};
use super::report::{DiffReport, FindingRef, WaiverRef};
use crate::graph::Grade;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// GitHub rejects comments longer than 65,536 characters; stay well below.
pub const MARKDOWN_BUDGET: usize = 60_000;
/// Tables longer than this are collapsed in `<details>`.
const OPEN_ROWS: usize = 10;

fn grade(g: Option<Grade>) -> &'static str {
    g.map_or("unreached", Grade::as_str)
}

fn expires(w: &When) -> Option<String> {
    w.expires.map(|d| d.to_string())
}

fn flow_json(c: &FlowChange) -> Value {
    let mut v = json!({
        "conduit": c.conduit,
        "service": c.service,
        "from": c.base.from.name(),
        "to": c.base.to.name(),
        "from_zone": c.base.from.zone,
        "to_zone": c.base.to.zone,
        "proto": c.base.proto,
        "ports": ports_text(&c.base.proto, &c.ranges),
        "window": c.when.window,
        "expires": expires(&c.when),
    });
    if let (Some(before), Some(obj)) = (&c.before, v.as_object_mut()) {
        obj.insert(
            "before".to_string(),
            json!({"window": before.window, "expires": expires(before)}),
        );
    }
    v
}

fn finding_json(f: &FindingRef) -> Value {
    json!({
        "severity": f.severity,
        "code": f.code,
        "subject": f.subject,
        "message": f.message,
        "location": f.location,
    })
}

fn waiver_json(w: &WaiverRef) -> Value {
    json!({"rule": w.rule, "target": w.target, "expires": w.expires.map(|d| d.to_string())})
}

pub fn json(r: &DiffReport) -> String {
    let flows = |v: &[FlowChange]| v.iter().map(flow_json).collect::<Vec<_>>();
    let findings = |v: &[FindingRef]| v.iter().map(finding_json).collect::<Vec<_>>();
    let waivers = |v: &[WaiverRef]| v.iter().map(waiver_json).collect::<Vec<_>>();
    let exposure = |e: super::report::Exposure| json!({"percent": (e.percent() * 10.0).round() / 10.0, "reached_weight": e.reached, "total_weight": e.total});
    let doc = json!({
        "version": 1,
        "as_of": r.as_of.to_string(),
        "summary": r.summary(),
        "opened": flows(&r.flows.opened),
        "closed": flows(&r.flows.closed),
        "changed": flows(&r.flows.changed),
        "findings": {"new": findings(&r.new_findings), "fixed": findings(&r.fixed_findings)},
        "exposure": {"before": exposure(r.exposure_before), "after": exposure(r.exposure_after)},
        "blast": r.blast.iter().map(|b| json!({
            "zone": b.zone, "safety": b.safety,
            "before": grade(b.before), "after": grade(b.after),
        })).collect::<Vec<_>>(),
        "sl_t": r.sl.iter().map(|s| json!({"zone": s.zone, "before": s.before, "after": s.after})).collect::<Vec<_>>(),
        "waivers": {
            "added": waivers(&r.waivers.added),
            "removed": waivers(&r.waivers.removed),
            "expired": waivers(&r.waivers.expired),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A policy string as inert Markdown table text: HTML entities for every
/// character Markdown or HTML interprets, control and bidi characters
/// dropped, newlines as spaces.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '\\' => out.push_str("&#92;"),
            '*' | '_' | '[' | ']' | '#' | '!' | '~' | '@' | '"' | '\'' | ':' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Control, bidi-override and other invisible formatting characters.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// A policy string for the terminal: control and bidi characters dropped.
pub fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !is_invisible(*c))
        .collect()
}

fn when_text(w: &When) -> String {
    let window = w.window.clone().unwrap_or_else(|| "always".to_string());
    match w.expires {
        Some(d) => format!("{window}, until {d}"),
        None => window,
    }
}

/// A table section; collapsed when long; rows cut when the budget runs out.
struct Markdown {
    out: String,
    cut: usize,
}

impl Markdown {
    fn table(&mut self, title: &str, head: &[&str], rows: Vec<Vec<String>>) {
        if rows.is_empty() {
            return;
        }
        let collapse = rows.len() > OPEN_ROWS;
        let mut s = String::new();
        if collapse {
            let _ = write!(
                s,
                "<details><summary>{title} ({})</summary>\n\n",
                rows.len()
            );
        } else {
            let _ = write!(s, "#### {title} ({})\n\n", rows.len());
        }
        let _ = writeln!(s, "| {} |", head.join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
        let mut shown = 0;
        for row in &rows {
            let line = format!("| {} |\n", row.join(" | "));
            let closing = 200;
            if self.out.len() + s.len() + line.len() + closing > MARKDOWN_BUDGET {
                break;
            }
            s.push_str(&line);
            shown += 1;
        }
        if shown < rows.len() {
            self.cut += rows.len() - shown;
            let _ = writeln!(
                s,
                "\n_{} more row(s) not shown: run `conduit diff --format json`._",
                rows.len() - shown
            );
        }
        s.push('\n');
        if collapse {
            s.push_str("</details>\n\n");
        }
        if self.out.len() + s.len() <= MARKDOWN_BUDGET {
            self.out.push_str(&s);
        } else {
            self.cut += shown;
        }
    }
}

fn flow_rows(v: &[FlowChange]) -> Vec<Vec<String>> {
    v.iter()
        .map(|c| {
            let mut row = vec![
                md(&c.conduit),
                md(&c.base.from.name()),
                md(&c.base.to.name()),
                md(&c.service),
                md(&c.base.proto),
                md(&ports_text(&c.base.proto, &c.ranges)),
            ];
            if let Some(b) = &c.before {
                row.push(md(&when_text(b)));
            }
            row.push(md(&when_text(&c.when)));
            row
        })
        .collect()
}

fn finding_rows(v: &[FindingRef]) -> Vec<Vec<String>> {
    v.iter()
        .map(|f| {
            vec![
                md(&f.severity),
                md(&f.code),
                md(&f.subject),
                md(&f.message),
                md(f.location.as_deref().unwrap_or("")),
            ]
        })
        .collect()
}

fn waiver_rows(v: &[WaiverRef], what: &str) -> Vec<Vec<String>> {
    v.iter()
        .map(|w| {
            vec![
                what.to_string(),
                md(&w.rule),
                md(&w.target),
                w.expires.map_or_else(String::new, |d| d.to_string()),
            ]
        })
        .collect()
}

pub fn markdown(r: &DiffReport) -> String {
    let mut m = Markdown {
        out: format!("**conduit diff:** {}\n\n", md(&r.summary())),
        cut: 0,
    };
    if r.exposure_before != r.exposure_after {
        let _ = writeln!(
            m.out,
            "OT exposure from IT: {:.1}% → {:.1}% of OT asset weight ({}/{} → {}/{}).\n",
            r.exposure_before.percent(),
            r.exposure_after.percent(),
            r.exposure_before.reached,
            r.exposure_before.total,
            r.exposure_after.reached,
            r.exposure_after.total
        );
    }
    let flow_head = ["conduit", "from", "to", "service", "proto", "ports", "when"];
    let blast_rows: Vec<Vec<String>> = r
        .blast
        .iter()
        .map(|b| {
            vec![
                md(&b.zone),
                if b.safety { "**safety**" } else { "ot" }.to_string(),
                grade(b.before).to_string(),
                grade(b.after).to_string(),
            ]
        })
        .collect();
    m.table(
        "Blast radius per OT zone",
        &["zone", "class", "before", "after"],
        blast_rows,
    );
    m.table("Opened flows", &flow_head, flow_rows(&r.flows.opened));
    m.table("Closed flows", &flow_head, flow_rows(&r.flows.closed));
    m.table(
        "Changed window or expiry",
        &[
            "conduit", "from", "to", "service", "proto", "ports", "before", "after",
        ],
        flow_rows(&r.flows.changed),
    );
    let finding_head = ["severity", "code", "subject", "message", "where"];
    m.table("New findings", &finding_head, finding_rows(&r.new_findings));
    m.table(
        "Fixed findings",
        &finding_head,
        finding_rows(&r.fixed_findings),
    );
    let sl_rows =
        r.sl.iter()
            .map(|s| {
                let v = |x: &Option<String>| x.as_deref().map_or_else(|| "-".to_string(), md);
                vec![md(&s.zone), v(&s.before), v(&s.after)]
            })
            .collect();
    m.table("SL-T per zone", &["zone", "before", "after"], sl_rows);
    let mut waivers = waiver_rows(&r.waivers.added, "added");
    waivers.extend(waiver_rows(&r.waivers.removed, "removed"));
    waivers.extend(waiver_rows(&r.waivers.expired, "expired"));
    m.table("Waivers", &["change", "rule", "on", "expires"], waivers);
    if m.cut > 0 {
        let _ = writeln!(
            m.out,
            "_The comment is cut at {MARKDOWN_BUDGET} characters; {} row(s) are only in `--format json`._",
            m.cut
        );
    }
    m.out
}

fn text_flows(out: &mut String, title: &str, v: &[FlowChange]) {
    if v.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title} ({}):", v.len());
    for c in v {
        let before = c
            .before
            .as_ref()
            .map(|b| format!("{} -> ", when_text(b)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} -> {}  {} {}  {} ({})  {before}{}",
            plain(&c.base.from.name()),
            plain(&c.base.to.name()),
            c.base.proto,
            ports_text(&c.base.proto, &c.ranges),
            plain(&c.service),
            plain(&c.conduit),
            plain(&when_text(&c.when))
        );
    }
}

pub fn text(r: &DiffReport) -> String {
    let mut out = format!("conduit diff: {}\n", plain(&r.summary()));
    let _ = writeln!(
        out,
        "exposure: {:.1}% -> {:.1}%",
        r.exposure_before.percent(),
        r.exposure_after.percent()
    );
    if !r.blast.is_empty() {
        out.push_str("\nBlast radius per OT zone:\n");
        for b in &r.blast {
            let class = if b.safety { "safety" } else { "ot" };
            let _ = writeln!(
                out,
                "  {} ({class}): {} -> {}",
                plain(&b.zone),
                grade(b.before),
                grade(b.after)
            );
        }
    }
    text_flows(&mut out, "Opened", &r.flows.opened);
    text_flows(&mut out, "Closed", &r.flows.closed);
    text_flows(&mut out, "Changed window or expiry", &r.flows.changed);
    for (title, v) in [
        ("New findings", &r.new_findings),
        ("Fixed findings", &r.fixed_findings),
    ] {
        if v.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", v.len());
        for f in v {
            let _ = writeln!(
                out,
                "  {}[{}] {}: {}{}",
                f.severity,
                plain(&f.code),
                plain(&f.subject),
                plain(&f.message),
                f.location
                    .as_ref()
                    .map(|l| format!(" ({})", plain(l)))
                    .unwrap_or_default()
            );
        }
    }
    if !r.sl.is_empty() {
        out.push_str("\nSL-T per zone:\n");
        for s in &r.sl {
            let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".to_string());
            let _ = writeln!(
                out,
                "  {}: {} -> {}",
                plain(&s.zone),
                v(&s.before),
                v(&s.after)
            );
        }
    }
    for (title, v) in [
        ("Waivers added", &r.waivers.added),
        ("Waivers removed", &r.waivers.removed),
        ("Waivers expired", &r.waivers.expired),
    ] {
        if v.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}:");
        for w in v {
            let _ = writeln!(out, "  {} on {}", plain(&w.rule), plain(&w.target));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_hostile_strings() {
        let hostile = "a|b<script>`x`\n## h [l](http://e) @team **b** \u{202e}&amp; ]]> */";
        let got = md(hostile);
        // Entities are inert; what is left must hold nothing Markdown reads.
        let mut bare = String::new();
        let mut in_entity = false;
        for c in got.chars() {
            match c {
                '&' => in_entity = true,
                ';' if in_entity => in_entity = false,
                c if !in_entity => bare.push(c),
                _ => {}
            }
        }
        for bad in [
            '|', '<', '>', '`', '\n', '[', ']', '*', '@', '#', '\u{202e}',
        ] {
            assert!(!bare.contains(bad), "{bad:?} in {got}");
        }
        assert!(got.contains("&amp;amp;"), "{got}");
        assert_eq!(plain("a\u{1b}[31mb\nc"), "a[31mb c");
    }
}
