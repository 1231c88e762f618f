//! `conduit check`: load, resolve, run the IEC 62443 rules, report.
//!
//! Reads `conduit.yaml` next to the policy (or `--config`), judges waiver
//! and conduit expiry against `--as-of` (default today), and prints text
//! (miette), JSON, SARIF, GitHub annotations or JUnit. Exit codes: 0 clean,
//! 1 language errors or failing findings (errors; warnings too with
//! `--deny warnings`), 2 usage or I/O problems, including an invalid
//! `conduit.yaml`.

use super::{today, Exit};
use crate::check::{self, CheckReport, RuleConfig};
use crate::diagnostics::formats::{Format, Report};
use crate::diagnostics::render::{self, TextStyle};
use crate::diagnostics::Diagnostic;
use crate::load::Loaded;
use crate::model::Date;
use crate::source::SourceMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Graphical text with source snippets (colour on a terminal).
    Text,
    /// A JSON document (schema in docs/rules/README.md).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// JUnit XML.
    Junit,
}

/// What `--deny` can turn into failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Active warnings fail the check (exit code 1).
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files (`.zc`, `.yaml`) or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Judge waiver and conduit expiry as of this date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Treat warnings as failures.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
    /// Project configuration (default: conduit.yaml next to the first policy path).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the report here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

/// Whether any diagnostic is an I/O problem (exit code 2): a file that
/// cannot be read, is not a regular file or is over the size limit.
pub fn has_io_error(diags: &[Diagnostic]) -> bool {
    diags
        .iter()
        .any(|d| matches!(d.code.as_str(), "E0401" | "E0406" | "E0407"))
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
    super::common::write_stderr(&render::text_all(
        &loaded.sources,
        &loaded.diagnostics,
        style,
    ));
}

/// The configuration file to read: `--config`, or `conduit.yaml` in the
/// directory of the first path (the path itself when it is a directory).
fn config_path(args: &CheckArgs) -> Option<PathBuf> {
    if let Some(c) = &args.config {
        return Some(c.clone());
    }
    default_config_path(&args.paths)
}

/// `conduit.yaml` in the directory of the first path, if there is one.
pub(super) fn default_config_path(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.first()?;
    let dir = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let candidate = if dir.as_os_str().is_empty() {
        PathBuf::from("conduit.yaml")
    } else {
        dir.join("conduit.yaml")
    };
    candidate.is_file().then_some(candidate)
}

/// Reads the project configuration; errors are diagnostics in `sources`.
/// The default `conduit.yaml` is read like a policy file: a regular file
/// under the size limit inside the policy's tree (a link to a file
/// elsewhere is refused); `--config FILE` was named by the user.
pub(super) fn load_config(
    path: Option<&Path>,
    explicit: bool,
    roots: &[PathBuf],
    limits: crate::load::ReadLimits,
    sources: &mut SourceMap,
) -> Result<RuleConfig, Vec<Diagnostic>> {
    let Some(path) = path else {
        return Ok(RuleConfig::default());
    };
    let pack = check::pack().map_err(|m| vec![Diagnostic::error("E0601", m)])?;
    let shown = render::escape_controls(&path.display().to_string());
    let refuse = |code: &str, what: String| vec![Diagnostic::error(code, what)];
    if !explicit {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| refuse("E0401", format!("cannot read {shown}: {e}")))?;
        if !crate::load::inside(roots, &canonical) {
            return Err(refuse(
                "E0408",
                format!("{shown} is outside the policy's directory tree (a link?): not read"),
            ));
        }
    }
    let bytes = crate::load::read_file(path, limits.max_file_size).map_err(|e| match e {
        crate::load::ReadError::Io(e) => refuse("E0401", format!("cannot read {shown}: {e}")),
        crate::load::ReadError::NotRegular => {
            refuse("E0406", format!("{shown} is not a regular file"))
        }
        crate::load::ReadError::TooLarge(n) => refuse(
            "E0407",
            format!("{shown} is larger than the limit of {n} bytes"),
        ),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| refuse("E0601", format!("{shown} is not UTF-8 text")))?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let file = sources.add(
        path.display().to_string(),
        Some(path.to_path_buf()),
        text.clone(),
    );
    RuleConfig::parse(&text, pack)
        .map_err(|errs| errs.iter().map(|e| e.to_diagnostic(file, &text)).collect())
}

pub fn run(args: CheckArgs) -> Exit {
    let as_of = args.as_of.unwrap_or_else(today);
    let limits = match super::common::read_limits() {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let mut loaded = crate::load::load_policy_with(&args.paths, limits);
    let config_file = config_path(&args);
    let roots = crate::load::policy_roots(&args.paths);
    let config = match load_config(
        config_file.as_deref(),
        args.config.is_some(),
        &roots,
        limits,
        &mut loaded.sources,
    ) {
        Ok(c) => c,
        Err(diags) => {
            super::common::write_stderr(&render::text_all(
                &loaded.sources,
                &diags,
                terminal_style(),
            ));
            return Exit::Usage;
        }
    };
    let report = (!loaded.has_errors()).then(|| check::run(&loaded.model, &config, as_of));
    let mut diagnostics = loaded.diagnostics.clone();
    if let Some(r) = &report {
        diagnostics.extend(r.diagnostics.iter().cloned());
    }
    let deny = args.deny == Some(Deny::Warnings);
    let written = write_report(&args, &loaded, &diagnostics, report.as_ref(), as_of);
    let warned = deny
        && diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Warning);
    let exit = if !written || has_io_error(&loaded.diagnostics) {
        Exit::Usage
    } else if crate::diagnostics::has_errors(&diagnostics)
        || warned
        || report.as_ref().is_some_and(|r| r.fails(deny))
    {
        Exit::Findings
    } else {
        Exit::Clean
    };
    // The process ends next: let the OS take the memory back in one go.
    std::mem::forget(diagnostics);
    std::mem::forget(report);
    loaded.leak();
    exit
}

