//! The `fortigate` backend: goldens, the independent reader against the
//! plan's evaluator (riverside at chosen instants and random policies),
//! the lint table of documented limits, hostile strings, schedule caps.

use crate::asa::{at, edge_instants, profile_options, riverside_addrs, RIVERSIDE_L4};
use crate::fortigate_reader::{words, FortiConfig};
use crate::golden::check_golden;
use crate::prop::{random_model, random_packet, Rng, AS_OF};
use crate::support::{build, emit, emit_within_limits, options, riverside};
use conduit::compile::eval::Packet;
use conduit::compile::fortigate::{
    COMMENTS_MAX, OBJECT_NAME_MAX, OWNED_PREFIX, POLICY_IDS, POLICY_NAME_MAX, SCHEDULE_NAME_MAX,
    ZONE_NAME_MAX,
};
use conduit::compile::plan::{self, Plan, PlanOptions};
use conduit::model::{Date, Mode, Model, ZoneId};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

fn forti_text(plan: &Plan) -> String {
    let files = emit("fortigate", plan);
    assert_eq!(files.len(), 1);
    files[0].text.clone()
}

#[test]
fn riverside_fortigate_goldens() {
    let model = riverside();
    for (mode, tag) in [(Mode::Enforce, "enforce"), (Mode::Monitor, "monitor")] {
        let plan = build(&model, &options(mode, "2026-11-28"));
        check_golden(
            &format!("riverside/fortigate-{tag}.conf"),
            &forti_text(&plan),
        );
    }
    let plan = build(
        &model,
        &profile_options(&model, "riverside-fortigate", None, "2026-11-28"),
    );
    check_golden("targets/riverside-fortigate.out", &forti_text(&plan));
}

/// Instants from the plan's date on (one-time schedules start there).
const INSTANTS: &[&str] = &[
    "2026-11-30 10:00",
    "2026-11-30 05:00",
    "2026-11-30 07:00",
    "2026-11-30 07:59",
    "2026-11-30 08:00",
    "2026-11-30 16:59",
    "2026-11-30 17:00",
    "2026-11-30 17:59",
    "2026-11-30 18:00",
    "2026-11-30 19:00",
    "2026-12-05 10:00",
    "2027-03-30 10:00",
    "2027-03-30 23:59",
    "2027-03-31 00:00",
    "2027-04-01 10:00",
];

