//! The `cisco-asa` backend: goldens, the independent reader against the
//! plan's evaluator (riverside at chosen instants and random policies),
//! `ciscoconfparse2`, the lint table of documented limits, hostile strings.

use crate::asa_reader::{AsaConfig, Net, Svc};
use crate::golden::check_golden;
use crate::prop::{random_model, random_packet, Rng, AS_OF};
use crate::support::{build, emit, emit_within_limits, options, riverside, root_dir, temp_file};
use conduit::compile::asa::{NAME_MAX, OWNED_PREFIX, REMARK_MAX};
use conduit::compile::eval::{Packet, PacketL4, Verdict};
use conduit::compile::plan::{self, Plan, PlanOptions};
use conduit::compile::target;
use conduit::model::{Date, Mode, Model, ZoneId};
use conduit::source::SourceMap;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::net::IpAddr;

fn asa_text(plan: &Plan) -> String {
    let files = emit("cisco-asa", plan);
    assert_eq!(files.len(), 1);
    files[0].text.clone()
}

pub fn profile_options(model: &Model, name: &str, mode: Option<Mode>, as_of: &str) -> PlanOptions {
    let path = root_dir().join(format!("targets/{name}.yaml"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut sources = SourceMap::new();
    let (t, diags) = target::load(&mut sources, name, None, text, model);
    assert!(diags.is_empty(), "{name}: {diags:?}");
    let t = t.unwrap();
    let mut opts = options(mode.unwrap_or(t.mode), as_of);
    opts.log_denied = t.log_denied;
    opts.interfaces = Some(t.interfaces);
    opts.target = Some(t.name);
    opts
}

#[test]
fn riverside_asa_goldens() {
    let model = riverside();
    for (mode, tag) in [(Mode::Enforce, "enforce"), (Mode::Monitor, "monitor")] {
        let plan = build(&model, &options(mode, "2026-11-28"));
        check_golden(&format!("riverside/cisco-asa-{tag}.cfg"), &asa_text(&plan));
    }
    let plan = build(
        &model,
        &profile_options(&model, "riverside-asa", None, "2026-11-28"),
    );
    check_golden("targets/riverside-asa.out", &asa_text(&plan));
}

/// `YYYY-MM-DD HH:MM` UTC as a Unix second.
pub fn at(s: &str) -> i64 {
    let (d, t) = s.split_once(' ').unwrap();
    let (h, m) = t.split_once(':').unwrap();
    let h: i64 = h.parse().unwrap();
    let m: i64 = m.parse().unwrap();
    Date::parse(d).unwrap().days_since_epoch() * 86_400 + h * 3600 + m * 60
}

/// Addresses of every asset, a few per zone network, and outsiders.
pub fn riverside_addrs(model: &Model) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    for z in &model.zones {
        for a in &z.assets {
            out.push(a.address.value);
        }
        for n in &z.networks {
            if n.value.prefix_len() == 0 {
                continue;
            }
            out.extend(n.value.hosts().take(2));
        }
    }
    for a in [
        "198.51.100.7",
        "10.99.0.1",
        "2001:db8:10::5",
        "2001:db8:ff::1",
    ] {
        out.push(a.parse().unwrap());
    }
    out
}

pub const RIVERSIDE_INSTANTS: &[&str] = &[
    "2026-11-30 10:00", // Monday, inside both windows
    "2026-11-30 05:00", // an hour before the engineering window
    "2026-11-30 07:00", // an hour before the vendor window
    "2026-11-30 16:59", // last minute of the vendor window
    "2026-11-30 17:00", // vendor window over
    "2026-11-30 17:59", // last minute of the engineering window
    "2026-11-30 18:00", // engineering window over
    "2026-11-30 19:00", // an hour after it
    "2026-12-05 10:00", // Saturday
    "2027-03-30 10:00", // Tuesday, the day before expiry
    "2027-03-30 23:59", // the last minute before expiry
    "2027-03-31 00:00", // expired
    "2027-04-01 10:00", // a day after expiry
];

pub const RIVERSIDE_L4: &[PacketL4] = &[
    PacketL4::Tcp(102),
    PacketL4::Tcp(443),
    PacketL4::Tcp(5450),
    PacketL4::Tcp(22),
    PacketL4::Udp(123),
    PacketL4::Icmp(8),
    PacketL4::Proto(47),
];

/// Compares reader and plan on every pair of riverside addresses, every
/// service and instant; with interfaces, the packet arrives on the source
/// zone's interface (or any other) and leaves where its destination is
/// routed.
fn riverside_agrees(model: &Model, opts: &PlanOptions) -> usize {
    let plan = build(model, opts);
    let cfg = AsaConfig::parse(&asa_text(&plan));
    let addrs = riverside_addrs(model);
    let ifaces = opts.interfaces.as_ref();
    let mut all_ifaces: Vec<Option<String>> = match ifaces {
        Some(m) => m.values().cloned().map(Some).collect(),
        None => vec![None],
    };
    all_ifaces.dedup();
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
                for t in RIVERSIDE_INSTANTS {
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
                        let want = plan.verdict(&pkt);
                        let got = cfg.verdict(&pkt);
                        assert_eq!(got, want, "{pkt:?} at {t}");
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

#[test]
fn riverside_decisions_read_back_match_the_plan() {
    let model = riverside();
    let mut n = 0;
    for mode in [Mode::Enforce, Mode::Monitor] {
        n += riverside_agrees(&model, &options(mode, "2026-11-28"));
        n += riverside_agrees(
            &model,
            &profile_options(&model, "riverside-asa", Some(mode), "2026-11-28"),
        );
    }
    assert!(n > 100_000, "{n} packets");
}

/// Instants on the edges of every window and expiry of the plan.
pub fn edge_instants(plan: &Plan, rng: &mut Rng) -> Vec<i64> {
    let base = Date::parse(AS_OF).unwrap().days_since_epoch() * 86_400;
    let mut out = Vec::new();
    for rule in &plan.rules {
        if let Some(w) = &rule.window {
            let day = base + rng.below(14) as i64 * 86_400;
            for s in [
                i64::from(w.start_sec) - 3600,
                i64::from(w.start_sec) - 1,
                i64::from(w.start_sec),
                i64::from(w.end_sec) - 1,
                i64::from(w.end_sec),
                i64::from(w.end_sec) + 3600,
            ] {
                out.push(day + s);
            }
        }
        if let Some(d) = rule.expires {
            let e = d.days_since_epoch() * 86_400;
            out.extend([e - 3600, e - 1, e, e + 86_400]);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn asa_text_read_back_matches_the_plan(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let model = random_model(&mut rng);
        let mode = if rng.chance(20) { Mode::Monitor } else { Mode::Enforce };
        let ifaces: Option<BTreeMap<ZoneId, String>> = rng.chance(40).then(|| {
            model
                .zone_ids()
                .filter(|_| rng.chance(80))
                .map(|z| (z, format!("if{}", z.0)))
                .collect()
        });
        let as_of = Date::parse(AS_OF).unwrap();
        let opts = PlanOptions { mode, log_denied: rng.chance(80), as_of, interfaces: ifaces.clone(), target: None };
        let (plan, _) = plan::build(&model, &opts);
        // Expiry dates past the device's calendar and windows with more
        // dated occurrences than it holds are refused (E0507, E0505).
        let Some(files) = emit_within_limits("cisco-asa", &plan, &["E0505", "E0507"]) else {
            return Ok(());
        };
        let text = files[0].text.clone();
        let cfg = AsaConfig::parse(&text);
        lint(&cfg, &plan, &text);
        let names: Vec<String> = plan.interfaces.clone();
        let edges = edge_instants(&plan, &mut rng);
        for i in 0..300 {
            let mut pkt = random_packet(&mut rng, &model, ifaces.as_ref());
            if let Some(t) = edges.get(i % (edges.len().max(1))).filter(|_| rng.chance(50)) {
                pkt.unix_time = *t;
            }
            if !names.is_empty() {
                // The packet arrives on some interface of the firewall and
                // leaves where the destination is routed.
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

/// The documented limits and references of docs/backends/cisco-asa.md,
/// one row each, checked on a configuration read back.
pub fn lint(cfg: &AsaConfig, plan: &Plan, text: &str) {
    type Row = (
        &'static str,
        fn(&AsaConfig, &Plan, &str) -> Result<(), String>,
    );
    let rows: &[Row] = &[
        ("names: at most 64 of [A-Za-z0-9_.-]", |cfg, _, _| {
            for (n, _) in &cfg.defined {
                let ok = n.len() <= NAME_MAX
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
                if !ok {
                    return Err(n.clone());
                }
            }
            Ok(())
        }),
        ("names: every one owned (prefix)", |cfg, _, _| {
            match cfg
                .defined
                .iter()
                .find(|(n, _)| !n.starts_with(OWNED_PREFIX))
            {
                Some((n, _)) => Err(n.clone()),
                None => Ok(()),
            }
        }),
        (
            "names: objects and object-groups share one namespace",
            |cfg, _, _| {
                let mut seen = std::collections::BTreeSet::new();
                for (n, kind) in &cfg.defined {
                    if matches!(*kind, "object" | "object-group") && !seen.insert(n) {
                        return Err(format!("{n} defined twice"));
                    }
                }
                Ok(())
            },
        ),
        (
            "names: each time-range and access list once",
            |cfg, _, _| {
                let mut seen = std::collections::BTreeSet::new();
                for (n, kind) in &cfg.defined {
                    if matches!(*kind, "time-range" | "access-list") && !seen.insert((n, kind)) {
                        return Err(format!("{n} defined twice"));
                    }
                }
                Ok(())
            },
        ),
        (
            "remarks: at most 100 characters, never empty",
            |cfg, _, _| match cfg
                .remarks
                .iter()
                .find(|r| r.is_empty() || r.len() > REMARK_MAX)
            {
                Some(r) => Err(r.clone()),
                None => Ok(()),
            },
        ),
        ("every ACE has a remark", |cfg, _, _| {
            for (n, aces) in &cfg.acls {
                if aces.iter().any(|a| a.remark.is_empty()) {
                    return Err(n.clone());
                }
            }
            Ok(())
        }),
        (
            "bindings: each profile interface, or one global list",
            |cfg, plan, _| {
                let want: Vec<Option<String>> = if plan.interfaces.is_empty() {
                    vec![None]
                } else {
                    plan.interfaces.iter().cloned().map(Some).collect()
                };
                let got: Vec<Option<String>> = cfg.bindings.keys().cloned().collect();
                if got == want {
                    Ok(())
                } else {
                    Err(format!("{got:?} != {want:?}"))
                }
            },
        ),
        ("every list is bound, nothing else defined", |cfg, _, _| {
            for n in cfg.acls.keys() {
                if !cfg.bindings.values().any(|b| b == n) {
                    return Err(n.clone());
                }
            }
            Ok(())
        }),
        (
            "last ACE: deny ip any any [log] (monitor: permit)",
            |cfg, plan, _| {
                for (n, aces) in &cfg.acls {
                    let last = aces.last().ok_or_else(|| n.clone())?;
                    let ok = matches!(last.svc, Svc::Ip)
                        && matches!(last.src, Net::Any)
                        && matches!(last.dst, Net::Any)
                        && last.permit == (plan.mode == Mode::Monitor)
                        && last.log == plan.log_denied
                        && last.time.is_none();
                    if !ok {
                        return Err(n.clone());
                    }
                }
                Ok(())
            },
        ),
        (
            "one ACE per rule or fewer, plus the final one",
            |cfg, plan, _| {
                let aces: usize = cfg.acls.values().map(Vec::len).sum();
                if aces <= plan.rules.len() + cfg.acls.len() {
                    Ok(())
                } else {
                    Err(aces.to_string())
                }
            },
        ),
        ("every object and group is used", |cfg, _, text| {
            for (n, _) in cfg.defined.iter().filter(|(_, k)| *k != "access-list") {
                if text.matches(&format!(" {n}")).count() < 2 {
                    return Err(n.clone());
                }
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
fn riverside_passes_the_lint_table() {
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        for opts in [
            options(mode, "2026-11-28"),
            profile_options(&model, "riverside-asa", Some(mode), "2026-11-28"),
        ] {
            let plan = build(&model, &opts);
            let text = asa_text(&plan);
            lint(&AsaConfig::parse(&text), &plan, &text);
        }
    }
}

#[test]
fn every_profile_interface_gets_a_list_even_without_rules() {
    let model = riverside();
    let plan = build(
        &model,
        &profile_options(&model, "riverside-asa", None, "2026-11-28"),
    );
    let cfg = AsaConfig::parse(&asa_text(&plan));
    // The SIS has no conduit: its list denies everything.
    let sis = &cfg.acls[&cfg.bindings[&Some("sis".to_string())]];
    assert_eq!(sis.len(), 1);
    assert!(!sis[0].permit);
}

#[test]
fn expiry_beyond_2035_is_e0507() {
    let model = crate::support::policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
         conduit x {\n a -> b\n allow tcp 22\n expires 2040-01-01\n}\n",
    );
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let b = conduit::compile::backend("cisco-asa").unwrap();
    let errors = conduit::compile::generate(b, &plan).unwrap_err();
    assert_eq!(errors[0].code, "E0507");
    assert!(errors[0].help.is_some());
}

#[test]
fn ipv6_rules_use_v6_groups_in_the_same_list() {
    let model = crate::support::policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n network 2001:db8:1::/48\n asset h 2001:db8:1::5 { role hmi }\n}\n\
         zone b {\n purdue 2\n network 10.2.0.0/24\n network 2001:db8:2::/48\n}\n\
         zone internet {\n class external\n network ::/0\n}\n\
         conduit x {\n a -> b\n allow tcp 22, icmp, icmpv6\n}\nconduit y {\n internet -> a.h\n allow https\n}\n",
    );
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let text = asa_text(&plan);
    assert!(text.contains("network-object 2001:db8:2::/48"), "{text}");
    assert!(text.contains("network-object host 2001:db8:1::5"), "{text}");
    assert!(text.contains("service-object icmp6"), "{text}");
    let cfg = AsaConfig::parse(&text);
    assert_eq!(cfg.acls.len(), 1);
    lint(&cfg, &plan, &text);
    ccp_agrees(&text, "ipv6");
    let pkt = Packet {
        src: "2001:db8:1::9".parse().unwrap(),
        dst: "2001:db8:2::1".parse().unwrap(),
        l4: PacketL4::Tcp(22),
        sport: None,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time: at("2026-12-01 10:00"),
    };
    assert_eq!(cfg.verdict(&pkt), Verdict::Allow);
    assert_eq!(plan.verdict(&pkt), Verdict::Allow);
}

// ---- ciscoconfparse2 ---------------------------------------------------

const CCP_SCRIPT: &str = r#"
import json, sys
try:
    from loguru import logger
    logger.remove()
except Exception:
    pass
import warnings
warnings.simplefilter("ignore")
from ciscoconfparse2 import CiscoConfParse
from ciscoconfparse2.models_asa import ASAAclLine, ASAObjGroupNetwork
parse = CiscoConfParse(sys.argv[1], syntax="asa", factory=True)
out = {"acl": [], "netgroups": {}, "parents": {}}
for o in parse.find_objects(r"^access-list "):
    assert isinstance(o, ASAAclLine), (type(o), o.text)
    d = o.result_dict
    out["acl"].append({k: d[k] for k in ("acl_name", "action", "ip_protocol_object",
        "src_addr_method", "dst_addr_method", "time_range", "log", "remark", "disable")})
for o in parse.find_objects(r"^(object|object-group|time-range) "):
    out["parents"][o.text] = [c.text for c in o.children]
for o in parse.find_objects(r"^object-group network "):
    assert isinstance(o, ASAObjGroupNetwork), (type(o), o.text)
    kids = [c.text.split() for c in o.children]
    if all(k[1] == "host" and "." in k[2] or k[1].count(".") == 3 for k in kids):
        out["netgroups"][o.name] = o.network_strings
print("CCP-JSON " + json.dumps(out))
"#;

/// Runs ciscoconfparse2 on `text`; `None` (with a visible skip) when the
/// interpreter or the package is missing.
fn ccp(text: &str, tag: &str) -> Option<serde_json::Value> {
    let python = std::env::var("CONDUIT_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let script = temp_file("ccp-asa.py", CCP_SCRIPT);
    let file = temp_file(&format!("{tag}.cfg"), text);
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&file)
        .output();
    let missing = |why: String| {
        let msg = format!("SKIPPED ciscoconfparse2 check ({tag}): {why}; set CONDUIT_PYTHON to a python with ciscoconfparse2==0.9.18");
        if std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() == Ok("1") {
            panic!("{msg}, and CONDUIT_REQUIRE_NETNS=1");
        }
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{msg}");
        None
    };
    let out = match out {
        Ok(o) => o,
        Err(e) => return missing(format!("cannot run {python}: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'ciscoconfparse2'") {
        return missing("ciscoconfparse2 is not installed".to_string());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ciscoconfparse2 fails on {tag}:\n{stderr}\n{stdout}"
    );
    let json = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CCP-JSON "))
        .unwrap_or_else(|| panic!("no output from the script:\n{stdout}\n{stderr}"));
    // The first JSON value of the line: a library's log output may follow it.
    let value = serde_json::Deserializer::from_str(json)
        .into_iter::<serde_json::Value>()
        .next()
        .unwrap_or_else(|| panic!("no JSON in the script's output:\n{stdout}"));
    Some(value.unwrap_or_else(|e| panic!("{e}: {json}")))
}

/// ciscoconfparse2 reads the same structure as our reader: every ACE with
/// its action, service group, address methods, time-range and log flag,
/// every block with its children, and the IPv4 groups' networks.
pub fn ccp_agrees(text: &str, tag: &str) {
    let Some(v) = ccp(text, tag) else { return };
    let cfg = AsaConfig::parse(text);
    let acl = v["acl"].as_array().unwrap();
    assert_eq!(
        acl.len(),
        text.lines()
            .filter(|l| l.starts_with("access-list "))
            .count()
    );
    let mut ours: Vec<(&String, &crate::asa_reader::Ace)> = Vec::new();
    for (name, aces) in &cfg.acls {
        for a in aces {
            ours.push((name, a));
        }
    }
    let theirs: Vec<&serde_json::Value> = acl.iter().filter(|e| e["action"] != "remark").collect();
    assert_eq!(theirs.len(), ours.len(), "{tag}");
    // Both in file order within each list; compare per list.
    for (name, aces) in &cfg.acls {
        let t: Vec<&&serde_json::Value> = theirs
            .iter()
            .filter(|e| e["acl_name"] == name.as_str())
            .collect();
        assert_eq!(t.len(), aces.len(), "{tag} {name}");
        for (a, e) in aces.iter().zip(t) {
            assert_eq!(
                e["action"],
                if a.permit { "permit" } else { "deny" },
                "{tag} {e}"
            );
            assert_eq!(e["log"], a.log, "{tag} {e}");
            assert_eq!(e["disable"], a.inactive, "{tag} {e}");
            let tr = e["time_range"].as_str().map(str::to_string);
            assert_eq!(tr, a.time, "{tag} {e}");
            if let Svc::Group(g) = &a.svc {
                assert_eq!(e["ip_protocol_object"], g.as_str(), "{tag} {e}");
            }
            for (side, net) in [("src_addr_method", &a.src), ("dst_addr_method", &a.dst)] {
                let want = match net {
                    Net::Group(_) => "object-group",
                    Net::Object(_) => "object",
                    _ => "network",
                };
                assert_eq!(e[side], want, "{tag} {e}");
            }
        }
    }
    let parents = v["parents"].as_object().unwrap();
    let blocks = text
        .lines()
        .filter(|l| l.starts_with("object") || l.starts_with("time-range"))
        .count();
    assert_eq!(parents.len(), blocks, "{tag}");
    for (name, members) in v["netgroups"].as_object().unwrap() {
        let ours = &cfg.net_groups[name];
        assert_eq!(
            members.as_array().unwrap().len(),
            ours.len(),
            "{tag} {name}"
        );
    }
}

#[test]
fn ciscoconfparse2_reads_riverside() {
    let model = riverside();
    for mode in [Mode::Enforce, Mode::Monitor] {
        let plan = build(&model, &options(mode, "2026-11-28"));
        ccp_agrees(&asa_text(&plan), "riverside");
        let plan = build(
            &model,
            &profile_options(&model, "riverside-asa", Some(mode), "2026-11-28"),
        );
        ccp_agrees(&asa_text(&plan), "riverside-asa");
    }
    let services = crate::vendor::services_policy();
    ccp_agrees(
        &asa_text(&build(&services, &options(Mode::Enforce, "2026-11-28"))),
        "services",
    );
}

// ---- hostile strings ---------------------------------------------------

#[test]
fn hostile_policy_strings_never_break_the_asa_config() {
    let long = "x\"y;}?".repeat(400);
    let mut all: Vec<&str> = crate::tools::HOSTILE.to_vec();
    all.push(&long);
    all.push("]]> <a href='x'>&amp; */ \u{1b}[31m");
    let benign_model = crate::tools::hostile_model("x");
    let mut benign_opts = options(Mode::Enforce, "2026-11-28");
    benign_opts.target = Some("x".to_string());
    let benign = asa_text(&build(&benign_model, &benign_opts));
    for (i, text) in all.iter().enumerate() {
        let model = crate::tools::hostile_model(text);
        let mut opts = options(Mode::Enforce, "2026-11-28");
        opts.target = Some(text.to_string());
        let plan = build(&model, &opts);
        let out = asa_text(&plan);
        // No string adds a line or a command.
        assert_eq!(out.lines().count(), benign.lines().count(), "{out}");
        for line in out.lines() {
            assert!(line.is_ascii() && !line.contains('?'), "{line}");
        }
        let cfg = AsaConfig::parse(&out);
        lint(&cfg, &plan, &out);
        // ciscoconfparse2 takes seconds per run: the worst strings only.
        if i == 0 || i + 2 >= all.len() {
            ccp_agrees(&out, &format!("hostile-{i}"));
        }
    }
}

#[test]
fn the_reader_notices_a_wrong_time_or_order() {
    // The read-back comparison must be able to fail: an expiry a day late,
    // a window a minute long, or the final deny first all disagree.
    let model = riverside();
    let opts = options(Mode::Enforce, "2026-11-28");
    let plan = build(&model, &opts);
    let text = asa_text(&plan);
    let final_deny = text
        .lines()
        .find(|l| l.ends_with("extended deny ip any any log"))
        .unwrap()
        .to_string();
    let first_permit = text
        .lines()
        .find(|l| l.contains(" extended permit "))
        .unwrap()
        .to_string();
    let mutants = [
        text.replace(
            "absolute end 23:59 30 March 2027",
            "absolute end 23:59 31 March 2027",
        ),
        text.replace("06:00 to 17:59", "06:00 to 18:00"),
        text.replace(&first_permit, &format!("{final_deny}\n{first_permit}")),
    ];
    for (i, mutant) in mutants.iter().enumerate() {
        assert_ne!(mutant, &text, "mutant {i} changed nothing");
        let cfg = AsaConfig::parse(mutant);
        let addrs = riverside_addrs(&model);
        let differs = addrs.iter().any(|&src| {
            addrs.iter().any(|&dst| {
                RIVERSIDE_L4.iter().any(|l4| {
                    RIVERSIDE_INSTANTS.iter().any(|t| {
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

#[test]
fn a_window_on_no_day_never_opens_on_either_vendor() {
    let mut model = crate::support::policy(
        "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
         conduit x {\n a -> b\n allow tcp 22\n schedule \"mon-fri 08:00-17:00\"\n}\n",
    );
    if let Some(s) = model.conduits[0].schedule.as_mut() {
        s.value.days.clear();
    }
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    let pkt = Packet {
        src: "10.1.0.9".parse().unwrap(),
        dst: "10.2.0.1".parse().unwrap(),
        l4: PacketL4::Tcp(22),
        sport: None,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time: at("2026-11-30 10:00"),
    };
    assert_eq!(plan.verdict(&pkt), Verdict::Deny);
    assert_eq!(
        AsaConfig::parse(&asa_text(&plan)).verdict(&pkt),
        Verdict::Deny
    );
    let forti = &emit("fortigate", &plan)[0].text;
    assert!(forti.contains("set day none"), "{forti}");
    let cfg = crate::fortigate_reader::FortiConfig::parse(forti);
    assert_eq!(cfg.verdict(&pkt), Verdict::Deny);
}
