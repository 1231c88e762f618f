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
//! [`MinCut::exact`] reports. Dinic's algorithm on unit capacities runs in
//! O(E·√V); extracting the cut is one residual search, O(V + E).
//!
//! Dominators: Cooper–Harvey–Kennedy (`simple_fast`) on the attack graph
//! (edges leaving footholds) rooted at a super-source over all sources;
//! O(V + E) per pass, few passes on zone graphs in practice.

use super::build::ZoneGraph;
use super::traverse::{get, Bfs};
use crate::model::{ConduitId, Direction, Model, ZoneId};
use petgraph::algo::dominators::simple_fast;
use petgraph::algo::maximum_flow::dinics;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction as PgDir;
use std::collections::{BTreeMap, BTreeSet};

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

struct Net {
    g: DiGraph<(), u64>,
    /// Gadget edge -> conduit.
    gadgets: BTreeMap<petgraph::graph::EdgeIndex, ConduitId>,
}

/// Minimum cut between `sources` and all OT-side zones.
pub fn min_cut(model: &Model, g: &ZoneGraph, sources: &[ZoneId]) -> Result<MinCut, NoCut> {
    if let Some(&s) = sources.iter().find(|&&s| model.zone(s).class.is_ot_side()) {
        return Err(NoCut::SourceIsOt(s));
    }
    let n = g.zone_count();
    let inf = u64::try_from(g.edges().len()).unwrap_or(u64::MAX / 4) + 1;
    let mut net = Net {
        g: DiGraph::with_capacity(2 * n + 2, 3 * g.edges().len() + 2 * n),
        gadgets: BTreeMap::new(),
    };
    let comp: Vec<NodeIndex> = (0..n).map(|_| net.g.add_node(())).collect();
    let reach: Vec<NodeIndex> = (0..n).map(|_| net.g.add_node(())).collect();
    let src = net.g.add_node(());
    let sink = net.g.add_node(());
    let node = |v: &[NodeIndex], z: ZoneId| v.get(z.0 as usize).copied();
    for (i, (c, r)) in comp.iter().zip(&reach).enumerate() {
        net.g.add_edge(*c, *r, inf);
        if model.zones.get(i).is_some_and(|z| z.class.is_ot_side()) {
            net.g.add_edge(*r, sink, inf);
        }
    }
    for &s in sources {
        if let Some(c) = node(&comp, s) {
            net.g.add_edge(src, c, inf);
        }
    }
    // One gadget per (conduit, way); edges are grouped that way already.
    let mut gadget: Option<((ConduitId, bool), NodeIndex, NodeIndex)> = None;
    let mut seen_from = BTreeSet::new();
    let mut seen_to = BTreeSet::new();
    for e in g.edges() {
        let key = (e.conduit, e.reverse);
        let (gin, gout) = match gadget {
            Some((k, a, b)) if k == key => (a, b),
            _ => {
                let a = net.g.add_node(());
                let b = net.g.add_node(());
                let ge = net.g.add_edge(a, b, 1);
                net.gadgets.insert(ge, e.conduit);
                gadget = Some((key, a, b));
                seen_from.clear();
                seen_to.clear();
                (a, b)
            }
        };
        if let (true, Some(c)) = (seen_from.insert(e.from), node(&comp, e.from)) {
            net.g.add_edge(c, gin, inf);
        }
        if seen_to.insert(e.to) {
            if let Some(r) = node(&reach, e.to) {
                net.g.add_edge(gout, r, inf);
            }
            if let (Some(_), Some(c)) = (e.pivot, node(&comp, e.to)) {
                net.g.add_edge(gout, c, inf);
            }
        }
    }
    let (_value, flows) = dinics(&net.g, src, sink);
    let side = residual_side(&net.g, &flows, src);
    let mut cut: BTreeSet<ConduitId> = BTreeSet::new();
    for (&ge, &c) in &net.gadgets {
        if let Some((a, b)) = net.g.edge_endpoints(ge) {
            if side.get(a.index()).copied().unwrap_or(false)
                && !side.get(b.index()).copied().unwrap_or(false)
            {
                cut.insert(c);
            }
        }
    }
    Ok(MinCut {
        conduits: cut.into_iter().collect(),
        exact: cut_is_exact(model, g),
    })
}

/// Nodes reachable from `src` in the residual network.
fn residual_side(g: &DiGraph<(), u64>, flows: &[u64], src: NodeIndex) -> Vec<bool> {
    let mut seen = vec![false; g.node_count()];
    let mut stack = vec![src];
    if let Some(s) = seen.get_mut(src.index()) {
        *s = true;
    }
    let flow = |e: petgraph::graph::EdgeIndex| flows.get(e.index()).copied().unwrap_or(0);
    while let Some(u) = stack.pop() {
        let forward = g
            .edges_directed(u, PgDir::Outgoing)
            .filter(|e| flow(e.id()) < *e.weight())
            .map(|e| e.target());
        let backward = g
            .edges_directed(u, PgDir::Incoming)
            .filter(|e| flow(e.id()) > 0)
            .map(|e| e.source());
        let next: Vec<NodeIndex> = forward.chain(backward).collect();
        for v in next {
            if let Some(s) = seen.get_mut(v.index()) {
                if !*s {
                    *s = true;
                    stack.push(v);
                }
            }
        }
    }
    seen
}

/// Exact unless some `<->` conduit in the graph has two or more zones on both sides.
fn cut_is_exact(model: &Model, g: &ZoneGraph) -> bool {
    let conduits: BTreeSet<ConduitId> = g.edges().iter().map(|e| e.conduit).collect();
    conduits.into_iter().all(|id| {
        let c = model.conduit(id);
        let zones = |eps: &[crate::model::Endpoint]| {
            eps.iter().map(|e| e.zone).collect::<BTreeSet<_>>().len()
        };
        c.direction == Direction::Forward || zones(&c.initiators) <= 1 || zones(&c.responders) <= 1
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
    let dom = simple_fast(&dg, root);
    (0..n)
        .map(|i| {
            let z = NodeIndex::new(i);
            get(&b.reach_hops, ZoneId(i as u32))?;
            let mut list: Vec<ZoneId> = dom
                .strict_dominators(z)?
                .filter(|&d| d != root && !sources.contains(&ZoneId(d.index() as u32)))
                .map(|d| ZoneId(d.index() as u32))
                .collect();
            list.reverse();
            Some(list)
        })
        .collect()
}
