//! Fortinet FortiGate backend (FortiOS 7.x CLI): system zones from the
//! target profile's interfaces, address and service objects and groups,
//! schedules, and one firewall policy per conduit direction and service
//! line, ending in an explicit logged deny.
//!
//! Ownership: every object, group, schedule and zone this backend defines
//! is named `cdt-...`, every policy has an ID in [`POLICY_IDS`] and a
//! `cdt-` name. FortiOS `edit NAME` + `set` replaces the named entry's
//! settings, so loading the file again converges on the same state and
//! never touches an entry it did not name. Policy IDs are derived from the
//! policy's name (a hash into the range, probed on collision), so an
//! unrelated change renumbers nothing; `move` lines after the policies put
//! them in the plan's order whatever order the device held them in.
//!
//! Schedules: a window is a `schedule recurring`, an expiry a `schedule
//! onetime` from the plan's date to the expiry; a policy takes one
//! schedule, so a window with an expiry is a `schedule group` of one
//! one-time member per window occurrence until the expiry (capped at
//! [`OCCURRENCE_CAP`], error E0505 beyond). Times follow the device's
//! clock, which must run in UTC. Policies set `schedule-timeout enable`:
//! sessions of a policy end when its schedule does.

use super::addr::{Element, Family};
use super::plan::{Plan, Rule, RuleKind, PREFIX_DENY, PREFIX_MONITOR};
use super::vendor::{
    self, is_alnum, is_word_dot, AddressBook, NameRules, Namespace, ServiceBook, SvcProto, SvcRef,
    Timing,
};
use super::{Backend, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

/// Prefix of every name this backend defines.
pub const OWNED_PREFIX: &str = "cdt-";
/// Policy IDs this backend uses (and owns).
pub const POLICY_IDS: Range<u32> = 1_000_000_000..1_100_000_000;
/// Longest policy `comments` (bytes, before escaping).
pub const COMMENTS_MAX: usize = 1023;
/// Longest policy `name`.
pub const POLICY_NAME_MAX: usize = 35;
/// Longest schedule name.
pub const SCHEDULE_NAME_MAX: usize = 31;
/// Longest address, group and service name.
pub const OBJECT_NAME_MAX: usize = 79;
/// Longest system zone name.
pub const ZONE_NAME_MAX: usize = 35;
/// Most one-time members of one schedule group.
pub const OCCURRENCE_CAP: usize = 1024;

pub struct Fortigate;

const OBJECT_RULES: NameRules = NameRules {
    vendor: "FortiGate",
    kind: "address",
    max_len: OBJECT_NAME_MAX - OWNED_PREFIX.len(),
    allowed: is_word_dot,
    first: is_alnum,
    replacement: '_',
    case_insensitive: true,
};

const SERVICE_RULES: NameRules = NameRules {
    kind: "service",
    ..OBJECT_RULES
};

impl Backend for Fortigate {
    /// The device keeps its own clock: a target profile's `clock`.
    fn device_clock(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "fortigate"
    }

    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic> {
        let mut out = super::plan::multicast_refusals(plan, "fortigate", |_| {
            Some("passes multicast only through `firewall multicast-policy`, which conduit does not generate; a `firewall policy` never matches it".to_string())
        });
        out.extend(vendor::clock_mismatches(plan, "FortiGate", true));
        let mut seen = BTreeSet::new();
        for rule in &plan.rules {
            if let Timing::WeeklyUntil(_, d) = vendor::timing(rule) {
                if let Err(e) = vendor::occurrences_on_clock(
                    rule.window.as_ref(),
                    plan.as_of,
                    d,
                    OCCURRENCE_CAP,
                    plan.clock.as_deref(),
                ) {
                    if seen.insert(rule.conduit.clone()) {
                        out.push(e.diagnostic("FortiGate", &rule.conduit));
                    }
                }
            }
        }
        if let Err(e) = AddressBook::build(plan, &mut Namespace::new(OBJECT_RULES)) {
            out.push(e.diagnostic());
        }
        if let Err(e) = ServiceBook::build(plan, &mut Namespace::new(SERVICE_RULES)) {
            out.push(e.diagnostic());
        }
        out
    }

    fn valid_interface(&self, name: &str) -> bool {
        // FortiOS interface names: at most 15 characters.
        name.len() <= 15 && vendor::valid_vendor_ifname(name)
    }

    fn interface_kind(&self) -> &'static str {
        "a FortiOS interface name"
    }

    fn interface_hint(&self) -> &'static str {
        "1 to 15 characters of letters, digits, `/`, `.`, `:`, `-` or `_`, starting with a letter"
    }

    fn emit(&self, plan: &Plan) -> Vec<OutputFile> {
        vec![OutputFile {
            role: "fortios cli",
            suffix: "",
            text: render(plan),
        }]
    }
}

