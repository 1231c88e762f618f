//! Property: for random small policies and random packets, the plan's
//! verdict equals the policy's meaning, computed by a reference evaluator
//! written from the language reference (conduits, endpoints, most specific
//! network, direction, services, schedule, expiry, monitor) without using
//! the plan code.

use conduit::compile::eval::{Packet, PacketL4, Verdict};
use conduit::compile::plan::{self, PlanOptions};
use conduit::model::{
    Asset, Conduit, Date, Direction, Endpoint, Mode, Model, PortRange, Proto, Schedule, Service,
    ServiceId, ServiceMatch, Spanned, Weekday, Zone, ZoneClass, ZoneId,
};
use conduit::source::Span;
use ipnet::IpNet;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// splitmix64: a small deterministic generator driven by proptest's seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub fn sp<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Span::default())
}

pub fn zone(name: &str, class: ZoneClass, nets: &[&str], assets: &[&str]) -> Zone {
    Zone {
        name: name.to_string(),
        span: Span::default(),
        purdue: None,
        class,
        class_explicit: true,
        sl: None,
        owner: None,
        description: None,
        shutdown_authority: None,
        site: None,
        networks: nets
            .iter()
            .map(|n| sp(n.parse::<IpNet>().unwrap()))
            .collect(),
        assets: assets
            .iter()
            .enumerate()
            .map(|(i, a)| Asset {
                name: format!("h{i}"),
                span: Span::default(),
                address: sp(a.parse().unwrap()),
                role: None,
                vendor: None,
                description: None,
                patchable: true,
                critical: false,
                safety: false,
                temporary: false,
                wireless: false,
                external_link: false,
            })
            .collect(),
        wireless: false,
        temporary: false,
        monitored: false,
        bpcs: None,
    }
}

pub const AS_OF: &str = "2026-06-10";

/// Port lists as a policy may write them: repeated entries, overlapping
/// and adjacent ranges, the ends of the port space.
fn raw_port_list(rng: &mut Rng) -> Vec<PortRange> {
    let pools: [&[(u16, u16)]; 6] = [
        &[(22, 22), (22, 22)],
        &[(100, 110), (105, 105)],
        &[(105, 105), (100, 110), (111, 111)],
        &[(1, 1), (5000, 5010), (1, 1), (443, 443)],
        &[(1, 65_534), (65_535, 65_535)],
        &[(120, 125), (123, 130), (110, 110)],
    ];
    rng.pick(&pools)
        .iter()
        .map(|&(lo, hi)| PortRange { lo, hi })
        .collect()
}

