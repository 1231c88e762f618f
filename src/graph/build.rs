//! The zone graph: one node per zone, one edge per (conduit, initiating
//! zone, responding zone) that a compromised side can open.
//!
//! Invariants:
//! - edges are sorted by `(conduit, reverse, from, to)`, so every traversal
//!   built on them is deterministic;
//! - an edge never joins a zone to itself;
//! - conduits removed by `--cut` or expired at `as_of` produce no edge and
//!   are listed in [`ZoneGraph::excluded`].

use super::score::{edge_cost, EdgeCost};
use crate::model::{ConduitId, Date, Direction, Mode, Model, Role, ServiceId, Tag, ZoneId};
use std::collections::{BTreeMap, BTreeSet};

/// Why an edge hands the attacker a foothold in the responder zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PivotReason {
    /// A service of the conduit is tagged `pivot` or `remote-tool`.
    Service(ServiceId),
    /// The conduit is vendor remote access (`vendor "…"`): an interactive session.
    VendorAccess,
    /// The conduit names a jump host as responder: sessions go on from there.
    JumpHost,
    /// The conduit is in `mode monitor`: it blocks nothing, any service passes.
    Monitor,
    /// `--assume-any-pivot`: every edge is treated as a foothold.
    AssumeAny,
}

/// Why a conduit produces no edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// Named by `--cut`.
    Cut,
    /// Its `expires` date has passed at `as_of`.
    Expired,
}

/// One directed edge of the zone graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneEdge {
    pub conduit: ConduitId,
    /// `true` for the responder-to-initiator half of a `<->` conduit.
    pub reverse: bool,
    pub from: ZoneId,
    pub to: ZoneId,
    /// Assets of `to` named by the conduit; empty when it names the whole zone.
    pub assets: Vec<u32>,
    /// The conduit's services, in the conduit's order.
    pub services: Vec<ServiceId>,
    /// A foothold: compromise goes on from `to`.
    pub pivot: Option<PivotReason>,
    /// A write-capable industrial service (or monitor mode): the process can be changed.
    pub write: bool,
    /// Difficulty of crossing this edge, with its parts.
    pub cost: EdgeCost,
}

impl ZoneEdge {
    pub fn whole_zone(&self) -> bool {
        self.assets.is_empty()
    }
}

/// How the graph is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphOptions {
    /// Conduits treated as removed (what-if).
    pub cuts: BTreeSet<ConduitId>,
    /// Conduits whose `expires` is on or before this date are gone.
    pub as_of: Option<Date>,
    /// Treat every edge as a foothold (worst case).
    pub assume_any_pivot: bool,
}

/// The directed zone graph of a model.
#[derive(Debug, Clone)]
pub struct ZoneGraph {
    zone_count: usize,
    edges: Vec<ZoneEdge>,
    /// Outgoing edge indices per zone, in edge order.
    out: Vec<Vec<usize>>,
    excluded: Vec<(ConduitId, Exclusion)>,
}

impl ZoneGraph {
    /// Builds the graph. Time and space O(Z + Σ |initiators|·|responders|).
    pub fn build(model: &Model, opts: &GraphOptions) -> ZoneGraph {
        let mut edges = Vec::new();
        let mut excluded = Vec::new();
        for id in model.conduit_ids() {
            let conduit = model.conduit(id);
            if opts.cuts.contains(&id) {
                excluded.push((id, Exclusion::Cut));
            } else if opts.as_of.is_some_and(|d| conduit.expired_at(d)) {
                excluded.push((id, Exclusion::Expired));
            } else {
                conduit_edges(model, id, opts, &mut edges);
            }
        }
        let mut out = vec![Vec::new(); model.zones.len()];
        for (i, e) in edges.iter().enumerate() {
            if let Some(list) = out.get_mut(e.from.0 as usize) {
                list.push(i);
            }
        }
        ZoneGraph {
            zone_count: model.zones.len(),
            edges,
            out,
            excluded,
        }
    }

    pub fn zone_count(&self) -> usize {
        self.zone_count
    }

    pub fn edges(&self) -> &[ZoneEdge] {
        &self.edges
    }

    pub fn edge(&self, index: usize) -> Option<&ZoneEdge> {
        self.edges.get(index)
    }

    /// Indices of the edges leaving `zone`.
    pub fn out_edges(&self, zone: ZoneId) -> &[usize] {
        self.out.get(zone.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// Conduits left out of the graph, and why.
    pub fn excluded(&self) -> &[(ConduitId, Exclusion)] {
        &self.excluded
    }
}

/// Edges of one conduit: one per (initiating zone, responding zone, way),
/// with the responder assets merged.
fn conduit_edges(model: &Model, id: ConduitId, opts: &GraphOptions, edges: &mut Vec<ZoneEdge>) {
    let conduit = model.conduit(id);
    // (reverse, from, to) -> responder assets (None = whole zone)
    let mut pairs: BTreeMap<(bool, ZoneId, ZoneId), Option<BTreeSet<u32>>> = BTreeMap::new();
    let mut add = |reverse: bool, a: &crate::model::Endpoint, b: &crate::model::Endpoint| {
        if a.zone == b.zone {
            return;
        }
        let entry = pairs
            .entry((reverse, a.zone, b.zone))
            .or_insert_with(|| Some(BTreeSet::new()));
        match (b.asset, entry.as_mut()) {
            (Some(asset), Some(set)) => {
                set.insert(asset);
            }
            (None, _) => *entry = None,
            (Some(_), None) => {}
        }
    };
    for a in &conduit.initiators {
        for b in &conduit.responders {
            add(false, a, b);
            if conduit.direction == Direction::Both {
                add(true, b, a);
            }
        }
    }
    let services: Vec<ServiceId> = conduit.services.iter().map(|s| s.value).collect();
    let service_pivot = services.iter().copied().find(|&s| {
        let svc = model.service(s);
        svc.has(Tag::Pivot) || svc.has(Tag::RemoteTool)
    });
    let monitor = conduit.mode == Mode::Monitor;
    let write = monitor || services.iter().any(|&s| model.service(s).has(Tag::Write));
    for ((reverse, from, to), assets) in pairs {
        let assets: Vec<u32> = assets.map(|s| s.into_iter().collect()).unwrap_or_default();
        let jump = assets.iter().any(|&i| {
            model
                .zone(to)
                .assets
                .get(i as usize)
                .is_some_and(|a| a.role == Some(Role::JumpHost))
        });
        let pivot = match () {
            _ if opts.assume_any_pivot => Some(PivotReason::AssumeAny),
            _ if monitor => Some(PivotReason::Monitor),
            _ if service_pivot.is_some() => service_pivot.map(PivotReason::Service),
            _ if conduit.is_vendor() => Some(PivotReason::VendorAccess),
            _ if jump => Some(PivotReason::JumpHost),
            _ => None,
        };
        let cost = edge_cost(model, conduit, &services, model.zone(to));
        edges.push(ZoneEdge {
            conduit: id,
            reverse,
            from,
            to,
            assets,
            services: services.clone(),
            pivot,
            write,
            cost,
        });
    }
}
