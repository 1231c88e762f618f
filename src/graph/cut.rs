//! Choke points: the minimum conduit cut between the sources and the OT
//! zones (max-flow), and the dominators of each OT zone.
//!
//! Min cut. The flow network has, per zone `z`, a node `comp(z)` (foothold)
//! and `reach(z)` (packets arrive), with `comp(z) → reach(z)`. Each conduit
//! direction is a gadget `in → out` of capacity 1: `comp(a) → in` for every
//! initiating zone `a`, `out → reach(b)` for every responding zone `b`, and
//! `out → comp(b)` when that edge is a foothold. A super-source feeds
//! `comp(s)` of every source and `reach(t)` of every OT zone feeds a
//! super-sink; all other capacities are "infinite". Because the edges of one
//! conduit direction are exactly initiators × responders, cutting a gadget
//! is the same as removing that direction of the conduit. A `<->` conduit
//! has two gadgets; the result is exact when every `<->` conduit has one
//! zone on at least one side (then an optimal cut never needs both), which
//! [`MinCut::exact`] reports. Dinic's algorithm (`flow.rs`) on unit capacities
//! runs in O(E·√V); extracting the cut is one residual search, O(V + E).
//!
//! Dominators: Cooper–Harvey–Kennedy (`simple_fast`) on the attack graph
//! (edges leaving footholds) rooted at a super-source over all sources;
//! O(V + E) per pass, few passes on zone graphs in practice.

use super::build::ZoneGraph;
use super::flow::Network;
use super::traverse::{get, Bfs};
use crate::model::{ConduitId, Model, ZoneId};
use petgraph::algo::dominators::simple_fast;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeSet;

/// The minimum set of conduits whose removal cuts every source off every OT zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinCut {
    /// Sorted by conduit name (the model's order). Empty when no OT zone is reachable.
    pub conduits: Vec<ConduitId>,
    /// `false` when a `<->` conduit with several zones on both sides may make
    /// the cut larger than the true minimum (it is still a valid cut).
    pub exact: bool,
}

/// Why no cut exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoCut {
    /// A source is itself an OT or safety zone.
    SourceIsOt(ZoneId),
}

/// Minimum cut between `sources` and all OT-side zones.
pub fn min_cut(model: &Model, g: &ZoneGraph, sources: &[ZoneId]) -> Result<MinCut, NoCut> {
    if let Some(&s) = sources.iter().find(|&&s| model.zone(s).class.is_ot_side()) {
        return Err(NoCut::SourceIsOt(s));
    }
    let n = g.zone_count();
    let inf = u64::try_from(g.edges().len()).unwrap_or(u64::MAX / 4) + 1;
    // Nodes: comp(z) = z, reach(z) = n + z, then source, sink, gadgets.
    let mut net = Network::new(2 * n + 2);
    let (src, sink) = (2 * n, 2 * n + 1);
    let comp = |z: ZoneId| z.0 as usize;
    let reach = |z: ZoneId| n + z.0 as usize;
    for z in model.zone_ids() {
        net.add_edge(comp(z), reach(z), inf);
        if model.zone(z).class.is_ot_side() {
            net.add_edge(reach(z), sink, inf);
        }
    }
    for &s in sources {
        net.add_edge(src, comp(s), inf);
    }
    // A multi-homed host: a foothold in one of its zones is one in the
    // others, and no conduit removal separates them.
    for z in model.zone_ids() {
        for &v in g.bridged(z) {
            net.add_edge(comp(z), comp(v), inf);
        }
    }
    // One gadget per (conduit, way); edges come grouped that way.
    let mut gadgets: Vec<(usize, ConduitId)> = Vec::new();
    let mut current: Option<((ConduitId, bool), usize, usize)> = None;
    let mut seen_from = BTreeSet::new();
    let mut seen_to = BTreeSet::new();
    for e in g.edges() {
        let key = (e.conduit, e.reverse);
        let (gin, gout) = match current {
            Some((k, a, b)) if k == key => (a, b),
            _ => {
                let a = net.add_node();
                let b = net.add_node();
                gadgets.push((net.add_edge(a, b, 1), e.conduit));
                current = Some((key, a, b));
                seen_from.clear();
                seen_to.clear();
                (a, b)
            }
        };
        if seen_from.insert(e.from) {
            net.add_edge(comp(e.from), gin, inf);
        }
        if seen_to.insert(e.to) {
            net.add_edge(gout, reach(e.to), inf);
            if e.pivot.is_some() {
                net.add_edge(gout, comp(e.to), inf);
            }
        }
    }
    net.max_flow(src, sink);
    let side = net.source_side(src);
    let on = |v: usize| side.get(v).copied().unwrap_or(false);
    let cut: BTreeSet<ConduitId> = gadgets
        .iter()
        .filter(|(id, _)| net.ends(*id).is_some_and(|(a, b)| on(a) && !on(b)))
        .map(|(_, c)| *c)
        .collect();
    Ok(MinCut {
        conduits: cut.into_iter().collect(),
        exact: cut_is_exact(model, g),
    })
}