fn random_service(rng: &mut Rng, i: usize) -> (Service, Vec<Vec<PortRange>>) {
    let pools: [ServiceMatch; 12] = [
        ServiceMatch {
            proto: Proto::Tcp,
            ports: vec![PortRange::single(443)],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Tcp,
            ports: vec![PortRange::single(22), PortRange { lo: 100, hi: 110 }],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Udp,
            ports: vec![PortRange::single(123)],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Icmp,
            ports: vec![],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Icmp,
            ports: vec![],
            icmp_type: Some(8),
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Icmp,
            ports: vec![],
            icmp_type: Some(8),
            icmp_code: Some(0),
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Icmp6,
            ports: vec![],
            icmp_type: Some(128),
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Icmp6,
            ports: vec![],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Udp,
            ports: vec![PortRange::single(123)],
            icmp_type: None,
            icmp_code: None,
            sports: vec![PortRange::single(123)],
        },
        ServiceMatch {
            proto: Proto::Tcp,
            ports: vec![PortRange::single(443)],
            icmp_type: None,
            icmp_code: None,
            sports: vec![PortRange { lo: 100, hi: 110 }, PortRange::single(5005)],
        },
        ServiceMatch {
            proto: Proto::Other(47),
            ports: vec![],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
        ServiceMatch {
            proto: Proto::Other(6),
            ports: vec![],
            icmp_type: None,
            icmp_code: None,
            sports: vec![],
        },
    ];
    let n = 1 + rng.below(2) as usize;
    // Each line as written (the reference reads these) and as the model
    // holds it (normalised, as the resolver makes it).
    let mut written = Vec::new();
    let mut matches = Vec::new();
    for _ in 0..n {
        let mut m = rng.pick(&pools).clone();
        if matches!(m.proto, Proto::Tcp | Proto::Udp) && rng.chance(40) {
            m.ports = raw_port_list(rng);
        }
        written.push(m.ports.clone());
        m.ports = conduit::model::normalise_ports(&m.ports);
        // The same ports over the other protocol too, as DNS or Kerberos
        // allow (nftables holds such twins in one map element).
        let twin = match m.proto {
            Proto::Tcp if m.sports.is_empty() && rng.chance(25) => Some(Proto::Udp),
            Proto::Udp if m.sports.is_empty() && rng.chance(25) => Some(Proto::Tcp),
            _ => None,
        };
        if let Some(proto) = twin {
            written.push(written.last().cloned().unwrap_or_default());
            let other = ServiceMatch { proto, ..m.clone() };
            matches.push(m);
            matches.push(other);
        } else {
            matches.push(m);
        }
    }
    let own = matches.clone();
    let service = Service {
        name: format!("svc{i}"),
        span: Span::default(),
        builtin: false,
        inline: false,
        matches,
        authenticated: false,
        encrypted: false,
        tags: BTreeSet::new(),
        description: None,
        includes: vec![],
        own,
    };
    (service, written)
}

fn random_schedule(rng: &mut Rng) -> Schedule {
    let days: BTreeSet<Weekday> = Weekday::ALL
        .iter()
        .copied()
        .filter(|_| rng.chance(60))
        .collect();
    let start = rng.below(24) as u16 * 60;
    let end = (start + 60 + rng.below(12) as u16 * 60).min(1440);
    Schedule {
        days,
        start_minute: start,
        end_minute: end,
        text: "random".to_string(),
        zone: None,
    }
}

fn random_endpoint(rng: &mut Rng, model: &Model, zones: &[usize]) -> Endpoint {
    let z = *rng.pick(zones);
    let assets = model.zones[z].assets.len() as u64;
    let asset = (assets > 0 && rng.chance(40)).then(|| rng.below(assets) as u32);
    Endpoint {
        zone: ZoneId(z as u32),
        asset,
        span: Span::default(),
        kind: Default::default(),
    }
}

fn random_conduit(rng: &mut Rng, model: &Model, i: usize) -> Conduit {
    let n = model.zones.len();
    // Split the zones into two non-empty sides, so no zone meets itself.
    let mut order: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        order.swap(k, rng.below(k as u64 + 1) as usize);
    }
    let cut = 1 + rng.below(n as u64 - 1) as usize;
    let (left, right) = order.split_at(cut);
    let initiators = (0..1 + rng.below(2))
        .map(|_| random_endpoint(rng, model, left))
        .collect();
    let responders = (0..1 + rng.below(2))
        .map(|_| random_endpoint(rng, model, right))
        .collect();
    let services = (0..1 + rng.below(2))
        .map(|_| sp(ServiceId(rng.below(model.services.len() as u64) as u32)))
        .collect();
    let as_of = Date::parse(AS_OF).unwrap().days_since_epoch();
    Conduit {
        name: format!("c{i}"),
        span: Span::default(),
        flow_span: Span::default(),
        initiators,
        responders,
        direction: if rng.chance(30) {
            Direction::Both
        } else {
            Direction::Forward
        },
        services,
        sl: None,
        justification: None,
        ticket: None,
        owner: None,
        vendor: None,
        expires: rng.chance(30).then(|| {
            // Near dates, and dates at and past the backends' limits.
            let far = [
                "2038-12-31",
                "2039-01-02",
                "2262-04-11",
                "2262-04-12",
                "2600-01-01",
                "9999-12-31",
            ];
            sp(if rng.chance(25) {
                Date::parse(rng.pick::<&str>(&far)).unwrap()
            } else {
                Date::from_days_since_epoch(as_of - 3 + rng.below(20) as i64)
            })
        }),
        schedule: rng.chance(30).then(|| sp(random_schedule(rng))),
        mode: if rng.chance(20) {
            Mode::Monitor
        } else {
            Mode::Enforce
        },
        log: rng.chance(20),
        untrusted_transit: false,
        controls: BTreeSet::new(),
        controls_span: None,
    }
}

