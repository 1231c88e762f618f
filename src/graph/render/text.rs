//! Plain-text report: the exposure headline first, then tables a plant
//! manager can read.

use super::names;
use crate::graph::{BlastReport, NoCut, SCORE_EXPLANATION};
use crate::model::Model;
use std::fmt::Write;

/// Left-aligned columns separated by two spaces.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::from("  ");
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let pad = w.saturating_sub(cell.chars().count()) + 2;
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

/// The whole report as text.
pub fn render_text(model: &Model, r: &BlastReport) -> String {
    let mut o = String::new();
    let x = &r.exposure;
    let _ = writeln!(
        o,
        "EXPOSURE {:.1}% of OT asset weight is reachable ({} of {}; {} of {} OT assets)",
        x.percent(),
        x.reached_weight,
        x.total_weight,
        x.reached_assets,
        x.total_assets
    );
    if let Some(base) = &r.exposure_without_cuts {
        let _ = writeln!(
            o,
            "         without the cut conduits: {:.1}% ({} of {}); change {:+.1} points",
            base.percent(),
            base.reached_weight,
            base.total_weight,
            x.percent() - base.percent()
        );
    }
    o.push_str("         weights: safety 4, critical or unpatchable 2, other 1\n\n");
    header(&mut o, model, r);
    safety(&mut o, model, r);
    zones(&mut o, model, r);
    crossings(&mut o, model, r);
    choke(&mut o, model, r);
    per_source(&mut o, model, r);
    let _ = writeln!(o, "\nHow difficulty is scored: {SCORE_EXPLANATION}.");
    o
}

fn header(o: &mut String, model: &Model, r: &BlastReport) {
    let srcs: Vec<String> = r.sources.iter().map(|s| names::source(model, s)).collect();
    let _ = write!(
        o,
        "Sources: {}",
        if srcs.is_empty() {
            "none".to_string()
        } else {
            srcs.join(", ")
        }
    );
    if let Some(d) = r.as_of {
        let _ = write!(o, "  (as of {d})");
    }
    o.push('\n');
    if let Some(d) = r.depth {
        let _ = writeln!(o, "Depth: at most {d} conduit crossings");
    }
    if r.assume_any_pivot {
        o.push_str("Worst case: every conduit is treated as pivot-capable (--assume-any-pivot)\n");
    }
    for (c, why) in &r.excluded {
        let _ = writeln!(
            o,
            "Left out: conduit {} ({})",
            model.conduit(*c).name,
            names::exclusion(*why)
        );
    }
    o.push('\n');
}

fn safety(o: &mut String, model: &Model, r: &BlastReport) {
    let hit: Vec<_> = r.crossings.iter().filter(|c| c.safety).collect();
    if hit.is_empty() {
        o.push_str("Safety zones: none reachable.\n\n");
        return;
    }
    for c in hit {
        let _ = writeln!(
            o,
            "!!! SAFETY ZONE {} IS REACHABLE: the safety instrumented system can be attacked from the sources !!!",
            names::zone(model, c.zone).to_uppercase()
        );
    }
    o.push('\n');
}

fn zones(o: &mut String, model: &Model, r: &BlastReport) {
    if r.zones.is_empty() {
        o.push_str("No zone is reachable from the sources.\n");
        return;
    }
    o.push_str("Zones reached\n");
    let rows: Vec<Vec<String>> = r
        .zones
        .iter()
        .map(|z| {
            let assets = names::assets(model, z.zone, &z.assets);
            vec![
                names::zone(model, z.zone).to_string(),
                model.zone(z.zone).class.as_str().to_string(),
                names::purdue(model, z.zone).to_string(),
                names::sl(model, z.zone),
                z.grade.as_str().to_string(),
                z.hops.to_string(),
                z.difficulty.to_string(),
                if assets.is_empty() {
                    "all".to_string()
                } else {
                    assets.join(", ")
                },
            ]
        })
        .collect();
    o.push_str(&table(
        &[
            "ZONE",
            "CLASS",
            "PURDUE",
            "SL-T",
            "GRADE",
            "HOPS",
            "DIFFICULTY",
            "ASSETS REACHED",
        ],
        &rows,
    ));
    o.push_str("\nEasiest paths\n");
    for z in &r.zones {
        let _ = writeln!(
            o,
            "  {} (difficulty {}):",
            names::zone(model, z.zone),
            z.difficulty
        );
        let mut line = names::path(model, &z.path);
        if let Some(last) = z.path.last().filter(|e| e.to != z.zone) {
            line.push_str(&names::bridge(model, last.to, z.zone));
        }
        let _ = writeln!(o, "    {line}");
        for e in &z.path {
            let how = match (e.pivot, e.write) {
                (Some(p), true) => format!("foothold ({}), can write", names::pivot(model, p)),
                (Some(p), false) => format!("foothold ({})", names::pivot(model, p)),
                (None, true) => "can write process values or programs".to_string(),
                (None, false) => "packets only".to_string(),
            };
            let _ = writeln!(
                o,
                "      {}: {} = {}; {how}",
                names::conduit(model, e),
                e.cost.explain(),
                e.cost.total()
            );
        }
    }
}

