//! SEG: segmentation architecture (ZCR 3.2-3.6; SR 5.1; Purdue and the
//! industrial DMZ).

use super::util::{
    conduit_label, endpoint_label, flows, is_dmz, is_it, is_ot, protected_zones, services,
    touched_zones, zone_endpoints, zone_flows, zone_label,
};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::{
    Asset, Conduit, ConduitId, Control, Endpoint, Proto, Role, ServiceMatch, Zone, ZoneClass,
    ZoneId,
};
use std::collections::BTreeMap;

/// Hit on a zone that mixes two kinds of asset.
fn mixed(id: ZoneId, z: &Zone, msg: String, a: &Asset, b: &Asset, la: &str, lb: &str) -> Hit {
    Hit::new(Subject::Zone(id), msg, zone_label(z, "this zone"))
        .label(Label::new(a.span, format!("{}: {la}", a.name)))
        .label(Label::new(b.span, format!("{}: {lb}", b.name)))
        .protects([id])
}

/// SEG-001: a zone holds both business and IACS assets.
pub fn seg_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones() {
        let business = z
            .assets
            .iter()
            .find(|a| a.role.is_some_and(Role::is_business));
        let iacs = z.assets.iter().find(|a| a.role.is_some_and(Role::is_iacs));
        if let (Some(b), Some(i)) = (business, iacs) {
            let msg = format!("zone {} mixes business and control-system assets", z.name);
            out.push(mixed(
                id,
                z,
                msg,
                b,
                i,
                "business asset",
                "control-system asset",
            ));
        }
    }
    out
}

fn is_safety_asset(a: &Asset) -> bool {
    a.safety || a.role == Some(Role::SafetyController)
}

/// SEG-002: a zone not of class `safety` holds safety and non-safety assets.
pub fn seg_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| z.class != ZoneClass::Safety) {
        let safety = z.assets.iter().find(|a| is_safety_asset(a));
        let other = z.assets.iter().find(|a| !is_safety_asset(a));
        if let (Some(s), Some(o)) = (safety, other) {
            let msg = format!("zone {} mixes safety and non-safety assets", z.name);
            out.push(mixed(
                id,
                z,
                msg,
                s,
                o,
                "safety asset",
                "not a safety asset",
            ));
        }
    }
    out
}

/// SEG-003: a conduit joins a safety zone to any zone but its `bpcs`.
pub fn seg_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        for (sid, peer) in safety_pairs(ctx, c) {
            let sz = ctx.zone(sid);
            let bpcs = sz.bpcs.as_ref().map(|b| b.value);
            if bpcs == Some(peer) {
                continue;
            }
            let allowed = match bpcs {
                Some(b) => format!("only its control zone {}", ctx.zone(b).name),
                None => "no zone: it names no `bpcs`".to_string(),
            };
            let hit = Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} joins safety zone {} to zone {}; the safety zone may talk to {allowed}",
                    c.name,
                    sz.name,
                    ctx.zone(peer).name
                ),
                conduit_label(c, "reaches the safety zone"),
            )
            .labels(zone_endpoints(ctx.model, c, sid, "safety zone"))
            .labels(zone_endpoints(ctx.model, c, peer, "not its control zone"))
            .protects([sid]);
            out.push(hit);
        }
    }
    out
}

/// SEG-004: a write-capable service into a safety zone: warning from its
/// own `bpcs` zone, error from anywhere else; a conduit in `mode monitor`
/// into a safety zone lets any write through: error.
pub fn seg_004(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let monitor = c.mode == crate::model::Mode::Monitor;
        let writes = super::util::write_services(ctx, c);
        let first = writes.first().copied();
        if first.is_none() && !monitor {
            continue;
        }
        let into: Vec<(Endpoint, Endpoint)> = flows(c)
            .into_iter()
            .filter(|(a, b)| a.zone != b.zone && ctx.zone(b.zone).class == ZoneClass::Safety)
            .collect();
        let Some((a, b)) = into.first() else {
            continue;
        };
        let foreign = into
            .iter()
            .any(|(a, b)| ctx.zone(b.zone).bpcs.as_ref().map(|p| p.value) != Some(a.zone));
        let (what, primary) = match first {
            Some((s, span)) if !monitor => (
                s.name.clone(),
                Label::new(span, "can write values or programs"),
            ),
            _ => (
                "any service (mode monitor blocks nothing)".to_string(),
                conduit_label(c, "mode monitor: every write passes"),
            ),
        };
        let mut hit = Hit::new(
            Subject::Conduit(cid),
            format!(
                "conduit {} lets {} write into safety zone {} with {what}",
                c.name,
                ctx.zone(a.zone).name,
                ctx.zone(b.zone).name,
            ),
            primary,
        )
        .label(endpoint_label(ctx.model, b, "safety zone"))
        .protects(into.iter().map(|(_, b)| b.zone));
        if foreign || monitor {
            hit = hit.severity(crate::diagnostics::Severity::Error);
        }
        out.push(hit);
    }
    out
}