/// A random model (see [`random_model_as_written`]).
pub fn random_model(rng: &mut Rng) -> Model {
    random_model_as_written(rng).0
}

/// A random model, with each service's port lists as the policy wrote them.
fn random_model_as_written(rng: &mut Rng) -> (Model, Vec<Vec<Vec<PortRange>>>) {
    let mut zones = Vec::new();
    if rng.chance(60) {
        zones.push(zone(
            "internet",
            ZoneClass::External,
            &["0.0.0.0/0", "::/0"],
            &[],
        ));
    }
    let count = 2 + rng.below(3) as usize;
    for i in 0..count {
        let v4 = format!("10.{i}.0.0/16");
        let v6 = format!("2001:db8:{i}::/48");
        let a1 = format!("10.{i}.0.1");
        let a2 = format!("2001:db8:{i}::2");
        let mut nets = vec![v4.as_str()];
        if rng.chance(50) {
            nets.push(v6.as_str());
        }
        let mut assets = vec![];
        if rng.chance(70) {
            assets.push(a1.as_str());
        }
        if nets.len() == 2 && rng.chance(50) {
            assets.push(a2.as_str());
        }
        // Now and then a name longer than nft allows for a set.
        let name = if rng.chance(15) {
            format!("z{i}{}", "n".repeat(250 + rng.below(20) as usize))
        } else {
            format!("z{i}")
        };
        zones.push(zone(&name, ZoneClass::Ot, &nets, &assets));
    }
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    let mut model = Model {
        zones,
        ..Model::default()
    };
    let (services, written): (Vec<Service>, Vec<_>) =
        (0..3).map(|i| random_service(rng, i)).unzip();
    model.services = services;
    let conduits = 1 + rng.below(4) as usize;
    model.conduits = (0..conduits)
        .map(|i| random_conduit(rng, &model, i))
        .collect();
    (model, written)
}

fn random_addr(rng: &mut Rng, model: &Model) -> IpAddr {
    let zones = model.zones.len() as u64;
    let z = rng.below(zones + 1) as usize;
    let s = match rng.below(6) {
        0 | 1 => model
            .zones
            .get(z)
            .and_then(|zone| zone.assets.first())
            .map(|a| a.address.value.to_string()),
        2 => Some(format!("10.{}.{}.{}", z, rng.below(3), rng.below(4))),
        3 => Some(format!("2001:db8:{z}::{}", rng.below(4))),
        4 => Some(format!("192.0.2.{}", rng.below(4))),
        _ => Some(format!("2001:db8:ff::{}", rng.below(3))),
    };
    s.unwrap_or_else(|| "10.0.0.1".to_string()).parse().unwrap()
}

/// An address of an endpoint: the asset's, or one in the zone's networks.
fn endpoint_addr(rng: &mut Rng, model: &Model, ep: &Endpoint) -> IpAddr {
    let zone = &model.zones[ep.zone.0 as usize];
    if let Some(a) = ep.asset {
        return zone.assets[a as usize].address.value;
    }
    let net = rng.pick(&zone.networks).value;
    match net {
        IpNet::V4(n) if n.prefix_len() == 0 => {
            format!("198.51.100.{}", rng.below(4)).parse().unwrap()
        }
        IpNet::V6(n) if n.prefix_len() == 0 => {
            format!("2001:db8:ff::{}", rng.below(3)).parse().unwrap()
        }
        IpNet::V4(n) => IpAddr::V4(n.hosts().nth(rng.below(5) as usize).unwrap_or(n.addr())),
        IpNet::V6(n) => IpAddr::V6(n.hosts().nth(rng.below(5) as usize).unwrap_or(n.addr())),
    }
}