/// A double-quoted FortiOS string: `\` and `"` escaped, control, line
/// separator and bidi characters as spaces, `?` (the CLI's help key) as
/// `.`, cut to `max` bytes before escaping.
pub fn quote(raw: &str, max: usize) -> String {
    let mut clean = String::new();
    for c in raw.chars() {
        let c = match c {
            '?' => '.',
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                        | '\u{2066}'..='\u{2069}' | '\u{feff}'
                ) =>
            {
                ' '
            }
            c => c,
        };
        if c == ' ' && (clean.is_empty() || clean.ends_with(' ')) {
            continue;
        }
        clean.push(c);
    }
    let mut clean = clean.trim_end().to_string();
    if clean.len() > max {
        let mut cut = max.saturating_sub(3);
        while cut > 0 && !clean.is_char_boundary(cut) {
            cut -= 1;
        }
        clean = format!("{}...", clean.get(..cut).unwrap_or("").trim_end());
    }
    let mut out = String::with_capacity(clean.len() + 2);
    out.push('"');
    for c in clean.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn fnv64(text: &str) -> u64 {
    super::asa::fnv64(text)
}

/// `cdt-STEM` cut to `max` with a hash of `key` when it does not fit.
fn owned(stem: &str, key: &str, max: usize) -> String {
    let clean: String = stem
        .chars()
        .map(|c| if is_word_dot(c) { c } else { '_' })
        .collect();
    let name = format!("{OWNED_PREFIX}{clean}");
    if name.len() <= max {
        return name;
    }
    let hash = format!("{:08x}", fnv64(key) & 0xffff_ffff);
    let keep = max - hash.len() - 1;
    format!("{}-{hash}", name.get(..keep).unwrap_or(&name))
}

/// FortiOS lists a schedule's days from Sunday.
const DAYS: [Weekday; 7] = [
    Weekday::Sun,
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
];

/// `hh:mm yyyy/mm/dd` of a device clock reading ([`vendor::reading`]).
fn stamp(reading: i64) -> String {
    let (d, sec) = vendor::date_time(reading, None);
    format!(
        "{} {:04}/{:02}/{:02}",
        vendor::hm(sec),
        d.year,
        d.month,
        d.day
    )
}

/// `yyyymmddhhmm` of a device clock reading, for content-derived names.
fn compact(unix: i64) -> String {
    let (d, sec) = vendor::date_time(unix, None);
    format!(
        "{:04}{:02}{:02}{:02}{:02}",
        d.year,
        d.month,
        d.day,
        sec / 3600,
        (sec / 60) % 60
    )
}

/// Schedules, defined once each, by name.
#[derive(Default)]
struct Schedules {
    /// The device clock's zone (`None`: UTC), for one-time schedules.
    clock: Option<String>,
    recurring: BTreeMap<String, String>,
    onetime: BTreeMap<String, String>,
    groups: BTreeMap<String, String>,
}

