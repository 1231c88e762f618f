//! SVG map without Graphviz: draws the layout of `layout.rs` (bands,
//! zone boxes coloured by class with border width by SL-T, curved edges
//! with arrowheads) and places each conduit's label greedily on the first
//! spot along its edge that overlaps neither a box nor another label.
//!
//! Label placement: O(labels · (Z + labels)).

use super::layout::{
    at, label_text, layout, path_data, route, Layout, Rect, LABEL_CHAR_W, LABEL_H, MARGIN,
};
use super::map::{self, Map, MapEdge};
use crate::graph::BlastReport;
use crate::model::Model;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the zone/conduit map as a standalone SVG document.
pub fn render_svg(model: &Model, report: Option<&BlastReport>) -> String {
    let m = map::build(model, report);
    let top = MARGIN + if report.is_some() { 56.0 } else { 36.0 };
    let l = layout(model, &m, top);
    let legend_h = if report.is_some() { 80.0 } else { 56.0 };
    let height = l.height + legend_h;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {w:.0} {height:.0}\" font-family=\"Helvetica, Arial, sans-serif\">",
        w = l.width
    );
    o.push_str("<defs>\n");
    for (id, color) in [
        ("arrow", "#666666"),
        ("arrow-hot", map::PATH_STROKE),
        ("arrow-off", "#aaaaaa"),
    ] {
        let _ = writeln!(
            o,
            "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{color}\"/></marker>"
        );
    }
    o.push_str("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    title(&mut o, model, report);
    for (i, b) in l.bands.iter().enumerate() {
        let fill = if i % 2 == 0 { "#f7f7f7" } else { "#efefef" };
        let _ = writeln!(
            o,
            "<rect x=\"{MARGIN}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#d0d0d0\"/>",
            b.y,
            l.width - 2.0 * MARGIN,
            b.h
        );
        let label = map::level_label(b.level);
        let (head, rest) = label.split_once(": ").unwrap_or((label, ""));
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\" fill=\"#444444\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#555555\">{}</text>",
            MARGIN + 10.0,
            b.y + 22.0,
            esc(head),
            MARGIN + 10.0,
            b.y + 37.0,
            esc(rest)
        );
    }
    let mut placed: Vec<Rect> = l.boxes.iter().flatten().copied().collect();
    let mut labels = String::new();
    // One label per conduit: its first edge in drawing order.
    let mut labelled = std::collections::BTreeSet::new();
    // Plain edges first, highlighted ones on top.
    let mut order: Vec<usize> = (0..m.edges.len()).collect();
    order.sort_by_key(|&i| m.edges.get(i).is_some_and(|e| e.on_path));
    for i in order {
        let Some(e) = m.edges.get(i) else { continue };
        let Some((pts, side)) = route(&l, &m, i, e) else {
            continue;
        };
        let (d, segs) = path_data(&pts, side);
        let (stroke, width, marker, dash) = match (e.on_path, e.excluded) {
            (_, true) => ("#aaaaaa", 1.2, "arrow-off", " stroke-dasharray=\"5,4\""),
            (true, false) => (map::PATH_STROKE, 3.0, "arrow-hot", ""),
            (false, false) => ("#666666", 1.2, "arrow", ""),
        };
        let start = if e.both {
            format!(" marker-start=\"url(#{marker})\"")
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}{start} marker-end=\"url(#{marker})\"><title>{}</title></path>",
            esc(&e.label())
        );
        if labelled.insert(e.conduit.as_str()) {
            place_label(&mut labels, &mut placed, &segs, e);
        }
    }
    o.push_str(&labels);
    zones(&mut o, model, &m, &l);
    legend(&mut o, l.height, report.is_some());
    o.push_str("</svg>\n");
    o
}

/// Puts the label on the first spot along the edge's curved (between-level)
/// segments where it overlaps no box and no earlier label.
fn place_label(out: &mut String, placed: &mut Vec<Rect>, segs: &[[(f64, f64); 4]], e: &MapEdge) {
    let text = label_text(e);
    let w = text.chars().count() as f64 * LABEL_CHAR_W + 8.0;
    let ts = [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85, 0.42, 0.58];
    let rect_at = |c: &[(f64, f64); 4], t: f64| {
        let (x, y) = at(c, t);
        Rect {
            x: x - w / 2.0,
            y: y - LABEL_H / 2.0,
            w,
            h: LABEL_H,
        }
    };
    let curved: Vec<&[(f64, f64); 4]> = segs.iter().step_by(2).collect();
    let fallback = segs.first().map_or(Rect::default(), |c| rect_at(c, 0.5));
    let chosen = curved
        .iter()
        .flat_map(|c| ts.iter().map(move |&t| rect_at(c, t)))
        .find(|r| !placed.iter().any(|p| p.overlaps(r)))
        .unwrap_or(fallback);
    placed.push(chosen);
    let color = if e.on_path {
        map::PATH_STROKE
    } else {
        "#333333"
    };
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#cccccc\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9.5\" text-anchor=\"middle\" fill=\"{color}\">{}</text>",
        chosen.x, chosen.y, chosen.w, chosen.h,
        chosen.cx(), chosen.y + LABEL_H - 3.0,
        esc(&text)
    );
}

