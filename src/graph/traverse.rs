//! Breadth-first propagation of a compromise and the easiest-path search.
//!
//! Semantics: a source zone is compromised. From a compromised zone every
//! edge makes its responder zone *reachable*; a write-capable edge makes it
//! *impacted*; a pivot edge makes it *compromised*, and only compromised
//! zones open further edges. With a depth `d`, an attacker crosses at most
//! `d` conduits. A multi-homed host bridges its zones: a foothold in one is
//! a foothold in the others, at the same hops and difficulty (see
//! [`ZoneGraph::bridged`]).
//!
//! The propagation runs in O(Z + E) (BFS); easiest paths in O((Z + E) log Z)
//! (Dijkstra) or, with a depth d, O(d · E); E is the number of zone-graph edges.

use super::build::ZoneGraph;
use crate::model::ZoneId;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

/// Which assets of a zone an attacker can send packets to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssetsReached {
    #[default]
    None,
    /// Only these (indices into the zone's assets).
    Some(BTreeSet<u32>),
    /// The whole zone.
    All,
}

impl AssetsReached {
    fn add(&mut self, assets: &[u32]) {
        if assets.is_empty() {
            *self = AssetsReached::All;
            return;
        }
        match self {
            AssetsReached::All => {}
            AssetsReached::Some(set) => set.extend(assets.iter().copied()),
            AssetsReached::None => *self = AssetsReached::Some(assets.iter().copied().collect()),
        }
    }

    pub fn contains(&self, index: u32) -> bool {
        match self {
            AssetsReached::All => true,
            AssetsReached::Some(set) => set.contains(&index),
            AssetsReached::None => false,
        }
    }

    pub fn any(&self) -> bool {
        !matches!(self, AssetsReached::None)
    }
}

/// Result of one breadth-first propagation.
#[derive(Debug, Clone)]
pub(crate) struct Bfs {
    /// Fewest crossings to gain a foothold in each zone (0 for sources).
    pub comp_hops: Vec<Option<u32>>,
    /// Edge by which each compromised zone was first entered.
    pub comp_pred: Vec<Option<usize>>,
    /// Fewest crossings to reach each zone.
    pub reach_hops: Vec<Option<u32>>,
    /// Last edge of a fewest-hop path to each reached zone.
    pub reach_pred: Vec<Option<usize>>,
    /// Fewest crossings to impact each zone.
    pub impact_hops: Vec<Option<u32>>,
    pub assets: Vec<AssetsReached>,
    /// Zones reached by the last run (each once), for a cheap reset.
    pub touched: Vec<ZoneId>,
}

fn set<T: Copy>(v: &mut [Option<T>], i: ZoneId, value: T) -> bool {
    match v.get_mut(i.0 as usize) {
        Some(slot @ None) => {
            *slot = Some(value);
            true
        }
        _ => false,
    }
}

pub(crate) fn get<T: Copy>(v: &[Option<T>], i: ZoneId) -> Option<T> {
    v.get(i.0 as usize).copied().flatten()
}

/// Propagates from `sources`; zones for which `blocked` holds never become
/// footholds (used to find paths that avoid the DMZ).
pub(crate) fn bfs(
    g: &ZoneGraph,
    sources: &[ZoneId],
    depth: Option<u32>,
    blocked: &dyn Fn(ZoneId) -> bool,
) -> Bfs {
    let mut r = Bfs::new(g.zone_count());
    r.run(g, sources, depth, blocked);
    r
}

impl Bfs {
    pub fn new(n: usize) -> Bfs {
        Bfs {
            comp_hops: vec![None; n],
            comp_pred: vec![None; n],
            reach_hops: vec![None; n],
            reach_pred: vec![None; n],
            impact_hops: vec![None; n],
            assets: vec![AssetsReached::None; n],
            touched: Vec::new(),
        }
    }

    /// Resets only the zones the last run touched: O(touched), so one
    /// scratch serves many per-source runs without O(Z) work each.
    pub fn clear(&mut self) {
        for z in std::mem::take(&mut self.touched) {
            let i = z.0 as usize;
            for v in [
                &mut self.comp_hops,
                &mut self.reach_hops,
                &mut self.impact_hops,
            ] {
                if let Some(x) = v.get_mut(i) {
                    *x = None;
                }
            }
            for v in [&mut self.comp_pred, &mut self.reach_pred] {
                if let Some(x) = v.get_mut(i) {
                    *x = None;
                }
            }
            if let Some(a) = self.assets.get_mut(i) {
                *a = AssetsReached::None;
            }
        }
    }

