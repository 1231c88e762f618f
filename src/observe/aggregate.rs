//! Judging connections and counting them per distinct flow.
//!
//! Each connection is judged at its own instant by the plan: the deciding
//! rule ([`Plan::deciding_rule`]) names the conduit that allows it, and
//! otherwise [`Plan::verdict`] says whether enforcement drops it (or a
//! monitored conduit passes it as "would drop") and
//! [`explain`](crate::compile::explain) says why. Connections inside one
//! zone never cross a conduit and are only counted.
//!
//! Memory: one entry per distinct (source, destination, transport,
//! outcome), one per distinct address, one per distinct list of reasons.

use crate::compile::eval::{Packet, PacketL4, Verdict};
use crate::compile::explain::{self, DenyReason};
use crate::compile::plan::{Plan, RuleKind};
use crate::model::{Model, ZoneId};
use crate::observe::Conn;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Transport as an ordered key: kind (tcp, udp, icmp, other) and port,
/// ICMP type or protocol number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct L4Key(u8, u16);

impl L4Key {
    pub fn of(l4: PacketL4) -> L4Key {
        match l4 {
            PacketL4::Tcp(p) => L4Key(0, p),
            PacketL4::Udp(p) => L4Key(1, p),
            PacketL4::Icmp(t) => L4Key(2, u16::from(t)),
            PacketL4::Proto(n) => L4Key(3, u16::from(n)),
        }
    }

    pub fn l4(self) -> PacketL4 {
        let small = u8::try_from(self.1).unwrap_or(u8::MAX);
        match self.0 {
            0 => PacketL4::Tcp(self.1),
            1 => PacketL4::Udp(self.1),
            2 => PacketL4::Icmp(small),
            _ => PacketL4::Proto(small),
        }
    }
}

/// What the policy does with a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Allowed by the plan rule of this index.
    Allowed(usize),
    /// Not allowed: dropped (`would_drop == false`) or passed by monitor
    /// mode; the reasons by their index in [`Observer::reasons`]; the
    /// monitor scope rule that passed it, if any.
    Deviation {
        would_drop: bool,
        reasons: usize,
        scope_rule: Option<usize>,
    },
}

/// A distinct flow and its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub l4: L4Key,
    pub outcome: Outcome,
}

/// How often and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    pub first: i64,
    pub last: i64,
}

impl Seen {
    fn new(ts: i64) -> Seen {
        Seen {
            count: 1,
            first: ts,
            last: ts,
        }
    }

    fn add(&mut self, ts: i64) {
        self.count += 1;
        self.first = self.first.min(ts);
        self.last = self.last.max(ts);
    }
}

/// Where an address lies in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub zone: Option<ZoneId>,
    /// Index of the declared asset with this address in its zone.
    pub asset: Option<u32>,
}

/// Counters of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub connections: u64,
    pub intra_zone: u64,
    pub allowed: u64,
    pub deviations: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// The judge and its tallies.
pub struct Observer<'a> {
    pub model: &'a Model,
    pub plan: &'a Plan,
    pub flows: BTreeMap<FlowKey, Seen>,
    pub places: BTreeMap<IpAddr, (Place, Seen)>,
    /// Distinct lists of reasons, indexed by [`Outcome::Deviation`].
    pub reasons: Vec<Vec<DenyReason>>,
    reason_index: BTreeMap<Vec<String>, usize>,
    /// Reasons of a denied flow that do not depend on the instant.
    steady: BTreeMap<(IpAddr, IpAddr, L4Key, Option<u16>), usize>,
    /// Some rule restricts source ports or ICMP codes: the source port
    /// (or code) of a connection is then part of the cache key.
    port_rules: bool,
    pub counts: Counts,
}