fn crossings(o: &mut String, model: &Model, r: &BlastReport) {
    o.push_str("\nIT-to-OT crossings\n");
    if r.crossings.is_empty() {
        o.push_str("  none: no OT or safety zone is reachable\n");
        return;
    }
    for c in &r.crossings {
        let hops = c.hops;
        let doms: Vec<&str> = c
            .dominators
            .iter()
            .map(|&d| names::zone(model, d))
            .collect();
        let _ = writeln!(
            o,
            "  {} ({}, {hops} hops){}",
            names::zone(model, c.zone),
            model.zone(c.zone).class.as_str(),
            if c.safety { "  SAFETY ZONE" } else { "" }
        );
        match &c.dmz_bypass {
            Some(p) => {
                let _ = writeln!(
                    o,
                    "    WARNING: reachable without passing a DMZ: {}",
                    names::path(model, p)
                );
            }
            None => o.push_str("    every path passes a DMZ zone\n"),
        }
        let _ = writeln!(
            o,
            "    dominators: {}{}",
            if doms.is_empty() {
                "none".to_string()
            } else {
                doms.join(", ")
            },
            if c.dmz_dominates {
                " (a DMZ dominates it)"
            } else if c.dmz_bypass.is_none() {
                " (no single DMZ dominates it: its paths pass different DMZ zones)"
            } else {
                " -- WARNING: no DMZ zone dominates it"
            }
        );
    }
}

fn choke(o: &mut String, model: &Model, r: &BlastReport) {
    o.push_str("\nChoke points\n");
    match &r.min_cut {
        Err(NoCut::SourceIsOt(z)) => {
            let _ = writeln!(
                o,
                "  no cut: source {} is itself an OT zone",
                names::zone(model, *z)
            );
        }
        Ok(cut) if cut.conduits.is_empty() => {
            o.push_str("  minimum cut: nothing to cut, no OT zone is reachable\n")
        }
        Ok(cut) => {
            let list: Vec<&str> = cut
                .conduits
                .iter()
                .map(|&c| model.conduit(c).name.as_str())
                .collect();
            let _ = writeln!(
                o,
                "  minimum cut ({} conduit{}): {}",
                list.len(),
                if list.len() == 1 { "" } else { "s" },
                list.join(", ")
            );
            o.push_str(
                "  removing these conduits cuts every source off every OT and safety zone\n",
            );
            if list.len() == 1 {
                o.push_str(
                    "  a single conduit's rule set is all that stands between the sources and OT\n",
                );
            }
            if !cut.exact {
                o.push_str("  (a <-> conduit with several zones on both sides: this cut is valid but may not be the smallest)\n");
            }
        }
    }
}

fn per_source(o: &mut String, model: &Model, r: &BlastReport) {
    if r.per_source.len() < 2 {
        return;
    }
    o.push_str("\nPer source\n");
    let rows: Vec<Vec<String>> = r
        .per_source
        .iter()
        .map(|s| {
            vec![
                names::source(model, &s.source),
                s.reachable.to_string(),
                s.impacted.to_string(),
                s.compromised.to_string(),
                s.ot_reachable.to_string(),
                format!("{:.1}%", s.exposure.percent()),
            ]
        })
        .collect();
    o.push_str(&table(
        &[
            "SOURCE",
            "REACHABLE",
            "IMPACTED",
            "COMPROMISED",
            "OT ZONES",
            "EXPOSURE",
        ],
        &rows,
    ));
}
