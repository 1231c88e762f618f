//! `conduit query` agrees with the plan every backend compiles: on random
//! probes of the riverside plant (the command line against the plan's own
//! verdict), and on real packets through the nftables ruleset in network
//! namespaces for every riverside flow.

use crate::netns::{Lab, LOCK, RIVERSIDE};
use crate::support::{build, emit, options, riverside, root_dir, root_or_skip};
use conduit::compile::eval::{Packet, PacketL4, Verdict};
use conduit::compile::explain::{explain, DenyReason};
use conduit::compile::plan::date_to_unix;
use conduit::model::{Date, Direction, Mode, Model, Proto};
use std::net::IpAddr;
use std::process::Command;

const AS_OF: &str = "2026-12-01";

const ADDRS: &[&str] = &[
    "10.10.0.5",
    "10.20.0.10",
    "10.20.0.20",
    "10.20.0.99",
    "10.25.0.10",
    "10.25.0.50",
    "10.30.0.5",
    "10.30.0.21",
    "10.30.0.30",
    "10.30.0.40",
    "10.40.1.10",
    "10.40.1.50",
    "10.50.0.5",
    "198.51.100.7",
    "2001:db8:10::5",
    "2001:db8:77::1",
];

const PORTS: &[u16] = &[22, 102, 123, 443, 502, 5450, 8080];

/// A small deterministic generator (xorshift64*), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn random_packet(rng: &mut Rng) -> Packet {
    let src: IpAddr = rng.pick(ADDRS).parse().unwrap();
    let dst: IpAddr = loop {
        let d: IpAddr = rng.pick(ADDRS).parse().unwrap();
        if d.is_ipv4() == src.is_ipv4() {
            break d;
        }
    };
    let port = if rng.next() % 4 == 0 {
        (rng.next() % 65_536) as u16
    } else {
        *rng.pick(PORTS)
    };
    let l4 = if rng.next() % 3 == 0 {
        PacketL4::Udp(port)
    } else {
        PacketL4::Tcp(port)
    };
    // Six months from the as-of date: both sides of the vendor expiry,
    // inside and outside every schedule.
    let start = date_to_unix(Date::parse(AS_OF).unwrap());
    let unix_time = start + (rng.next() % (182 * 86_400)) as i64;
    Packet {
        src,
        dst,
        l4,
        sport: None,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time,
    }
}

/// Whether a service of the conduit has this protocol and port.
fn offers(model: &Model, conduit: &str, l4: PacketL4) -> bool {
    let c = model.conduit(model.conduit_by_name(conduit).unwrap());
    c.services.iter().any(|s| {
        model
            .service(s.value)
            .matches
            .iter()
            .any(|m| match (m.proto, l4) {
                (Proto::Tcp, PacketL4::Tcp(p)) | (Proto::Udp, PacketL4::Udp(p)) => {
                    m.ports.iter().any(|r| r.contains(p))
                }
                _ => false,
            })
    })
}

#[test]
fn explanations_agree_with_the_plan_on_random_probes() {
    let model = riverside();
    let plan = build(&model, &options(Mode::Enforce, AS_OF));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut seen = [0usize; 3];
    for _ in 0..5_000 {
        let pkt = random_packet(&mut rng);
        let e = explain(&model, &plan, &pkt);
        assert_eq!(e.verdict, plan.verdict(&pkt), "{pkt:?}");
        let decided = plan.deciding_rule(&pkt);
        assert_eq!(e.rule.as_ref().map(|r| r.index), decided, "{pkt:?}");
        match e.verdict {
            Verdict::Allow => {
                seen[0] += 1;
                let r = e.rule.as_ref().unwrap();
                assert!(e.reasons.is_empty());
                assert!(offers(&model, &r.conduit, pkt.l4), "{pkt:?} {r:?}");
                assert!(!r.reverse || r.direction == Direction::Both, "{r:?}");
            }
            Verdict::Deny | Verdict::WouldDrop => {
                seen[usize::from(e.verdict == Verdict::Deny) + 1] += 1;
                assert!(!e.reasons.is_empty(), "{pkt:?}");
                // Without a target profile the plan compiles every conduit
                // that is not expired: the model's reading must find what
                // stops the packet.
                for reason in &e.reasons {
                    assert!(
                        !matches!(reason, DenyReason::NotCompiled { .. }),
                        "{pkt:?}: {reason}"
                    );
                }
            }
        }
    }
    assert!(seen.iter().all(|n| *n > 20), "{seen:?}");
}

