//! The flows a policy allows, as a set, and the difference of two sets.
//!
//! A flow is (initiator zone or asset, responder zone or asset, protocol,
//! ports, window, expiry): one per conduit direction, endpoint pair and
//! service line, of every conduit not expired at the as-of date. Conduit
//! and service names are not part of a flow, so renaming, reordering or
//! splitting a conduit without effect changes nothing. A flow is covered
//! by the other side when that side allows the same ports from the same
//! end or its whole zone, to the same end or its whole zone, at least as
//! long and at least as often (no window, or one that contains its window).

use crate::model::{
    ConduitId, Date, Direction, Endpoint, EndpointKind, Model, Proto, ServiceMatch, Weekday,
};
use std::collections::BTreeMap;

/// Inclusive ranges, sorted, merged, never empty inside a flow.
pub type Ranges = Vec<(u32, u32)>;

/// One end of a flow: a zone, or one asset of it, or a multicast group or
/// DNS name delivered into a zone (`special`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct End {
    pub zone: String,
    pub asset: Option<String>,
    /// `multicast 239.192.1.0/24` or `fqdn "x.example.com"`: addresses
    /// outside the zone's networks, so the whole zone never covers it.
    pub special: Option<String>,
}

impl End {
    pub fn name(&self) -> String {
        match (&self.special, &self.asset) {
            (Some(s), _) => format!("{s} in {}", self.zone),
            (None, Some(a)) => format!("{}.{a}", self.zone),
            (None, None) => self.zone.clone(),
        }
    }

    fn whole_zone(&self) -> End {
        if self.special.is_some() {
            return self.clone();
        }
        End {
            zone: self.zone.clone(),
            asset: None,
            special: None,
        }
    }
}

/// Who talks to whom with which protocol.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Base {
    pub from: End,
    pub to: End,
    /// `tcp`, `udp`, `icmp`, `proto 47`.
    pub proto: String,
}

/// When: the weekly window in a canonical form and the expiry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct When {
    /// `None`: at any time.
    pub window: Option<String>,
    /// Access ends at 00:00 UTC of this day.
    pub expires: Option<Date>,
    /// The window as (days, Monday = bit 0; start and end minute), the
    /// same information as `window`, for containment.
    pub span: Option<(u8, u16, u16)>,
    /// The window's time zone (`None`: UTC); windows in different zones
    /// never cover each other (they drift apart at DST changes).
    pub zone: Option<String>,
}

impl When {
    /// Whether access `self` includes access `other`.
    pub fn covers(&self, other: &When) -> bool {
        let window = match (self.span, other.span) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some((d1, s1, e1)), Some((d2, s2, e2))) => {
                self.zone == other.zone && d1 & d2 == d2 && s1 <= s2 && e1 >= e2
            }
        };
        let expiry = match (self.expires, other.expires) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a >= b,
        };
        window && expiry
    }
}

/// One service line of one conduit inside a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub conduit: String,
    pub service: String,
    pub ranges: Ranges,
}

/// Every flow of one policy.
#[derive(Debug, Clone, Default)]
pub struct FlowSet {
    pub flows: BTreeMap<(Base, When), Vec<Line>>,
}

/// An opened or closed flow, or the part of one that changed its window.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlowChange {
    pub base: Base,
    pub ranges: Ranges,
    pub when: When,
    /// Conduits providing it (comma-separated when several).
    pub conduit: String,
    pub service: String,
    /// For a change of window or expiry: the access before.
    pub before: Option<When>,
}

impl FlowChange {
    /// A change of window or expiry that grants access the old one did
    /// not (other hours or days, a later or no expiry).
    pub fn widens(&self) -> bool {
        self.before.as_ref().is_some_and(|b| !b.covers(&self.when))
    }
}

/// The difference between two flow sets.
#[derive(Debug, Clone, Default)]
pub struct FlowDiff {
    pub opened: Vec<FlowChange>,
    pub closed: Vec<FlowChange>,
    /// Same ends, protocol and ports with another window or expiry.
    pub changed: Vec<FlowChange>,
}

