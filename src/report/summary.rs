//! The first page: the insurer's three questions answered from the model
//! (segmented? monitored? incident response tested?), then what has
//! expired or expires soon.

use super::doc::{t, Badge, Block, Inline};
use super::Facts;
use crate::model::{Control, Mode, ZoneClass};

/// Days ahead within which an expiry counts as expiring.
pub const EXPIRING_DAYS: i64 = 90;

pub fn answers(f: &Facts<'_>) -> Vec<Block> {
    vec![segmented(f), monitored(f), incident_response(f)]
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// `1 zone`, `7 zones`.
fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn segmented(f: &Facts<'_>) -> Block {
    let m = f.model;
    let b = f.blast;
    let mut by_class = Vec::new();
    for class in ZoneClass::ALL {
        let n = m.zones.iter().filter(|z| z.class == class).count();
        if n > 0 {
            by_class.push(format!("{n} {}", class.as_str()));
        }
    }
    let sources = names(b.sources.iter().map(|s| m.zone(s.zone).name.as_str()));
    let classes = if by_class.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_class.join(", "))
    };
    let mut points = vec![vec![t(format!(
        "{}{classes} joined by {}; every other flow is denied.",
        count(m.zones.len(), "zone"),
        count(m.conduits.len(), "conduit"),
    ))]];
    let crossings = &b.crossings;
    let bypass: Vec<&str> = crossings
        .iter()
        .filter(|c| !c.dmz_dominates)
        .map(|c| m.zone(c.zone).name.as_str())
        .collect();
    points.push(if b.sources.is_empty() {
        vec![t(
            "The policy has no IT or external zone, so there is no blast radius to compute.",
        )]
    } else if crossings.is_empty() {
        vec![t(format!(
            "No OT or safety zone can be reached from the IT and external zones ({sources})."
        ))]
    } else if bypass.is_empty() {
        vec![t(format!(
            "DMZ dominance: every path from the IT and external zones into the {} reachable OT zones passes through a DMZ zone.",
            crossings.len()
        ))]
    } else {
        vec![
            Inline::Badge(Badge::Alarm, "DMZ bypass".into()),
            t(format!(
                " {} of {} reachable OT zones can be reached without passing a DMZ zone: {}.",
                bypass.len(),
                crossings.len(),
                bypass.join(", ")
            )),
        ]
    });
    let e = &b.exposure;
    let compromised = names(
        b.zones
            .iter()
            .filter(|z| z.compromised && m.zone(z.zone).class.is_ot_side())
            .map(|z| m.zone(z.zone).name.as_str()),
    );
    if !b.sources.is_empty() {
        points.push(vec![t(format!(
            "Blast radius from {sources}: {:.1}% of OT asset weight is reachable ({} of {} OT assets); OT zones an attacker can take over: {compromised}.",
            e.percent(),
            e.reached_assets,
            e.total_assets
        ))]);
    }
    let safety: Vec<&str> = crossings
        .iter()
        .filter(|c| c.safety)
        .map(|c| m.zone(c.zone).name.as_str())
        .collect();
    points.push(if safety.is_empty() {
        vec![
            Inline::Badge(Badge::Ok, "safety".into()),
            t(" No safety zone is reachable from the IT and external zones."),
        ]
    } else {
        vec![
            Inline::Badge(Badge::Alarm, "SAFETY ALARM".into()),
            t(format!(" Safety zone reachable: {}.", safety.join(", "))),
        ]
    });
    if let Some(cut) = b.min_cut.as_ref().ok().filter(|c| !c.conduits.is_empty()) {
        let cs = names(cut.conduits.iter().map(|c| m.conduit(*c).name.as_str()));
        points.push(vec![t(format!(
            "Choke point: removing {cs} ({} conduit{}) cuts every source off every OT and safety zone.",
            cut.conduits.len(),
            if cut.conduits.len() == 1 { "" } else { "s" }
        ))]);
    }
    let verdict = if m.zones.len() < 2 || !safety.is_empty() {
        (Badge::Alarm, "No".to_string())
    } else if !bypass.is_empty() {
        (Badge::Warn, "Partly".to_string())
    } else if e.reached_weight > 0 {
        (Badge::Warn, "Yes, with OT exposure".to_string())
    } else {
        (Badge::Ok, "Yes".to_string())
    };
    Block::Answer {
        question: "Is the plant segmented?",
        verdict,
        points,
    }
}

