//! `conduit explain RULE`: prints the documentation of a rule (the same
//! text as docs/rules/RULE.md) or the summary of a language code; without
//! an argument, the list of rules.

use super::Exit;
use crate::check::{docs, pack};
use crate::diagnostics::codes;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule ID (`PRO-003`) or a diagnostic code (`E0205`); omit for the list.
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
    Err(format!(
        "`{code}` is neither a rule nor a diagnostic code; run `conduit explain` for the list"
    ))
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
