//! Findings do not depend on the order of declarations, nor on how they
//! are spread over files.

use super::harness::{date, root};
use conduit::check::{self, RuleConfig};
use proptest::prelude::*;
use std::path::PathBuf;

/// Top-level statements of a policy text: each starts at a line that
/// begins with a keyword in column 0 (comments before it come along).
fn statements(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut pending_comments = String::new();
    for line in text.lines() {
        let starts = ["zone ", "service ", "conduit ", "waive ", "import "]
            .iter()
            .any(|k| line.starts_with(k));
        if starts {
            if !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current = std::mem::take(&mut pending_comments);
        }
        if line.starts_with('#') && current.trim_end().ends_with('}') {
            pending_comments.push_str(line);
            pending_comments.push('\n');
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// `(rule, severity, status, subject, message)` of every finding, sorted.
fn key(paths: &[PathBuf]) -> Vec<(String, String, String, String, String)> {
    let loaded = conduit::load_policy(paths);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let report = check::run(&loaded.model, &RuleConfig::default(), date("2026-11-28"));
    let mut v: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule().to_string(),
                f.severity().as_str().to_string(),
                f.status.as_str().to_string(),
                f.subject_name.clone(),
                f.diagnostic.message.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn write_split(dir: &std::path::Path, stmts: &[String], split: &[bool]) -> Vec<PathBuf> {
    let (mut a, mut b) = (String::new(), String::new());
    for (s, second) in stmts.iter().zip(split) {
        if *second { &mut b } else { &mut a }.push_str(s);
    }
    let pa = dir.join("a.zc");
    let pb = dir.join("b.zc");
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();
    vec![pa, pb]
}

fn cases(src: &str) -> (Vec<String>, crate::scratch::Scratch) {
    let text = std::fs::read_to_string(root().join(src)).unwrap();
    let stmts = statements(&text);
    let dir = crate::scratch::dir(&format!("conduit-order-{}-", src.replace('/', "_")));
    if let Ok(local) = std::fs::read_to_string(root().join("examples/riverside/services-local.zc"))
    {
        std::fs::write(dir.join("services-local.zc"), local).unwrap();
    }
    (stmts, dir)
}

#[test]
fn statement_splitting_keeps_every_statement() {
    let text = std::fs::read_to_string(root().join("examples/riverside/plant.zc")).unwrap();
    let stmts = statements(&text);
    assert_eq!(
        stmts.concat().len(),
        text.len() - usize::from(!text.ends_with('\n'))
    );
    assert!(stmts.len() >= 16, "{}", stmts.len());
}

/// `0..n` for the statements of a policy file.
fn indices(src: &str) -> Vec<usize> {
    let text = std::fs::read_to_string(root().join(src)).unwrap();
    (0..statements(&text).len()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn riverside_findings_do_not_depend_on_order(
        order in Just(indices("examples/riverside/plant.zc")).prop_shuffle(),
        split in proptest::collection::vec(any::<bool>(), 64),
    ) {
        let (stmts, dir) = cases("examples/riverside/plant.zc");
        let expected = key(&[root().join("examples/riverside/plant.zc")]);
        let shuffled: Vec<String> = order.iter().map(|i| stmts[*i].clone()).collect();
        let paths = write_split(&dir, &shuffled, &split);
        prop_assert_eq!(key(&paths), expected);
    }

    #[test]
    fn path_findings_do_not_depend_on_order(
        order in Just(indices("tests/rules/PATH-001.zc")).prop_shuffle(),
        split in proptest::collection::vec(any::<bool>(), 64),
    ) {
        let (stmts, dir) = cases("tests/rules/PATH-001.zc");
        let expected = key(&[root().join("tests/rules/PATH-001.zc")]);
        let shuffled: Vec<String> = order.iter().map(|i| stmts[*i].clone()).collect();
        let paths = write_split(&dir, &shuffled, &split);
        prop_assert_eq!(key(&paths), expected);
    }
}
