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
    // Read like a policy: inside the trees of the paths given (a link to a
    // file elsewhere is refused, so `--write` never writes outside them),
    // regular files under the size limit.
    let roots = crate::load::policy_roots(&args.paths);
    let limits = match super::common::read_limits() {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    for path in files {
        let shown = crate::diagnostics::render::escape_controls(&path.display().to_string());
        let inside = std::fs::canonicalize(&path)
            .map(|c| crate::load::inside(&roots, &c))
            .unwrap_or(true);
        if !inside {
            eprintln!("error[E0408]: `{shown}` is outside the policy's directory tree (a link?): not read");
            return Exit::Usage;
        }
        let text = match crate::load::read_file(&path, limits.max_file_size) {
            Ok(bytes) => match String::from_utf8(bytes) {
                // A byte order mark is not part of the canonical layout.
                Ok(t) => t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t),
                Err(_) => {
                    eprintln!("error[E0110]: `{shown}` is not valid UTF-8");
                    exit = Exit::Findings;
                    continue;
                }
            },
            Err(crate::load::ReadError::Io(e)) => {
                eprintln!("error[E0401]: cannot read `{shown}`: {e}");
                return Exit::Usage;
            }
            Err(crate::load::ReadError::NotRegular) => {
                eprintln!("error[E0406]: `{shown}` is not a regular file");
                return Exit::Usage;
            }
            Err(crate::load::ReadError::TooLarge(n)) => {
                eprintln!("error[E0407]: `{shown}` is larger than the limit of {n} bytes");
                return Exit::Usage;
            }
        };
        let mut sources = SourceMap::new();
        let id = sources.add(path.display().to_string(), Some(path.clone()), text.clone());
        let (doc, diags) = crate::syntax::parse(id, &text);
        if has_errors(&diags) {
            super::common::write_stderr(&render::text_all(
                &sources,
                &diags,
                super::check::terminal_style(),
            ));
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
