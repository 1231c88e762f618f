//! `conduit compile`: policy → firewall configuration.
//!
//! `--backend NAME` compiles every conduit with address matching only;
//! `--target FILE` reads a target profile (backend, interface per zone,
//! mode, logging) and compiles the conduits the target can see, matching
//! interfaces and addresses. Output goes to `-o FILE` atomically (a
//! backend with two files, such as iptables, writes `FILE` and `FILE.v6`,
//! both staged before either is renamed) or, for one file, to standard
//! output.

use super::common::{emit_output, today, write_all_atomic};
use super::Exit;
use crate::compile::{self, plan, target, Backend, OutputFile, PlanOptions};
use crate::diagnostics::render::{self, TextStyle};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode};
use crate::source::SourceMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Enforcement mode on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// Drop what no conduit allows.
    Enforce,
    /// Drop nothing; count and log what enforce mode would drop.
    Monitor,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("where").required(true).args(["backend", "target"])))]
pub struct CompileArgs {
    /// Policy files (`.zc`, `.yaml`) or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Backend: nftables, iptables, junos-srx, panos, cisco-asa or fortigate.
    /// Compiles every conduit, matching addresses only (vendor zones are
    /// declared, not bound).
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,
    /// Target profile (YAML): backend, interface per zone, mode, logging.
    #[arg(long, value_name = "FILE")]
    pub target: Option<PathBuf>,
    /// Write here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Enforcement mode; overrides the profile's `mode`.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Date against which expiry is judged (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// `findings`: refuse (exit 1, nothing written) when `conduit check`
    /// would fail. By default the configuration is still written and the
    /// number of failing findings is printed on standard error.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<CompileDeny>,
}

/// What `compile --deny` refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompileDeny {
    /// Findings that make `conduit check` fail (active errors).
    Findings,
}

pub fn run(args: CompileArgs) -> Exit {
    let as_of = match args.as_of.as_deref().map(Date::parse) {
        None => today(),
        Some(Some(d)) => d,
        Some(None) => {
            eprintln!("error[E0304]: --as-of expects a date YYYY-MM-DD");
            return Exit::Usage;
        }
    };
    let mut loaded = match super::common::load_or_exit(&args.paths) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let (backend, mut opts, clock) = match choose(&args, &mut loaded.sources, &loaded.model, as_of)
    {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    if let Some(m) = args.mode {
        opts.mode = match m {
            ModeArg::Enforce => Mode::Enforce,
            ModeArg::Monitor => Mode::Monitor,
        };
    }
    if let Err(exit) = report_findings(&args, &mut loaded, as_of) {
        return exit;
    }
    let (mut plan, warnings) = plan::build(&loaded.model, &opts);
    plan.clock = clock;
    print_diags(&loaded.sources, &warnings);
    let exit = match compile::generate(backend, &plan) {
        Ok(files) => {
            let notes: Vec<Diagnostic> = backend
                .warnings(&plan)
                .into_iter()
                .map(|d| at_schedule(&loaded.model, d))
                .collect();
            print_diags(&loaded.sources, &notes);
            let exit = write_files(args.output.as_deref(), &files);
            std::mem::forget(files);
            exit
        }
        Err(errors) => {
            let errors: Vec<Diagnostic> = errors
                .into_iter()
                .map(|d| {
                    at_endpoint(
                        &loaded.model,
                        at_schedule(&loaded.model, at_expiry(&loaded.model, d)),
                    )
                })
                .collect();
            print_diags(&loaded.sources, &errors);
            Exit::Findings
        }
    };
    // The process ends next: let the OS take the memory back in one go.
    std::mem::forget(plan);
    loaded.leak();
    exit
}

/// The `quoted` parts of a backend diagnostic's message, in order.
fn quoted(d: &Diagnostic) -> impl Iterator<Item = &str> {
    d.message.split('`').skip(1).step_by(2)
}

/// The conduit a backend diagnostic names first (backends write the
/// conduit's name as the first quoted part of the message).
fn named_conduit<'m>(
    model: &'m crate::model::Model,
    d: &Diagnostic,
) -> Option<&'m crate::model::Conduit> {
    let id = quoted(d)
        .next()
        .and_then(|name| model.conduit_by_name(name))?;
    Some(model.conduit(id))
}

/// A backend's refusal of an expiry it cannot express (E0510, E0507) or of
/// a window with an expiry that needs too many dated entries (E0505) names
/// its conduit first; the plan has no source positions, so point it at
/// that conduit's `expires`.
fn at_expiry(model: &crate::model::Model, d: Diagnostic) -> Diagnostic {
    if !matches!(d.code.as_ref(), "E0505" | "E0507" | "E0510") || d.primary.is_some() {
        return d;
    }
    match named_conduit(model, &d).and_then(|c| c.expires.as_ref()) {
        Some(e) => {
            let label = if d.code == "E0505" {
                format!(
                    "the window repeats until {}: too many dated entries",
                    e.value
                )
            } else {
                format!("{} is outside the backend's range", e.value)
            };
            d.at(e.span, label)
        }
        None => d,
    }
}

/// A backend's refusal of a DNS name (E0530) or a multicast group (E0531)
/// names its conduit (and the name) first; point it at that endpoint of
/// the conduit's flow line.
fn at_endpoint(model: &crate::model::Model, d: Diagnostic) -> Diagnostic {
    use crate::model::EndpointKind;
    if !matches!(d.code.as_ref(), "E0530" | "E0531") || d.primary.is_some() {
        return d;
    }
    let name = quoted(&d).nth(1);
    let Some(c) = named_conduit(model, &d) else {
        return d;
    };
    let found = c.responders.iter().find(|e| match e.kind {
        EndpointKind::Fqdn(i) => d.code == "E0530" && Some(model.fqdn(i)) == name,
        EndpointKind::Multicast(_) => d.code == "E0531",
        EndpointKind::Zone => false,
    });
    match found {
        Some(e) => d.at(e.span, "the backend cannot express this destination"),
        None => d,
    }
}

