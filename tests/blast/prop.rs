//! Property tests on random small plants: the minimum conduit cut equals a
//! brute-force minimum over every subset of conduits; reported paths are
//! consistent; and `check` (PATH-001, PATH-004) and `blast` never disagree
//! on what an attacker reaches.

use crate::fixture::Builder;
use conduit::graph::*;
use conduit::model::{ConduitId, Date, Model};
use proptest::prelude::*;
use std::collections::BTreeSet;

const CLASSES: [&str; 5] = ["it", "dmz", "ot", "safety", "external"];
const SERVICES: [&str; 4] = ["ssh", "https", "modbus", "s7comm"];

#[derive(Debug, Clone)]
struct Spec {
    classes: Vec<usize>,
    conduits: Vec<(u8, u8, bool, usize)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..7).prop_flat_map(|n| {
        (
            proptest::collection::vec(0usize..5, n),
            proptest::collection::vec((any::<u8>(), any::<u8>(), any::<bool>(), 0usize..4), 1..8),
        )
            .prop_map(|(mut classes, conduits)| {
                if let Some(first) = classes.first_mut() {
                    *first = 0; // at least one IT source
                }
                Spec { classes, conduits }
            })
    })
}

/// Builds the model; `<->` conduits get one zone per side unless `multi_both`.
fn build(s: &Spec, multi_both: bool) -> Model {
    build_with(s, multi_both, &SERVICES)
}

