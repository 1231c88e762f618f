//! ICMP, ICMPv6, neighbour discovery and source ports on real packets:
//! errors about an allowed connection pass (conntrack `related`), an
//! unsolicited error is dropped, `icmp 8` opens IPv4 only and `icmpv6 128`
//! IPv6 only, neighbour discovery works with the ruleset loaded, and a
//! `from PORTS` rule passes only its source port.
//!
//! ICMP is sent and caught by a small Python program (raw sockets) run in
//! the host namespaces (`CONDUIT_PYTHON`, default `python3`). Needs root;
//! skipped with a message otherwise (a failure when
//! `CONDUIT_REQUIRE_NETNS=1`).

use crate::netns::{Lab, ZoneSpec, LOCK};
use crate::support::{build, emit, options, policy, root_or_skip, run};
use conduit::model::Mode;
use std::process::{Command, Stdio};
use std::time::Duration;

const PROBE: &str = r#"
import socket, struct, sys, time
def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff
mode, dst = sys.argv[1], sys.argv[2]
v6 = ':' in dst
fam = socket.AF_INET6 if v6 else socket.AF_INET
def raw():
    if v6:
        return socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    return socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMP)
def icmp_of(data):
    return data if v6 else data[(data[0] & 15) * 4:]
def wait_for(s, src, kind, secs):
    s.settimeout(0.2)
    end = time.time() + secs
    while time.time() < end:
        try:
            data, addr = s.recvfrom(4096)
        except socket.timeout:
            continue
        if addr[0] == src and icmp_of(data)[0] == kind:
            return True
    return False
if mode == 'echo':
    s = raw()
    t = 128 if v6 else 8
    h = struct.pack('!BBHHH', t, 0, 0, 0x4321, 1) + b'conduit'
    c = 0 if v6 else csum(h)
    s.sendto(struct.pack('!BBHHH', t, 0, c, 0x4321, 1) + b'conduit', (dst, 0))
    sys.exit(0 if wait_for(s, dst, 129 if v6 else 0, 1.5) else 1)
if mode == 'unreach':
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1.5)
    s.connect((dst, int(sys.argv[3])))
    s.send(b'x')
    try:
        s.recv(16)
    except ConnectionRefusedError:
        sys.exit(0)
    except socket.timeout:
        sys.exit(1)
    sys.exit(2)
if mode == 'udp-from':
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(('', int(sys.argv[4])))
    s.settimeout(1.5)
    s.sendto(b'hi', (dst, int(sys.argv[3])))
    try:
        data, _ = s.recvfrom(16)
    except socket.timeout:
        sys.exit(1)
    sys.exit(0 if data == b'ok\n' else 2)
if mode == 'send-error':
    me = sys.argv[3]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, 0, 0, 64, 17, 0,
                     socket.inet_aton(dst), socket.inet_aton(me))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    body = struct.pack('!I', 0) + ip + struct.pack('!HHHH', 40000, 9999, 8, 0)
    h = struct.pack('!BBH', 3, 3, 0) + body
    s = raw()
    for _ in range(6):
        s.sendto(struct.pack('!BBH', 3, 3, csum(h)) + body, (dst, 0))
        time.sleep(0.2)
    sys.exit(0)
if mode == 'catch-error':
    sys.exit(0 if wait_for(raw(), dst, 3, 2.5) else 1)
sys.exit(3)
"#;

const ZONES: &[ZoneSpec] = &[
    ZoneSpec {
        bridge: "ia4",
        gateway: "10.71.0.1",
        prefix: 24,
        hosts: &["10.71.0.5"],
    },
    ZoneSpec {
        bridge: "ib4",
        gateway: "10.72.0.1",
        prefix: 24,
        hosts: &["10.72.0.5"],
    },
    ZoneSpec {
        bridge: "ia6",
        gateway: "2001:db8:71::1",
        prefix: 64,
        hosts: &["2001:db8:71::5"],
    },
    ZoneSpec {
        bridge: "ib6",
        gateway: "2001:db8:72::1",
        prefix: 64,
        hosts: &["2001:db8:72::5"],
    },
];

const A4: &str = "10.71.0.5";
const B4: &str = "10.72.0.5";
const A6: &str = "2001:db8:71::5";
const B6: &str = "2001:db8:72::5";

const POLICY: &str = "zone a {\n purdue 3\n network 10.71.0.0/24\n network 2001:db8:71::/64\n}\n\
     zone b {\n purdue 2\n network 10.72.0.0/24\n network 2001:db8:72::/64\n}\n\
     conduit probe {\n a -> b\n allow udp 9999\n}\n\
     conduit time {\n a -> b\n allow udp 123 from 5123\n}\n\
     conduit ping-v4 {\n a -> b\n allow icmp 8\n}\n\
     conduit ping-v6 {\n b -> a\n allow icmpv6 128\n}\n\
     conduit icmp-in {\n b -> a\n allow icmp\n}\n";

