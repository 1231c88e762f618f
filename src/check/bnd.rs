//! BND: boundary protection and service hygiene (SR 5.2, 5.3, 6.2, 7.1, 7.7).

use super::util::{
    conduit_label, endpoint_label, flows, is_it, is_ot, protected_zones, services, zone_endpoints,
};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::{Control, Fr, Mode, Proto, Tag, ZoneClass, ZoneId};
use std::collections::BTreeSet;

/// BND-001: a service line opens a port range wider than `max-port-range`.
pub fn bnd_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let limit = ctx.thresholds.max_port_range;
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        for (s, span) in services(ctx.model, c) {
            let widest = s
                .matches
                .iter()
                .filter(|m| matches!(m.proto, Proto::Tcp | Proto::Udp))
                .flat_map(|m| m.ports.iter().map(move |r| (m.proto, *r)))
                .filter(|(_, r)| r.width() > limit)
                .max_by_key(|(_, r)| (r.width(), std::cmp::Reverse(*r)));
            if let Some((proto, range)) = widest {
                let p = if proto == Proto::Tcp { "tcp" } else { "udp" };
                out.push(
                    Hit::new(
                        Subject::Conduit(cid),
                        if s.inline {
                            format!(
                                "conduit {} allows {p} {range} ({} ports; the limit is {limit})",
                                c.name,
                                range.width()
                            )
                        } else {
                            format!(
                                "conduit {} allows {} with {p} {range} ({} ports; the limit is {limit})",
                                c.name,
                                s.name,
                                range.width()
                            )
                        },
                        Label::new(span, "over-broad service"),
                    )
                    .label(conduit_label(c, "in this conduit"))
                    .protects(protected_zones(c)),
                );
            }
        }
    }
    out
}

/// BND-002: a flow into a zone with SL-T(RDF) >= 2 names a whole zone as
/// source or destination instead of specific assets.
pub fn bnd_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let mut wide = BTreeSet::new();
        let mut zones = BTreeSet::new();
        for (a, b) in flows(c) {
            if ctx.zone(b.zone).sl_of(Fr::Rdf) < 2 {
                continue;
            }
            for ep in [a, b]
                .into_iter()
                .filter(|e| e.asset.is_none() && !e.is_destination_only())
            {
                wide.insert((ep.span, ep.zone));
                zones.insert(b.zone);
            }
        }
        if wide.is_empty() {
            continue;
        }
        let names: Vec<String> = wide
            .iter()
            .map(|(_, z)| ctx.zone(*z).name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut labels = wide.iter().map(|(span, z)| {
            Label::new(
                *span,
                format!("every address of zone {}", ctx.zone(*z).name),
            )
        });
        let Some(primary) = labels.next() else {
            continue;
        };
        out.push(
            Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} admits whole zone{} {} instead of specific assets",
                    c.name,
                    if names.len() > 1 { "s" } else { "" },
                    super::util::join(&names)
                ),
                primary,
            )
            .labels(labels)
            .protects(zones),
        );
    }
    out
}

/// BND-003: a conduit in `mode monitor`: its boundary logs what it should
/// deny, so it does not deny by default.
pub fn bnd_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    ctx.live()
        .filter(|(_, c)| c.mode == Mode::Monitor)
        .map(|(cid, c)| {
            let zones = protected_zones(c);
            let names: Vec<String> = zones.iter().map(|z| ctx.zone(*z).name.clone()).collect();
            Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} is in monitor mode: the boundary into {} does not deny by default",
                    c.name,
                    super::util::join(&names)
                ),
                conduit_label(c, "mode monitor"),
            )
            .labels(
                zones
                    .iter()
                    .flat_map(|z| zone_endpoints(ctx.model, c, *z, "left open")),
            )
            .protects(zones)
        })
        .collect()
}

/// BND-005: a legacy cleartext service crosses a boundary.
pub fn bnd_005(ctx: &Ctx<'_>) -> Vec<Hit> {
    tagged(ctx, Tag::Legacy, |c, s| {
        format!(
            "conduit {} allows legacy cleartext service {}",
            c.name, s.name
        )
    })
}

