//! What `check` learns from the rule plan, so that `check` is the one gate
//! of a change and `compile` knows nothing more: expired conduits (W0001),
//! conduits that compile to no rule (W0003), conduits expiring soon
//! (W0005), an always-on conduit allowing traffic a scheduled or expiring
//! one allows, which defeats that schedule or expiry in the firewall
//! (W0006), and a conduit wholly inside another (W0007).
//!
//! Overlap uses the plan's notion of matching (the one [`super::eval`]
//! applies to packets): two rules share traffic when their families agree,
//! their source and destination sets intersect and their layer-4 matches
//! share a packet. Rules are grouped by destination set and only groups
//! whose address ranges meet are compared (a sorted sweep over the
//! ranges), so a large plant costs about its number of rules, not its
//! square.

use super::addr::{Family, RangeSet};
use super::plan::{self, AddrMatch, Plan, PlanOptions, Rule, RuleKind, L4};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode, Model, PortRange};
use std::collections::{BTreeMap, BTreeSet};

/// Days before an expiry from which `check` warns (W0005), unless the
/// project configuration says otherwise.
pub const EXPIRY_WARNING_DAYS: u32 = 14;

/// The plan-derived diagnostics of a policy as of a date.
pub fn lifecycle(model: &Model, as_of: Date, warning_days: u32) -> Vec<Diagnostic> {
    let opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of,
        interfaces: None,
        target: None,
    };
    let (plan, mut diags) = plan::build(model, &opts);
    diags.extend(expiring_soon(model, as_of, warning_days));
    diags.extend(overlaps(model, &plan));
    diags
}

fn expiring_soon(model: &Model, as_of: Date, warning_days: u32) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in &model.conduits {
        let Some(e) = &c.expires else { continue };
        let days = e.value.days_since_epoch() - as_of.days_since_epoch();
        if days <= 0 || days > i64::from(warning_days) {
            continue;
        }
        let when = if days == 1 {
            "tomorrow".to_string()
        } else {
            format!("in {days} days")
        };
        out.push(
            Diagnostic::warning(
                "W0005",
                format!("conduit `{}` expires {when}, on {}", c.name, e.value),
            )
            .at(e.span, format!("access ends at the start of {}", e.value))
            .with_help(format!(
                "renew `expires` if the access is still needed, or plan its removal (warned {warning_days} days ahead; `expiry-warning-days` in conduit.yaml)"
            )),
        );
    }
    out
}

/// The packets a layer-4 match stands for, with the aliases of the
/// evaluator resolved (`proto 6` is all of TCP, `proto 1` all of ICMP on
/// IPv4, `proto 58` on IPv6). TCP and UDP hold destination and source
/// ports (every source port when a rule names none), ICMP a type and a
/// code (`None`: every), so that a rule restricted to a source port or a
/// code never holds one without that restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Space {
    All,
    Tcp(Vec<PortRange>, Vec<PortRange>),
    Udp(Vec<PortRange>, Vec<PortRange>),
    Icmp(Option<u8>, Option<u8>),
    Proto(u8),
}

#[cfg(test)]
fn space(l4: &L4, family: Family) -> Space {
    rule_space(l4, family, &[], None)
}

fn rule_space(l4: &L4, family: Family, sports: &[PortRange], code: Option<u8>) -> Space {
    let every = || vec![PortRange { lo: 0, hi: 65_535 }];
    let from = || {
        if sports.is_empty() {
            every()
        } else {
            crate::model::normalise_ports(sports)
        }
    };
    match (l4, family) {
        (L4::Any, _) => Space::All,
        (L4::Tcp(p), _) => Space::Tcp(crate::model::normalise_ports(p), from()),
        (L4::Udp(p), _) => Space::Udp(crate::model::normalise_ports(p), from()),
        (L4::Icmp(t), _) => Space::Icmp(*t, t.and(code)),
        (L4::Proto(6), _) => Space::Tcp(every(), every()),
        (L4::Proto(17), _) => Space::Udp(every(), every()),
        (L4::Proto(1), Family::V4) | (L4::Proto(58), Family::V6) => Space::Icmp(None, None),
        (L4::Proto(n), _) => Space::Proto(*n),
    }
}

/// Two optional values (`None`: every) share one.
fn same_or_any(a: Option<u8>, b: Option<u8>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// Every value of `b` is one of `a`.
fn any_holds(a: Option<u8>, b: Option<u8>) -> bool {
    a.is_none() || a == b
}

fn ports_meet(a: &[PortRange], b: &[PortRange]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| x.lo <= y.hi && y.lo <= x.hi))
}

/// `b` inside `a` (both normalised: merged ranges).
fn ports_within(b: &[PortRange], a: &[PortRange]) -> bool {
    b.iter()
        .all(|y| a.iter().any(|x| x.lo <= y.lo && y.hi <= x.hi))
}

