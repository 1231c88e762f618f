//! Why a [`Plan`] allows or denies one new connection: the rule that
//! decides, with its conduit, service, direction, window and expiry, or the
//! reasons no conduit allows it.
//!
//! The verdict is always [`Plan::verdict`] and the deciding rule
//! [`Plan::deciding_rule`], so an explanation agrees with the backends by
//! construction. Only the reasons for a denial read the model: which
//! conduits join the packet's zones, and what each of them lacks (the
//! service, the direction, the window, the expiry).

use super::addr::Family;
use super::eval::{proto_number, Packet, PacketL4, Verdict};
use super::plan::{date_to_unix, Plan, RuleKind};
use crate::model::{Conduit, Date, Direction, Endpoint, EndpointKind, Model, Proto, ServiceMatch};
use std::fmt;
use std::net::IpAddr;

/// The verdict on a packet and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub verdict: Verdict,
    /// The zone owning the source address (most specific network).
    pub src_zone: Option<String>,
    /// The zone owning the destination address.
    pub dst_zone: Option<String>,
    /// The rule that decided: an allow rule, or the scope rule of a
    /// monitored conduit that passes the packet as "would drop".
    pub rule: Option<RuleMatch>,
    /// Why no conduit allows the packet; empty when one does.
    pub reasons: Vec<DenyReason>,
}

/// The plan rule that matched, in the policy's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index in [`Plan::rules`].
    pub index: usize,
    pub conduit: String,
    /// Service names of the rule (`s7comm, s7comm-plus`); `None` for a
    /// monitor scope rule.
    pub service: Option<String>,
    /// The conduit end that opens the connection (`zone` or `zone.asset`).
    pub from: String,
    /// The conduit end that accepts it.
    pub to: String,
    /// The groups the flow line named for `from` and `to`, when it named
    /// a group rather than the endpoint itself.
    pub from_group: Option<String>,
    pub to_group: Option<String>,
    /// The conduit's direction as written.
    pub direction: Direction,
    /// The packet goes from the conduit's responders to its initiators
    /// (allowed because the conduit is `<->`).
    pub reverse: bool,
    /// The schedule as written; `None`: at any time.
    pub window: Option<String>,
    /// Access ends at 00:00 UTC of this day.
    pub expires: Option<Date>,
    /// A monitor scope rule (the packet passes, logged as "would drop").
    pub monitor_scope: bool,
}