/// One hit per (conduit, service carrying `tag`).
pub(super) fn tagged(
    ctx: &Ctx<'_>,
    tag: Tag,
    msg: impl Fn(&crate::model::Conduit, &crate::model::Service) -> String,
) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        for (s, span) in services(ctx.model, c).filter(|(s, _)| s.has(tag)) {
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    msg(c, s),
                    Label::new(span, tag.as_str()),
                )
                .label(conduit_label(c, "in this conduit"))
                .protects(protected_zones(c)),
            );
        }
    }
    out
}

/// BND-006: person-to-person messaging between OT and the IT side, or web
/// browsing from OT to an external zone.
pub fn bnd_006(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let mut ot = BTreeSet::new();
        let mut found = None;
        for (a, b) in flows(c) {
            let (za, zb) = (ctx.zone(a.zone), ctx.zone(b.zone));
            let crosses = (is_ot(za) && is_it(zb)) || (is_it(za) && is_ot(zb));
            if !crosses {
                continue;
            }
            for (s, span) in services(ctx.model, c) {
                let web = is_ot(za) && zb.class == ZoneClass::External && is_web(s);
                if s.has(Tag::Messaging) || web {
                    found = found.or(Some((s, span, web)));
                    ot.insert(if is_ot(za) { a.zone } else { b.zone });
                }
            }
        }
        if let Some((s, span, web)) = found {
            let what = if web {
                "web browsing"
            } else {
                "person-to-person messaging"
            };
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "conduit {} carries {what} ({}) across the OT boundary",
                        c.name, s.name
                    ),
                    Label::new(span, what),
                )
                .label(conduit_label(c, "in this conduit"))
                .protects(ot),
            );
        }
    }
    out
}

fn is_web(s: &crate::model::Service) -> bool {
    s.matches.iter().any(|m| {
        m.proto == Proto::Tcp
            && m.ports
                .iter()
                .any(|r| r.contains(80) || r.contains(443) || r.contains(8080))
    })
}

/// BND-007: a conduit into a zone with SL-T(TRE) or SL-T(RDF) >= 2 that
/// nobody watches: no `ids` or `flow-logs` control, no `log true`, and the
/// zone is not `monitored`.
pub fn bnd_007(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        if c.has(Control::Ids) || c.has(Control::FlowLogs) || c.log {
            continue;
        }
        let zones: Vec<ZoneId> = protected_zones(c)
            .into_iter()
            .filter(|z| {
                let zone = ctx.zone(*z);
                !zone.monitored && (zone.sl_of(Fr::Tre) >= 2 || zone.sl_of(Fr::Rdf) >= 2)
            })
            .collect();
        if zones.is_empty() {
            continue;
        }
        let names: Vec<String> = zones.iter().map(|z| ctx.zone(*z).name.clone()).collect();
        out.push(
            Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} into {} is not monitored (no ids, flow-logs or log)",
                    c.name,
                    super::util::join(&names)
                ),
                conduit_label(c, "unmonitored"),
            )
            .labels(
                zones
                    .iter()
                    .flat_map(|z| zone_endpoints(ctx.model, c, *z, "SL-T TRE/RDF 2 or more")),
            )
            .protects(zones),
        );
    }
    out
}

/// BND-008: a conduit from a lower-RA zone into a zone with SL-T(RA) >= 2
/// without `rate-limit`.
pub fn bnd_008(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live().filter(|(_, c)| !c.has(Control::RateLimit)) {
        let mut zones = BTreeSet::new();
        let mut labels = Vec::new();
        for (a, b) in flows(c) {
            let (ra_a, ra_b) = (
                ctx.zone(a.zone).sl_of(Fr::Ra),
                ctx.zone(b.zone).sl_of(Fr::Ra),
            );
            if ra_b >= 2 && ra_a < ra_b && zones.insert(b.zone) {
                labels.push(endpoint_label(
                    ctx.model,
                    &b,
                    &format!("SL-T RA {ra_b}, fed from RA {ra_a}"),
                ));
            }
        }
        if zones.is_empty() {
            continue;
        }
        let names: Vec<String> = zones.iter().map(|z| ctx.zone(*z).name.clone()).collect();
        out.push(
            Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} into {} has no load management (rate-limit)",
                    c.name,
                    super::util::join(&names)
                ),
                conduit_label(c, "no rate-limit"),
            )
            .labels(labels)
            .protects(zones),
        );
    }
    out
}
