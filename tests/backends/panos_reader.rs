//! An independent reader of the PAN-OS XML conduit emits: it parses the
//! document (`roxmltree`, a strict XML parser), builds the zones, address
//! objects and groups, services and groups, custom applications, schedules
//! and the security rulebase of `vsys1`, and decides a new connection at an
//! instant as PAN-OS documents it: the first rule whose zones, addresses,
//! application, service and schedule match. Nothing here uses the plan or
//! the backend code.

use conduit::compile::eval::PacketL4;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(Debug, Clone)]
pub enum Addr {
    Prefix(IpAddr, u8),
    Range(IpAddr, IpAddr),
    /// `<fqdn>`: the firewall resolves it; no literal address matches.
    Fqdn(String),
}

#[derive(Debug, Clone)]
pub struct Service {
    pub protocol: String,
    /// Destination port ranges (`102`, `1024-65535`, `22,100-110`).
    pub ports: Vec<(u16, u16)>,
    pub port_text: String,
    /// Source port ranges (`<source-port>`); empty: any.
    pub sources: Vec<(u16, u16)>,
}

#[derive(Debug, Clone)]
pub enum Ident {
    IpProtocol(u8),
    IcmpType(u8),
    Icmp6Type(u8),
}

#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub kind: String,
    /// Daily ranges, or per weekday (Monday first), in seconds of the day.
    pub daily: Vec<(u32, u32)>,
    pub weekly: BTreeMap<usize, Vec<(u32, u32)>>,
    pub recurrence: String,
    /// Non-recurring ranges, UTC seconds.
    pub dated: Vec<(i64, i64)>,
    /// The members as written.
    pub members: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub source: Vec<String>,
    pub destination: Vec<String>,
    pub application: Vec<String>,
    pub service: Vec<String>,
    pub allow: bool,
    pub log_start: bool,
    pub log_end: bool,
    pub schedule: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Pan {
    pub zones: BTreeMap<String, Vec<String>>,
    pub addresses: BTreeMap<String, Addr>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub group_descriptions: BTreeMap<String, String>,
    pub services: BTreeMap<String, Service>,
    pub service_groups: BTreeMap<String, Vec<String>>,
    pub apps: BTreeMap<String, Ident>,
    /// The ICMP/ICMPv6 code of an application identified by type and code.
    pub app_codes: BTreeMap<String, u8>,
    pub schedules: BTreeMap<String, Schedule>,
    pub rules: Vec<Rule>,
}

type X<'a, 'b> = roxmltree::Node<'a, 'b>;

fn child<'a, 'b>(n: X<'a, 'b>, tag: &str) -> Option<X<'a, 'b>> {
    n.children().find(|c| c.has_tag_name(tag))
}

fn children<'a, 'b: 'a>(n: X<'a, 'b>, tag: &'a str) -> impl Iterator<Item = X<'a, 'b>> + 'a {
    n.children().filter(move |c| c.has_tag_name(tag))
}

fn text(n: X) -> String {
    n.text().unwrap_or("").to_string()
}

fn members(n: Option<X>) -> Vec<String> {
    n.map(|n| children(n, "member").map(text).collect())
        .unwrap_or_default()
}

fn name(n: X) -> Result<String, String> {
    n.attribute("name")
        .map(String::from)
        .ok_or_else(|| "entry without name".to_string())
}

fn hm(s: &str) -> Result<u32, String> {
    let (h, m) = s.split_once(':').ok_or(format!("bad time {s}"))?;
    let (h, m): (u32, u32) = (
        h.parse().map_err(|_| format!("bad time {s}"))?,
        m.parse().map_err(|_| format!("bad time {s}"))?,
    );
    if h > 23 || m > 59 || s.len() != 5 {
        return Err(format!("bad time {s}"));
    }
    Ok(h * 3600 + m * 60)
}

/// `06:00-18:00`; an end of `23:59` is the end of the day.
fn time_range(s: &str) -> Result<(u32, u32), String> {
    let (a, b) = s.split_once('-').ok_or(format!("bad range {s}"))?;
    let end = if b == "23:59" { 86_400 } else { hm(b)? };
    Ok((hm(a)?, end))
}

