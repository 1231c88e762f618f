//! The blast-radius analysis: options in, a plain [`BlastReport`] out.
//!
//! Steps and their cost (Z zones, E zone-graph edges, S sources, A assets):
//! build the graph O(Z + E); one propagation from all sources O(Z + E);
//! easiest paths O((Z + E) log Z); DMZ-bypass search O(Z + E); dominators
//! O(Z + E) per pass; min cut O(E·√Z); exposure O(Z + A); one propagation
//! per source for the per-source summary O(S·(Z + E)). No all-pairs step.

use super::build::{Exclusion, GraphOptions, ZoneEdge, ZoneGraph};
use super::cut::{dominators, min_cut, MinCut, NoCut};
use super::traverse::{bfs, bfs_path, easiest, get, AssetsReached, Bfs, Goal};
use crate::model::{ConduitId, Date, Model, Zone, ZoneClass, ZoneId};
use std::collections::BTreeSet;

/// Where the attacker starts: a zone, or one asset in it (which hands over
/// the zone: movement inside a zone is free).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub zone: ZoneId,
    pub asset: Option<u32>,
}

/// What to analyse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlastOptions {
    /// Empty: every zone of class `it` or `external`, and every zone with
    /// an `external-link` asset.
    pub sources: Vec<Source>,
    /// At most this many conduit crossings.
    pub depth: Option<u32>,
    /// Conduits treated as removed (what-if).
    pub cuts: BTreeSet<ConduitId>,
    /// Every edge is a foothold (worst case).
    pub assume_any_pivot: bool,
    /// Conduits expired at this date are gone; `None` keeps all.
    pub as_of: Option<Date>,
}

/// How badly a zone is affected, from least to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// Packets get there.
    Reachable,
    /// A write-capable industrial service gets there: the process can be changed.
    Impacted,
    /// A pivot-capable service gets there: the attacker gains a foothold.
    Compromised,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Reachable => "reachable",
            Grade::Impacted => "impacted",
            Grade::Compromised => "compromised",
        }
    }
}

/// One zone the sources reach (sources themselves are not listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneReach {
    pub zone: ZoneId,
    /// Worst grade; `impacted` and `compromised` are also given separately
    /// (a zone can be compromised without a write-capable service).
    pub grade: Grade,
    pub impacted: bool,
    pub compromised: bool,
    /// Fewest conduit crossings to reach the zone's grade.
    pub hops: u32,
    /// Fewest conduit crossings for packets to arrive (≤ `hops`).
    pub reach_hops: u32,
    /// Total difficulty of the easiest path to the zone's grade.
    pub difficulty: u32,
    /// Total difficulty of the easiest path for packets to arrive (≤ `difficulty`).
    pub reach_difficulty: u32,
    /// The easiest path to the zone's grade, first crossing first.
    pub path: Vec<ZoneEdge>,
    /// Which of the zone's assets packets reach.
    pub assets: AssetsReached,
}

/// An IT-to-OT crossing: an OT or safety zone the sources reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    pub zone: ZoneId,
    /// Fewest crossings for packets to arrive.
    pub hops: u32,
    pub safety: bool,
    /// A fewest-hop path that passes no zone of class `dmz`, if one exists.
    pub dmz_bypass: Option<Vec<ZoneEdge>>,
    /// Zones every attack path to this zone passes through, sources first.
    pub dominators: Vec<ZoneId>,
    /// Whether one of the dominators is a DMZ zone.
    pub dmz_dominates: bool,
}

/// Share of OT asset weight reachable (safety 4, critical or unpatchable 2,
/// others 1; an OT zone without declared assets counts as one asset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exposure {
    pub reached_weight: u32,
    pub total_weight: u32,
    pub reached_assets: u32,
    pub total_assets: u32,
}

impl Exposure {
    /// Percentage of weight reached, 0 when there is no OT asset.
    pub fn percent(&self) -> f64 {
        if self.total_weight == 0 {
            0.0
        } else {
            100.0 * f64::from(self.reached_weight) / f64::from(self.total_weight)
        }
    }
}

/// How far one source alone gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSummary {
    pub source: Source,
    pub reachable: u32,
    pub impacted: u32,
    pub compromised: u32,
    pub ot_reachable: u32,
    pub exposure: Exposure,
}

