//! `--propose`: the conduits that would allow the observed deviations,
//! one per (initiator end, responder end, service), as `.zc` text for
//! review.
//!
//! An end is the declared asset holding the address; a whole zone only
//! when the zone declares no asset or is `external` (an undeclared host in
//! a zone with assets is refused: declare it first). The service is the
//! narrowest catalog or policy service covering the port, else an inline
//! one (`tcp 8080`).
//!
//! Refused, and written commented out with the reason, for a human to
//! decide: flows into or out of a safety zone, flows between the IT side
//! and the OT side that bypass the DMZ, flows seen outside the window (or
//! after the expiry) of a conduit that already allows the service, and any
//! proposal that would also allow a refused flow. Merged with the policy,
//! the active conduits leave exactly the refused flows as deviations.
//!
//! Only policy names (checked by the language), parsed addresses and
//! numbers reach the text: nothing from a log line is copied.

use super::aggregate::{FlowKey, L4Key, Observer, Outcome, Seen};
use super::time::format_iso;
use crate::compile::eval::PacketL4;
use crate::compile::explain::DenyReason;
use crate::model::{Model, Proto, ServiceId, ServiceMatch, ZoneClass, ZoneId};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

/// One end of a proposed conduit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Asset(ZoneId, u32),
    Zone(ZoneId),
}

/// The service of a proposed conduit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Svc {
    /// A catalog or policy service by name.
    Named(String),
    /// Inline: `tcp 8080`, `udp 5000`, `icmp 8`, `icmp`, `proto 47`.
    Inline(String),
}

impl Svc {
    fn text(&self) -> &str {
        match self {
            Svc::Named(s) | Svc::Inline(s) => s,
        }
    }
}

/// A group of flows with the same proposal.
#[derive(Debug, Clone, Default)]
struct Group {
    flows: Vec<(FlowKey, Seen)>,
    refused: Option<String>,
}

type GroupKey = (End, End, Svc);

/// A proposal: its `.zc` text, and the flows it refuses to allow
/// (source, destination, transport), which stay deviations once the
/// text is merged with the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub text: String,
    pub refused: BTreeSet<(IpAddr, IpAddr, L4Key)>,
}

/// The proposal for the deviations the observer counted.
pub fn proposal(obs: &Observer<'_>) -> Proposal {
    let model = obs.model;
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    let mut loose: Vec<(FlowKey, Seen, String)> = Vec::new();
    for (key, seen) in &obs.flows {
        let Outcome::Deviation { reasons, .. } = key.outcome else {
            continue;
        };
        let ends = end_of(obs, key.src).and_then(|s| Ok((s, end_of(obs, key.dst)?)));
        let (src, dst) = match ends {
            Ok(e) => e,
            Err(why) => {
                loose.push((*key, *seen, why));
                continue;
            }
        };
        let svc = service_for(model, key.l4.l4(), key.src);
        let g = groups.entry((src, dst, svc)).or_default();
        g.flows.push((*key, *seen));
        if g.refused.is_none() {
            let list = obs.reasons.get(reasons).map_or(&[][..], Vec::as_slice);
            g.refused = refusal(model, src, dst, list);
        }
    }
    refuse_covering(model, &mut groups, &loose);
    let refused = groups
        .values()
        .filter(|g| g.refused.is_some())
        .flat_map(|g| g.flows.iter().map(|(k, _)| k))
        .chain(loose.iter().map(|(k, _, _)| k))
        .map(|k| (k.src, k.dst, k.l4))
        .collect();
    Proposal {
        text: render(model, &groups, &loose),
        refused,
    }
}

/// The end for an address, or why none can be proposed.
fn end_of(obs: &Observer<'_>, addr: IpAddr) -> Result<End, String> {
    let Some((place, _)) = obs.places.get(&addr) else {
        return Err(format!("{addr} was not placed"));
    };
    let Some(zone) = place.zone else {
        return Err(format!("{addr} is in no zone: add it to a zone first"));
    };
    if let Some(i) = place.asset {
        return Ok(End::Asset(zone, i));
    }
    let z = obs.model.zone(zone);
    if z.class == ZoneClass::External || z.assets.is_empty() {
        return Ok(End::Zone(zone));
    }
    Err(format!(
        "{addr} is not a declared asset of zone `{}`: declare it first",
        z.name
    ))
}