/// Prints the report (SARIF as a stream) or writes it to `-o FILE`
/// atomically; `false` when it could not be written.
fn write_report(
    args: &CheckArgs,
    loaded: &Loaded,
    diagnostics: &[Diagnostic],
    check: Option<&CheckReport>,
    as_of: Date,
) -> bool {
    if args.format == CheckFormat::Sarif && args.output.is_none() {
        let report = Report {
            sources: &loaded.sources,
            diagnostics,
            check,
            pack: check::pack().ok(),
            as_of,
            tool_version: env!("CARGO_PKG_VERSION"),
            deny_warnings: args.deny == Some(Deny::Warnings),
        };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        // A closed pipe (`check | head`) is the reader's choice: a quiet end.
        return match crate::diagnostics::formats::sarif::write(&report, &mut out) {
            Ok(()) => true,
            Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
        };
    }
    let text = render_report(args, loaded, diagnostics, check, as_of);
    super::common::emit_output(args.output.as_deref(), &text) == Exit::Clean
}

fn render_report(
    args: &CheckArgs,
    loaded: &Loaded,
    diagnostics: &[Diagnostic],
    check: Option<&CheckReport>,
    as_of: Date,
) -> String {
    let format = match args.format {
        CheckFormat::Text => {
            return text(
                &loaded.sources,
                diagnostics,
                check,
                &loaded.model,
                as_of,
                terminal_style(),
            )
        }
        CheckFormat::Json => Format::Json,
        CheckFormat::Sarif => Format::Sarif,
        CheckFormat::Github => Format::Github,
        CheckFormat::Junit => Format::Junit,
    };
    let report = Report {
        sources: &loaded.sources,
        diagnostics,
        check,
        pack: check::pack().ok(),
        as_of,
        tool_version: env!("CARGO_PKG_VERSION"),
        deny_warnings: args.deny == Some(Deny::Warnings),
    };
    format.renderer().render(&report)
}

/// Text output: diagnostics, active findings in full, waived findings one
/// line each, then the summary.
pub fn text(
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
    check: Option<&CheckReport>,
    model: &crate::model::Model,
    as_of: Date,
    style: TextStyle,
) -> String {
    let mut out;
    if let Some(c) = check {
        let active = c
            .findings
            .iter()
            .filter(|f| f.is_active())
            .map(|f| &f.diagnostic);
        out = render::text_capped(sources, diagnostics.iter().chain(active), style);
        let waived: Vec<String> = c
            .findings
            .iter()
            .filter(|f| !f.is_active())
            .map(|f| format!("  waived: {}\n", render::short(sources, &f.diagnostic)))
            .collect();
        if !waived.is_empty() {
            out.push_str("\nWaived findings:\n");
            out.push_str(&waived.concat());
        }
        out.push_str(&summary(c, model, as_of));
    } else {
        out = render::text_capped(sources, diagnostics.iter(), style);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        out.push_str(&format!("\n{errors} language error(s): rules not run\n"));
    }
    out
}

/// `text` followed by spaces up to `width` characters.
fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    let mut out = text.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// The summary table at the end of text output.
pub fn summary(c: &CheckReport, model: &crate::model::Model, as_of: Date) -> String {
    let s = &c.summary;
    let mut out = format!(
        "\nSummary (as of {as_of}): {} error(s), {} warning(s), {} info, {} waived; {} zones, {} conduits\n",
        s.errors,
        s.warnings,
        s.infos,
        s.waived,
        model.zones.len(),
        model.conduits.len()
    );
    // Names are padded by hand: a format width is limited to 65,535 and
    // a zone name may be longer. Columns stop aligning past 40 characters.
    let width = s
        .zones
        .iter()
        .map(|z| z.zone.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    out.push_str(&format!(
        "  {}  {:15}  {:>8}  weakest conduit in (far side RDF)\n",
        pad("zone", width),
        "SL-T",
        "findings"
    ));
    for z in &s.zones {
        let sl = z.sl.map_or("-".to_string(), |v| v.to_string());
        let weak = z.weakest.as_ref().map_or("-".to_string(), |(c, from, l)| {
            format!("{c} from {from} (RDF {l})")
        });
        out.push_str(&format!(
            "  {}  {sl:15}  {:>8}  {}\n",
            pad(&render::escape_controls(&z.zone), width),
            z.active_findings,
            render::escape_controls(&weak)
        ));
    }
    out
}