/// Addresses along a random conduit flow (often reversed), or anywhere.
fn random_pair(rng: &mut Rng, model: &Model) -> (IpAddr, IpAddr) {
    if model.conduits.is_empty() || rng.chance(40) {
        return (random_addr(rng, model), random_addr(rng, model));
    }
    let c = rng.pick(&model.conduits);
    let a = *rng.pick(&c.initiators);
    let b = *rng.pick(&c.responders);
    let (a, b) = (endpoint_addr(rng, model, &a), endpoint_addr(rng, model, &b));
    if rng.chance(25) {
        (b, a)
    } else {
        (a, b)
    }
}

pub fn random_packet(
    rng: &mut Rng,
    model: &Model,
    ifaces: Option<&BTreeMap<ZoneId, String>>,
) -> Packet {
    let (src, mut dst) = random_pair(rng, model);
    if src.is_ipv4() != dst.is_ipv4() {
        dst = src;
    }
    let ports = [
        1u16, 2, 22, 100, 105, 110, 111, 112, 123, 130, 131, 443, 5005, 65_535,
    ];
    let l4 = match rng.below(5) {
        0 | 1 => PacketL4::Tcp(*rng.pick(&ports)),
        2 => PacketL4::Udp(*rng.pick(&ports)),
        3 => PacketL4::Icmp(*rng.pick(&[0u8, 8, 128])),
        _ => PacketL4::Proto(*rng.pick(&[47u8, 50])),
    };
    let sport = match l4 {
        PacketL4::Tcp(_) | PacketL4::Udp(_) => Some(*rng.pick(&ports)),
        _ => None,
    };
    let icmp_code = match l4 {
        PacketL4::Icmp(_) => Some(*rng.pick(&[0u8, 1])),
        _ => None,
    };
    let as_of = Date::parse(AS_OF).unwrap().days_since_epoch() * 86_400;
    let unix_time = as_of - 2 * 86_400 + rng.below(30 * 86_400) as i64;
    let iface_of = |rng: &mut Rng, a: IpAddr| -> Option<String> {
        let map = ifaces?;
        if rng.chance(15) {
            return Some("ifx".to_string());
        }
        ref_zone_of(model, a).and_then(|z| map.get(&z).cloned())
    };
    let iif = iface_of(rng, src);
    let oif = iface_of(rng, dst);
    Packet {
        src,
        dst,
        l4,
        sport,
        icmp_code,
        iif,
        oif,
        unix_time,
    }
}

// ---- the reference evaluator -------------------------------------------

/// The zone an address belongs to: the longest matching network.
fn ref_zone_of(model: &Model, addr: IpAddr) -> Option<ZoneId> {
    let mut best: Option<(u8, usize)> = None;
    for (i, z) in model.zones.iter().enumerate() {
        for n in &z.networks {
            let len = n.value.prefix_len();
            if n.value.contains(&addr) && best.is_none_or(|(l, _)| len > l) {
                best = Some((len, i));
            }
        }
    }
    best.map(|(_, i)| ZoneId(i as u32))
}

fn ref_endpoint(model: &Model, ep: &Endpoint, addr: IpAddr) -> bool {
    if ref_zone_of(model, addr) != Some(ep.zone) {
        return false;
    }
    match ep.asset {
        None => true,
        Some(i) => {
            model.zones[ep.zone.0 as usize].assets[i as usize]
                .address
                .value
                == addr
        }
    }
}