/// One reason a packet is denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenyReason {
    /// The address lies in no zone's network.
    NoZone { addr: IpAddr },
    /// Both addresses are in one zone: traffic inside a zone does not
    /// cross the firewall's conduits.
    SameZone { zone: String },
    /// No conduit joins the two ends in either direction.
    NoConduit { from: String, to: String },
    /// A `->` conduit joins them, but the packet goes from its responder
    /// to its initiator.
    ReverseDirection { conduit: String },
    /// The conduit joins them but none of its services has this protocol
    /// and port; `services` lists what it allows (`modbus (tcp 502)`).
    WrongService {
        conduit: String,
        services: Vec<String>,
    },
    /// The conduit expired: access ended at 00:00 UTC of `on`.
    Expired { conduit: String, on: Date },
    /// The conduit's schedule is closed at the packet's instant.
    OutsideWindow { conduit: String, schedule: String },
    /// The conduit allows it on paper but the plan has no rule for it
    /// (a target profile that does not see one of the zones).
    NotCompiled { conduit: String },
    /// The conduit reaches the destination's zone only through DNS names
    /// (`fqdn "NAME" in ZONE`): the firewall resolves them, so no literal
    /// address is known to be one of theirs.
    DnsName { conduit: String, names: Vec<String> },
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenyReason::NoZone { addr } => write!(f, "{addr} is in no zone"),
            DenyReason::SameZone { zone } => write!(
                f,
                "both addresses are in zone `{zone}`: traffic inside a zone does not cross a conduit"
            ),
            DenyReason::NoConduit { from, to } => {
                write!(f, "no conduit between `{from}` and `{to}`")
            }
            DenyReason::ReverseDirection { conduit } => write!(
                f,
                "conduit `{conduit}` is one-way (`->`): only its initiators open connections"
            ),
            DenyReason::WrongService { conduit, services } => write!(
                f,
                "conduit `{conduit}` allows only {}",
                services.join(", ")
            ),
            DenyReason::Expired { conduit, on } => write!(
                f,
                "conduit `{conduit}` expired: access ended at the start of {on} (UTC)"
            ),
            DenyReason::OutsideWindow { conduit, schedule } => write!(
                f,
                "conduit `{conduit}` is open only \"{schedule}\"{}",
                utc_note(schedule)
            ),
            DenyReason::NotCompiled { conduit } => write!(
                f,
                "conduit `{conduit}` has no firewall rule for these addresses in this plan"
            ),
            DenyReason::DnsName { conduit, names } => write!(
                f,
                "conduit `{conduit}` allows only DNS name(s) {} there, which the firewall resolves: whether this address is one of theirs is not known here",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// The verdict of `plan` on `pkt`, and why, in terms of `model` (the model
/// the plan was built from).
pub fn explain(model: &Model, plan: &Plan, pkt: &Packet) -> Explanation {
    let verdict = plan.verdict(pkt);
    let src_zone = model.zone_of_addr(pkt.src);
    let dst_zone = dst_zone_of(model, pkt.dst);
    let rule = plan
        .deciding_rule(pkt)
        .and_then(|i| rule_match(model, plan, i, pkt));
    let reasons = if verdict == Verdict::Allow {
        Vec::new()
    } else {
        deny_reasons(model, plan, pkt)
    };
    Explanation {
        verdict,
        src_zone: src_zone.map(|z| model.zone(z).name.clone()),
        dst_zone: dst_zone.map(|z| model.zone(z).name.clone()),
        rule,
        reasons,
    }
}

fn rule_match(model: &Model, plan: &Plan, index: usize, pkt: &Packet) -> Option<RuleMatch> {
    let rule = plan.rules.get(index)?;
    let id = model.conduit_by_name(&rule.conduit)?;
    let conduit = model.conduit(id);
    let forward = joins(model, &conduit.initiators, &conduit.responders, pkt);
    let (from_side, to_side) = match forward {
        Some(_) => (&conduit.initiators, &conduit.responders),
        None => (&conduit.responders, &conduit.initiators),
    };
    let (from, to) = joins(model, from_side, to_side, pkt)?;
    Some(RuleMatch {
        index,
        conduit: rule.conduit.clone(),
        service: rule.service.clone(),
        from: model.endpoint_name(&from),
        to: model.endpoint_name(&to),
        from_group: model.group_of(id, &from).map(|g| g.name.clone()),
        to_group: model.group_of(id, &to).map(|g| g.name.clone()),
        direction: conduit.direction,
        reverse: forward.is_none(),
        window: rule.window.as_ref().map(|w| w.text.clone()),
        expires: rule.expires,
        monitor_scope: rule.kind == RuleKind::MonitorScope,
    })
}

/// The endpoints of `from` and `to` that hold the packet's source and
/// destination (an asset end before its zone's end).
fn joins(
    model: &Model,
    from: &[Endpoint],
    to: &[Endpoint],
    pkt: &Packet,
) -> Option<(Endpoint, Endpoint)> {
    Some((holder(model, from, pkt.src)?, holder(model, to, pkt.dst)?))
}

/// The endpoint of a side that holds `addr`: an asset of that address, a
/// multicast group containing it, else a whole zone owning it. A DNS name
/// holds no literal address.
fn holder(model: &Model, side: &[Endpoint], addr: IpAddr) -> Option<Endpoint> {
    let zone = model.zone_of_addr(addr);
    let asset = side.iter().find(|ep| {
        ep.asset
            .and_then(|i| model.zone(ep.zone).assets.get(i as usize))
            .is_some_and(|a| a.address.value == addr)
    });
    let group = || {
        side.iter()
            .find(|ep| matches!(ep.kind, EndpointKind::Multicast(net) if net.contains(&addr)))
    };
    asset
        .or_else(group)
        .or_else(|| {
            side.iter().find(|ep| {
                ep.asset.is_none() && ep.kind == EndpointKind::Zone && Some(ep.zone) == zone
            })
        })
        .copied()
}

/// The zone a destination reaches: the zone a multicast group containing
/// it is delivered into (the first such group of the policy), else the
/// zone owning the address.
fn dst_zone_of(model: &Model, addr: IpAddr) -> Option<crate::model::ZoneId> {
    let group = model
        .conduits
        .iter()
        .flat_map(|c| &c.responders)
        .find(|e| matches!(e.kind, EndpointKind::Multicast(net) if net.contains(&addr)));
    group.map(|e| e.zone).or_else(|| model.zone_of_addr(addr))
}

/// DNS names of `conduit` in the destination's zone, when its initiators
/// hold the source.
fn dns_reason(
    model: &Model,
    conduit: &Conduit,
    pkt: &Packet,
    dst_zone: crate::model::ZoneId,
) -> Option<DenyReason> {
    holder(model, &conduit.initiators, pkt.src)?;
    let names: Vec<String> = conduit
        .responders
        .iter()
        .filter(|e| e.zone == dst_zone)
        .filter_map(|e| match e.kind {
            EndpointKind::Fqdn(i) => Some(model.fqdn(i).to_string()),
            _ => None,
        })
        .collect();
    (!names.is_empty()).then(|| DenyReason::DnsName {
        conduit: conduit.name.clone(),
        names,
    })
}

fn deny_reasons(model: &Model, plan: &Plan, pkt: &Packet) -> Vec<DenyReason> {
    let (src_zone, dst_zone) = (model.zone_of_addr(pkt.src), dst_zone_of(model, pkt.dst));
    let mut reasons = Vec::new();
    for (addr, zone) in [(pkt.src, src_zone), (pkt.dst, dst_zone)] {
        if zone.is_none() {
            reasons.push(DenyReason::NoZone { addr });
        }
    }
    if !reasons.is_empty() {
        return reasons;
    }
    if let (Some(a), Some(b)) = (src_zone, dst_zone) {
        if a == b {
            return vec![DenyReason::SameZone {
                zone: model.zone(a).name.clone(),
            }];
        }
    }
    for conduit in &model.conduits {
        reasons.extend(conduit_reason(model, plan, conduit, pkt));
        if let Some(z) = dst_zone {
            reasons.extend(dns_reason(model, conduit, pkt, z));
        }
    }
    if reasons.is_empty() {
        let name = |z: Option<crate::model::ZoneId>| {
            z.map_or_else(String::new, |z| model.zone(z).name.clone())
        };
        reasons.push(DenyReason::NoConduit {
            from: name(src_zone),
            to: name(dst_zone),
        });
    }
    reasons
}

/// What `conduit` lacks to allow the packet; `None` when it does not join
/// the packet's ends at all.
fn conduit_reason(
    model: &Model,
    plan: &Plan,
    conduit: &Conduit,
    pkt: &Packet,
) -> Option<DenyReason> {
    let forward = joins(model, &conduit.initiators, &conduit.responders, pkt).is_some();
    let reverse = joins(model, &conduit.responders, &conduit.initiators, pkt).is_some();
    let name = conduit.name.clone();
    if !forward && !reverse {
        return None;
    }
    if !forward && conduit.direction == Direction::Forward {
        return Some(DenyReason::ReverseDirection { conduit: name });
    }
    let family = Family::of(pkt.src);
    let offers = conduit.services.iter().any(|s| {
        model
            .service(s.value)
            .matches
            .iter()
            .any(|m| service_matches(m, family, pkt.l4, pkt.sport, pkt.icmp_code))
    });
    if !offers {
        let services = conduit
            .services
            .iter()
            .map(|s| describe_service(model, s.value))
            .collect();
        return Some(DenyReason::WrongService {
            conduit: name,
            services,
        });
    }
    if let Some(e) = &conduit.expires {
        if conduit.expired_at(plan.as_of) || pkt.unix_time >= date_to_unix(e.value) {
            return Some(DenyReason::Expired {
                conduit: name,
                on: e.value,
            });
        }
    }
    if let Some(s) = &conduit.schedule {
        if !schedule_open(&s.value, pkt.unix_time) {
            return Some(DenyReason::OutsideWindow {
                conduit: name,
                schedule: s.value.text.clone(),
            });
        }
    }
    Some(DenyReason::NotCompiled { conduit: name })
}

/// The same reading of a service line as the plan's rule for one family.
fn service_matches(
    m: &ServiceMatch,
    family: Family,
    l4: PacketL4,
    sport: Option<u16>,
    code: Option<u8>,
) -> bool {
    match (m.proto, l4) {
        (Proto::Tcp, PacketL4::Tcp(p)) | (Proto::Udp, PacketL4::Udp(p)) => {
            m.ports.iter().any(|r| r.contains(p))
                && (m.sports.is_empty()
                    || sport.is_some_and(|s| m.sports.iter().any(|r| r.contains(s))))
        }
        (Proto::Icmp, PacketL4::Icmp(t)) | (Proto::Icmp6, PacketL4::Icmp(t)) => {
            let v6 = m.proto == Proto::Icmp6;
            (family == Family::V6) == v6
                && m.icmp_type.is_none_or(|w| w == t)
                && m.icmp_code.is_none_or(|w| Some(w) == code)
                && !m
                    .icmp_type
                    .is_some_and(|w| crate::model::is_icmp_error(m.proto, w))
        }
        (Proto::Other(n), got) => n == proto_number(got, family),
        _ => false,
    }
}

/// ` (UTC)` after a schedule written without a time zone (its third word).
pub fn utc_note(schedule: &str) -> &'static str {
    if schedule.split_whitespace().nth(2).is_some() {
        ""
    } else {
        " (UTC)"
    }
}