/// Exact unless some conduit with edges both ways (`<->`, or a reverse
/// channel) has two or more zones on both sides.
fn cut_is_exact(model: &Model, g: &ZoneGraph) -> bool {
    let conduits: BTreeSet<ConduitId> = g.edges().iter().map(|e| e.conduit).collect();
    let two_way: BTreeSet<ConduitId> = g
        .edges()
        .iter()
        .filter(|e| e.reverse)
        .map(|e| e.conduit)
        .collect();
    conduits.into_iter().all(|id| {
        let c = model.conduit(id);
        let zones = |eps: &[crate::model::Endpoint]| {
            eps.iter().map(|e| e.zone).collect::<BTreeSet<_>>().len()
        };
        !two_way.contains(&id) || zones(&c.initiators) <= 1 || zones(&c.responders) <= 1
    })
}

/// Strict dominators (other than the root and the sources) of every
/// zone reached in `b`, as zone lists ordered from the sources outwards.
pub fn dominators(
    g: &ZoneGraph,
    sources: &[ZoneId],
    b: &Bfs,
    depth: Option<u32>,
) -> Vec<Option<Vec<ZoneId>>> {
    let n = g.zone_count();
    let mut dg: DiGraph<(), ()> = DiGraph::with_capacity(n + 1, g.edges().len() + sources.len());
    for _ in 0..n {
        dg.add_node(());
    }
    let root = dg.add_node(());
    for &s in sources {
        dg.add_edge(root, NodeIndex::new(s.0 as usize), ());
    }
    for e in g.edges() {
        // Only footholds open edges; depth is respected through `b`.
        let opens = get(&b.comp_hops, e.from).is_some_and(|h| depth.is_none_or(|d| h < d));
        if opens {
            dg.add_edge(
                NodeIndex::new(e.from.0 as usize),
                NodeIndex::new(e.to.0 as usize),
                (),
            );
        }
    }
    for z in (0..n).map(|i| ZoneId(i as u32)) {
        if get(&b.comp_hops, z).is_some() {
            for &v in g.bridged(z) {
                dg.add_edge(
                    NodeIndex::new(z.0 as usize),
                    NodeIndex::new(v.0 as usize),
                    (),
                );
            }
        }
    }
    let dom = simple_fast(&dg, root);
    let is_source: BTreeSet<ZoneId> = sources.iter().copied().collect();
    (0..n)
        .map(|i| {
            let z = NodeIndex::new(i);
            get(&b.reach_hops, ZoneId(i as u32))?;
            let mut list: Vec<ZoneId> = dom
                .strict_dominators(z)?
                .filter(|&d| d != root && !is_source.contains(&ZoneId(d.index() as u32)))
                .map(|d| ZoneId(d.index() as u32))
                .collect();
            list.reverse();
            Some(list)
        })
        .collect()
}