impl<'a> Observer<'a> {
    /// `plan` must be built from `model` with an `as_of` no later than the
    /// first instant of the logs, so that expiry is judged per instant.
    pub fn new(model: &'a Model, plan: &'a Plan) -> Observer<'a> {
        Observer {
            model,
            plan,
            flows: BTreeMap::new(),
            places: BTreeMap::new(),
            reasons: Vec::new(),
            reason_index: BTreeMap::new(),
            steady: BTreeMap::new(),
            port_rules: plan
                .rules
                .iter()
                .any(|r| !r.sports.is_empty() || r.icmp_code.is_some()),
            counts: Counts::default(),
        }
    }

    /// Where `addr` lies (zone, asset), remembered per address.
    pub fn place(&mut self, addr: IpAddr, ts: i64) -> Place {
        if let Some((p, seen)) = self.places.get_mut(&addr) {
            seen.add(ts);
            return *p;
        }
        let zone = self.model.zone_of_addr(addr);
        let asset = zone.and_then(|z| {
            let assets = &self.model.zone(z).assets;
            assets
                .iter()
                .position(|a| a.address.value == addr)
                .and_then(|i| u32::try_from(i).ok())
        });
        let p = Place { zone, asset };
        self.places.insert(addr, (p, Seen::new(ts)));
        p
    }

    /// Judges and counts one connection.
    pub fn observe(&mut self, c: &Conn) {
        self.counts.connections += 1;
        self.counts.first = Some(self.counts.first.map_or(c.ts, |f| f.min(c.ts)));
        self.counts.last = Some(self.counts.last.map_or(c.ts, |l| l.max(c.ts)));
        let (sp, dp) = (self.place(c.src, c.ts), self.place(c.dst, c.ts));
        if sp.zone.is_some() && sp.zone == dp.zone {
            self.counts.intra_zone += 1;
            return;
        }
        let outcome = self.judge(c);
        match outcome {
            Outcome::Allowed(_) => self.counts.allowed += 1,
            Outcome::Deviation { .. } => self.counts.deviations += 1,
        }
        let key = FlowKey {
            src: c.src,
            dst: c.dst,
            l4: L4Key::of(c.l4),
            outcome,
        };
        self.flows
            .entry(key)
            .and_modify(|s| s.add(c.ts))
            .or_insert_with(|| Seen::new(c.ts));
    }

    fn judge(&mut self, c: &Conn) -> Outcome {
        let pkt = Packet {
            src: c.src,
            dst: c.dst,
            l4: c.l4,
            sport: c
                .sport
                .filter(|_| matches!(c.l4, PacketL4::Tcp(_) | PacketL4::Udp(_))),
            icmp_code: c
                .sport
                .filter(|_| matches!(c.l4, PacketL4::Icmp(_)))
                .and_then(|c| u8::try_from(c).ok()),
            iif: None,
            oif: None,
            unix_time: c.ts,
        };
        let rule = self.plan.deciding_rule(&pkt);
        let kind = rule.and_then(|i| self.plan.rules.get(i)).map(|r| r.kind);
        if let (Some(i), Some(RuleKind::Allow)) = (rule, kind) {
            return Outcome::Allowed(i);
        }
        let would_drop = self.plan.verdict(&pkt) == Verdict::WouldDrop;
        // The reasons of a denial depend on the source port only where a
        // rule restricts it: keep the cache one entry per flow otherwise.
        let sport = c.sport.filter(|_| self.port_rules);
        let flow = (c.src, c.dst, L4Key::of(c.l4), sport);
        let reasons = match self.steady.get(&flow) {
            Some(&r) => r,
            None => {
                let e = explain::explain(self.model, self.plan, &pkt);
                let steady = e.reasons.iter().all(is_steady);
                let r = self.intern(e.reasons);
                if steady {
                    self.steady.insert(flow, r);
                }
                r
            }
        };
        Outcome::Deviation {
            would_drop,
            reasons,
            scope_rule: rule,
        }
    }

    fn intern(&mut self, reasons: Vec<DenyReason>) -> usize {
        let key: Vec<String> = reasons.iter().map(ToString::to_string).collect();
        if let Some(&i) = self.reason_index.get(&key) {
            return i;
        }
        let i = self.reasons.len();
        self.reasons.push(reasons);
        self.reason_index.insert(key, i);
        i
    }
}

/// A reason that holds at every instant (not one of schedule or expiry).
fn is_steady(r: &DenyReason) -> bool {
    !matches!(
        r,
        DenyReason::Expired { .. }
            | DenyReason::OutsideWindow { .. }
            | DenyReason::NotCompiled { .. }
    )
}
