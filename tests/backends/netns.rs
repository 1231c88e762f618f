//! End to end on real packets: a router namespace holds the generated
//! ruleset, one namespace per host sits on a per-zone bridge in the router,
//! and real TCP/UDP connections (made by this test binary, re-run inside
//! the host namespaces as a helper) show what passes.
//!
//! Needs root; skipped with a message otherwise (a failure when
//! `CONDUIT_REQUIRE_NETNS=1`). The tests run one at a time (a lock), each
//! with its own namespaces, removed on drop.

use crate::support::{build, emit, options, policy, riverside, root_or_skip, run, temp_file};
use conduit::compile::eval::in_window;
use conduit::compile::plan::{PlanOptions, Window};
use conduit::compile::OutputFile;
use conduit::model::{Mode, Model, Weekday, ZoneId};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

pub(crate) static LOCK: Mutex<()> = Mutex::new(());

const TCP_PORTS: &[u16] = &[22, 53, 102, 443, 5450, 7001, 7002, 7004, 8080];
const UDP_PORTS: &[u16] = &[53, 54, 123];
const WAIT: Duration = Duration::from_millis(1500);

/// The helper, when this binary is re-run inside a host namespace.
#[test]
fn helper() {
    let Ok(role) = std::env::var("CONDUIT_NETNS_HELPER") else {
        return;
    };
    let target = std::env::var("CONDUIT_NETNS_TARGET").unwrap_or_default();
    match role.as_str() {
        "listen" => listen(),
        "tcp" => {
            let addr: SocketAddr = target.parse().unwrap();
            let mut s = TcpStream::connect_timeout(&addr, WAIT).expect("tcp connect");
            s.set_read_timeout(Some(WAIT)).unwrap();
            let mut buf = [0u8; 3];
            s.read_exact(&mut buf).expect("tcp reply");
            assert_eq!(&buf, b"ok\n");
        }
        "udp" => {
            let addr: SocketAddr = target.parse().unwrap();
            let any = if addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let s = UdpSocket::bind(any).unwrap();
            s.set_read_timeout(Some(WAIT)).unwrap();
            s.send_to(b"hi", addr).unwrap();
            let mut buf = [0u8; 8];
            let (n, _) = s.recv_from(&mut buf).expect("udp reply");
            assert_eq!(&buf[..n], b"ok\n");
        }
        "mrecv" => {
            let addr: SocketAddr = target.parse().unwrap();
            let SocketAddr::V4(group) = addr else {
                panic!("IPv4 group expected")
            };
            let s = UdpSocket::bind(("0.0.0.0", group.port())).unwrap();
            s.join_multicast_v4(group.ip(), &std::net::Ipv4Addr::UNSPECIFIED)
                .unwrap();
            s.set_read_timeout(Some(WAIT)).unwrap();
            let mut buf = [0u8; 8];
            let (n, _) = s.recv_from(&mut buf).expect("multicast datagram");
            assert_eq!(&buf[..n], b"hi");
        }
        "msend" => {
            let addr: SocketAddr = target.parse().unwrap();
            let s = UdpSocket::bind("0.0.0.0:0").unwrap();
            s.set_multicast_ttl_v4(4).unwrap();
            for _ in 0..3 {
                s.send_to(b"hi", addr).unwrap();
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        other => panic!("unknown helper role {other}"),
    }
}

fn listen() {
    for &port in TCP_PORTS {
        let l = TcpListener::bind(("::", port)).unwrap();
        std::thread::spawn(move || {
            for mut s in l.incoming().flatten() {
                let _ = s.write_all(b"ok\n");
            }
        });
    }
    for &port in UDP_PORTS {
        let s = UdpSocket::bind(("::", port)).unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 64];
            while let Ok((_, from)) = s.recv_from(&mut buf) {
                let _ = s.send_to(b"ok\n", from);
            }
        });
    }
    // Killed by the lab on drop; a safety net if it is not.
    std::thread::sleep(Duration::from_secs(300));
}

/// A zone in the lab: bridge (interface) name in the router, gateway
/// address with prefix, host addresses.
pub(crate) struct ZoneSpec {
    pub(crate) bridge: &'static str,
    pub(crate) gateway: &'static str,
    pub(crate) prefix: u8,
    pub(crate) hosts: &'static [&'static str],
}

pub(crate) const RIVERSIDE: &[ZoneSpec] = &[
    ZoneSpec {
        bridge: "wan0",
        gateway: "198.51.100.1",
        prefix: 24,
        hosts: &["198.51.100.7"],
    },
    ZoneSpec {
        bridge: "eth0",
        gateway: "10.10.0.1",
        prefix: 16,
        hosts: &["10.10.0.5"],
    },
    ZoneSpec {
        bridge: "eth1",
        gateway: "10.20.0.1",
        prefix: 24,
        hosts: &["10.20.0.10", "10.20.0.20"],
    },
    ZoneSpec {
        bridge: "eth2",
        gateway: "10.25.0.1",
        prefix: 24,
        hosts: &["10.25.0.10", "10.25.0.50"],
    },
    ZoneSpec {
        bridge: "eth3",
        gateway: "10.30.0.1",
        prefix: 24,
        hosts: &["10.30.0.5", "10.30.0.21", "10.30.0.30", "10.30.0.40"],
    },
    ZoneSpec {
        bridge: "eth4.101",
        gateway: "10.40.1.1",
        prefix: 24,
        hosts: &["10.40.1.10", "10.40.1.50"],
    },
    ZoneSpec {
        bridge: "eth5",
        gateway: "10.50.0.1",
        prefix: 28,
        hosts: &["10.50.0.5"],
    },
];

