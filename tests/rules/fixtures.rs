//! One fixture per rule: the findings of the rules a fixture names must be
//! exactly the `# expect:` comments, line by line.

use super::harness::{check_path, root, rows, AS_OF};
use std::collections::BTreeSet;

/// `(line, rule, severity, status)` expected by the comments of a fixture.
fn expectations(text: &str) -> Vec<(usize, String, String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, rest)) = line.split_once("# expect:") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        assert!(
            words.len() >= 2,
            "bad expectation on line {}: {line}",
            i + 1
        );
        let status = if words.get(2) == Some(&"waived") {
            "waived"
        } else {
            "active"
        };
        out.push((
            i + 1,
            words[0].to_string(),
            words[1].to_string(),
            status.to_string(),
        ));
    }
    out.sort();
    out
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/rules"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".zc").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_rule_has_a_fixture() {
    let names: BTreeSet<String> = fixture_names().into_iter().collect();
    for r in &conduit::check::pack().unwrap().rules {
        assert!(
            names.contains(&r.id),
            "rule {} has no fixture tests/rules/{}.zc",
            r.id,
            r.id
        );
    }
}

#[test]
fn fixtures_produce_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for name in fixture_names() {
        let path = root().join("tests/rules").join(format!("{name}.zc"));
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = expectations(&text);
        assert!(
            expected
                .iter()
                .any(|(_, r, _, s)| *r == name && s == "active"),
            "{name}.zc has no violating case for {name}"
        );
        let tested: BTreeSet<String> = expected
            .iter()
            .map(|e| e.1.clone())
            .chain([name.clone()])
            .collect();
        let (loaded, report) = check_path(&path, AS_OF);
        let file = format!("{name}.zc");
        let mut actual: Vec<(usize, String, String, String)> = Vec::new();
        for (at, rule, sev, status) in rows(&loaded, &report) {
            if !tested.contains(&rule) {
                continue;
            }
            let (f, line) = at.rsplit_once(':').unwrap();
            if f != file {
                failures.push(format!("{name}: {rule} fired in {at}, outside the fixture"));
                continue;
            }
            actual.push((line.parse().unwrap(), rule, sev, status));
        }
        actual.sort();
        if actual != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_base_plant_is_clean_under_every_rule() {
    let (loaded, report) = check_path(&root().join("tests/rules/common/base.zc"), AS_OF);
    assert!(report.findings.is_empty(), "{:#?}", rows(&loaded, &report));
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}
