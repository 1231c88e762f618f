//! Cisco ASA backend (9.x CLI): objects, object-groups, time-ranges and
//! one extended access list per interface of the target profile (or one
//! global access list without a profile), loaded by pasting the file in
//! configuration mode or with `copy FILE running-config`.
//!
//! Every name is content-derived ([`Names`]): the name of an object,
//! group, time-range or access list is a readable stem plus a hash of
//! what it holds, so a name that already exists on the device already
//! holds the same content, re-applying the file changes nothing, and an
//! unrelated policy change renames nothing. A new policy gives the access
//! list a new name: the file builds it in full, then one `access-group`
//! line per interface switches to it (the ASA swaps the binding at once,
//! so an interface is never without its list nor with half of it); the
//! previous list is removed afterwards with `clear configure access-list`
//! (see docs/backends/cisco-asa.md).
//!
//! The ASA is stateful: replies of a permitted connection pass on its
//! connection table, so one ACE per conduit direction and service group
//! suffices. ACEs keep the plan's order, so the first matching ACE gives
//! the plan's verdict; the last ACE is `deny ip any any log` (enforce) or
//! `permit ip any any log` (monitor). Schedules and expiry are a
//! `time-range` on the ACE: one `periodic` line per window day and an
//! `absolute end` (the ASA ANDs them), evaluated on the device clock,
//! which must run in UTC.

use super::addr::{Element, Family, RangeSet};
use super::plan::{AddrMatch, Plan, Rule, RuleKind, Window, L4, PREFIX_DENY, PREFIX_MONITOR};
use super::{vendor, Backend, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode, PortRange, Weekday};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Longest object, group, time-range and access-list name.
pub const NAME_MAX: usize = 64;
/// Longest `remark` text.
pub const REMARK_MAX: usize = 100;
/// Prefix of every name this backend defines: what it owns.
pub const OWNED_PREFIX: &str = "conduit_";
/// The last day an ASA `absolute end` can name (23:59 31 December 2035).
const LAST_END: Date = Date {
    year: 2036,
    month: 1,
    day: 1,
};

pub struct CiscoAsa;

impl Backend for CiscoAsa {
    /// The device keeps its own clock: a target profile's `clock`.
    fn device_clock(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "cisco-asa"
    }

    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic> {
        let mut out = super::plan::fqdn_refusals(plan, "cisco-asa", |name, _| {
            name.starts_with("*.").then(|| {
                "cannot match a wildcard: an ASA `fqdn` object names one host (letters, digits and `-` only)".to_string()
            })
        });
        out.extend(vendor::clock_mismatches(plan, "Cisco ASA", false));
        let mut seen = Vec::new();
        for rule in &plan.rules {
            // The end as the device clock shows it must fall in 2035 or
            // earlier (a clock east of UTC moves 00:00 UTC of 2036-01-01 past it).
            let clock = plan.clock.as_deref();
            let Some(d) = rule.expires.filter(|d| {
                let (last, _) = vendor::date_time(d.days_since_epoch() * 86_400 - 60, clock);
                *d > LAST_END || last.year > 2035
            }) else {
                continue;
            };
            if seen.contains(&rule.conduit) {
                continue;
            }
            seen.push(rule.conduit.clone());
            out.push(
                Diagnostic::error(
                    "E0507",
                    format!(
                        "cisco-asa cannot express the expiry {d} of conduit `{}`: \
                         an ASA time-range ends by 23:59 31 December 2035",
                        rule.conduit
                    ),
                )
                .with_help(
                    "choose an expiry on or before 2036-01-01 (2035-12-31 on a device clock east of UTC), or another backend",
                ),
            );
        }
        out
    }

    fn valid_interface(&self, name: &str) -> bool {
        valid_nameif(name)
    }

    fn interface_kind(&self) -> &'static str {
        "an ASA interface name (`nameif`)"
    }

    fn interface_hint(&self) -> &'static str {
        "the interface's `nameif`: 1 to 48 characters of letters, digits, `.`, `-` or `_`"
    }

    fn emit(&self, plan: &Plan) -> Vec<OutputFile> {
        vec![OutputFile {
            role: "asa configure",
            suffix: "",
            text: render(plan),
        }]
    }
}

