//! Graphviz DOT: clusters per Purdue level, zones coloured by class, border
//! width by SL-T, conduits labelled with their services; with a report,
//! reached zones and easiest paths are highlighted.

use super::map::{self, Map};
use crate::graph::BlastReport;
use crate::model::Model;
use std::fmt::Write;

fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn render_dot(model: &Model, report: Option<&BlastReport>) -> String {
    let m: Map = map::build(model, report);
    let mut o = String::from("digraph conduit {\n");
    o.push_str(
        "  graph [rankdir=TB, newrank=true, fontname=\"Helvetica\", nodesep=0.4, ranksep=0.7];\n",
    );
    o.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    o.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (i, (level, zones)) in m.levels.iter().enumerate() {
        let _ = writeln!(o, "  subgraph cluster_{i} {{");
        let _ = writeln!(
            o,
            "    label={}; style=dashed; color=\"#999999\"; rank=same;",
            q(map::level_label(*level))
        );
        // An invisible anchor per level, chained below, keeps the levels in Purdue order.
        let _ = writeln!(o, "    \"level {i}\" [style=invis, shape=point, width=0];");
        for &z in zones {
            let zone = model.zone(z);
            let mark = m.marks.get(z.0 as usize).copied().unwrap_or_default();
            let pen = 1 + u32::from(crate::model::SlVector::max(&zone.sl_t()));
            let color = match (mark.source, mark.grade) {
                (true, _) => "#000000",
                (false, Some(g)) => map::grade_stroke(g),
                (false, None) => "#555555",
            };
            let mut label = format!("{}\\n{}", zone.name, map::zone_caption(model, z));
            if mark.source {
                label.push_str("\\nSOURCE");
            } else if let Some(g) = mark.grade {
                label.push_str(&format!("\\n{}", g.as_str().to_uppercase()));
            }
            let _ = writeln!(
                o,
                "    {} [label=\"{}\", fillcolor=\"{}\", color=\"{color}\", penwidth={pen}{}];",
                q(&zone.name),
                label.replace('"', "\\\""),
                map::class_fill(zone.class),
                if mark.source { ", peripheries=2" } else { "" }
            );
        }
        o.push_str("  }\n");
    }
    for i in 1..m.levels.len() {
        let _ = writeln!(o, "  \"level {}\" -> \"level {i}\" [style=invis];", i - 1);
    }
    let level_of = |z: crate::model::ZoneId| m.levels.iter().position(|(_, zs)| zs.contains(&z));
    for e in &m.edges {
        let mut attrs = vec![format!("label={}", q(&e.label()))];
        // Only downward edges may pull ranks; the level order is fixed by the anchors.
        if level_of(e.from) >= level_of(e.to) {
            attrs.push("constraint=false".to_string());
        }
        if e.both {
            attrs.push("dir=both".to_string());
        }
        if e.on_path {
            attrs.push(format!("color=\"{}\", penwidth=3", map::PATH_STROKE));
        }
        if e.excluded {
            attrs.push("style=dashed, color=\"#aaaaaa\"".to_string());
        }
        let _ = writeln!(
            o,
            "  {} -> {} [{}];",
            q(&model.zone(e.from).name),
            q(&model.zone(e.to).name),
            attrs.join(", ")
        );
    }
    o.push_str("}\n");
    o
}
