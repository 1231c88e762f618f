//! `conduit fmt`: print policy files in the canonical layout.

use super::common::{write_atomic, write_stdout};
use super::Exit;
use crate::diagnostics::{has_errors, render};
use crate::source::SourceMap;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// `.zc` policy files or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print nothing; exit 1 when a file is not in the canonical layout.
    #[arg(long, conflicts_with = "write")]
    pub check: bool,
    /// Rewrite the files in place (atomically) instead of printing them.
    #[arg(long)]
    pub write: bool,
}

pub fn run(args: FmtArgs) -> Exit {
    let mut exit = Exit::Clean;
    let mut files = Vec::new();
    for p in &args.paths {
        match crate::load::expand_path(p) {
            Ok(f) => files.extend(
                f.into_iter()
                    .filter(|f| f.extension().is_some_and(|e| e == "zc")),
            ),
            Err(e) => {
                eprintln!(
                    "error[E0401]: cannot read `{}`: {e}",
                    crate::diagnostics::render::escape_controls(&p.display().to_string())
                );
                return Exit::Usage;
            }
        }
    }
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!(
                    "error[E0401]: cannot read `{}`: {e}",
                    crate::diagnostics::render::escape_controls(&path.display().to_string())
                );
                return Exit::Usage;
            }
        };
        let mut sources = SourceMap::new();
        let id = sources.add(path.display().to_string(), Some(path.clone()), text.clone());
        let (doc, diags) = crate::syntax::parse(id, &text);
        if has_errors(&diags) {
            eprint!(
                "{}",
                render::text_all(&sources, &diags, super::check::terminal_style())
            );
            exit = Exit::Findings;
            continue;
        }
        let formatted = crate::syntax::format::format(&doc);
        if args.check {
            if formatted != text {
                let line = format!(
                    "{} is not formatted\n",
                    crate::diagnostics::render::escape_controls(&path.display().to_string())
                );
                if write_stdout(&line).is_err() {
                    return exit;
                }
                exit = Exit::Findings;
            }
        } else if args.write {
            if formatted != text {
                if let Err(e) = write_atomic(&path, formatted.as_bytes()) {
                    eprintln!(
                        "error[E0401]: cannot write `{}`: {e}",
                        crate::diagnostics::render::escape_controls(&path.display().to_string())
                    );
                    return Exit::Usage;
                }
            }
        } else {
            // A closed pipe (`fmt | head`) ends the command quietly.
            if write_stdout(&formatted).is_err() {
                return exit;
            }
        }
    }
    exit
}
