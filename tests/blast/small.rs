//! Small hand-made graphs, each checking one rule of the propagation.

use crate::fixture::Builder;
use conduit::graph::*;
use conduit::model::{Date, Model, Role};

fn names(m: &Model, r: &BlastReport) -> Vec<(String, &'static str, u32)> {
    r.zones
        .iter()
        .map(|z| (m.zone(z.zone).name.clone(), z.grade.as_str(), z.hops))
        .collect()
}

fn path(m: &Model, z: &ZoneReach) -> Vec<String> {
    z.path
        .iter()
        .map(|e| m.conduit(e.conduit).name.clone())
        .collect()
}

fn run(m: &Model, f: impl FnOnce(&mut BlastOptions)) -> BlastReport {
    let mut o = BlastOptions::default();
    f(&mut o);
    analyze(m, &o)
}

fn zone_named<'a>(m: &Model, r: &'a BlastReport, name: &str) -> &'a ZoneReach {
    r.zone(m.zone_by_name(name).unwrap()).unwrap()
}

fn cut_names(m: &Model, r: &BlastReport) -> Vec<String> {
    r.min_cut
        .as_ref()
        .unwrap()
        .conduits
        .iter()
        .map(|&c| m.conduit(c).name.clone())
        .collect()
}

fn chain() -> Builder {
    Builder::new()
        .z("corp", "it", 1)
        .z("dmz", "dmz", 3)
        .z("cell", "ot", 2)
        .c("c1", "corp", "->", "dmz", "ssh")
        .c("c2", "dmz", "->", "cell", "modbus")
}

#[test]
fn chain_grades_hops_dominators_and_cut() {
    let m = chain().build();
    let r = run(&m, |_| {});
    assert_eq!(
        names(&m, &r),
        vec![
            ("dmz".into(), "compromised", 1),
            ("cell".into(), "impacted", 2)
        ]
    );
    assert_eq!(path(&m, zone_named(&m, &r, "cell")), vec!["c1", "c2"]);
    // ssh auth+enc = 3, dmz SL 3 → 6; modbus 0, cell SL 2 → 4; plus 1 each.
    assert_eq!(zone_named(&m, &r, "dmz").difficulty, 1 + 3 + 6);
    assert_eq!(zone_named(&m, &r, "cell").difficulty, 10 + 1 + 4);
    let x = &r.crossings[0];
    assert_eq!(m.zone(x.zone).name, "cell");
    assert!(x.dmz_bypass.is_none());
    assert_eq!(x.dominators, vec![m.zone_by_name("dmz").unwrap()]);
    assert!(x.dmz_dominates);
    assert_eq!(cut_names(&m, &r), vec!["c1"]);
    assert!(r.min_cut.as_ref().unwrap().exact);
}

#[test]
fn non_pivot_service_stops_propagation() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("dmz", "dmz", 3)
        .z("cell", "ot", 2)
        .c("c1", "corp", "->", "dmz", "https")
        .c("c2", "dmz", "->", "cell", "ssh")
        .build();
    let r = run(&m, |_| {});
    assert_eq!(names(&m, &r), vec![("dmz".into(), "reachable", 1)]);
    assert!(r.crossings.is_empty());
    assert!(r.min_cut.as_ref().unwrap().conduits.is_empty());
    assert_eq!(r.exposure.reached_weight, 0);
    // Worst case: every edge is a foothold.
    let r = run(&m, |o| o.assume_any_pivot = true);
    assert_eq!(
        names(&m, &r),
        vec![
            ("dmz".into(), "compromised", 1),
            ("cell".into(), "compromised", 2)
        ]
    );
}

