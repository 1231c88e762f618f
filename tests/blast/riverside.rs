//! The riverside example plant, checked by hand: who reaches what, by
//! which conduits, in how many hops, and where to cut.

use conduit::graph::*;
use conduit::model::{Date, Model};
use std::path::PathBuf;

pub fn plant() -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/riverside/plant.zc");
    let loaded = conduit::load_policy(&[path]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

fn as_of() -> Option<Date> {
    Date::parse("2026-11-28")
}

fn run(m: &Model, from: &[&str], cut: &[&str]) -> BlastReport {
    let opts = BlastOptions {
        sources: from
            .iter()
            .map(|z| Source {
                zone: m.zone_by_name(z).unwrap(),
                asset: None,
            })
            .collect(),
        cuts: cut.iter().map(|c| m.conduit_by_name(c).unwrap()).collect(),
        as_of: as_of(),
        ..BlastOptions::default()
    };
    analyze(m, &opts)
}

/// `(zone, grade, hops, difficulty)` per reached zone.
fn table(m: &Model, r: &BlastReport) -> Vec<(String, &'static str, u32, u32)> {
    r.zones
        .iter()
        .map(|z| {
            (
                m.zone(z.zone).name.clone(),
                z.grade.as_str(),
                z.hops,
                z.difficulty,
            )
        })
        .collect()
}

/// `conduit -> zone.asset` steps of a path.
fn steps(m: &Model, path: &[ZoneEdge]) -> Vec<String> {
    path.iter()
        .map(|e| {
            let zone = m.zone(e.to);
            let assets: Vec<&str> = e
                .assets
                .iter()
                .map(|&i| zone.assets[i as usize].name.as_str())
                .collect();
            format!(
                "{} -> {}{}",
                m.conduit(e.conduit).name,
                zone.name,
                if assets.is_empty() {
                    String::new()
                } else {
                    format!(".{}", assets.join(","))
                }
            )
        })
        .collect()
}

fn zone<'a>(m: &Model, r: &'a BlastReport, name: &str) -> &'a ZoneReach {
    r.zone(m.zone_by_name(name).unwrap()).unwrap()
}

/// `https` also carries RD Gateway and web HMIs, so the business-reports
/// conduit is a foothold on the DMZ mirror; inside idmz movement is free,
/// and the jump host's vendor conduit leads on into line1.
#[test]
fn enterprise_gains_the_dmz_over_https_and_goes_on_into_ot() {
    let m = plant();
    let r = run(&m, &["enterprise"], &[]);
    assert_eq!(
        table(&m, &r),
        vec![
            ("idmz".to_string(), "compromised", 1, 10),
            ("line1".to_string(), "compromised", 2, 18),
            ("site-ops".to_string(), "compromised", 3, 23),
            ("supervisory".to_string(), "compromised", 4, 28),
        ]
    );
    let idmz = zone(&m, &r, "idmz");
    assert_eq!(
        steps(&m, &idmz.path),
        vec!["business-reports -> idmz.historian-mirror"]
    );
    assert_eq!(
        idmz.path[0].pivot,
        Some(PivotReason::Service(m.service_by_name("https").unwrap()))
    );
    assert_eq!(idmz.assets, AssetsReached::All);
    assert_eq!(
        steps(&m, &zone(&m, &r, "line1").path),
        vec![
            "business-reports -> idmz.historian-mirror",
            "vendor-to-plc -> line1.filler-plc"
        ]
    );
    assert_eq!(r.crossings.len(), 3);
    assert_eq!(r.exposure.reached_weight, 6);
    let cut = r.min_cut.as_ref().unwrap();
    assert_eq!(
        cut.conduits,
        vec![m.conduit_by_name("business-reports").unwrap()]
    );
}

#[test]
fn internet_reaches_the_jump_host_and_through_vendor_access_the_filler_plc() {
    let m = plant();
    let r = run(&m, &["internet"], &[]);
    // https into the jump host is vendor remote access: a foothold (1 base +
    // https 3 + idmz SL-T IAC 3 + RDF 3 + schedule 1 + expiry 1 + mfa 2 = 14).
    // s7comm to the PLC: 1 + 0 + line1 IAC 3 + RDF 3 + expiry 1 = 8.
    // time-sync is in monitor mode: it blocks nothing, so line1 opens site-ops
    // and site-ops opens supervisory (1 + SL-T 2 + 2 = 5 each).
    assert_eq!(
        table(&m, &r),
        vec![
            ("idmz".to_string(), "compromised", 1, 14),
            ("line1".to_string(), "compromised", 2, 22),
            ("site-ops".to_string(), "compromised", 3, 27),
            ("supervisory".to_string(), "compromised", 4, 32),
        ]
    );
    assert_eq!(
        steps(&m, &zone(&m, &r, "idmz").path),
        vec!["vendor-support -> idmz.jump"]
    );
    let line1 = zone(&m, &r, "line1");
    assert_eq!(
        steps(&m, &line1.path),
        vec![
            "vendor-support -> idmz.jump",
            "vendor-to-plc -> line1.filler-plc"
        ]
    );
    // https is pivot-capable itself (RD Gateway), which comes before the
    // vendor session as the reason.
    assert_eq!(
        line1.path[0].pivot,
        Some(PivotReason::Service(m.service_by_name("https").unwrap()))
    );
    assert!(line1.impacted && line1.path[1].write);
    assert_eq!(
        steps(&m, &zone(&m, &r, "supervisory").path),
        vec![
            "vendor-support -> idmz.jump",
            "vendor-to-plc -> line1.filler-plc",
            "time-sync -> site-ops",
            "time-sync -> supervisory"
        ]
    );
    assert_eq!(
        zone(&m, &r, "site-ops").path[2].pivot,
        Some(PivotReason::Monitor)
    );
}