impl Schedules {
    /// The schedule name of a rule (`always` without window or expiry).
    fn of(&mut self, plan: &Plan, rule: &Rule) -> String {
        match vendor::timing(rule) {
            Timing::Always => "always".to_string(),
            Timing::Weekly(w) => {
                let days: Vec<&str> = DAYS
                    .iter()
                    .filter(|d| w.days.contains(d))
                    .map(|d| vendor::day_word(*d))
                    .collect();
                // FortiOS has no 24:00: an end at midnight is 00:00, which
                // FortiOS reads as the end of the start day.
                let end = if w.end_sec >= 86_400 {
                    "00:00".to_string()
                } else {
                    vendor::hm(w.end_sec)
                };
                // A window on no day never opens: FortiOS's `none`.
                let days = if days.is_empty() { vec!["none"] } else { days };
                let body = format!(
                    "        set day {}\n        set start \"{}\"\n        set end \"{end}\"\n",
                    days.join(" "),
                    vendor::hm(w.start_sec)
                );
                let name = owned(
                    &format!("w-{:010x}", fnv64(&body) & 0xff_ffff_ffff),
                    &body,
                    SCHEDULE_NAME_MAX,
                );
                self.recurring.insert(name.clone(), body);
                name
            }
            Timing::Until(d) => {
                let clock = self.clock.clone();
                let at = |d: Date| vendor::reading(d.days_since_epoch() * 86_400, clock.as_deref());
                self.one(at(plan.as_of), at(d))
            }
            Timing::WeeklyUntil(_, d) => {
                let occ = vendor::occurrences_on_clock(
                    rule.window.as_ref(),
                    plan.as_of,
                    d,
                    OCCURRENCE_CAP,
                    self.clock.as_deref(),
                )
                .unwrap_or_default();
                let members: Vec<String> = occ.iter().map(|o| self.one(o.start, o.end)).collect();
                if members.is_empty() {
                    // No occurrence before the expiry: a schedule that has
                    // already ended.
                    let start = vendor::reading(
                        plan.as_of.days_since_epoch() * 86_400,
                        self.clock.as_deref(),
                    );
                    return self.one(start - 60, start);
                }
                let quoted: Vec<String> = members.iter().map(|m| quote(m, 64)).collect();
                let body = format!("        set member {}\n", quoted.join(" "));
                let name = owned(
                    &format!("g-{:010x}", fnv64(&body) & 0xff_ffff_ffff),
                    &body,
                    SCHEDULE_NAME_MAX,
                );
                self.groups.insert(name.clone(), body);
                name
            }
        }
    }

    /// A one-time schedule `[start, end)` of device clock readings.
    fn one(&mut self, start: i64, end: i64) -> String {
        let minutes = (end - start) / 60;
        let name = owned(
            &format!("o-{}-{minutes}", compact(start)),
            "",
            SCHEDULE_NAME_MAX,
        );
        let body = format!(
            "        set start \"{}\"\n        set end \"{}\"\n",
            stamp(start),
            stamp(end)
        );
        self.onetime.insert(name.clone(), body);
        name
    }
}

fn block(out: &mut String, head: &str, entries: &BTreeMap<String, String>) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "config {head}");
    for (name, body) in entries {
        let _ = writeln!(out, "    edit {}", quote(name, 128));
        out.push_str(body);
        out.push_str("    next\n");
    }
    out.push_str("end\n");
}

fn mask(len: u8) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::from(
        u32::MAX
            .checked_shl(32 - u32::from(len.min(32)))
            .unwrap_or(0),
    )
}

