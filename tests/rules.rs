#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Rule engine tests: one fixture per rule (`tests/rules/RULE.zc`, expected
//! findings written next to the line they point at as
//! `# expect: RULE SEVERITY [waived]`), the clean base plant, the riverside
//! plant's exact findings, output formats (goldens, SARIF schema, GitHub
//! caps), the docs, the configuration file, and declaration-order
//! independence. `UPDATE_GOLDEN=1` rewrites goldens and docs/rules.

#[path = "common/scratch.rs"]
mod scratch;

mod rules {
    mod catalog;
    mod ci;
    mod diff;
    mod fixtures;
    mod formats;
    pub mod harness;
    mod order;
    mod riverside;
    mod sarif;
}
