//! The one attack model that `check` (PATH rules) and `blast` share.
//!
//! Sources are the zones of class `it` or `external` and every zone holding
//! an asset with `external-link true` (a modem or cloud agent is reachable
//! from outside directly). Compromise spreads over the [`ZoneGraph`]: only
//! footholds (pivot edges, reverse channels) open further edges, so a PLC
//! reached over NTP or a safety zone reached over a read-only service is
//! not a stepping stone. A DMZ bypass is a path on which no DMZ zone is a
//! foothold, unless the DMZ zone is itself a source.
//!
//! [`Attack::new`] costs one graph build and two propagations, O(Z + E).

use super::build::{GraphOptions, ZoneEdge, ZoneGraph};
use super::traverse::{bfs, bfs_path, get, Bfs};
use crate::model::{Date, Model, ZoneClass, ZoneId};

/// Whether a zone holds an asset with an external link (an entry point).
pub fn is_entry(model: &Model, zone: ZoneId) -> bool {
    model.zone(zone).assets.iter().any(|a| a.external_link)
}

/// Whether a zone is a default source: class `it` or `external`, or an entry point.
pub fn is_default_source(model: &Model, zone: ZoneId) -> bool {
    model.zone(zone).class.is_it_side() || is_entry(model, zone)
}

/// Zones that may not be footholds on a DMZ-bypass path: DMZ zones that
/// are not sources themselves.
pub fn bypass_blocked(model: &Model, sources: &[ZoneId], zone: ZoneId) -> bool {
    model.zone(zone).class == ZoneClass::Dmz && sources.binary_search(&zone).is_err()
}

/// The attack model of one plant at one date, from the default sources.
#[derive(Debug, Clone)]
pub struct Attack {
    graph: ZoneGraph,
    sources: Vec<ZoneId>,
    all: Bfs,
    bypass: Bfs,
}

impl Attack {
    /// Builds the graph as of `as_of` (expired conduits are gone) and
    /// propagates from the default sources.
    pub fn new(model: &Model, as_of: Date) -> Attack {
        let graph = ZoneGraph::build(
            model,
            &GraphOptions {
                as_of: Some(as_of),
                ..GraphOptions::default()
            },
        );
        let sources: Vec<ZoneId> = model
            .zone_ids()
            .filter(|&z| is_default_source(model, z))
            .collect();
        let all = bfs(&graph, &sources, None, &|_| false);
        let bypass = bfs(&graph, &sources, None, &|z| {
            bypass_blocked(model, &sources, z)
        });
        Attack {
            graph,
            sources,
            all,
            bypass,
        }
    }

    pub fn graph(&self) -> &ZoneGraph {
        &self.graph
    }

    /// The source zones, sorted.
    pub fn sources(&self) -> &[ZoneId] {
        &self.sources
    }

    pub fn is_source(&self, zone: ZoneId) -> bool {
        self.sources.binary_search(&zone).is_ok()
    }

    /// Fewest conduit crossings for packets to arrive in `zone`.
    pub fn reach_hops(&self, zone: ZoneId) -> Option<u32> {
        get(&self.all.reach_hops, zone)
    }

    /// Whether the attacker gains a foothold in `zone` (sources included).
    pub fn compromised(&self, zone: ZoneId) -> bool {
        get(&self.all.comp_hops, zone).is_some()
    }

    /// A fewest-hop attack path into `zone`, first crossing first (empty
    /// for a source).
    pub fn reach_path(&self, zone: ZoneId) -> Vec<&ZoneEdge> {
        self.edges(bfs_path(&self.graph, &self.all, zone))
    }

    /// A fewest-hop path into `zone` on which no DMZ zone is a foothold.
    pub fn bypass_path(&self, zone: ZoneId) -> Option<Vec<&ZoneEdge>> {
        get(&self.bypass.reach_hops, zone)?;
        Some(self.edges(bfs_path(&self.graph, &self.bypass, zone)))
    }

    fn edges(&self, idx: Vec<usize>) -> Vec<&ZoneEdge> {
        idx.into_iter().filter_map(|i| self.graph.edge(i)).collect()
    }
}

/// The root cause of an attack path: its first crossing out of the
/// sources' side into a zone that is neither a source nor of class `it` or
/// `external` (`None` when the target is a source itself).
pub fn root_edge<'g>(
    model: &Model,
    attack: &Attack,
    path: &[&'g ZoneEdge],
) -> Option<&'g ZoneEdge> {
    path.iter()
        .copied()
        .find(|e| !attack.is_source(e.to) && !model.zone(e.to).class.is_it_side())
        .or_else(|| path.last().copied())
}