/// The whole CLI text.
pub fn render(plan: &Plan) -> String {
    let mut ns = Namespace::new(OBJECT_RULES);
    let book = AddressBook::build(plan, &mut ns).unwrap_or_default();
    let mut sns = Namespace::new(SERVICE_RULES);
    let services = ServiceBook::build(plan, &mut sns).unwrap_or_default();
    let own = |n: &str| format!("{OWNED_PREFIX}{n}");

    let mut out = String::new();
    header(&mut out, plan);

    // System zones: one per profile interface.
    let zone_of = |iface: &str| owned(iface, iface, ZONE_NAME_MAX);
    let mut zones = BTreeMap::new();
    for i in &plan.interfaces {
        zones.insert(
            zone_of(i),
            format!(
                "        set interface {}\n        set intrazone deny\n",
                quote(i, 64)
            ),
        );
    }
    block(&mut out, "system zone", &zones);

    let mut addr4 = BTreeMap::new();
    let mut addr6 = BTreeMap::new();
    for o in &book.objects {
        let body = match (o.element, o.family) {
            (Element::Prefix(a, len), Family::V4) => {
                format!("        set subnet {a} {}\n", mask(len))
            }
            (Element::Prefix(a, len), Family::V6) => format!("        set ip6 {a}/{len}\n"),
            (Element::Range(a, b), _) => format!(
                "        set type iprange\n        set start-ip {a}\n        set end-ip {b}\n"
            ),
        };
        match o.family {
            Family::V4 => addr4.insert(own(&o.name), body),
            Family::V6 => addr6.insert(own(&o.name), body),
        };
    }
    // DNS names (checked by the language; a wildcard needs FortiOS 6.2.2).
    for o in &book.fqdns {
        let body = format!(
            "        set type fqdn\n        set fqdn {}\n",
            quote(&o.fqdn, 255)
        );
        match o.family {
            Family::V4 => addr4.insert(own(&o.name), body),
            Family::V6 => addr6.insert(own(&o.name), body),
        };
    }
    block(&mut out, "firewall address", &addr4);
    block(&mut out, "firewall address6", &addr6);
    let mut grp4 = BTreeMap::new();
    let mut grp6 = BTreeMap::new();
    for g in &book.groups {
        let members: Vec<String> = g.members.iter().map(|m| quote(&own(m), 128)).collect();
        let body = format!(
            "        set member {}\n        set comment {}\n",
            members.join(" "),
            quote(&g.what, 255)
        );
        match g.family {
            Family::V4 => grp4.insert(own(&g.name), body),
            Family::V6 => grp6.insert(own(&g.name), body),
        };
    }
    block(&mut out, "firewall addrgrp", &grp4);
    block(&mut out, "firewall addrgrp6", &grp6);

    let mut custom = BTreeMap::new();
    for s in &services.objects {
        // `DST:SRC`: a port range with the source ports it takes.
        let from = s.sports.map(|p| format!(":{p}")).unwrap_or_default();
        let body = match (s.proto, s.ports) {
            (SvcProto::Tcp, Some(p)) => {
                format!("        set protocol TCP/UDP/SCTP\n        set tcp-portrange {p}{from}\n")
            }
            (SvcProto::Udp, Some(p)) => {
                format!("        set protocol TCP/UDP/SCTP\n        set udp-portrange {p}{from}\n")
            }
            (SvcProto::Tcp, None) => {
                "        set protocol TCP/UDP/SCTP\n        set tcp-portrange 1-65535\n".to_string()
            }
            (SvcProto::Udp, None) => {
                "        set protocol TCP/UDP/SCTP\n        set udp-portrange 1-65535\n".to_string()
            }
            (SvcProto::Icmp(f), _) => {
                let proto = if f == Family::V6 { "ICMP6" } else { "ICMP" };
                match (s.icmp_type, s.icmp_code) {
                    (Some(t), Some(c)) => format!(
                        "        set protocol {proto}\n        set icmptype {t}\n        set icmpcode {c}\n"
                    ),
                    (Some(t), None) => format!(
                        "        set protocol {proto}\n        set icmptype {t}\n        unset icmpcode\n"
                    ),
                    (None, _) => format!("        set protocol {proto}\n        unset icmptype\n"),
                }
            }
            (SvcProto::Ip(n), _) => {
                format!("        set protocol IP\n        set protocol-number {n}\n")
            }
        };
        custom.insert(own(&s.name), body);
    }
    block(&mut out, "firewall service custom", &custom);
    let mut sgroups = BTreeMap::new();
    for g in &services.groups {
        let members: Vec<String> = g.members.iter().map(|m| quote(&own(m), 128)).collect();
        sgroups.insert(
            own(&g.name),
            format!("        set member {}\n", members.join(" ")),
        );
    }
    block(&mut out, "firewall service group", &sgroups);

    // Policies first (they decide which schedules exist), written after
    // the schedules they name.
    let mut schedules = Schedules {
        clock: plan.clock.clone(),
        ..Schedules::default()
    };
    let mut policies = String::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut used_ids = BTreeSet::new();
    let mut used_names = BTreeSet::new();
    for rule in &plan.rules {
        let schedule = schedules.of(plan, rule);
        let src = book
            .resolve(&rule.src, rule.family)
            .map_or_else(|| "all".to_string(), |r| own(r.name()));
        let dst = book
            .resolve(&rule.dst, rule.family)
            .map_or_else(|| "all".to_string(), |r| own(r.name()));
        let service = match services.resolve(rule) {
            Some(SvcRef::Object(n) | SvcRef::Group(n)) => own(n),
            Some(SvcRef::Any) | None => "ALL".to_string(),
        };
        let intf = |i: &Option<String>| i.as_deref().map_or_else(|| "any".to_string(), zone_of);
        let key = format!(
            "{}|{:?}|{:?}|{src}|{dst}|{service}|{:?}|{:?}",
            rule.conduit, rule.kind, rule.family, rule.iif, rule.oif
        );
        let stem = match rule.kind {
            RuleKind::Allow => rule.conduit.clone(),
            RuleKind::MonitorScope => format!("scope-{}", rule.conduit),
        };
        let name = policy_name(&stem, &key, &mut used_names);
        let id = policy_id(&name, &mut used_ids);
        ids.push(id);
        let (sa, da) = match rule.family {
            Family::V4 => ("srcaddr", "dstaddr"),
            Family::V6 => ("srcaddr6", "dstaddr6"),
        };
        let log = if rule.log.is_some() { "all" } else { "disable" };
        let prefix = match rule.kind {
            RuleKind::MonitorScope => PREFIX_MONITOR,
            RuleKind::Allow => "",
        };
        let _ = write!(
            policies,
            "    edit {id}\n        set name {}\n        set srcintf {}\n        set dstintf {}\n        set {sa} {}\n        set {da} {}\n        set action accept\n        set schedule {}\n        set schedule-timeout enable\n        set service {}\n        set logtraffic {log}\n        set comments {}\n    next\n",
            quote(&name, 64),
            quote(&intf(&rule.iif), 64),
            quote(&intf(&rule.oif), 64),
            quote(&src, 128),
            quote(&dst, 128),
            quote(&schedule, 64),
            quote(&service, 128),
            quote(&format!("{prefix}{}", rule.comment), COMMENTS_MAX),
        );
    }
    // The explicit default.
    let name = format!("{OWNED_PREFIX}default");
    let id = policy_id(&name, &mut used_ids);
    ids.push(id);
    let intfs: Vec<String> = if plan.interfaces.is_empty() {
        vec![quote("any", 8)]
    } else {
        plan.interfaces
            .iter()
            .map(|i| quote(&zone_of(i), 64))
            .collect()
    };
    let (action, comment) = match plan.mode {
        Mode::Enforce => ("deny", format!("{PREFIX_DENY}default deny")),
        Mode::Monitor => (
            "accept",
            format!("{PREFIX_MONITOR}would drop (default deny)"),
        ),
    };
    let log = if plan.log_denied { "all" } else { "disable" };
    let _ = write!(
        policies,
        "    edit {id}\n        set name {}\n        set srcintf {}\n        set dstintf {}\n        set srcaddr \"all\"\n        set dstaddr \"all\"\n        set srcaddr6 \"all\"\n        set dstaddr6 \"all\"\n        set action {action}\n        set schedule \"always\"\n        set service \"ALL\"\n        set logtraffic {log}\n        set comments {}\n    next\n",
        quote(&name, 64),
        intfs.join(" "),
        quote("any", 8),
        quote(&comment, COMMENTS_MAX),
    );

    block(
        &mut out,
        "firewall schedule recurring",
        &schedules.recurring,
    );
    block(&mut out, "firewall schedule onetime", &schedules.onetime);
    block(&mut out, "firewall schedule group", &schedules.groups);
    out.push_str("config firewall policy\n");
    out.push_str(&policies);
    // The plan's order, whatever order the device held the IDs in.
    for pair in ids.windows(2) {
        if let [a, b] = pair {
            let _ = writeln!(out, "    move {b} after {a}");
        }
    }
    out.push_str("end\n");
    out
}

