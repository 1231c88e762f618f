//! The zone graph: one node per zone, one edge per (conduit, initiating
//! zone, responding zone) that a compromised side can open.
//!
//! Invariants:
//! - edges are sorted by `(conduit, reverse, from, to)`, so every traversal
//!   built on them is deterministic;
//! - an edge never joins a zone to itself;
//! - conduits removed by `--cut` or expired at `as_of` produce no edge and
//!   are listed in [`ZoneGraph::excluded`];
//! - a multi-homed host is no edge but a bridge ([`ZoneGraph::bridged`]):
//!   the traversals treat a foothold in one of its zones as a foothold in
//!   the others at the same hop count and difficulty, since traffic that
//!   crosses inside the host passes no firewall.

use super::caps::{service_caps, Caps};
use super::score::{edge_cost, EdgeCost};
use crate::model::{ConduitId, Date, Direction, Mode, Model, Role, ServiceId, ZoneId};
use std::collections::{BTreeMap, BTreeSet};

/// Why an edge hands the attacker a foothold in the responder zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PivotReason {
    /// A service of the conduit can give a foothold: tagged `pivot` or
    /// `remote-tool`, an inline or wide-range service of unknown protocol,
    /// or, on a reverse-channel edge, a service the responder controls.
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
    /// `true` for the responder-to-initiator half of a `<->` conduit, or
    /// the reverse channel of a `->` conduit (see [`super::caps`]).
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
    /// Per zone, the zones a multi-homed host joins it to: a foothold in
    /// one is a foothold in the others, with no conduit crossed.
    bridges: Vec<Vec<ZoneId>>,
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
            bridges: model.bridges(),
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

    /// Zones joined to `zone` by a multi-homed host (sorted).
    pub fn bridged(&self, zone: ZoneId) -> &[ZoneId] {
        self.bridges.get(zone.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// Conduits left out of the graph, and why.
    pub fn excluded(&self) -> &[(ConduitId, Exclusion)] {
        &self.excluded
    }
}

/// Edges of one conduit: one per (initiating zone, responding zone, way),
/// with the responder assets merged. A `->` conduit whose services are
/// controlled from the responder's side (see [`super::caps`]) also gets
/// reverse-channel edges from responder to initiator, marked `reverse`
/// like the second half of a `<->` conduit.
fn conduit_edges(model: &Model, id: ConduitId, opts: &GraphOptions, edges: &mut Vec<ZoneEdge>) {
    let conduit = model.conduit(id);
    let services: Vec<ServiceId> = conduit.services.iter().map(|s| s.value).collect();
    let caps: Vec<(ServiceId, Caps)> = services
        .iter()
        .map(|&s| (s, service_caps(model, s)))
        .collect();
    let reverse_channel = conduit.direction == Direction::Forward
        && caps.iter().any(|(_, c)| c.reverse_pivot || c.reverse_write);
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
            if conduit.direction == Direction::Both || reverse_channel {
                add(true, b, a);
            }
        }
    }
    let monitor = conduit.mode == Mode::Monitor;
    // Forward capabilities (both halves of `<->`), and the reverse channel's.
    let forward_pivot = caps.iter().find(|(_, c)| c.pivot).map(|(s, _)| *s);
    let forward_write = caps.iter().any(|(_, c)| c.write);
    let back_pivot = caps.iter().find(|(_, c)| c.reverse_pivot).map(|(s, _)| *s);
    let back_write = caps.iter().any(|(_, c)| c.reverse_write || c.reverse_pivot);
    for ((reverse, from, to), assets) in pairs {
        let assets: Vec<u32> = assets.map(|s| s.into_iter().collect()).unwrap_or_default();
        let jump = assets.iter().any(|&i| {
            model
                .zone(to)
                .assets
                .get(i as usize)
                .is_some_and(|a| a.role == Some(Role::JumpHost))
        });
        let channel = reverse && conduit.direction == Direction::Forward;
        let (service_pivot, service_write) = if channel {
            (back_pivot, back_write)
        } else if reverse {
            (forward_pivot.or(back_pivot), forward_write || back_write)
        } else {
            (forward_pivot, forward_write)
        };
        let pivot = match () {
            _ if opts.assume_any_pivot => Some(PivotReason::AssumeAny),
            _ if monitor => Some(PivotReason::Monitor),
            _ if service_pivot.is_some() => service_pivot.map(PivotReason::Service),
            _ if conduit.is_vendor() && !channel => Some(PivotReason::VendorAccess),
            _ if jump && !channel => Some(PivotReason::JumpHost),
            _ => None,
        };
        let write = monitor || service_write;
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
