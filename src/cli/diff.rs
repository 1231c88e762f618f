//! `conduit diff OLD NEW` (or `conduit diff --base REV PATH...`): what a
//! policy change opens, closes and exposes.
//!
//! Both sides are loaded, checked and analysed like `check` and `blast`
//! do; [`flows`] compares the flows they allow as sets, [`report`] the
//! findings, exposure, blast radius, SL-T and waivers, [`render`] prints
//! JSON, Markdown or text. With `--base`, the old side is the same paths
//! in a git revision, exported with `git archive` into a temporary
//! directory. Exit codes: 1 when a `--fail-on` condition holds (or a
//! policy has errors), 0 otherwise, 2 for usage or I/O problems.

mod flows;
mod render;
mod report;

use super::common::{emit_output, today};
use super::Exit;
use crate::check::RuleConfig;
use crate::load::Loaded;
use crate::model::Date;
use report::{DiffReport, Side};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

/// What makes `diff` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// The change allows a flow the old policy did not, or moves a flow
    /// to hours or an expiry the old one did not grant.
    Opened,
    /// The share of OT asset weight reachable from IT grows.
    ExposureIncrease,
    /// The change brings an active finding the old policy did not have.
    NewFindings,
    /// A safety zone becomes reachable or worse graded.
    Safety,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD and NEW (files or directories); with `--base`, the paths of the
    /// new policy only.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read the old policy from this git revision (the same paths).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when the change does this (repeatable).
    #[arg(long = "fail-on", value_enum, value_name = "WHAT")]
    pub fail_on: Vec<FailOn>,
    /// Judge expiry of conduits and waivers on this date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = super::blast::parse_date)]
    pub as_of: Option<Date>,
    /// Write here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(args: DiffArgs) -> Exit {
    let as_of = args.as_of.unwrap_or_else(today);
    let (old_paths, new_paths, tmp) = match &args.base {
        Some(rev) => match from_git(rev, &args.paths) {
            Ok((tmp, old)) => (old, args.paths.clone(), Some(tmp)),
            Err(e) => {
                eprintln!("error: --base {rev}: {e}");
                return Exit::Usage;
            }
        },
        None => match args.paths.as_slice() {
            [old, new] => (vec![old.clone()], vec![new.clone()], None),
            _ => {
                eprintln!("error: diff takes OLD and NEW, or --base REV and the new paths");
                return Exit::Usage;
            }
        },
    };
    let old = match load_side(&old_paths, args.base.is_some()) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let new = match load_side(&new_paths, false) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let report = {
        let mut old_side = Side::new(&old.0.model, &old.0.sources, &old.1, as_of);
        if let (Some(tmp), Some(rev)) = (&tmp, &args.base) {
            old_side.relabel = Some((tmp.0.clone(), rev.clone()));
        }
        let new_side = Side::new(&new.0.model, &new.0.sources, &new.1, as_of);
        DiffReport::new(&old_side, &new_side, as_of)
    };
    let text = match args.format {
        DiffFormat::Json => render::json(&report),
        DiffFormat::Markdown => render::markdown(&report),
        DiffFormat::Text => render::text(&report),
    };
    if emit_output(args.output.as_deref(), &text) != Exit::Clean {
        return Exit::Usage;
    }
    if args.fail_on.iter().any(|f| fails(&report, *f)) {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

fn fails(r: &DiffReport, what: FailOn) -> bool {
    match what {
        FailOn::Opened => {
            !r.flows.opened.is_empty() || r.flows.changed.iter().any(flows::FlowChange::widens)
        }
        FailOn::ExposureIncrease => r.exposure_increased(),
        FailOn::NewFindings => !r.new_findings.is_empty(),
        FailOn::Safety => r.safety_worse(),
    }
}

/// Loads one side and its `conduit.yaml`; no path that exists is an
/// empty policy (a directory the old revision did not have yet).
fn load_side(paths: &[PathBuf], may_be_missing: bool) -> Result<(Loaded, RuleConfig), Exit> {
    let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    if may_be_missing && existing.is_empty() {
        return Ok((Loaded::default(), RuleConfig::default()));
    }
    let paths = if may_be_missing { &existing } else { paths };
    let loaded = super::common::load_or_exit(paths)?;
    let config = load_config(paths)?;
    Ok((loaded, config))
}

/// `conduit.yaml` in the directory of the first path, as `check` reads it.
fn load_config(paths: &[PathBuf]) -> Result<RuleConfig, Exit> {
    let Some(first) = paths.first() else {
        return Ok(RuleConfig::default());
    };
    let dir = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let path = if dir.as_os_str().is_empty() {
        PathBuf::from("conduit.yaml")
    } else {
        dir.join("conduit.yaml")
    };
    if !path.is_file() {
        return Ok(RuleConfig::default());
    }
    let pack = crate::check::pack().map_err(|e| {
        eprintln!("error: {e}");
        Exit::Usage
    })?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        eprintln!("error[E0401]: cannot read {}: {e}", path.display());
        Exit::Usage
    })?;
    RuleConfig::parse(&text, pack).map_err(|_| {
        eprintln!(
            "error: {} is not a valid configuration (run `conduit check` for details)",
            path.display()
        );
        Exit::Usage
    })
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Exports revision `rev` of the repository holding `paths[0]` into a
/// temporary directory; the old paths are the same paths inside it.
fn from_git(rev: &str, paths: &[PathBuf]) -> Result<(TempDir, Vec<PathBuf>), String> {
    if rev.starts_with('-') || rev.is_empty() {
        return Err("not a revision".to_string());
    }
    let first = paths.first().ok_or("no path")?;
    let abs = |p: &Path| std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()));
    let first_abs = abs(first)?;
    let dir = if first_abs.is_dir() {
        first_abs.clone()
    } else {
        first_abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let top = PathBuf::from(git(&dir, &["rev-parse", "--show-toplevel"])?);
    let top = abs(&top)?;
    git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| "no such commit".to_string())?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = std::env::temp_dir().join(format!("conduit-diff-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let tmp = TempDir(tmp);
    extract(&top, rev, &tmp.0)?;
    let mut old = Vec::new();
    for p in paths {
        let rel = abs(p)?
            .strip_prefix(&top)
            .map(Path::to_path_buf)
            .map_err(|_| {
                format!(
                    "{} is outside the repository {}",
                    p.display(),
                    top.display()
                )
            })?;
        old.push(tmp.0.join(rel));
    }
    Ok((tmp, old))
}

/// `git archive REV | tar -x -C dest`.
fn extract(top: &Path, rev: &str, dest: &Path) -> Result<(), String> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["archive", "--format=tar", rev])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = archive.stdout.take().ok_or("git archive gave no output")?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dest)
        .stdin(stdout)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git_out = archive
        .wait_with_output()
        .map_err(|e| format!("git archive: {e}"))?;
    if !git_out.status.success() {
        return Err(String::from_utf8_lossy(&git_out.stderr).trim().to_string());
    }
    if !tar.status.success() {
        return Err(format!(
            "tar: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    Ok(())
}