fn schedule_open(s: &crate::model::Schedule, unix_time: i64) -> bool {
    crate::model::open_at(
        &s.days,
        u32::from(s.start_minute) * 60,
        u32::from(s.end_minute) * 60,
        s.zone.as_deref(),
        unix_time,
    )
}

/// `modbus (tcp 502)`, `ntp (udp 123)`, `tcp 8080` for an inline service.
pub fn describe_service(model: &Model, id: crate::model::ServiceId) -> String {
    let service = model.service(id);
    let lines: Vec<String> = service.matches.iter().map(describe_match).collect();
    if service.inline {
        lines.join(", ")
    } else {
        format!("{} ({})", service.name, lines.join(", "))
    }
}

/// `tcp 502`, `udp 47808 from 47808`, `icmp 8`, `icmpv6 1 code 4`, `proto 47`.
pub fn describe_match(m: &ServiceMatch) -> String {
    crate::model::export::match_text(m)
}

/// The packet's transport in the policy's words: `tcp 502`, `udp 123`.
pub fn describe_l4(l4: PacketL4) -> String {
    match l4 {
        PacketL4::Tcp(p) => format!("tcp {p}"),
        PacketL4::Udp(p) => format!("udp {p}"),
        PacketL4::Icmp(t) => format!("icmp {t}"),
        PacketL4::Proto(n) => format!("proto {n}"),
    }
}