/// Everything `conduit blast` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlastReport {
    pub sources: Vec<Source>,
    pub depth: Option<u32>,
    pub assume_any_pivot: bool,
    pub as_of: Option<Date>,
    /// Conduits left out (cut or expired).
    pub excluded: Vec<(ConduitId, Exclusion)>,
    pub exposure: Exposure,
    /// With `cuts`: the exposure without them, to compare the what-if against.
    pub exposure_without_cuts: Option<Exposure>,
    /// Reached zones, by hops then name.
    pub zones: Vec<ZoneReach>,
    /// OT and safety zones reached, by hops then name.
    pub crossings: Vec<Crossing>,
    pub min_cut: Result<MinCut, NoCut>,
    pub per_source: Vec<SourceSummary>,
}

impl BlastReport {
    pub fn zone(&self, id: ZoneId) -> Option<&ZoneReach> {
        self.zones.iter().find(|z| z.zone == id)
    }

    /// Whether any safety zone is reachable.
    pub fn safety_reached(&self) -> bool {
        self.crossings.iter().any(|c| c.safety)
    }
}

/// The default sources: every zone of class `it` or `external`, and every
/// zone holding an asset with `external-link true` (see [`super::attack`]).
pub fn default_sources(model: &Model) -> Vec<Source> {
    model
        .zone_ids()
        .filter(|&z| super::attack::is_default_source(model, z))
        .map(|zone| Source { zone, asset: None })
        .collect()
}

/// Runs the analysis.
pub fn analyze(model: &Model, opts: &BlastOptions) -> BlastReport {
    let g = ZoneGraph::build(
        model,
        &GraphOptions {
            cuts: opts.cuts.clone(),
            as_of: opts.as_of,
            assume_any_pivot: opts.assume_any_pivot,
        },
    );
    let mut report = analyze_graph(model, &g, opts);
    if !opts.cuts.is_empty() {
        let base = ZoneGraph::build(
            model,
            &GraphOptions {
                cuts: BTreeSet::new(),
                as_of: opts.as_of,
                assume_any_pivot: opts.assume_any_pivot,
            },
        );
        let src: Vec<ZoneId> = source_zones(model, opts);
        report.exposure_without_cuts =
            Some(exposure(model, &bfs(&base, &src, opts.depth, &|_| false)));
    }
    report
}

