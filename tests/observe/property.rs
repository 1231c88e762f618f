//! Random traffic through the riverside plant: merged with the policy, a
//! proposal leaves exactly the flows it refused as deviations, with the
//! same counts; the proposal always loads without a language error.

use super::support::*;
use conduit::compile::plan::{self, PlanOptions};
use conduit::model::{Date, Mode, Model};
use conduit::observe::aggregate::{L4Key, Observer, Outcome};
use conduit::observe::propose;
use conduit::observe::read::{Format, Reader};
use conduit::observe::Line;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::net::IpAddr;

const HOSTS: &[&str] = &[
    "10.20.0.10",
    "10.20.0.20",
    "10.25.0.10",
    "10.30.0.5",
    "10.30.0.21",
    "10.30.0.30",
    "10.30.0.99",
    "10.40.1.10",
    "10.40.1.77",
    "10.50.0.2",
    "10.10.3.3",
    "203.0.113.9",
    "2001:db8:10::7",
    "2001:db8:10::8",
    "2001:db8:99::1",
];
const SERVICES: &[(&str, u16)] = &[
    ("tcp", 102),
    ("tcp", 443),
    ("tcp", 22),
    ("tcp", 5450),
    ("udp", 123),
    ("udp", 53),
    ("tcp", 8080),
    ("icmp", 8),
    ("tcp", 502),
];
/// Monday 2026-11-30 00:00 UTC.
const WEEK: i64 = 1_795_996_800;

type Tally = BTreeMap<(IpAddr, IpAddr, L4Key), u64>;

fn observe<R>(model: &Model, csv: &str, then: impl FnOnce(&Observer<'_>) -> R) -> R {
    let opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of: Date::from_days_since_epoch(0),
        interfaces: None,
        target: None,
    };
    let (plan, _) = plan::build(model, &opts);
    let mut obs = Observer::new(model, &plan);
    let mut reader = Reader::new(Some(Format::Csv), Date::parse("2026-12-01").unwrap());
    for line in csv.lines() {
        match reader.line(line) {
            Line::Conn(c) => obs.observe(&c),
            Line::Skip => {}
            Line::Bad(m) => assert!(m.contains("different address families"), "{m}: {line}"),
        }
    }
    then(&obs)
}

fn deviations(obs: &Observer<'_>) -> Tally {
    let mut t = Tally::new();
    for (k, s) in &obs.flows {
        if matches!(k.outcome, Outcome::Deviation { .. }) {
            *t.entry((k.src, k.dst, k.l4)).or_default() += s.count;
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn a_merged_proposal_leaves_exactly_the_refused_flows(
        conns in prop::collection::vec((0..HOSTS.len(), 0..HOSTS.len(), 0..SERVICES.len(), 0..7 * 24 * 60i64), 1..40)
    ) {
        let mut csv = String::from("ts,src,dst,proto,port\n");
        for (s, d, svc, minute) in &conns {
            let (proto, port) = SERVICES[*svc];
            csv.push_str(&format!("{},{},{},{proto},{port}\n", WEEK + minute * 60, HOSTS[*s], HOSTS[*d]));
        }
        let plant = conduit::load_policy(&[PLANT.into()]);
        prop_assert!(!plant.has_errors());
        let (before, proposal) = observe(&plant.model, &csv, |o| (deviations(o), propose::proposal(o)));
        let dir = temp_dir("property");
        let file = dir.join("proposed.zc");
        std::fs::write(&file, &proposal.text).unwrap();
        let merged = conduit::load_policy(&[PLANT.into(), file]);
        prop_assert!(!merged.has_errors(), "{:?}\n{}", merged.diagnostics, proposal.text);
        let after = observe(&merged.model, &csv, deviations);
        let refused: Tally = before
            .iter()
            .filter(|(k, _)| proposal.refused.contains(k))
            .map(|(k, n)| (*k, *n))
            .collect();
        prop_assert_eq!(&after, &refused, "{}", proposal.text);
        prop_assert_eq!(refused.len(), proposal.refused.len());
    }
}
