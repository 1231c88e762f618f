//! Quick timing on generated plants (run with `--ignored --nocapture`).
//! The benchmark proper is elsewhere; this checks the growth is near-linear.

use crate::fixture::Builder;
use conduit::graph::*;
use conduit::model::Model;
use std::time::Instant;

/// `sites` copies of a small plant (enterprise, DMZ, ops, 4 cells, SIS),
/// 10 zones and 12 conduits per site, plus one shared internet zone.
pub fn plant(sites: usize) -> Model {
    let mut b = Builder::new().z("internet", "external", 0);
    for s in 0..sites {
        let z = |n: &str| format!("s{s}-{n}");
        b = b
            .z(&z("corp"), "it", 1)
            .z(&z("dmz"), "dmz", 3)
            .z(&z("ops"), "ot", 2)
            .z(&z("scada"), "ot", 2)
            .z(&z("sis"), "safety", 4);
        for c in 0..4 {
            b = b.z(&z(&format!("cell{c}")), "ot", 3);
        }
        b = b.z(&z("vendor"), "external", 0);
        b = b
            .c(&z("web"), &z("corp"), "->", &z("dmz"), "https")
            .cx(&z("remote"), &z("vendor"), "->", &z("dmz"), "https", |c| {
                c.vendor = true
            })
            .c(&z("jump"), &z("dmz"), "->", &z("ops"), "rdp")
            .c(&z("mirror"), &z("ops"), "->", &z("dmz"), "https")
            .c(&z("sup"), &z("ops"), "->", &z("scada"), "ssh")
            .c(&z("time"), &z("scada"), "<->", &z("ops"), "ntp")
            .c(&z("sis-link"), &z("cell0"), "->", &z("sis"), "modbus")
            .c(&z("inet"), "internet", "->", &z("dmz"), "https");
        for c in 0..4 {
            b = b.c(
                &z(&format!("ctl{c}")),
                &z("scada"),
                "->",
                &z(&format!("cell{c}")),
                "s7comm",
            );
        }
    }
    b.build()
}

#[test]
#[ignore = "timing; run explicitly"]
fn near_linear_growth() {
    for sites in [100, 1000] {
        let m = plant(sites);
        let t = Instant::now();
        let r = analyze(&m, &BlastOptions::default());
        eprintln!(
            "{} zones, {} conduits, {} sources: {:?} ({} zones reached, cut {})",
            m.zones.len(),
            m.conduits.len(),
            r.sources.len(),
            t.elapsed(),
            r.zones.len(),
            r.min_cut.as_ref().map_or(0, |c| c.conduits.len())
        );
    }
}
