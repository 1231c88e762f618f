//! NET: addressing integrity (ZCR 3.1; SR 5.1).
//!
//! Overlapping networks, addresses outside their zone, shared addresses and
//! zones without networks are language errors (E0205, E0206, E0209,
//! E0111), so the catalog's NET-001 and DOC-004 are not rules here. What
//! remains is what the language still lets through: an asset declared in
//! an `external` zone whose address the firewall will place in another
//! zone (NET-002), and a multi-homed asset (NET-003): one host with a leg
//! in several zones, declared as such.

use super::util::zone_label;
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::Spanned;
use crate::model::{ZoneClass, ZoneId};
use ipnet::IpNet;
use std::net::IpAddr;

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
            let better = most_specific(ctx, addr, id).filter(|(_, n)| n.value.prefix_len() > own);
            if let Some((other, n)) = better {
                let oz = ctx.zone(other);
                out.push(
                    Hit::new(
                        Subject::Zone(id),
                        format!(
                            "asset {}.{} has address {addr}, which belongs to zone {} ({})",
                            z.name, asset.name, oz.name, n.value
                        ),
                        Label::new(
                            asset.address.span,
                            format!("inside {} of zone {}", n.value, oz.name),
                        ),
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

/// NET-003: a multi-homed host that is not a declared boundary device
/// bridges its zones past every conduit.
pub fn net_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    let model = ctx.model;
    let mut out = Vec::new();
    for host in model.hosts.iter().filter(|h| !h.boundary) {
        let Some(first) = host.legs.first() else {
            continue;
        };
        let legs: Vec<String> = host
            .legs
            .iter()
            .map(|l| {
                format!(
                    "{} ({})",
                    model.zone(l.zone).name,
                    model.asset(*l).address.value
                )
            })
            .collect();
        let mut hit = Hit::new(
            Subject::Zone(first.zone),
            format!(
                "asset {} is multi-homed in zones {}: traffic between them crosses inside the host, where no conduit filters it",
                host.name,
                legs.join(", ")
            ),
            Label::new(host.span, "one host, several zones"),
        );
        for l in &host.legs {
            let a = model.asset(*l);
            hit = hit.label(Label::new(
                a.address.span,
                format!("leg in zone {}", model.zone(l.zone).name),
            ));
        }
        out.push(hit.protects(host.legs.iter().map(|l| l.zone)));
    }
    out
}

/// The most specific network of a zone other than `except` holding `addr`.
fn most_specific<'m>(
    ctx: &Ctx<'m>,
    addr: IpAddr,
    except: ZoneId,
) -> Option<(ZoneId, &'m Spanned<IpNet>)> {
    let model = ctx.model;
    model
        .zone_ids()
        .filter(|other| *other != except)
        .flat_map(|other| model.zone(other).networks.iter().map(move |n| (other, n)))
        .filter(|(_, n)| n.value.contains(&addr))
        .max_by_key(|(other, n)| (n.value.prefix_len(), std::cmp::Reverse(*other)))
}
