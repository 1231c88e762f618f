//! SVG map without Graphviz: draws the layout of `layout.rs` (bands,
//! zone boxes coloured by class with border width by SL-T, curved edges
//! with arrowheads), labels every edge on the edge itself (centred on a
//! point of its curve, on the first spot that overlaps neither a box, a
//! band caption nor another label; failing that, the spot that overlaps
//! labels least), then a legend. Labels are drawn last so that nothing
//! hides them. The drawing fits an A4 page when scaled to its width.
//!
//! Label placement: O(labels · candidates · k), k the rectangles near a
//! candidate (a grid index; the same drawing as testing every rectangle).

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
    let height = l.height + legend_height(report.is_some());
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
    let mut obstacles = Grid::default();
    for r in l
        .boxes
        .iter()
        .flatten()
        .copied()
        .chain(l.bands.iter().map(|b| Rect {
            x: MARGIN,
            y: b.y,
            w: super::layout::BAND_LABEL_W - 4.0,
            h: 44.0,
        }))
    {
        obstacles.insert(r);
    }
    let mut placed = Grid::default();
    let mut labels = String::new();
    // Plain edges first, highlighted ones on top.
    let mut order: Vec<usize> = (0..m.edges.len()).collect();
    order.sort_by_key(|&i| m.edges.get(i).is_some_and(|e| e.on_path));
    let mut routed = Vec::new();
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
        routed.push((segs, e));
    }
    // Edges with the fewest spots to choose from are labelled first.
    routed.sort_by_key(|(segs, e)| (segs.len(), e.on_path));
    for (segs, e) in &routed {
        place_label(&mut labels, &obstacles, &mut placed, segs, e, l.width);
    }
    zones(&mut o, model, &m, &l);
    o.push_str(&labels);
    legend(&mut o, l.height, l.width, report.is_some());
    o.push_str("</svg>\n");
    o
}

/// Rectangles bucketed by a square grid, so that an overlap test looks
/// at the few rectangles nearby instead of all of them (label placement
/// stays near-linear in the number of edges). Ordered maps keep the
/// results, and so the drawing, deterministic.
#[derive(Default)]
struct Grid {
    rects: Vec<Rect>,
    cells: std::collections::BTreeMap<(i64, i64), Vec<usize>>,
}

impl Grid {
    const CELL: f64 = 128.0;

    fn span(r: &Rect) -> (std::ops::RangeInclusive<i64>, std::ops::RangeInclusive<i64>) {
        let c = |v: f64| (v / Self::CELL).floor() as i64;
        (c(r.x)..=c(r.x + r.w), c(r.y)..=c(r.y + r.h))
    }

    fn insert(&mut self, r: Rect) {
        let i = self.rects.len();
        self.rects.push(r);
        let (xs, ys) = Self::span(&r);
        for x in xs {
            for y in ys.clone() {
                self.cells.entry((x, y)).or_default().push(i);
            }
        }
    }

