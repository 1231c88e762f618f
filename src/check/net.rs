//! NET: addressing integrity (ZCR 3.1; SR 5.1).
//!
//! Overlapping networks, addresses outside their zone, shared addresses and
//! zones without networks are language errors (E0205, E0206, E0209,
//! E0111), so the catalog's NET-001 and DOC-004 are not rules here. What
//! remains is what the language still lets through: an asset declared in
//! an `external` zone whose address the firewall will place in another
//! zone (NET-002) — the one way an asset ends up in two zones.

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
