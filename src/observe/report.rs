//! The observation report: per distinct flow, the conduit that allows it
//! or the deviation and why; the hosts the inventory lacks; the counts.
//! Rendered as JSON, text or Markdown, in the deterministic order of the
//! flows (source, destination, transport).
//!
//! Text from logs reaches the report only as parsed addresses and
//! numbers; file names (from the command line) are escaped, and Markdown
//! cells escape `|`, `<`, `&` and control characters.

use super::aggregate::{FlowKey, Observer, Outcome, Seen};
use super::time::format_iso;
use super::{escape, proto_name};
use crate::compile::eval::PacketL4;
use crate::compile::explain::DenyReason;
use crate::model::{Mode, ZoneClass};
use serde::Serialize;
use std::fmt::Write as _;
use std::net::IpAddr;

/// One log file's counts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileSummary {
    pub file: String,
    /// The format read (`None` when the file held no meaningful line).
    pub format: Option<&'static str>,
    pub lines: u64,
    pub connections: u64,
    pub malformed: u64,
    pub skipped: u64,
}

/// The flow fields common to both lists.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FlowFields {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: String,
    /// Destination port of tcp and udp.
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub src_zone: Option<String>,
    pub dst_zone: Option<String>,
    /// The declared asset holding the address (`zone.asset`).
    pub src_asset: Option<String>,
    pub dst_asset: Option<String>,
    /// The multi-homed host the address is a leg of (either address of the
    /// host gives the same name); left out for single-homed addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_host: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Allowed {
    #[serde(flatten)]
    pub flow: FlowFields,
    pub conduit: String,
    pub service: Option<String>,
    /// Allowed as the reverse direction of a `<->` conduit.
    pub reverse: bool,
    /// The conduit is in monitor mode (or the whole plan is).
    pub monitored: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReasonEntry {
    pub code: &'static str,
    pub conduit: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Deviation {
    #[serde(flatten)]
    pub flow: FlowFields,
    /// The main reason's code (`no-conduit`, `wrong-service`,
    /// `reverse-direction`, `outside-window`, `expired`, `no-zone`, `not-compiled`).
    pub reason: &'static str,
    /// Every reason, one per conduit joining the two ends.
    pub reasons: Vec<ReasonEntry>,
    /// `drop` (enforcement drops it today) or `would-drop` (monitor mode
    /// passes it; enforcement would drop it).
    pub verdict: &'static str,
    /// The monitored conduit that passes it today, if one does.
    pub monitored_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnknownHost {
    pub address: IpAddr,
    pub zone: String,
    /// Connections it took part in.
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files: Vec<FileSummary>,
    pub lines: u64,
    pub connections: u64,
    pub malformed: u64,
    pub skipped: u64,
    /// Connections inside one zone: they cross no conduit.
    pub intra_zone: u64,
    pub allowed_connections: u64,
    pub deviation_connections: u64,
    pub allowed_flows: usize,
    pub deviation_flows: usize,
    pub unknown_hosts: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub deviations: Vec<Deviation>,
    pub allowed: Vec<Allowed>,
    pub unknown_hosts: Vec<UnknownHost>,
    pub summary: Summary,
}

/// Stable code of a reason.
pub fn reason_code(r: &DenyReason) -> &'static str {
    match r {
        DenyReason::NoZone { .. } => "no-zone",
        DenyReason::SameZone { .. } => "same-zone",
        DenyReason::NoConduit { .. } => "no-conduit",
        DenyReason::ReverseDirection { .. } => "reverse-direction",
        DenyReason::WrongService { .. } => "wrong-service",
        DenyReason::Expired { .. } => "expired",
        DenyReason::OutsideWindow { .. } => "outside-window",
        DenyReason::NotCompiled { .. } => "not-compiled",
        DenyReason::DnsName { .. } => "dns-name",
    }
}

/// The conduit a reason is about.
pub fn reason_conduit(r: &DenyReason) -> Option<&str> {
    match r {
        DenyReason::ReverseDirection { conduit }
        | DenyReason::WrongService { conduit, .. }
        | DenyReason::Expired { conduit, .. }
        | DenyReason::OutsideWindow { conduit, .. }
        | DenyReason::NotCompiled { conduit }
        | DenyReason::DnsName { conduit, .. } => Some(conduit),
        _ => None,
    }
}

/// The reason closest to an allow: a window or expiry before a missing
/// service, before a wrong direction, before no conduit at all.
pub fn main_reason(reasons: &[DenyReason]) -> Option<&DenyReason> {
    let rank = |r: &DenyReason| match r {
        DenyReason::OutsideWindow { .. } => 0,
        DenyReason::Expired { .. } => 1,
        DenyReason::WrongService { .. } => 2,
        DenyReason::ReverseDirection { .. } => 3,
        DenyReason::NotCompiled { .. } => 4,
        DenyReason::DnsName { .. } => 4,
        DenyReason::NoConduit { .. } => 5,
        DenyReason::NoZone { .. } => 6,
        DenyReason::SameZone { .. } => 7,
    };
    reasons.iter().min_by_key(|r| rank(r))
}

impl Report {
    pub fn build(obs: &Observer<'_>, files: Vec<FileSummary>) -> Report {
        let mut deviations = Vec::new();
        let mut allowed = Vec::new();
        for (key, seen) in &obs.flows {
            let flow = flow_fields(obs, key, seen);
            match key.outcome {
                Outcome::Allowed(i) => allowed.push(allowed_entry(obs, flow, i, key)),
                Outcome::Deviation {
                    would_drop,
                    reasons,
                    scope_rule,
                } => {
                    let list = obs.reasons.get(reasons).map_or(&[][..], Vec::as_slice);
                    deviations.push(Deviation {
                        flow,
                        reason: main_reason(list).map_or("no-conduit", reason_code),
                        reasons: list
                            .iter()
                            .map(|r| ReasonEntry {
                                code: reason_code(r),
                                conduit: reason_conduit(r).map(str::to_string),
                                text: r.to_string(),
                            })
                            .collect(),
                        verdict: if would_drop { "would-drop" } else { "drop" },
                        monitored_by: scope_rule
                            .and_then(|i| obs.plan.rules.get(i))
                            .map(|r| r.conduit.clone()),
                    });
                }
            }
        }
        let unknown_hosts = unknown_hosts(obs);
        let c = obs.counts;
        let summary = Summary {
            lines: files.iter().map(|f| f.lines).sum(),
            malformed: files.iter().map(|f| f.malformed).sum(),
            skipped: files.iter().map(|f| f.skipped).sum(),
            files,
            connections: c.connections,
            intra_zone: c.intra_zone,
            allowed_connections: c.allowed,
            deviation_connections: c.deviations,
            allowed_flows: allowed.len(),
            deviation_flows: deviations.len(),
            unknown_hosts: unknown_hosts.len(),
            first_seen: c.first.map(format_iso),
            last_seen: c.last.map(format_iso),
        };
        Report {
            deviations,
            allowed,
            unknown_hosts,
            summary,
        }
    }

    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string());
        s.push('\n');
        s
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let s = &self.summary;
        let _ = writeln!(
            out,
            "deviations: {} flows, {} connections",
            s.deviation_flows, s.deviation_connections
        );
        for d in &self.deviations {
            let _ = writeln!(
                out,
                "  {}  [{}] {}",
                flow_line(&d.flow),
                d.reason,
                reason_text(d)
            );
        }
        let _ = writeln!(
            out,
            "allowed: {} flows, {} connections",
            s.allowed_flows, s.allowed_connections
        );
        for a in &self.allowed {
            let _ = writeln!(out, "  {}  by {}", flow_line(&a.flow), allowed_by(a));
        }
        let _ = writeln!(out, "unknown hosts: {}", s.unknown_hosts);
        for h in &self.unknown_hosts {
            let _ = writeln!(
                out,
                "  {} in zone {} ({} connections, {} .. {})",
                h.address, h.zone, h.count, h.first_seen, h.last_seen
            );
        }
        let _ = writeln!(out, "{}", summary_line(s));
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let s = &self.summary;
        let _ = writeln!(out, "## conduit observe\n\n{}\n", md(&summary_line(s)));
        let _ = writeln!(out, "### Deviations ({} flows)\n", s.deviation_flows);
        if !self.deviations.is_empty() {
            out.push_str("| source | destination | service | count | first seen | last seen | zones | reason |\n|---|---|---|---|---|---|---|---|\n");
            for d in &self.deviations {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    md(&endpoint(d.flow.src, &d.flow.src_asset)),
                    md(&endpoint(d.flow.dst, &d.flow.dst_asset)),
                    md(&transport(&d.flow)),
                    d.flow.count,
                    d.flow.first_seen,
                    d.flow.last_seen,
                    md(&zones(&d.flow)),
                    md(&format!("{}: {}", d.reason, reason_text(d)))
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "### Allowed ({} flows)\n", s.allowed_flows);
        if !self.allowed.is_empty() {
            out.push_str("<details><summary>allowed flows</summary>\n\n| source | destination | service | count | first seen | last seen | conduit |\n|---|---|---|---|---|---|---|\n");
            for a in &self.allowed {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    md(&endpoint(a.flow.src, &a.flow.src_asset)),
                    md(&endpoint(a.flow.dst, &a.flow.dst_asset)),
                    md(&transport(&a.flow)),
                    a.flow.count,
                    a.flow.first_seen,
                    a.flow.last_seen,
                    md(&allowed_by(a))
                );
            }
            out.push_str("\n</details>\n\n");
        }
        let _ = writeln!(out, "### Unknown hosts ({})\n", s.unknown_hosts);
        for h in &self.unknown_hosts {
            let _ = writeln!(
                out,
                "- {} in zone `{}`: {} connections, {} .. {}",
                h.address,
                md(&h.zone),
                h.count,
                h.first_seen,
                h.last_seen
            );
        }
        out
    }
}