#[test]
fn cycles_terminate_with_fewest_hops() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("a", "dmz", 1)
        .z("b", "dmz", 1)
        .z("cell", "ot", 1)
        .c("ab", "a", "->", "b", "ssh")
        .c("ba", "b", "->", "a", "ssh")
        .c("corp-a", "corp", "->", "a", "ssh")
        .c("b-corp", "b", "->", "corp", "ssh")
        .c("b-cell", "b", "->", "cell", "s7comm")
        .build();
    let r = run(&m, |_| {});
    assert_eq!(
        names(&m, &r),
        vec![
            ("a".into(), "compromised", 1),
            ("b".into(), "compromised", 2),
            ("cell".into(), "impacted", 3)
        ]
    );
    assert_eq!(
        path(&m, zone_named(&m, &r, "cell")),
        vec!["corp-a", "ab", "b-cell"]
    );
    let doms: Vec<&str> = r.crossings[0]
        .dominators
        .iter()
        .map(|&d| m.zone(d).name.as_str())
        .collect();
    assert_eq!(doms, vec!["a", "b"]);
}

#[test]
fn bidirectional_conduit_lets_the_responder_side_initiate() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("cell", "ot", 2)
        .c("sync", "cell", "<->", "corp", "ssh")
        .build();
    let r = run(&m, |_| {});
    assert_eq!(names(&m, &r), vec![("cell".into(), "compromised", 1)]);
    let x = &r.crossings[0];
    let bypass = x.dmz_bypass.as_ref().expect("no DMZ on the path");
    assert_eq!(bypass.len(), 1);
    assert!(bypass[0].reverse);
    assert!(!x.dmz_dominates);
    assert_eq!(cut_names(&m, &r), vec!["sync"]);
    // One way only: the OT side initiates, IT cannot.
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("cell", "ot", 2)
        .c("sync", "cell", "->", "corp", "ssh")
        .build();
    assert!(run(&m, |_| {}).zones.is_empty());
}

#[test]
fn asset_targeted_conduits_reach_only_that_asset_unless_a_foothold() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("dmz", "dmz", 3)
        .a("web", Role::Server)
        .a("jump", Role::JumpHost)
        .z("cell", "ot", 2)
        .a("plc1", Role::Plc)
        .a("plc2", Role::Plc)
        .z("line", "ot", 2)
        .a("plc3", Role::Plc)
        .c("reports", "corp", "->", "dmz.web", "https")
        .c("write-plc1", "corp", "->", "cell.plc1", "modbus")
        .build();
    let r = run(&m, |_| {});
    let dmz = zone_named(&m, &r, "dmz");
    assert_eq!(dmz.grade, Grade::Reachable);
    assert_eq!(dmz.assets, AssetsReached::Some([0].into_iter().collect()));
    let cell = zone_named(&m, &r, "cell");
    assert_eq!(cell.grade, Grade::Impacted);
    assert_eq!(cell.assets, AssetsReached::Some([0].into_iter().collect()));
    // Exposure: plc1 of plc1, plc2, plc3 (weight 1 each).
    assert_eq!((r.exposure.reached_weight, r.exposure.total_weight), (1, 3));
    assert_eq!((r.exposure.reached_assets, r.exposure.total_assets), (1, 3));

    // A session on a jump host is a foothold: the whole zone falls.
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("dmz", "dmz", 3)
        .a("web", Role::Server)
        .a("jump", Role::JumpHost)
        .z("cell", "ot", 2)
        .c("remote", "corp", "->", "dmz.jump", "https")
        .c("from-web", "dmz.web", "->", "cell", "s7comm")
        .build();
    let r = run(&m, |_| {});
    let dmz = zone_named(&m, &r, "dmz");
    assert_eq!(dmz.grade, Grade::Compromised);
    assert_eq!(dmz.assets, AssetsReached::All);
    assert_eq!(dmz.path[0].pivot, Some(PivotReason::JumpHost));
    assert_eq!(zone_named(&m, &r, "cell").grade, Grade::Impacted);
}