/// The accept rule the deciding rule becomes in the nftables backend.
pub fn nftables_rule(plan: &Plan, index: usize) -> Option<String> {
    super::nftables::rule_text(plan, index)
}

/// The nftables accept line of every plan rule, indexed like
/// [`Plan::rules`] (and [`RuleMatch::index`]): compute once, look up per
/// packet.
pub fn nftables_rules(plan: &Plan) -> Vec<String> {
    super::nftables::rule_texts(plan)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::compile::plan::{build, PlanOptions};
    use crate::model::Mode;

    const POLICY: &str = "zone a {\n purdue 3\n network 10.1.0.0/24\n asset h 10.1.0.5 { role hmi }\n}\n\
        zone b {\n purdue 2\n network 10.2.0.0/24\n}\nzone c {\n purdue 2\n network 10.3.0.0/24\n}\n\
        conduit one-way {\n a.h -> b\n allow modbus\n schedule \"mon-fri 06:00-18:00\"\n}\n\
        conduit both {\n a <-> c\n allow ntp\n expires 2027-01-01\n}\n";

    fn setup() -> (Model, Plan) {
        let loaded = crate::load_str("t.zc", POLICY);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let opts = PlanOptions {
            mode: Mode::Enforce,
            log_denied: true,
            as_of: Date::parse("2026-12-01").unwrap(),
            interfaces: None,
            target: None,
        };
        let plan = build(&loaded.model, &opts).0;
        (loaded.model, plan)
    }

    /// Tuesday 2026-12-01 at `hour`:00 UTC.
    fn at(hour: i64) -> i64 {
        date_to_unix(Date::parse("2026-12-01").unwrap()) + hour * 3600
    }

    fn pkt(src: &str, dst: &str, l4: PacketL4, t: i64) -> Packet {
        Packet {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            l4,
            sport: None,
            icmp_code: None,
            iif: None,
            oif: None,
            unix_time: t,
        }
    }

    #[test]
    fn an_allowed_packet_names_its_rule() {
        let (model, plan) = setup();
        let e = explain(
            &model,
            &plan,
            &pkt("10.1.0.5", "10.2.0.9", PacketL4::Tcp(502), at(9)),
        );
        assert_eq!(e.verdict, Verdict::Allow);
        let r = e.rule.unwrap();
        assert_eq!(
            (
                r.conduit.as_str(),
                r.service.as_deref(),
                r.from.as_str(),
                r.to.as_str()
            ),
            ("one-way", Some("modbus"), "a.h", "b")
        );
        assert_eq!(r.window.as_deref(), Some("mon-fri 06:00-18:00"));
        assert!(!r.reverse);
        let line = nftables_rule(&plan, r.index).unwrap();
        assert!(line.contains("tcp dport 502"), "{line}");
        assert_eq!(nftables_rules(&plan)[r.index], line);
        assert_eq!(nftables_rules(&plan).len(), plan.rules.len());
    }

    #[test]
    fn the_reverse_of_a_two_way_conduit_is_allowed_and_says_so() {
        let (model, plan) = setup();
        let e = explain(
            &model,
            &plan,
            &pkt("10.3.0.1", "10.1.0.9", PacketL4::Udp(123), at(1)),
        );
        assert_eq!(e.verdict, Verdict::Allow);
        let r = e.rule.unwrap();
        assert!(r.reverse);
        assert_eq!((r.from.as_str(), r.to.as_str()), ("c", "a"));
        assert_eq!(r.expires, Date::parse("2027-01-01"));
    }

    #[test]
    fn each_deny_reason() {
        let (model, plan) = setup();
        let why = |p: Packet| {
            let e = explain(&model, &plan, &p);
            assert_eq!(e.verdict, Verdict::Deny);
            assert!(e.rule.is_none());
            e.reasons
        };
        let one_way = || "one-way".to_string();
        assert_eq!(
            why(pkt("10.2.0.9", "10.1.0.5", PacketL4::Tcp(502), at(9))),
            [DenyReason::ReverseDirection { conduit: one_way() }]
        );
        assert_eq!(
            why(pkt("10.1.0.5", "10.2.0.9", PacketL4::Tcp(503), at(9))),
            [DenyReason::WrongService {
                conduit: one_way(),
                services: vec!["modbus (tcp 502)".to_string()]
            }]
        );
        assert_eq!(
            why(pkt("10.1.0.5", "10.2.0.9", PacketL4::Tcp(502), at(20))),
            [DenyReason::OutsideWindow {
                conduit: one_way(),
                schedule: "mon-fri 06:00-18:00".to_string()
            }]
        );
        let later = date_to_unix(Date::parse("2027-01-02").unwrap());
        assert_eq!(
            why(pkt("10.1.0.9", "10.3.0.1", PacketL4::Udp(123), later)),
            [DenyReason::Expired {
                conduit: "both".to_string(),
                on: Date::parse("2027-01-01").unwrap()
            }]
        );
        assert_eq!(
            why(pkt("10.2.0.1", "10.3.0.1", PacketL4::Udp(123), at(9))),
            [DenyReason::NoConduit {
                from: "b".to_string(),
                to: "c".to_string()
            }]
        );
        assert_eq!(
            why(pkt("10.1.0.6", "10.2.0.9", PacketL4::Tcp(502), at(9))),
            [DenyReason::NoConduit {
                from: "a".to_string(),
                to: "b".to_string()
            }]
        );
        assert_eq!(
            why(pkt("192.0.2.1", "10.2.0.9", PacketL4::Tcp(502), at(9))),
            [DenyReason::NoZone {
                addr: "192.0.2.1".parse().unwrap()
            }]
        );
        assert_eq!(
            why(pkt("10.2.0.1", "10.2.0.2", PacketL4::Tcp(502), at(9))),
            [DenyReason::SameZone {
                zone: "b".to_string()
            }]
        );
    }
}