fn flow_fields(obs: &Observer<'_>, key: &FlowKey, seen: &Seen) -> FlowFields {
    let l4 = key.l4.l4();
    let (port, icmp_type) = match l4 {
        PacketL4::Tcp(p) | PacketL4::Udp(p) => (Some(p), None),
        PacketL4::Icmp(t) => (None, Some(t)),
        PacketL4::Proto(_) => (None, None),
    };
    let zone_of = |a: IpAddr| {
        obs.places
            .get(&a)
            .and_then(|(p, _)| p.zone)
            .map(|z| obs.model.zone(z).name.clone())
    };
    let asset_of = |a: IpAddr| {
        let (p, _) = obs.places.get(&a)?;
        let zone = obs.model.zone(p.zone?);
        let asset = zone.assets.get(usize::try_from(p.asset?).ok()?)?;
        Some(format!("{}.{}", zone.name, asset.name))
    };
    let host_of = |a: IpAddr| {
        let (p, _) = obs.places.get(&a)?;
        let id = crate::model::AssetId {
            zone: p.zone?,
            index: p.asset?,
        };
        obs.model.host_of(id).map(|h| h.name.clone())
    };
    FlowFields {
        src: key.src,
        dst: key.dst,
        proto: proto_name(l4),
        port,
        icmp_type,
        count: seen.count,
        first_seen: format_iso(seen.first),
        last_seen: format_iso(seen.last),
        src_zone: zone_of(key.src),
        dst_zone: zone_of(key.dst),
        src_asset: asset_of(key.src),
        dst_asset: asset_of(key.dst),
        src_host: host_of(key.src),
        dst_host: host_of(key.dst),
    }
}

