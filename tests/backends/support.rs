//! Shared helpers: the riverside model, compiling, root checks.

use conduit::compile::{self, plan, OutputFile, Plan, PlanOptions};
use conduit::model::{Date, Mode, Model};
use std::path::{Path, PathBuf};

pub fn root_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The riverside example through the real loader.
pub fn riverside() -> Model {
    let loaded = conduit::load_policy(&[root_dir().join("examples/riverside/plant.zc")]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

/// A policy from text (services from the built-in catalog are in scope).
pub fn policy(text: &str) -> Model {
    let loaded = conduit::load_str("test.zc", text);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

pub fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub fn options(mode: Mode, as_of: &str) -> PlanOptions {
    PlanOptions {
        mode,
        log_denied: true,
        as_of: date(as_of),
        interfaces: None,
        target: None,
    }
}

pub fn build(model: &Model, opts: &PlanOptions) -> Plan {
    plan::build(model, opts).0
}

/// The files of `backend`, or `None` when it refuses the plan only for
/// documented device limits (`codes`, e.g. an ASA time-range past 2035,
/// more dated schedule entries than a vendor allows); any other refusal
/// fails the test.
pub fn emit_within_limits(backend: &str, plan: &Plan, codes: &[&str]) -> Option<Vec<OutputFile>> {
    let b = compile::backend(backend).unwrap();
    match compile::generate(b, plan) {
        Ok(files) => Some(files),
        Err(diags) => {
            assert!(
                diags.iter().all(|d| codes.contains(&d.code.as_ref())),
                "{backend} refused for another reason: {diags:?}"
            );
            None
        }
    }
}

pub fn emit(backend: &str, plan: &Plan) -> Vec<OutputFile> {
    let b = compile::backend(backend).unwrap();
    compile::generate(b, plan).unwrap()
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// The tools the root-only tests run.
pub const TOOLS: &[&str] = &["nft", "iptables-restore", "ip6tables-restore", "ip"];

/// Whether `tool` is an executable file on `PATH` (or in the sbin
/// directories, which `PATH` of a plain user often lacks).
pub fn has_tool(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .any(|dir| {
            std::fs::metadata(dir.join(tool)).is_ok_and(|m| {
                m.is_file()
                    && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            })
        })
}

/// Root, with every tool of [`TOOLS`] installed.
pub fn tools_ready() -> bool {
    is_root() && TOOLS.iter().all(|t| has_tool(t))
}

/// Whether a root-only test may run (root, and every tool of [`TOOLS`]
/// installed); prints a visible skip otherwise, or fails when
/// `CONDUIT_REQUIRE_NETNS=1`.
pub fn root_or_skip(test: &str) -> bool {
    let missing: Vec<&str> = TOOLS.iter().copied().filter(|t| !has_tool(t)).collect();
    if is_root() && missing.is_empty() {
        return true;
    }
    let msg = if is_root() {
        format!("SKIPPED {test}: not installed: {}", missing.join(", "))
    } else {
        format!("SKIPPED {test}: needs root (nft, iptables-restore, ip netns)")
    };
    if std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() == Ok("1") {
        panic!("{msg}, and CONDUIT_REQUIRE_NETNS=1");
    }
    // Straight to the stream, past the test harness's output capture, so
    // the skip shows in a normal `cargo test` run.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
    false
}

/// A temporary file in a directory of its own, removed (with the
/// directory) when dropped; it reads as its path.
pub struct TempFile {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for TempFile {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

/// Writes `text` to a fresh temporary file named `name`. A directory per
/// call: tests run as threads of one process under `cargo test`, and two
/// of them may write a file of the same name; `cargo nextest` runs each
/// test as a process of its own, which left one directory per test behind
/// while the files lived in a per-process directory.
pub fn temp_file(name: &str, text: &str) -> TempFile {
    let dir = tempfile::Builder::new()
        .prefix("conduit-backends-")
        .tempdir()
        .unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    TempFile { path, _dir: dir }
}

/// Runs a command, returning (success, stdout + stderr).
pub fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(cmd).args(args).output();
    match out {
        Ok(o) => (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ),
        Err(e) => (false, format!("cannot run {cmd}: {e}")),
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}
