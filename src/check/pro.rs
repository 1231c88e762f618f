//! PRO: protocol security on conduits (SR 1.2, 3.1, 4.1; Purdue layering).

use super::util::{conduit_label, endpoint_label, flows, is_it, services};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::{Label, Severity};
use crate::model::{Control, Direction, Fr, Proto, Purdue, Tag};
use std::collections::BTreeSet;

/// Controls that protect a cleartext protocol on the wire.
const TUNNELS: [Control; 3] = [Control::Vpn, Control::Ipsec, Control::Macsec];

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

/// A query protocol (DNS, NTP): the client acts on the answer, so the
/// client's integrity is at stake, not the server's.
pub(super) fn is_query(s: &crate::model::Service) -> bool {
    !s.matches.is_empty()
        && s.matches.iter().all(|m| {
            matches!(m.proto, Proto::Tcp | Proto::Udp)
                && m.ports
                    .iter()
                    .all(|r| r.width() == 1 && matches!(r.lo, 53 | 123))
        })
}

/// NTP (udp/tcp 123 only).
fn is_time(s: &crate::model::Service) -> bool {
    !s.matches.is_empty()
        && s.matches
            .iter()
            .all(|m| !m.ports.is_empty() && m.ports.iter().all(|r| r.lo == 123 && r.hi == 123))
}

/// PRO-001: a service that cannot protect IAC/SI (unauthenticated) or DC
/// (unencrypted) into a zone whose SL-T on that FR is 3 or more, whatever
/// the initiator's level (for DNS and NTP: the client zone), with no tunnel
/// and no unidirectional control on a one-way conduit (DPI allow-list
/// alone: warning). Inline ports are judged as unknown protocols.
pub fn pro_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        if TUNNELS.iter().any(|t| c.has(*t)) || one_way_diode(c) {
            continue;
        }
        for (s, span) in services(ctx.model, c) {
            let query = is_query(s);
            let mut weak = weak_frs(s);
            if query && is_time(s) {
                // Time is public: only its integrity is at stake.
                weak.retain(|fr| *fr != Fr::Dc);
            }
            if weak.is_empty() {
                continue;
            }
            let mut zones = BTreeSet::new();
            let mut labels = Vec::new();
            for (a, b) in flows(c) {
                let at = if query { a } else { b };
                let z = ctx.zone(at.zone);
                let frs: Vec<Fr> = weak
                    .iter()
                    .copied()
                    .filter(|fr| z.sl_of(*fr) >= 3)
                    .collect();
                if frs.is_empty() || a.zone == b.zone {
                    continue;
                }
                if zones.insert(at.zone) {
                    let what: Vec<String> = frs
                        .iter()
                        .map(|f| format!("{} {}", f.as_str().to_uppercase(), z.sl_of(*f)))
                        .collect();
                    let role = if query { "client, " } else { "" };
                    labels.push(endpoint_label(
                        ctx.model,
                        &at,
                        &format!("{role}SL-T {}", what.join(", ")),
                    ));
                }
            }
            if zones.is_empty() {
                continue;
            }
            let lacks = match (s.inline, s.authenticated, s.encrypted) {
                (true, _, _) => "unknown protocol (not shown to authenticate or encrypt)",
                (false, false, false) => "unauthenticated and unencrypted",
                (false, false, true) => "unauthenticated",
                _ => "unencrypted",
            };
            let names: Vec<String> = zones.iter().map(|z| ctx.zone(*z).name.clone()).collect();
            let message = if query {
                format!(
                    "conduit {} carries {lacks} {} whose answers {} act on",
                    c.name,
                    s.name,
                    super::util::join(&names)
                )
            } else {
                format!(
                    "conduit {} carries {lacks} {} into {}",
                    c.name,
                    s.name,
                    super::util::join(&names)
                )
            };
            let short = if s.inline { "unknown protocol" } else { lacks };
            let mut hit = Hit::new(Subject::Conduit(cid), message, Label::new(span, short))
                .labels(labels)
                .protects(zones);
            if c.has(Control::Unidirectional) {
                hit = hit.label(conduit_label(c, "`controls unidirectional` on a `<->` conduit"))
                    .note("`controls unidirectional` contradicts a `<->` conduit: data flows both ways, so it protects nothing here");
            } else if c.has(Control::DpiAllowlist) {
                hit = hit
                    .severity(Severity::Warning)
                    .note("a DPI allow-list limits the functions used but does not protect the data on the wire");
            }
            out.push(hit);
        }
    }
    out
}

/// A one-way conduit through a unidirectional gateway: nothing flows back.
/// On a `<->` conduit the control is a contradiction and counts for nothing.
pub(super) fn one_way_diode(c: &crate::model::Conduit) -> bool {
    c.has(Control::Unidirectional) && c.direction == Direction::Forward
}

/// PRO-002: a conduit over untrusted transit, with no VPN, IPsec or
/// MACsec, carries a service that does not protect what the protected
/// zones' SL-T asks for: an unauthenticated one (error at SL-T SI or DC 2,
/// else warning), or an authenticated but unencrypted one into a zone with
/// SL-T DC 2 or more (error).
pub fn pro_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live().filter(|(_, c)| c.untrusted_transit) {
        if TUNNELS.iter().any(|t| c.has(*t)) {
            continue;
        }
        let zones = super::util::protected_zones(c);
        let top = |fr: Fr| {
            zones
                .iter()
                .map(|z| ctx.zone(*z).sl_of(fr))
                .max()
                .unwrap_or(0)
        };
        let (si, dc) = (top(Fr::Si), top(Fr::Dc));
        for (s, span) in services(ctx.model, c).filter(|(s, _)| !s.encrypted) {
            let (what, severity) = if !s.authenticated {
                (
                    "unauthenticated, cleartext",
                    if si >= 2 || dc >= 2 {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                )
            } else if dc >= 2 {
                ("cleartext", Severity::Error)
            } else {
                continue;
            };
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "conduit {} carries {what} {} over untrusted transit (protected SL-T SI {si}, DC {dc})",
                        c.name, s.name
                    ),
                    Label::new(span, what),
                )
                .label(conduit_label(c, "untrusted-transit true"))
                .protects(zones.iter().copied())
                .severity(severity),
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
        let writes: Vec<_> = super::util::write_services(ctx, c);
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
