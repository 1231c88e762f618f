//! No input or pipe makes a command panic: huge names, closed pipes.

use super::{scratch, text};
use std::process::{Command, Stdio};

/// A policy with many zones and findings: output far beyond a pipe buffer.
fn big_policy(zones: usize) -> String {
    let mut s = String::new();
    for i in 0..zones {
        s.push_str(&format!(
            "zone z{i} {{\n    purdue 3\n    network 10.{}.{}.0/24\n}}\n",
            i / 256,
            i % 256
        ));
    }
    s
}

#[test]
fn a_zone_name_of_65536_characters_does_not_panic_text_output() {
    let dir = scratch("long-name");
    let name = format!("z{}", "a".repeat(65_535));
    std::fs::write(
        dir.join("p.zc"),
        format!("zone {name} {{\n    purdue 3\n    network 10.1.0.0/24\n}}\n"),
    )
    .unwrap();
    let out = super::conduit_bounded(&dir, &["check", "p.zc"]);
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{err}");
    assert!(text(&out.stdout).contains("Summary"));
}

#[test]
fn a_closed_pipe_ends_every_format_quietly() {
    let dir = scratch("epipe");
    std::fs::write(dir.join("p.zc"), big_policy(600)).unwrap();
    for format in ["text", "json", "sarif", "github", "junit"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conduit"))
            .args(["check", "p.zc", "--format", format])
            .env("NO_COLOR", "1")
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before reading anything (`| head -0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{format}: {err}");
        assert_ne!(out.status.code(), Some(101), "{format}: {err}");
    }
    for args in [
        &["fmt", "p.zc"][..],
        &["export", "p.zc"][..],
        &["compile", "p.zc", "--backend", "nftables"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conduit"))
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_standard_error_does_not_panic_on_load_errors() {
    let dir = scratch("epipe-err");
    let mut bad = String::new();
    for i in 0..200 {
        bad.push_str(&format!(
            "conduit c{i} {{\n    a{i} -> b{i}\n    allow tcp 22\n}}\n"
        ));
    }
    std::fs::write(dir.join("bad.zc"), bad).unwrap();
    for args in [
        &["compile", "bad.zc", "--backend", "nftables"][..],
        &["export", "bad.zc"][..],
        &["fmt", "bad.zc"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conduit"))
            .args(args)
            .env("NO_COLOR", "1")
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_ne!(status.code(), Some(101), "{args:?} panicked");
    }
}
