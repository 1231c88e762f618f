//! Helpers shared by the subcommands: exit codes, the clock, atomic writes.
//!
//! Output files are replaced atomically when they are regular files or new
//! paths, followed when they are symbolic links, and written in place when
//! they are FIFOs or devices (`-o /dev/stdout`, `-o /dev/null`).

use crate::model::Date;
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// Environment variable with the largest policy file read, in bytes.
pub const MAX_FILE_SIZE_ENV: &str = "CONDUIT_MAX_FILE_SIZE";

/// Read limits from the environment (`CONDUIT_MAX_FILE_SIZE`); exit 2
/// when it is not a number of bytes.
pub fn read_limits() -> Result<crate::load::ReadLimits, Exit> {
    let mut limits = crate::load::ReadLimits::default();
    if let Some(v) = std::env::var_os(MAX_FILE_SIZE_ENV) {
        match v.to_str().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(n) => limits.max_file_size = n,
            None => {
                eprintln!(
                    "error: {MAX_FILE_SIZE_ENV} must be a number of bytes, not `{}`",
                    crate::diagnostics::render::escape_controls(&v.to_string_lossy())
                );
                return Err(Exit::Usage);
            }
        }
    }
    Ok(limits)
}

/// Loads a policy for a subcommand whose output is its product. When the
/// policy has errors they go to standard error and the exit code comes
/// back instead: 2 for an unreadable file, 1 otherwise.
pub fn load_or_exit(paths: &[std::path::PathBuf]) -> Result<crate::Loaded, Exit> {
    let loaded = crate::load::load_policy_with(paths, read_limits()?);
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

/// Temporary files end with this, after a random part, so a later run
/// recognises those a killed run left behind (see [`clean_stale`]).
const TEMP_SUFFIX: &str = ".conduit-tmp";

/// A temporary file older than this is left over from a killed run.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// One output file, ready to be put in place by [`commit`].
pub enum Staged {
    /// Written and synced under a temporary name next to `dest`.
    Replace {
        tmp: tempfile::NamedTempFile,
        dest: PathBuf,
    },
    /// A FIFO, a device or another non-regular file: written in place
    /// (replacing `/dev/null` with a regular file would be a disaster).
    InPlace { path: PathBuf, contents: Vec<u8> },
}

/// Where the bytes for `path` go: a regular file (or a new path) is
/// replaced atomically; a symbolic link is followed, so its target is
/// replaced and the link stays; any other file type is written in place.
fn destination(path: &Path) -> std::io::Result<(PathBuf, bool)> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((path.to_path_buf(), true))
        }
        Err(e) => return Err(e),
    };
    let (dest, meta) = if meta.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).map_err(|e| {
            std::io::Error::new(e.kind(), format!("symbolic link with no target: {e}"))
        })?;
        let meta = std::fs::metadata(&target)?;
        (target, meta)
    } else {
        (path.to_path_buf(), meta)
    };
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    let regular = meta.is_file();
    Ok((dest, regular))
}

/// Prepares `contents` for `path`: for a regular file or a new path, a
/// temporary file in the same directory, created exclusively under an
/// unpredictable name (a planted file or link at any name is never
/// opened), written and synced. Nothing visible changes until [`commit`].
pub fn stage(path: &Path, contents: &[u8]) -> std::io::Result<Staged> {
    let (dest, regular) = destination(path)?;
    if !regular {
        return Ok(Staged::InPlace {
            path: dest,
            contents: contents.to_vec(),
        });
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let prefix = format!(".{name}.");
    clean_stale(&dir, &prefix);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // Like `File::create`: 0666 less the umask, or the mode of the file
    // being replaced.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    if let Ok(old) = std::fs::metadata(&dest) {
        tmp.as_file().set_permissions(old.permissions())?;
    }
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    Ok(Staged::Replace { tmp, dest })
}

/// Puts a staged file in place: a rename over the destination, or the
/// write in place.
pub fn commit(staged: Staged) -> std::io::Result<()> {
    match staged {
        Staged::Replace { tmp, dest } => tmp.persist(&dest).map(|_| ()).map_err(|e| e.error),
        Staged::InPlace { path, contents } => {
            let mut f = std::fs::OpenOptions::new().write(true).open(&path)?;
            f.write_all(&contents)?;
            f.flush()
        }
    }
}

/// Removes temporary files of `dir` that earlier, killed runs left for
/// the same output: regular files named `PREFIX*.conduit-tmp` older than
/// an hour (a concurrent run's file is younger). Removing a name never
/// follows a link; anything else is left alone.
fn clean_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(prefix) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.is_file() && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `contents` to `path` atomically (see [`stage`]): a failed run
/// never leaves a half-written file behind.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    commit(stage(path, contents)?)
}

/// Writes files that belong together: all are staged first, then put in
/// place one after the other, so a failure before the first rename leaves
/// every earlier file as it was.
pub fn write_all_atomic(files: &[(PathBuf, &[u8])]) -> Result<(), (PathBuf, std::io::Error)> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, contents) in files {
        staged.push((path, stage(path, contents).map_err(|e| (path.clone(), e))?));
    }
    for (path, s) in staged {
        commit(s).map_err(|e| (path.clone(), e))?;
    }
    Ok(())
}

/// Writes to `-o FILE` atomically, or to standard output.
pub fn emit_output(output: Option<&Path>, contents: &str) -> Exit {
    match output {
        Some(path) => match write_atomic(path, contents.as_bytes()) {
            Ok(()) => Exit::Clean,
            Err(e) => {
                eprintln!(
                    "error[E0401]: cannot write {}: {e}",
                    crate::diagnostics::render::escape_controls(&path.display().to_string())
                );
                Exit::Usage
            }
        },
        None => match write_stdout(contents) {
            Ok(()) => Exit::Clean,
            // The reader went away (`| head`): a quiet end, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clean,
            Err(_) => Exit::Usage,
        },
    }
}

/// Writes to standard output and flushes. Unlike `print!`, a closed pipe
/// is an error value (`BrokenPipe`), never a panic.
pub fn write_stdout(contents: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(contents.as_bytes())?;
    out.flush()
}

/// Writes to standard error, ignoring a closed pipe (`2>&1 | head`):
/// unlike `eprint!`, never a panic.
pub fn write_stderr(contents: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(contents.as_bytes()).and_then(|_| err.flush());
}