/// `(safety zone, other zone)` pairs joined by a conduit, unique.
fn safety_pairs(ctx: &Ctx<'_>, c: &Conduit) -> Vec<(ZoneId, ZoneId)> {
    let mut out: Vec<(ZoneId, ZoneId)> = Vec::new();
    for (a, b) in zone_flows(c) {
        for (s, o) in [(a, b), (b, a)] {
            if ctx.zone(s).class == ZoneClass::Safety && !out.contains(&(s, o)) {
                out.push((s, o));
            }
        }
    }
    out.sort();
    out
}

/// SEG-005: temporary devices in a zone with permanent ones.
pub fn seg_005(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| !z.temporary) {
        let t = z.assets.iter().find(|a| a.temporary);
        let p = z.assets.iter().find(|a| !a.temporary);
        if let (Some(t), Some(p)) = (t, p) {
            let msg = format!(
                "zone {} mixes temporarily connected and permanent devices",
                z.name
            );
            out.push(mixed(id, z, msg, t, p, "temporary", "permanent"));
        }
    }
    out
}

/// SEG-006: wireless devices in a zone with wired ones.
pub fn seg_006(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| !z.wireless) {
        let w = z.assets.iter().find(|a| a.wireless);
        let d = z.assets.iter().find(|a| !a.wireless);
        if let (Some(w), Some(d)) = (w, d) {
            let msg = format!("zone {} mixes wireless and wired devices", z.name);
            out.push(mixed(id, z, msg, w, d, "wireless", "wired"));
        }
    }
    out
}

/// SEG-007: a device with an external link in a zone that is not
/// `external` (in a DMZ it bypasses the DMZ's own conduits just the same).
pub fn seg_007(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones() {
        if z.class == ZoneClass::External {
            continue;
        }
        for a in z.assets.iter().filter(|a| a.external_link) {
            out.push(
                Hit::new(
                    Subject::Zone(id),
                    format!(
                        "asset {}.{} has an external link but zone {} is of class {}",
                        z.name,
                        a.name,
                        z.name,
                        z.class.as_str()
                    ),
                    Label::new(a.span, "external-link true"),
                )
                .label(zone_label(z, "not an external zone"))
                .protects([id]),
            );
        }
    }
    out
}

/// Conduits that directly join a zone matching `side` to an OT zone.
fn crossing(
    ctx: &Ctx<'_>,
    side: fn(&Zone) -> bool,
    mut make: impl FnMut(ConduitId, &Conduit, ZoneId, ZoneId) -> Hit,
) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let pair = zone_flows(c).into_iter().find(|(a, b)| {
            let (za, zb) = (ctx.zone(*a), ctx.zone(*b));
            (side(za) && is_ot(zb)) || (is_ot(za) && side(zb))
        });
        if let Some((a, b)) = pair {
            out.push(make(cid, c, a, b));
        }
    }
    out
}

/// SEG-008: a conduit joins an IT or external zone directly to an OT zone.
pub fn seg_008(ctx: &Ctx<'_>) -> Vec<Hit> {
    crossing(ctx, is_it, |cid, c, a, b| {
        let (za, zb) = (ctx.zone(a), ctx.zone(b));
        Hit::new(
            Subject::Conduit(cid),
            format!(
                "conduit {} joins {} zone {} directly to {} zone {}, bypassing the DMZ",
                c.name,
                za.class.as_str(),
                za.name,
                zb.class.as_str(),
                zb.name
            ),
            conduit_label(c, "no DMZ in between"),
        )
        .labels(zone_endpoints(ctx.model, c, a, za.class.as_str()))
        .labels(zone_endpoints(ctx.model, c, b, zb.class.as_str()))
        .protects(protected_zones(c))
    })
}

