//! The zone/conduit map shared by the DOT, Mermaid and SVG renderers:
//! zones grouped by Purdue level, one edge per conduit and zone pair,
//! and what a blast report highlights.

use crate::graph::{BlastReport, Grade};
use crate::model::{Direction, Model, Purdue, ZoneClass, ZoneId};
use std::collections::BTreeSet;

/// Levels from the top of the drawing (internet) to the bottom (process).
pub const LEVELS: [Purdue; 7] = [
    Purdue::L5,
    Purdue::L4,
    Purdue::L3_5,
    Purdue::L3,
    Purdue::L2,
    Purdue::L1,
    Purdue::L0,
];

pub fn level_label(p: Purdue) -> &'static str {
    match p {
        Purdue::L5 => "Level 5: internet and external",
        Purdue::L4 => "Level 4: enterprise",
        Purdue::L3_5 => "Level 3.5: industrial DMZ",
        Purdue::L3 => "Level 3: site operations",
        Purdue::L2 => "Level 2: supervisory control",
        Purdue::L1 => "Level 1: basic control and safety",
        Purdue::L0 => "Level 0: process",
    }
}

/// The level a zone is drawn at: its `purdue`, else one its class implies.
pub fn level_of(model: &Model, z: ZoneId) -> Purdue {
    let zone = model.zone(z);
    zone.purdue.as_ref().map_or(
        match zone.class {
            ZoneClass::External => Purdue::L5,
            ZoneClass::It => Purdue::L4,
            ZoneClass::Dmz => Purdue::L3_5,
            ZoneClass::Ot => Purdue::L2,
            ZoneClass::Safety => Purdue::L1,
        },
        |p| p.value,
    )
}

pub fn class_fill(class: ZoneClass) -> &'static str {
    match class {
        ZoneClass::External => "#f4cccc",
        ZoneClass::It => "#fce5cd",
        ZoneClass::Dmz => "#fff2cc",
        ZoneClass::Ot => "#d9ead3",
        ZoneClass::Safety => "#d9d2e9",
    }
}

pub fn grade_stroke(g: Grade) -> &'static str {
    match g {
        Grade::Compromised => "#cc0000",
        Grade::Impacted => "#e69138",
        Grade::Reachable => "#b7a000",
    }
}

pub const PATH_STROKE: &str = "#cc0000";

/// One drawn edge: a conduit between two zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEdge {
    pub conduit: String,
    pub from: ZoneId,
    pub to: ZoneId,
    pub both: bool,
    pub services: Vec<String>,
    /// On an easiest path of the report.
    pub on_path: bool,
    /// Cut or expired in the report.
    pub excluded: bool,
}

impl MapEdge {
    pub fn label(&self) -> String {
        format!("{}: {}", self.conduit, self.services.join(", "))
    }
}

/// How a zone is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ZoneMark {
    pub source: bool,
    pub grade: Option<Grade>,
}

pub struct Map {
    /// Non-empty levels, top first, zones by name.
    pub levels: Vec<(Purdue, Vec<ZoneId>)>,
    pub edges: Vec<MapEdge>,
    pub marks: Vec<ZoneMark>,
}

pub fn build(model: &Model, report: Option<&BlastReport>) -> Map {
    let levels = LEVELS
        .iter()
        .map(|&p| {
            (
                p,
                model
                    .zone_ids()
                    .filter(|&z| level_of(model, z) == p)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, zs)| !zs.is_empty())
        .collect();
    let mut on_path = BTreeSet::new();
    let mut excluded = BTreeSet::new();
    let mut marks = vec![ZoneMark::default(); model.zones.len()];
    if let Some(r) = report {
        for z in &r.zones {
            for e in &z.path {
                let (a, b) = if e.reverse {
                    (e.to, e.from)
                } else {
                    (e.from, e.to)
                };
                on_path.insert((e.conduit, a, b));
            }
            if let Some(m) = marks.get_mut(z.zone.0 as usize) {
                m.grade = Some(z.grade);
            }
        }
        for s in &r.sources {
            if let Some(m) = marks.get_mut(s.zone.0 as usize) {
                m.source = true;
            }
        }
        excluded.extend(r.excluded.iter().map(|(c, _)| *c));
    }
    let mut edges = Vec::new();
    for id in model.conduit_ids() {
        let c = model.conduit(id);
        let mut pairs = BTreeSet::new();
        for a in &c.initiators {
            for b in &c.responders {
                if a.zone != b.zone {
                    pairs.insert((a.zone, b.zone));
                }
            }
        }
        for (from, to) in pairs {
            edges.push(MapEdge {
                conduit: c.name.clone(),
                from,
                to,
                both: c.direction == Direction::Both,
                services: c
                    .services
                    .iter()
                    .map(|s| model.service(s.value).name.clone())
                    .collect(),
                on_path: on_path.contains(&(id, from, to)),
                excluded: excluded.contains(&id),
            });
        }
    }
    Map {
        levels,
        edges,
        marks,
    }
}

/// `it · SL-T 3` under a zone name.
pub fn zone_caption(model: &Model, z: ZoneId) -> String {
    format!(
        "{} · SL-T {}",
        model.zone(z).class.as_str(),
        super::names::sl(model, z)
    )
}