    /// One propagation; O(reached zones + their out-edges).
    pub fn run(
        &mut self,
        g: &ZoneGraph,
        sources: &[ZoneId],
        depth: Option<u32>,
        blocked: &dyn Fn(ZoneId) -> bool,
    ) {
        let r = self;
        let mut queue = VecDeque::new();
        for &s in sources {
            if !blocked(s) && set(&mut r.comp_hops, s, 0) {
                if set(&mut r.reach_hops, s, 0) {
                    r.touched.push(s);
                }
                queue.push_back(s);
            }
        }
        while let Some(u) = queue.pop_front() {
            let h = get(&r.comp_hops, u).unwrap_or(0);
            // A multi-homed host: standing in `u` is standing in its other
            // zones, with no crossing; they go first so hops stay layered.
            for &v in g.bridged(u) {
                if !blocked(v) && set(&mut r.comp_hops, v, h) {
                    let pred = get(&r.comp_pred, u);
                    if set(&mut r.reach_hops, v, h) {
                        r.touched.push(v);
                        if let Some(p) = r.reach_pred.get_mut(v.0 as usize) {
                            *p = pred;
                        }
                    }
                    if let Some(p) = r.comp_pred.get_mut(v.0 as usize) {
                        *p = pred;
                    }
                    queue.push_front(v);
                }
            }
            if let Some(slot) = r.assets.get_mut(u.0 as usize) {
                *slot = AssetsReached::All;
            }
            if depth.is_some_and(|d| h >= d) {
                continue;
            }
            for &ei in g.out_edges(u) {
                let Some(e) = g.edge(ei) else { continue };
                if set(&mut r.reach_hops, e.to, h + 1) {
                    r.touched.push(e.to);
                    if let Some(p) = r.reach_pred.get_mut(e.to.0 as usize) {
                        *p = Some(ei);
                    }
                }
                if e.write {
                    set(&mut r.impact_hops, e.to, h + 1);
                }
                if let Some(a) = r.assets.get_mut(e.to.0 as usize) {
                    a.add(&e.assets);
                }
                if e.pivot.is_some() && !blocked(e.to) && set(&mut r.comp_hops, e.to, h + 1) {
                    if let Some(p) = r.comp_pred.get_mut(e.to.0 as usize) {
                        *p = Some(ei);
                    }
                    queue.push_back(e.to);
                }
            }
        }
    }
}

/// The best path found to a zone: its difficulty, last edge (none at a
/// source) and number of crossings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Best {
    pub cost: u32,
    pub edge: Option<usize>,
    pub hops: u32,
}

type Table = Vec<Option<Best>>;

/// Easiest (lowest total difficulty) attack paths.
#[derive(Debug, Clone)]
pub(crate) struct Easiest {
    /// To reach each zone (any last edge).
    reach: Table,
    /// The same over a write-capable last edge.
    impact: Table,
    /// To gain a foothold.
    comp: Table,
    /// With a depth: footholds by exact number of crossings, for paths.
    layers: Option<Vec<Table>>,
}

/// Which grade a path is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    Reach,
    Impact,
    Foothold,
}

fn improve(table: &mut Table, z: ZoneId, best: Best) -> bool {
    match table.get_mut(z.0 as usize) {
        Some(slot) if slot.is_none_or(|b| best.cost < b.cost) => {
            *slot = Some(best);
            true
        }
        _ => false,
    }
}

/// Easiest paths among the footholds `b` found. Without a depth: Dijkstra,
/// O((Z + E) log Z). With depth `d`: a Bellman–Ford by exact number of
/// crossings, O(d · E) time and O(d · Z) space, so every path respects `d`.
pub(crate) fn easiest(g: &ZoneGraph, sources: &[ZoneId], b: &Bfs, depth: Option<u32>) -> Easiest {
    let n = g.zone_count();
    let start: Vec<ZoneId> = sources
        .iter()
        .copied()
        .filter(|&s| get(&b.comp_hops, s).is_some())
        .collect();
    let (comp, layers) = match depth {
        Some(d) if (d as usize) < n => {
            let layers = bounded(g, &start, b, d);
            let mut comp: Table = vec![None; n];
            for layer in &layers {
                for (i, best) in layer.iter().enumerate() {
                    if let Some(best) = best {
                        improve(&mut comp, ZoneId(i as u32), *best);
                    }
                }
            }
            (comp, Some(layers))
        }
        _ => (dijkstra(g, &start, b), None),
    };
    let mut e = Easiest {
        reach: comp.clone(),
        impact: vec![None; n],
        comp,
        layers,
    };
    e.last_edges(g, depth);
    e
}

fn dijkstra(g: &ZoneGraph, start: &[ZoneId], b: &Bfs) -> Table {
    let mut comp: Table = vec![None; g.zone_count()];
    let mut heap = BinaryHeap::new();
    for &s in start {
        improve(
            &mut comp,
            s,
            Best {
                cost: 0,
                edge: None,
                hops: 0,
            },
        );
        heap.push(Reverse((0u32, s)));
    }
    while let Some(Reverse((d, u))) = heap.pop() {
        let Some(cur) = comp.get(u.0 as usize).copied().flatten() else {
            continue;
        };
        if cur.cost < d {
            continue;
        }
        for &v in g.bridged(u) {
            if get(&b.comp_hops, v).is_some() && improve(&mut comp, v, cur) {
                heap.push(Reverse((d, v)));
            }
        }
        for &ei in g.out_edges(u) {
            let Some(e) = g.edge(ei) else { continue };
            if e.pivot.is_none() || get(&b.comp_hops, e.to).is_none() {
                continue;
            }
            let best = Best {
                cost: d.saturating_add(e.cost.total()),
                edge: Some(ei),
                hops: cur.hops + 1,
            };
            if improve(&mut comp, e.to, best) {
                heap.push(Reverse((best.cost, e.to)));
            }
        }
    }
    comp
}

