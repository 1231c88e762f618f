//! Zone graph and blast radius: how far a compromise spreads from IT into OT.
//!
//! [`ZoneGraph::build`] turns a [`Model`](crate::model::Model) into a
//! directed graph with one node per zone and one edge per conduit direction
//! that a compromised side can initiate. [`analyze`] propagates a
//! compromise from the sources and returns a plain [`BlastReport`]: grades
//! (reachable, impacted, compromised), fewest hops, easiest paths with a
//! documented difficulty score, IT-to-OT crossings, the minimum conduit cut,
//! dominators and the exposure figure. The [`render`] functions turn a
//! report or the model into text, JSON, DOT, Mermaid or SVG.
//!
//! Invariants: `petgraph` types never leave this module; no output depends
//! on hash order; nothing here prints or reads the clock (`as_of` is a
//! parameter). See `docs/blast-radius.md` for semantics and complexity.

mod analysis;
pub mod attack;
mod build;
pub mod caps;
mod cut;
mod flow;
pub mod render;
mod score;
mod traverse;

pub use analysis::{
    analyze, analyze_graph, asset_weight, default_sources, BlastOptions, BlastReport, Crossing,
    Exposure, Grade, Source, SourceSummary, ZoneReach,
};
pub use attack::Attack;
pub use build::{Exclusion, GraphOptions, PivotReason, ZoneEdge, ZoneGraph};
pub use cut::{MinCut, NoCut};
pub use score::{edge_cost, service_cost, EdgeCost, SCORE_EXPLANATION};
pub use traverse::AssetsReached;