fn ref_service(model: &Model, written: &[Vec<Vec<PortRange>>], c: &Conduit, pkt: &Packet) -> bool {
    let v4 = pkt.src.is_ipv4();
    c.services.iter().any(|s| {
        model
            .service(s.value)
            .matches
            .iter()
            .zip(&written[s.value.0 as usize])
            .any(|(m, ports)| match (m.proto, pkt.l4) {
                // The ports as written: any entry holds the port.
                // The source port must be one of `from PORTS`, if given.
                (Proto::Tcp, PacketL4::Tcp(p)) | (Proto::Udp, PacketL4::Udp(p)) => {
                    ports.iter().any(|r| r.lo <= p && p <= r.hi)
                        && (m.sports.is_empty()
                            || pkt
                                .sport
                                .is_some_and(|s| m.sports.iter().any(|r| r.lo <= s && s <= r.hi)))
                }
                // `icmp` is ICMPv4 only, `icmpv6` ICMPv6 only; type and
                // code exact where given.
                (Proto::Icmp | Proto::Icmp6, PacketL4::Icmp(t)) => {
                    (m.proto == Proto::Icmp) == v4
                        && m.icmp_type.is_none_or(|want| want == t)
                        && m.icmp_code.is_none_or(|want| pkt.icmp_code == Some(want))
                }
                (Proto::Other(n), PacketL4::Proto(k)) => n == k,
                (Proto::Other(6), PacketL4::Tcp(_)) | (Proto::Other(17), PacketL4::Udp(_)) => true,
                (Proto::Other(1), PacketL4::Icmp(_)) => v4,
                (Proto::Other(58), PacketL4::Icmp(_)) => !v4,
                _ => false,
            })
    })
}

fn ref_schedule(s: &Schedule, unix: i64) -> bool {
    let days = unix.div_euclid(86_400);
    // 1970-01-01 was a Thursday.
    let weekday = Weekday::ALL[((days + 3).rem_euclid(7)) as usize];
    let minute = (unix.rem_euclid(86_400) / 60) as u16;
    s.days.contains(&weekday) && s.start_minute <= minute && minute < s.end_minute
}

struct RefCtx<'a> {
    model: &'a Model,
    /// Per service and line, the ports as written.
    written: &'a [Vec<Vec<PortRange>>],
    as_of: Date,
    mode: Mode,
    ifaces: Option<&'a BTreeMap<ZoneId, String>>,
}

impl RefCtx<'_> {
    /// Some flow of the conduit carries the packet's addresses (and
    /// interfaces), and the conduit is alive at the packet's time.
    fn on_flow(&self, c: &Conduit, pkt: &Packet) -> bool {
        if c.expires.as_ref().is_some_and(|e| {
            e.value <= self.as_of || pkt.unix_time >= e.value.days_since_epoch() * 86_400
        }) {
            return false;
        }
        let mut pairs = Vec::new();
        for a in &c.initiators {
            for b in &c.responders {
                pairs.push((a, b));
                if c.direction == Direction::Both {
                    pairs.push((b, a));
                }
            }
        }
        pairs.iter().any(|(a, b)| {
            ref_endpoint(self.model, a, pkt.src)
                && ref_endpoint(self.model, b, pkt.dst)
                && self.ifaces.is_none_or(|map| {
                    map.get(&a.zone).is_some()
                        && map.get(&b.zone).is_some()
                        && pkt.iif.as_ref() == map.get(&a.zone)
                        && pkt.oif.as_ref() == map.get(&b.zone)
                })
        })
    }

    fn verdict(&self, pkt: &Packet) -> Verdict {
        let conduits = &self.model.conduits;
        let allowed = conduits.iter().any(|c| {
            self.on_flow(c, pkt)
                && ref_service(self.model, self.written, c, pkt)
                && c.schedule
                    .as_ref()
                    .is_none_or(|s| ref_schedule(&s.value, pkt.unix_time))
        });
        if allowed {
            Verdict::Allow
        } else if self.mode == Mode::Monitor
            || conduits
                .iter()
                .any(|c| c.mode == Mode::Monitor && self.on_flow(c, pkt))
        {
            Verdict::WouldDrop
        } else {
            Verdict::Deny
        }
    }
}