/// Layer `k` holds the cheapest foothold in each zone with exactly `k` crossings.
fn bounded(g: &ZoneGraph, start: &[ZoneId], b: &Bfs, d: u32) -> Vec<Table> {
    let n = g.zone_count();
    let mut first: Table = vec![None; n];
    for &s in start {
        improve(
            &mut first,
            s,
            Best {
                cost: 0,
                edge: None,
                hops: 0,
            },
        );
    }
    spread_bridges(g, b, &mut first);
    let mut layers = vec![first];
    for k in 1..=d {
        let mut next: Table = vec![None; n];
        let Some(prev) = layers.last() else { break };
        for (ui, best) in prev.iter().enumerate() {
            let Some(best) = best else { continue };
            for &ei in g.out_edges(ZoneId(ui as u32)) {
                let Some(e) = g.edge(ei) else { continue };
                if e.pivot.is_some() && get(&b.comp_hops, e.to).is_some() {
                    let cost = best.cost.saturating_add(e.cost.total());
                    improve(
                        &mut next,
                        e.to,
                        Best {
                            cost,
                            edge: Some(ei),
                            hops: k,
                        },
                    );
                }
            }
        }
        if next.iter().all(Option::is_none) {
            break;
        }
        spread_bridges(g, b, &mut next);
        layers.push(next);
    }
    layers
}

/// Within one layer: a foothold in a zone is one in every zone a
/// multi-homed host joins it to (transitively), at the same cost.
fn spread_bridges(g: &ZoneGraph, b: &Bfs, layer: &mut Table) {
    let mut work: Vec<usize> = (0..layer.len()).collect();
    while let Some(ui) = work.pop() {
        let Some(best) = layer.get(ui).copied().flatten() else {
            continue;
        };
        for &v in g.bridged(ZoneId(ui as u32)) {
            if get(&b.comp_hops, v).is_some() && improve(layer, v, best) {
                work.push(v.0 as usize);
            }
        }
    }
}

impl Easiest {
    /// One last edge of any kind out of a foothold (write-capable for `impact`).
    fn last_edges(&mut self, g: &ZoneGraph, depth: Option<u32>) {
        let within = |hops: u32| depth.is_none_or(|d| hops < d);
        let footholds: Vec<(usize, Best)> = match &self.layers {
            Some(layers) => layers
                .iter()
                .flat_map(|l| l.iter().enumerate().filter_map(|(i, b)| b.map(|b| (i, b))))
                .collect(),
            None => self
                .comp
                .iter()
                .enumerate()
                .filter_map(|(i, b)| b.map(|b| (i, b)))
                .collect(),
        };
        for (ui, from) in footholds {
            if !within(from.hops) {
                continue;
            }
            for &ei in g.out_edges(ZoneId(ui as u32)) {
                let Some(e) = g.edge(ei) else { continue };
                let best = Best {
                    cost: from.cost.saturating_add(e.cost.total()),
                    edge: Some(ei),
                    hops: from.hops + 1,
                };
                improve(&mut self.reach, e.to, best);
                if e.write {
                    improve(&mut self.impact, e.to, best);
                }
            }
        }
    }

    fn table(&self, goal: Goal) -> &Table {
        match goal {
            Goal::Reach => &self.reach,
            Goal::Impact => &self.impact,
            Goal::Foothold => &self.comp,
        }
    }

    /// Difficulty of the easiest path to `goal` in `zone`.
    pub fn difficulty(&self, zone: ZoneId, goal: Goal) -> Option<u32> {
        self.table(goal)
            .get(zone.0 as usize)
            .copied()
            .flatten()
            .map(|b| b.cost)
    }

    /// Edge indices of the easiest path to `goal` in `zone`, from a source.
    pub fn path(&self, g: &ZoneGraph, zone: ZoneId, goal: Goal) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.table(goal).get(zone.0 as usize).copied().flatten();
        while let Some(Best {
            edge: Some(ei),
            hops,
            ..
        }) = cur
        {
            out.push(ei);
            if out.len() > g.zone_count() {
                break;
            }
            let Some(from) = g.edge(ei).map(|e| e.from.0 as usize) else {
                break;
            };
            cur = match &self.layers {
                Some(layers) => layers
                    .get(hops.saturating_sub(1) as usize)
                    .and_then(|l| l.get(from))
                    .copied()
                    .flatten(),
                None => self.comp.get(from).copied().flatten(),
            };
        }
        out.reverse();
        out
    }
}

/// Edge indices of the fewest-hop path to `zone` found by `b`.
pub(crate) fn bfs_path(g: &ZoneGraph, b: &Bfs, zone: ZoneId) -> Vec<usize> {
    let mut out = Vec::new();
    let mut last = get(&b.reach_pred, zone);
    while let Some(ei) = last {
        out.push(ei);
        if out.len() > g.zone_count() {
            break;
        }
        last = g.edge(ei).and_then(|e| get(&b.comp_pred, e.from));
    }
    out.reverse();
    out
}