/// An ASA `nameif`: 1 to 48 characters of letters, digits, `.`, `-`
/// and `_` (what `access-group ... in interface NAME` takes unquoted).
pub fn valid_nameif(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 48
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// FNV-1a, 64 bits: a stable hash of a name's content.
pub fn fnv64(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Keeps `[A-Za-z0-9_.-]`, maps the rest to `_`.
fn name_chars(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Content-derived names in one namespace (the ASA's objects and
/// object-groups share one; time-ranges and access lists get their own
/// stems, so they never meet either).
#[derive(Default)]
struct Names {
    /// name → content it stands for.
    used: BTreeMap<String, String>,
}

impl Names {
    /// `stem_HASH`, at most [`NAME_MAX`] characters, the same for the same
    /// stem and content; a different content under the same stem and hash
    /// gets a longer hash.
    fn name(&mut self, stem: &str, content: &str) -> String {
        let stem = name_chars(stem);
        for salt in 0u32.. {
            let key = if salt == 0 {
                content.to_string()
            } else {
                format!("{content}\n#{salt}")
            };
            let hash = format!("{:016x}", fnv64(&format!("{stem}\n{key}")));
            let hex = if salt == 0 {
                hash.get(..10).unwrap_or(&hash)
            } else {
                &hash
            };
            let room = NAME_MAX - 1 - hex.len();
            let cut: String = stem.chars().take(room).collect();
            let name = format!("{cut}_{hex}");
            match self.used.get(&name) {
                Some(c) if *c != content => continue,
                Some(_) => return name,
                None => {
                    self.used.insert(name.clone(), content.to_string());
                    return name;
                }
            }
        }
        String::new()
    }
}

/// Makes policy text safe for a `remark` or a `!` comment: printable
/// ASCII only (no `?`, which the CLI takes for a help request), spaces
/// collapsed, cut to `max` bytes.
pub fn ascii_text(raw: &str, max: usize) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        let c = match c {
            '?' => '.',
            c if c.is_ascii_graphic() => c,
            c if c.is_ascii_whitespace() || c.is_control() => ' ',
            _ => '_',
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end();
    if out.len() <= max {
        return out.to_string();
    }
    let cut = out.get(..max.saturating_sub(3)).unwrap_or("").trim_end();
    format!("{cut}...")
}

/// Definitions (objects, groups, time-ranges) as they are first needed.
#[derive(Default)]
struct Defs {
    names: Names,
    text: String,
    /// (family, ranges) → `object-group NAME`, `any4` or `any6`.
    addrs: BTreeMap<(Family, Vec<(u128, u128)>), String>,
    services: BTreeMap<String, String>,
    times: BTreeMap<String, String>,
    /// `range A B` or `fqdn v4 NAME` → object name.
    ranges: BTreeMap<String, String>,
    /// The device clock's zone (`None`: UTC).
    clock: Option<String>,
}

impl Defs {
    /// `object-group NAME`, or `any4` / `any6` for a whole family.
    fn addr(&mut self, plan: &Plan, m: &AddrMatch, family: Family) -> String {
        let (stem, ranges) = match m {
            AddrMatch::Fqdn(fqdn) => return self.fqdn(fqdn, family),
            AddrMatch::Set(name) => (
                format!("{OWNED_PREFIX}{name}"),
                plan.set(name).map(|s| s.ranges.clone()).unwrap_or_default(),
            ),
            AddrMatch::Inline(r) => (format!("{OWNED_PREFIX}l_{}", family.suffix()), r.clone()),
        };
        let key = (family, ranges.ranges().to_vec());
        if let Some(found) = self.addrs.get(&key) {
            return found.clone();
        }
        let everything = RangeSet::from_ranges(vec![(0, max_of(family))]);
        let text = if ranges == everything {
            match family {
                Family::V4 => "any4".to_string(),
                Family::V6 => "any6".to_string(),
            }
        } else {
            let members: Vec<String> = ranges
                .elements(family)
                .iter()
                .map(|e| self.member(*e, family))
                .collect();
            let body = members.join("\n");
            let name = self.names.name(&stem, &body);
            let _ = writeln!(self.text, "object-group network {name}");
            for m in &members {
                let _ = writeln!(self.text, " {m}");
            }
            format!("object-group {name}")
        };
        self.addrs.insert(key, text.clone());
        text
    }

    /// `object NAME` of an `object network` holding `fqdn v4|v6 NAME` (the
    /// name is checked by the language; wildcards are refused, E0530).
    fn fqdn(&mut self, fqdn: &str, family: Family) -> String {
        let version = match family {
            Family::V4 => "v4",
            Family::V6 => "v6",
        };
        let body = format!("fqdn {version} {fqdn}");
        let name = match self.ranges.get(&body) {
            Some(name) => name.clone(),
            None => {
                let stem = format!("{OWNED_PREFIX}d_{}", family.suffix());
                let name = self.names.name(&stem, &body);
                let _ = writeln!(self.text, "object network {name}\n {body}");
                self.ranges.insert(body, name.clone());
                name
            }
        };
        format!("object {name}")
    }

    /// One `network-object` line; a range becomes an `object network`.
    fn member(&mut self, e: Element, family: Family) -> String {
        match (e, family) {
            (Element::Prefix(a, len), f) if u32::from(len) == f.bits() => {
                format!("network-object host {a}")
            }
            (Element::Prefix(a, len), Family::V4) => {
                format!("network-object {a} {}", v4_mask(len))
            }
            (Element::Prefix(a, len), Family::V6) => format!("network-object {a}/{len}"),
            (Element::Range(a, b), _) => {
                let body = format!("range {a} {b}");
                let name = match self.ranges.get(&body) {
                    Some(name) => name.clone(),
                    None => {
                        let stem = format!("{OWNED_PREFIX}r_{}", family.suffix());
                        let name = self.names.name(&stem, &body);
                        let _ = writeln!(self.text, "object network {name}\n {body}");
                        self.ranges.insert(body, name.clone());
                        name
                    }
                };
                format!("network-object object {name}")
            }
        }
    }

    /// `object-group NAME` of a service group, or `ip` for any protocol.
    /// The name's stem spells the content (`tcp102_udp123`).
    fn service(&mut self, lines: &[&Rule]) -> String {
        let mut members: Vec<String> = Vec::new();
        for rule in lines {
            for m in service_lines(rule) {
                if !members.contains(&m) {
                    members.push(m);
                }
            }
        }
        if members.iter().any(|m| m == "ip") {
            return "ip".to_string();
        }
        let body = members.join("\n");
        if let Some(found) = self.services.get(&body) {
            return found.clone();
        }
        let what: Vec<String> = members.iter().map(|m| short_service(m)).collect();
        let stem = format!("{OWNED_PREFIX}s_{}", what.join("_"));
        let name = self.names.name(&stem, &body);
        let _ = writeln!(self.text, "object-group service {name}");
        for m in &members {
            let _ = writeln!(self.text, " {m}");
        }
        let text = format!("object-group {name}");
        self.services.insert(body, text.clone());
        text
    }

    /// The name of the time-range for a window and an expiry.
    fn time_range(&mut self, window: Option<&Window>, expires: Option<Date>) -> Option<String> {
        let mut lines = Vec::new();
        if let Some(w) = window {
            lines.extend(periodic(w));
        }
        if let Some(d) = expires {
            lines.push(absolute_end(d, self.clock.as_deref()));
        }
        if lines.is_empty() {
            return None;
        }
        let body = lines.join("\n");
        if let Some(found) = self.times.get(&body) {
            return Some(found.clone());
        }
        let name = self.names.name(&format!("{OWNED_PREFIX}t"), &body);
        let _ = writeln!(self.text, "time-range {name}");
        for l in &lines {
            let _ = writeln!(self.text, " {l}");
        }
        self.times.insert(body, name.clone());
        Some(name)
    }
}

fn max_of(family: Family) -> u128 {
    match family {
        Family::V4 => u128::from(u32::MAX),
        Family::V6 => u128::MAX,
    }
}

fn v4_mask(len: u8) -> std::net::Ipv4Addr {
    let bits = u32::MAX
        .checked_shl(32 - u32::from(len.min(32)))
        .unwrap_or(0);
    std::net::Ipv4Addr::from(bits)
}

/// `tcp102`, `udp100-110`, `icmp8`, `p47` for a `service-object` line.
fn short_service(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().skip(1).collect();
    match words.as_slice() {
        [proto, "destination", "eq", p] => format!("{proto}{p}"),
        [proto, "destination", "range", a, b] => format!("{proto}{a}-{b}"),
        [proto, "source", "eq", s, "destination", "eq", p] => format!("{proto}{p}from{s}"),
        [proto, t] => format!("{proto}{t}"),
        [proto, t, c] => format!("{proto}{t}c{c}"),
        [proto] if proto.bytes().all(|b| b.is_ascii_digit()) => format!("p{proto}"),
        [proto] => (*proto).to_string(),
        _ => "svc".to_string(),
    }
}

/// `eq 502`, `range 1 1023`, or nothing for every port.
fn port_op(r: &PortRange) -> Option<String> {
    if r.lo == 0 && r.hi == u16::MAX {
        None
    } else if r.lo == r.hi {
        Some(format!("eq {}", r.lo))
    } else {
        Some(format!("range {} {}", r.lo, r.hi))
    }
}

/// `service-object` lines of one rule's layer-4 match (`ip` for any
/// protocol): one per destination range and source range
/// (`service-object udp source eq 47808 destination eq 47808`), or the
/// ICMP/ICMPv6 type and code (`service-object icmp6 128`).
fn service_lines(rule: &Rule) -> Vec<String> {
    let sports: Vec<Option<String>> = if rule.sports.is_empty() {
        vec![None]
    } else {
        rule.sports.iter().map(port_op).collect()
    };
    let ports = |proto: &str, ranges: &[PortRange]| -> Vec<String> {
        let mut out = Vec::new();
        for r in ranges {
            for s in &sports {
                let mut line = format!("service-object {proto}");
                if let Some(s) = s {
                    line.push_str(&format!(" source {s}"));
                }
                if let Some(d) = port_op(r) {
                    line.push_str(&format!(" destination {d}"));
                }
                out.push(line);
            }
        }
        out
    };
    let icmp = |word: &str, t: Option<u8>| match (t, rule.icmp_code) {
        (Some(t), Some(c)) => vec![format!("service-object {word} {t} {c}")],
        (Some(t), None) => vec![format!("service-object {word} {t}")],
        (None, _) => vec![format!("service-object {word}")],
    };
    let (l4, family) = (&rule.l4, rule.family);
    match (l4, family) {
        (L4::Tcp(p), _) => ports("tcp", p),
        (L4::Udp(p), _) => ports("udp", p),
        (L4::Icmp(t), Family::V4) => icmp("icmp", *t),
        (L4::Icmp(t), Family::V6) => icmp("icmp6", *t),
        (L4::Proto(6), _) => vec!["service-object tcp".to_string()],
        (L4::Proto(17), _) => vec!["service-object udp".to_string()],
        (L4::Proto(1), Family::V4) => vec!["service-object icmp".to_string()],
        (L4::Proto(58), Family::V6) => vec!["service-object icmp6".to_string()],
        (L4::Proto(n), _) => vec![format!("service-object {n}")],
        (L4::Any, _) => vec!["ip".to_string()],
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `periodic` lines of a window: `daily`, `weekdays`, `weekend` when the
/// days are exactly those, else one line per day. The ASA's end time is
/// inclusive to the minute: `[06:00, 18:00)` is `06:00 to 17:59`.
fn periodic(w: &Window) -> Vec<String> {
    let start = w.start_sec / 60;
    let end = (w.end_sec.min(86_400) / 60).saturating_sub(1).max(start);
    let times = format!(
        "{:02}:{:02} to {:02}:{:02}",
        start / 60,
        start % 60,
        end / 60,
        end % 60
    );
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let group = if w.days.len() == 7 {
        Some("daily")
    } else if w.days.len() == 5 && weekdays.iter().all(|d| w.days.contains(d)) {
        Some("weekdays")
    } else if w.days.len() == 2 && w.days.contains(&Weekday::Sat) && w.days.contains(&Weekday::Sun)
    {
        Some("weekend")
    } else {
        None
    };
    if let Some(g) = group {
        return vec![format!("periodic {g} {times}")];
    }
    Weekday::ALL
        .iter()
        .filter(|d| w.days.contains(d))
        .map(|d| format!("periodic {} {times}", super::vendor::day_word(*d)))
        .collect()
}

/// `absolute end 23:59 30 March 2027` for access that ends at 00:00 on
/// 2027-03-31 (the end minute is inclusive).
/// The last minute before 00:00 UTC of `d`, on the device clock.
fn absolute_end(d: Date, clock: Option<&str>) -> String {
    let (last, sec) = vendor::date_time(d.days_since_epoch() * 86_400 - 60, clock);
    let month = MONTHS
        .get(usize::from(last.month).saturating_sub(1))
        .unwrap_or(&"January");
    format!(
        "absolute end {} {} {month} {}",
        vendor::hm(sec),
        last.day,
        last.year
    )
}

/// One ACE before naming: the plan rules it stands for.
struct Ace<'a> {
    rules: Vec<&'a Rule>,
}

impl Ace<'_> {
    fn first(&self) -> Option<&Rule> {
        self.rules.first().copied()
    }
}

/// Whether `b` can share the ACE of `a`: the same conduit direction,
/// addresses, time and logging, both service rules.
fn same_ace(a: &Rule, b: &Rule) -> bool {
    a.kind == RuleKind::Allow
        && b.kind == RuleKind::Allow
        && a.conduit == b.conduit
        && a.family == b.family
        && a.src == b.src
        && a.dst == b.dst
        && a.iif == b.iif
        && a.oif == b.oif
        && a.window == b.window
        && a.expires == b.expires
        && a.log == b.log
}

/// Consecutive rules of one conduit direction that differ only in their
/// service become one ACE with one service group: the same traffic, in
/// the same place of the first-match order.
fn aces<'a>(rules: &[&'a Rule]) -> Vec<Ace<'a>> {
    let mut out: Vec<Ace<'a>> = Vec::new();
    for rule in rules {
        match out.last_mut() {
            Some(ace) if ace.first().is_some_and(|f| same_ace(f, rule)) => ace.rules.push(rule),
            _ => out.push(Ace { rules: vec![rule] }),
        }
    }
    out
}

/// The remark of an ACE: the plan comment with every service it holds.
fn remark(ace: &Ace<'_>) -> String {
    let Some(first) = ace.first() else {
        return String::new();
    };
    let services: Vec<&str> = ace
        .rules
        .iter()
        .filter_map(|r| r.service.as_deref())
        .collect();
    let mut text = first.comment.clone();
    if let (Some(s), true) = (&first.service, services.len() > 1) {
        let head = format!("conduit {} service {s}", first.conduit);
        if let Some(rest) = first.comment.strip_prefix(&head) {
            text = format!(
                "conduit {} service {}{rest}",
                first.conduit,
                services.join(", ")
            );
        }
    }
    let prefix = match first.kind {
        RuleKind::MonitorScope => PREFIX_MONITOR,
        RuleKind::Allow => "",
    };
    ascii_text(&format!("{prefix}{text}"), REMARK_MAX)
}

/// The whole configuration text.
pub fn render(plan: &Plan) -> String {
    let mut defs = Defs {
        clock: plan.clock.clone(),
        ..Defs::default()
    };
    // Rules per access list: one per profile interface, or one global.
    let mut lists: BTreeMap<Option<String>, Vec<&Rule>> = BTreeMap::new();
    if plan.interfaces.is_empty() {
        lists.insert(None, Vec::new());
    }
    for i in &plan.interfaces {
        lists.insert(Some(i.clone()), Vec::new());
    }
    // A window on no day never opens: such a rule is left out (a
    // time-range without `periodic` lines would be always active).
    for rule in plan
        .rules
        .iter()
        .filter(|r| r.window.as_ref().is_none_or(|w| !w.days.is_empty()))
    {
        lists.entry(rule.iif.clone()).or_default().push(rule);
    }
    let mut acls = String::new();
    let mut groups = String::new();
    let mut bound: Vec<String> = Vec::new();
    for (iface, rules) in &lists {
        let mut body = String::new();
        for ace in aces(rules) {
            ace_lines(&mut body, plan, &mut defs, &ace);
        }
        final_lines(&mut body, plan);
        let stem = match iface {
            Some(i) => format!("{OWNED_PREFIX}{i}"),
            None => format!("{OWNED_PREFIX}global"),
        };
        // Access lists have their own namespace on the ASA, but distinct
        // stems keep them apart from objects anyway.
        let name = defs.names.name(&format!("{stem}_acl"), &body);
        for line in body.lines() {
            let _ = writeln!(acls, "access-list {name} {line}");
        }
        match iface {
            Some(i) => {
                let _ = writeln!(groups, "access-group {name} in interface {i}");
            }
            None => {
                let _ = writeln!(groups, "access-group {name} global");
            }
        }
        bound.push(name);
    }
    let mut out = String::new();
    header(&mut out, plan, &bound);
    out.push_str("! objects, object-groups and time-ranges (content-derived names)\n");
    out.push_str(&defs.text);
    out.push_str("! access lists: built in full before any interface uses them\n");
    out.push_str(&acls);
    out.push_str("! switch each binding to the new list in one step\n");
    out.push_str(&groups);
    out.push_str("! then remove the lists these replaced (see docs/backends/cisco-asa.md):\n");
    out.push_str("!   show running-config access-group\n");
    out.push_str("!   clear configure access-list PREVIOUS-NAME\n");
    out
}

fn header(out: &mut String, plan: &Plan, bound: &[String]) {
    out.push_str("! Generated by conduit from the zone-and-conduit policy. Do not edit:\n");
    out.push_str("! change the policy and compile again. Paste in configuration mode\n");
    let clock = plan.clock.as_deref().unwrap_or("UTC");
    let _ = writeln!(
        out,
        "! or `copy FILE running-config`; the device clock must run in {clock}."
    );
    out.push_str("! Names are content-derived: a name already on the device holds this content.\n");
    if let Some(t) = &plan.target {
        let _ = writeln!(out, "! target: {}", ascii_text(t, 120));
    }
    let mode = match plan.mode {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor (nothing is dropped; would-be drops are logged)",
    };
    let _ = writeln!(out, "! mode: {mode}");
    let _ = writeln!(out, "! {}", vendor::as_of_text(plan.as_of, clock));
    for name in bound {
        let _ = writeln!(out, "! access list: {name}");
    }
}

fn ace_lines(out: &mut String, plan: &Plan, defs: &mut Defs, ace: &Ace<'_>) {
    let Some(first) = ace.first() else {
        return;
    };
    let family = first.family;
    let service = defs.service(&ace.rules);
    let src = defs.addr(plan, &first.src, family);
    let dst = defs.addr(plan, &first.dst, family);
    let time = defs.time_range(first.window.as_ref(), first.expires);
    let _ = writeln!(out, "remark {}", remark(ace));
    let mut line = format!("extended permit {service} {src} {dst}");
    if first.log.is_some() {
        line.push_str(" log");
    }
    if let Some(t) = time {
        let _ = write!(line, " time-range {t}");
    }
    let _ = writeln!(out, "{line}");
}

fn final_lines(out: &mut String, plan: &Plan) {
    let log = if plan.log_denied { " log" } else { "" };
    match plan.mode {
        Mode::Enforce => {
            let _ = writeln!(out, "remark {PREFIX_DENY}default deny");
            let _ = writeln!(out, "extended deny ip any any{log}");
        }
        Mode::Monitor => {
            let _ = writeln!(out, "remark {PREFIX_MONITOR}would drop (default deny)");
            let _ = writeln!(out, "extended permit ip any any{log}");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_short_safe_and_content_derived() {
        let mut n = Names::default();
        let a = n.name(&format!("{OWNED_PREFIX}{}", "x\"y z".repeat(30)), "one");
        assert!(a.len() <= NAME_MAX, "{a}");
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
        assert_eq!(
            a,
            n.name(&format!("{OWNED_PREFIX}{}", "x\"y z".repeat(30)), "one")
        );
        assert_ne!(
            a,
            n.name(&format!("{OWNED_PREFIX}{}", "x\"y z".repeat(30)), "two")
        );
    }

    #[test]
    fn expiry_is_the_last_inclusive_minute() {
        let d = Date::parse("2027-03-31").unwrap();
        assert_eq!(absolute_end(d, None), "absolute end 23:59 30 March 2027");
        let d = Date::parse("2028-01-01").unwrap();
        assert_eq!(absolute_end(d, None), "absolute end 23:59 31 December 2027");
    }

    #[test]
    fn masks() {
        assert_eq!(v4_mask(24).to_string(), "255.255.255.0");
        assert_eq!(v4_mask(0).to_string(), "0.0.0.0");
        assert_eq!(v4_mask(32).to_string(), "255.255.255.255");
    }

    #[test]
    fn remarks_are_ascii_and_short() {
        let s = ascii_text("a?b\n\u{202e}é\"x", 100);
        assert_eq!(s, "a.b __\"x");
        assert!(ascii_text(&"y".repeat(300), REMARK_MAX).len() <= REMARK_MAX);
    }
}