/// The flows `model` allows at `as_of`.
pub fn flows(model: &Model, as_of: Date) -> FlowSet {
    let mut set = FlowSet::default();
    for id in model.conduit_ids() {
        let conduit = model.conduit(id);
        if conduit.expired_at(as_of) {
            continue;
        }
        let when = When {
            window: conduit
                .schedule
                .as_ref()
                .and_then(|s| canonical_window(&s.value)),
            expires: conduit.expires.as_ref().map(|e| e.value),
            span: conduit
                .schedule
                .as_ref()
                .filter(|s| canonical_window(&s.value).is_some())
                .map(|s| {
                    let days = s.value.days.iter().fold(0u8, |m, d| m | (1 << d.index()));
                    (days, s.value.start_minute, s.value.end_minute)
                }),
            zone: conduit
                .schedule
                .as_ref()
                .filter(|s| canonical_window(&s.value).is_some())
                .and_then(|s| s.value.zone.clone()),
        };
        let mut pairs = Vec::new();
        for a in &conduit.initiators {
            for b in &conduit.responders {
                pairs.push((*a, *b));
                if conduit.direction == Direction::Both {
                    pairs.push((*b, *a));
                }
            }
        }
        for (a, b) in pairs {
            let label = conduit_label(model, id, &a, &b);
            for service_id in &conduit.services {
                let service = model.service(service_id.value);
                let name = if service.inline {
                    "(inline)".to_string()
                } else {
                    service.name.clone()
                };
                for m in &service.matches {
                    let (proto, ranges) = l4(m);
                    let base = Base {
                        from: end(model, &a),
                        to: end(model, &b),
                        proto,
                    };
                    set.flows
                        .entry((base, when.clone()))
                        .or_default()
                        .push(Line {
                            conduit: label.clone(),
                            service: name.clone(),
                            ranges,
                        });
                }
            }
        }
    }
    for lines in set.flows.values_mut() {
        lines.sort_by(|a, b| (&a.conduit, &a.service).cmp(&(&b.conduit, &b.service)));
    }
    set
}

/// The conduit's name, and the groups its flow line named for this pair
/// (`ops-to-line via group ops`), so that a reviewer sees where a flow of a
/// group comes from.
fn conduit_label(model: &Model, id: ConduitId, a: &Endpoint, b: &Endpoint) -> String {
    let mut groups: Vec<&str> = [a, b]
        .into_iter()
        .filter_map(|e| model.group_of(id, e).map(|g| g.name.as_str()))
        .collect();
    groups.dedup();
    let name = &model.conduit(id).name;
    match groups.as_slice() {
        [] => name.clone(),
        gs => format!("{name} via group {}", gs.join(", ")),
    }
}

fn end(model: &Model, ep: &Endpoint) -> End {
    let zone = model.zone(ep.zone);
    let special = match ep.kind {
        EndpointKind::Zone => None,
        EndpointKind::Multicast(net) => Some(format!(
            "multicast {}",
            crate::model::values::net_text(&net)
        )),
        EndpointKind::Fqdn(i) => Some(format!("fqdn \"{}\"", model.fqdn(i))),
    };
    End {
        zone: zone.name.clone(),
        asset: ep
            .asset
            .and_then(|i| zone.assets.get(i as usize))
            .map(|a| a.name.clone()),
        special,
    }
}

/// Protocol and the ranges it matches: ports for tcp/udp, the type for
/// icmp (any type: 0-255), a single 0 for other protocols.
fn l4(m: &ServiceMatch) -> (String, Ranges) {
    let ports = || {
        normalize(
            m.ports
                .iter()
                .map(|r| (u32::from(r.lo), u32::from(r.hi)))
                .collect(),
        )
    };
    let from = if m.sports.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = m.sports.iter().map(ToString::to_string).collect();
        format!(" from {}", list.join(","))
    };
    match m.proto {
        Proto::Tcp => (format!("tcp{from}"), ports()),
        Proto::Udp => (format!("udp{from}"), ports()),
        Proto::Icmp | Proto::Icmp6 => {
            let word = if m.proto == Proto::Icmp {
                "icmp"
            } else {
                "icmpv6"
            };
            // A type and code are one number (type * 256 + code), so that
            // `icmp 3 code 4` is a part of `icmp 3`, which is a part of `icmp`.
            let t = match (m.icmp_type, m.icmp_code) {
                (None, _) => (0, 0xffff),
                (Some(t), None) => (u32::from(t) << 8, (u32::from(t) << 8) | 0xff),
                (Some(t), Some(c)) => (
                    (u32::from(t) << 8) | u32::from(c),
                    (u32::from(t) << 8) | u32::from(c),
                ),
            };
            (word.to_string(), vec![t])
        }
        Proto::Other(n) => (format!("proto {n}"), vec![(0, 0)]),
    }
}

