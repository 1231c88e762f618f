//! Shared helpers: loading, checking, golden files, running the binary.

use conduit::check::{self, CheckReport, RuleConfig};
use conduit::model::Date;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const AS_OF: &str = "2026-11-28";

pub fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a policy (which must load without errors) and checks it.
pub fn check_path(path: &Path, as_of: &str) -> (conduit::Loaded, CheckReport) {
    let loaded = conduit::load_policy(&[path.to_path_buf()]);
    assert!(
        !loaded.has_errors(),
        "{}: {:#?}",
        path.display(),
        loaded.diagnostics
    );
    let report = check::run(&loaded.model, &RuleConfig::default(), date(as_of));
    (loaded, report)
}

/// `(file:line, rule, severity, status)` of every finding, in report order.
pub fn rows(
    loaded: &conduit::Loaded,
    report: &CheckReport,
) -> Vec<(String, String, String, String)> {
    report
        .findings
        .iter()
        .map(|f| {
            let at = f.diagnostic.primary.as_ref().map_or("?".to_string(), |p| {
                let l = loaded.sources.line_col(p.span);
                let name = loaded.sources.name(p.span.file);
                let file = Path::new(name)
                    .file_name()
                    .map_or(name.to_string(), |n| n.to_string_lossy().into_owned());
                format!("{file}:{}", l.line)
            });
            (
                at,
                f.rule().to_string(),
                f.severity().as_str().to_string(),
                f.status.as_str().to_string(),
            )
        })
        .collect()
}

/// Compares `actual` with the golden file, or rewrites it under UPDATE_GOLDEN=1.
pub fn golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "missing golden {}; run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  golden: {a}\n  actual: {b}", i + 1))
            .collect();
        panic!(
            "{} differs from the output (UPDATE_GOLDEN=1 rewrites it; review the diff):\n{}\n(golden {} lines, actual {} lines)",
            path.display(),
            diff.join("\n"),
            expected.lines().count(),
            actual.lines().count()
        );
    }
}

/// Runs the `conduit` binary in the crate root; returns (exit code, stdout, stderr).
pub fn conduit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