/// SEG-011: a conduit joins an `external` zone (the internet, a vendor
/// network) directly to an OT zone.
pub fn seg_011(ctx: &Ctx<'_>) -> Vec<Hit> {
    crossing(
        ctx,
        |z| z.class == ZoneClass::External,
        |cid, c, a, b| {
            let (za, zb) = (ctx.zone(a), ctx.zone(b));
            Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} connects OT to external zone {}",
                    c.name,
                    if za.class == ZoneClass::External {
                        &za.name
                    } else {
                        &zb.name
                    }
                ),
                conduit_label(c, "OT exposed outside the plant"),
            )
            .labels(zone_endpoints(ctx.model, c, a, za.class.as_str()))
            .labels(zone_endpoints(ctx.model, c, b, zb.class.as_str()))
            .protects(protected_zones(c))
        },
    )
}

/// Whether two service lines can match the same packet.
pub(super) fn lines_overlap(a: &ServiceMatch, b: &ServiceMatch) -> bool {
    if a.proto != b.proto {
        return false;
    }
    match a.proto {
        Proto::Tcp | Proto::Udp => {
            let meet = |x: &[crate::model::PortRange], y: &[crate::model::PortRange]| {
                x.is_empty()
                    || y.is_empty()
                    || x.iter()
                        .any(|p| y.iter().any(|q| p.lo <= q.hi && q.lo <= p.hi))
            };
            !a.ports.is_empty()
                && !b.ports.is_empty()
                && meet(&a.ports, &b.ports)
                && meet(&a.sports, &b.sports)
        }
        Proto::Icmp | Proto::Icmp6 => {
            let same = |x: Option<u8>, y: Option<u8>| x.is_none() || y.is_none() || x == y;
            same(a.icmp_type, b.icmp_type) && same(a.icmp_code, b.icmp_code)
        }
        Proto::Other(_) => true,
    }
}

/// One flow touching a DMZ zone: conduit, service, the DMZ endpoint.
struct DmzFlow<'m> {
    conduit: ConduitId,
    service: &'m crate::model::Service,
    span: crate::source::Span,
    dmz_asset: Option<u32>,
}

/// SEG-009: an inbound relay through the DMZ: the IT side (class `it` or
/// `external`) may open a protocol to a DMZ host, and the same DMZ host (or
/// its whole zone) may open the same protocol into the OT side, unless the
/// DMZ end is a jump host or a conduit declares `jump-host`. Outbound relays
/// (OT to DMZ to IT) and brokers that both sides connect into terminate
/// every session in the DMZ and are not pass-through.
pub fn seg_009(ctx: &Ctx<'_>) -> Vec<Hit> {
    // DMZ zone -> flows into the DMZ from the IT side / out of it into OT.
    let mut inbound: BTreeMap<ZoneId, Vec<DmzFlow<'_>>> = BTreeMap::new();
    let mut onward: BTreeMap<ZoneId, Vec<DmzFlow<'_>>> = BTreeMap::new();
    for (cid, c) in ctx.live() {
        for (a, b) in flows(c) {
            let (za, zb) = (ctx.zone(a.zone), ctx.zone(b.zone));
            let (side, d) = if is_it(za) && is_dmz(zb) {
                (&mut inbound, b)
            } else if is_dmz(za) && is_ot(zb) {
                (&mut onward, a)
            } else {
                continue;
            };
            let jump = c.has(Control::JumpHost)
                || d.asset_id()
                    .is_some_and(|x| ctx.model.asset(x).role == Some(Role::JumpHost));
            if jump {
                continue;
            }
            for (service, span) in services(ctx.model, c) {
                side.entry(d.zone).or_default().push(DmzFlow {
                    conduit: cid,
                    service,
                    span,
                    dmz_asset: d.asset,
                });
            }
        }
    }
    let mut out: BTreeMap<(ConduitId, ConduitId), Hit> = BTreeMap::new();
    for (dmz, ot_flows) in &onward {
        let Some(it_flows) = inbound.get(dmz) else {
            continue;
        };
        for o in ot_flows {
            for i in it_flows {
                let same_host = match (o.dmz_asset, i.dmz_asset) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                };
                let shared = o
                    .service
                    .matches
                    .iter()
                    .any(|m| i.service.matches.iter().any(|n| lines_overlap(m, n)));
                if !shared || !same_host || out.contains_key(&(o.conduit, i.conduit)) {
                    continue;
                }
                let (oc, ic) = (ctx.model.conduit(o.conduit), ctx.model.conduit(i.conduit));
                let host = match o.dmz_asset.or(i.dmz_asset) {
                    Some(x) => ctx
                        .zone(*dmz)
                        .assets
                        .get(x as usize)
                        .map_or(String::new(), |a| format!(" host {}", a.name)),
                    None => String::new(),
                };
                let msg = format!(
                    "{} can be relayed from the IT side (conduit {}) through DMZ zone {}{host} into the OT side (conduit {})",
                    o.service.name,
                    ic.name,
                    ctx.zone(*dmz).name,
                    oc.name,
                );
                let hit = Hit::new(
                    Subject::Conduit(o.conduit),
                    msg,
                    Label::new(o.span, "DMZ opens it into OT"),
                )
                .label(Label::new(
                    i.span,
                    format!("IT side opens it into the DMZ, conduit {}", ic.name),
                ))
                .protects(protected_zones(oc));
                out.insert((o.conduit, i.conduit), hit);
            }
        }
    }
    out.into_values().collect()
}

