#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
//! Rule engine tests: one fixture per rule, the riverside plant, output
//! formats, docs drift, and declaration-order independence.

use conduit::check::{self, CheckReport, RuleConfig};
use conduit::model::Date;
use std::path::PathBuf;

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn check_path(path: &str, as_of: &str) -> (conduit::Loaded, CheckReport) {
    let loaded = conduit::load_policy(&[PathBuf::from(path)]);
    assert!(!loaded.has_errors(), "{path}: {:#?}", loaded.diagnostics);
    let report = check::run(&loaded.model, &RuleConfig::default(), date(as_of));
    (loaded, report)
}

#[test]
fn riverside_debug() {
    let (loaded, report) = check_path("examples/riverside/plant.zc", "2026-11-28");
    for f in &report.findings {
        println!("{}", conduit::diagnostics::render::short(&loaded.sources, &f.diagnostic));
        println!("    [{}] {}", f.status.as_str(), f.subject_name);
    }
    println!("{:#?}", report.diagnostics);
}