fn monitored(f: &Facts<'_>) -> Block {
    let m = f.model;
    let zones: Vec<&str> = m
        .zones
        .iter()
        .filter(|z| z.monitored)
        .map(|z| z.name.as_str())
        .collect();
    let unmonitored_ot = names(
        m.zones
            .iter()
            .filter(|z| z.class.is_ot_side() && !z.monitored)
            .map(|z| z.name.as_str()),
    );
    let watched: Vec<String> = m
        .conduits
        .iter()
        .filter(|c| c.has(Control::FlowLogs) || c.has(Control::Ids) || c.log)
        .map(|c| {
            let mut on: Vec<&str> = [Control::FlowLogs, Control::Ids]
                .into_iter()
                .filter(|k| c.has(*k))
                .map(Control::as_str)
                .collect();
            if c.log {
                on.push("log");
            }
            format!("{} ({})", c.name, on.join(", "))
        })
        .collect();
    let monitor_mode: Vec<&str> = m
        .conduits
        .iter()
        .filter(|c| c.mode == Mode::Monitor)
        .map(|c| c.name.as_str())
        .collect();
    let mut points = vec![
        vec![
            t("Zones with "),
            Inline::Code("monitored"),
            t(format!(
                ": {} of {} ({}). OT and safety zones without: {unmonitored_ot}.",
                zones.len(),
                m.zones.len(),
                names(zones.iter().copied())
            )),
        ],
        vec![
            t("Conduits with "),
            Inline::Code("flow-logs"),
            t(", "),
            Inline::Code("ids"),
            t(" or "),
            Inline::Code("log true"),
            t(format!(
                ": {} of {} ({}).",
                watched.len(),
                m.conduits.len(),
                names(watched.iter().map(String::as_str))
            )),
        ],
    ];
    points.push(if monitor_mode.is_empty() {
        vec![t(
            "No conduit is in monitor mode: every conduit is enforced.",
        )]
    } else {
        vec![
            Inline::Badge(Badge::Warn, "to enforce".into()),
            t(format!(
                " Conduits in monitor mode (logged, not blocked), still to be enforced: {}.",
                monitor_mode.join(", ")
            )),
        ]
    });
    let verdict = if zones.is_empty() && watched.is_empty() {
        (Badge::Alarm, "Not declared".to_string())
    } else if unmonitored_ot == "none" {
        (Badge::Ok, "Yes".to_string())
    } else {
        (Badge::Warn, "Partly".to_string())
    };
    Block::Answer {
        question: "Is the plant monitored?",
        verdict,
        points,
    }
}

fn incident_response(f: &Facts<'_>) -> Block {
    let m = f.model;
    let ot: Vec<&crate::model::Zone> = m.zones.iter().filter(|z| z.class.is_ot_side()).collect();
    let with: Vec<String> = ot
        .iter()
        .filter_map(|z| {
            z.shutdown_authority
                .as_ref()
                .map(|a| format!("{}: {a}", z.name))
        })
        .collect();
    let without = names(
        ot.iter()
            .filter(|z| z.shutdown_authority.is_none())
            .map(|z| z.name.as_str()),
    );
    let points = vec![
        vec![
            t("OT and safety zones with a "),
            Inline::Code("shutdown-authority"),
            t(format!(
                ": {} of {} ({}). Without: {without}.",
                with.len(),
                ot.len(),
                names(with.iter().map(String::as_str))
            )),
        ],
        vec![
            Inline::Badge(Badge::Note, "not in the policy".into()),
            t(" Test evidence: the policy language has no statement for incident-response exercises (no date, scope or result of a test can be recorded), so this report cannot show that incident response has been tested. That evidence has to come from the plant's exercise records."),
        ],
    ];
    let verdict = if with.len() == ot.len() && !ot.is_empty() {
        (
            Badge::Note,
            "Authority named; tests not recorded".to_string(),
        )
    } else {
        (Badge::Warn, "Partly named; tests not recorded".to_string())
    };
    Block::Answer {
        question: "Is incident response tested?",
        verdict,
        points,
    }
}

