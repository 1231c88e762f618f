//! What a [`Plan`] does with one new connection: the meaning every backend
//! must reproduce, and the side the property tests compare against an
//! independent reading of the policy.

use super::addr::{self, Family};
use super::plan::{date_to_unix, AddrMatch, Plan, Rule, RuleKind, Window, L4};
use crate::model::Mode;
use std::net::IpAddr;

/// Transport of a packet that opens a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketL4 {
    Tcp(u16),
    Udp(u16),
    /// ICMP (v4 packets) or ICMPv6 (v6 packets) with its type.
    Icmp(u8),
    /// Another IP protocol by number.
    Proto(u8),
}

/// The first packet of a new connection, as the firewall sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub l4: PacketL4,
    /// Source port of a TCP/UDP packet; `None` when not known (a rule
    /// with source ports then does not match it).
    pub sport: Option<u16>,
    /// Code of an ICMP/ICMPv6 packet; `None` when not known (a rule with
    /// a code then does not match it).
    pub icmp_code: Option<u8>,
    pub iif: Option<String>,
    pub oif: Option<String>,
    /// Seconds since 1970-01-01 UTC.
    pub unix_time: i64,
}

/// What happens to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A conduit allows it.
    Allow,
    /// No conduit allows it, but monitor mode passes it (counted, logged).
    WouldDrop,
    /// Dropped.
    Deny,
}

impl Plan {
    /// The verdict on a new connection.
    pub fn verdict(&self, pkt: &Packet) -> Verdict {
        let matching = self.rules.iter().filter(|r| self.rule_matches(r, pkt));
        let mut scope = false;
        for rule in matching {
            match rule.kind {
                RuleKind::Allow => return Verdict::Allow,
                RuleKind::MonitorScope => scope = true,
            }
        }
        if scope || self.mode == Mode::Monitor {
            Verdict::WouldDrop
        } else {
            Verdict::Deny
        }
    }

    /// Index in [`Plan::rules`] of the rule that decides the verdict on a
    /// packet: the first allow rule matching it, else the first monitor
    /// scope rule matching it; `None` when no rule matches (the default
    /// applies). Agrees with [`Plan::verdict`] by construction.
    pub fn deciding_rule(&self, pkt: &Packet) -> Option<usize> {
        let mut scope = None;
        for (i, rule) in self.rules.iter().enumerate() {
            if !self.rule_matches(rule, pkt) {
                continue;
            }
            match rule.kind {
                RuleKind::Allow => return Some(i),
                RuleKind::MonitorScope => {
                    scope.get_or_insert(i);
                }
            }
        }
        scope
    }

    fn rule_matches(&self, rule: &Rule, pkt: &Packet) -> bool {
        let in_set = |m: &AddrMatch, addr: IpAddr| {
            Family::of(addr) == rule.family
                && self
                    .ranges(m)
                    .is_some_and(|r| r.contains(addr::to_int(addr)))
        };
        let iface = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| got.as_ref() == Some(w))
        };
        in_set(&rule.src, pkt.src)
            && in_set(&rule.dst, pkt.dst)
            && iface(&rule.iif, &pkt.iif)
            && iface(&rule.oif, &pkt.oif)
            && l4_matches(&rule.l4, rule.family, pkt.l4)
            && (rule.sports.is_empty()
                || pkt
                    .sport
                    .is_some_and(|s| rule.sports.iter().any(|r| r.contains(s))))
            && rule.icmp_code.is_none_or(|c| pkt.icmp_code == Some(c))
            && rule
                .window
                .as_ref()
                .is_none_or(|w| in_window(w, pkt.unix_time))
            && rule.expires.is_none_or(|d| pkt.unix_time < date_to_unix(d))
    }
}

fn l4_matches(want: &L4, family: Family, got: PacketL4) -> bool {
    match (want, got) {
        (L4::Any, _) => true,
        (L4::Tcp(ports), PacketL4::Tcp(p)) | (L4::Udp(ports), PacketL4::Udp(p)) => {
            ports.iter().any(|r| r.contains(p))
        }
        (L4::Icmp(t), PacketL4::Icmp(got)) => t.is_none_or(|t| t == got),
        (L4::Proto(n), PacketL4::Proto(m)) => *n == m,
        (L4::Proto(n), other) => *n == proto_number(other, family),
        _ => false,
    }
}

/// IP protocol number of a packet's transport.
pub fn proto_number(l4: PacketL4, family: Family) -> u8 {
    match (l4, family) {
        (PacketL4::Tcp(_), _) => 6,
        (PacketL4::Udp(_), _) => 17,
        (PacketL4::Icmp(_), Family::V4) => 1,
        (PacketL4::Icmp(_), Family::V6) => 58,
        (PacketL4::Proto(n), _) => n,
    }
}

/// Whether a UTC instant lies in a weekly window, judged on the wall clock
/// of the window's zone.
pub fn in_window(w: &Window, unix_time: i64) -> bool {
    crate::model::open_at(
        &w.days,
        w.start_sec,
        w.end_sec,
        w.zone.as_deref(),
        unix_time,
    )
}
