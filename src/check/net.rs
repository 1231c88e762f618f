//! NET: addressing integrity (ZCR 3.1; SR 5.1).
//!
//! Plain overlaps and addresses outside their zone are language errors
//! (E0205, E0206, E0209). What remains for the rules is what the one
//! permitted overlap — a wider network in a zone of class `external` —
//! can still get wrong: two zones claiming the same network (the most
//! specific match is a tie) and an asset declared in an external zone
//! whose address the firewall will treat as another zone's.

use super::util::zone_label;
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::{ZoneClass, ZoneId};
use ipnet::IpNet;

/// NET-001: two zones hold overlapping networks that most-specific
/// matching cannot separate (the same network twice), or an overlap that
/// is not a wider network in an `external` zone.
pub fn net_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut nets: Vec<(IpNet, ZoneId, crate::source::Span)> = ctx
        .zones()
        .flat_map(|(id, z)| z.networks.iter().map(move |n| (n.value.trunc(), id, n.span)))
        .collect();
    nets.sort_by_key(|(n, z, s)| (n.network(), n.prefix_len(), *z, *s));
    let mut out = Vec::new();
    let mut open: Vec<(IpNet, ZoneId, crate::source::Span)> = Vec::new();
    for (net, zone, span) in nets {
        open.retain(|(p, _, _)| p.contains(&net));
        for (outer, outer_zone, outer_span) in &open {
            if *outer_zone == zone {
                continue;
            }
            let tie = *outer == net;
            let permitted = !tie && ctx.zone(*outer_zone).class == ZoneClass::External;
            if permitted {
                continue;
            }
            let (inner_z, outer_z) = (ctx.zone(zone), ctx.zone(*outer_zone));
            let why = if tie {
                "both claim it, so no address in it has one zone"
            } else {
                "only a zone of class external may hold a wider network"
            };
            out.push(
                Hit::new(
                    Subject::Zone(zone),
                    format!(
                        "network {net} of zone {} overlaps {outer} of zone {}: {why}",
                        inner_z.name, outer_z.name
                    ),
                    Label::new(span, format!("in zone {}", inner_z.name)),
                )
                .label(Label::new(*outer_span, format!("in zone {}", outer_z.name)))
                .protects([zone, *outer_zone]),
            );
        }
        open.push((net, zone, span));
    }
    out
}

/// NET-002: an asset of an `external` zone whose address lies in a more
/// specific network of another zone: the firewall places it there.
pub fn net_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (id, z) in ctx.zones().filter(|(_, z)| z.class == ZoneClass::External) {
        for asset in &z.assets {
            let addr = asset.address.value;
            let own = z
                .networks
                .iter()
                .filter(|n| n.value.contains(&addr))
                .map(|n| n.value.prefix_len())
                .max();
            let Some(own) = own else { continue };
            let better = ctx
                .zones()
                .filter(|(other, _)| *other != id)
                .flat_map(|(other, oz)| oz.networks.iter().map(move |n| (other, n)))
                .filter(|(_, n)| n.value.contains(&addr) && n.value.prefix_len() > own)
                .max_by_key(|(other, n)| (n.value.prefix_len(), std::cmp::Reverse(*other)));
            if let Some((other, n)) = better {
                let oz = ctx.zone(other);
                out.push(
                    Hit::new(
                        Subject::Zone(id),
                        format!(
                            "asset {}.{} has address {addr}, which belongs to zone {} ({})",
                            z.name, asset.name, oz.name, n.value
                        ),
                        Label::new(asset.address.span, format!("inside {} of zone {}", n.value, oz.name)),
                    )
                    .label(Label::new(n.span, format!("network of zone {}", oz.name)))
                    .label(zone_label(z, "declared in this zone"))
                    .protects([id, other]),
                );
            }
        }
    }
    out
}