#[test]
fn unreachable_zones_and_safety() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("cell", "ot", 2)
        .z("sis", "safety", 4)
        .c("ops", "corp", "->", "cell", "rdp")
        .build();
    let r = run(&m, |_| {});
    assert_eq!(names(&m, &r), vec![("cell".into(), "compromised", 1)]);
    assert!(r.zone(m.zone_by_name("sis").unwrap()).is_none());
    assert!(!r.safety_reached());
    // cell (1) + sis without assets (4, safety).
    assert_eq!((r.exposure.reached_weight, r.exposure.total_weight), (1, 5));
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("cell", "ot", 2)
        .z("sis", "safety", 4)
        .c("ops", "corp", "->", "cell", "rdp")
        .c("sis-link", "cell", "->", "sis", "modbus")
        .build();
    let r = run(&m, |_| {});
    assert!(r.safety_reached());
    assert_eq!(r.exposure.percent(), 100.0);
    let text = render::render_text(&m, &r);
    assert!(text.contains("!!! SAFETY ZONE SIS IS REACHABLE"), "{text}");
}

#[test]
fn multiple_sources_and_per_source_summary() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("internet", "external", 0)
        .z("dmz", "dmz", 2)
        .z("cell", "ot", 2)
        .c("web", "corp", "->", "dmz", "https")
        .c("remote", "internet", "->", "dmz", "ssh")
        .c("ctl", "dmz", "->", "cell", "modbus")
        .build();
    let r = run(&m, |_| {});
    let srcs: Vec<&str> = r
        .sources
        .iter()
        .map(|s| m.zone(s.zone).name.as_str())
        .collect();
    assert_eq!(srcs, vec!["corp", "internet"]);
    assert_eq!(
        names(&m, &r),
        vec![
            ("dmz".into(), "compromised", 1),
            ("cell".into(), "impacted", 2)
        ]
    );
    assert_eq!(path(&m, zone_named(&m, &r, "cell")), vec!["remote", "ctl"]);
    let per: Vec<(u32, u32, u32)> = r
        .per_source
        .iter()
        .map(|s| (s.reachable, s.compromised, s.ot_reachable))
        .collect();
    assert_eq!(per, vec![(1, 0, 0), (2, 1, 1)]);
    // One cut edge suffices: ctl (remote alone would leave corp→dmz→... no: https is no foothold).
    assert_eq!(cut_names(&m, &r), vec!["remote"]);
    // Explicit sources.
    let corp = m.zone_by_name("corp").unwrap();
    let r = run(&m, |o| {
        o.sources = vec![Source {
            zone: corp,
            asset: None,
        }]
    });
    assert_eq!(names(&m, &r), vec![("dmz".into(), "reachable", 1)]);
}

#[test]
fn cut_removes_conduits_what_if() {
    let m = chain().build();
    let c2 = m.conduit_by_name("c2").unwrap();
    let r = run(&m, |o| o.cuts = [c2].into_iter().collect());
    assert_eq!(names(&m, &r), vec![("dmz".into(), "compromised", 1)]);
    assert_eq!(r.excluded, vec![(c2, Exclusion::Cut)]);
    assert_eq!(r.exposure.reached_weight, 0);
}

#[test]
fn depth_limits_crossings() {
    let m = chain().build();
    let r = run(&m, |o| o.depth = Some(1));
    assert_eq!(names(&m, &r), vec![("dmz".into(), "compromised", 1)]);
    let r = run(&m, |o| o.depth = Some(0));
    assert!(r.zones.is_empty());
}

#[test]
fn expired_conduits_are_gone() {
    let d = Date::parse("2026-01-31").unwrap();
    let m = chain()
        .cx("c0", "corp", "->", "cell", "ssh", |c| c.expires = Some(d))
        .build();
    let before = run(&m, |o| o.as_of = Date::parse("2026-01-30"));
    assert_eq!(zone_named(&m, &before, "cell").hops, 1);
    let after = run(&m, |o| o.as_of = Date::parse("2026-01-31"));
    assert_eq!(zone_named(&m, &after, "cell").hops, 2);
    assert_eq!(
        after.excluded,
        vec![(m.conduit_by_name("c0").unwrap(), Exclusion::Expired)]
    );
}

