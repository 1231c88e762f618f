//! Safety of the command line against hostile or unlucky surroundings:
//! how output files are written, what input files are read, and that no
//! input or pipe makes a command panic or explode. Temp dirs and FIFOs
//! only, never system files.

mod output;
mod panic;
mod read;
mod write;

use std::path::Path;
use std::process::{Command, Output};

/// A fresh, empty directory for one test.
pub fn scratch(name: &str) -> crate::scratch::Scratch {
    crate::scratch::dir(&format!("conduit-safety-{name}-"))
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

/// Runs the binary in `dir`, killing it (and failing) after 60 s, so a
/// read that hangs fails the test instead of hanging the suite.
pub fn conduit_bounded(dir: &Path, args: &[&str]) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    use std::io::Read;
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("conduit {} hangs", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}
