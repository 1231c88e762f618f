//! The detail pages: per zone its IEC 62443-3-2 ZCR 6.4 characteristics,
//! assets and conduits; the findings of the rule engine by severity; the
//! waivers, soonest expiry first.

use super::doc::{t, Badge, Block, Cell, Inline};
use super::summary::days_left;
use super::Facts;
use crate::check::Status;
use crate::diagnostics::Severity;
use crate::graph::render;
use crate::model::{AssetId, Conduit, Direction, Endpoint, Fr, Mode, Zone, ZoneClass, ZoneId};

fn or_missing(v: Option<&String>) -> Cell {
    match v {
        Some(s) => vec![t(s)],
        None => vec![Inline::Badge(Badge::Warn, "not recorded".into())],
    }
}

fn row(name: &'static str, value: Cell) -> Vec<Cell> {
    vec![vec![Inline::Strong(name.into())], value]
}

pub fn zones(f: &Facts<'_>) -> Vec<Block> {
    let mut out = vec![
        Block::PageBreak,
        Block::Heading(2, "Zones".into(), Some("zones")),
        Block::Para(vec![t(
            "Per zone the characteristics IEC 62443-3-2 ZCR 6.4 asks for, as far as the policy records them, from the top of the Purdue model down. The policy language holds no applicable security requirements, organisational policies, assumptions or external dependencies per zone; those are documented outside this report.",
        )]),
    ];
    // Conduits touching each zone, in name order: one pass over the conduits.
    let mut touching: Vec<Vec<&Conduit>> = vec![Vec::new(); f.model.zones.len()];
    for c in &f.model.conduits {
        let mut zs: Vec<ZoneId> = c
            .initiators
            .iter()
            .chain(&c.responders)
            .map(|e| e.zone)
            .collect();
        zs.sort_unstable();
        zs.dedup();
        for z in zs {
            if let Some(list) = touching.get_mut(z.0 as usize) {
                list.push(c);
            }
        }
    }
    for z in render::purdue_order(f.model) {
        let cs = touching.get(z.0 as usize).map_or(&[][..], Vec::as_slice);
        out.extend(zone(f, z, cs));
    }
    out
}

fn sl_cell(zone: &Zone) -> Cell {
    match zone.sl.as_ref() {
        None => vec![Inline::Badge(Badge::Warn, "no SL-T".into())],
        Some(s) => {
            let per: Vec<String> = Fr::ALL
                .iter()
                .map(|fr| format!("{} {}", fr.as_str().to_uppercase(), s.value.get(*fr)))
                .collect();
            vec![
                Inline::Strong(s.value.to_string()),
                t(format!(" ({})", per.join(", "))),
            ]
        }
    }
}

fn zone(f: &Facts<'_>, z: ZoneId, touching: &[&Conduit]) -> Vec<Block> {
    let m = f.model;
    let zone = m.zone(z);
    let safety = match (zone.class, zone.bpcs.as_ref()) {
        (ZoneClass::Safety, Some(b)) => format!(
            "safety zone; its one control (BPCS) zone is {}",
            m.zone(b.value).name
        ),
        (ZoneClass::Safety, None) => "safety zone".to_string(),
        _ => "not a safety zone".to_string(),
    };
    let networks: Vec<String> = zone.networks.iter().map(|n| n.value.to_string()).collect();
    let flags: Vec<&str> = [
        (zone.wireless, "wireless"),
        (zone.temporary, "transient devices"),
    ]
    .into_iter()
    .filter_map(|(on, s)| on.then_some(s))
    .collect();
    let mut rows = vec![
        row("Name", vec![t(&zone.name)]),
        row("Description", or_missing(zone.description.as_ref())),
        row("Accountable organisation", or_missing(zone.owner.as_ref())),
        row(
            "Level and class",
            vec![t(format!(
                "{} \u{b7} class {}",
                render::level_label(m, z),
                zone.class.as_str()
            ))],
        ),
        row("Safety designation", vec![t(safety)]),
        row("Logical boundary", vec![t(networks.join(", "))]),
        row("Site (physical boundary)", or_missing(zone.site.as_ref())),
        row("SL-T (FR1 \u{2026} FR7)", sl_cell(zone)),
        row(
            "Monitored",
            vec![if zone.monitored { t("yes") } else { t("no") }],
        ),
    ];
    if zone.class.is_ot_side() {
        rows.push(row(
            "Shutdown authority",
            or_missing(zone.shutdown_authority.as_ref()),
        ));
    }
    if !flags.is_empty() {
        rows.push(row("Also", vec![t(flags.join(", "))]));
    }
    let mut out = vec![
        Block::Heading(3, format!("Zone {}", zone.name), None),
        Block::Table {
            head: vec!["characteristic", "value"],
            rows,
        },
    ];
    out.push(assets(f, z, zone));
    out.push(conduits(f, z, touching));
    out
}