/// Source zones, sorted and without duplicates.
fn source_zones(model: &Model, opts: &BlastOptions) -> Vec<ZoneId> {
    let sources = if opts.sources.is_empty() {
        default_sources(model)
    } else {
        opts.sources.clone()
    };
    sources
        .iter()
        .map(|s| s.zone)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Runs the analysis on a graph already built (with the same cuts and options).
pub fn analyze_graph(model: &Model, g: &ZoneGraph, opts: &BlastOptions) -> BlastReport {
    let sources = if opts.sources.is_empty() {
        default_sources(model)
    } else {
        opts.sources.clone()
    };
    let src_zones = source_zones(model, opts);
    let b = bfs(g, &src_zones, opts.depth, &|_| false);
    let ez = easiest(g, &src_zones, &b, opts.depth);
    let edges = |idx: Vec<usize>| {
        idx.into_iter()
            .filter_map(|i| g.edge(i).cloned())
            .collect::<Vec<_>>()
    };
    let mut zones: Vec<ZoneReach> = model
        .zone_ids()
        .filter(|z| src_zones.binary_search(z).is_err())
        .filter_map(|z| {
            get(&b.reach_hops, z)?;
            let compromised = get(&b.comp_hops, z).is_some();
            let impacted = get(&b.impact_hops, z).is_some();
            let (grade, goal, hops) = match (compromised, impacted) {
                (true, _) => (Grade::Compromised, Goal::Foothold, &b.comp_hops),
                (false, true) => (Grade::Impacted, Goal::Impact, &b.impact_hops),
                (false, false) => (Grade::Reachable, Goal::Reach, &b.reach_hops),
            };
            Some(ZoneReach {
                zone: z,
                grade,
                impacted,
                compromised,
                hops: get(hops, z).unwrap_or(0),
                reach_hops: get(&b.reach_hops, z).unwrap_or(0),
                difficulty: ez.difficulty(z, goal).unwrap_or(0),
                reach_difficulty: ez.difficulty(z, Goal::Reach).unwrap_or(0),
                path: edges(ez.path(g, z, goal)),
                assets: b.assets.get(z.0 as usize).cloned().unwrap_or_default(),
            })
        })
        .collect();
    zones.sort_by(|a, c| {
        (a.hops, &model.zone(a.zone).name).cmp(&(c.hops, &model.zone(c.zone).name))
    });
    let crossings = crossings(model, g, &src_zones, &b, &zones, opts.depth);
    let total = exposure(model, &b);
    let mut scratch = Bfs::new(g.zone_count());
    let per_source = sources
        .iter()
        .map(|&s| {
            scratch.clear();
            scratch.run(g, &[s.zone], opts.depth, &|_| false);
            summarize(model, s, &scratch, total)
        })
        .collect();
    BlastReport {
        exposure: total,
        exposure_without_cuts: None,
        min_cut: min_cut(model, g, &src_zones),
        sources,
        depth: opts.depth,
        assume_any_pivot: opts.assume_any_pivot,
        as_of: opts.as_of,
        excluded: g.excluded().to_vec(),
        zones,
        crossings,
        per_source,
    }
}

fn crossings(
    model: &Model,
    g: &ZoneGraph,
    src: &[ZoneId],
    b: &Bfs,
    zones: &[ZoneReach],
    depth: Option<u32>,
) -> Vec<Crossing> {
    let is_dmz = |z: ZoneId| model.zone(z).class == ZoneClass::Dmz;
    let bypass = bfs(g, src, depth, &|z| {
        super::attack::bypass_blocked(model, src, z)
    });
    let doms = dominators(g, src, b, depth);
    zones
        .iter()
        .filter(|r| model.zone(r.zone).class.is_ot_side())
        .map(|r| {
            let dominators = doms
                .get(r.zone.0 as usize)
                .cloned()
                .flatten()
                .unwrap_or_default();
            Crossing {
                zone: r.zone,
                hops: r.reach_hops,
                safety: model.zone(r.zone).class == ZoneClass::Safety,
                dmz_bypass: get(&bypass.reach_hops, r.zone).map(|_| {
                    bfs_path(g, &bypass, r.zone)
                        .into_iter()
                        .filter_map(|i| g.edge(i).cloned())
                        .collect()
                }),
                dmz_dominates: dominators.iter().any(|&d| is_dmz(d)),
                dominators,
            }
        })
        .collect()
}

/// Weight of one asset (or of an asset-less zone) for the exposure figure.
pub fn asset_weight(zone: &Zone, asset: Option<&crate::model::Asset>) -> u32 {
    let safety = zone.class == ZoneClass::Safety || asset.is_some_and(|a| a.safety);
    match asset {
        _ if safety => 4,
        Some(a) if a.critical || !a.patchable => 2,
        _ => 1,
    }
}

fn exposure(model: &Model, b: &Bfs) -> Exposure {
    let mut x = Exposure::default();
    for (i, zone) in model.zones.iter().enumerate() {
        if !zone.class.is_ot_side() {
            continue;
        }
        let reached = b.assets.get(i).cloned().unwrap_or_default();
        let units: Vec<(u32, bool)> = if zone.assets.is_empty() {
            vec![(asset_weight(zone, None), reached.any())]
        } else {
            zone.assets
                .iter()
                .enumerate()
                .map(|(ai, a)| (asset_weight(zone, Some(a)), reached.contains(ai as u32)))
                .collect()
        };
        for (w, hit) in units {
            x.total_weight += w;
            x.total_assets += 1;
            if hit {
                x.reached_weight += w;
                x.reached_assets += 1;
            }
        }
    }
    x
}

/// Counts over the zones one run touched: O(touched + their assets).
fn summarize(model: &Model, source: Source, b: &Bfs, all: Exposure) -> SourceSummary {
    let mut s = SourceSummary {
        source,
        reachable: 0,
        impacted: 0,
        compromised: 0,
        ot_reachable: 0,
        exposure: Exposure {
            total_weight: all.total_weight,
            total_assets: all.total_assets,
            ..Exposure::default()
        },
    };
    for &z in &b.touched {
        let zone = model.zone(z);
        if zone.class.is_ot_side() {
            let (w, n) = reached_weight(zone, b.assets.get(z.0 as usize));
            s.exposure.reached_weight += w;
            s.exposure.reached_assets += n;
        }
        if z == source.zone {
            continue;
        }
        s.reachable += 1;
        s.impacted += u32::from(get(&b.impact_hops, z).is_some());
        s.compromised += u32::from(get(&b.comp_hops, z).is_some());
        s.ot_reachable += u32::from(zone.class.is_ot_side());
    }
    s
}

/// Weight and number of a zone's exposure units that `reached` covers.
fn reached_weight(zone: &Zone, reached: Option<&AssetsReached>) -> (u32, u32) {
    let Some(reached) = reached else {
        return (0, 0);
    };
    if zone.assets.is_empty() {
        return if reached.any() {
            (asset_weight(zone, None), 1)
        } else {
            (0, 0)
        };
    }
    zone.assets
        .iter()
        .enumerate()
        .filter(|(i, _)| reached.contains(*i as u32))
        .fold((0, 0), |(w, n), (_, a)| {
            (w + asset_weight(zone, Some(a)), n + 1)
        })
}