/// `2027/03/31@00:00`.
fn stamp(s: &str) -> Result<i64, String> {
    let (d, t) = s.split_once('@').ok_or(format!("bad stamp {s}"))?;
    let date = conduit::model::Date::parse(&d.replace('/', "-")).ok_or(format!("bad date {d}"))?;
    Ok(date.days_since_epoch() * 86_400 + i64::from(hm(t)?))
}

fn dated(s: &str) -> Result<(i64, i64), String> {
    // The separator is the `-` after the first `@HH:MM`.
    let at = s.find('@').ok_or(format!("bad range {s}"))?;
    let split = at + 6;
    if s.get(split..split + 1) != Some("-") {
        return Err(format!("bad range {s}"));
    }
    Ok((stamp(&s[..split])?, stamp(&s[split + 1..])?))
}

fn ports(s: &str) -> Result<Vec<(u16, u16)>, String> {
    s.split(',')
        .map(|p| match p.split_once('-') {
            Some((a, b)) => Ok((
                a.parse().map_err(|_| format!("port {p}"))?,
                b.parse().map_err(|_| format!("port {p}"))?,
            )),
            None => {
                let v = p.parse().map_err(|_| format!("port {p}"))?;
                Ok((v, v))
            }
        })
        .collect()
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Pan {
    pub fn read(xml: &str) -> Result<Pan, String> {
        let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
        let root = doc.root_element();
        if !root.has_tag_name("config") {
            return Err("root is not <config>".into());
        }
        let vsys = child(root, "devices")
            .and_then(|d| child(d, "entry"))
            .and_then(|e| child(e, "vsys"))
            .and_then(|v| child(v, "entry"))
            .ok_or("no devices/entry/vsys/entry")?;
        if vsys.attribute("name") != Some("vsys1") {
            return Err("not vsys1".into());
        }
        let mut pan = Pan::default();
        for z in child(vsys, "zone")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            let l3 = child(z, "network").and_then(|n| child(n, "layer3"));
            pan.zones.insert(name(z)?, members(l3));
        }
        for a in child(vsys, "address")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            let addr = if let Some(v) = child(a, "ip-netmask") {
                let net: ipnet::IpNet = text(v).parse().map_err(|e| format!("{e}"))?;
                Addr::Prefix(net.addr(), net.prefix_len())
            } else if let Some(v) = child(a, "ip-range") {
                let t = text(v);
                let (lo, hi) = t.split_once('-').ok_or("bad ip-range")?;
                Addr::Range(
                    lo.parse().map_err(|e| format!("{e}"))?,
                    hi.parse().map_err(|e| format!("{e}"))?,
                )
            } else if let Some(v) = child(a, "fqdn") {
                let t = text(v);
                if !crate::junos_reader::dns_name_ok(&t) || t.starts_with("*.") {
                    return Err(format!("fqdn {t:?}: one host name, no wildcard"));
                }
                Addr::Fqdn(t)
            } else {
                return Err("address without value".into());
            };
            pan.addresses.insert(name(a)?, addr);
        }
        for g in child(vsys, "address-group")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            let n = name(g)?;
            if let Some(d) = child(g, "description") {
                pan.group_descriptions.insert(n.clone(), text(d));
            }
            pan.groups.insert(n, members(child(g, "static")));
        }
        for s in child(vsys, "service")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            let p = child(s, "protocol").ok_or("service without protocol")?;
            let (proto, node) = if let Some(t) = child(p, "tcp") {
                ("tcp", t)
            } else if let Some(u) = child(p, "udp") {
                ("udp", u)
            } else {
                return Err("service neither tcp nor udp".into());
            };
            let port_text = child(node, "port")
                .map(text)
                .ok_or("service without port")?;
            let sources = match child(node, "source-port") {
                Some(sp) => ports(&text(sp))?,
                None => Vec::new(),
            };
            pan.services.insert(
                name(s)?,
                Service {
                    protocol: proto.to_string(),
                    ports: ports(&port_text)?,
                    port_text,
                    sources,
                },
            );
        }
        for g in child(vsys, "service-group")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            pan.service_groups
                .insert(name(g)?, members(child(g, "members")));
        }
        for a in child(vsys, "application")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            let d = child(a, "default").ok_or("application without default")?;
            let ident = if let Some(p) = child(d, "ident-by-ip-protocol") {
                Ident::IpProtocol(text(p).parse().map_err(|_| "ip-protocol")?)
            } else if let Some(t) = child(d, "ident-by-icmp-type") {
                let ty = child(t, "type").map(text).ok_or("icmp type")?;
                if let Some(c) = child(t, "code") {
                    pan.app_codes
                        .insert(name(a)?, text(c).parse().map_err(|_| "icmp code")?);
                }
                Ident::IcmpType(ty.parse().map_err(|_| "icmp type")?)
            } else if let Some(t) = child(d, "ident-by-icmp6-type") {
                let ty = child(t, "type").map(text).ok_or("icmp6 type")?;
                if let Some(c) = child(t, "code") {
                    pan.app_codes
                        .insert(name(a)?, text(c).parse().map_err(|_| "icmp6 code")?);
                }
                Ident::Icmp6Type(ty.parse().map_err(|_| "icmp6 type")?)
            } else {
                return Err("application identified by something else".into());
            };
            pan.apps.insert(name(a)?, ident);
        }
        for s in child(vsys, "schedule")
            .into_iter()
            .flat_map(|n| children(n, "entry"))
        {
            let t = child(s, "schedule-type").ok_or("schedule without type")?;
            let mut sch = Schedule::default();
            if let Some(r) = child(t, "recurring") {
                sch.kind = "recurring".into();
                if let Some(d) = child(r, "daily") {
                    sch.recurrence = "daily".into();
                    sch.members = members(Some(d));
                    sch.daily = sch
                        .members
                        .iter()
                        .map(|m| time_range(m))
                        .collect::<Result<_, _>>()?;
                } else if let Some(w) = child(r, "weekly") {
                    sch.recurrence = "weekly".into();
                    for (i, day) in DAYS.iter().enumerate() {
                        if let Some(d) = child(w, day) {
                            let m = members(Some(d));
                            let ranges =
                                m.iter().map(|m| time_range(m)).collect::<Result<_, _>>()?;
                            sch.members.extend(m);
                            sch.weekly.insert(i, ranges);
                        }
                    }
                } else {
                    return Err("recurring schedule without daily or weekly".into());
                }
            } else if let Some(n) = child(t, "non-recurring") {
                sch.kind = "non-recurring".into();
                sch.members = members(Some(n));
                sch.dated = sch
                    .members
                    .iter()
                    .map(|m| dated(m))
                    .collect::<Result<_, _>>()?;
            } else {
                return Err("schedule of unknown type".into());
            }
            pan.schedules.insert(name(s)?, sch);
        }
        let rules = child(vsys, "rulebase")
            .and_then(|r| child(r, "security"))
            .and_then(|s| child(s, "rules"))
            .ok_or("no rulebase/security/rules")?;
        for r in children(rules, "entry") {
            let action = child(r, "action").map(text).ok_or("rule without action")?;
            let yes = |tag: &str| child(r, tag).map(text).as_deref() == Some("yes");
            pan.rules.push(Rule {
                name: name(r)?,
                from: members(child(r, "from")),
                to: members(child(r, "to")),
                source: members(child(r, "source")),
                destination: members(child(r, "destination")),
                application: members(child(r, "application")),
                service: members(child(r, "service")),
                allow: match action.as_str() {
                    "allow" => true,
                    "deny" | "drop" | "reset-client" | "reset-server" | "reset-both" => false,
                    other => return Err(format!("unknown action {other}")),
                },
                log_start: yes("log-start"),
                log_end: yes("log-end"),
                schedule: child(r, "schedule").map(text),
                description: child(r, "description").map(text),
            });
        }
        Ok(pan)
    }
}