/// Namespaces of one test; removed on drop.
pub(crate) struct Lab {
    pub(crate) router: String,
    /// host address → namespace.
    pub(crate) hosts: BTreeMap<String, String>,
    namespaces: Vec<String>,
    listeners: Vec<Child>,
}

/// IPv6 addresses skip duplicate address detection, so they work at once.
fn with_nodad<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    if args.iter().any(|a| a.contains(':')) {
        v.push("nodad");
    }
    v
}

fn ip(args: &[&str]) {
    let (ok, out) = run("ip", args);
    assert!(ok, "ip {}: {out}", args.join(" "));
}

impl Lab {
    pub(crate) fn new(tag: &str, zones: &[ZoneSpec]) -> Lab {
        let base = format!("cdt{}{tag}", std::process::id() % 100_000);
        let router = format!("{base}r");
        let mut lab = Lab {
            router: router.clone(),
            hosts: BTreeMap::new(),
            namespaces: Vec::new(),
            listeners: Vec::new(),
        };
        let _ = run("ip", &["netns", "del", &router]);
        ip(&["netns", "add", &router]);
        lab.namespaces.push(router.clone());
        ip(&["-n", &router, "link", "set", "lo", "up"]);
        for key in ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"] {
            let (ok, out) = run("ip", &["netns", "exec", &router, "sysctl", "-qw", key]);
            assert!(ok, "{out}");
        }
        let mut n = 0;
        for z in zones {
            let gw = format!("{}/{}", z.gateway, z.prefix);
            // No multicast snooping: IPv6 neighbour discovery must flood.
            let bridge = ["type", "bridge", "mcast_snooping", "0"];
            let mut add = vec!["-n", router.as_str(), "link", "add", z.bridge];
            add.extend(bridge);
            ip(&add);
            ip(&with_nodad(&[
                "-n", &router, "addr", "add", &gw, "dev", z.bridge,
            ]));
            ip(&["-n", &router, "link", "set", z.bridge, "up"]);
            for host in z.hosts {
                n += 1;
                let ns = format!("{base}h{n}");
                lab.add_host(&ns, &format!("v{n}"), host, z);
            }
        }
        lab.start_listeners();
        lab
    }

    fn add_host(&mut self, ns: &str, port: &str, host: &str, z: &ZoneSpec) {
        let router = self.router.clone();
        let _ = run("ip", &["netns", "del", ns]);
        ip(&["netns", "add", ns]);
        self.namespaces.push(ns.to_string());
        let veth = ["type", "veth", "peer", "name", "eth0", "netns", ns];
        let mut add = vec!["-n", router.as_str(), "link", "add", port];
        add.extend(veth);
        ip(&add);
        ip(&["-n", &router, "link", "set", port, "master", z.bridge, "up"]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
        let addr = format!("{host}/{}", z.prefix);
        ip(&with_nodad(&[
            "-n", ns, "addr", "add", &addr, "dev", "eth0",
        ]));
        ip(&["-n", ns, "link", "set", "eth0", "up"]);
        ip(&["-n", ns, "route", "add", "default", "via", z.gateway]);
        self.hosts.insert(host.to_string(), ns.to_string());
    }

    fn start_listeners(&mut self) {
        let exe = std::env::current_exe().unwrap();
        for ns in self.hosts.values() {
            let child = Command::new("ip")
                .args(["netns", "exec", ns])
                .arg(&exe)
                .args([
                    "netns::helper",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("CONDUIT_NETNS_HELPER", "listen")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            self.listeners.push(child);
        }
        std::thread::sleep(Duration::from_millis(800));
    }

    /// Whether a new connection from `src` to `dst:port` gets an answer.
    pub(crate) fn connects(&self, src: &str, dst: &str, proto: &str, port: u16) -> bool {
        let ns = self
            .hosts
            .get(src)
            .unwrap_or_else(|| panic!("no host {src}"));
        let exe = std::env::current_exe().unwrap();
        Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(&exe)
            .args(["netns::helper", "--exact", "--test-threads=1", "-q"])
            .env("CONDUIT_NETNS_HELPER", proto)
            .env(
                "CONDUIT_NETNS_TARGET",
                SocketAddr::new(dst.parse().unwrap(), port).to_string(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// Whether a datagram from `src` to the IPv4 multicast `group:port`
    /// reaches a receiver on host `dst`, which joins the group first.
    fn delivers(&self, src: &str, dst: &str, group: &str, port: u16) -> bool {
        let exe = std::env::current_exe().unwrap();
        let target = SocketAddr::new(group.parse().unwrap(), port).to_string();
        let helper = |host: &str, role: &str| {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", &self.hosts[host]])
                .arg(&exe)
                .args(["netns::helper", "--exact", "--test-threads=1", "-q"])
                .env("CONDUIT_NETNS_HELPER", role)
                .env("CONDUIT_NETNS_TARGET", &target)
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            c
        };
        let mut receiver = helper(dst, "mrecv").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let sent = helper(src, "msend").status().is_ok_and(|s| s.success());
        let got = receiver.wait().is_ok_and(|s| s.success());
        sent && got
    }

    /// Runs all probes in parallel; panics listing every wrong outcome.
    fn expect(&self, what: &str, probes: &[Probe]) {
        let results: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = probes
                .iter()
                .map(|p| {
                    s.spawn(move || {
                        // A probe expected to pass gets a second try, so a
                        // lost first packet (neighbour discovery) is no failure;
                        // a probe expected to be blocked gets one try only.
                        let tries = if p.pass { 2 } else { 1 };
                        (0..tries).any(|_| self.connects(p.src, p.dst, p.proto, p.port))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let word = |pass: bool| if pass { "pass" } else { "blocked" };
        let wrong: Vec<String> = probes
            .iter()
            .zip(&results)
            .filter(|(p, got)| p.pass != **got)
            .map(|(p, got)| {
                format!(
                    "{} -> {} {}/{} ({}): expected {}, got {}",
                    p.src,
                    p.dst,
                    p.proto,
                    p.port,
                    p.why,
                    word(p.pass),
                    word(*got)
                )
            })
            .collect();
        assert!(wrong.is_empty(), "{what}:\n{}", wrong.join("\n"));
    }

    pub(crate) fn load(&self, files: &[OutputFile]) {
        for (i, f) in files.iter().enumerate() {
            let path = temp_file(&format!("{}-{i}{}", self.router, f.suffix), &f.text);
            let p = path.to_str().unwrap();
            let tool: &[&str] = match f.role {
                "nft -f" => &["nft", "-f"],
                "iptables-restore" => &["iptables-restore", "--noflush"],
                "ip6tables-restore" => &["ip6tables-restore", "--noflush"],
                other => panic!("cannot load {other}"),
            };
            let mut args = vec!["netns", "exec", self.router.as_str()];
            args.extend_from_slice(tool);
            args.push(p);
            let (ok, out) = run("ip", &args);
            assert!(ok, "loading {} failed: {out}", f.role);
            if let Some(hook) = hook_line(&f.text) {
                self.sh(&hook);
            }
        }
    }

    /// Runs a shell command in the router namespace.
    fn sh(&self, command: &str) -> String {
        let (ok, out) = run(
            "ip",
            &["netns", "exec", self.router.as_str(), "sh", "-c", command],
        );
        assert!(ok, "{command}: {out}");
        out
    }

    /// Packets counted by the rule whose comment contains `comment`: for
    /// nftables the sum over the rule in the chain or its elements in the
    /// sets (one per source, destination and port range).
    fn counter(&self, backend: &str, comment: &str) -> u64 {
        let r = self.router.as_str();
        let (ok, out) = match backend {
            "nftables" => run(
                "ip",
                &[
                    "netns", "exec", r, "nft", "list", "table", "inet", "conduit",
                ],
            ),
            _ => run("ip", &["netns", "exec", r, "iptables-save", "-c"]),
        };
        assert!(ok, "{out}");
        let lines: Vec<&str> = out.lines().filter(|l| l.contains(comment)).collect();
        assert!(!lines.is_empty(), "no rule with comment {comment}:\n{out}");
        lines
            .iter()
            .map(|line| {
                let n = if backend == "nftables" {
                    line.split("packets ")
                        .nth(1)
                        .and_then(|r| r.split_whitespace().next())
                } else {
                    line.strip_prefix('[').and_then(|r| r.split(':').next())
                };
                n.and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or_else(|| panic!("no counter in {line}"))
            })
            .sum()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for c in &mut self.listeners {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in &self.namespaces {
            let _ = run("ip", &["netns", "del", ns]);
        }
    }
}

struct Probe {
    src: &'static str,
    dst: &'static str,
    proto: &'static str,
    port: u16,
    pass: bool,
    why: &'static str,
}

fn p(
    src: &'static str,
    dst: &'static str,
    proto: &'static str,
    port: u16,
    pass: bool,
    why: &'static str,
) -> Probe {
    Probe {
        src,
        dst,
        proto,
        port,
        pass,
        why,
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Whether a riverside schedule is open right now (UTC, real clock).
fn open_now(days: &[Weekday], start_h: u32, end_h: u32) -> bool {
    let w = Window {
        days: days.iter().copied().collect(),
        start_sec: start_h * 3600,
        end_sec: end_h * 3600,
        text: String::new(),
        zone: None,
    };
    in_window(&w, now_unix())
}

const WEEKDAYS: &[Weekday] = &[
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

fn today() -> String {
    conduit::model::Date::from_days_since_epoch(now_unix().div_euclid(86_400)).to_string()
}

/// Probes on the riverside plant in enforce mode (vendor conduits active
/// until 2027-03-31; schedules judged against the real clock).
fn riverside_enforce_probes() -> Vec<Probe> {
    let engineering = open_now(WEEKDAYS, 6, 18);
    // Both vendor conduits end on 2027-03-31 (UTC).
    let vendor_alive = now_unix()
        < conduit::model::Date::parse("2027-03-31")
            .unwrap()
            .days_since_epoch()
            * 86_400;
    let vendor_support = vendor_alive && open_now(WEEKDAYS, 8, 17);
    vec![
        p(
            "10.10.0.5",
            "10.20.0.10",
            "tcp",
            443,
            true,
            "business-reports",
        ),
        p(
            "10.20.0.10",
            "10.10.0.5",
            "tcp",
            443,
            false,
            "reverse of business-reports",
        ),
        p(
            "10.25.0.10",
            "10.20.0.10",
            "tcp",
            5450,
            true,
            "historian-mirror",
        ),
        p(
            "10.25.0.50",
            "10.20.0.10",
            "tcp",
            5450,
            false,
            "historian-mirror from another host",
        ),
        p(
            "10.30.0.21",
            "10.40.1.10",
            "tcp",
            102,
            true,
            "hmi-control from hmi-1",
        ),
        p(
            "10.30.0.5",
            "10.40.1.50",
            "tcp",
            102,
            true,
            "hmi-control to any line1 host",
        ),
        p(
            "10.30.0.40",
            "10.40.1.10",
            "tcp",
            102,
            false,
            "no conduit from that host",
        ),
        p(
            "10.40.1.10",
            "10.30.0.21",
            "tcp",
            102,
            false,
            "reverse of hmi-control",
        ),
        p(
            "10.30.0.21",
            "10.40.1.10",
            "tcp",
            443,
            false,
            "hmi-control allows s7comm only",
        ),
        p(
            "10.30.0.30",
            "10.40.1.10",
            "tcp",
            102,
            engineering,
            "engineering, mon-fri 06-18 UTC",
        ),
        p(
            "10.20.0.20",
            "10.40.1.10",
            "tcp",
            102,
            true,
            "vendor-to-plc, not yet expired",
        ),
        p(
            "198.51.100.7",
            "10.20.0.20",
            "tcp",
            443,
            vendor_support,
            "vendor-support, mon-fri 08-17",
        ),
        p(
            "198.51.100.7",
            "10.20.0.10",
            "tcp",
            443,
            false,
            "internet to the historian mirror",
        ),
        p(
            "10.10.0.5",
            "10.40.1.10",
            "tcp",
            102,
            false,
            "enterprise to line1: no conduit",
        ),
        p(
            "10.50.0.5",
            "10.40.1.10",
            "tcp",
            102,
            false,
            "sis to line1: no conduit",
        ),
        p(
            "10.40.1.50",
            "10.25.0.50",
            "udp",
            123,
            true,
            "time-sync (monitored conduit)",
        ),
        p(
            "10.25.0.50",
            "10.30.0.40",
            "udp",
            123,
            true,
            "time-sync, <-> both ways",
        ),
        p(
            "10.40.1.50",
            "10.25.0.50",
            "tcp",
            22,
            true,
            "time-sync monitor scope passes the rest",
        ),
        p(
            "10.25.0.50",
            "10.20.0.10",
            "udp",
            123,
            false,
            "no conduit site-ops to idmz",
        ),
    ]
}

/// The guarded FORWARD hook command an iptables file's header gives.
fn hook_line(text: &str) -> Option<String> {
    text.lines()
        .find(|l| l.contains(" -C FORWARD "))
        .map(|l| l.trim_start_matches(['#', ' ']).to_string())
}

fn compile(model: &Model, backend: &str, opts: &PlanOptions) -> Vec<OutputFile> {
    emit(backend, &build(model, opts))
}

fn riverside_enforce(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let lab = Lab::new(tag, RIVERSIDE);
    // Without a ruleset everything is routed: the drops below are the firewall's.
    let baseline = [p(
        "10.10.0.5",
        "10.40.1.10",
        "tcp",
        102,
        true,
        "no firewall yet",
    )];
    lab.expect("baseline routing", &baseline);
    let files = compile(&riverside(), backend, &options(Mode::Enforce, &today()));
    lab.load(&files);
    lab.load(&files); // reloading is idempotent
    let what = format!("riverside {backend} enforce");
    lab.expect(&what, &riverside_enforce_probes());
    assert!(
        lab.counter(backend, "default deny") > 0,
        "denied traffic is counted"
    );
    let scope = lab.counter(backend, "conduit time-sync monitor scope");
    assert!(scope > 0, "a monitored conduit counts what it would drop");
    assert!(lab.counter(backend, "conduit business-reports service https") > 0);
    if backend == "nftables" {
        // Every map spread over parts of two rules, every port behind the
        // dispatch map: the same verdicts on real packets.
        let plan = build(&riverside(), &options(Mode::Enforce, &today()));
        let mut split = files.clone();
        split[0].text =
            conduit::compile::nftables::render_split(&plan, conduit::compile::nftables::TABLE, 2);
        assert!(split[0].text.contains("th dport vmap @ports_"));
        lab.load(&split);
        lab.expect(
            &format!("{what}, spread and dispatched"),
            &riverside_enforce_probes(),
        );
    }
}

#[test]
fn nftables_riverside_enforce_on_real_packets() {
    if root_or_skip("nftables_riverside_enforce_on_real_packets") {
        riverside_enforce("nftables", "a");
    }
}

#[test]
fn iptables_riverside_enforce_on_real_packets() {
    if root_or_skip("iptables_riverside_enforce_on_real_packets") {
        riverside_enforce("iptables", "b");
    }
}

fn riverside_monitor(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let lab = Lab::new(tag, RIVERSIDE);
    let files = compile(&riverside(), backend, &options(Mode::Monitor, &today()));
    lab.load(&files);
    let probes: Vec<Probe> = riverside_enforce_probes()
        .into_iter()
        .map(|mut p| {
            p.pass = true;
            p
        })
        .collect();
    lab.expect(&format!("riverside {backend} monitor passes all"), &probes);
    let would_drop = lab.counter(backend, "monitor: would drop (default deny)");
    assert!(would_drop >= 6, "would-be drops counted: {would_drop}");
}

#[test]
fn nftables_riverside_monitor_on_real_packets() {
    if root_or_skip("nftables_riverside_monitor_on_real_packets") {
        riverside_monitor("nftables", "c");
    }
}

#[test]
fn iptables_riverside_monitor_on_real_packets() {
    if root_or_skip("iptables_riverside_monitor_on_real_packets") {
        riverside_monitor("iptables", "d");
    }
}

fn core_interfaces(model: &Model) -> BTreeMap<ZoneId, String> {
    [
        ("internet", "wan0"),
        ("enterprise", "eth0"),
        ("idmz", "eth1"),
        ("site-ops", "eth2"),
        ("supervisory", "eth3"),
        ("line1", "eth4.101"),
        ("sis", "eth5"),
    ]
    .iter()
    .map(|(z, i)| (model.zone_by_name(z).unwrap(), (*i).to_string()))
    .collect()
}

/// With a target profile, interfaces are matched too.
fn target_interfaces(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let model = riverside();
    let mut opts = options(Mode::Enforce, &today());
    let iface = core_interfaces(&model);
    opts.interfaces = Some(iface.clone());
    let lab = Lab::new(tag, RIVERSIDE);
    lab.load(&compile(&model, backend, &opts));
    let what = format!("riverside {backend} through the core profile");
    lab.expect(&what, &riverside_enforce_probes());
    // The profile puts supervisory on the wrong interface: hmi-control
    // no longer matches.
    let mut wrong = iface;
    wrong.insert(
        model.zone_by_name("supervisory").unwrap(),
        "eth5".to_string(),
    );
    opts.interfaces = Some(wrong);
    lab.load(&compile(&model, backend, &opts));
    let probe = [p(
        "10.30.0.21",
        "10.40.1.10",
        "tcp",
        102,
        false,
        "supervisory is not on eth5",
    )];
    lab.expect("interfaces matter", &probe);
}

#[test]
fn nftables_target_profile_matches_interfaces() {
    if root_or_skip("nftables_target_profile_matches_interfaces") {
        target_interfaces("nftables", "e");
    }
}

#[test]
fn iptables_target_profile_matches_interfaces() {
    if root_or_skip("iptables_target_profile_matches_interfaces") {
        target_interfaces("iptables", "h");
    }
}

const SMALL: &[ZoneSpec] = &[
    ZoneSpec {
        bridge: "za",
        gateway: "10.61.0.1",
        prefix: 24,
        hosts: &["10.61.0.5"],
    },
    ZoneSpec {
        bridge: "zb",
        gateway: "10.62.0.1",
        prefix: 24,
        hosts: &["10.62.0.5"],
    },
    ZoneSpec {
        bridge: "zw",
        gateway: "198.51.100.1",
        prefix: 24,
        hosts: &["198.51.100.7"],
    },
];

/// A schedule window one hour long, twelve hours away from now (UTC).
fn closed_window() -> String {
    let hour = (now_unix().rem_euclid(86_400) / 3600 + 12) % 24;
    format!("daily {hour:02}:00-{:02}:00", hour + 1)
}

fn small_policy() -> Model {
    policy(&format!(
        "zone internet {{\n class external\n network 0.0.0.0/0\n}}\n\
         zone a {{\n purdue 3\n network 10.61.0.0/24\n}}\n\
         zone b {{\n purdue 2\n network 10.62.0.0/24\n}}\n\
         conduit expired {{\n a -> b\n allow tcp 8080\n expires 2026-01-01\n}}\n\
         conduit always {{\n a -> b\n allow tcp 22\n schedule \"daily 00:00-24:00\"\n}}\n\
         conduit not-now {{\n a -> b\n allow tcp 443\n schedule \"{}\"\n}}\n\
         conduit open {{\n a -> b\n allow tcp 102\n}}\n\
         conduit inbound {{\n internet -> b\n allow tcp 5450\n}}\n\
         service port-list {{\n tcp 7001, 7003-7004\n}}\n\
         conduit listed {{\n a -> b\n allow port-list\n}}\n",
        closed_window()
    ))
}

fn schedules_and_expiry(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let model = small_policy();
    let lab = Lab::new(tag, SMALL);
    let baseline = [
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            8080,
            true,
            "no firewall yet",
        ),
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            7002,
            true,
            "no firewall yet",
        ),
    ];
    lab.expect("baseline", &baseline);
    // Compiled before the expiry: the firewall's own clock ends the access.
    let before = options(Mode::Enforce, "2025-12-01");
    let (plan, warnings) = conduit::compile::plan::build(&model, &before);
    assert!(warnings.is_empty());
    assert!(plan.rules.iter().any(|r| r.conduit == "expired"));
    lab.load(&emit(backend, &plan));
    let probes = [
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            8080,
            false,
            "expired on the firewall's clock",
        ),
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            22,
            true,
            "schedule daily 00:00-24:00",
        ),
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            443,
            false,
            "schedule window excludes now",
        ),
        p("10.61.0.5", "10.62.0.5", "tcp", 102, true, "no schedule"),
        p("10.62.0.5", "10.61.0.5", "tcp", 102, false, "reverse of ->"),
        p(
            "198.51.100.7",
            "10.62.0.5",
            "tcp",
            5450,
            true,
            "internet -> b",
        ),
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            5450,
            false,
            "zone a is inside, not internet",
        ),
        p("10.61.0.5", "10.62.0.5", "tcp", 7001, true, "port list"),
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            7004,
            true,
            "port list range",
        ),
        p(
            "10.61.0.5",
            "10.62.0.5",
            "tcp",
            7002,
            false,
            "gap in the port list",
        ),
    ];
    lab.expect(
        &format!("{backend} schedules, expiry (as of 2025-12-01)"),
        &probes,
    );
    // Compiled after the expiry: left out with W0001; nothing passes either.
    let (plan, warnings) = conduit::compile::plan::build(&model, &options(Mode::Enforce, &today()));
    assert!(warnings.iter().any(|d| d.code == "W0001"));
    assert!(plan.rules.iter().all(|r| r.conduit != "expired"));
    lab.load(&emit(backend, &plan));
    lab.expect(
        &format!("{backend} schedules, expiry (as of today)"),
        &probes,
    );
}

#[test]
fn nftables_schedules_and_expiry_on_real_packets() {
    if root_or_skip("nftables_schedules_and_expiry_on_real_packets") {
        schedules_and_expiry("nftables", "f");
    }
}

#[test]
fn iptables_schedules_and_expiry_on_real_packets() {
    if root_or_skip("iptables_schedules_and_expiry_on_real_packets") {
        schedules_and_expiry("iptables", "g");
    }
}

const DUAL: &[ZoneSpec] = &[
    ZoneSpec {
        bridge: "za",
        gateway: "2001:db8:61::1",
        prefix: 64,
        hosts: &["2001:db8:61::5"],
    },
    ZoneSpec {
        bridge: "zb",
        gateway: "2001:db8:62::1",
        prefix: 64,
        hosts: &["2001:db8:62::5"],
    },
];

/// IPv6 on real packets: the nftables `ip6` rules and the ip6tables file.
fn ipv6(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let model = policy(
        "zone a {\n purdue 3\n network 10.61.0.0/24\n network 2001:db8:61::/64\n}\n\
         zone b {\n purdue 2\n network 10.62.0.0/24\n network 2001:db8:62::/64\n\
         asset srv 2001:db8:62::5\n}\n\
         conduit ssh {\n a -> b.srv\n allow tcp 22\n}\n\
         conduit time {\n a -> b\n allow ntp\n}\n\
         conduit names {\n a -> b.srv\n allow dns\n}\n",
    );
    let lab = Lab::new(tag, DUAL);
    let (a, b) = ("2001:db8:61::5", "2001:db8:62::5");
    lab.expect("baseline", &[p(b, a, "tcp", 22, true, "no firewall yet")]);
    let files = compile(&model, backend, &options(Mode::Enforce, &today()));
    assert_eq!(files.len(), if backend == "iptables" { 2 } else { 1 });
    lab.load(&files);
    let probes = [
        p(a, b, "tcp", 22, true, "ssh to the asset"),
        p(b, a, "tcp", 22, false, "reverse of ->"),
        p(a, b, "tcp", 443, false, "not allowed"),
        p(a, b, "udp", 123, true, "ntp to the zone"),
        p(b, a, "udp", 123, false, "reverse of ->"),
        // DNS: one nftables element for both protocols.
        p(a, b, "tcp", 53, true, "dns over tcp"),
        p(a, b, "udp", 53, true, "dns over udp"),
        p(a, b, "udp", 54, false, "next port"),
        p(b, a, "udp", 53, false, "reverse of dns"),
    ];
    if backend == "nftables" {
        let text = &files[0].text;
        assert!(
            text.contains("meta l4proto { tcp, udp } ip6 saddr . ip6 daddr . th dport vmap"),
            "{text}"
        );
    }
    lab.expect(&format!("{backend} IPv6"), &probes);
}

#[test]
fn nftables_ipv6_on_real_packets() {
    if root_or_skip("nftables_ipv6_on_real_packets") {
        ipv6("nftables", "i");
    }
}

#[test]
fn iptables_ipv6_on_real_packets() {
    if root_or_skip("iptables_ipv6_on_real_packets") {
        ipv6("iptables", "j");
    }
}

/// `iptables-save` and `ip6tables-save` without their timestamp lines.
fn saved(lab: &Lab) -> String {
    lab.sh("iptables-save; ip6tables-save")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loading touches only conduit's chains: a management rule in INPUT, a
/// foreign FORWARD rule, OUTPUT and the nat table survive; a second load
/// gives an identical `iptables-save` (no duplicate jump), and the
/// firewall still enforces the policy with a FORWARD policy of ACCEPT.
#[test]
fn iptables_loading_leaves_foreign_rules_and_is_idempotent() {
    if !root_or_skip("iptables_loading_leaves_foreign_rules_and_is_idempotent") {
        return;
    }
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let lab = Lab::new("k", SMALL);
    let foreign = [
        "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT",
        "-A FORWARD -s 203.0.113.0/24 -j ACCEPT",
        "-A OUTPUT -d 192.0.2.9/32 -j ACCEPT",
    ];
    for rule in foreign {
        lab.sh(&format!("iptables {rule}"));
    }
    lab.sh("iptables -t nat -A POSTROUTING -o zw -j MASQUERADE");
    lab.sh("ip6tables -A INPUT -s 2001:db8:9::/64 -p tcp -m tcp --dport 22 -j ACCEPT");
    let files = compile(
        &small_policy(),
        "iptables",
        &options(Mode::Enforce, &today()),
    );
    lab.load(&files);
    let first = saved(&lab);
    for rule in foreign {
        assert!(first.contains(rule), "{rule} lost:\n{first}");
    }
    assert!(
        first.contains("-A POSTROUTING -o zw -j MASQUERADE"),
        "{first}"
    );
    assert!(first.contains("-A INPUT -s 2001:db8:9::/64"), "{first}");
    assert!(
        first.contains(":FORWARD ACCEPT"),
        "FORWARD policy untouched:\n{first}"
    );
    assert_eq!(
        first.matches("-A FORWARD -j conduit-fwd").count(),
        2,
        "one jump per family:\n{first}"
    );
    lab.load(&files);
    assert_eq!(saved(&lab), first, "a second load changes nothing");
    let probes = [
        p("10.61.0.5", "10.62.0.5", "tcp", 102, true, "conduit open"),
        p(
            "10.62.0.5",
            "10.61.0.5",
            "tcp",
            102,
            false,
            "default deny in conduit-fwd",
        ),
    ];
    lab.expect("iptables with foreign rules", &probes);
}

const SEGMENTS: &[ZoneSpec] = &[
    ZoneSpec {
        bridge: "zops",
        gateway: "10.71.0.1",
        prefix: 24,
        hosts: &["10.71.0.10", "10.71.0.30"],
    },
    ZoneSpec {
        bridge: "zcc",
        gateway: "10.72.0.1",
        prefix: 24,
        hosts: &["10.72.0.21", "10.72.0.22", "10.72.0.30", "10.72.0.99"],
    },
    ZoneSpec {
        bridge: "zcell",
        gateway: "10.73.0.1",
        prefix: 24,
        hosts: &["10.73.0.10", "10.73.0.11"],
    },
];

/// Groups and a multi-homed host on real packets. A group conduit passes
/// exactly its members; each leg of the historian (10.71.0.10 in ops,
/// 10.72.0.99 in cc) is allowed only where a conduit names that leg. The
/// firewall sees addresses only, so each leg sits in its own namespace
/// here, on its zone's bridge.
fn groups_and_legs(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let model = policy(
        "zone ops { purdue 3; network 10.71.0.0/24; asset mes 10.71.0.30 }\n\
         zone cc { purdue 2; network 10.72.0.0/24\n\
           asset hmi-1 10.72.0.21; asset hmi-2 10.72.0.22; asset ews 10.72.0.30 }\n\
         zone cell { purdue 1; network 10.73.0.0/24; asset plc 10.73.0.10; asset rtu 10.73.0.11 }\n\
         asset historian { address 10.71.0.10 in ops; address 10.72.0.99 in cc }\n\
         group operators { cc.hmi-1, cc.hmi-2 }\n\
         group targets { cell.plc, ops.mes }\n\
         conduit run { operators -> targets; allow tcp 102 }\n\
         conduit collect { cc.historian -> cell.plc; allow tcp 7001 }\n\
         conduit reads { cell.rtu -> ops.historian; allow tcp 5450 }\n",
    );
    let lab = Lab::new(tag, SEGMENTS);
    let (hmi1, hmi2, ews) = ("10.72.0.21", "10.72.0.22", "10.72.0.30");
    let (plc, rtu, mes) = ("10.73.0.10", "10.73.0.11", "10.71.0.30");
    let (hist_ops, hist_cc) = ("10.71.0.10", "10.72.0.99");
    lab.expect(
        "baseline",
        &[p(ews, rtu, "tcp", 102, true, "no firewall yet")],
    );
    let files = compile(&model, backend, &options(Mode::Enforce, &today()));
    lab.load(&files);
    let probes = [
        p(hmi1, plc, "tcp", 102, true, "group member to group member"),
        p(hmi2, plc, "tcp", 102, true, "second member of operators"),
        p(hmi1, mes, "tcp", 102, true, "a group may span zones"),
        p(
            hmi2,
            mes,
            "tcp",
            102,
            true,
            "every initiator to every responder",
        ),
        p(ews, plc, "tcp", 102, false, "ews is no member of operators"),
        p(hmi1, rtu, "tcp", 102, false, "rtu is no member of targets"),
        p(plc, hmi1, "tcp", 102, false, "reverse of ->"),
        p(hmi1, plc, "tcp", 7001, false, "service of another conduit"),
        p(
            hist_cc,
            plc,
            "tcp",
            7001,
            true,
            "the cc leg may poll the PLC",
        ),
        p(
            hist_ops,
            plc,
            "tcp",
            7001,
            false,
            "the ops leg has no conduit to cell",
        ),
        p(
            rtu,
            hist_ops,
            "tcp",
            5450,
            true,
            "the ops leg is the one reads names",
        ),
        p(rtu, hist_cc, "tcp", 5450, false, "the cc leg is not"),
        p(
            hist_ops,
            hmi1,
            "tcp",
            102,
            false,
            "no conduit from ops to cc",
        ),
    ];
    lab.expect(&format!("{backend} groups and legs"), &probes);
}

#[test]
fn nftables_groups_and_multi_homed_legs_on_real_packets() {
    if root_or_skip("nftables_groups_and_multi_homed_legs_on_real_packets") {
        groups_and_legs("nftables", "m");
    }
}

// ---- multicast: routed groups through the firewall ----------------------

/// A static multicast route for the router namespace, held while the
/// process runs (the kernel forwards multicast only along multicast
/// forwarding cache entries, normally installed by a routing daemon such
/// as pimd or smcroute): MRT_INIT, one virtual interface per bridge, and
/// an entry per (source, group) from the first bridge to the others.
const MROUTE_PY: &str = r#"
import socket, struct, sys, time
MRT_INIT, MRT_ADD_VIF, MRT_ADD_MFC, VIFF_USE_IFINDEX = 200, 202, 204, 0x8
src, groups, ifaces = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, MRT_INIT, struct.pack("i", 1))
for i, name in enumerate(ifaces):
    vif = struct.pack("HBBIi4s", i, VIFF_USE_IFINDEX, 1, 0, socket.if_nametoindex(name), bytes(4))
    s.setsockopt(socket.IPPROTO_IP, MRT_ADD_VIF, vif)
ttls = bytes([0] + [1] * (len(ifaces) - 1) + [0] * (32 - len(ifaces)))
for g in groups:
    mfc = struct.pack("4s4sH32s2xIIIi", socket.inet_aton(src), socket.inet_aton(g), 0, ttls, 0, 0, 0, 0)
    s.setsockopt(socket.IPPROTO_IP, MRT_ADD_MFC, mfc)
print("ready", flush=True)
time.sleep(300)
"#;

const MULTICAST_LAB: &[ZoneSpec] = &[
    ZoneSpec {
        bridge: "zma",
        gateway: "10.71.0.1",
        prefix: 24,
        hosts: &["10.71.0.5"],
    },
    ZoneSpec {
        bridge: "zmb",
        gateway: "10.72.0.1",
        prefix: 24,
        hosts: &["10.72.0.5"],
    },
];

/// A datagram to a group crosses the router only when a conduit allows
/// that group and port: the multicast route forwards both groups, the
/// firewall decides.
fn multicast(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let python = std::env::var("CONDUIT_PYTHON").unwrap_or_else(|_| "python3".to_string());
    if !crate::support::has_tool(&python) && !std::path::Path::new(&python).is_file() {
        let msg =
            format!("SKIPPED multicast {backend}: no {python} to install the multicast route");
        assert!(
            std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() != Ok("1"),
            "{msg}, and CONDUIT_REQUIRE_NETNS=1"
        );
        let _ = writeln!(std::io::stderr(), "{msg}");
        return;
    }
    let model = policy(
        "zone a {\n purdue 3\n network 10.71.0.0/24\n}\n\
         zone b {\n purdue 1\n network 10.72.0.0/24\n}\n\
         conduit io {\n a -> multicast 239.192.1.0/24 in b\n allow udp 2222\n}\n",
    );
    let lab = Lab::new(tag, MULTICAST_LAB);
    let script = temp_file(&format!("{}-mroute.py", lab.router), MROUTE_PY);
    let mut mroute = Command::new("ip")
        .args(["netns", "exec", &lab.router, &python])
        .arg(&script)
        .args(["10.71.0.5", "239.192.1.5,239.192.2.5", "zma", "zmb"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = [0u8; 5];
    let started = mroute
        .stdout
        .as_mut()
        .is_some_and(|o| o.read_exact(&mut ready).is_ok());
    let (a, b) = ("10.71.0.5", "10.72.0.5");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(
            started && &ready == b"ready",
            "the multicast route did not start"
        );
        let baseline = [
            lab.delivers(a, b, "239.192.1.5", 2222),
            lab.delivers(a, b, "239.192.2.5", 2222),
        ];
        assert_eq!(
            baseline,
            [true, true],
            "no firewall yet: both groups are routed"
        );
        lab.load(&compile(&model, backend, &options(Mode::Enforce, &today())));
        let got = [
            lab.delivers(a, b, "239.192.1.5", 2222),
            lab.delivers(a, b, "239.192.1.5", 2223),
            lab.delivers(a, b, "239.192.2.5", 2222),
        ];
        assert_eq!(
            got,
            [true, false, false],
            "{backend}: the allowed group and port only"
        );
    }));
    let _ = mroute.kill();
    let _ = mroute.wait();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn iptables_groups_and_multi_homed_legs_on_real_packets() {
    if root_or_skip("iptables_groups_and_multi_homed_legs_on_real_packets") {
        groups_and_legs("iptables", "n");
    }
}

#[test]
fn nftables_multicast_on_real_packets() {
    if root_or_skip("nftables_multicast_on_real_packets") {
        multicast("nftables", "o");
    }
}

#[test]
fn iptables_multicast_on_real_packets() {
    if root_or_skip("iptables_multicast_on_real_packets") {
        multicast("iptables", "p");
    }
}