fn assets(f: &Facts<'_>, z: ZoneId, zone: &Zone) -> Block {
    if zone.assets.is_empty() {
        return Block::Para(vec![t("Assets: none declared individually.")]);
    }
    let rows = zone
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut class: Cell = Vec::new();
            if !a.patchable {
                class.push(Inline::Badge(Badge::Alarm, "UNPATCHABLE".into()));
                class.push(t(" "));
            }
            let marks: Vec<&str> = [
                (a.critical, "critical"),
                (a.safety, "safety"),
                (a.temporary, "temporary"),
                (a.wireless, "wireless"),
                (a.external_link, "own external link"),
            ]
            .into_iter()
            .filter_map(|(on, s)| on.then_some(s))
            .collect();
            let mut marks: Vec<String> = marks.into_iter().map(String::from).collect();
            let id = AssetId {
                zone: z,
                index: i as u32,
            };
            if let Some(h) = f.model.host_of(id) {
                let others: Vec<String> = h
                    .legs
                    .iter()
                    .filter(|l| l.zone != z)
                    .map(|l| {
                        let zone = f.model.zone(l.zone);
                        format!("{} ({})", zone.name, f.model.asset(*l).address.value)
                    })
                    .collect();
                let what = if h.boundary {
                    "boundary device"
                } else {
                    "multi-homed"
                };
                marks.push(format!("{what}, also in {}", others.join(", ")));
            }
            class.push(t(marks.join(", ")));
            vec![
                vec![t(&a.name)],
                vec![t(a.address.value.to_string())],
                vec![t(a.role.map_or("-", |r| r.as_str()))],
                vec![t(a.vendor.as_deref().unwrap_or("-"))],
                class,
                vec![t(a.description.as_deref().unwrap_or(""))],
            ]
        })
        .collect();
    Block::Table {
        head: vec![
            "asset",
            "address",
            "role",
            "vendor",
            "classification",
            "description",
        ],
        rows,
    }
}

fn ends(f: &Facts<'_>, eps: &[Endpoint]) -> String {
    let v: Vec<String> = eps.iter().map(|e| f.model.endpoint_name(e)).collect();
    v.join(", ")
}

/// `2027-03-31 (in 120 days)`, with a badge when expired or expiring.
fn expiry_cell(f: &Facts<'_>, date: Option<crate::model::Date>, none: Cell) -> Cell {
    let Some(d) = date else { return none };
    let (badge, text) = days_left(f, d);
    vec![
        t(format!("{d} ")),
        match badge {
            Some(b) => Inline::Badge(b, text),
            None => t(format!("({text})")),
        },
    ]
}

/// Mode, logging, vendor, controls and ticket of a conduit, in words.
fn notes(c: &Conduit) -> String {
    let mut notes: Vec<String> = Vec::new();
    if c.mode == Mode::Monitor {
        notes.push("monitor mode (not enforced)".into());
    }
    if c.log {
        notes.push("logs accepted connections".into());
    }
    if let Some(v) = &c.vendor {
        notes.push(format!("vendor {v}"));
    }
    if !c.controls.is_empty() {
        let ks: Vec<&str> = c.controls.iter().map(|k| k.as_str()).collect();
        notes.push(format!("controls {}", ks.join(", ")));
    }
    if let Some(tk) = &c.ticket {
        notes.push(format!("ticket {tk}"));
    }
    notes.join("; ")
}

/// The row of conduit `c` in the table of zone `z`, if it touches `z`.
fn conduit_row(f: &Facts<'_>, z: ZoneId, c: &Conduit) -> Option<Vec<Cell>> {
    let m = f.model;
    let from = c.initiators.iter().any(|e| e.zone == z);
    let to = c.responders.iter().any(|e| e.zone == z);
    let (way, arrow) = match (from, to, c.direction) {
        (false, false, _) => return None,
        (_, _, Direction::Both) => ("both ways", "<->"),
        (true, true, _) => ("in and out", "->"),
        (true, false, _) => ("out", "->"),
        (false, true, _) => ("in", "->"),
    };
    let services: Vec<&str> = c
        .services
        .iter()
        .map(|s| m.service(s.value).name.as_str())
        .collect();
    let flow = format!(
        "{} {arrow} {}",
        ends(f, &c.initiators),
        ends(f, &c.responders)
    );
    let justification = match &c.justification {
        Some(j) => vec![t(j)],
        None => vec![Inline::Badge(Badge::Warn, "none".into())],
    };
    let window = c
        .schedule
        .as_ref()
        .map_or("always", |s| s.value.text.as_str());
    Some(vec![
        vec![Inline::Strong(c.name.clone())],
        vec![t(way)],
        vec![t(flow)],
        vec![t(services.join(", "))],
        justification,
        vec![t(c.owner.as_deref().unwrap_or("-"))],
        vec![t(window)],
        expiry_cell(f, c.expires.as_ref().map(|e| e.value), vec![t("-")]),
        vec![t(notes(c))],
    ])
}