#[test]
fn all_it_sources_sis_unreachable_choke_points() {
    let m = plant();
    let r = run(&m, &[], &[]);
    let srcs: Vec<&str> = r
        .sources
        .iter()
        .map(|s| m.zone(s.zone).name.as_str())
        .collect();
    assert_eq!(srcs, vec!["enterprise", "internet"]);
    // The foothold from the enterprise (https, 10) is cheaper than the
    // vendor session from the internet (14).
    assert_eq!(
        table(&m, &r),
        vec![
            ("idmz".to_string(), "compromised", 1, 10),
            ("line1".to_string(), "compromised", 2, 18),
            ("site-ops".to_string(), "compromised", 3, 23),
            ("supervisory".to_string(), "compromised", 4, 28),
        ]
    );
    assert_eq!(zone(&m, &r, "idmz").reach_difficulty, 10);
    assert!(r.zone(m.zone_by_name("sis").unwrap()).is_none());
    assert!(!r.safety_reached());
    // Every OT crossing passes the DMZ; idmz dominates them all.
    let doms: Vec<(String, Vec<String>, bool, bool)> = r
        .crossings
        .iter()
        .map(|c| {
            (
                m.zone(c.zone).name.clone(),
                c.dominators
                    .iter()
                    .map(|&d| m.zone(d).name.clone())
                    .collect(),
                c.dmz_dominates,
                c.dmz_bypass.is_some(),
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        doms,
        vec![
            ("line1".into(), s(&["idmz"]), true, false),
            ("site-ops".into(), s(&["idmz", "line1"]), true, false),
            (
                "supervisory".into(),
                s(&["idmz", "line1", "site-ops"]),
                true,
                false
            ),
        ]
    );
    // Both sources gain idmz; vendor-to-plc is the one conduit out of it.
    let cut = r.min_cut.as_ref().unwrap();
    assert_eq!(
        cut.conduits,
        vec![m.conduit_by_name("vendor-to-plc").unwrap()]
    );
    assert!(cut.exact);
    // OT weight: historian 1, scada 1, hmi-1 1, ews 1, filler-plc 2 (unpatchable), sis 4.
    assert_eq!(
        (r.exposure.reached_weight, r.exposure.total_weight),
        (6, 10)
    );
    assert_eq!((r.exposure.reached_assets, r.exposure.total_assets), (5, 6));
}

#[test]
fn cutting_vendor_access_keeps_it_out_of_ot() {
    let m = plant();
    let r = run(&m, &[], &["vendor-to-plc"]);
    assert_eq!(
        table(&m, &r),
        vec![("idmz".to_string(), "compromised", 1, 10)]
    );
    assert_eq!(r.exposure.reached_weight, 0);
    assert!(r.min_cut.as_ref().unwrap().conduits.is_empty());
    assert_eq!(
        r.excluded,
        vec![(m.conduit_by_name("vendor-to-plc").unwrap(), Exclusion::Cut)]
    );
}

#[test]
fn vendor_access_ends_on_its_expiry_date() {
    let m = plant();
    let opts = BlastOptions {
        as_of: Date::parse("2027-03-31"),
        ..BlastOptions::default()
    };
    let r = analyze(&m, &opts);
    // https from the enterprise still gives a foothold in the DMZ, but no
    // conduit leads on from it.
    assert_eq!(
        table(&m, &r),
        vec![("idmz".to_string(), "compromised", 1, 10)]
    );
    let gone: Vec<&str> = r
        .excluded
        .iter()
        .map(|(c, _)| m.conduit(*c).name.as_str())
        .collect();
    assert_eq!(gone, vec!["vendor-support", "vendor-to-plc"]);
}

#[test]
fn worst_case_any_pivot() {
    let m = plant();
    let opts = BlastOptions {
        as_of: as_of(),
        assume_any_pivot: true,
        ..BlastOptions::default()
    };
    let r = analyze(&m, &opts);
    // Every edge a foothold; still nothing reaches the SIS.
    assert!(r.zone(m.zone_by_name("sis").unwrap()).is_none());
    let cut: Vec<&str> = r
        .min_cut
        .as_ref()
        .unwrap()
        .conduits
        .iter()
        .map(|&c| m.conduit(c).name.as_str())
        .collect();
    assert_eq!(cut, vec!["vendor-to-plc"]);
}