#[test]
fn easiest_path_may_take_more_hops() {
    // Direct: rdp (auth 2) + mfa 2 + schedule 1 + cell SL 4 (8) + 1 = 14.
    // Around: telnet into dmz SL 0 (1) then telnet into cell (1 + 8) = 10.
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("dmz", "dmz", 0)
        .z("cell", "ot", 4)
        .cx("direct", "corp", "->", "cell", "rdp", |c| {
            c.mfa = true;
            c.schedule = true;
        })
        .c("in", "corp", "->", "dmz", "telnet")
        .c("down", "dmz", "->", "cell", "telnet, modbus")
        .build();
    let r = run(&m, |_| {});
    let cell = zone_named(&m, &r, "cell");
    assert_eq!((cell.hops, cell.reach_hops), (1, 1));
    assert_eq!((cell.difficulty, cell.reach_difficulty), (10, 10));
    assert_eq!(path(&m, cell), vec!["in", "down"]);
    assert!(r.crossings[0].dmz_bypass.is_some());
    assert_eq!(cut_names(&m, &r), vec!["direct", "in"]);
    // With at most one crossing, the easiest path is the direct one.
    let r = run(&m, |o| o.depth = Some(1));
    let cell = zone_named(&m, &r, "cell");
    assert_eq!((cell.hops, cell.difficulty), (1, 14));
    assert_eq!(path(&m, cell), vec!["direct"]);
    let r = run(&m, |o| o.depth = Some(2));
    assert_eq!(path(&m, zone_named(&m, &r, "cell")), vec!["in", "down"]);
}

#[test]
fn path_shown_is_the_path_to_the_grade() {
    // Packets arrive cheaply over modbus (impacted), the foothold takes ssh.
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("cell", "ot", 0)
        .c("poll", "corp", "->", "cell", "modbus")
        .c("admin", "corp", "->", "cell", "ssh")
        .build();
    let r = run(&m, |_| {});
    let cell = zone_named(&m, &r, "cell");
    assert_eq!(cell.grade, Grade::Compromised);
    assert!(cell.impacted);
    assert_eq!((cell.difficulty, cell.reach_difficulty), (4, 1));
    assert_eq!(path(&m, cell), vec!["admin"]);
    assert_eq!(cut_names(&m, &r), vec!["admin", "poll"]);
}

#[test]
fn monitor_mode_and_vendor_access_are_footholds() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("dmz", "dmz", 1)
        .z("cell", "ot", 1)
        .cx("vendor", "corp", "->", "dmz", "https", |c| c.vendor = true)
        .cx("trial", "dmz", "->", "cell", "ntp", |c| c.monitor = true)
        .build();
    let r = run(&m, |_| {});
    let dmz = zone_named(&m, &r, "dmz");
    assert_eq!(dmz.path[0].pivot, Some(PivotReason::VendorAccess));
    let cell = zone_named(&m, &r, "cell");
    assert_eq!(cell.grade, Grade::Compromised);
    assert!(cell.impacted);
    assert_eq!(cell.path[1].pivot, Some(PivotReason::Monitor));
}

#[test]
fn source_inside_ot_has_no_cut() {
    let m = chain().build();
    let cell = m.zone_by_name("cell").unwrap();
    let r = run(&m, |o| {
        o.sources = vec![Source {
            zone: cell,
            asset: None,
        }]
    });
    assert_eq!(r.min_cut, Err(NoCut::SourceIsOt(cell)));
}

