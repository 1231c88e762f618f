//! Safety of the command line against hostile or unlucky surroundings:
//! how output files are written, what input files are read, and that no
//! input or pipe makes a command panic or explode. Temp dirs and FIFOs
//! only, never system files.

mod write;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conduit-safety-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary in `dir`.
pub fn conduit_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A small, valid policy with IPv4 only.
pub const SMALL: &str = "zone a {\n    purdue 3\n    network 10.61.0.0/24\n}\n\nzone b {\n    purdue 2\n    network 10.62.0.0/24\n}\n\nconduit ssh {\n    a -> b\n    allow tcp 22\n    justification \"maintenance\"\n}\n";

/// Runs a command and makes mkfifo available.
pub fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}