/// Both backends emit the plan, or (iptables only) refuse an expiry past
/// what `--datestop` reads with E0510; no nft name exceeds 255 bytes and no
/// `meta time` exceeds the kernel clock.
fn emits_within_limits(plan: &conduit::compile::Plan) {
    use conduit::compile;
    for backend in ["nftables", "iptables"] {
        let b = compile::backend(backend).unwrap();
        match compile::generate(b, plan) {
            Ok(files) => {
                for f in files {
                    for line in f.text.lines() {
                        if let Some(name) = line.trim().strip_prefix("set ") {
                            assert!(name.len() <= 255 + 2, "{name}");
                        }
                    }
                    for n in f.text.split("meta time < ").skip(1) {
                        let secs: i64 = n.split(' ').next().unwrap().parse().unwrap();
                        assert!(secs <= i64::MAX / 1_000_000_000);
                    }
                }
            }
            Err(errors) => {
                let last = Date::parse("2039-01-01").unwrap();
                assert_eq!(backend, "iptables", "{errors:?}");
                assert!(errors.iter().all(|e| e.code == "E0510"), "{errors:?}");
                assert!(plan
                    .rules
                    .iter()
                    .any(|r| r.expires.is_some_and(|d| d > last)));
            }
        }
    }
}

/// Every W0007 of `check` is true of the plan's verdicts: whatever the
/// inner conduit allows alone, the outer one allows alone.
fn redundant_conduits_are_covered(rng: &mut Rng, model: &Model, as_of: Date) {
    use conduit::compile::overlap;
    use conduit::compile::plan::RuleKind;
    let opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of,
        interfaces: None,
        target: None,
    };
    let (plan, _) = plan::build(model, &opts);
    let only = |name: &str| {
        let mut p = plan.clone();
        p.rules
            .retain(|r| r.conduit == name && r.kind == RuleKind::Allow);
        p
    };
    for d in overlap::lifecycle(model, as_of, overlap::EXPIRY_WARNING_DAYS) {
        if d.code != "W0007" {
            continue;
        }
        let names: Vec<&str> = d.message.split('`').skip(1).step_by(2).collect();
        let (inner, outer) = (only(names[0]), only(names[1]));
        for _ in 0..300 {
            let pkt = random_packet(rng, model, None);
            if inner.verdict(&pkt) == Verdict::Allow {
                assert_eq!(
                    outer.verdict(&pkt),
                    Verdict::Allow,
                    "{}: {pkt:?}",
                    d.message
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn plan_verdict_matches_the_policy(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let (model, written) = random_model_as_written(&mut rng);
        let mode = if rng.chance(20) { Mode::Monitor } else { Mode::Enforce };
        let ifaces: Option<BTreeMap<ZoneId, String>> = rng.chance(30).then(|| {
            model
                .zone_ids()
                .filter(|_| rng.chance(80))
                .map(|z| (z, format!("if{}", z.0)))
                .collect()
        });
        let as_of = Date::parse(AS_OF).unwrap();
        let opts = PlanOptions { mode, log_denied: true, as_of, interfaces: ifaces.clone(), target: None };
        let (plan, _) = plan::build(&model, &opts);
        let reference = RefCtx { model: &model, written: &written, as_of, mode, ifaces: ifaces.as_ref() };
        emits_within_limits(&plan);
        redundant_conduits_are_covered(&mut rng, &model, as_of);
        for _ in 0..200 {
            let pkt = random_packet(&mut rng, &model, ifaces.as_ref());
            let want = reference.verdict(&pkt);
            let got = plan.verdict(&pkt);
            prop_assert_eq!(got, want, "seed {} packet {:?}\nmodel {:#?}", seed, pkt, model.conduits);
        }
    }
}
