//! `conduit observe` and `conduit inventory import`: flow logs judged
//! against the riverside policy, proposals merged back, hostile input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/scratch.rs"]
mod scratch;
#[path = "observe/support.rs"]
mod support;

#[path = "observe/riverside.rs"]
mod riverside;

#[path = "observe/hostile.rs"]
mod hostile;

#[path = "observe/propose.rs"]
mod propose;

#[path = "observe/time.rs"]
mod time;

#[path = "observe/inventory.rs"]
mod inventory;

#[path = "observe/property.rs"]
mod property;

#[path = "observe/ports.rs"]
mod ports;
