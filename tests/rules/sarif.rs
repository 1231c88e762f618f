//! SARIF for code scanning: fingerprints stable across runs and line
//! moves, paths relative to `%SRCROOT%`, a location on every result that
//! has one.

use super::harness::{conduit, root};
use serde_json::Value;

fn sarif(path: &str) -> Value {
    let (_, out, err) = conduit(&["check", path, "--as-of", "2026-11-28", "--format", "sarif"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn fingerprints(doc: &Value) -> Vec<String> {
    let mut v: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["conduitFinding/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn fingerprints_are_stable_across_runs_and_line_moves() {
    let a = sarif("examples/riverside/plant.zc");
    let b = sarif("examples/riverside/plant.zc");
    assert_eq!(a, b);
    let prints = fingerprints(&a);
    let mut unique = prints.clone();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "fingerprints must be unique");
    // The same plant three lines further down, in another directory.
    let dir = std::env::temp_dir().join(format!("conduit-sarif-fp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join("examples/riverside/plant.zc")).unwrap();
    std::fs::write(
        dir.join("plant.zc"),
        format!("# moved\n# down\n# three lines\n{text}"),
    )
    .unwrap();
    std::fs::copy(
        root().join("examples/riverside/services-local.zc"),
        dir.join("services-local.zc"),
    )
    .unwrap();
    let moved = sarif(dir.join("plant.zc").to_str().unwrap());
    assert_eq!(fingerprints(&moved), prints);
    let line = |d: &Value| {
        d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(line(&moved), line(&a) + 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn paths_are_relative_to_srcroot_and_every_finding_has_a_location() {
    let doc = sarif("./examples/riverside/plant.zc");
    let run = &doc["runs"][0];
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"], "examples/riverside/plant.zc",
            "{r}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 0);
    }
}

#[test]
fn check_writes_its_report_to_an_output_file() {
    let dir = std::env::temp_dir().join(format!("conduit-check-o-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("conduit.sarif");
    let f = file.to_str().unwrap();
    let args = [
        "check",
        "examples/riverside/plant.zc",
        "--as-of",
        "2026-11-28",
    ];
    let (code, out, _) = conduit(&[&args[..], &["--format", "sarif", "-o", f]].concat());
    assert_eq!(code, 1, "riverside has active errors");
    assert!(out.is_empty(), "{out}");
    let (_, direct, _) = conduit(&[&args[..], &["--format", "sarif"]].concat());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), direct);
    let json = dir.join("report.json");
    let (code, _, _) = conduit(
        &[
            &args[..],
            &["--format", "json", "--output", json.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    assert!(std::fs::read_to_string(&json)
        .unwrap()
        .contains("\"findings\""));
    let missing = dir.join("no/such/dir/out.sarif");
    let (code, _, err) = conduit(&[&args[..], &["-o", missing.to_str().unwrap()]].concat());
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