/// One dated item: a conduit's access or a waiver.
pub struct Dated {
    pub what: String,
    pub date: crate::model::Date,
    pub effect: &'static str,
}

/// `expired 3 days ago`, `expires today`, `in 120 days`, with the badge
/// that goes with it.
pub fn days_left(f: &Facts<'_>, date: crate::model::Date) -> (Option<Badge>, String) {
    let d = date.days_since_epoch() - f.as_of.days_since_epoch();
    match d {
        d if d < 0 => (Some(Badge::Alarm), format!("expired {} days ago", -d)),
        0 => (Some(Badge::Alarm), "expired today".to_string()),
        d if d <= EXPIRING_DAYS => (Some(Badge::Warn), format!("expires in {d} days")),
        d => (None, format!("in {d} days")),
    }
}

/// Every dated item, soonest first (expired ones lead).
pub fn dated(f: &Facts<'_>) -> Vec<Dated> {
    let m = f.model;
    let mut out: Vec<Dated> = m
        .conduits
        .iter()
        .filter_map(|c| {
            c.expires.as_ref().map(|e| Dated {
                what: format!("conduit {}", c.name),
                date: e.value,
                effect: "access ends: left out of the firewall rules from 00:00 UTC",
            })
        })
        .chain(m.waivers.iter().filter_map(|w| {
            w.expires.as_ref().map(|e| Dated {
                what: format!("waiver of {} on {}", w.rule.value, super::target(m, w)),
                date: e.value,
                effect: "the waived finding becomes active again",
            })
        }))
        .collect();
    out.sort_by(|a, b| (a.date, &a.what).cmp(&(b.date, &b.what)));
    out
}

/// The "expired and expiring" section.
pub fn attention(f: &Facts<'_>) -> Vec<Block> {
    let mut blocks = vec![Block::Heading(
        2,
        "Expired and expiring".into(),
        Some("expiring"),
    )];
    let items = dated(f);
    let soon: Vec<&Dated> = items
        .iter()
        .filter(|d| d.date.days_since_epoch() - f.as_of.days_since_epoch() <= EXPIRING_DAYS)
        .collect();
    if soon.is_empty() {
        let next = items
            .first()
            .map(|d| format!(" The next expiry is {} on {}.", d.what, d.date))
            .unwrap_or_default();
        blocks.push(Block::Para(vec![t(format!(
            "Nothing has expired or expires within {EXPIRING_DAYS} days of {}.{next}",
            f.as_of
        ))]));
    } else {
        blocks.push(Block::Para(vec![t(format!(
            "Items expired or expiring within {EXPIRING_DAYS} days of {}, soonest first.",
            f.as_of
        ))]));
    }
    let rows = items
        .iter()
        .map(|d| {
            let (badge, text) = days_left(f, d.date);
            let when = match badge {
                Some(b) => vec![Inline::Badge(b, text)],
                None => vec![t(text)],
            };
            vec![
                vec![t(&d.what)],
                vec![t(d.date.to_string())],
                when,
                vec![t(d.effect)],
            ]
        })
        .collect::<Vec<_>>();
    if !rows.is_empty() {
        blocks.push(Block::Table {
            head: vec!["item", "expires", "as of the report", "on expiry"],
            rows,
        });
    }
    blocks
}