fn to_int(a: IpAddr) -> (bool, u128) {
    match a {
        IpAddr::V4(v) => (true, u128::from(u32::from(v))),
        IpAddr::V6(v) => (false, u128::from(v)),
    }
}

/// What the firewall does with a new connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allow: bool,
    pub logged: bool,
    pub rule: String,
}

impl Pan {
    fn addr_contains(&self, name: &str, ip: IpAddr, depth: usize) -> bool {
        if name == "any" {
            return true;
        }
        if let Some(a) = self.addresses.get(name) {
            let (v4, x) = to_int(ip);
            return match a {
                Addr::Prefix(p, len) => {
                    let (pv4, base) = to_int(*p);
                    let bits = if pv4 { 32 } else { 128 };
                    let shift = bits - u32::from(*len);
                    pv4 == v4 && (shift >= 128 || (x >> shift) == (base >> shift))
                }
                Addr::Range(lo, hi) => {
                    let (lv4, l) = to_int(*lo);
                    let (_, h) = to_int(*hi);
                    lv4 == v4 && l <= x && x <= h
                }
                Addr::Fqdn(_) => false,
            };
        }
        depth < 8
            && self
                .groups
                .get(name)
                .is_some_and(|m| m.iter().any(|a| self.addr_contains(a, ip, depth + 1)))
    }