/// Why a group must not be proposed silently.
fn refusal(model: &Model, src: End, dst: End, reasons: &[DenyReason]) -> Option<String> {
    let (sz, dz) = (model.zone(zone_of(src)), model.zone(zone_of(dst)));
    for z in [dz, sz] {
        if z.class == ZoneClass::Safety {
            return Some(format!(
                "joins safety zone `{}`: only the process safety owner decides (SEG-003, SEG-004)",
                z.name
            ));
        }
    }
    let crosses = (sz.class.is_it_side() && dz.class.is_ot_side())
        || (sz.class.is_ot_side() && dz.class.is_it_side());
    if crosses {
        return Some(format!(
            "connects `{}` and `{}` directly, bypassing the DMZ (SEG-008)",
            sz.name, dz.name
        ));
    }
    reasons.iter().find_map(|r| match r {
        DenyReason::OutsideWindow { conduit, schedule } => Some(format!(
            "seen outside the window of conduit `{conduit}` (\"{schedule}\"{}): widen its schedule if this is intended",
            crate::compile::explain::utc_note(schedule).trim_end_matches(')').replace(" (", " ")
        )),
        DenyReason::Expired { conduit, on } => Some(format!(
            "seen after conduit `{conduit}` expired on {on}: renew it if this is intended"
        )),
        _ => None,
    })
}

fn zone_of(e: End) -> ZoneId {
    match e {
        End::Asset(z, _) | End::Zone(z) => z,
    }
}

/// Whether a proposed end holds an address.
fn holds(model: &Model, end: End, addr: IpAddr) -> bool {
    match end {
        End::Asset(z, i) => model
            .zone(z)
            .assets
            .get(i as usize)
            .is_some_and(|a| a.address.value == addr),
        End::Zone(z) => model.zone_of_addr(addr) == Some(z),
    }
}

