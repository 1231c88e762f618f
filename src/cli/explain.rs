//! `conduit explain RULE`: prints the documentation of a rule (the same
//! text as docs/rules/RULE.md), the summary of a language code, or a
//! built-in service (its lines, facts and, for a bundle, its members);
//! without an argument, the list of rules.

use super::Exit;
use crate::check::{docs, pack};
use crate::diagnostics::codes;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule ID (`PRO-003`), a diagnostic code (`E0205`) or a built-in
    /// service (`ad-client`); omit for the list.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
}

/// The text `explain` prints for `code`, or `None` when it is unknown.
pub fn explain(code: Option<&str>) -> Result<String, String> {
    let pack = pack()?;
    let Some(code) = code else {
        return Ok(docs::index(pack));
    };
    let upper = code.trim().to_ascii_uppercase();
    if let Some(meta) = pack.rule(&upper) {
        return Ok(docs::markdown(meta));
    }
    if let Some(summary) = codes::summary(&upper) {
        return Ok(format!("# {upper}\n\n{summary}\n"));
    }
    if let Some(text) = builtin_service(code.trim()) {
        return Ok(text);
    }
    Err(format!(
        "`{code}` is neither a rule, a diagnostic code nor a built-in service; run `conduit explain` for the list of rules (docs/language.md lists the services)"
    ))
}

/// A built-in service as `explain` shows it: lines, facts, members.
fn builtin_service(name: &str) -> Option<String> {
    let catalog = crate::load::load_str("catalog.zc", "");
    let model = &catalog.model;
    let s = model.service(model.service_by_name(name)?);
    let yes = |b: bool| if b { "yes" } else { "no" };
    let lines: Vec<String> = s
        .matches
        .iter()
        .map(crate::model::export::match_text)
        .collect();
    let tags: Vec<&str> = s.tags.iter().map(|t| t.as_str()).collect();
    let mut out = format!("# service {}\n\n", s.name);
    if let Some(d) = &s.description {
        out.push_str(&format!("{d}\n\n"));
    }
    if !s.includes.is_empty() {
        let members: Vec<&str> = s
            .includes
            .iter()
            .map(|m| model.service(m.value).name.as_str())
            .collect();
        out.push_str(&format!(
            "bundle of: {}\n(its facts are its members' combined: authenticated or encrypted only if every member is; tags united)\n",
            members.join(", ")
        ));
    }
    out.push_str(&format!(
        "matches: {}\nauthenticated: {}\nencrypted: {}\ntags: {}\n",
        lines.join(", "),
        yes(s.authenticated),
        yes(s.encrypted),
        if tags.is_empty() {
            "none".to_string()
        } else {
            tags.join(", ")
        }
    ));
    Some(out)
}

pub fn run(args: ExplainArgs) -> Exit {
    match explain(args.code.as_deref()) {
        // A closed pipe (`explain | head`) ends quietly, never a panic.
        Ok(text) => super::common::emit_output(None, &text),
        Err(msg) => {
            eprintln!("error: {msg}");
            Exit::Usage
        }
    }
}