    fn app_matches(&self, name: &str, l4: PacketL4, v4: bool, code: Option<u8>) -> bool {
        if name == "any" {
            return true;
        }
        let number = match (l4, v4) {
            (PacketL4::Tcp(_), _) => 6,
            (PacketL4::Udp(_), _) => 17,
            (PacketL4::Icmp(_), true) => 1,
            (PacketL4::Icmp(_), false) => 58,
            (PacketL4::Proto(n), _) => n,
        };
        let code_ok = self.app_codes.get(name).is_none_or(|c| code == Some(*c));
        match (self.apps.get(name), l4) {
            (Some(Ident::IpProtocol(n)), _) => *n == number,
            _ if !code_ok => false,
            (Some(Ident::IcmpType(t)), PacketL4::Icmp(got)) => v4 && *t == got,
            (Some(Ident::Icmp6Type(t)), PacketL4::Icmp(got)) => !v4 && *t == got,
            _ => false,
        }
    }

    fn service_matches(&self, name: &str, l4: PacketL4, sport: Option<u16>, depth: usize) -> bool {
        if name == "any" {
            return true;
        }
        if let Some(s) = self.services.get(name) {
            let port_in = |p: u16| {
                s.ports.iter().any(|(a, b)| *a <= p && p <= *b)
                    && (s.sources.is_empty()
                        || sport
                            .is_some_and(|sp| s.sources.iter().any(|(a, b)| *a <= sp && sp <= *b)))
            };
            return match (s.protocol.as_str(), l4) {
                ("tcp", PacketL4::Tcp(p)) | ("udp", PacketL4::Udp(p)) => port_in(p),
                _ => false,
            };
        }
        depth < 8
            && self.service_groups.get(name).is_some_and(|m| {
                m.iter()
                    .any(|s| self.service_matches(s, l4, sport, depth + 1))
            })
    }

    fn schedule_active(&self, name: &str, unix: i64) -> bool {
        let Some(s) = self.schedules.get(name) else {
            return false;
        };
        let sec = unix.rem_euclid(86_400) as u32;
        let in_ranges = |r: &[(u32, u32)]| r.iter().any(|(a, b)| *a <= sec && sec < *b);
        match s.kind.as_str() {
            "non-recurring" => s.dated.iter().any(|(a, b)| *a <= unix && unix < *b),
            _ if s.recurrence == "daily" => in_ranges(&s.daily),
            _ => {
                let weekday = (unix.div_euclid(86_400) + 3).rem_euclid(7) as usize;
                s.weekly.get(&weekday).is_some_and(|r| in_ranges(r))
            }
        }
    }

    /// The zone an interface belongs to.
    pub fn zone_of_interface(&self, iface: &str) -> Option<&str> {
        self.zones
            .iter()
            .find(|(_, ifs)| ifs.iter().any(|i| i == iface))
            .map(|(z, _)| z.as_str())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        src: IpAddr,
        dst: IpAddr,
        l4: PacketL4,
        extra: (Option<u16>, Option<u8>),
        unix: i64,
    ) -> Option<Decision> {
        let zone_ok = |list: &[String], z: Option<&str>| {
            list.iter().any(|x| x == "any" || Some(x.as_str()) == z)
        };
        for r in &self.rules {
            let ok = zone_ok(&r.from, from)
                && zone_ok(&r.to, to)
                && r.source.iter().any(|a| self.addr_contains(a, src, 0))
                && r.destination.iter().any(|a| self.addr_contains(a, dst, 0))
                && r.application
                    .iter()
                    .any(|a| self.app_matches(a, l4, src.is_ipv4(), extra.1))
                && r.service
                    .iter()
                    .any(|s| self.service_matches(s, l4, extra.0, 0))
                && r.schedule
                    .as_ref()
                    .is_none_or(|s| self.schedule_active(s, unix));
            if ok {
                return Some(Decision {
                    allow: r.allow,
                    logged: if r.allow { r.log_start } else { r.log_end },
                    rule: r.name.clone(),
                });
            }
        }
        None
    }
}