fn policy_name(stem: &str, key: &str, used: &mut BTreeSet<String>) -> String {
    let hash = format!("{:08x}", fnv64(key) & 0xffff_ffff);
    let clean: String = stem
        .chars()
        .map(|c| if is_word_dot(c) { c } else { '_' })
        .collect();
    let keep = POLICY_NAME_MAX - OWNED_PREFIX.len() - hash.len() - 1;
    let cut: String = clean.chars().take(keep).collect();
    let mut name = format!("{OWNED_PREFIX}{cut}-{hash}");
    let mut salt = 0u32;
    while used.contains(&name) {
        salt += 1;
        let hash = format!("{:08x}", fnv64(&format!("{key}#{salt}")) & 0xffff_ffff);
        name = format!("{OWNED_PREFIX}{cut}-{hash}");
    }
    used.insert(name.clone());
    name
}

/// An ID in [`POLICY_IDS`] from the policy's name; the next free one on a
/// collision.
fn policy_id(name: &str, used: &mut BTreeSet<u32>) -> u32 {
    let span = u64::from(POLICY_IDS.end - POLICY_IDS.start);
    let mut off = fnv64(name) % span;
    loop {
        let id = POLICY_IDS.start + u32::try_from(off).unwrap_or(0);
        if used.insert(id) {
            return id;
        }
        off = (off + 1) % span;
    }
}

