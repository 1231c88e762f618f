//! CI a team can copy: the pull-request comment script (run locally with a
//! fake `gh`), the composite Action and example workflows (well-formed,
//! every script they name exists), the pre-commit hooks, the GitLab code
//! quality conversion, shell completions, the man page and `--version`.

use super::harness::{conduit, root};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn temp_dir(name: &str) -> crate::scratch::Scratch {
    crate::scratch::dir(&format!("conduit-ci-{name}-"))
}

/// A fake `gh`: logs its arguments, prints `comments.json` for the list
/// call (applying nothing: the script filters with jq), and keeps a copy
/// of every `-F body=@FILE`.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -eu
dir="$(dirname "$0")"
echo "$*" >> "$dir/calls.log"
for a in "$@"; do
    case "$a" in body=@*) cp "${a#body=@}" "$dir/body.$(wc -l < "$dir/calls.log" | tr -d ' ')" ;; esac
done
case "$*" in
    *--paginate*) cat "$dir/comments.json" ;;
    *) echo '{}' ;;
esac
"#;

fn run_comment(dir: &Path, comments: &str, body: &str) -> (bool, String) {
    std::fs::write(dir.join("gh"), FAKE_GH).unwrap();
    let status = Command::new("chmod")
        .arg("+x")
        .arg(dir.join("gh"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(dir.join("comments.json"), comments).unwrap();
    let _ = std::fs::remove_file(dir.join("calls.log"));
    let body_file = dir.join("diff.md");
    std::fs::write(&body_file, body).unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(root().join("scripts/ci-comment.sh"))
        .arg(&body_file)
        .env("PATH", path)
        .env("GITHUB_REPOSITORY", "plant/policies")
        .env("PR_NUMBER", "17")
        .env("GH_TOKEN", "dummy")
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap_or_default();
    (
        out.status.success(),
        format!("{calls}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn the_comment_is_posted_once_then_updated() {
    let dir = temp_dir("gh");
    // Two pages; a user's comment quoting the marker is never edited.
    let none = r#"[{"id": 5, "user": {"type": "User"}, "body": "<!-- conduit-diff --> me too"}][]"#;
    let (ok, calls) = run_comment(&dir, none, "**conduit diff:** opens 1 flow into line1\n");
    assert!(ok, "{calls}");
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(
        lines[0], "api --paginate repos/plant/policies/issues/17/comments",
        "{calls}"
    );
    assert!(
        lines[1].starts_with("api --method POST repos/plant/policies/issues/17/comments -F body=@"),
        "{calls}"
    );
    let body = std::fs::read_to_string(dir.join("body.2")).unwrap();
    assert_eq!(
        body,
        "<!-- conduit-diff -->\n**conduit diff:** opens 1 flow into line1\n"
    );

    let ours = r#"[{"id": 5, "user": {"type": "User"}, "body": "<!-- conduit-diff --> me too"}]
        [{"id": 77, "user": {"type": "Bot"}, "body": "<!-- conduit-diff -->\nold"},
         {"id": 78, "user": {"type": "Bot"}, "body": "<!-- conduit-diff -->\nolder"}]"#;
    let (ok, calls) = run_comment(&dir, ours, "closes 1\n");
    assert!(ok, "{calls}");
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines.len(), 2, "{calls}");
    assert!(
        lines[1]
            .starts_with("api --method PATCH repos/plant/policies/issues/comments/77 -F body=@"),
        "{calls}"
    );

    // Hostile environment values are refused before any call.
    let out = Command::new("bash")
        .arg(root().join("scripts/ci-comment.sh"))
        .arg(dir.join("diff.md"))
        .env("PATH", format!("{}:/usr/bin:/bin", dir.display()))
        .env("GITHUB_REPOSITORY", "plant/policies")
        .env("PR_NUMBER", "17; rm -rf /")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    conduit::yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

#[test]
fn the_action_workflows_and_hooks_are_well_formed() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs
        .iter()
        .any(|r| r.contains("check") && r.contains("--format sarif -o")));
    assert!(runs.iter().any(|r| r.contains("diff --base")));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))));
    for r in &runs {
        // Inputs reach scripts through the environment, never as text.
        assert!(!r.contains("${{"), "expression inside a run script: {r}");
        for script in r.split("$GITHUB_ACTION_PATH/").skip(1) {
            let file = script.split(['"', ' ', '\n']).next().unwrap();
            if file.starts_with("scripts/") {
                assert!(root().join(file).is_file(), "{file}");
            }
        }
        let status = Command::new("bash")
            .arg("-n")
            .arg("-c")
            .arg(r)
            .status()
            .unwrap();
        assert!(status.success(), "bash -n: {r}");
    }
    let workflow = yaml("examples/ci/github-workflow.yml");
    assert_eq!(workflow["permissions"]["security-events"], "write");
    let gitlab = yaml("examples/ci/gitlab-ci.yml");
    assert_eq!(
        gitlab["conduit"]["artifacts"]["reports"]["codequality"],
        "gl-code-quality.json"
    );

    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["conduit-fmt", "conduit-check"]);
    // Each hook's command runs as pre-commit would run it.
    for h in hooks {
        let entry: Vec<&str> = h["entry"].as_str().unwrap().split(' ').collect();
        assert_eq!(entry[0], "conduit");
        let mut args: Vec<&str> = entry[1..].to_vec();
        args.push("tests/rules/common/base.zc");
        let (code, out, err) = conduit(&args);
        assert!(code == 0 || code == 1, "{args:?}: {code} {out}{err}");
    }
}

