//! An independent reader of the FortiOS CLI text the `fortigate` backend
//! writes: it tokenizes the script (double-quoted strings with `\"` and
//! `\\`), builds the tables it configures, applies the `move` lines, and
//! decides a new connection at an instant as a FortiGate does: the first
//! policy (in list order) whose interfaces, addresses, service and
//! schedule match. Anything it does not understand fails the test.

use conduit::compile::eval::{Packet, PacketL4, Verdict};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One `edit` entry: its `set` values in order of the keys.
pub type Entry = BTreeMap<String, Vec<String>>;

#[derive(Debug, Default)]
pub struct FortiConfig {
    /// `config` path → entries by name, in the order first edited.
    pub tables: BTreeMap<String, Vec<(String, Entry)>>,
    /// Policy IDs in evaluation order after the `move` lines.
    pub order: Vec<String>,
}

/// Splits a CLI line into words; quoted strings lose their quotes and
/// escapes. Panics on an unterminated string or an unknown escape.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut w = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    None => panic!("unterminated string in {line:?}"),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(e @ ('"' | '\\')) => w.push(e),
                        other => panic!("unknown escape {other:?} in {line:?}"),
                    },
                    Some(c) => w.push(c),
                }
            }
            assert!(
                chars.peek().is_none_or(|c| *c == ' '),
                "text after a string in {line:?}"
            );
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                assert!(c != '"' && c != '\\', "stray quote in {line:?}");
                w.push(c);
                chars.next();
            }
        }
        out.push(w);
    }
    out
}

fn parse_hm(s: &str) -> u32 {
    let (h, m) = s.split_once(':').unwrap_or_else(|| panic!("bad time {s}"));
    let (h, m): (u32, u32) = (h.parse().unwrap(), m.parse().unwrap());
    assert!(h < 24 && m < 60, "bad time {s}");
    h * 3600 + m * 60
}

/// `hh:mm yyyy/mm/dd` as a Unix second.
fn parse_stamp(s: &str) -> i64 {
    let (t, d) = s.split_once(' ').unwrap();
    let p: Vec<i64> = d.split('/').map(|x| x.parse().unwrap()).collect();
    let (y, m, day) = (p[0], p[1], p[2]);
    assert!((1..=12).contains(&m) && (1..=31).contains(&day));
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400 + i64::from(parse_hm(t))
}