fn riverside_agrees(model: &Model, opts: &PlanOptions) -> usize {
    let plan = build(model, opts);
    let cfg = FortiConfig::parse(&forti_text(&plan));
    let addrs = riverside_addrs(model);
    let ifaces = opts.interfaces.as_ref();
    let all_ifaces: Vec<Option<String>> = match ifaces {
        Some(m) => m
            .values()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(Some)
            .collect(),
        None => vec![None],
    };
    let route = |a: IpAddr| -> Option<String> {
        let m = ifaces?;
        model.zone_of_addr(a).and_then(|z| m.get(&z).cloned())
    };
    let mut n = 0;
    for &src in &addrs {
        for &dst in &addrs {
            if src.is_ipv4() != dst.is_ipv4() || src == dst {
                continue;
            }
            for l4 in RIVERSIDE_L4 {
                for t in INSTANTS {
                    for iif in &all_ifaces {
                        let pkt = Packet {
                            src,
                            dst,
                            l4: *l4,
                            sport: None,
                            icmp_code: None,
                            iif: iif.clone(),
                            oif: route(dst),
                            unix_time: at(t),
                        };
                        assert_eq!(cfg.verdict(&pkt), plan.verdict(&pkt), "{pkt:?} at {t}");
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

#[test]
fn riverside_fortigate_decisions_read_back_match_the_plan() {
    let model = riverside();
    let mut n = 0;
    for mode in [Mode::Enforce, Mode::Monitor] {
        n += riverside_agrees(&model, &options(mode, "2026-11-28"));
        n += riverside_agrees(
            &model,
            &profile_options(&model, "riverside-fortigate", Some(mode), "2026-11-28"),
        );
    }
    assert!(n > 100_000, "{n} packets");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn fortigate_text_read_back_matches_the_plan(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let model = random_model(&mut rng);
        let mode = if rng.chance(20) { Mode::Monitor } else { Mode::Enforce };
        let ifaces: Option<BTreeMap<ZoneId, String>> = rng.chance(40).then(|| {
            model
                .zone_ids()
                .filter(|_| rng.chance(80))
                .map(|z| (z, format!("port{}", z.0)))
                .collect()
        });
        let as_of = Date::parse(AS_OF).unwrap();
        let opts = PlanOptions { mode, log_denied: rng.chance(80), as_of, interfaces: ifaces.clone(), target: None };
        let (plan, _) = plan::build(&model, &opts);
        // Expiry dates past the device's calendar and windows with more
        // dated occurrences than it holds are refused (E0507, E0505).
        let Some(files) = emit_within_limits("fortigate", &plan, &["E0505", "E0507"]) else {
            return Ok(());
        };
        let text = files[0].text.clone();
        let cfg = FortiConfig::parse(&text);
        lint(&cfg, &plan, &text);
        let names = plan.interfaces.clone();
        let edges = edge_instants(&plan, &mut rng);
        let start = as_of.days_since_epoch() * 86_400;
        for i in 0..300 {
            let mut pkt = random_packet(&mut rng, &model, ifaces.as_ref());
            if let Some(t) = edges.get(i % edges.len().max(1)).filter(|_| rng.chance(50)) {
                pkt.unix_time = *t;
            }
            // The configuration is loaded on its date: earlier instants
            // are not its business.
            pkt.unix_time = pkt.unix_time.max(start);
            if !names.is_empty() {
                if !pkt.iif.as_ref().is_some_and(|i| names.contains(i)) {
                    pkt.iif = Some(rng.pick(&names).clone());
                }
                pkt.oif = ifaces
                    .as_ref()
                    .and_then(|m| model.zone_of_addr(pkt.dst).and_then(|z| m.get(&z).cloned()));
            }
            let want = plan.verdict(&pkt);
            let got = cfg.verdict(&pkt);
            prop_assert_eq!(got, want, "seed {} packet {:?}\n{}", seed, pkt, text);
        }
    }
}

/// The documented limits of docs/backends/fortigate.md, one row each.
pub fn lint(cfg: &FortiConfig, plan: &Plan, text: &str) {
    type Row = (
        &'static str,
        fn(&FortiConfig, &Plan, &str) -> Result<(), String>,
    );
    let rows: &[Row] = &[
        (
            "every defined name is owned (prefix), policies by ID range",
            |cfg, _, _| {
                for (path, entries) in &cfg.tables {
                    for (name, _) in entries {
                        let ok = if path == "firewall policy" {
                            name.parse::<u32>().is_ok_and(|id| POLICY_IDS.contains(&id))
                        } else {
                            name.starts_with(OWNED_PREFIX)
                        };
                        if !ok {
                            return Err(format!("{path}: {name}"));
                        }
                    }
                }
                Ok(())
            },
        ),
        (
            "name lengths: objects 79, zones 35, schedules 31, policy names 35",
            |cfg, _, _| {
                for (path, entries) in &cfg.tables {
                    let max = match path.as_str() {
                        "system zone" => ZONE_NAME_MAX,
                        p if p.starts_with("firewall schedule") => SCHEDULE_NAME_MAX,
                        "firewall policy" => usize::MAX,
                        _ => OBJECT_NAME_MAX,
                    };
                    for (name, e) in entries {
                        if name.len() > max {
                            return Err(name.clone());
                        }
                        if let Some(n) = e.get("name") {
                            if n[0].len() > POLICY_NAME_MAX || !n[0].starts_with(OWNED_PREFIX) {
                                return Err(n[0].clone());
                            }
                        }
                    }
                }
                Ok(())
            },
        ),
        ("policy names are unique", |cfg, _, _| {
            let mut seen = BTreeSet::new();
            for (_, e) in cfg.table("firewall policy") {
                if !seen.insert(e["name"][0].to_ascii_lowercase()) {
                    return Err(e["name"][0].clone());
                }
            }
            Ok(())
        }),
        ("comments at most 1023 bytes", |cfg, _, _| {
            for (_, e) in cfg.table("firewall policy") {
                if e["comments"][0].len() > COMMENTS_MAX {
                    return Err(e["comments"][0].clone());
                }
            }
            Ok(())
        }),
        (
            "every policy ends sessions with its schedule",
            |cfg, _, _| {
                for (id, e) in cfg.table("firewall policy") {
                    let always = e["schedule"][0] == "always";
                    if !always && e.get("schedule-timeout").is_none_or(|v| v[0] != "enable") {
                        return Err(id.clone());
                    }
                }
                Ok(())
            },
        ),
        (
            "last policy: explicit deny (monitor: accept), logged",
            |cfg, plan, _| {
                let last = cfg.order.last().ok_or("no policy")?;
                let e = cfg.entry("firewall policy", last).unwrap();
                let action = if plan.mode == Mode::Monitor {
                    "accept"
                } else {
                    "deny"
                };
                let log = if plan.log_denied { "all" } else { "disable" };
                let ok = e["action"][0] == action
                    && e["logtraffic"][0] == log
                    && e["service"] == ["ALL"]
                    && e["srcaddr"] == ["all"]
                    && e["srcaddr6"] == ["all"];
                if ok {
                    Ok(())
                } else {
                    Err(format!("{e:?}"))
                }
            },
        ),
        (
            "zones: one per profile interface, none without a profile",
            |cfg, plan, _| {
                let got: Vec<String> = cfg
                    .table("system zone")
                    .iter()
                    .map(|(_, e)| e["interface"][0].clone())
                    .collect();
                if got == plan.interfaces {
                    Ok(())
                } else {
                    Err(format!("{got:?}"))
                }
            },
        ),
        ("policies follow the plan's order", |cfg, plan, _| {
            if cfg.order.len() == plan.rules.len() + 1 {
                Ok(())
            } else {
                Err(cfg.order.len().to_string())
            }
        }),
        ("every quoted string is closed on its line", |_, _, text| {
            for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
                let _ = words(line);
            }
            Ok(())
        }),
    ];
    for (what, check) in rows {
        if let Err(e) = check(cfg, plan, text) {
            panic!("lint `{what}` fails: {e}\n{text}");
        }
    }
}

#[test]
fn riverside_fortigate_passes_the_lint_table() {
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        for opts in [
            options(mode, "2026-11-28"),
            profile_options(&model, "riverside-fortigate", Some(mode), "2026-11-28"),
        ] {
            let plan = build(&model, &opts);
            let text = forti_text(&plan);
            lint(&FortiConfig::parse(&text), &plan, &text);
        }
    }
}

#[test]
fn too_many_occurrences_is_e0505() {
    let model = crate::support::policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
         conduit x {\n a -> b\n allow tcp 22\n schedule \"mon-fri 08:00-17:00\"\n expires 2034-01-01\n}\n",
    );
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let b = conduit::compile::backend("fortigate").unwrap();
    let errors = conduit::compile::generate(b, &plan).unwrap_err();
    assert_eq!(errors[0].code, "E0505");
}

#[test]
fn hostile_policy_strings_are_escaped_not_injected() {
    let long = "x\"y\\;}?".repeat(400);
    let mut all: Vec<&str> = crate::tools::HOSTILE.to_vec();
    all.push(&long);
    all.push("]]> <a href='x'>&amp; */ \u{1b}[31m\nend\nconfig system admin");
    let mut benign_opts = options(Mode::Enforce, "2026-11-28");
    benign_opts.target = Some("x".to_string());
    let benign = forti_text(&build(&crate::tools::hostile_model("x"), &benign_opts));
    for text in &all {
        let model = crate::tools::hostile_model(text);
        let mut opts = options(Mode::Enforce, "2026-11-28");
        opts.target = Some(text.to_string());
        let plan = build(&model, &opts);
        let out = forti_text(&plan);
        assert_eq!(out.lines().count(), benign.lines().count(), "{out}");
        assert!(!out.contains('\u{202e}') && !out.contains('\0'));
        let cfg = FortiConfig::parse(&out);
        lint(&cfg, &plan, &out);
        // The comment reads back as written, minus what cannot be kept.
        let first = cfg.table("firewall policy").first().unwrap();
        if text.contains('"') && !text.contains('\n') && text.len() < 100 {
            assert!(
                first.1["comments"][0].contains(&text.replace('?', ".")),
                "{}",
                first.1["comments"][0]
            );
        }
    }
}

#[test]
fn the_reader_notices_a_wrong_schedule() {
    let model = riverside();
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let text = forti_text(&plan);
    let mutants = [
        text.replace("set end \"18:00\"", "set end \"18:01\""),
        text.replace(
            "set end \"00:00 2027/03/31\"",
            "set end \"00:00 2027/04/02\"",
        ),
        text.replace(
            "set end \"17:00 2026/11/30\"",
            "set end \"18:00 2026/11/30\"",
        ),
    ];
    let addrs = riverside_addrs(&model);
    for (i, mutant) in mutants.iter().enumerate() {
        assert_ne!(mutant, &text, "mutant {i} changed nothing");
        let cfg = FortiConfig::parse(mutant);
        let differs = addrs.iter().any(|&src| {
            addrs.iter().any(|&dst| {
                RIVERSIDE_L4.iter().any(|l4| {
                    INSTANTS
                        .iter()
                        .chain(["2026-11-30 18:00", "2027-04-01 10:00", "2026-11-30 17:30"].iter())
                        .any(|t| {
                            let pkt = Packet {
                                src,
                                dst,
                                l4: *l4,
                                sport: None,
                                icmp_code: None,
                                iif: None,
                                oif: None,
                                unix_time: at(t),
                            };
                            cfg.verdict(&pkt) != plan.verdict(&pkt)
                        })
                })
            })
        });
        assert!(differs, "mutant {i} went unnoticed");
    }
}