/// A backend's diagnostic about a conduit's schedule (E0537 a zone the
/// device clock does not run in, W0014 a conversion that stops being exact
/// soon) names its conduit first; point it at that conduit's `schedule`.
fn at_schedule(model: &crate::model::Model, d: Diagnostic) -> Diagnostic {
    if !matches!(d.code.as_ref(), "E0537" | "W0014") || d.primary.is_some() {
        return d;
    }
    match named_conduit(model, &d).and_then(|c| c.schedule.as_ref()) {
        Some(s) => {
            let label = match s.value.zone.as_deref() {
                Some(z) => format!("times on the {z} clock"),
                None => "times on the UTC clock".to_string(),
            };
            d.at(s.span, label)
        }
        None => d,
    }
}

/// Runs the checks of `conduit check` (with the project's conduit.yaml)
/// and says on standard error how many findings would fail it; with
/// `--deny findings` such findings stop the compile (exit 1).
fn report_findings(
    args: &CompileArgs,
    loaded: &mut crate::Loaded,
    as_of: Date,
) -> Result<(), Exit> {
    let config_path = super::check::default_config_path(&args.paths);
    let roots = crate::load::policy_roots(&args.paths);
    let limits = super::common::read_limits().map_err(|_| Exit::Usage)?;
    let config = match super::check::load_config(
        config_path.as_deref(),
        false,
        &roots,
        limits,
        &mut loaded.sources,
    ) {
        Ok(c) => c,
        Err(diags) => {
            print_diags(&loaded.sources, &diags);
            return Err(Exit::Usage);
        }
    };
    let report = crate::check::run(&loaded.model, &config, as_of);
    let failing = report.count_active(crate::diagnostics::Severity::Error)
        + report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.count_active(crate::diagnostics::Severity::Warning)
        + report
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Warning)
            .count();
    if failing == 0 {
        return Ok(());
    }
    let s = if failing == 1 { "" } else { "s" };
    if args.deny == Some(CompileDeny::Findings) {
        eprintln!(
            "error: the policy has {failing} failing finding{s} ({warnings} warnings); `conduit check` lists them. Nothing was compiled (--deny findings)."
        );
        return Err(Exit::Findings);
    }
    eprintln!(
        "warning: the policy has {failing} failing finding{s} ({warnings} warnings); `conduit check` lists them. Compiled anyway: add --deny findings to refuse."
    );
    Ok(())
}

/// The backend and plan options from `--backend` or `--target`.
fn choose(
    args: &CompileArgs,
    sources: &mut SourceMap,
    model: &crate::model::Model,
    as_of: Date,
) -> Result<(&'static dyn Backend, PlanOptions, Option<String>), Exit> {
    let mut opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of,
        interfaces: None,
        target: None,
    };
    if let Some(path) = &args.target {
        let text = std::fs::read_to_string(path).map_err(|e| {
            eprintln!(
                "error[E0401]: cannot read {}: {e}",
                crate::diagnostics::render::escape_controls(&path.display().to_string())
            );
            Exit::Usage
        })?;
        let name = path.display().to_string();
        let (t, diags) = target::load(sources, &name, Some(path.clone()), text, model);
        print_diags(sources, &diags);
        let t = t.ok_or(Exit::Findings)?;
        opts.mode = t.mode;
        opts.log_denied = t.log_denied;
        opts.interfaces = Some(t.interfaces);
        opts.target = Some(t.name);
        return Ok((t.backend, opts, t.clock));
    }
    let name = args.backend.as_deref().unwrap_or("");
    match compile::backend(name) {
        Some(b) => Ok((b, opts, None)),
        None => {
            eprintln!(
                "error[E0502]: unknown backend `{name}` (available: {})",
                compile::backend_names().join(", ")
            );
            Err(Exit::Usage)
        }
    }
}

fn print_diags(sources: &SourceMap, diags: &[Diagnostic]) {
    if diags.is_empty() {
        return;
    }
    let style = TextStyle {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    };
    eprint!("{}", render::text_all(sources, diags, style));
}

/// Writes each file to `-o PATH` + its suffix. Without `-o`, one file goes
/// to standard output; a backend with several files (iptables: one per
/// address family) needs `-o`, since one stream fed to one restore tool
/// would keep only the last family's table.
fn write_files(output: Option<&Path>, files: &[OutputFile]) -> Exit {
    let Some(base) = output else {
        return match files {
            [one] => emit_output(None, &one.text),
            _ => {
                let roles: Vec<&str> = files.iter().map(|f| f.role).collect();
                eprintln!(
                    "error[E0405]: this backend writes {} files ({}), which cannot share standard output\n  \
                     = help: give `-o FILE` to write FILE and FILE.v6",
                    files.len(),
                    roles.join(", ")
                );
                Exit::Usage
            }
        };
    };
    let paths: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|f| {
            let mut path = base.as_os_str().to_owned();
            path.push(f.suffix);
            (PathBuf::from(path), f.text.as_bytes())
        })
        .collect();
    match write_all_atomic(&paths) {
        Ok(()) => Exit::Clean,
        Err((path, e)) => {
            eprintln!(
                "error[E0401]: cannot write {}: {e}",
                crate::diagnostics::render::escape_controls(&path.display().to_string())
            );
            Exit::Usage
        }
    }
}