fn ip_u128(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

impl FortiConfig {
    pub fn parse(text: &str) -> FortiConfig {
        let mut cfg = FortiConfig::default();
        let mut path: Option<String> = None;
        let mut current: Option<(String, Entry)> = None;
        let mut moves: Vec<(String, String)> = Vec::new();
        for raw in text.lines() {
            let line = raw.trim_start();
            if line.is_empty() || line.starts_with('#') {
                assert!(
                    current.is_none() || line.is_empty(),
                    "comment inside an entry"
                );
                continue;
            }
            let w = words(line);
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            match w.as_slice() {
                ["config", rest @ ..] => {
                    assert!(path.is_none(), "nested config: {raw:?}");
                    path = Some(rest.join(" "));
                }
                ["edit", name] => {
                    assert!(path.is_some() && current.is_none(), "{raw:?}");
                    current = Some((name.to_string(), Entry::new()));
                }
                ["set", key, values @ ..] => {
                    let (_, entry) = current
                        .as_mut()
                        .unwrap_or_else(|| panic!("set outside edit: {raw:?}"));
                    assert!(!values.is_empty(), "set without value: {raw:?}");
                    entry.insert(
                        key.to_string(),
                        values.iter().map(|v| v.to_string()).collect(),
                    );
                }
                ["unset", key] => {
                    let (_, entry) = current.as_mut().unwrap();
                    entry.remove(*key);
                }
                ["next"] => {
                    let (name, entry) = current
                        .take()
                        .unwrap_or_else(|| panic!("next without edit"));
                    let table = cfg.tables.entry(path.clone().unwrap()).or_default();
                    match table.iter_mut().find(|(n, _)| *n == name) {
                        // `edit` of an existing entry changes its settings.
                        Some((_, old)) => old.extend(entry),
                        None => table.push((name, entry)),
                    }
                }
                ["move", a, "after", b] => {
                    assert_eq!(path.as_deref(), Some("firewall policy"), "{raw:?}");
                    assert!(current.is_none());
                    moves.push((a.to_string(), b.to_string()));
                }
                ["end"] => {
                    assert!(current.is_none(), "end inside an entry");
                    assert!(path.take().is_some(), "end without config");
                }
                _ => panic!("unknown line {raw:?}"),
            }
        }
        assert!(
            path.is_none() && current.is_none(),
            "script ends inside a block"
        );
        cfg.order = cfg
            .table("firewall policy")
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        for (a, b) in moves {
            let i = cfg
                .order
                .iter()
                .position(|x| *x == a)
                .expect("move of an unknown policy");
            let id = cfg.order.remove(i);
            let j = cfg
                .order
                .iter()
                .position(|x| *x == b)
                .expect("move after an unknown policy");
            cfg.order.insert(j + 1, id);
        }
        cfg.check_references();
        cfg
    }

    pub fn table(&self, path: &str) -> &[(String, Entry)] {
        self.tables.get(path).map_or(&[], Vec::as_slice)
    }

    pub fn entry(&self, path: &str, name: &str) -> Option<&Entry> {
        self.table(path)
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e)
    }

    fn check_references(&self) {
        for (_, p) in self.table("firewall policy") {
            for key in ["srcaddr", "dstaddr"] {
                for a in p.get(key).into_iter().flatten() {
                    assert!(
                        a == "all" || self.addr_known(a, false),
                        "unknown address {a}"
                    );
                }
            }
            for key in ["srcaddr6", "dstaddr6"] {
                for a in p.get(key).into_iter().flatten() {
                    assert!(
                        a == "all" || self.addr_known(a, true),
                        "unknown address6 {a}"
                    );
                }
            }
            for s in &p["service"] {
                assert!(
                    s == "ALL"
                        || self.entry("firewall service custom", s).is_some()
                        || self.entry("firewall service group", s).is_some(),
                    "unknown service {s}"
                );
            }
            let s = &p["schedule"][0];
            assert!(
                s == "always"
                    || self.entry("firewall schedule recurring", s).is_some()
                    || self.entry("firewall schedule onetime", s).is_some()
                    || self.entry("firewall schedule group", s).is_some(),
                "unknown schedule {s}"
            );
            for key in ["srcintf", "dstintf"] {
                for i in &p[key] {
                    assert!(
                        i == "any" || self.entry("system zone", i).is_some(),
                        "unknown zone {i}"
                    );
                }
            }
        }
        for (n, g) in self.table("firewall schedule group") {
            for m in &g["member"] {
                assert!(
                    self.entry("firewall schedule onetime", m).is_some(),
                    "{n}: {m}"
                );
            }
        }
    }

    fn addr_known(&self, name: &str, v6: bool) -> bool {
        let (a, g) = if v6 {
            ("firewall address6", "firewall addrgrp6")
        } else {
            ("firewall address", "firewall addrgrp")
        };
        self.entry(a, name).is_some()
            || self
                .entry(g, name)
                .is_some_and(|e| e["member"].iter().all(|m| self.addr_known(m, v6)))
    }

    fn addr_contains(&self, name: &str, addr: IpAddr) -> bool {
        if name == "all" {
            return true;
        }
        let v6 = addr.is_ipv6();
        let (a, g) = if v6 {
            ("firewall address6", "firewall addrgrp6")
        } else {
            ("firewall address", "firewall addrgrp")
        };
        if let Some(e) = self.entry(a, name) {
            let x = ip_u128(addr);
            // The device resolves a DNS name; no literal address matches.
            if e.get("type").is_some_and(|t| t[0] == "fqdn") {
                let f = &e["fqdn"][0];
                assert!(crate::junos_reader::dns_name_ok(f), "fqdn {f:?}");
                return false;
            }
            if e.get("type").is_some_and(|t| t[0] == "iprange") {
                let lo = ip_u128(e["start-ip"][0].parse().unwrap());
                let hi = ip_u128(e["end-ip"][0].parse().unwrap());
                return lo <= x && x <= hi;
            }
            if v6 {
                let (p, len) = e["ip6"][0].split_once('/').unwrap();
                let len: u32 = len.parse().unwrap();
                let p = ip_u128(p.parse().unwrap());
                let host = u128::MAX.checked_shr(len).unwrap_or(0);
                assert_eq!(p & host, 0);
                return p <= x && x <= (p | host);
            }
            let net = ip_u128(e["subnet"][0].parse().unwrap());
            let mask = ip_u128(e["subnet"][1].parse().unwrap());
            assert_eq!(net & !mask & 0xffff_ffff, 0);
            return x & mask == net;
        }
        match self.entry(g, name) {
            Some(e) => e["member"].iter().any(|m| self.addr_contains(m, addr)),
            None => false,
        }
    }

    fn service_matches(&self, name: &str, pkt: &Packet) -> bool {
        if name == "ALL" {
            return true;
        }
        if let Some(g) = self.entry("firewall service group", name) {
            return g["member"].iter().any(|m| self.service_matches(m, pkt));
        }
        let s = self.entry("firewall service custom", name).unwrap();
        let v4 = pkt.src.is_ipv4();
        // `DST[:SRC]`, each `N` or `LO-HI`; no SRC: any source port.
        let range = |r: &str, port: u16| {
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            let (a, b): (u16, u16) = (a.parse().unwrap(), b.parse().unwrap());
            a <= port && port <= b
        };
        let in_ranges = |key: &str, port: u16| {
            s.get(key).into_iter().flatten().any(|r| {
                let mut parts = r.split(':');
                let dst = parts.next().unwrap();
                let src_ok = match parts.next() {
                    None => true,
                    Some(src) => pkt.sport.is_some_and(|sp| range(src, sp)),
                };
                assert!(parts.next().is_none(), "bad port range {r}");
                range(dst, port) && src_ok
            })
        };
        let icmp_ok = |t: u8| {
            s.get("icmptype")
                .is_none_or(|want| want[0].parse::<u8>().unwrap() == t)
                && s.get("icmpcode")
                    .is_none_or(|want| pkt.icmp_code == Some(want[0].parse::<u8>().unwrap()))
        };
        match (s["protocol"][0].as_str(), pkt.l4) {
            ("TCP/UDP/SCTP", PacketL4::Tcp(p)) => in_ranges("tcp-portrange", p),
            ("TCP/UDP/SCTP", PacketL4::Udp(p)) => in_ranges("udp-portrange", p),
            ("TCP/UDP/SCTP", _) => false,
            ("ICMP", PacketL4::Icmp(t)) => v4 && icmp_ok(t),
            ("ICMP6", PacketL4::Icmp(t)) => !v4 && icmp_ok(t),
            ("ICMP" | "ICMP6", _) => false,
            ("IP", l4) => {
                let n: u8 = s["protocol-number"][0].parse().unwrap();
                let proto = match l4 {
                    PacketL4::Tcp(_) => 6,
                    PacketL4::Udp(_) => 17,
                    PacketL4::Icmp(_) => {
                        if v4 {
                            1
                        } else {
                            58
                        }
                    }
                    PacketL4::Proto(k) => k,
                };
                n == proto
            }
            (p, _) => panic!("unknown service protocol {p}"),
        }
    }

    fn schedule_active(&self, name: &str, t: i64) -> bool {
        if name == "always" {
            return true;
        }
        if let Some(g) = self.entry("firewall schedule group", name) {
            return g["member"].iter().any(|m| self.schedule_active(m, t));
        }
        if let Some(o) = self.entry("firewall schedule onetime", name) {
            let (a, b) = (parse_stamp(&o["start"][0]), parse_stamp(&o["end"][0]));
            return a <= t && t < b;
        }
        let r = self.entry("firewall schedule recurring", name).unwrap();
        let days = [
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "monday",
            "tuesday",
            "wednesday",
        ];
        let day = days[(t.div_euclid(86_400)).rem_euclid(7) as usize];
        let sec = t.rem_euclid(86_400) as u32;
        let (start, end) = (parse_hm(&r["start"][0]), parse_hm(&r["end"][0]));
        // `none` matches no day.
        let day_ok = r["day"].iter().any(|d| d == day);
        match (start, end) {
            (0, 0) => day_ok,
            (s, 0) => day_ok && sec >= s,
            (s, e) => {
                assert!(s < e, "window across midnight");
                day_ok && s <= sec && sec < e
            }
        }
    }

    fn intf_matches(&self, list: &[String], iface: &Option<String>) -> bool {
        list.iter().any(|z| {
            z == "any"
                || self
                    .entry("system zone", z)
                    .is_some_and(|e| iface.as_ref().is_some_and(|i| e["interface"].contains(i)))
        })
    }

    /// The verdict on a new connection.
    pub fn verdict(&self, pkt: &Packet) -> Verdict {
        let (sa, da) = if pkt.src.is_ipv4() {
            ("srcaddr", "dstaddr")
        } else {
            ("srcaddr6", "dstaddr6")
        };
        for id in &self.order {
            let p = self.entry("firewall policy", id).unwrap();
            let (Some(src), Some(dst)) = (p.get(sa), p.get(da)) else {
                continue;
            };
            if !self.intf_matches(&p["srcintf"], &pkt.iif)
                || !self.intf_matches(&p["dstintf"], &pkt.oif)
                || !src.iter().any(|a| self.addr_contains(a, pkt.src))
                || !dst.iter().any(|a| self.addr_contains(a, pkt.dst))
                || !p["service"].iter().any(|s| self.service_matches(s, pkt))
                || !self.schedule_active(&p["schedule"][0], pkt.unix_time)
                || p.get("status").is_some_and(|s| s[0] == "disable")
            {
                continue;
            }
            return match p["action"][0].as_str() {
                "deny" => Verdict::Deny,
                "accept" if p["comments"][0].starts_with("conduit-monitor:") => Verdict::WouldDrop,
                "accept" => Verdict::Allow,
                a => panic!("unknown action {a}"),
            };
        }
        // FortiOS's implicit deny.
        Verdict::Deny
    }
}