fn conduits(f: &Facts<'_>, z: ZoneId, touching: &[&Conduit]) -> Block {
    let rows: Vec<Vec<Cell>> = touching
        .iter()
        .filter_map(|c| conduit_row(f, z, c))
        .collect();
    if rows.is_empty() {
        return Block::Para(vec![t("Conduits: none; the zone talks to no other zone.")]);
    }
    Block::Table {
        head: vec![
            "conduit",
            "way",
            "flow",
            "services",
            "justification",
            "owner",
            "window (UTC)",
            "expires",
            "notes",
        ],
        rows,
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn findings(f: &Facts<'_>) -> Vec<Block> {
    let c = f.check;
    let mut out = vec![
        Block::PageBreak,
        Block::Heading(2, "Findings".into(), Some("findings")),
        Block::Para(vec![t(format!(
            "The IEC 62443 rule engine (the same rules as conduit check), as of {}: {} error(s), {} warning(s), {} info, {} waived.",
            f.as_of, c.summary.errors, c.summary.warnings, c.summary.infos, c.summary.waived
        ))]),
    ];
    let mut list: Vec<&crate::check::Finding> = c.findings.iter().collect();
    let rank = |s: Severity| match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    };
    list.sort_by_key(|x| (x.status != Status::Active, rank(x.severity())));
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|x| {
            let sev = severity_name(x.severity());
            let badge = match (x.status, x.severity()) {
                (Status::Waived, _) => Inline::Badge(Badge::Note, format!("{sev}, waived")),
                (_, Severity::Error) => Inline::Badge(Badge::Alarm, sev.into()),
                (_, Severity::Warning) => Inline::Badge(Badge::Warn, sev.into()),
                (_, Severity::Info) => Inline::Badge(Badge::Note, sev.into()),
            };
            vec![
                vec![badge],
                vec![Inline::Strong(x.rule().to_string())],
                vec![t(&x.clause)],
                vec![t(&x.subject_name)],
                vec![t(&x.title), t(": "), t(&x.diagnostic.message)],
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push(Block::Para(vec![t("No finding.")]));
    } else {
        out.push(Block::Table {
            head: vec!["severity", "rule", "clause", "subject", "finding"],
            rows,
        });
    }
    out
}

pub fn waivers(f: &Facts<'_>) -> Vec<Block> {
    let m = f.model;
    let mut out = vec![Block::Heading(2, "Waivers".into(), Some("waivers"))];
    if m.waivers.is_empty() {
        out.push(Block::Para(vec![t("The policy holds no waiver.")]));
        return out;
    }
    let mut order: Vec<usize> = (0..m.waivers.len()).collect();
    // Soonest expiry first, waivers without one last.
    order.sort_by_key(|&i| {
        let date = m
            .waivers
            .get(i)
            .and_then(|w| w.expires.as_ref().map(|e| e.value));
        (date.is_none(), date, i)
    });
    let rows = order
        .iter()
        .filter_map(|&i| m.waivers.get(i).map(|w| (i, w)))
        .map(|(i, w)| {
            let waived = f
                .check
                .findings
                .iter()
                .filter(|x| x.waived_by == Some(i))
                .count();
            let expiry = expiry_cell(
                f,
                w.expires.as_ref().map(|e| e.value),
                vec![Inline::Badge(Badge::Warn, "no expiry".into())],
            );
            vec![
                vec![Inline::Strong(w.rule.value.clone())],
                vec![t(super::target(m, w))],
                vec![t(w.kind.map_or("-", |k| k.as_str()))],
                or_missing(w.approved_by.as_ref()),
                or_missing(w.justification.as_ref()),
                vec![t(w.compensating.as_deref().unwrap_or("-"))],
                expiry,
                vec![t(w.ticket.as_deref().unwrap_or("-"))],
                vec![t(format!("{waived}"))],
            ]
        })
        .collect();
    out.push(Block::Table {
        head: vec![
            "rule",
            "on",
            "kind",
            "approved by",
            "justification",
            "compensating controls",
            "expires",
            "ticket",
            "findings waived",
        ],
        rows,
    });
    out
}
