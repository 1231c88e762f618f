//! An independent reader of the Cisco ASA text the `cisco-asa` backend
//! writes: it parses objects, object-groups, time-ranges, access lists
//! and bindings from the text alone (no plan code) and decides a new
//! connection at an instant the way an ASA does: the access list bound to
//! the ingress interface (or the global one), first matching active ACE.
//! Anything it does not understand fails the test.

use conduit::compile::eval::{Packet, PacketL4, Verdict};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address item of an object, group member or ACE side.
#[derive(Debug, Clone)]
pub enum Net {
    Any,
    Any4,
    Any6,
    /// Inclusive range of one family (hosts, subnets and ranges alike).
    Range(IpAddr, IpAddr),
    Object(String),
    Group(String),
    /// `fqdn v4|v6 NAME` of an object: the device resolves it; no literal
    /// address matches.
    Fqdn(bool, String),
}

#[derive(Debug, Clone)]
pub enum Svc {
    Ip,
    /// Protocol number and, for TCP/UDP, an inclusive destination range.
    Proto(u8, Option<(u16, u16)>),
    /// ICMP (protocol 1) or ICMPv6 (58) of one type, optionally one code.
    Icmp(u8, u8, Option<u8>),
    /// TCP/UDP with a destination range (`None`: any) and a source range.
    From(u8, Option<(u16, u16)>, (u16, u16)),
    Group(String),
}

