//! Rule documentation, rendered from the rule pack: the text of
//! `conduit explain RULE` and of `docs/rules/RULE.md` (a test keeps the
//! files in step with the pack).

use super::registry::{Pack, RuleMeta};

/// The Markdown page of one rule.
pub fn markdown(meta: &RuleMeta) -> String {
    let mut out = format!("# {}: {}\n\n", meta.id, meta.title);
    out.push_str(&format!(
        "- Default severity: {}",
        meta.severity.severity().as_str()
    ));
    if let Some(e) = &meta.escalate {
        if e.to.severity() > meta.severity.severity() {
            out.push_str(&format!(
                "; {} when the protected zone's SL-T on {} is {} or more",
                e.to.severity().as_str(),
                frs(&e.frs),
                e.at
            ));
        } else {
            out.push_str(&format!(
                "; follows the protected zone's SL-T on {} (from {})",
                frs(&e.frs),
                e.at
            ));
        }
    }
    out.push('\n');
    out.push_str(&format!("- Derived from: {}\n", meta.clause));
    out.push_str(&format!(
        "- Waivable: {}\n\n",
        if meta.waivable {
            "yes"
        } else {
            "no (model integrity)"
        }
    ));
    section(&mut out, "What it checks", &meta.what);
    section(&mut out, "Why", &meta.why);
    if let Some(m) = &meta.mapping {
        section(&mut out, "How it maps onto the policy language", m);
    }
    out.push_str("## Example\n\n```\n");
    out.push_str(meta.example.trim_end());
    out.push_str("\n```\n\n");
    section(&mut out, "Fix", &meta.fix);
    out
}

fn frs(list: &[String]) -> String {
    if list.iter().any(|f| f == "any") {
        return "any FR".to_string();
    }
    list.iter()
        .map(|f| f.to_uppercase())
        .collect::<Vec<_>>()
        .join(", ")
}

fn section(out: &mut String, title: &str, body: &str) {
    out.push_str(&format!("## {title}\n\n{}\n\n", body.trim()));
}

/// The index page `docs/rules/README.md`: every rule with its title.
pub fn index(pack: &Pack) -> String {
    let mut out = String::from(INDEX_HEAD);
    out.push_str("| Rule | Title | Default severity | Escalation |\n|---|---|---|---|\n");
    for r in &pack.rules {
        let esc = r
            .escalate
            .as_ref()
            .filter(|e| e.to.severity() > r.severity.severity())
            .map_or(String::new(), |e| {
                format!(
                    "{} at {} >= {}",
                    e.to.severity().as_str(),
                    frs(&e.frs),
                    e.at
                )
            });
        out.push_str(&format!(
            "| [{id}]({id}.md) | {} | {} | {esc} |\n",
            r.title,
            r.severity.severity().as_str(),
            id = r.id
        ));
    }
    out.push_str(INDEX_TAIL);
    out
}

const INDEX_HEAD: &str = "# Rules\n\n\
Generated from `policies/rules.yaml` (`UPDATE_GOLDEN=1 cargo test --test rules` \
rewrites these pages; a test fails when they drift). `conduit explain RULE` prints \
the same text.\n\n";

const INDEX_TAIL: &str = include_str!("docs_tail.md");