/// Refuses every active group that would also allow a refused flow,
/// until none does.
fn refuse_covering(
    model: &Model,
    groups: &mut BTreeMap<GroupKey, Group>,
    loose: &[(FlowKey, Seen, String)],
) {
    loop {
        let refused: Vec<FlowKey> = groups
            .values()
            .filter(|g| g.refused.is_some())
            .flat_map(|g| g.flows.iter().map(|(k, _)| *k))
            .chain(loose.iter().map(|(k, _, _)| *k))
            .collect();
        let mut changed = false;
        for ((src, dst, svc), g) in groups.iter_mut() {
            if g.refused.is_some() {
                continue;
            }
            let hit = refused.iter().find(|k| {
                holds(model, *src, k.src)
                    && holds(model, *dst, k.dst)
                    && svc_allows(model, svc, k.l4.l4(), k.src)
            });
            if let Some(k) = hit {
                g.refused = Some(format!(
                    "would also allow the refused flow {} -> {} {}",
                    k.src,
                    k.dst,
                    inline_text(k.l4.l4(), k.src.is_ipv6())
                ));
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Whether a service line matches every connection of a flow (as the
/// plan reads it: `icmp` on IPv4 only, `icmpv6` on IPv6 only, error types
/// never). A line restricted to source ports or an ICMP code covers only
/// some connections of a flow, so it is never proposed for one.
fn line_allows(m: &ServiceMatch, l4: PacketL4, v6: bool) -> bool {
    match (m.proto, l4) {
        (Proto::Tcp, PacketL4::Tcp(p)) | (Proto::Udp, PacketL4::Udp(p)) => {
            m.sports.is_empty() && m.ports.iter().any(|r| r.contains(p))
        }
        (Proto::Icmp | Proto::Icmp6, PacketL4::Icmp(t)) => {
            (m.proto == Proto::Icmp6) == v6
                && m.icmp_code.is_none()
                && m.icmp_type.is_none_or(|want| want == t)
                && !crate::model::is_icmp_error(m.proto, t)
        }
        (Proto::Other(n), PacketL4::Proto(k)) => n == k,
        _ => false,
    }
}

fn svc_allows(model: &Model, svc: &Svc, l4: PacketL4, src: IpAddr) -> bool {
    let v6 = src.is_ipv6();
    match svc {
        Svc::Named(name) => model.service_by_name(name).is_some_and(|id| {
            model
                .service(id)
                .matches
                .iter()
                .any(|m| line_allows(m, l4, v6))
        }),
        Svc::Inline(text) => {
            let bare = if v6 { "icmpv6" } else { "icmp" };
            *text == inline_text(l4, v6) || (text == bare && matches!(l4, PacketL4::Icmp(_)))
        }
    }
}

/// The named service covering a connection: one some conduit of the
/// policy already allows before any other (tcp 102 is `s7comm` in a
/// Siemens plant, not `iec61850-mms`), then the narrowest, then by name;
/// else an inline one.
fn service_for(model: &Model, l4: PacketL4, src: IpAddr) -> Svc {
    let v6 = src.is_ipv6();
    let width = |s: &crate::model::Service| -> u64 {
        s.matches
            .iter()
            .map(|m| {
                m.ports
                    .iter()
                    .map(|p| u64::from(p.width()))
                    .sum::<u64>()
                    .max(1)
            })
            .sum()
    };
    let used: BTreeSet<ServiceId> = model
        .conduits
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.value))
        .collect();
    let best = model
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.inline && s.matches.iter().any(|m| line_allows(m, l4, v6)))
        .min_by_key(|(i, s)| {
            let id = ServiceId(u32::try_from(*i).unwrap_or(u32::MAX));
            (!used.contains(&id), width(s), s.name.as_str())
        })
        .map(|(_, s)| s);
    match best {
        Some(s) => Svc::Named(s.name.clone()),
        None => Svc::Inline(inline_text(l4, v6)),
    }
}

/// The inline service of a connection: `tcp 502`, `icmp 8`, `icmpv6 128`.
fn inline_text(l4: PacketL4, v6: bool) -> String {
    match l4 {
        PacketL4::Icmp(t) if v6 => format!("icmpv6 {t}"),
        other => crate::compile::explain::describe_l4(other),
    }
}

fn end_text(model: &Model, e: End) -> String {
    match e {
        End::Asset(z, i) => {
            let zone = model.zone(z);
            let asset = zone.assets.get(i as usize).map_or("", |a| a.name.as_str());
            format!("{}.{asset}", zone.name)
        }
        End::Zone(z) => model.zone(z).name.clone(),
    }
}

/// `observed-<from>-to-<to>-<service>`, made unique by a content hash
/// when two groups (or an existing conduit) would share it.
fn names(model: &Model, groups: &BTreeMap<GroupKey, Group>) -> Vec<String> {
    let base: Vec<String> = groups
        .keys()
        .map(|(s, d, svc)| {
            let raw = format!(
                "observed-{}-to-{}-{}",
                end_text(model, *s),
                end_text(model, *d),
                svc.text()
            );
            raw.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        })
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for b in &base {
        *count.entry(b.as_str()).or_default() += 1;
    }
    base.iter()
        .zip(groups.keys())
        .map(|(b, (s, d, svc))| {
            let clash = count.get(b.as_str()).copied().unwrap_or(0) > 1
                || model.conduit_by_name(b).is_some();
            if clash {
                let key = format!(
                    "{} {} {}",
                    end_text(model, *s),
                    end_text(model, *d),
                    svc.text()
                );
                format!("{b}-{:08x}", fnv(&key))
            } else {
                b.clone()
            }
        })
        .collect()
}

fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

const SHOWN_FLOWS: usize = 5;

fn render(
    model: &Model,
    groups: &BTreeMap<GroupKey, Group>,
    loose: &[(FlowKey, Seen, String)],
) -> String {
    let mut out = String::from(
        "# Conduits proposed by `conduit observe` from the deviations it saw.\n\
         # Review each one and add its justification before merging. Conduits\n\
         # written as comments were refused: a human decides.\n",
    );
    let names = names(model, groups);
    for (((src, dst, svc), g), name) in groups.iter().zip(&names) {
        out.push('\n');
        let prefix = if let Some(why) = &g.refused {
            let _ = writeln!(out, "# REFUSED: {why}");
            "# "
        } else {
            ""
        };
        seen_comment(&mut out, &g.flows);
        let _ = writeln!(out, "{prefix}conduit {name} {{");
        let _ = writeln!(
            out,
            "{prefix}    {} -> {}",
            end_text(model, *src),
            end_text(model, *dst)
        );
        let _ = writeln!(out, "{prefix}    allow {}", svc.text());
        let _ = writeln!(out, "{prefix}}}");
    }
    if !loose.is_empty() {
        out.push_str("\n# Not proposed:\n");
        for (k, s, why) in loose {
            let _ = writeln!(
                out,
                "#   {} -> {} {}: {why} (seen {} times, {} .. {})",
                k.src,
                k.dst,
                inline_text(k.l4.l4(), k.src.is_ipv6()),
                s.count,
                format_iso(s.first),
                format_iso(s.last)
            );
        }
    }
    out
}

fn seen_comment(out: &mut String, flows: &[(FlowKey, Seen)]) {
    let count: u64 = flows.iter().map(|(_, s)| s.count).sum();
    let first = flows.iter().map(|(_, s)| s.first).min().unwrap_or(0);
    let last = flows.iter().map(|(_, s)| s.last).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "# seen {count} {}, {} .. {}",
        if count == 1 { "time" } else { "times" },
        format_iso(first),
        format_iso(last)
    );
    let mut distinct: BTreeMap<(IpAddr, IpAddr, String), u64> = BTreeMap::new();
    for (k, s) in flows {
        *distinct
            .entry((k.src, k.dst, inline_text(k.l4.l4(), k.src.is_ipv6())))
            .or_default() += s.count;
    }
    for ((s, d, t), n) in distinct.iter().take(SHOWN_FLOWS) {
        let _ = writeln!(out, "#   {s} -> {d} {t}: {n}");
    }
    if distinct.len() > SHOWN_FLOWS {
        let _ = writeln!(out, "#   and {} more flows", distinct.len() - SHOWN_FLOWS);
    }
}