    /// The rectangles sharing a cell with `r`, each once, in insertion order.
    fn near(&self, r: &Rect) -> Vec<Rect> {
        let (xs, ys) = Self::span(r);
        let mut ids: Vec<usize> = Vec::new();
        for x in xs {
            for y in ys.clone() {
                if let Some(list) = self.cells.get(&(x, y)) {
                    ids.extend(list);
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|i| self.rects.get(i).copied())
            .collect()
    }
}

/// Puts the label centred on a point of its edge: curved (between-level)
/// segments first, middle first; the first spot clear of obstacles and
/// earlier labels wins, else the clear-of-boxes spot that overlaps earlier
/// labels least.
fn place_label(
    out: &mut String,
    obstacles: &Grid,
    placed: &mut Grid,
    segs: &[[(f64, f64); 4]],
    e: &MapEdge,
    width: f64,
) {
    let text = label_text(e);
    let w = text.chars().count() as f64 * LABEL_CHAR_W + 8.0;
    let ts = [
        0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75,
    ];
    let rect_at = |c: &[(f64, f64); 4], t: f64| {
        let (x, y) = at(c, t);
        Rect {
            x: (x - w / 2.0).clamp(MARGIN, (width - MARGIN - w).max(MARGIN)),
            y: y - LABEL_H / 2.0,
            w,
            h: LABEL_H,
        }
    };
    let pad = |r: &Rect| Rect {
        x: r.x - 2.0,
        y: r.y - 2.0,
        w: r.w + 4.0,
        h: r.h + 4.0,
    };
    let curved = segs.iter().step_by(2);
    let straight = segs.iter().skip(1).step_by(2);
    let candidates: Vec<Rect> = curved
        .chain(straight)
        .flat_map(|c| ts.iter().map(move |&t| rect_at(c, t)))
        .collect();
    let overlap = |r: &Rect, others: &Grid| -> f64 {
        others
            .near(r)
            .into_iter()
            .map(|o| {
                let dx = (r.x + r.w).min(o.x + o.w) - r.x.max(o.x);
                let dy = (r.y + r.h).min(o.y + o.h) - r.y.max(o.y);
                dx.max(0.0) * dy.max(0.0)
            })
            .sum()
    };
    let chosen = candidates
        .iter()
        .find(|r| {
            let p = pad(r);
            !obstacles.near(&p).iter().any(|o| o.overlaps(&p))
                && !placed.near(&p).iter().any(|o| o.overlaps(&p))
        })
        .or_else(|| {
            candidates
                .iter()
                .map(|r| (overlap(r, obstacles) * 100.0 + overlap(r, placed), r))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, r)| r)
        })
        .copied()
        .unwrap_or_default();
    placed.insert(chosen);
    let color = if e.on_path {
        map::PATH_STROKE
    } else {
        "#333333"
    };
    let _ = writeln!(
        out,
        "<g class=\"label\"><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#ffffff\" stroke=\"{color}\" stroke-width=\"0.6\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9.5\" text-anchor=\"middle\" fill=\"{color}\">{}</text></g>",
        esc(&e.label()),
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
    let safety: Vec<&str> = report
        .into_iter()
        .flat_map(|r| &r.crossings)
        .filter(|c| c.safety)
        .map(|c| model.zone(c.zone).name.as_str())
        .collect();
    let (head, color) = if safety.is_empty() {
        ("Zones and conduits".to_string(), "#111111")
    } else {
        (
            format!(
                "Zones and conduits \u{2014} SAFETY ALARM: safety zone {} reachable",
                safety.join(", ")
            ),
            map::PATH_STROKE,
        )
    };
    let _ = writeln!(
        o,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"16\" font-weight=\"bold\" fill=\"{color}\">{}</text>",
        MARGIN + 14.0,
        esc(&head)
    );
    if let Some(r) = report {
        let srcs: Vec<String> = r
            .sources
            .iter()
            .map(|s| super::names::source(model, s))
            .collect();
        let safe = if safety.is_empty() {
            "no safety zone reachable"
        } else {
            "a safety zone is reachable"
        };
        let _ = writeln!(
            o,
            "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"12\" fill=\"#cc0000\">Blast radius from {}: {:.1}% of OT asset weight exposed; {safe}; easiest paths in red</text>",
            MARGIN + 34.0,
            esc(&srcs.join(", ")),
            r.exposure.percent()
        );
    }
}

/// Height of the legend below the bands.
fn legend_height(blast: bool) -> f64 {
    if blast {
        100.0
    } else {
        78.0
    }
}

fn legend(o: &mut String, y0: f64, width: f64, blast: bool) {
    let mut x = MARGIN;
    let y = y0 + 10.0;
    let _ = writeln!(
        o,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#d0d0d0\"/>",
        MARGIN - 6.0,
        y - 6.0,
        width - 2.0 * MARGIN + 12.0,
        legend_height(blast) - 12.0
    );
    let _ = writeln!(
        o,
        "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\">Zone class</text>",
        y + 10.5
    );
    x += 72.0;
    for class in crate::model::ZoneClass::ALL {
        let _ = writeln!(
            o,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"18\" height=\"12\" rx=\"2\" fill=\"{}\" stroke=\"#555555\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            map::class_fill(class),
            x + 24.0,
            y + 10.5,
            class.as_str()
        );
        x += 84.0;
    }
    for (i, line) in [
        "Each arrow is a conduit, labelled \u{201c}conduit: services\u{201d}, from the side that may open connections (two heads: either side).",
        "SL-T under a zone name: one level, or {FR1 \u{2026} FR7} = {IAC UC SI DC RDF TRE RA}; the border grows with SL-T. Dashed: cut or expired.",
    ]
    .iter()
    .enumerate()
    {
        let _ = writeln!(
            o,
            "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"10\" fill=\"#333333\">{}</text>",
            y + 30.0 + 14.0 * i as f64,
            esc(line)
        );
    }
    if blast {
        blast_legend(o, y + 58.0);
    }
}

fn blast_legend(o: &mut String, y: f64) {
    let mut x = MARGIN;
    let _ = writeln!(
        o,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"18\" height=\"12\" rx=\"2\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">source</text>",
        x + 24.0,
        y + 10.5
    );
    x += 80.0;
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
        x += 110.0;
    }
    let _ = writeln!(
        o,
        "<path d=\"M{x:.1},{:.1} h24\" stroke=\"{}\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">easiest path</text>",
        y + 6.0,
        map::PATH_STROKE,
        x + 30.0,
        y + 10.5
    );
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
    fn every_edge_is_labelled() {
        let path =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/blast/plant30.zc");
        let model = crate::load_policy(&[path]).model;
        let svg = render_svg(&model, None);
        let edges = map::build(&model, None).edges.len();
        assert!(edges >= model.conduits.len());
        assert_eq!(svg.matches("font-size=\"9.5\"").count(), edges);
    }
}
