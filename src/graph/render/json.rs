//! JSON report, schema `conduit-blast/1` (documented in docs/blast-radius.md).
//! Fields are only ever added within a schema version.

use super::names;
use crate::graph::{BlastReport, NoCut, ZoneEdge, SCORE_EXPLANATION};
use crate::model::Model;
use serde::Serialize;

pub const SCHEMA: &str = "conduit-blast/1";

#[derive(Serialize)]
struct Doc {
    schema: &'static str,
    as_of: Option<String>,
    sources: Vec<String>,
    options: Options,
    excluded: Vec<Excluded>,
    exposure: Exposure,
    /// With `--cut`: the exposure without the cut conduits; else null.
    exposure_without_cuts: Option<Exposure>,
    safety_reachable: bool,
    zones: Vec<Zone>,
    crossings: Vec<Crossing>,
    min_cut: MinCut,
    per_source: Vec<PerSource>,
    difficulty: &'static str,
}

#[derive(Serialize)]
struct Options {
    depth: Option<u32>,
    cuts: Vec<String>,
    assume_any_pivot: bool,
}

#[derive(Serialize)]
struct Excluded {
    conduit: String,
    reason: &'static str,
}

#[derive(Serialize)]
struct Exposure {
    percent: f64,
    reached_weight: u32,
    total_weight: u32,
    reached_assets: u32,
    total_assets: u32,
}

#[derive(Serialize)]
struct Zone {
    zone: String,
    class: &'static str,
    purdue: Option<&'static str>,
    grade: &'static str,
    impacted: bool,
    compromised: bool,
    hops: u32,
    difficulty: u32,
    /// `null` when packets reach the whole zone, else the asset names.
    assets: Option<Vec<String>>,
    path: Vec<Step>,
    /// Multi-homed hosts the path ends through: the last step enters
    /// another zone of the host (left out when the path ends in this zone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    via_hosts: Vec<String>,
}

#[derive(Serialize)]
struct Step {
    conduit: String,
    from: String,
    to: String,
    assets: Vec<String>,
    services: Vec<String>,
    pivot: Option<&'static str>,
    write: bool,
    cost: Cost,
}

#[derive(Serialize)]
struct Cost {
    base: u32,
    service: u32,
    sl: u32,
    time: u32,
    controls: u32,
    total: u32,
}

#[derive(Serialize)]
struct Crossing {
    zone: String,
    class: &'static str,
    safety: bool,
    hops: u32,
    dmz_bypass: Option<Vec<Step>>,
    dominators: Vec<String>,
    dmz_dominates: bool,
}

#[derive(Serialize)]
struct MinCut {
    /// `ok`, or `source-is-ot` when a source is itself an OT zone.
    status: &'static str,
    size: Option<usize>,
    conduits: Vec<String>,
    exact: bool,
}

#[derive(Serialize)]
struct PerSource {
    source: String,
    reachable: u32,
    impacted: u32,
    compromised: u32,
    ot_reachable: u32,
    exposure_percent: f64,
}

