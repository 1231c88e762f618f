//! The exported form of the resolved model (`conduit export`): plain data
//! with names instead of ids and no spans, stable for other tools and tests.

use super::types::*;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportModel {
    pub version: u32,
    pub zones: Vec<ExportZone>,
    pub services: Vec<ExportService>,
    pub conduits: Vec<ExportConduit>,
    pub waivers: Vec<ExportWaiver>,
    /// Endpoint groups (left out when the policy declares none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<ExportGroup>,
    /// Multi-homed assets (left out when there are none); each leg is
    /// also an asset of its zone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<ExportHost>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportHost {
    pub name: String,
    /// `zone.asset` of each leg, by zone.
    pub legs: Vec<String>,
    pub addresses: Vec<String>,
    pub boundary_device: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportGroup {
    pub name: String,
    /// As written: zones, `zone.asset` and nested groups.
    pub members: Vec<String>,
    /// What the group stands for, nested groups expanded, sorted.
    pub endpoints: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportZone {
    pub name: String,
    pub purdue: Option<&'static str>,
    pub class: &'static str,
    /// `[iac, uc, si, dc, rdf, tre, ra]`, or null when no SL-T is declared.
    pub sl: Option<[u8; 7]>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub shutdown_authority: Option<String>,
    pub site: Option<String>,
    pub networks: Vec<String>,
    pub assets: Vec<ExportAsset>,
    pub wireless: bool,
    pub temporary: bool,
    pub monitored: bool,
    pub bpcs: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportAsset {
    pub name: String,
    pub address: String,
    pub role: Option<&'static str>,
    pub vendor: Option<String>,
    pub description: Option<String>,
    pub patchable: bool,
    pub critical: bool,
    pub safety: bool,
    pub temporary: bool,
    pub wireless: bool,
    pub external_link: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportService {
    pub name: String,
    pub builtin: bool,
    pub inline: bool,
    /// The services a bundle includes (absent for a plain service).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// `tcp 502`, `udp 47808 from 47808`, `icmp 3 code 4`, `icmpv6 128`,
    /// `proto 47`; a bundle's combined lines.
    pub matches: Vec<String>,
    pub authenticated: bool,
    pub encrypted: bool,
    pub tags: Vec<&'static str>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportConduit {
    pub name: String,
    pub initiators: Vec<String>,
    pub responders: Vec<String>,
    /// `->` or `<->`.
    pub direction: &'static str,
    pub services: Vec<String>,
    pub sl: Option<[u8; 7]>,
    pub justification: Option<String>,
    pub ticket: Option<String>,
    pub owner: Option<String>,
    pub vendor: Option<String>,
    pub expires: Option<String>,
    pub schedule: Option<String>,
    pub mode: &'static str,
    pub log: bool,
    pub untrusted_transit: bool,
    pub controls: Vec<&'static str>,
    /// Groups its flow line names (their endpoints are in `initiators`
    /// and `responders`); left out when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportWaiver {
    pub rule: String,
    /// `zone NAME` or `conduit NAME`.
    pub target: String,
    pub kind: Option<&'static str>,
    pub approved_by: Option<String>,
    pub justification: Option<String>,
    pub compensating: Option<String>,
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

/// Formats one service line as written in the language.
pub fn match_text(m: &ServiceMatch) -> String {
    let ports = || {
        m.ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let from = if m.sports.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = m.sports.iter().map(ToString::to_string).collect();
        format!(" from {}", list.join(","))
    };
    let icmp = |word: &str| match (m.icmp_type, m.icmp_code) {
        (Some(t), Some(c)) => format!("{word} {t} code {c}"),
        (Some(t), None) => format!("{word} {t}"),
        _ => word.to_string(),
    };
    match m.proto {
        Proto::Tcp => format!("tcp {}{from}", ports()),
        Proto::Udp => format!("udp {}{from}", ports()),
        Proto::Icmp => icmp("icmp"),
        Proto::Icmp6 => icmp("icmpv6"),
        Proto::Other(n) => format!("proto {n}"),
    }
}

/// The export form. Built-in services appear only when a conduit uses them
/// (directly or as a member of a bundle it uses), unless `all_services` is set.
pub fn export(model: &Model, all_services: bool) -> ExportModel {
    let mut used: BTreeSet<ServiceId> = BTreeSet::new();
    let mut todo: Vec<ServiceId> = model
        .conduits
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.value))
        .collect();
    while let Some(id) = todo.pop() {
        if used.insert(id) {
            todo.extend(model.service(id).includes.iter().map(|m| m.value));
        }
    }
    ExportModel {
        version: 1,
        zones: model.zones.iter().map(|z| zone(model, z)).collect(),
        services: model
            .services
            .iter()
            .enumerate()
            .filter(|(i, s)| all_services || !s.builtin || used.contains(&ServiceId(*i as u32)))
            .map(|(_, s)| service(model, s))
            .collect(),
        conduits: model
            .conduit_ids()
            .map(|id| conduit(model, id, model.conduit(id)))
            .collect(),
        waivers: model.waivers.iter().map(|w| waiver(model, w)).collect(),
        groups: model
            .groups
            .iter()
            .map(|g| ExportGroup {
                name: g.name.clone(),
                members: g.members.iter().map(|m| m.value.clone()).collect(),
                endpoints: endpoint_names(model, &g.endpoints),
            })
            .collect(),
        hosts: model
            .hosts
            .iter()
            .map(|h| ExportHost {
                name: h.name.clone(),
                legs: h
                    .legs
                    .iter()
                    .map(|l| format!("{}.{}", model.zone(l.zone).name, h.name))
                    .collect(),
                addresses: h
                    .legs
                    .iter()
                    .map(|l| model.asset(*l).address.value.to_string())
                    .collect(),
                boundary_device: h.boundary,
            })
            .collect(),
    }
}

fn zone(model: &Model, z: &Zone) -> ExportZone {
    ExportZone {
        name: z.name.clone(),
        purdue: z.purdue.as_ref().map(|p| p.value.as_str()),
        class: z.class.as_str(),
        sl: z.sl.as_ref().map(|s| s.value.0),
        owner: z.owner.clone(),
        description: z.description.clone(),
        shutdown_authority: z.shutdown_authority.clone(),
        site: z.site.clone(),
        // Canonical order, not declaration order: reordering a zone's
        // lines never changes the export.
        networks: {
            let mut nets: Vec<_> = z.networks.iter().map(|n| n.value).collect();
            nets.sort_unstable();
            nets.iter().map(ToString::to_string).collect()
        },
        assets: {
            let mut assets: Vec<&Asset> = z.assets.iter().collect();
            assets.sort_by(|a, b| a.name.cmp(&b.name));
            assets.into_iter().map(asset).collect()
        },
        wireless: z.wireless,
        temporary: z.temporary,
        monitored: z.monitored,
        bpcs: z.bpcs.as_ref().map(|b| model.zone(b.value).name.clone()),
    }
}

fn asset(a: &Asset) -> ExportAsset {
    ExportAsset {
        name: a.name.clone(),
        address: a.address.value.to_string(),
        role: a.role.map(Role::as_str),
        vendor: a.vendor.clone(),
        description: a.description.clone(),
        patchable: a.patchable,
        critical: a.critical,
        safety: a.safety,
        temporary: a.temporary,
        wireless: a.wireless,
        external_link: a.external_link,
    }
}

fn service(model: &Model, s: &Service) -> ExportService {
    ExportService {
        name: s.name.clone(),
        builtin: s.builtin,
        inline: s.inline,
        includes: s
            .includes
            .iter()
            .map(|m| model.service(m.value).name.clone())
            .collect(),
        matches: s.matches.iter().map(match_text).collect(),
        authenticated: s.authenticated,
        encrypted: s.encrypted,
        tags: s.tags.iter().map(|t| t.as_str()).collect(),
        description: s.description.clone(),
    }
}

fn conduit(model: &Model, id: ConduitId, c: &Conduit) -> ExportConduit {
    ExportConduit {
        name: c.name.clone(),
        initiators: endpoint_names(model, &c.initiators),
        responders: endpoint_names(model, &c.responders),
        direction: match c.direction {
            Direction::Forward => "->",
            Direction::Both => "<->",
        },
        services: c
            .services
            .iter()
            .map(|s| model.service(s.value).name.clone())
            .collect(),
        sl: c.sl.as_ref().map(|s| s.value.0),
        justification: c.justification.clone(),
        ticket: c.ticket.clone(),
        owner: c.owner.clone(),
        vendor: c.vendor.clone(),
        expires: c.expires.as_ref().map(|d| d.value.to_string()),
        schedule: c.schedule.as_ref().map(|s| s.value.text.clone()),
        mode: match c.mode {
            Mode::Enforce => "enforce",
            Mode::Monitor => "monitor",
        },
        log: c.log,
        untrusted_transit: c.untrusted_transit,
        controls: c.controls.iter().map(|c| c.as_str()).collect(),
        groups: model
            .groups
            .iter()
            .filter(|g| g.uses.iter().any(|u| u.conduit == id))
            .map(|g| g.name.clone())
            .collect(),
    }
}

/// Endpoint names sorted by name (the model orders assets as declared).
fn endpoint_names(model: &Model, side: &[Endpoint]) -> Vec<String> {
    let mut names: Vec<String> = side.iter().map(|e| model.endpoint_name(e)).collect();
    names.sort();
    names
}

fn waiver(model: &Model, w: &Waiver) -> ExportWaiver {
    ExportWaiver {
        rule: w.rule.value.clone(),
        target: match w.target {
            WaiverTarget::Zone(z) => format!("zone {}", model.zone(z).name),
            WaiverTarget::Conduit(c) => format!("conduit {}", model.conduit(c).name),
        },
        kind: w.kind.map(WaiverKind::as_str),
        approved_by: w.approved_by.clone(),
        justification: w.justification.clone(),
        compensating: w.compensating.clone(),
        expires: w.expires.as_ref().map(|d| d.value.to_string()),
        ticket: w.ticket.clone(),
    }
}

/// YAML text of the export (through the one YAML module).
pub fn to_yaml(doc: &ExportModel) -> Result<String, String> {
    crate::yaml::to_string(doc).map_err(|e| e.message)
}