fn query(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
        .arg("query")
        .arg("examples/riverside/plant.zc")
        .args(args)
        .args(["--format", "json"])
        .current_dir(root_dir())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), doc)
}

fn instant(unix: i64) -> String {
    let date = Date::from_days_since_epoch(unix.div_euclid(86_400));
    let s = unix.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

#[test]
fn the_command_agrees_with_the_plan_on_random_probes() {
    let model = riverside();
    let plan = build(&model, &options(Mode::Enforce, AS_OF));
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for _ in 0..60 {
        let pkt = random_packet(&mut rng);
        let (proto, port) = match pkt.l4 {
            PacketL4::Tcp(p) => ("tcp", p),
            PacketL4::Udp(p) => ("udp", p),
            other => panic!("{other:?}"),
        };
        let (src, dst, port, at) = (
            pkt.src.to_string(),
            pkt.dst.to_string(),
            port.to_string(),
            instant(pkt.unix_time),
        );
        let (code, doc) = query(&[
            "--src", &src, "--dst", &dst, "--proto", proto, "--port", &port, "--at", &at,
            "--as-of", AS_OF,
        ]);
        let verdict = plan.verdict(&pkt);
        let want = match verdict {
            Verdict::Allow => ("allow", 0),
            Verdict::Deny => ("deny", 1),
            Verdict::WouldDrop => ("would-drop", 1),
        };
        assert_eq!((doc["verdict"].as_str().unwrap(), code), want, "{pkt:?}");
        let conduit = plan
            .deciding_rule(&pkt)
            .map(|i| plan.rules[i].conduit.as_str());
        assert_eq!(doc["rule"]["conduit"].as_str(), conduit, "{pkt:?}");
        if verdict == Verdict::Allow {
            let line = doc["rule"]["nftables"].as_str().unwrap();
            assert!(line.contains("counter accept"), "{line}");
        } else {
            assert!(!doc["reasons"].as_array().unwrap().is_empty(), "{doc}");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let (code, _) = query(&[
        "--src", "10.0.0.1", "--dst", "::1", "--proto", "tcp", "--port", "1",
    ]);
    assert_eq!(code, 2);
    let (code, _) = query(&[
        "--src", "10.0.0.1", "--dst", "10.0.0.2", "--proto", "tcp", "--port", "1", "--at",
        "tomorrow",
    ]);
    assert_eq!(code, 2);
    let (code, _) = query(&[
        "--src", "10.0.0.1", "--dst", "10.0.0.2", "--proto", "sctp", "--port", "1",
    ]);
    assert_eq!(code, 2);
}

/// One probe per riverside flow: every conduit, each direction it may
/// open, one lab host per end, each TCP/UDP port of its services; then the
/// same pair the other way round and on a port no service has.
fn flow_probes(model: &Model, lab: &Lab) -> Vec<(String, String, &'static str, u16)> {
    let hosts: Vec<IpAddr> = lab.hosts.keys().map(|h| h.parse().unwrap()).collect();
    let in_end = |ep: &conduit::model::Endpoint, h: &IpAddr| match ep.asset {
        Some(i) => model.zone(ep.zone).assets[i as usize].address.value == *h,
        None => model.zone_of_addr(*h) == Some(ep.zone),
    };
    let mut probes = Vec::new();
    for c in &model.conduits {
        for (a, b) in c.flows() {
            let src = hosts.iter().find(|h| in_end(&a, h));
            let dst = hosts.iter().find(|h| in_end(&b, h));
            let (Some(src), Some(dst)) = (src, dst) else {
                continue;
            };
            let (s, d) = (src.to_string(), dst.to_string());
            for svc in &c.services {
                for m in &model.service(svc.value).matches {
                    let proto = match m.proto {
                        Proto::Tcp => "tcp",
                        Proto::Udp => "udp",
                        _ => continue,
                    };
                    for r in &m.ports {
                        probes.push((s.clone(), d.clone(), proto, r.lo));
                        probes.push((d.clone(), s.clone(), proto, r.lo));
                    }
                }
            }
            probes.push((s.clone(), d.clone(), "tcp", 8080));
        }
    }
    probes.sort();
    probes.dedup();
    probes
}

#[test]
fn query_agrees_with_nftables_on_real_packets() {
    if !root_or_skip("query_agrees_with_nftables_on_real_packets") {
        return;
    }
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let model = riverside();
    let today = Date::from_days_since_epoch(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            / 86_400,
    )
    .to_string();
    let lab = Lab::new("q", RIVERSIDE);
    lab.load(&emit(
        "nftables",
        &build(&model, &options(Mode::Enforce, &today)),
    ));
    let probes = flow_probes(&model, &lab);
    assert!(probes.len() > 20, "{probes:?}");
    // The query runs just before the packets, in the same minute unless
    // the clock crosses a schedule edge meanwhile (then run it again).
    let answers: Vec<(String, bool)> = probes
        .iter()
        .map(|(s, d, proto, port)| {
            let port = port.to_string();
            let (code, doc) = query(&["--src", s, "--dst", d, "--proto", proto, "--port", &port]);
            assert!(code == 0 || code == 1, "{doc}");
            let verdict = doc["verdict"].as_str().unwrap().to_string();
            let passes = verdict != "deny";
            (verdict, passes)
        })
        .collect();
    let got: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = probes
            .iter()
            .zip(&answers)
            .map(|((s, d, proto, port), (_, passes))| {
                let lab = &lab;
                scope.spawn(move || {
                    let tries = if *passes { 2 } else { 1 };
                    (0..tries).any(|_| lab.connects(s, d, proto, *port))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wrong: Vec<String> = probes
        .iter()
        .zip(answers.iter().zip(&got))
        .filter(|(_, ((_, passes), got))| passes != *got)
        .map(|((s, d, proto, port), ((verdict, _), got))| {
            format!("{s} -> {d} {proto} {port}: query says {verdict}, packets passed: {got}")
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "query and nftables disagree:\n{}",
        wrong.join("\n")
    );
}

/// `query` names the group an endpoint came from, and places each address
/// of a multi-homed host with its own leg.
#[test]
fn query_names_groups_and_legs() {
    let run = |src: &str, dst: &str, port: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
            .args([
                "query",
                "examples/segments/plant.zc",
                "--src",
                src,
                "--dst",
                dst,
            ])
            .args([
                "--proto",
                "tcp",
                "--port",
                port,
                "--at",
                "2026-12-01T10:00:00Z",
            ])
            .args(["--as-of", "2026-12-01", "--format", "json"])
            .current_dir(root_dir())
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap_or(-1), doc)
    };
    let (_, doc) = run("172.16.30.21", "172.16.40.10", "102");
    assert_eq!(doc["verdict"], "allow", "{doc}");
    assert_eq!(doc["rule"]["from_group"], "operators", "{doc}");
    assert_eq!(doc["rule"]["to_group"], "line1-plcs", "{doc}");
    // The historian's cc leg may poll the PLC; its ops leg may not.
    let (_, doc) = run("172.16.30.99", "172.16.40.10", "4840");
    assert_eq!(doc["verdict"], "allow", "{doc}");
    assert_eq!(doc["rule"]["from"], "scada-cc.historian", "{doc}");
    assert!(doc["rule"]["from_group"].is_null(), "{doc}");
    let (_, doc) = run("172.16.20.10", "172.16.40.10", "4840");
    assert_eq!(doc["verdict"], "deny", "{doc}");
}

/// `--sport`: a `from PORTS` conduit allows only the matching source port,
/// and says so when the source port is missing or wrong.
#[test]
fn source_port_decides_a_from_ports_conduit() {
    let policy = crate::support::temp_file(
        "query-sport.zc",
        "zone bms {\n    network 10.60.0.0/24\n}\nzone plant {\n    network 10.61.0.0/24\n}\n\
         conduit bbmd {\n    bms -> plant\n    allow udp 47808 from 47808\n}\n",
    );
    let ask = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_conduit"))
            .arg("query")
            .arg(&policy)
            .args(["--src", "10.60.0.5", "--dst", "10.61.0.5", "--proto", "udp"])
            .args(["--port", "47808", "--as-of", "2026-12-01"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(ask(&["--sport", "47808"]).0, 0);
    let (code, text) = ask(&["--sport", "50000"]);
    assert_eq!(code, 1);
    assert!(text.contains("udp 47808 from 47808"), "{text}");
    assert_eq!(ask(&[]).0, 1);
}