fn exposure(x: &crate::graph::Exposure) -> Exposure {
    Exposure {
        percent: round1(x.percent()),
        reached_weight: x.reached_weight,
        total_weight: x.total_weight,
        reached_assets: x.reached_assets,
        total_assets: x.total_assets,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn step(model: &Model, e: &ZoneEdge) -> Step {
    let zone = model.zone(e.to);
    Step {
        conduit: names::conduit(model, e).to_string(),
        from: names::zone(model, e.from).to_string(),
        to: zone.name.clone(),
        assets: e
            .assets
            .iter()
            .filter_map(|&i| zone.assets.get(i as usize).map(|a| a.name.clone()))
            .collect(),
        services: names::services(model, e),
        pivot: e.pivot.map(names::pivot_code),
        write: e.write,
        cost: Cost {
            base: e.cost.base,
            service: e.cost.service,
            sl: e.cost.sl,
            time: e.cost.time,
            controls: e.cost.controls,
            total: e.cost.total(),
        },
    }
}

/// The report as pretty-printed JSON (with a trailing newline).
pub fn render_json(model: &Model, r: &BlastReport) -> String {
    let steps = |p: &[ZoneEdge]| p.iter().map(|e| step(model, e)).collect::<Vec<_>>();
    let x = &r.exposure;
    let doc = Doc {
        schema: SCHEMA,
        as_of: r.as_of.map(|d| d.to_string()),
        sources: r.sources.iter().map(|s| names::source(model, s)).collect(),
        options: Options {
            depth: r.depth,
            cuts: r
                .excluded
                .iter()
                .filter(|(_, w)| *w == crate::graph::Exclusion::Cut)
                .map(|(c, _)| model.conduit(*c).name.clone())
                .collect(),
            assume_any_pivot: r.assume_any_pivot,
        },
        excluded: r
            .excluded
            .iter()
            .map(|(c, w)| Excluded {
                conduit: model.conduit(*c).name.clone(),
                reason: names::exclusion(*w),
            })
            .collect(),
        exposure: exposure(x),
        exposure_without_cuts: r.exposure_without_cuts.as_ref().map(exposure),
        safety_reachable: r.safety_reached(),
        zones: r
            .zones
            .iter()
            .map(|z| Zone {
                zone: names::zone(model, z.zone).to_string(),
                class: model.zone(z.zone).class.as_str(),
                purdue: model.zone(z.zone).purdue.as_ref().map(|p| p.value.as_str()),
                grade: z.grade.as_str(),
                impacted: z.impacted,
                compromised: z.compromised,
                hops: z.hops,
                difficulty: z.difficulty,
                assets: match &z.assets {
                    crate::graph::AssetsReached::All => None,
                    other => Some(names::assets(model, z.zone, other)),
                },
                path: steps(&z.path),
                via_hosts: via_hosts(model, z),
            })
            .collect(),
        crossings: r
            .crossings
            .iter()
            .map(|c| Crossing {
                zone: names::zone(model, c.zone).to_string(),
                class: model.zone(c.zone).class.as_str(),
                safety: c.safety,
                hops: c.hops,
                dmz_bypass: c.dmz_bypass.as_deref().map(steps),
                dominators: c
                    .dominators
                    .iter()
                    .map(|&d| names::zone(model, d).to_string())
                    .collect(),
                dmz_dominates: c.dmz_dominates,
            })
            .collect(),
        min_cut: match &r.min_cut {
            Ok(cut) => MinCut {
                status: "ok",
                size: Some(cut.conduits.len()),
                conduits: cut
                    .conduits
                    .iter()
                    .map(|&c| model.conduit(c).name.clone())
                    .collect(),
                exact: cut.exact,
            },
            Err(NoCut::SourceIsOt(_)) => MinCut {
                status: "source-is-ot",
                size: None,
                conduits: Vec::new(),
                exact: true,
            },
        },
        per_source: r
            .per_source
            .iter()
            .map(|s| PerSource {
                source: names::source(model, &s.source),
                reachable: s.reachable,
                impacted: s.impacted,
                compromised: s.compromised,
                ot_reachable: s.ot_reachable,
                exposure_percent: round1(s.exposure.percent()),
            })
            .collect(),
        difficulty: SCORE_EXPLANATION,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Names of the multi-homed hosts joining the zone the path ends in to
/// the zone reported (the bridge step inside the host).
fn via_hosts(model: &Model, z: &crate::graph::ZoneReach) -> Vec<String> {
    let Some(last) = z.path.last().filter(|e| e.to != z.zone) else {
        return Vec::new();
    };
    model
        .hosts
        .iter()
        .filter(|h| !h.boundary)
        .filter(|h| {
            h.legs.iter().any(|l| l.zone == last.to) && h.legs.iter().any(|l| l.zone == z.zone)
        })
        .map(|h| h.name.clone())
        .collect()
}