fn allowed_entry(obs: &Observer<'_>, flow: FlowFields, rule: usize, key: &FlowKey) -> Allowed {
    let r = obs.plan.rules.get(rule);
    let conduit = r.map_or_else(String::new, |r| r.conduit.clone());
    let c = obs
        .model
        .conduit_by_name(&conduit)
        .map(|id| obs.model.conduit(id));
    let src_zone = obs.places.get(&key.src).and_then(|(p, _)| p.zone);
    // Conduits never join a zone to itself: a source outside the
    // initiators' zones is the responder side of a `<->` conduit.
    let reverse = c.is_some_and(|c| !c.initiators.iter().any(|e| Some(e.zone) == src_zone));
    Allowed {
        flow,
        conduit,
        service: r.and_then(|r| r.service.clone()),
        reverse,
        monitored: obs.plan.mode == Mode::Monitor || c.is_some_and(|c| c.mode == Mode::Monitor),
    }
}

/// Addresses inside a zone's network (not an external zone's) that are no
/// declared asset.
fn unknown_hosts(obs: &Observer<'_>) -> Vec<UnknownHost> {
    obs.places
        .iter()
        .filter_map(|(addr, (p, seen))| {
            let zone = obs.model.zone(p.zone?);
            if p.asset.is_some() || zone.class == ZoneClass::External {
                return None;
            }
            Some(UnknownHost {
                address: *addr,
                zone: zone.name.clone(),
                count: seen.count,
                first_seen: format_iso(seen.first),
                last_seen: format_iso(seen.last),
            })
        })
        .collect()
}

