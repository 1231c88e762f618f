//! Blast radius and the zone graph: hand-made models, a property test of
//! the minimum cut against brute force, the riverside plant, and the CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "blast/cli.rs"]
mod cli;
#[path = "blast/fixture.rs"]
mod fixture;
#[path = "blast/hosts.rs"]
mod hosts;
#[path = "blast/prop.rs"]
mod prop;
#[path = "blast/report.rs"]
mod report;
#[path = "blast/riverside.rs"]
mod riverside;
#[path = "blast/scale.rs"]
mod scale;
#[path = "common/scratch.rs"]
mod scratch;
#[path = "blast/small.rs"]
mod small;
