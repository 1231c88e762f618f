//! `conduit check`: parse, resolve and report every problem in one run.

use super::Exit;
use crate::diagnostics::render::{self, TextStyle};
use crate::diagnostics::Diagnostic;
use crate::load::Loaded;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Output format of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Graphical text with source snippets (colour on a terminal).
    Text,
    /// A JSON document (schema in README.md).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files (`.zc`, `.yaml`) or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// Whether any diagnostic is an I/O problem (exit code 2).
pub fn has_io_error(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.code == "E0401")
}

/// Text style for the terminal: colour unless NO_COLOR or not a terminal.
pub fn terminal_style() -> TextStyle {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    TextStyle { color, width: 100 }
}

/// Prints load diagnostics as text to standard error (for subcommands
/// whose standard output is their product).
pub fn print_load_errors(loaded: &Loaded) {
    let style = TextStyle {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    };
    eprint!(
        "{}",
        render::text_all(&loaded.sources, &loaded.diagnostics, style)
    );
}

pub fn run(args: CheckArgs) -> Exit {
    let loaded = crate::load_policy(&args.paths);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    match args.format {
        CheckFormat::Text => {
            print!(
                "{}",
                render::text_all(&loaded.sources, &loaded.diagnostics, terminal_style())
            );
            let m = &loaded.model;
            println!(
                "{} zones, {} conduits, {} assets: {errors} error(s), {warnings} warning(s)",
                m.zones.len(),
                m.conduits.len(),
                m.zones.iter().map(|z| z.assets.len()).sum::<usize>()
            );
        }
        CheckFormat::Json => {
            let diags: Vec<render::JsonDiagnostic> = loaded
                .diagnostics
                .iter()
                .map(|d| render::json(&loaded.sources, d))
                .collect();
            let doc = serde_json::json!({
                "version": 1,
                "diagnostics": diags,
                "summary": { "errors": errors, "warnings": warnings },
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    if has_io_error(&loaded.diagnostics) {
        Exit::Usage
    } else if errors > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}