#[derive(Debug, Clone, Default)]
pub struct TimeRange {
    /// (days Monday = 0, first minute, last minute inclusive).
    pub periodic: Vec<(Vec<u8>, u32, u32)>,
    /// Unix second of the last active minute's start.
    pub end: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Ace {
    pub permit: bool,
    pub svc: Svc,
    pub src: Net,
    pub dst: Net,
    pub log: bool,
    pub time: Option<String>,
    pub inactive: bool,
    pub remark: String,
}

#[derive(Debug, Default)]
pub struct AsaConfig {
    pub objects: BTreeMap<String, Net>,
    pub net_groups: BTreeMap<String, Vec<Net>>,
    pub svc_groups: BTreeMap<String, Vec<Svc>>,
    pub times: BTreeMap<String, TimeRange>,
    pub acls: BTreeMap<String, Vec<Ace>>,
    /// Interface → access list (`None`: global).
    pub bindings: BTreeMap<Option<String>, String>,
    /// Every name defined, in order, with its kind (for the lint table).
    pub defined: Vec<(String, &'static str)>,
    /// Every remark as written.
    pub remarks: Vec<String>,
}

fn parse_ip(s: &str) -> IpAddr {
    s.parse()
        .unwrap_or_else(|_| panic!("not an address: {s:?}"))
}

fn v4_range(addr: &str, mask: &str) -> Net {
    let a = u32::from(addr.parse::<Ipv4Addr>().unwrap());
    let m = u32::from(mask.parse::<Ipv4Addr>().unwrap());
    assert!(
        m.leading_ones() + m.trailing_zeros() == 32,
        "bad mask {mask}"
    );
    assert_eq!(a & !m, 0, "host bits in {addr} {mask}");
    Net::Range(
        IpAddr::V4(Ipv4Addr::from(a)),
        IpAddr::V4(Ipv4Addr::from(a | !m)),
    )
}

fn v6_prefix(s: &str) -> Net {
    let (a, len) = s.split_once('/').unwrap();
    let a = u128::from(a.parse::<Ipv6Addr>().unwrap());
    let len: u32 = len.parse().unwrap();
    assert!(len <= 128);
    let host = u128::MAX.checked_shr(len).unwrap_or(0);
    assert_eq!(a & host, 0, "host bits in {s}");
    Net::Range(
        IpAddr::V6(Ipv6Addr::from(a)),
        IpAddr::V6(Ipv6Addr::from(a | host)),
    )
}

/// Reads an address spec from `words`, returning it and the words used.
fn addr_spec(words: &[&str]) -> (Net, usize) {
    match words {
        ["any", ..] => (Net::Any, 1),
        ["any4", ..] => (Net::Any4, 1),
        ["any6", ..] => (Net::Any6, 1),
        ["host", a, ..] => {
            let a = parse_ip(a);
            (Net::Range(a, a), 2)
        }
        ["object-group", n, ..] => (Net::Group(n.to_string()), 2),
        ["object", n, ..] => (Net::Object(n.to_string()), 2),
        [p, ..] if p.contains(':') && p.contains('/') => (v6_prefix(p), 1),
        [a, m, ..] => (v4_range(a, m), 2),
        _ => panic!("no address in {words:?}"),
    }
}

fn proto_number(name: &str) -> u8 {
    match name {
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "icmp6" => 58,
        n => n
            .parse()
            .unwrap_or_else(|_| panic!("unknown protocol {n:?}")),
    }
}

/// `eq N` / `range A B` at the start of `words`, and the words used.
fn port_op(words: &[&str]) -> ((u16, u16), usize) {
    match words {
        ["eq", n, ..] => {
            let n: u16 = n.parse().unwrap();
            ((n, n), 2)
        }
        ["range", a, b, ..] => {
            let (a, b): (u16, u16) = (a.parse().unwrap(), b.parse().unwrap());
            assert!(a <= b);
            ((a, b), 3)
        }
        _ => panic!("no port operator in {words:?}"),
    }
}

fn service_object(words: &[&str]) -> Svc {
    match words {
        [p] => Svc::Proto(proto_number(p), None),
        [p @ ("icmp" | "icmp6"), t] => Svc::Icmp(proto_number(p), t.parse().unwrap(), None),
        [p @ ("icmp" | "icmp6"), t, c] => Svc::Icmp(
            proto_number(p),
            t.parse().unwrap(),
            Some(c.parse().unwrap()),
        ),
        [p @ ("tcp" | "udp"), "source", rest @ ..] => {
            let (src, used) = port_op(rest);
            let dst = match &rest[used..] {
                [] => None,
                ["destination", op @ ..] => {
                    let (d, n) = port_op(op);
                    assert_eq!(n, op.len(), "trailing words in {words:?}");
                    Some(d)
                }
                other => panic!("unknown service-object tail {other:?}"),
            };
            Svc::From(proto_number(p), dst, src)
        }
        [p @ ("tcp" | "udp"), "destination", "eq", n] => {
            let n: u16 = n.parse().unwrap();
            Svc::Proto(proto_number(p), Some((n, n)))
        }
        [p @ ("tcp" | "udp"), "destination", "range", a, b] => {
            let (a, b): (u16, u16) = (a.parse().unwrap(), b.parse().unwrap());
            assert!(a <= b);
            Svc::Proto(proto_number(p), Some((a, b)))
        }
        _ => panic!("unknown service-object {words:?}"),
    }
}

fn day_set(spec: &str) -> Vec<u8> {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    match spec {
        "daily" => (0..7).collect(),
        "weekdays" => (0..5).collect(),
        "weekend" => vec![5, 6],
        d => vec![days
            .iter()
            .position(|x| *x == d)
            .unwrap_or_else(|| panic!("unknown day {d}")) as u8],
    }
}

fn minute_of(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').unwrap();
    let (h, m): (u32, u32) = (h.parse().unwrap(), m.parse().unwrap());
    assert!(h < 24 && m < 60, "bad time {hhmm}");
    h * 60 + m
}

fn month_number(name: &str) -> u8 {
    let months = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    months
        .iter()
        .position(|m| *m == name.to_ascii_lowercase())
        .unwrap_or_else(|| panic!("unknown month {name}")) as u8
        + 1
}

/// Days since 1970-01-01 of a civil date (written here, not borrowed).
fn civil_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl AsaConfig {
    pub fn parse(text: &str) -> AsaConfig {
        let mut cfg = AsaConfig::default();
        // The block a child line belongs to.
        enum Block {
            None,
            Object(String),
            NetGroup(String),
            SvcGroup(String),
            Time(String),
        }
        let mut block = Block::None;
        let mut pending_remark: BTreeMap<String, String> = BTreeMap::new();
        for line in text.lines() {
            assert!(!line.contains('\t'), "tab in {line:?}");
            assert!(line.is_ascii(), "non-ASCII line {line:?}");
            if line.starts_with('!') || line.is_empty() {
                block = Block::None;
                continue;
            }
            if let Some(child) = line.strip_prefix(' ') {
                let words: Vec<&str> = child.split(' ').collect();
                assert!(
                    words.iter().all(|w| !w.is_empty()),
                    "double space: {line:?}"
                );
                match &block {
                    Block::Object(n) => {
                        let net = match words.as_slice() {
                            ["host", a] => {
                                let a = parse_ip(a);
                                Net::Range(a, a)
                            }
                            ["subnet", p] => v6_prefix(p),
                            ["subnet", a, m] => v4_range(a, m),
                            ["range", a, b] => {
                                let (a, b) = (parse_ip(a), parse_ip(b));
                                assert_eq!(a.is_ipv4(), b.is_ipv4());
                                Net::Range(a, b)
                            }
                            ["fqdn", v @ ("v4" | "v6"), name] => {
                                assert!(
                                    crate::junos_reader::dns_name_ok(name)
                                        && !name.starts_with("*."),
                                    "fqdn {name:?}: one host name, no wildcard"
                                );
                                Net::Fqdn(*v == "v4", name.to_string())
                            }
                            _ => panic!("unknown object line {line:?}"),
                        };
                        assert!(
                            cfg.objects.insert(n.clone(), net).is_none(),
                            "object {n} has two lines"
                        );
                    }
                    Block::NetGroup(n) => {
                        let member = match words.as_slice() {
                            ["network-object", rest @ ..] => {
                                let (net, used) = addr_spec(rest);
                                assert_eq!(used, rest.len(), "trailing words: {line:?}");
                                assert!(matches!(net, Net::Range(..) | Net::Object(_)), "{line:?}");
                                if let Net::Object(o) = &net {
                                    assert!(cfg.objects.contains_key(o), "{o} used before defined");
                                }
                                net
                            }
                            ["group-object", g] => {
                                assert!(cfg.net_groups.contains_key(*g), "{g} undefined");
                                Net::Group(g.to_string())
                            }
                            _ => panic!("unknown network group line {line:?}"),
                        };
                        cfg.net_groups.get_mut(n).unwrap().push(member);
                    }
                    Block::SvcGroup(n) => {
                        let ["service-object", rest @ ..] = words.as_slice() else {
                            panic!("unknown service group line {line:?}")
                        };
                        let svc = service_object(rest);
                        cfg.svc_groups.get_mut(n).unwrap().push(svc);
                    }
                    Block::Time(n) => {
                        let t = cfg.times.get_mut(n).unwrap();
                        match words.as_slice() {
                            ["periodic", days, from, "to", to] => {
                                let (a, b) = (minute_of(from), minute_of(to));
                                assert!(a <= b, "{line:?}");
                                t.periodic.push((day_set(days), a, b));
                            }
                            ["absolute", "end", hhmm, d, mon, y] => {
                                assert!(t.end.is_none(), "two absolute lines");
                                let days = civil_days(
                                    y.parse().unwrap(),
                                    i64::from(month_number(mon)),
                                    d.parse().unwrap(),
                                );
                                let y: i64 = y.parse().unwrap();
                                assert!(y <= 2035, "ASA ends time-ranges by 2035");
                                t.end = Some(days * 86_400 + i64::from(minute_of(hhmm)) * 60);
                            }
                            _ => panic!("unknown time-range line {line:?}"),
                        }
                    }
                    Block::None => panic!("child line outside a block: {line:?}"),
                }
                continue;
            }
            let words: Vec<&str> = line.split(' ').collect();
            assert!(
                words.iter().all(|w| !w.is_empty()),
                "double space: {line:?}"
            );
            block = Block::None;
            match words.as_slice() {
                ["object", "network", n] => {
                    cfg.define(n, "object");
                    block = Block::Object(n.to_string());
                }
                ["object-group", "network", n] => {
                    cfg.define(n, "object-group");
                    cfg.net_groups.insert(n.to_string(), Vec::new());
                    block = Block::NetGroup(n.to_string());
                }
                ["object-group", "service", n] => {
                    cfg.define(n, "object-group");
                    cfg.svc_groups.insert(n.to_string(), Vec::new());
                    block = Block::SvcGroup(n.to_string());
                }
                ["time-range", n] => {
                    cfg.define(n, "time-range");
                    cfg.times.insert(n.to_string(), TimeRange::default());
                    block = Block::Time(n.to_string());
                }
                ["access-list", n, "remark", ..] => {
                    let text = line
                        .split_once(" remark ")
                        .map(|(_, r)| r.to_string())
                        .unwrap();
                    cfg.remarks.push(text.clone());
                    pending_remark.insert(n.to_string(), text);
                }
                ["access-list", n, "extended", rest @ ..] => {
                    let remark = pending_remark.remove(*n).unwrap_or_default();
                    let ace = cfg.ace(rest, remark, line);
                    if !cfg.acls.contains_key(*n) {
                        cfg.define(n, "access-list");
                    }
                    cfg.acls.entry(n.to_string()).or_default().push(ace);
                }
                ["access-group", acl, "in", "interface", i] => {
                    assert!(cfg.acls.contains_key(*acl), "binding before {acl} exists");
                    let old = cfg.bindings.insert(Some(i.to_string()), acl.to_string());
                    assert!(old.is_none(), "{i} bound twice");
                }
                ["access-group", acl, "global"] => {
                    assert!(cfg.acls.contains_key(*acl), "binding before {acl} exists");
                    assert!(cfg.bindings.insert(None, acl.to_string()).is_none());
                }
                _ => panic!("unknown command {line:?}"),
            }
        }
        // Every group holds something.
        for (n, m) in &cfg.net_groups {
            assert!(!m.is_empty(), "empty group {n}");
        }
        for (n, m) in &cfg.svc_groups {
            assert!(!m.is_empty(), "empty group {n}");
        }
        for (n, t) in &cfg.times {
            assert!(
                !t.periodic.is_empty() || t.end.is_some(),
                "empty time-range {n}"
            );
        }
        cfg
    }

    fn define(&mut self, name: &str, kind: &'static str) {
        self.defined.push((name.to_string(), kind));
    }

    fn ace(&self, words: &[&str], remark: String, line: &str) -> Ace {
        let (permit, rest) = match words {
            ["permit", rest @ ..] => (true, rest),
            ["deny", rest @ ..] => (false, rest),
            _ => panic!("no action in {line:?}"),
        };
        let (svc, rest) = match rest {
            ["object-group", g, rest @ ..] => {
                assert!(
                    self.svc_groups.contains_key(*g),
                    "service group {g} undefined"
                );
                (Svc::Group(g.to_string()), rest)
            }
            ["ip", rest @ ..] => (Svc::Ip, rest),
            [p, rest @ ..] => (Svc::Proto(proto_number(p), None), rest),
            [] => panic!("no protocol in {line:?}"),
        };
        let (src, used) = addr_spec(rest);
        let rest = &rest[used..];
        let (dst, used) = addr_spec(rest);
        let mut rest = &rest[used..];
        for side in [&src, &dst] {
            if let Net::Group(g) = side {
                assert!(
                    self.net_groups.contains_key(g),
                    "network group {g} undefined"
                );
            }
        }
        let mut ace = Ace {
            permit,
            svc,
            src,
            dst,
            log: false,
            time: None,
            inactive: false,
            remark,
        };
        // Options in the ASA's order: log, time-range, inactive.
        let mut stage = 0;
        while let Some((w, tail)) = rest.split_first() {
            match *w {
                "log" if stage < 1 => {
                    ace.log = true;
                    stage = 1;
                    rest = tail;
                }
                "time-range" if stage < 2 => {
                    let (name, tail) = tail.split_first().unwrap();
                    assert!(
                        self.times.contains_key(*name),
                        "time-range {name} undefined"
                    );
                    ace.time = Some(name.to_string());
                    stage = 2;
                    rest = tail;
                }
                "inactive" if stage < 3 => {
                    ace.inactive = true;
                    stage = 3;
                    rest = tail;
                }
                other => panic!("unexpected {other:?} in {line:?}"),
            }
        }
        ace
    }

    fn net_contains(&self, net: &Net, addr: IpAddr) -> bool {
        match net {
            Net::Any => true,
            Net::Any4 => addr.is_ipv4(),
            Net::Any6 => addr.is_ipv6(),
            Net::Range(a, b) => match (a, b, addr) {
                (IpAddr::V4(a), IpAddr::V4(b), IpAddr::V4(x)) => *a <= x && x <= *b,
                (IpAddr::V6(a), IpAddr::V6(b), IpAddr::V6(x)) => *a <= x && x <= *b,
                _ => false,
            },
            Net::Object(o) => self.net_contains(&self.objects[o], addr),
            Net::Fqdn(..) => false,
            Net::Group(g) => self.net_groups[g]
                .iter()
                .any(|m| self.net_contains(m, addr)),
        }
    }

    fn svc_matches(&self, svc: &Svc, pkt: &Packet) -> bool {
        let v4 = pkt.src.is_ipv4();
        let (proto, port, icmp_type) = match pkt.l4 {
            PacketL4::Tcp(p) => (6, Some(p), None),
            PacketL4::Udp(p) => (17, Some(p), None),
            PacketL4::Icmp(t) => (if v4 { 1 } else { 58 }, None, Some(t)),
            PacketL4::Proto(n) => (n, None, None),
        };
        match svc {
            Svc::Ip => true,
            Svc::Proto(n, None) => *n == proto,
            Svc::Proto(n, Some((a, b))) => *n == proto && port.is_some_and(|p| *a <= p && p <= *b),
            Svc::Icmp(n, t, c) => {
                *n == proto && icmp_type == Some(*t) && c.is_none_or(|c| pkt.icmp_code == Some(c))
            }
            Svc::From(n, dst, (a, b)) => {
                *n == proto
                    && dst.is_none_or(|(x, y)| port.is_some_and(|p| x <= p && p <= y))
                    && pkt.sport.is_some_and(|s| *a <= s && s <= *b)
            }
            Svc::Group(g) => self.svc_groups[g].iter().any(|s| self.svc_matches(s, pkt)),
        }
    }

    fn time_active(&self, name: &str, unix: i64) -> bool {
        let t = &self.times[name];
        let minute_start = unix.div_euclid(60) * 60;
        if t.end.is_some_and(|end| minute_start > end) {
            return false;
        }
        if t.periodic.is_empty() {
            return true;
        }
        let days = unix.div_euclid(86_400);
        // 1970-01-01 was a Thursday (Monday = 0).
        let weekday = ((days + 3).rem_euclid(7)) as u8;
        let minute = (unix.rem_euclid(86_400) / 60) as u32;
        t.periodic
            .iter()
            .any(|(d, a, b)| d.contains(&weekday) && *a <= minute && minute <= *b)
    }

    /// The verdict on a new connection: the first active matching ACE of
    /// the list bound to the ingress interface (or the global list).
    pub fn verdict(&self, pkt: &Packet) -> Verdict {
        let acl = match self.bindings.get(&None) {
            Some(global) => global,
            None => {
                let iif = pkt.iif.clone();
                self.bindings
                    .get(&iif)
                    .unwrap_or_else(|| panic!("no access list on {iif:?}"))
            }
        };
        for ace in &self.acls[acl] {
            if ace.inactive
                || !self.net_contains(&ace.src, pkt.src)
                || !self.net_contains(&ace.dst, pkt.dst)
                || !self.svc_matches(&ace.svc, pkt)
                || ace
                    .time
                    .as_ref()
                    .is_some_and(|t| !self.time_active(t, pkt.unix_time))
            {
                continue;
            }
            if !ace.permit {
                return Verdict::Deny;
            }
            return if ace.remark.starts_with("conduit-monitor:") {
                Verdict::WouldDrop
            } else {
                Verdict::Allow
            };
        }
        // The ASA's implicit deny.
        Verdict::Deny
    }
}
