//! Breadth-first propagation of a compromise and the easiest-path search.
//!
//! Semantics: a source zone is compromised. From a compromised zone every
//! edge makes its responder zone *reachable*; a write-capable edge makes it
//! *impacted*; a pivot edge makes it *compromised*, and only compromised
//! zones open further edges. With a depth `d`, an attacker crosses at most
//! `d` conduits.
//!
//! Both searches run in O(Z + E) (BFS) and O((Z + E) log Z) (Dijkstra)
//! per call, where E is the number of zone-graph edges.

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

/// Easiest (lowest total difficulty) attack paths.
#[derive(Debug, Clone)]
pub(crate) struct Easiest {
    /// Difficulty to reach each zone, and the last edge of that path.
    pub reach: Vec<Option<(u32, Option<usize>)>>,
    /// The same over a write-capable last edge.
    pub impact: Vec<Option<(u32, Option<usize>)>>,
    /// Difficulty to gain a foothold, and the last edge of that path.
    pub comp: Vec<Option<(u32, Option<usize>)>>,
}

/// Which grade a path is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    Reach,
    Impact,
    Foothold,
}

/// Dijkstra over footholds, restricted to the footholds `bfs` found (so
/// `--depth` bounds which zones take part), then one last edge of any kind.
pub(crate) fn easiest(g: &ZoneGraph, sources: &[ZoneId], b: &Bfs, depth: Option<u32>) -> Easiest {
    let n = g.zone_count();
    let mut comp: Vec<Option<(u32, Option<usize>)>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    for &s in sources {
        if get(&b.comp_hops, s).is_some() {
            if let Some(slot) = comp.get_mut(s.0 as usize) {
                *slot = Some((0, None));
                heap.push(Reverse((0u32, s)));
            }
        }
    }
    let expands = |u: ZoneId| match (get(&b.comp_hops, u), depth) {
        (Some(h), Some(d)) => h < d,
        (Some(_), None) => true,
        (None, _) => false,
    };
    while let Some(Reverse((d, u))) = heap.pop() {
        if comp
            .get(u.0 as usize)
            .copied()
            .flatten()
            .is_some_and(|(best, _)| best < d)
            || !expands(u)
        {
            continue;
        }
        for &ei in g.out_edges(u) {
            let Some(e) = g.edge(ei) else { continue };
            if e.pivot.is_none() || get(&b.comp_hops, e.to).is_none() {
                continue;
            }
            let nd = d.saturating_add(e.cost.total());
            if let Some(slot) = comp.get_mut(e.to.0 as usize) {
                if slot.is_none_or(|(best, _)| nd < best) {
                    *slot = Some((nd, Some(ei)));
                    heap.push(Reverse((nd, e.to)));
                }
            }
        }
    }
    let mut reach = comp.clone();
    let mut impact: Vec<Option<(u32, Option<usize>)>> = vec![None; n];
    for (ui, c) in comp.iter().enumerate() {
        let u = ZoneId(ui as u32);
        let Some((d, _)) = *c else { continue };
        if !expands(u) {
            continue;
        }
        for &ei in g.out_edges(u) {
            let Some(e) = g.edge(ei) else { continue };
            let nd = d.saturating_add(e.cost.total());
            let targets = [Some(&mut reach), e.write.then_some(&mut impact)];
            for list in targets.into_iter().flatten() {
                if let Some(slot) = list.get_mut(e.to.0 as usize) {
                    if slot.is_none_or(|(best, _)| nd < best) {
                        *slot = Some((nd, Some(ei)));
                    }
                }
            }
        }
    }
    Easiest {
        reach,
        impact,
        comp,
    }
}

impl Easiest {
    fn table(&self, goal: Goal) -> &[Option<(u32, Option<usize>)>] {
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
            .map(|(d, _)| d)
    }

    /// Edge indices of the easiest path to `goal` in `zone`, from a source.
    pub fn path(&self, g: &ZoneGraph, zone: ZoneId, goal: Goal) -> Vec<usize> {
        let mut out = Vec::new();
        let mut last = self
            .table(goal)
            .get(zone.0 as usize)
            .copied()
            .flatten()
            .and_then(|(_, e)| e);
        while let Some(ei) = last {
            out.push(ei);
            if out.len() > g.zone_count() {
                break;
            }
            last = g
                .edge(ei)
                .and_then(|e| self.comp.get(e.from.0 as usize).copied().flatten())
                .and_then(|(_, e)| e);
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
