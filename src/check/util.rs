//! Predicates and queries over the model shared by the rule families.
//!
//! Zone predicates follow the catalog's helpers: `it` (class `it` or
//! `external`), `ot` (class `ot` or `safety`), `ctrl` (OT at Purdue 0-2, or
//! safety), `dmz` (class `dmz`). A conduit is *live* unless it has expired
//! at `as_of`: an expired conduit is left out of the firewall and allows
//! nothing, so rules do not judge it.

use super::{Ctx, Subject};
use crate::diagnostics::Label;
use crate::model::{
    AssetId, Conduit, ConduitId, Control, Direction, Endpoint, Model, Purdue, Role, Service, Zone,
    ZoneClass, ZoneId,
};
use std::collections::{BTreeMap, BTreeSet};

impl<'m> Ctx<'m> {
    /// Conduits that have not expired at `as_of`, in name order.
    pub fn live(&self) -> impl Iterator<Item = (ConduitId, &'m Conduit)> + '_ {
        let model = self.model;
        model
            .conduit_ids()
            .map(move |id| (id, model.conduit(id)))
            .filter(|(_, c)| !c.expired_at(self.as_of))
    }

    pub fn zone(&self, id: ZoneId) -> &'m Zone {
        self.model.zone(id)
    }

    pub fn zones(&self) -> impl Iterator<Item = (ZoneId, &'m Zone)> + '_ {
        let model = self.model;
        model.zone_ids().map(move |id| (id, model.zone(id)))
    }
}

pub fn is_it(z: &Zone) -> bool {
    z.class.is_it_side()
}

pub fn is_ot(z: &Zone) -> bool {
    z.class.is_ot_side()
}

pub fn is_dmz(z: &Zone) -> bool {
    z.class == ZoneClass::Dmz
}

/// Basic control or safety: OT at Purdue 0, 1 or 2 (or no level), or safety.
pub fn is_ctrl(z: &Zone) -> bool {
    z.class == ZoneClass::Safety
        || (z.class == ZoneClass::Ot && z.purdue.as_ref().is_none_or(|p| p.value <= Purdue::L2))
}

/// Zones that may receive new connections through the conduit: the
/// responder zones for `->`, every zone for `<->`. Sorted, unique.
pub fn protected_zones(c: &Conduit) -> Vec<ZoneId> {
    let mut out: BTreeSet<ZoneId> = c.responders.iter().map(|e| e.zone).collect();
    if c.direction == Direction::Both {
        out.extend(c.initiators.iter().map(|e| e.zone));
    }
    out.into_iter().collect()
}

/// Every zone the conduit touches. Sorted, unique.
pub fn touched_zones(c: &Conduit) -> Vec<ZoneId> {
    let out: BTreeSet<ZoneId> = c
        .initiators
        .iter()
        .chain(&c.responders)
        .map(|e| e.zone)
        .collect();
    out.into_iter().collect()
}

/// `(from, to)` zone pairs that can open connections, unique, sorted.
pub fn zone_flows(c: &Conduit) -> Vec<(ZoneId, ZoneId)> {
    let out: BTreeSet<(ZoneId, ZoneId)> = c.flows().iter().map(|(a, b)| (a.zone, b.zone)).collect();
    out.into_iter().collect()
}

/// Endpoint flows `(initiator, responder)` in a stable order.
pub fn flows(c: &Conduit) -> Vec<(Endpoint, Endpoint)> {
    let mut f = c.flows();
    f.sort();
    f.dedup();
    f
}

/// The services of a conduit with the span of their `allow` item.
pub fn services<'m>(
    model: &'m Model,
    c: &'m Conduit,
) -> impl Iterator<Item = (&'m Service, crate::source::Span)> + 'm {
    c.services
        .iter()
        .map(move |s| (model.service(s.value), s.span))
}

/// Primary label on a conduit's name.
pub fn conduit_label(c: &Conduit, text: impl Into<String>) -> Label {
    Label::new(c.span, text)
}

/// Label on a zone's name.
pub fn zone_label(z: &Zone, text: impl Into<String>) -> Label {
    Label::new(z.span, text)
}

/// Label on an endpoint.
pub fn endpoint_label(model: &Model, ep: &Endpoint, text: &str) -> Label {
    Label::new(ep.span, format!("{}: {text}", model.endpoint_name(ep)))
}

pub fn subject_name(model: &Model, subject: Subject) -> String {
    match subject {
        Subject::Zone(z) => format!("zone {}", model.zone(z).name),
        Subject::Conduit(c) => format!("conduit {}", model.conduit(c).name),
        Subject::Waiver(i) => match model.waivers.get(i) {
            Some(w) => {
                let target = match w.target {
                    crate::model::WaiverTarget::Zone(z) => format!("zone {}", model.zone(z).name),
                    crate::model::WaiverTarget::Conduit(c) => {
                        format!("conduit {}", model.conduit(c).name)
                    }
                };
                format!("waiver {} on {target}", w.rule.value)
            }
            None => "waiver".to_string(),
        },
    }
}

/// Controls of a conduit, plus — for a conduit opened by a jump host —
/// the controls that every remote-access conduit ending on that jump host
/// declares (the session chain is brokered there).
pub fn effective_controls(ctx: &Ctx<'_>, c: &Conduit) -> BTreeSet<Control> {
    let mut out = c.controls.clone();
    for aid in c.initiators.iter().filter_map(Endpoint::asset_id) {
        if let Some(inherited) = ctx.jump_controls.get(&aid) {
            out.extend(inherited.iter().copied());
        }
    }
    out
}

/// For every jump-host asset that remote-access conduits end on: the
/// controls all of them declare. One pass over the conduits.
pub fn jump_controls(ctx: &Ctx<'_>) -> BTreeMap<AssetId, BTreeSet<Control>> {
    let mut out: BTreeMap<AssetId, BTreeSet<Control>> = BTreeMap::new();
    for (_, c) in ctx.live().filter(|(_, c)| is_remote_access(ctx, c)) {
        let ends: BTreeSet<AssetId> = c
            .flows()
            .iter()
            .filter_map(|(_, b)| b.asset_id())
            .filter(|a| ctx.model.asset(*a).role == Some(Role::JumpHost))
            .collect();
        for aid in ends {
            out.entry(aid)
                .and_modify(|acc| acc.retain(|x| c.controls.contains(x)))
                .or_insert_with(|| c.controls.clone());
        }
    }
    out
}

/// Remote or vendor access: a `vendor` conduit, or one opened from a zone
/// of class `external`.
pub fn is_remote_access(ctx: &Ctx<'_>, c: &Conduit) -> bool {
    c.is_vendor()
        || c.flows()
            .iter()
            .any(|(a, _)| ctx.zone(a.zone).class == ZoneClass::External)
}

/// Joins names for messages: `a, b and c`.
pub fn join(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Labels on a conduit's endpoints that lie in `zone` (one per place), so
/// that a finding about the zone's side of a conduit points into the
/// conduit instead of at a far-away zone declaration.
pub fn zone_endpoints(model: &Model, c: &Conduit, zone: ZoneId, text: &str) -> Vec<Label> {
    let mut seen = BTreeSet::new();
    c.initiators
        .iter()
        .chain(&c.responders)
        .filter(|e| e.zone == zone && seen.insert(e.span))
        .map(|e| endpoint_label(model, e, text))
        .collect()
}

/// Services of a conduit that can write into the responder, as the attack
/// model judges them (tags, or an inline or wide-range service of unknown
/// protocol), with the span of their `allow` item.
pub fn write_services<'m>(
    ctx: &Ctx<'m>,
    c: &'m Conduit,
) -> Vec<(&'m Service, crate::source::Span)> {
    c.services
        .iter()
        .filter(|s| crate::graph::caps::service_caps(ctx.model, s.value).write)
        .map(|s| (ctx.model.service(s.value), s.span))
        .collect()
}

/// Services of a conduit that hand the responder's host to the initiator
/// (interactive, admin, code download), as the attack model judges them.
pub fn pivot_services<'m>(
    ctx: &Ctx<'m>,
    c: &'m Conduit,
) -> Vec<(&'m Service, crate::source::Span)> {
    c.services
        .iter()
        .filter(|s| crate::graph::caps::service_caps(ctx.model, s.value).pivot)
        .map(|s| (ctx.model.service(s.value), s.span))
        .collect()
}