// ---- the documented limits, checked on every emitted name --------------

/// PAN-OS limits (PAN-OS object and policy references).
pub fn lint(pan: &Pan) -> Vec<String> {
    let mut errs = Vec::new();
    let ok = |s: &str, max: usize| {
        !s.is_empty()
            && s.chars().count() <= max
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
    };
    for z in pan.zones.keys() {
        if !ok(z, 31) {
            errs.push(format!("zone name {z:?}"));
        }
    }
    for n in pan.addresses.keys().chain(pan.groups.keys()) {
        if !ok(n, 63) {
            errs.push(format!("address name {n:?}"));
        }
        if pan.addresses.contains_key(n) && pan.groups.contains_key(n) {
            errs.push(format!("{n} is both an address and a group"));
        }
    }
    for n in pan.services.keys().chain(pan.service_groups.keys()) {
        if !ok(n, 63) || n == "any" || n == "application-default" {
            errs.push(format!("service name {n:?}"));
        }
    }
    for n in pan.apps.keys() {
        if !ok(n, 31) || !n.starts_with("conduit-") {
            errs.push(format!("application name {n:?}"));
        }
    }
    for (n, s) in &pan.schedules {
        if !ok(n, 31) {
            errs.push(format!("schedule name {n:?}"));
        }
        if s.kind == "non-recurring" && s.members.len() > 1024 {
            errs.push(format!("schedule {n}: {} members", s.members.len()));
        }
    }
    for (n, d) in &pan.group_descriptions {
        if d.chars().count() > 1023 {
            errs.push(format!("group {n} description"));
        }
    }
    for r in &pan.rules {
        if !ok(&r.name, 63) {
            errs.push(format!("rule name {:?}", r.name));
        }
        if r.description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1023)
        {
            errs.push(format!("rule {} description", r.name));
        }
        for z in r.from.iter().chain(&r.to) {
            // PAN-OS's predefined destination zone of routed multicast.
            let predefined = z == "multicast" && !r.from.contains(z);
            if z != "any" && !predefined && !pan.zones.contains_key(z) {
                errs.push(format!("rule {}: unknown zone {z}", r.name));
            }
        }
        for a in r.source.iter().chain(&r.destination) {
            if a != "any" && !pan.addresses.contains_key(a) && !pan.groups.contains_key(a) {
                errs.push(format!("rule {}: unknown address {a}", r.name));
            }
        }
        for a in &r.application {
            if a != "any" && !pan.apps.contains_key(a) {
                errs.push(format!("rule {}: unknown application {a}", r.name));
            }
        }
        for s in &r.service {
            if s != "any" && !pan.services.contains_key(s) && !pan.service_groups.contains_key(s) {
                errs.push(format!("rule {}: unknown service {s}", r.name));
            }
        }
        if let Some(s) = &r.schedule {
            if !pan.schedules.contains_key(s) {
                errs.push(format!("rule {}: unknown schedule {s}", r.name));
            }
        }
        // A custom application with a port service would also need App-ID
        // to agree with the port: conduit never mixes them.
        if r.application.iter().any(|a| a != "any") && r.service.iter().any(|s| s != "any") {
            errs.push(format!(
                "rule {}: application and service both narrowed",
                r.name
            ));
        }
    }
    for (g, m) in &pan.groups {
        for a in m {
            if !pan.addresses.contains_key(a) && !pan.groups.contains_key(a) {
                errs.push(format!("group {g}: unknown member {a}"));
            }
        }
    }
    for (g, m) in &pan.service_groups {
        for s in m {
            if !pan.services.contains_key(s) && !pan.service_groups.contains_key(s) {
                errs.push(format!("service-group {g}: unknown member {s}"));
            }
        }
    }
    errs
}