fn transport(f: &FlowFields) -> String {
    match (f.port, f.icmp_type) {
        (Some(p), _) => format!("{} {p}", f.proto),
        (None, Some(t)) => format!("icmp {t}"),
        (None, None) => format!("proto {}", f.proto),
    }
}

fn endpoint(addr: IpAddr, asset: &Option<String>) -> String {
    match asset {
        Some(a) => format!("{addr} ({a})"),
        None => addr.to_string(),
    }
}

fn zones(f: &FlowFields) -> String {
    let z = |z: &Option<String>| z.clone().unwrap_or_else(|| "(no zone)".to_string());
    format!("{} -> {}", z(&f.src_zone), z(&f.dst_zone))
}

fn flow_line(f: &FlowFields) -> String {
    format!(
        "{} -> {} {}  x{}  {} .. {}  {}",
        endpoint(f.src, &f.src_asset),
        endpoint(f.dst, &f.dst_asset),
        transport(f),
        f.count,
        f.first_seen,
        f.last_seen,
        zones(f)
    )
}

fn reason_text(d: &Deviation) -> String {
    let mut t: Vec<String> = d.reasons.iter().map(|r| r.text.clone()).collect();
    if let Some(m) = &d.monitored_by {
        t.push(format!("passed today by monitored conduit `{m}`"));
    }
    escape(&t.join("; "))
}

fn allowed_by(a: &Allowed) -> String {
    let mut s = format!("conduit `{}`", a.conduit);
    if let Some(svc) = &a.service {
        let _ = write!(s, " ({svc})");
    }
    if a.reverse {
        s.push_str(", reverse direction");
    }
    if a.monitored {
        s.push_str(", monitor mode");
    }
    s
}

fn summary_line(s: &Summary) -> String {
    format!(
        "{} lines, {} connections ({} allowed, {} deviations, {} inside a zone), {} malformed lines, {} skipped; {} .. {}",
        s.lines,
        s.connections,
        s.allowed_connections,
        s.deviation_connections,
        s.intra_zone,
        s.malformed,
        s.skipped,
        s.first_seen.as_deref().unwrap_or("-"),
        s.last_seen.as_deref().unwrap_or("-")
    )
}

/// A Markdown table cell: one line, no `|`, no HTML.
pub fn md(s: &str) -> String {
    escape(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}