fn zones(o: &mut String, model: &Model, m: &Map, l: &Layout) {
    for z in model.zone_ids() {
        let Some(r) = l.boxes.get(z.0 as usize).copied().flatten() else {
            continue;
        };
        let zone = model.zone(z);
        let mark = m.marks.get(z.0 as usize).copied().unwrap_or_default();
        let sl = f64::from(crate::model::SlVector::max(&zone.sl_t()));
        let (stroke, width) = match (mark.source, mark.grade) {
            (true, _) => ("#000000", 3.5),
            (false, Some(g)) => (map::grade_stroke(g), 3.5),
            (false, None) => ("#555555", 0.8 + sl * 0.5),
        };
        let _ = writeln!(
            o,
            "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{}\" stroke=\"{stroke}\" stroke-width=\"{width:.1}\"/>",
            esc(&zone.name),
            r.x, r.y, r.w, r.h,
            map::class_fill(zone.class)
        );
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#111111\">{}</text>",
            r.cx(),
            r.y + 19.0,
            esc(&zone.name)
        );
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333333\">{}</text>",
            r.cx(),
            r.y + 35.0,
            esc(&map::zone_caption(model, z))
        );
        let tag = match (mark.source, mark.grade) {
            (true, _) => Some(("SOURCE".to_string(), "#000000")),
            (false, Some(g)) => Some((g.as_str().to_uppercase(), map::grade_stroke(g))),
            _ => None,
        };
        if let Some((t, c)) = tag {
            let _ = writeln!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10.5\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{c}\">{t}</text>",
                r.cx(),
                r.y + 52.0
            );
        }
        o.push_str("</g>\n");
    }
}

fn title(o: &mut String, model: &Model, report: Option<&BlastReport>) {
    let _ = writeln!(
        o,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"16\" font-weight=\"bold\" fill=\"#111111\">Zones and conduits</text>",
        MARGIN + 14.0
    );
    if let Some(r) = report {
        let srcs: Vec<String> = r
            .sources
            .iter()
            .map(|s| super::names::source(model, s))
            .collect();
        let _ = writeln!(
            o,
            "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"12\" fill=\"#cc0000\">Blast radius from {}: exposure {:.1}% of OT asset weight; easiest paths in red</text>",
            MARGIN + 34.0,
            esc(&srcs.join(", ")),
            r.exposure.percent()
        );
    }
}

fn legend(o: &mut String, y0: f64, blast: bool) {
    let mut x = MARGIN;
    let y = y0 + 10.0;
    for class in crate::model::ZoneClass::ALL {
        let _ = writeln!(
            o,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"18\" height=\"12\" rx=\"2\" fill=\"{}\" stroke=\"#555555\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            map::class_fill(class),
            x + 24.0,
            y + 10.5,
            class.as_str()
        );
        x += 90.0;
    }
    let _ = writeln!(
        o,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"11\" fill=\"#333333\">Border width grows with SL-T. Arrow: who may open connections (double: either side). Dashed: cut or expired.</text>",
        y + 32.0
    );
    if blast {
        let mut x = MARGIN;
        let y = y + 44.0;
        for g in [
            crate::graph::Grade::Compromised,
            crate::graph::Grade::Impacted,
            crate::graph::Grade::Reachable,
        ] {
            let _ = writeln!(
                o,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"18\" height=\"12\" rx=\"2\" fill=\"#ffffff\" stroke=\"{}\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
                map::grade_stroke(g),
                x + 24.0,
                y + 10.5,
                g.as_str()
            );
            x += 120.0;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn each_conduit_is_labelled_once() {
        let path =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/blast/plant30.zc");
        let model = crate::load_policy(&[path]).model;
        let svg = render_svg(&model, None);
        let conduits = model.conduits.len();
        assert_eq!(svg.matches("font-size=\"9.5\"").count(), conduits);
    }
}