fn python() -> String {
    std::env::var("CONDUIT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn probe_cmd(lab: &Lab, host: &str, args: &[&str]) -> Command {
    let ns = &lab.hosts[host];
    let mut c = Command::new("ip");
    c.args(["netns", "exec", ns.as_str(), python().as_str(), "-c", PROBE])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Whether the probe `args` run on `host` succeeds (two tries, so that a
/// first packet lost to neighbour discovery is no failure).
fn ok(lab: &Lab, host: &str, args: &[&str]) -> bool {
    (0..2).any(|_| {
        probe_cmd(lab, host, args)
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Whether an unsolicited ICMPv4 port-unreachable from `from` reaches `to`.
fn unsolicited_error_arrives(lab: &Lab, from: &str, to: &str) -> bool {
    let mut catcher = probe_cmd(lab, to, &["catch-error", from]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let _ = probe_cmd(lab, from, &["send-error", to, from]).status();
    catcher.wait().is_ok_and(|s| s.success())
}

/// Every probe with what it should give before and after loading.
fn probes(lab: &Lab, loaded: bool) -> Vec<String> {
    let checks: [(&str, bool, bool); 9] = [
        (
            "v4 port unreachable of an allowed udp flow",
            ok(lab, A4, &["unreach", B4, "9999"]),
            true,
        ),
        (
            "v6 port unreachable of an allowed udp flow",
            ok(lab, A6, &["unreach", B6, "9999"]),
            true,
        ),
        ("icmp 8 on v4", ok(lab, A4, &["echo", B4]), true),
        (
            "icmp 8 does not open v6",
            ok(lab, A6, &["echo", B6]),
            !loaded,
        ),
        ("icmpv6 128 on v6", ok(lab, B6, &["echo", A6]), true),
        (
            "udp 123 from 5123",
            ok(lab, A4, &["udp-from", B4, "123", "5123"]),
            true,
        ),
        (
            "udp 123 from another port",
            ok(lab, A4, &["udp-from", B4, "123", "5124"]),
            !loaded,
        ),
        (
            "udp 123 from another port on v6",
            ok(lab, A6, &["udp-from", B6, "123", "5124"]),
            !loaded,
        ),
        (
            "unsolicited port unreachable",
            unsolicited_error_arrives(lab, B4, A4),
            !loaded,
        ),
    ];
    checks
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(what, got, want)| format!("{what}: expected {want}, got {got}"))
        .collect()
}

fn icmp_lab(backend: &str, tag: &str) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !run(&python(), &["-c", "import socket"]).0 {
        assert!(
            std::env::var("CONDUIT_REQUIRE_NETNS").as_deref() != Ok("1"),
            "no Python interpreter ({})",
            python()
        );
        eprintln!(
            "SKIPPED {backend} ICMP lab: no Python interpreter ({})",
            python()
        );
        return;
    }
    let lab = Lab::new(tag, ZONES);
    let wrong = probes(&lab, false);
    assert!(
        wrong.is_empty(),
        "baseline without a firewall:\n{}",
        wrong.join("\n")
    );
    let model = policy(POLICY);
    let plan = build(&model, &options(Mode::Enforce, "2026-11-28"));
    lab.load(&emit(backend, &plan));
    let wrong = probes(&lab, true);
    assert!(wrong.is_empty(), "{backend}:\n{}", wrong.join("\n"));
    // Neighbour discovery with the ruleset loaded: forget every neighbour,
    // then a routed IPv6 echo must resolve both hops again.
    for ns in std::iter::once(&lab.router).chain(lab.hosts.values()) {
        let (done, out) = run("ip", &["-n", ns, "-6", "neigh", "flush", "all"]);
        assert!(done, "{out}");
    }
    assert!(
        ok(&lab, B6, &["echo", A6]),
        "{backend}: IPv6 echo after a neighbour flush"
    );
    let (_, neigh) = run("ip", &["-n", &lab.router, "-6", "neigh", "show", A6]);
    assert!(
        ["REACHABLE", "STALE", "DELAY", "PROBE"]
            .iter()
            .any(|s| neigh.contains(s)),
        "{backend}: the router did not resolve {A6}: {neigh}"
    );
}

#[test]
fn nftables_icmp_and_source_ports_on_real_packets() {
    if root_or_skip("nftables_icmp_and_source_ports_on_real_packets") {
        icmp_lab("nftables", "m");
    }
}

#[test]
fn iptables_icmp_and_source_ports_on_real_packets() {
    if root_or_skip("iptables_icmp_and_source_ports_on_real_packets") {
        icmp_lab("iptables", "n");
    }
}
