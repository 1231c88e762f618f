//! SL: security-level consistency (ZCR 5.6; IEC 62443-3-3 Annex A).

use super::util::{conduit_label, is_dmz, touched_zones, zone_endpoints, zone_flows, zone_label};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::{Label, Severity};
use crate::model::{Fr, ZoneClass, ZoneId};
use std::collections::BTreeSet;

/// SL-001: a conduit's declared SL-T is below a zone it joins on some FR
/// (error when RDF is among them).
pub fn sl_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let Some(sl) = &c.sl else { continue };
        let zones = touched_zones(c);
        let low: Vec<(Fr, u8, ZoneId)> = Fr::ALL
            .into_iter()
            .filter_map(|fr| {
                let (z, top) = zones
                    .iter()
                    .map(|z| (*z, ctx.zone(*z).sl_of(fr)))
                    .max_by_key(|(z, l)| (*l, std::cmp::Reverse(*z)))?;
                (sl.value.get(fr) < top).then_some((fr, top, z))
            })
            .collect();
        if low.is_empty() {
            continue;
        }
        let what: Vec<String> = low
            .iter()
            .map(|(fr, top, z)| {
                format!(
                    "{} {} < {top} of {}",
                    fr.as_str().to_uppercase(),
                    sl.value.get(*fr),
                    ctx.zone(*z).name
                )
            })
            .collect();
        let culprits: BTreeSet<ZoneId> = low.iter().map(|(_, _, z)| *z).collect();
        let mut hit = Hit::new(
            Subject::Conduit(cid),
            format!(
                "conduit {} has SL-T {} below the zones it joins ({})",
                c.name,
                sl.value,
                what.join(", ")
            ),
            Label::new(sl.span, "conduit SL-T"),
        )
        .labels(culprits.iter().flat_map(|z| {
            zone_endpoints(ctx.model, c, *z, &format!("SL-T {}", ctx.zone(*z).sl_t()))
        }))
        .protects(culprits.iter().copied())
        .severity(Severity::Warning);
        if low.iter().any(|(fr, _, _)| *fr == Fr::Rdf) {
            hit = hit.severity(Severity::Error);
        }
        out.push(hit);
    }
    out
}

/// SL-003: a conduit joins two zones whose highest SL-T differ by 2 or more,
/// neither is a DMZ and the conduit is not a one-way `unidirectional`
/// conduit (on `<->` the control is a contradiction).
pub fn sl_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live().filter(|(_, c)| !super::pro::one_way_diode(c)) {
        let step = zone_flows(c).into_iter().find(|(a, b)| {
            let (za, zb) = (ctx.zone(*a), ctx.zone(*b));
            za.sl.is_some()
                && zb.sl.is_some()
                && !is_dmz(za)
                && !is_dmz(zb)
                && top(za).abs_diff(top(zb)) >= 2
        });
        if let Some((a, b)) = step {
            let (za, zb) = (ctx.zone(a), ctx.zone(b));
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "conduit {} joins zone {} (SL {}) and zone {} (SL {}) without a high-assurance boundary",
                        c.name,
                        za.name,
                        top(za),
                        zb.name,
                        top(zb)
                    ),
                    conduit_label(c, "large security-level step"),
                )
                .labels(zone_endpoints(ctx.model, c, a, &format!("SL-T {}", za.sl_t())))
                .labels(zone_endpoints(ctx.model, c, b, &format!("SL-T {}", zb.sl_t())))
                .protects([a, b]),
            );
        }
    }
    out
}

/// SL-004: a safety zone with a lower SL-T than its control zone on some
/// FR, or a wireless zone with a lower SL-T(IAC) than a wired zone it is
/// joined to.
pub fn sl_004(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| z.class == ZoneClass::Safety) {
        let Some(b) = &z.bpcs else { continue };
        let bz = ctx.zone(b.value);
        let low: Vec<&str> = Fr::ALL
            .into_iter()
            .filter(|fr| z.sl_of(*fr) < bz.sl_of(*fr))
            .map(Fr::as_str)
            .collect();
        if !low.is_empty() {
            out.push(
                Hit::new(
                    Subject::Zone(id),
                    format!(
                        "safety zone {} has a lower SL-T than its control zone {} ({})",
                        z.name,
                        bz.name,
                        low.join(", ").to_uppercase()
                    ),
                    zone_label(z, format!("SL-T {}", z.sl_t())),
                )
                .label(zone_label(bz, format!("SL-T {}", bz.sl_t())))
                .protects([id]),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (_, c) in ctx.live() {
        for (a, b) in zone_flows(c) {
            for (w, d) in [(a, b), (b, a)] {
                let (wz, dz) = (ctx.zone(w), ctx.zone(d));
                if wz.wireless
                    && !dz.wireless
                    && wz.sl_of(Fr::Iac) < dz.sl_of(Fr::Iac)
                    && seen.insert((w, d))
                {
                    out.push(
                        Hit::new(
                            Subject::Zone(w),
                            format!(
                                "wireless zone {} has SL-T IAC {} below wired zone {} (IAC {})",
                                wz.name,
                                wz.sl_of(Fr::Iac),
                                dz.name,
                                dz.sl_of(Fr::Iac)
                            ),
                            zone_label(wz, "wireless zone"),
                        )
                        .label(conduit_label(c, "joined by this conduit"))
                        .label(zone_label(dz, "wired zone"))
                        .protects([w]),
                    );
                }
            }
        }
    }
    out
}

/// The highest SL-T of a zone over the seven FRs.
fn top(z: &crate::model::Zone) -> u8 {
    crate::model::SlVector::max(&z.sl_t())
}