fn build_with(s: &Spec, multi_both: bool, services: &[&str]) -> Model {
    let n = s.classes.len();
    let mut b = Builder::new();
    for (i, &c) in s.classes.iter().enumerate() {
        b = b.z(&format!("z{i}"), CLASSES[c], 1);
    }
    for (k, &(fm, tm, both, svc)) in s.conduits.iter().enumerate() {
        let mut from: Vec<usize> = (0..n).filter(|i| fm & (1 << i) != 0).collect();
        let mut to: Vec<usize> = (0..n)
            .filter(|i| tm & (1 << i) != 0 && !from.contains(i))
            .collect();
        if from.is_empty() || to.is_empty() {
            continue;
        }
        if both && !multi_both {
            from.truncate(1);
            to.truncate(1);
        }
        let names = |v: &[usize]| {
            v.iter()
                .map(|i| format!("z{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        b = b.c(
            &format!("c{k}"),
            &names(&from),
            if both { "<->" } else { "->" },
            &names(&to),
            services[svc % services.len()],
        );
    }
    b.build()
}

fn ot_reached(m: &Model, cuts: &BTreeSet<ConduitId>) -> bool {
    let r = analyze(
        m,
        &BlastOptions {
            cuts: cuts.clone(),
            ..BlastOptions::default()
        },
    );
    r.zones.iter().any(|z| m.zone(z.zone).class.is_ot_side())
}

/// Smallest number of conduits whose removal keeps every OT zone unreached.
fn brute_force(m: &Model) -> usize {
    let ids: Vec<ConduitId> = m.conduit_ids().collect();
    for k in 0..=ids.len() {
        let found = subsets(&ids, k)
            .into_iter()
            .any(|s| !ot_reached(m, &s.into_iter().collect()));
        if found {
            return k;
        }
    }
    ids.len()
}

fn subsets(ids: &[ConduitId], k: usize) -> Vec<Vec<ConduitId>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let Some((first, rest)) = ids.split_first() else {
        return Vec::new();
    };
    let mut out: Vec<Vec<ConduitId>> = subsets(rest, k - 1)
        .into_iter()
        .map(|mut s| {
            s.push(*first);
            s
        })
        .collect();
    out.extend(subsets(rest, k));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn min_cut_equals_brute_force(s in spec()) {
        let m = build(&s, false);
        let r = analyze(&m, &BlastOptions::default());
        // Sources are it/external zones; OT sources have no cut (not generated: z0 is it).
        let cut = r.min_cut.clone().unwrap();
        prop_assert!(cut.exact);
        prop_assert_eq!(cut.conduits.len(), brute_force(&m));
        prop_assert!(!ot_reached(&m, &cut.conduits.iter().copied().collect()));
    }

    #[test]
    fn min_cut_is_valid_with_any_bidirectional_conduits(s in spec()) {
        let m = build(&s, true);
        let cut = analyze(&m, &BlastOptions::default()).min_cut.unwrap();
        let best = brute_force(&m);
        prop_assert!(!ot_reached(&m, &cut.conduits.iter().copied().collect()));
        prop_assert!(cut.conduits.len() >= best);
        if cut.exact {
            prop_assert_eq!(cut.conduits.len(), best);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Every reported path starts at a source, chains edge to edge, crosses
    /// footholds until its last edge, ends at its zone, costs what the report
    /// says, respects the depth and is no longer than needed for its grade.
    #[test]
    fn paths_are_consistent(s in spec(), depth in proptest::option::of(0u32..4), any_pivot in any::<bool>()) {
        let m = build(&s, true);
        let r = analyze(&m, &BlastOptions { depth, assume_any_pivot: any_pivot, ..BlastOptions::default() });
        let sources: Vec<_> = r.sources.iter().map(|s| s.zone).collect();
        for z in &r.zones {
            let p = &z.path;
            prop_assert!(!p.is_empty());
            prop_assert!(sources.contains(&p[0].from));
            prop_assert_eq!(p.last().unwrap().to, z.zone);
            for w in p.windows(2) {
                prop_assert_eq!(w[0].to, w[1].from);
                prop_assert!(w[0].pivot.is_some());
            }
            prop_assert_eq!(p.iter().map(|e| e.cost.total()).sum::<u32>(), z.difficulty);
            prop_assert!(z.reach_difficulty <= z.difficulty);
            prop_assert!(z.reach_hops <= z.hops && z.hops as usize <= p.len());
            if let Some(d) = depth {
                prop_assert!(p.len() <= d as usize);
            }
            let last = p.last().unwrap();
            match z.grade {
                Grade::Compromised => prop_assert!(last.pivot.is_some()),
                Grade::Impacted => prop_assert!(last.write),
                Grade::Reachable => {}
            }
        }
    }
}

/// Services for the agreement test: pivot, write, read-only, a reverse
/// channel (remote tool) and a broker subscription (reverse write).
const MIXED: [&str; 6] = ["ssh", "https", "modbus", "ntp", "teamviewer", "mqtt-tls"];

/// Zone names a PATH finding lists between `after` and `before`.
fn listed(message: &str, after: &str, before: &str) -> Vec<String> {
    let Some((_, rest)) = message.split_once(after) else {
        return Vec::new();
    };
    let list = rest.split(before).next().unwrap_or("");
    let list = list
        .trim_start_matches("zones ")
        .trim_start_matches("zone ");
    list.split(", ")
        .flat_map(|p| p.split(" and "))
        .map(|z| z.trim().to_string())
        .filter(|z| !z.is_empty())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// `check` and `blast` share one attack model: the control zones
    /// PATH-001 reports are exactly those blast finds a DMZ bypass to, and
    /// the safety zones PATH-004 reports exactly those blast reaches.
    #[test]
    fn check_and_blast_agree_on_reachability(s in spec(), multi in any::<bool>()) {
        let m = build_with(&s, multi, &MIXED);
        let as_of = Date::parse("2026-11-28").unwrap();
        let report = conduit::check::run(&m, &conduit::check::RuleConfig::default(), as_of);
        let blast = analyze(&m, &BlastOptions { as_of: Some(as_of), ..BlastOptions::default() });
        let mut path1: Vec<String> = report.findings.iter()
            .filter(|f| f.rule() == "PATH-001")
            .flat_map(|f| listed(&f.diagnostic.message, "reach ", " without crossing"))
            .collect();
        let mut path4: Vec<String> = report.findings.iter()
            .filter(|f| f.rule() == "PATH-004")
            .flat_map(|f| listed(&f.diagnostic.message, "reach safety ", ":"))
            .collect();
        path1.sort();
        path4.sort();
        let mut bypass: Vec<String> = blast.crossings.iter()
            .filter(|c| c.dmz_bypass.is_some())
            .map(|c| m.zone(c.zone).name.clone())
            .collect();
        // Sources that are OT zones are reached by definition, not listed as crossings.
        let mut safety: Vec<String> = blast.crossings.iter()
            .filter(|c| c.safety)
            .map(|c| m.zone(c.zone).name.clone())
            .collect();
        bypass.sort();
        safety.sort();
        prop_assert_eq!(path1, bypass);
        prop_assert_eq!(path4, safety);
    }
}