#[test]
fn sarif_converts_to_gitlab_code_quality() {
    let (_, sarif, _) = conduit(&[
        "check",
        "examples/riverside/plant.zc",
        "--as-of",
        "2026-11-28",
        "--format",
        "sarif",
    ]);
    let dir = temp_dir("cq");
    std::fs::write(dir.join("c.sarif"), &sarif).unwrap();
    let out = Command::new("jq")
        .arg("-f")
        .arg(root().join("scripts/sarif-to-codequality.jq"))
        .arg(dir.join("c.sarif"))
        .output();
    let Ok(out) = out else {
        eprintln!("SKIPPED sarif_converts_to_gitlab_code_quality: jq is not installed");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    // One issue per SARIF result of the riverside plant.
    assert_eq!(issues.len(), 35);
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
    for i in issues {
        assert!(
            ["major", "minor", "info"].contains(&i["severity"].as_str().unwrap()),
            "{i}"
        );
        assert_eq!(i["location"]["path"], "examples/riverside/plant.zc");
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() > 0);
    }
}

#[test]
fn completions_man_pages_and_version() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, _) = conduit(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(
            out.contains("diff") && out.contains("query") && out.contains("fail-on"),
            "{shell}"
        );
    }
    let (code, out, _) = conduit(&["completions", "tcsh"]);
    assert_eq!((code, out.is_empty()), (2, true));
    let status = Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(conduit(&["completions", "bash"]).1)
        .status()
        .unwrap();
    assert!(status.success());
    let (code, page, _) = conduit(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH conduit 1"), "{page}");
    let dir = temp_dir("man");
    let (code, _, err) = conduit(&["man", "-o", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let diff = std::fs::read_to_string(dir.join("conduit-diff.1")).unwrap();
    assert!(
        diff.contains(".TH conduit-diff 1") && diff.contains("fail\\-on"),
        "{diff}"
    );
    for sub in ["check", "compile", "query", "completions", "man"] {
        assert!(dir.join(format!("conduit-{sub}.1")).is_file(), "{sub}");
    }
    let (code, version, _) = conduit(&["--version"]);
    assert_eq!(code, 0);
    let version = version.trim();
    let pkg = format!("conduit {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&pkg), "{version}");
    let in_git = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(root())
        .output()
        .is_ok_and(|o| o.status.success());
    if in_git {
        let commit = version.trim_start_matches(&pkg).trim();
        let hex = commit.trim_start_matches('(').trim_end_matches(')');
        assert!(
            hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            "{version}"
        );
    }
}