/// `mon-fri 06:00-18:00` (`… Europe/Berlin` with a time zone), days in a
/// canonical form; `None` for a window open all week, all day.
pub fn canonical_window(s: &crate::model::Schedule) -> Option<String> {
    if s.days.len() == 7 && s.start_minute == 0 && s.end_minute >= 1440 {
        return None;
    }
    let mut runs: Vec<String> = Vec::new();
    let mut run: Vec<Weekday> = Vec::new();
    let flush = |run: &mut Vec<Weekday>, runs: &mut Vec<String>| {
        match (run.first(), run.last()) {
            (Some(a), Some(b)) if run.len() > 2 => {
                runs.push(format!("{}-{}", a.as_str(), b.as_str()))
            }
            _ => runs.extend(run.iter().map(|d| d.as_str().to_string())),
        }
        run.clear();
    };
    for d in Weekday::ALL {
        if s.days.contains(&d) {
            run.push(d);
        } else {
            flush(&mut run, &mut runs);
        }
    }
    flush(&mut run, &mut runs);
    let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let zone = s.zone.as_ref().map(|z| format!(" {z}")).unwrap_or_default();
    Some(format!(
        "{} {}-{}{zone}",
        runs.join(","),
        clock(s.start_minute),
        clock(s.end_minute)
    ))
}

