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

/// Ports of interactive sessions: SSH, Telnet, RDP, VNC, TeamViewer,
/// AnyDesk, WinRM.
const INTERACTIVE_TCP: &[u16] = &[22, 23, 3389, 5900, 5938, 7070, 5985, 5986];

/// Whether the conduit carries an interactive session: a `vendor` conduit,
/// a pivot-capable or remote-tool service (inline ports judged as the attack
/// model does), or a service whose ports include an interactive one (for
/// remote access also tcp 443: remote-access portals, RD Gateway).
fn interactive(ctx: &Ctx<'_>, c: &Conduit, remote: bool) -> bool {
    let port = |p: u16| INTERACTIVE_TCP.contains(&p) || (remote && p == 443);
    c.is_vendor()
        || !super::util::pivot_services(ctx, c).is_empty()
        || services(ctx.model, c).any(|(s, _)| {
            s.has(Tag::RemoteTool)
                || s.matches.iter().any(|m| {
                    m.proto == crate::model::Proto::Tcp
                        && m.ports.iter().any(|r| {
                            INTERACTIVE_TCP
                                .iter()
                                .chain(&[443])
                                .any(|p| port(*p) && r.contains(*p))
                        })
                })
        })
}

/// Interactive access from the enterprise network: a flow from a zone of
/// class `it` into a DMZ or OT zone (the office LAN is an untrusted
/// network to the control system, SR 1.13).
fn from_enterprise(ctx: &Ctx<'_>, c: &Conduit) -> bool {
    flows(c).iter().any(|(a, b)| {
        ctx.zone(a.zone).class == ZoneClass::It
            && (is_dmz(ctx.zone(b.zone)) || is_ot(ctx.zone(b.zone)))
    })
}

/// RA-002: interactive remote access, or interactive access from the
/// enterprise network into the DMZ or OT, without MFA.
pub fn ra_002(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for (cid, c) in ctx.live() {
        let remote = is_remote_access(ctx, c);
        if !(remote || from_enterprise(ctx, c)) || !interactive(ctx, c, remote) {
            continue;
        }
        if effective_controls(ctx, c).contains(&Control::Mfa) {
            continue;
        }
        let what = if remote {
            "remote access"
        } else {
            "interactive access from the enterprise network"
        };
        let mut hit = Hit::new(
            Subject::Conduit(cid),
            format!(
                "{what} through conduit {} has no multi-factor authentication",
                c.name
            ),
            conduit_label(c, what),
        )
        .protects(protected_zones(c));
        if let Some(span) = c.controls_span {
            hit = hit.label(Label::new(span, "declared controls"));
        }
        out.push(hit);
    }
    out
}

/// Whether a schedule leaves part of every day closed (a window, not
/// `00:00-24:00`).
fn bounded_schedule(s: &crate::model::Schedule) -> bool {
    s.end_minute.saturating_sub(s.start_minute) < 24 * 60
}

/// RA-003: remote access that is always on: no `approval`, and neither a
/// schedule with a daily window nor an `expires` date within
/// `max-remote-window-days` of the check date.
pub fn ra_003(ctx: &Ctx<'_>) -> Vec<Hit> {
    let max = i64::from(ctx.thresholds.max_remote_window_days);
    remote(ctx, |ctx, c| {
        if c.has(Control::Approval) {
            return None;
        }
        let schedule = c.schedule.as_ref().map(|s| &s.value);
        if schedule.is_some_and(bounded_schedule) {
            return None;
        }
        let days = c
            .expires
            .as_ref()
            .map(|e| e.value.days_since_epoch() - ctx.as_of.days_since_epoch());
        if days.is_some_and(|d| d <= max) {
            return None;
        }
        let mut why = Vec::new();
        why.push("no approval".to_string());
        match schedule {
            Some(s) => why.push(format!("schedule \"{}\" is open all day", s.text)),
            None => why.push("no schedule".to_string()),
        }
        match days {
            Some(d) => why.push(format!("expiry {d} days ahead (at most {max})")),
            None => why.push("no expiry".to_string()),
        }
        Some(format!(
            "remote access through conduit {} is always on ({})",
            c.name,
            why.join(", ")
        ))
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