fn header(out: &mut String, plan: &Plan) {
    out.push_str("# Generated by conduit from the zone-and-conduit policy. Do not edit:\n");
    out.push_str("# change the policy and compile again. Run as a CLI script (FortiOS 7.x);\n");
    let clock = plan.clock.as_deref().unwrap_or("UTC");
    let _ = writeln!(
        out,
        "# the system time zone must be {clock}. Owned here: names starting with `cdt-`"
    );
    let _ = writeln!(
        out,
        "# and policy IDs {} to {}.",
        POLICY_IDS.start,
        POLICY_IDS.end - 1
    );
    if let Some(t) = &plan.target {
        let _ = writeln!(out, "# target: {}", super::asa::ascii_text(t, 120));
    }
    let mode = match plan.mode {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor (nothing is dropped; would-be drops are logged)",
    };
    let _ = writeln!(out, "# mode: {mode}");
    let _ = writeln!(out, "# {}", vendor::as_of_text(plan.as_of, clock));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn quoting_escapes_quotes_and_backslashes() {
        assert_eq!(
            quote("Vendor \"Acme\" a\\b", 100),
            r#""Vendor \"Acme\" a\\b""#
        );
        assert_eq!(quote("x\ny?\u{202e}", 100), "\"x y.\"");
        let long = quote(&"\"".repeat(2000), COMMENTS_MAX);
        assert!(long.len() <= 2 * COMMENTS_MAX + 2);
    }

    #[test]
    fn names_fit() {
        assert!(owned(&"x".repeat(100), "k", SCHEDULE_NAME_MAX).len() <= SCHEDULE_NAME_MAX);
        let mut used = BTreeSet::new();
        let n = policy_name(&"y".repeat(100), "k", &mut used);
        assert!(n.len() <= POLICY_NAME_MAX, "{n}");
        let m = policy_name(&"y".repeat(100), "k", &mut used);
        assert_ne!(n, m);
        let mut ids = BTreeSet::new();
        assert!(POLICY_IDS.contains(&policy_id(&n, &mut ids)));
    }
}