#[test]
fn parallel_dmzs_pass_a_dmz_without_one_dominating() {
    let m = Builder::new()
        .z("corp", "it", 1)
        .z("dmz-a", "dmz", 1)
        .z("dmz-b", "dmz", 1)
        .z("cell", "ot", 1)
        .c("a-in", "corp", "->", "dmz-a", "ssh")
        .c("b-in", "corp", "->", "dmz-b", "ssh")
        .c("a-out", "dmz-a", "->", "cell", "modbus")
        .c("b-out", "dmz-b", "->", "cell", "modbus")
        .build();
    let r = run(&m, |_| {});
    let x = &r.crossings[0];
    assert!(x.dmz_bypass.is_none());
    assert!(x.dominators.is_empty());
    assert!(!x.dmz_dominates);
    assert_eq!(cut_names(&m, &r).len(), 2);
    let text = render::render_text(&m, &r);
    assert!(text.contains("no single DMZ dominates it"), "{text}");
}

/// A reverse channel: an HMI that opens TeamViewer to the internet is
/// compromised from the internet in one hop, and the minimum cut counts it.
#[test]
fn remote_tool_is_a_reverse_channel_in_paths_and_cuts() {
    let m = Builder::new()
        .z("internet", "external", 0)
        .z("hmi", "ot", 2)
        .z("cell", "ot", 2)
        .c("tv", "hmi", "->", "internet", "teamviewer")
        .c("ctl", "hmi", "->", "cell", "modbus")
        .build();
    let r = run(&m, |_| {});
    assert_eq!(
        names(&m, &r),
        vec![
            ("hmi".into(), "compromised", 1),
            ("cell".into(), "impacted", 2)
        ]
    );
    assert_eq!(path(&m, zone_named(&m, &r, "hmi")), vec!["tv"]);
    assert!(zone_named(&m, &r, "hmi").path[0].reverse);
    assert_eq!(cut_names(&m, &r), vec!["tv"]);
}

/// A broker subscription lets the broker write into the subscriber, but
/// gives no foothold there.
#[test]
fn broker_subscription_writes_back_without_a_foothold() {
    let m = Builder::new()
        .z("cloud", "external", 0)
        .z("edge", "ot", 2)
        .z("cell", "ot", 2)
        .c("telemetry", "edge", "->", "cloud", "mqtt-tls")
        .c("ctl", "edge", "->", "cell", "ssh")
        .build();
    let r = run(&m, |_| {});
    assert_eq!(names(&m, &r), vec![("edge".into(), "impacted", 1)]);
}

/// An asset with an external link makes its zone a source.
#[test]
fn external_link_asset_is_an_entry_point() {
    let mut m = Builder::new()
        .z("corp", "it", 1)
        .z("cell", "ot", 2)
        .a("modem", Role::Gateway)
        .z("sis", "safety", 3)
        .c("trip", "cell", "->", "sis", "modbus")
        .build();
    let cell = m.zone_by_name("cell").unwrap();
    m.zones[cell.0 as usize].assets[0].external_link = true;
    let r = run(&m, |_| {});
    let sources: Vec<String> = r
        .sources
        .iter()
        .map(|s| m.zone(s.zone).name.clone())
        .collect();
    assert_eq!(sources, vec!["cell", "corp"]);
    assert_eq!(names(&m, &r), vec![("sis".into(), "impacted", 1)]);
    assert!(r.min_cut.is_err(), "a source inside OT has no cut");
}

/// Inline and wide-range ports of unknown protocol are footholds.
#[test]
fn unknown_ports_are_pivot_capable() {
    let text = "zone corp { purdue 4; network 10.10.0.0/16 }\n\
                zone ops { purdue 3; network 10.25.0.0/24 }\n\
                zone cell { purdue 1; network 10.40.0.0/24 }\n\
                conduit any { corp -> ops; allow tcp 1-65535 }\n\
                conduit time { corp -> cell; allow udp 123 }\n\
                conduit onward { ops -> cell; allow tcp 502 }\n";
    let loaded = conduit::load::load_str("t.zc", text);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let m = &loaded.model;
    let r = run(m, |_| {});
    assert_eq!(
        names(m, &r),
        // udp 123 is ntp: packets only; tcp 502 is modbus and umas, which
        // download programs: a foothold.
        vec![
            ("ops".into(), "compromised", 1),
            ("cell".into(), "compromised", 2)
        ]
    );
}