impl Space {
    fn meets(&self, other: &Space) -> bool {
        match (self, other) {
            (Space::All, _) | (_, Space::All) => true,
            (Space::Tcp(a, x), Space::Tcp(b, y)) | (Space::Udp(a, x), Space::Udp(b, y)) => {
                ports_meet(a, b) && ports_meet(x, y)
            }
            (Space::Icmp(a, x), Space::Icmp(b, y)) => same_or_any(*a, *b) && same_or_any(*x, *y),
            (Space::Proto(a), Space::Proto(b)) => a == b,
            _ => false,
        }
    }

    /// Every packet of `other` is one of `self`.
    fn holds(&self, other: &Space) -> bool {
        match (self, other) {
            (Space::All, _) => true,
            (_, Space::All) => false,
            (Space::Tcp(a, x), Space::Tcp(b, y)) | (Space::Udp(a, x), Space::Udp(b, y)) => {
                ports_within(b, a) && ports_within(y, x)
            }
            (Space::Icmp(a, x), Space::Icmp(b, y)) => any_holds(*a, *b) && any_holds(*x, *y),
            (Space::Proto(a), Space::Proto(b)) => a == b,
            _ => false,
        }
    }
}

/// Whether a rule is limited in time (a schedule window or an expiry).
fn timed(r: &Rule) -> bool {
    r.window.is_some() || r.expires.is_some()
}

/// Every instant `b` allows, `a` allows.
fn time_within(b: &Rule, a: &Rule) -> bool {
    let window = match (&a.window, &b.window) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(x), Some(y)) => {
            // Windows in different time zones drift apart at DST changes.
            x.days == y.days
                && x.start_sec == y.start_sec
                && x.end_sec == y.end_sec
                && x.zone == y.zone
        }
    };
    let expiry = match (a.expires, b.expires) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(x), Some(y)) => y <= x,
    };
    window && expiry
}

struct Indexed<'p> {
    /// Position in the plan's rules.
    idx: usize,
    rule: &'p Rule,
    src: &'p RangeSet,
    dst: &'p RangeSet,
    space: Space,
}

