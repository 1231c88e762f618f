//! RA: remote and vendor access (SR 1.1, 1.13, 2.6, 2.8; CISA remote-access
//! guidance).
//!
//! Remote access is a conduit with `vendor`, or one opened from a zone of
//! class `external`. A vendor conduit opened by a DMZ jump host is the
//! second, brokered hop: it inherits the controls that every remote-access
//! conduit ending on that jump host declares.

use super::util::{
    conduit_label, effective_controls, endpoint_label, flows, is_dmz, is_ot, is_remote_access,
    protected_zones, services, touched_zones,
};
use super::{Ctx, Hit, Subject};
use crate::diagnostics::Label;
use crate::model::{Conduit, Control, Endpoint, Fr, Role, Tag, ZoneClass};

fn is_dmz_jump(ctx: &Ctx<'_>, ep: &Endpoint) -> bool {
    is_dmz(ctx.zone(ep.zone))
        && ep
            .asset_id()
            .is_some_and(|a| ctx.model.asset(a).role == Some(Role::JumpHost))
}

/// Remote flows: every flow of a vendor conduit, and flows from external zones.
fn remote_flows(ctx: &Ctx<'_>, c: &Conduit) -> Vec<(Endpoint, Endpoint)> {
    flows(c)
        .into_iter()
        .filter(|(a, _)| c.is_vendor() || ctx.zone(a.zone).class == ZoneClass::External)
        .collect()
}

/// RA-001: remote access that neither ends on a DMZ jump host nor starts
/// from one.
pub fn ra_001(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let bad = remote_flows(ctx, c).into_iter().find(|(a, b)| {
            let brokered_from =
                is_dmz_jump(ctx, a) && ctx.zone(a.zone).class != ZoneClass::External;
            !is_dmz_jump(ctx, b) && !brokered_from
        });
        if let Some((a, b)) = bad {
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "remote access {} -> {} in conduit {} does not terminate on a DMZ jump host",
                        ctx.model.endpoint_name(&a),
                        ctx.model.endpoint_name(&b),
                        c.name
                    ),
                    Label::new(c.flow_span, "not brokered in the DMZ"),
                )
                .label(endpoint_label(ctx.model, &b, "should be a jump host in a DMZ zone"))
                .protects(protected_zones(c)),
            );
        }
    }
    out
}

/// Whether the remote conduit carries an interactive session.
fn interactive(ctx: &Ctx<'_>, c: &Conduit) -> bool {
    c.is_vendor()
        || services(ctx.model, c).any(|(s, _)| {
            s.has(Tag::Pivot)
                || s.has(Tag::RemoteTool)
                || s.matches
                    .iter()
                    .any(|m| m.ports.iter().any(|r| r.contains(443)))
        })
}

/// RA-002: interactive remote access without MFA.
pub fn ra_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    remote(ctx, |ctx, c| {
        if !interactive(ctx, c) || effective_controls(ctx, c).contains(&Control::Mfa) {
            return None;
        }
        Some(format!(
            "remote access through conduit {} has no multi-factor authentication",
            c.name
        ))
    })
}

/// RA-003: remote access that is always on: no `approval`, `expires` or `schedule`.
pub fn ra_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    remote(ctx, |_, c| {
        let bounded = c.has(Control::Approval) || c.expires.is_some() || c.schedule.is_some();
        (!bounded).then(|| {
            format!(
                "remote access through conduit {} is always on (no approval, expiry or schedule)",
                c.name
            )
        })
    })
}

/// RA-004: remote access into a zone with SL-T(UC) >= 2 without
/// `idle-timeout`, or without `recording` or `flow-logs`.
pub fn ra_004(ctx: &Ctx<'_>) -> Vec<Hit> {
    remote(ctx, |ctx, c| {
        if !protected_zones(c)
            .iter()
            .any(|z| ctx.zone(*z).sl_of(Fr::Uc) >= 2)
        {
            return None;
        }
        let ctl = effective_controls(ctx, c);
        let mut missing = Vec::new();
        if !ctl.contains(&Control::IdleTimeout) {
            missing.push("idle-timeout");
        }
        if !ctl.contains(&Control::Recording) && !ctl.contains(&Control::FlowLogs) {
            missing.push("recording or flow-logs");
        }
        (!missing.is_empty()).then(|| {
            format!(
                "remote access through conduit {} lacks {}",
                c.name,
                missing.join(" and ")
            )
        })
    })
}

/// One hit per remote-access conduit for which `check` returns a message.
fn remote(ctx: &Ctx<'_>, check: impl Fn(&Ctx<'_>, &Conduit) -> Option<String>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live().filter(|(_, c)| is_remote_access(ctx, c)) {
        if let Some(msg) = check(ctx, c) {
            let mut hit = Hit::new(
                Subject::Conduit(cid),
                msg,
                conduit_label(c, "remote access"),
            )
            .protects(protected_zones(c));
            if let Some(span) = c.controls_span {
                hit = hit.label(Label::new(span, "declared controls"));
            }
            out.push(hit);
        }
    }
    out
}

/// RA-005: a third-party remote-access tool on a conduit touching OT.
pub fn ra_005(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        if !touched_zones(c).iter().any(|z| is_ot(ctx.zone(*z))) {
            continue;
        }
        for (s, span) in services(ctx.model, c).filter(|(s, _)| s.has(Tag::RemoteTool)) {
            out.push(
                Hit::new(
                    Subject::Conduit(cid),
                    format!(
                        "conduit {} allows remote-access tool {} at the OT boundary",
                        c.name, s.name
                    ),
                    Label::new(span, "remote-tool"),
                )
                .label(conduit_label(c, "touches an OT zone"))
                .protects(protected_zones(c)),
            );
        }
    }
    out
}
