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

/// One connection in each log format.
fn as_formats(ts: i64, src: &str, dst: &str, proto: &str, port: u16, i: usize) -> [String; 4] {
    let (orig_p, resp_p) = if proto == "icmp" {
        (port, 0)
    } else {
        (40000 + (i as u16 % 1000), port)
    };
    let zeek = format!("{ts}.{:06}\tC{i:08}\t{src}\t{orig_p}\t{dst}\t{resp_p}\t{proto}\t-\t-\t-\t-\tS0\t-\t-\t0\tS\t1\t60\t0\t0\t-", i % 1_000_000);
    let iso = |t: i64| {
        let d = Date::from_days_since_epoch(t.div_euclid(86_400));
        let s = t.rem_euclid(86_400);
        format!("{d}T{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    };
    let json = if i % 2 == 0 {
        format!(
            r#"{{"ts":{ts}.5,"uid":"C{i}","id.orig_h":"{src}","id.orig_p":{orig_p},"id.resp_h":"{dst}","id.resp_p":{resp_p},"proto":"{proto}","conn_state":"S0"}}"#
        )
    } else {
        format!(
            r#"{{"ts":"{}.123456Z","id":{{"orig_h":"{src}","orig_p":{orig_p},"resp_h":"{dst}","resp_p":{resp_p}}},"proto":"{proto}"}}"#,
            iso(ts)
        )
    };
    let fields = match proto {
        "tcp" => format!("PROTO=TCP SPT=40000 DPT={port} WINDOW=64240 RES=0x00 SYN URGP=0"),
        "udp" => format!("PROTO=UDP SPT=40000 DPT={port} LEN=20"),
        _ if src.contains(':') => format!("PROTO=ICMPv6 TYPE={port} CODE=0 ID=1 SEQ=1"),
        _ => format!("PROTO=ICMP TYPE={port} CODE=0 ID=1 SEQ=1"),
    };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let stamp = if i % 2 == 0 {
        format!("{}+00:00", iso(ts))
    } else {
        let d = Date::from_days_since_epoch(ts.div_euclid(86_400));
        let clock = iso(ts);
        format!(
            "{} {:>2} {}",
            months[usize::from(d.month) - 1],
            d.day,
            &clock[11..]
        )
    };
    let kernel = format!(
        "{stamp} fw kernel: conduit-deny: IN=a OUT=b SRC={src} DST={dst} LEN=60 TTL=63 {fields}"
    );
    let csv = format!("{ts},{src},{dst},{proto},{port}");
    [zeek, json, kernel, csv]
}

fn tallies(model: &Model, format: Format, lines: &[String]) -> Vec<String> {
    let opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of: Date::from_days_since_epoch(0),
        interfaces: None,
        target: None,
    };
    let (plan, _) = plan::build(model, &opts);
    let mut obs = Observer::new(model, &plan);
    let mut reader = Reader::new(None, Date::parse("2026-12-07").unwrap());
    if format == Format::Zeek {
        reader.line("#separator \\x09");
        reader.line("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents");
    }
    for line in lines {
        match reader.line(line) {
            Line::Conn(c) => obs.observe(&c),
            Line::Skip => panic!("{format:?} skipped {line}"),
            Line::Bad(m) => assert!(
                m.contains("different address families"),
                "{format:?} {m}: {line}"
            ),
        }
    }
    assert_eq!(reader.format(), Some(format), "detected");
    obs.flows
        .iter()
        .map(|(k, s)| format!("{k:?} {s:?}"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_format_gives_the_same_verdicts(
        conns in prop::collection::vec((0..HOSTS.len(), 0..HOSTS.len(), 0..SERVICES.len(), 0..7 * 24 * 3600i64), 1..30)
    ) {
        let plant = conduit::load_policy(&[PLANT.into()]);
        let mut per_format: [Vec<String>; 4] = Default::default();
        for (i, (s, d, svc, sec)) in conns.iter().enumerate() {
            let (proto, port) = SERVICES[*svc];
            let lines = as_formats(WEEK + sec, HOSTS[*s], HOSTS[*d], proto, port, i);
            for (out, l) in per_format.iter_mut().zip(lines) {
                out.push(l);
            }
        }
        let formats = [Format::Zeek, Format::ZeekJson, Format::Kernel, Format::Csv];
        let results: Vec<Vec<String>> = formats
            .iter()
            .zip(&per_format)
            .map(|(f, lines)| tallies(&plant.model, *f, lines))
            .collect();
        for (f, r) in formats.iter().zip(&results).skip(1) {
            prop_assert_eq!(r, &results[0], "{:?} differs from zeek", f);
        }
    }
}