/// SEG-010: a conduit between two OT zones skips a Purdue level.
pub fn seg_010(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let zones = touched_zones(c);
        let skip = zone_flows(c).into_iter().find_map(|(a, b)| {
            let (za, zb) = (ctx.zone(a), ctx.zone(b));
            let (pa, pb) = (za.purdue.as_ref()?, zb.purdue.as_ref()?);
            let gap = pa.value.twice().abs_diff(pb.value.twice());
            (za.class == ZoneClass::Ot && zb.class == ZoneClass::Ot && gap > 2).then_some((za, zb))
        });
        if let Some((za, zb)) = skip {
            let lvl = |z: &Zone| z.purdue.as_ref().map_or("?", |p| p.value.as_str());
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "conduit {} joins zone {} (level {}) to zone {} (level {}), skipping a level",
                        c.name,
                        za.name,
                        lvl(za),
                        zb.name,
                        lvl(zb)
                    ),
                    conduit_label(c, "level-skipping conduit"),
                )
                .labels(zones.iter().flat_map(|z| {
                    let zone = ctx.zone(*z);
                    zone_endpoints(ctx.model, c, *z, &format!("level {}", lvl(zone)))
                }))
                .protects(protected_zones(c)),
            );
        }
    }
    out
}

/// Network services a control network should get from inside OT at SL 3.
fn is_infrastructure(m: &ServiceMatch) -> bool {
    const TCP: &[u16] = &[53, 88, 389, 636, 3268, 3269, 8530, 8531, 6514, 601, 514];
    const UDP: &[u16] = &[53, 88, 123, 389, 514];
    let ports: &[u16] = match m.proto {
        Proto::Tcp => TCP,
        Proto::Udp => UDP,
        _ => return false,
    };
    m.ports.iter().any(|r| ports.iter().any(|p| r.contains(*p)))
}

/// SEG-012: a zone with SL-T(RDF) >= 3 uses DNS, NTP, directory, patch or
/// log services of an IT-side zone directly.
pub fn seg_012(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        for (a, b) in flows(c) {
            let (za, zb) = (ctx.zone(a.zone), ctx.zone(b.zone));
            if !(is_ot(za) && is_it(zb) && za.sl_of(crate::model::Fr::Rdf) >= 3) {
                continue;
            }
            let infra: Vec<_> = services(ctx.model, c)
                .filter(|(s, _)| s.matches.iter().any(is_infrastructure))
                .collect();
            if let Some((s, span)) = infra.first() {
                out.push(
                    Hit::new(
                        Subject::Conduit(cid),
                        format!(
                            "zone {} (SL-T RDF {}) depends on {} from {} zone {}",
                            za.name,
                            za.sl_of(crate::model::Fr::Rdf),
                            s.name,
                            zb.class.as_str(),
                            zb.name
                        ),
                        Label::new(*span, "network service from outside OT"),
                    )
                    .label(endpoint_label(ctx.model, &a, "client"))
                    .label(endpoint_label(ctx.model, &b, "server"))
                    .protects([a.zone]),
                );
                break;
            }
        }
    }
    out
}
