//! `conduit report`: one self-contained HTML file (or the same content as
//! Markdown) for auditors and insurers.
//!
//! Loads the policy and `conduit.yaml` (next to the first path, or
//! `--config`), runs the rule engine and the blast radius from every IT
//! and external zone as of `--as-of` (default today), and writes the
//! report of [`crate::report`]. Exit codes: 0 report written (findings
//! are in the report, not in the exit code), 1 the policy has language
//! errors (no report), 2 usage or I/O problems.

use super::blast::parse_date;
use super::{today, Exit};
use crate::graph::{self, BlastOptions};
use crate::model::Date;
use crate::report::{self, Facts};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One HTML file: styles and the zone map inline, nothing fetched.
    Html,
    /// The same content as Markdown, the map as a Mermaid block.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Policy files (`.zc`, `.yaml`) or directories holding them.
    #[arg(required = true, value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Judge expiry and days left as of this date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Project configuration (default: conduit.yaml next to the first policy path).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn config_path(args: &ReportArgs) -> Option<PathBuf> {
    if let Some(c) = &args.config {
        return Some(c.clone());
    }
    let first = args.paths.first()?;
    let dir = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(PathBuf::from).unwrap_or_default()
    };
    let candidate = dir.join("conduit.yaml");
    candidate.is_file().then_some(candidate)
}

pub fn run(args: ReportArgs) -> Exit {
    let mut loaded = match super::common::load_or_exit(&args.paths) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let limits = match super::common::read_limits() {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let roots = crate::load::policy_roots(&args.paths);
    let config = match super::check::load_config(
        config_path(&args).as_deref(),
        args.config.is_some(),
        &roots,
        limits,
        &mut loaded.sources,
    ) {
        Ok(c) => c,
        Err(diags) => {
            eprint!(
                "{}",
                crate::diagnostics::render::text_all(
                    &loaded.sources,
                    &diags,
                    super::check::terminal_style()
                )
            );
            return Exit::Usage;
        }
    };
    let as_of = args.as_of.unwrap_or_else(today);
    let model = &loaded.model;
    let check = crate::check::run(model, &config, as_of);
    let blast = graph::analyze(
        model,
        &BlastOptions {
            as_of: Some(as_of),
            ..BlastOptions::default()
        },
    );
    let policy: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let doc = report::build(&Facts {
        model,
        check: &check,
        blast: &blast,
        as_of,
        policy: &policy,
    });
    let text = match args.format {
        ReportFormat::Html => report::render_html(&doc),
        ReportFormat::Markdown => report::render_markdown(&doc),
    };
    super::common::emit_output(args.output.as_deref(), &text)
}