pub fn normalize(mut r: Ranges) -> Ranges {
    r.sort_unstable();
    let mut out: Ranges = Vec::new();
    for (lo, hi) in r {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

pub fn minus(a: &Ranges, b: &Ranges) -> Ranges {
    let mut out = Vec::new();
    for &(lo, hi) in a {
        let mut cur = lo;
        let mut done = false;
        for &(blo, bhi) in b {
            if bhi < cur || blo > hi {
                continue;
            }
            if blo > cur {
                out.push((cur, blo - 1));
            }
            if bhi >= hi {
                done = true;
                break;
            }
            cur = bhi + 1;
        }
        if !done {
            out.push((cur, hi));
        }
    }
    out
}

pub fn intersect(a: &Ranges, b: &Ranges) -> Ranges {
    let mut out = Vec::new();
    for &(alo, ahi) in a {
        for &(blo, bhi) in b {
            let (lo, hi) = (alo.max(blo), ahi.min(bhi));
            if lo <= hi {
                out.push((lo, hi));
            }
        }
    }
    normalize(out)
}

/// `502`, `80,443`, `1024-65535`; `any` for icmp of any type, `type 8`.
pub fn ports_text(proto: &str, r: &Ranges) -> String {
    let items: Vec<String> = r
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    let ports = proto.starts_with("tcp") || proto.starts_with("udp");
    match proto {
        _ if ports => items.join(","),
        "icmp" | "icmpv6" if r.as_slice() == [(0, 0xffff)] => "any".to_string(),
        "icmp" | "icmpv6" => r
            .iter()
            .map(|&r| icmp_text(r))
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// A range of `type * 256 + code` values: `type 3`, `type 3 code 4`,
/// `type 3-5`.
fn icmp_text((lo, hi): (u32, u32)) -> String {
    let (t0, c0, t1, c1) = (lo >> 8, lo & 0xff, hi >> 8, hi & 0xff);
    match (t0 == t1, c0, c1) {
        (true, 0, 0xff) => format!("type {t0}"),
        (true, _, _) if c0 == c1 => format!("type {t0} code {c0}"),
        (true, _, _) => format!("type {t0} code {c0}-{c1}"),
        (false, 0, 0xff) => format!("type {t0}-{t1}"),
        _ => format!("type {t0} code {c0} - type {t1} code {c1}"),
    }
}

impl FlowSet {
    /// The ports of `base` the set allows with access covering `when`,
    /// from the same end or its zone to the same end or its zone.
    fn covered(&self, base: &Base, when: &When) -> Ranges {
        let froms = [base.from.clone(), base.from.whole_zone()];
        let tos = [base.to.clone(), base.to.whole_zone()];
        let mut out = Vec::new();
        for from in &froms {
            for to in &tos {
                let b = Base {
                    from: from.clone(),
                    to: to.clone(),
                    proto: base.proto.clone(),
                };
                let lo = (b.clone(), When::default());
                for ((fb, fw), lines) in self.flows.range(lo..) {
                    if *fb != b {
                        break;
                    }
                    if fw.covers(when) {
                        out.extend(lines.iter().flat_map(|l| l.ranges.iter().copied()));
                    }
                }
            }
        }
        normalize(out)
    }

    /// Flows with exactly these ends and protocol, any access.
    fn same_base<'a>(&'a self, base: &'a Base) -> impl Iterator<Item = (&'a When, Ranges)> + 'a {
        let lo = (base.clone(), When::default());
        self.flows
            .range(lo..)
            .take_while(move |((b, _), _)| b == base)
            .map(|((_, w), lines)| {
                let r = lines
                    .iter()
                    .flat_map(|l| l.ranges.iter().copied())
                    .collect();
                (w, normalize(r))
            })
    }
}

/// What `new` allows that `old` does not (and the reverse), one entry per
/// service line, each port reported once; parts that only moved to
/// another window or expiry are `changed`.
pub fn diff(old: &FlowSet, new: &FlowSet) -> FlowDiff {
    let mut out = FlowDiff::default();
    let (opened, changed_a) = one_way(new, old, false);
    let (closed, changed_b) = one_way(old, new, true);
    out.opened = opened;
    out.closed = closed;
    let mut changed = changed_a;
    changed.extend(changed_b);
    changed.sort();
    changed.dedup_by(|a, b| {
        a.base == b.base && a.ranges == b.ranges && a.when == b.when && a.before == b.before
    });
    out.changed = changed;
    out
}

/// Entries of `this` not covered by `other`; with `reversed`, `changed`
/// entries read other → this (the closing side).
fn one_way(this: &FlowSet, other: &FlowSet, reversed: bool) -> (Vec<FlowChange>, Vec<FlowChange>) {
    let mut gone = Vec::new();
    let mut changed = Vec::new();
    for ((base, when), lines) in &this.flows {
        let mut left = minus(
            &normalize(
                lines
                    .iter()
                    .flat_map(|l| l.ranges.iter().copied())
                    .collect(),
            ),
            &other.covered(base, when),
        );
        if left.is_empty() {
            continue;
        }
        for (other_when, ranges) in other.same_base(base) {
            if other_when == when {
                continue;
            }
            let moved = intersect(&left, &ranges);
            if moved.is_empty() {
                continue;
            }
            left = minus(&left, &moved);
            let (now, before) = if reversed {
                (other_when.clone(), when.clone())
            } else {
                (when.clone(), other_when.clone())
            };
            let source = if reversed { other } else { this };
            let (conduit, service) = source
                .flows
                .get(&(base.clone(), now.clone()))
                .map(|ls| attribution(ls, &moved))
                .unwrap_or_default();
            changed.push(FlowChange {
                base: base.clone(),
                ranges: moved,
                when: now,
                conduit,
                service,
                before: Some(before),
            });
        }
        for line in lines {
            let part = intersect(&line.ranges, &left);
            if part.is_empty() {
                continue;
            }
            left = minus(&left, &part);
            gone.push(FlowChange {
                base: base.clone(),
                ranges: part,
                when: when.clone(),
                conduit: line.conduit.clone(),
                service: line.service.clone(),
                before: None,
            });
        }
    }
    (gone, changed)
}

/// Conduits and services of the lines that hold any of `ranges`.
fn attribution(lines: &[Line], ranges: &Ranges) -> (String, String) {
    let mut conduits: Vec<&str> = Vec::new();
    let mut services: Vec<&str> = Vec::new();
    for l in lines
        .iter()
        .filter(|l| !intersect(&l.ranges, ranges).is_empty())
    {
        if !conduits.contains(&l.conduit.as_str()) {
            conduits.push(&l.conduit);
        }
        if !services.contains(&l.service.as_str()) {
            services.push(&l.service);
        }
    }
    (conduits.join(", "), services.join(", "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn windows_in_different_zones_never_cover_each_other() {
        let berlin = crate::model::values::schedule("mon-fri 06:00-18:00 Europe/Berlin").unwrap();
        let utc = crate::model::values::schedule("mon-fri 06:00-18:00").unwrap();
        assert_eq!(
            canonical_window(&berlin).as_deref(),
            Some("mon-fri 06:00-18:00 Europe/Berlin")
        );
        assert_eq!(
            canonical_window(&utc).as_deref(),
            Some("mon-fri 06:00-18:00")
        );
        let when = |zone: Option<&str>| When {
            window: Some(String::new()),
            expires: None,
            span: Some((0b1_1111, 360, 1080)),
            zone: zone.map(String::from),
        };
        assert!(when(Some("Europe/Berlin")).covers(&when(Some("Europe/Berlin"))));
        assert!(!when(None).covers(&when(Some("Europe/Berlin"))));
        assert!(!when(Some("Europe/Berlin")).covers(&when(None)));
    }

    #[test]
    fn range_arithmetic() {
        let a = vec![(1, 10), (20, 30)];
        assert_eq!(
            minus(&a, &vec![(5, 6), (25, 40)]),
            vec![(1, 4), (7, 10), (20, 24)]
        );
        assert_eq!(minus(&a, &vec![(0, 100)]), Vec::<(u32, u32)>::new());
        assert_eq!(intersect(&a, &vec![(8, 22)]), vec![(8, 10), (20, 22)]);
        assert_eq!(normalize(vec![(11, 19), (1, 10), (20, 30)]), vec![(1, 30)]);
    }
}