/// W0006 and W0007 over the allow rules of a plan.
fn overlaps(model: &Model, plan: &Plan) -> Vec<Diagnostic> {
    // Distinct destination matches (per family) and the rules on each.
    type Key<'a> = (Family, &'a str, &'a [(u128, u128)]);
    let mut group_of: BTreeMap<Key<'_>, usize> = BTreeMap::new();
    let mut groups: Vec<(Family, &RangeSet, Vec<Indexed<'_>>)> = Vec::new();
    for (idx, rule) in plan.rules.iter().enumerate() {
        if rule.kind != RuleKind::Allow {
            continue;
        }
        let (Some(src), Some(dst)) = (plan.ranges(&rule.src), plan.ranges(&rule.dst)) else {
            continue;
        };
        let key = match &rule.dst {
            AddrMatch::Set(name) => (rule.family, name.as_str(), &[][..]),
            AddrMatch::Inline(r) => (rule.family, "", r.ranges()),
            // No ranges (skipped above): the firewall resolves the name.
            AddrMatch::Fqdn(n) => (rule.family, n.as_str(), &[][..]),
        };
        let id = *group_of.entry(key).or_insert_with(|| {
            groups.push((rule.family, dst, Vec::new()));
            groups.len() - 1
        });
        if let Some(g) = groups.get_mut(id) {
            g.2.push(Indexed {
                idx,
                rule,
                src,
                dst,
                space: rule_space(&rule.l4, rule.family, &rule.sports, rule.icmp_code),
            });
        }
    }
    // Sweep over every range of every group: groups whose ranges meet.
    let mut events: Vec<(Family, u128, u128, usize)> = Vec::new();
    for (id, (family, dst, _)) in groups.iter().enumerate() {
        events.extend(dst.ranges().iter().map(|&(lo, hi)| (*family, lo, hi, id)));
    }
    events.sort_unstable();
    let mut pairs: BTreeSet<(usize, usize)> = (0..groups.len()).map(|g| (g, g)).collect();
    let mut active: Vec<(Family, u128, usize)> = Vec::new();
    for &(family, lo, hi, id) in &events {
        active.retain(|&(f, end, _)| f == family && end >= lo);
        for &(_, _, other) in &active {
            if other != id {
                pairs.insert((other.min(id), other.max(id)));
            }
        }
        active.push((family, hi, id));
    }

    let conduit_rules = allow_rules_per_conduit(plan);
    let mut defeats: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    // (inner, outer) → the inner conduit's rules the outer one covers.
    let mut covered: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    for (g1, g2) in pairs {
        let (Some(a_group), Some(b_group)) = (groups.get(g1), groups.get(g2)) else {
            continue;
        };
        for (i, a) in a_group.2.iter().enumerate() {
            let start = if g1 == g2 { i + 1 } else { 0 };
            for b in b_group.2.iter().skip(start) {
                if a.rule.conduit == b.rule.conduit
                    || !a.src.intersects(b.src)
                    || !a.dst.intersects(b.dst)
                    || !a.space.meets(&b.space)
                {
                    continue;
                }
                for (x, y) in [(a, b), (b, a)] {
                    if !timed(x.rule) && timed(y.rule) {
                        let what = y.rule.service.as_deref().unwrap_or("traffic");
                        defeats
                            .entry((x.rule.conduit.as_str(), y.rule.conduit.as_str()))
                            .or_default()
                            .insert(what);
                    }
                    if y.src.is_subset_of(x.src)
                        && y.dst.is_subset_of(x.dst)
                        && x.space.holds(&y.space)
                        && time_within(y.rule, x.rule)
                    {
                        covered
                            .entry((y.rule.conduit.as_str(), x.rule.conduit.as_str()))
                            .or_default()
                            .insert(y.idx);
                    }
                }
            }
        }
    }

    let mut out = Vec::new();
    for ((always, limited), services) in defeats {
        out.push(defeat_warning(model, always, limited, &services));
    }
    for ((inner, outer), rules) in covered {
        let monitored = model
            .conduit_by_name(inner)
            .is_some_and(|id| model.conduit(id).mode == Mode::Monitor);
        if !monitored && conduit_rules.get(inner) == Some(&rules.len()) {
            out.push(redundant_warning(model, inner, outer));
        }
    }
    out
}

fn allow_rules_per_conduit(plan: &Plan) -> BTreeMap<&str, usize> {
    let mut n: BTreeMap<&str, usize> = BTreeMap::new();
    for r in plan.rules.iter().filter(|r| r.kind == RuleKind::Allow) {
        *n.entry(r.conduit.as_str()).or_default() += 1;
    }
    n
}

fn flow_span(model: &Model, name: &str) -> Option<crate::source::Span> {
    model
        .conduit_by_name(name)
        .map(|id| model.conduit(id).flow_span)
}

fn defeat_warning(
    model: &Model,
    always: &str,
    limited: &str,
    services: &BTreeSet<&str>,
) -> Diagnostic {
    let limit = model
        .conduit_by_name(limited)
        .map(|id| model.conduit(id))
        .map(|c| {
            let mut parts = Vec::new();
            if let Some(s) = &c.schedule {
                parts.push(format!("schedule `{}`", s.value.text));
            }
            if let Some(e) = &c.expires {
                parts.push(format!("expiry {}", e.value));
            }
            parts.join(" and ")
        })
        .unwrap_or_default();
    let services: Vec<&str> = services.iter().copied().collect();
    let mut d = Diagnostic::warning(
        "W0006",
        format!(
            "conduit `{always}` allows at all times traffic of conduit `{limited}` ({}): its {limit} does not hold in the firewall",
            services.join("; ")
        ),
    );
    if let Some(span) = flow_span(model, limited) {
        d = d.at(span, format!("limited by its {limit}"));
    }
    if let Some(span) = flow_span(model, always) {
        d = d.with_label(
            span,
            format!("`{always}` allows the same traffic at all times"),
        );
    }
    d.with_help(format!(
        "narrow `{always}` (endpoints or services) so that it leaves out the traffic of `{limited}`, or give it the same limit"
    ))
}

fn redundant_warning(model: &Model, inner: &str, outer: &str) -> Diagnostic {
    let mut d = Diagnostic::warning(
        "W0007",
        format!("conduit `{inner}` is redundant: conduit `{outer}` allows all of its traffic"),
    );
    if let Some(span) = flow_span(model, inner) {
        d = d.at(span, "every flow of this conduit");
    }
    if let Some(span) = flow_span(model, outer) {
        d = d.with_label(span, format!("is allowed by `{outer}`"));
    }
    d.with_help(format!(
        "remove `{inner}`, or narrow `{outer}` if `{inner}` is the intended access"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn codes(text: &str, as_of: &str) -> Vec<(String, String)> {
        let loaded = crate::load_str("t.zc", text);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let mut v: Vec<(String, String)> = lifecycle(
            &loaded.model,
            Date::parse(as_of).unwrap(),
            EXPIRY_WARNING_DAYS,
        )
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect();
        v.sort();
        v
    }

    const ZONES: &str =
        "zone a {\n purdue 3\n network 10.1.0.0/24\n asset h1 10.1.0.5 { role hmi }\n}\n\
        zone b {\n purdue 2\n network 10.2.0.0/24\n asset p1 10.2.0.7 { role plc }\n}\n\
        zone c {\n purdue 2\n network 2001:db8::/48\n}\n";

    #[test]
    fn expired_empty_and_soon_expiring_conduits_are_reported() {
        let text = format!(
            "{ZONES}conduit old {{\n a -> b\n allow tcp 22\n expires 2026-01-01\n}}\n\
             conduit nofamily {{\n a -> c\n allow tcp 22\n}}\n\
             conduit soon {{\n a -> b\n allow tcp 23\n expires 2026-12-05\n}}\n\
             conduit later {{\n a -> b\n allow tcp 24\n expires 2027-12-05\n}}\n"
        );
        let got = codes(&text, "2026-11-28");
        let got: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(got, ["W0001", "W0003", "W0005"]);
    }

    #[test]
    fn an_always_on_conduit_defeats_a_schedule_and_an_inner_one_is_redundant() {
        let text = format!(
            "{ZONES}conduit wide {{\n a -> b\n allow tcp 1-1000\n}}\n\
             conduit night {{\n a.h1 -> b.p1\n allow tcp 22\n schedule \"mon-fri 22:00-23:00\"\n}}\n\
             conduit inner {{\n a.h1 -> b\n allow tcp 80, 443\n}}\n\
             conduit other {{\n b -> a\n allow udp 53\n}}\n"
        );
        let got = codes(&text, "2026-11-28");
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, "W0006");
        assert!(got[0].1.contains("`wide`") && got[0].1.contains("`night`"));
        assert_eq!(got[1].0, "W0007");
        assert!(got[1].1.contains("`inner` is redundant: conduit `wide`"));
        assert_eq!(got[2].0, "W0007");
        assert!(got[2].1.contains("`night` is redundant: conduit `wide`"));
    }

    #[test]
    fn disjoint_ports_families_and_partial_cover_are_quiet() {
        let text = format!(
            "{ZONES}conduit wide {{\n a -> b\n allow tcp 1-1000\n}}\n\
             conduit high {{\n a.h1 -> b.p1\n allow tcp 2000\n expires 2027-01-01\n}}\n\
             conduit part {{\n a.h1 -> b\n allow tcp 900-1100\n}}\n\
             conduit udp {{\n a -> b\n allow udp 53\n schedule \"mon-fri 06:00-18:00\"\n}}\n"
        );
        assert!(codes(&text, "2026-11-28").is_empty());
    }

    #[test]
    fn the_same_window_in_another_time_zone_is_not_redundant() {
        let text = format!(
            "{ZONES}conduit utc {{\n a -> b\n allow tcp 22\n schedule \"mon-fri 06:00-18:00\"\n}}\n\
             conduit berlin {{\n a.h1 -> b\n allow tcp 22\n schedule \"mon-fri 06:00-18:00 Europe/Berlin\"\n}}\n\
             conduit same {{\n a.h1 -> b.p1\n allow tcp 22\n schedule \"mon-fri 06:00-18:00 Europe/Berlin\"\n}}\n"
        );
        let got = codes(&text, "2026-11-28");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].1.contains("`same` is redundant: conduit `berlin`"),
            "{got:?}"
        );
    }

    #[test]
    fn proto_aliases_follow_the_evaluator() {
        let s = |l4: L4| space(&l4, Family::V4);
        assert!(s(L4::Proto(6)).holds(&s(L4::Tcp(vec![PortRange::single(22)]))));
        assert!(s(L4::Proto(1)).holds(&s(L4::Icmp(Some(8)))));
        assert!(!s(L4::Icmp(Some(8))).holds(&s(L4::Icmp(None))));
        assert!(s(L4::Icmp(None)).meets(&s(L4::Icmp(Some(8)))));
        assert!(!s(L4::Proto(47)).meets(&s(L4::Tcp(vec![PortRange::single(22)]))));
        assert!(!space(&L4::Proto(1), Family::V6).meets(&space(&L4::Icmp(None), Family::V6)));
        // A source-port or code restriction is a part, never the whole.
        let udp = L4::Udp(vec![PortRange::single(47808)]);
        let from = rule_space(&udp, Family::V4, &[PortRange::single(47808)], None);
        assert!(s(udp.clone()).holds(&from));
        assert!(!from.holds(&s(udp.clone())));
        assert!(from.meets(&s(udp.clone())));
        let other = rule_space(&udp, Family::V4, &[PortRange::single(1)], None);
        assert!(!from.meets(&other));
        let code = rule_space(&L4::Icmp(Some(3)), Family::V4, &[], Some(4));
        assert!(s(L4::Icmp(Some(3))).holds(&code));
        assert!(!code.holds(&s(L4::Icmp(Some(3)))));
    }
}
