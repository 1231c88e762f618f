//! PRO: protocol security on conduits (SR 1.2, 3.1, 4.1; Purdue layering).

use super::util::{conduit_label, endpoint_label, flows, is_it, services};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::{Label, Severity};
use crate::model::{Control, Fr, Purdue, Tag};
use std::collections::BTreeSet;

/// Controls that protect a cleartext protocol on the wire.
const TUNNELS: [Control; 4] = [
    Control::Vpn,
    Control::Ipsec,
    Control::Macsec,
    Control::Unidirectional,
];

/// The FRs a service cannot protect by itself: IAC and SI (identification,
/// message integrity) without `authenticated`, DC without `encrypted`.
fn weak_frs(s: &crate::model::Service) -> Vec<Fr> {
    let mut out = Vec::new();
    if !s.authenticated {
        out.extend([Fr::Iac, Fr::Si]);
    }
    if !s.encrypted {
        out.push(Fr::Dc);
    }
    out
}

/// PRO-001: a service that cannot protect IAC/SI (unauthenticated) or DC
/// (unencrypted) into a zone whose SL-T on that FR is 3 or more and higher
/// than the initiator's, with no tunnel or unidirectional control (DPI
/// allow-list alone: warning).
pub fn pro_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        if TUNNELS.iter().any(|t| c.has(*t)) {
            continue;
        }
        for (s, span) in services(ctx.model, c) {
            let weak = weak_frs(s);
            if weak.is_empty() {
                continue;
            }
            let mut gaps = BTreeSet::new();
            let mut zones = BTreeSet::new();
            let mut labels = Vec::new();
            for (a, b) in flows(c) {
                let (za, zb) = (ctx.zone(a.zone), ctx.zone(b.zone));
                let frs: Vec<Fr> = weak
                    .iter()
                    .copied()
                    .filter(|fr| zb.sl_of(*fr) >= 3 && za.sl_of(*fr) < zb.sl_of(*fr))
                    .collect();
                if frs.is_empty() {
                    continue;
                }
                if zones.insert(b.zone) {
                    let what: Vec<String> = frs
                        .iter()
                        .map(|f| format!("{} {}", f.as_str().to_uppercase(), zb.sl_of(*f)))
                        .collect();
                    labels.push(endpoint_label(
                        ctx.model,
                        &b,
                        &format!("SL-T {}", what.join(", ")),
                    ));
                }
                gaps.extend(frs);
            }
            if zones.is_empty() {
                continue;
            }
            let lacks = match (s.authenticated, s.encrypted) {
                (false, false) => "unauthenticated and unencrypted",
                (false, true) => "unauthenticated",
                _ => "unencrypted",
            };
            let names: Vec<String> = zones.iter().map(|z| ctx.zone(*z).name.clone()).collect();
            let mut hit = Hit::new(
                Subject::Conduit(cid),
                format!(
                    "conduit {} carries {lacks} {} into {} from a lower security level",
                    c.name,
                    s.name,
                    super::util::join(&names)
                ),
                Label::new(span, lacks),
            )
            .labels(labels)
            .protects(zones);
            if c.has(Control::DpiAllowlist) {
                hit = hit
                    .severity(Severity::Warning)
                    .note("a DPI allow-list limits the functions used but does not protect the data on the wire");
            }
            out.push(hit);
        }
    }
    out
}

/// PRO-002: a conduit over untrusted transit carries an unencrypted
/// service with no VPN, IPsec or MACsec.
pub fn pro_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live().filter(|(_, c)| c.untrusted_transit) {
        if [Control::Vpn, Control::Ipsec, Control::Macsec]
            .iter()
            .any(|t| c.has(*t))
        {
            continue;
        }
        for (s, span) in services(ctx.model, c).filter(|(s, _)| !s.encrypted) {
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "conduit {} carries unencrypted {} over untrusted transit",
                        c.name, s.name
                    ),
                    Label::new(span, "cleartext"),
                )
                .label(conduit_label(c, "untrusted-transit true"))
                .protects(super::util::protected_zones(c)),
            );
        }
    }
    out
}

/// PRO-003: a write-capable service into a Purdue 0-1 zone from a zone
/// that is not at level 1 or 2 (error when from the IT side).
pub fn pro_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let writes: Vec<_> = services(ctx.model, c)
            .filter(|(s, _)| s.has(Tag::Write))
            .collect();
        let Some((s, span)) = writes.first() else {
            continue;
        };
        let mut zones = BTreeSet::new();
        let mut from_it = false;
        let mut labels = Vec::new();
        for (a, b) in flows(c) {
            let (za, zb) = (ctx.zone(a.zone), ctx.zone(b.zone));
            let low = zb.purdue.as_ref().is_some_and(|p| p.value <= Purdue::L1);
            let ok_from = za
                .purdue
                .as_ref()
                .is_some_and(|p| matches!(p.value, Purdue::L1 | Purdue::L2));
            if low && !ok_from && super::util::is_ot(zb) {
                from_it |= is_it(za);
                if zones.insert(b.zone) {
                    labels.push(endpoint_label(
                        ctx.model,
                        &a,
                        "initiator outside levels 1-2",
                    ));
                    labels.push(endpoint_label(ctx.model, &b, "level 0-1 target"));
                }
            }
        }
        if zones.is_empty() {
            continue;
        }
        let names: Vec<String> = zones.iter().map(|z| ctx.zone(*z).name.clone()).collect();
        let mut hit = Hit::new(
            Subject::Conduit(cid),
            format!(
                "conduit {} allows write-capable {} into {} from outside Purdue levels 1-2",
                c.name,
                s.name,
                super::util::join(&names)
            ),
            Label::new(*span, "can write values or programs"),
        )
        .labels(labels)
        .protects(zones);
        if from_it {
            hit = hit.severity(Severity::Error);
        }
        out.push(hit);
    }
    out
}

/// PRO-005: a layer-2-only protocol in a conduit between zones.
pub fn pro_005(ctx: &Ctx<'_>) -> Vec<Hit> {
    super::bnd::tagged(ctx, Tag::Layer2, |c, s| {
        format!(
            "conduit {} carries layer-2 protocol {} across a zone boundary",
            c.name, s.name
        )
    })
}
