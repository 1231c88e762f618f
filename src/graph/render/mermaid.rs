//! Mermaid flowchart: a subgraph per Purdue level, class colours, conduit
//! labels; with a report, reached zones and easiest paths are highlighted.
//!
//! Mermaid has no rank constraints, so the Purdue order is kept by how the
//! graph is written: an invisible link (`~~~`) chains the first zone of
//! each level to the first zone of the next, before any conduit, and a
//! two-way conduit is written upper level first. Mermaid's layout (dagre)
//! breaks cycles by reversing the edges its depth-first search meets
//! last, so a one-way conduit that points up the levels is reversed for
//! ranking and drawn with its arrow up, the levels staying in order.

use super::map::{self, Map};
use crate::graph::{BlastReport, Grade};
use crate::model::{Model, ZoneClass};
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('"', "#quot;")
}

pub fn render_mermaid(model: &Model, report: Option<&BlastReport>) -> String {
    let m: Map = map::build(model, report);
    let mut o = String::from("flowchart TB\n");
    for (i, (level, zones)) in m.levels.iter().enumerate() {
        let _ = writeln!(o, "  subgraph L{i}[\"{}\"]", esc(map::level_label(*level)));
        for &z in zones {
            let _ = writeln!(
                o,
                "    z{}[\"{}<br/>{}\"]",
                z.0,
                esc(&model.zone(z).name),
                esc(&map::zone_caption(model, z))
            );
        }
        o.push_str("  end\n");
    }
    // Invisible links count in `linkStyle` numbering.
    let firsts: Vec<u32> = m
        .levels
        .iter()
        .filter_map(|(_, zs)| zs.first().map(|z| z.0))
        .collect();
    for w in firsts.windows(2) {
        if let [a, b] = w {
            let _ = writeln!(o, "  z{a} ~~~ z{b}");
        }
    }
    let offset = firsts.len().saturating_sub(1);
    let rank = |z: crate::model::ZoneId| {
        m.levels
            .iter()
            .position(|(_, zs)| zs.contains(&z))
            .unwrap_or(0)
    };
    let mut highlighted = Vec::new();
    let mut dashed = Vec::new();
    for (i, e) in m.edges.iter().enumerate() {
        let i = i + offset;
        let (from, to) = if e.both && rank(e.to) < rank(e.from) {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        let arrow = match (e.both, e.excluded) {
            (true, false) => "<-->",
            (false, false) => "-->",
            (true, true) => "<-.->",
            (false, true) => "-.->",
        };
        let _ = writeln!(
            o,
            "  z{} {arrow}|\"{}\"| z{}",
            from.0,
            esc(&e.label()),
            to.0
        );
        if e.on_path {
            highlighted.push(i.to_string());
        }
        if e.excluded {
            dashed.push(i.to_string());
        }
    }
    for class in ZoneClass::ALL {
        let _ = writeln!(
            o,
            "  classDef {} fill:{},stroke:#555555",
            class.as_str(),
            map::class_fill(class)
        );
    }
    for g in [Grade::Reachable, Grade::Impacted, Grade::Compromised] {
        let _ = writeln!(
            o,
            "  classDef {} stroke:{},stroke-width:3px",
            g.as_str(),
            map::grade_stroke(g)
        );
    }
    o.push_str("  classDef source stroke:#000000,stroke-width:4px\n");
    for z in model.zone_ids() {
        let _ = writeln!(o, "  class z{} {}", z.0, model.zone(z).class.as_str());
        let mark = m.marks.get(z.0 as usize).copied().unwrap_or_default();
        if mark.source {
            let _ = writeln!(o, "  class z{} source", z.0);
        } else if let Some(g) = mark.grade {
            let _ = writeln!(o, "  class z{} {}", z.0, g.as_str());
        }
    }
    if !highlighted.is_empty() {
        let _ = writeln!(
            o,
            "  linkStyle {} stroke:{},stroke-width:3px",
            highlighted.join(","),
            map::PATH_STROKE
        );
    }
    if !dashed.is_empty() {
        let _ = writeln!(o, "  linkStyle {} stroke:#aaaaaa", dashed.join(","));
    }
    o
}
