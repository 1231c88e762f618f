//! `conduit`: an IEC 62443 zone-and-conduit segmentation policy compiler.
//!
//! Phases, each in its own module, dependencies pointing one way:
//! [`syntax`] (text → syntax tree) → [`model`] (resolved zones, conduits,
//! services) → [`check`] (IEC 62443 rules) | [`graph`] (blast radius) |
//! [`compile`] (firewall backends) → [`cli`]. Every phase returns its result
//! together with [`diagnostics::Diagnostic`]s and recovers, so one run
//! reports many problems.

pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostics;
pub mod graph;
pub mod load;
pub mod model;
pub mod observe;
pub mod report;
pub mod source;
pub mod syntax;
pub mod yaml;

pub use load::{load_policy, load_str, Loaded};
