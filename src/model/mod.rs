//! Resolution: the syntax tree of every file becomes one [`Model`].
//!
//! Names are resolved to ids, values (CIDRs, ports, dates, schedules, levels)
//! are checked, and semantic errors are reported with their own codes. The
//! model is the one input of every later phase (rules, blast radius,
//! backends); see [`types`] for its invariants.

pub mod export;
mod integrity;
mod read;
pub mod resolve;
pub mod types;
pub mod values;

pub use resolve::{resolve, Input};
pub use types::*;
