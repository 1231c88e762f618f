//! Helpers shared by the subcommands: exit codes, the clock, atomic writes.

use crate::model::Date;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing to report (warnings allowed unless denied).
    Clean,
    /// 1: the policy has errors or failing findings.
    Findings,
    /// 2: usage or I/O problem.
    Usage,
}

impl Exit {
    pub fn code(self) -> ExitCode {
        ExitCode::from(match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Usage => 2,
        })
    }
}

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Date::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Loads a policy for a subcommand whose output is its product. When the
/// policy has errors they go to standard error and the exit code comes
/// back instead: 2 for an unreadable file, 1 otherwise.
pub fn load_or_exit(paths: &[std::path::PathBuf]) -> Result<crate::Loaded, Exit> {
    let loaded = crate::load_policy(paths);
    if !loaded.has_errors() {
        return Ok(loaded);
    }
    super::check::print_load_errors(&loaded);
    Err(if super::check::has_io_error(&loaded.diagnostics) {
        Exit::Usage
    } else {
        Exit::Findings
    })
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, flushed and synced, then renamed over the target. A failed
/// run never leaves a half-written file behind.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes to `-o FILE` atomically, or to standard output.
pub fn emit_output(output: Option<&Path>, contents: &str) -> Exit {
    match output {
        Some(path) => match write_atomic(path, contents.as_bytes()) {
            Ok(()) => Exit::Clean,
            Err(e) => {
                eprintln!("error[E0401]: cannot write {}: {e}", path.display());
                Exit::Usage
            }
        },
        None => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(contents.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return Exit::Usage;
            }
            Exit::Clean
        }
    }
}
