//! Names shared by the renderers, in the policy's words.

use crate::graph::{AssetsReached, Exclusion, PivotReason, Source, ZoneEdge};
use crate::model::{Model, SlVector, ZoneId};

pub fn zone(model: &Model, z: ZoneId) -> &str {
    &model.zone(z).name
}

pub fn source(model: &Model, s: &Source) -> String {
    let zone = model.zone(s.zone);
    match s.asset.and_then(|i| zone.assets.get(i as usize)) {
        Some(a) => format!("{}.{}", zone.name, a.name),
        None => zone.name.clone(),
    }
}

pub fn purdue(model: &Model, z: ZoneId) -> &'static str {
    model
        .zone(z)
        .purdue
        .as_ref()
        .map_or("-", |p| p.value.as_str())
}

/// `3` for a uniform SL-T, `{3 3 3 2 3 2 3}` (FR1..FR7, as `check`
/// writes it) for a vector, `-` when none.
pub fn sl(model: &Model, z: ZoneId) -> String {
    match model.zone(z).sl.as_ref().map(|s| s.value) {
        None => "-".to_string(),
        Some(v @ SlVector(a)) => match a.first() {
            Some(&x) if a.iter().all(|&y| y == x) => x.to_string(),
            _ => v.to_string(),
        },
    }
}

pub fn assets(model: &Model, z: ZoneId, reached: &AssetsReached) -> Vec<String> {
    let zone = model.zone(z);
    match reached {
        AssetsReached::All | AssetsReached::None => Vec::new(),
        AssetsReached::Some(set) => set
            .iter()
            .filter_map(|&i| zone.assets.get(i as usize).map(|a| a.name.clone()))
            .collect(),
    }
}

/// `zone` or `zone.asset` / `zone.{a,b}` for the responder side of an edge.
pub fn edge_target(model: &Model, e: &ZoneEdge) -> String {
    let zone = model.zone(e.to);
    let names: Vec<&str> = e
        .assets
        .iter()
        .filter_map(|&i| zone.assets.get(i as usize).map(|a| a.name.as_str()))
        .collect();
    match names.as_slice() {
        [] => zone.name.clone(),
        [one] => format!("{}.{one}", zone.name),
        many => format!("{}.{{{}}}", zone.name, many.join(",")),
    }
}

pub fn services(model: &Model, e: &ZoneEdge) -> Vec<String> {
    e.services
        .iter()
        .map(|&s| model.service(s).name.clone())
        .collect()
}

pub fn conduit<'m>(model: &'m Model, e: &ZoneEdge) -> &'m str {
    &model.conduit(e.conduit).name
}

pub fn pivot(model: &Model, p: PivotReason) -> String {
    match p {
        PivotReason::Service(s) => format!("service {} is pivot-capable", model.service(s).name),
        PivotReason::VendorAccess => "vendor remote access session".to_string(),
        PivotReason::JumpHost => "session on a jump host".to_string(),
        PivotReason::Monitor => "monitor mode blocks nothing".to_string(),
        PivotReason::AssumeAny => "assumed (--assume-any-pivot)".to_string(),
    }
}

pub fn pivot_code(p: PivotReason) -> &'static str {
    match p {
        PivotReason::Service(_) => "service",
        PivotReason::VendorAccess => "vendor-access",
        PivotReason::JumpHost => "jump-host",
        PivotReason::Monitor => "monitor-mode",
        PivotReason::AssumeAny => "assumed",
    }
}

pub fn exclusion(x: Exclusion) -> &'static str {
    match x {
        Exclusion::Cut => "cut",
        Exclusion::Expired => "expired",
    }
}

/// `internet =[vendor-support: https]=> idmz.jump =[…]=> line1`.
pub fn path(model: &Model, path: &[ZoneEdge]) -> String {
    let Some(first) = path.first() else {
        return String::new();
    };
    let mut out = zone(model, first.from).to_string();
    let mut at = first.from;
    for e in path {
        if e.from != at {
            out.push_str(&bridge(model, at, e.from));
        }
        at = e.to;
        out.push_str(&format!(
            " =[{}: {}]=> {}",
            conduit(model, e),
            services(model, e).join(","),
            edge_target(model, e)
        ));
    }
    out
}

/// ` =[host historian]=> scada-cc`: a step inside a multi-homed host.
pub fn bridge(model: &Model, from: ZoneId, to: ZoneId) -> String {
    let hosts: Vec<&str> = model
        .hosts
        .iter()
        .filter(|h| h.legs.iter().any(|l| l.zone == from) && h.legs.iter().any(|l| l.zone == to))
        .map(|h| h.name.as_str())
        .collect();
    // Hosts may chain (a-b, then b-c): then no one host joins the ends.
    let hosts = match hosts.as_slice() {
        [] => "hosts".to_string(),
        some => some.join(", "),
    };
    format!(" =[inside multi-homed {hosts}]=> {}", zone(model, to))
}
