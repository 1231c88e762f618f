//! Whole-model integrity checks that need every zone at once: overlapping
//! networks (a sorted sweep, O(n log n) in networks), asset addresses outside
//! their zone, two assets on one address (one sort of all addresses).

use super::types::*;
use crate::diagnostics::Diagnostic;
use ipnet::IpNet;
use std::net::IpAddr;

/// Runs all integrity checks.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    let mut diags = overlaps(model);
    diags.extend(asset_addresses(model));
    diags
}

/// Networks of two zones must not overlap, unless the enclosing network
/// belongs to a zone of class `external` (the most specific match wins).
fn overlaps(model: &Model) -> Vec<Diagnostic> {
    let mut nets: Vec<(IpNet, ZoneId, usize)> = Vec::new();
    for (zi, z) in model.zones.iter().enumerate() {
        for (ni, n) in z.networks.iter().enumerate() {
            nets.push((n.value, ZoneId(zi as u32), ni));
        }
    }
    // Sorted by (family, first address, prefix length): an enclosing network
    // comes right before what it encloses.
    nets.sort_by_key(|(n, z, i)| (n.network(), n.prefix_len(), *z, *i));
    let mut diags = Vec::new();
    let mut stack: Vec<(IpNet, ZoneId, usize)> = Vec::new();
    for &(net, zone, idx) in &nets {
        while stack
            .last()
            .is_some_and(|(outer, _, _)| !outer.contains(&net))
        {
            stack.pop();
        }
        if let Some(&(outer, ozone, oidx)) = stack.last() {
            let outer_zone = model.zone(ozone);
            let allowed = ozone == zone
                || (outer_zone.class == ZoneClass::External
                    && outer.prefix_len() < net.prefix_len());
            if !allowed {
                let inner_zone = model.zone(zone);
                let (Some(a), Some(b)) =
                    (inner_zone.networks.get(idx), outer_zone.networks.get(oidx))
                else {
                    continue;
                };
                diags.push(
                    Diagnostic::error(
                        "E0205",
                        format!(
                            "network {net} of zone `{}` overlaps {outer} of zone `{}`",
                            inner_zone.name, outer_zone.name
                        ),
                    )
                    .at(a.span, format!("in zone `{}`", inner_zone.name))
                    .with_label(b.span, format!("overlaps this network of zone `{}`", outer_zone.name))
                    .with_help("each address belongs to exactly one zone: re-address or merge the zones (only a zone of class `external` may hold a wider network such as 0.0.0.0/0)"),
                );
                continue;
            }
        }
        stack.push((net, zone, idx));
    }
    diags
}

/// Addresses outside their zone (E0206) and addresses shared by two assets
/// (E0209, pointing at the first asset in model order). Shared addresses
/// are found by sorting all addresses once; diagnostics come out in model
/// order, per asset E0206 before E0209.
fn asset_addresses(model: &Model) -> Vec<Diagnostic> {
    let mut diags: Vec<((usize, usize, u8), Diagnostic)> = Vec::new();
    let mut addrs: Vec<(IpAddr, usize, usize)> = Vec::new();
    for (zi, z) in model.zones.iter().enumerate() {
        for (ai, a) in z.assets.iter().enumerate() {
            let addr = a.address.value;
            if !z.networks.is_empty() && !z.networks.iter().any(|n| n.value.contains(&addr)) {
                let nets: Vec<String> = z.networks.iter().map(|n| n.value.to_string()).collect();
                diags.push((
                    (zi, ai, 0),
                    Diagnostic::error("E0206", format!("asset `{}.{}` at {addr} is outside its zone", z.name, a.name))
                        .at(a.address.span, "not in any network of the zone")
                        .with_label(z.span, format!("zone `{}` has {}", z.name, nets.join(", ")))
                        .with_help("fix the address, add the network to the zone, or move the asset to the zone it is in"),
                ));
            }
            addrs.push((addr, zi, ai));
        }
    }
    addrs.sort_unstable();
    let asset = |zi: usize, ai: usize| {
        let z = model.zones.get(zi)?;
        Some((z, z.assets.get(ai)?))
    };
    for run in addrs.chunk_by(|a, b| a.0 == b.0) {
        let Some(&(addr, fzi, fai)) = run.first() else {
            continue;
        };
        let Some((fz, fa)) = asset(fzi, fai) else {
            continue;
        };
        for &(_, zi, ai) in run.iter().skip(1) {
            let Some((z, a)) = asset(zi, ai) else {
                continue;
            };
            diags.push((
                (zi, ai, 1),
                Diagnostic::error(
                    "E0209",
                    format!(
                        "assets `{}.{}` and `{}.{}` share the address {addr}",
                        fz.name, fa.name, z.name, a.name
                    ),
                )
                .at(a.address.span, "second asset")
                .with_label(fa.address.span, "first asset")
                .with_help("one host is one asset: remove the duplicate or fix the address"),
            ));
        }
    }
    diags.sort_by_key(|(key, _)| *key);
    diags.into_iter().map(|(_, d)| d).collect()
}
