//! nftables backend: one `table inet conduit`, loaded with `nft -f`.
//!
//! The file first creates and deletes the table, then defines it in full,
//! so one `nft -f` transaction replaces it atomically and a reload is
//! idempotent; other tables on the host are left alone. Zone addresses
//! are named interval sets (one per zone and family); a conduit side of
//! asset addresses (or small zones) is one address, prefix or range in the
//! rule, or a named list shared by every rule with the same addresses (see
//! [`Lists`]), so a conduit costs one rule per direction, family and
//! service line, not one per pair of endpoints. Only the `forward`
//! hook is filtered: the firewall's own input and output stay as they are.
//!
//! Times are emitted as raw UTC numbers (`meta hour 21600-64799`,
//! `meta time < 1806451200`), so the result does not depend on the time
//! zone of the host that runs `nft`. `meta day` follows the kernel's time
//! zone, which is UTC unless the host sets one (see docs/backends/nftables.md).
//! A schedule in a time zone is converted to UTC with the zone's offset at
//! `as_of` ([`super::plan::utc_alternatives`]): one rule per UTC part when
//! the window crosses midnight in UTC; the header says until when that is
//! exact, and W0014 warns when the end is near.

use super::addr::{Element, Family, RangeSet};
use super::plan::{
    content_id, date_to_unix, AddrMatch, AddrSet, LogAs, Plan, Rule, Window, L4, PREFIX_DENY,
    PREFIX_INVALID, PREFIX_MONITOR,
};
use super::text::sanitize;
use super::{Backend, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode, PortRange, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The table every ruleset lives in.
pub const TABLE: &str = "conduit";
/// nft rejects comments of 128 bytes and more.
const COMMENT_BYTES: usize = 120;
/// The earliest expiry `meta time` can express (00:00 UTC, 1970-01-02).
const EXPIRY_FIRST: Date = Date {
    year: 1970,
    month: 1,
    day: 2,
};
/// Log rate for denied and monitored traffic.
const LOG_LIMIT: &str = "limit rate 10/second burst 20 packets";

/// The last second the kernel clock behind `meta time` can show: it counts
/// nanoseconds since 1970 in a signed 64-bit number (2262-04-11T23:47:16Z).
/// An expiry after it can never arrive on the firewall, so "before the
/// expiry" holds at every time the rule can see and the rule carries no
/// time condition: the meaning is kept exactly. (nft itself would store
/// larger values modulo 2^64 nanoseconds: `meta time < 19880899200`, the
/// year 2600, reads back as 2015 and the rule never matches.)
pub const CLOCK_MAX_SECS: i64 = i64::MAX / 1_000_000_000;

pub struct Nftables;

impl Backend for Nftables {
    fn name(&self) -> &'static str {
        "nftables"
    }

    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic> {
        // Every plan feature has an nftables form; an expiry before 1970
        // has no `meta time` value.
        let mut errors = super::plan::expiry_limits(plan, "nftables", EXPIRY_FIRST, None);
        errors.extend(super::plan::fqdn_refusals(plan, "nftables", |_, _| {
            Some(super::plan::NO_DNS_OBJECTS.to_string())
        }));
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for set in &plan.sets {
            let nft = set_name(&set.name).into_owned();
            if let Some(other) = seen.insert(nft.clone(), &set.name) {
                errors.push(
                    Diagnostic::error(
                        "E0511",
                        format!(
                            "sets `{other}` and `{}` both become nft set `{nft}`",
                            set.name
                        ),
                    )
                    .with_help(format!(
                        "nft names hold at most {NAME_MAX} bytes: shorten one of the zone names"
                    )),
                );
            }
        }
        errors
    }

    fn warnings(&self, plan: &Plan) -> Vec<Diagnostic> {
        super::plan::utc_conversion_warnings(plan, "nftables")
    }

    fn emit(&self, plan: &Plan) -> Vec<OutputFile> {
        vec![OutputFile {
            role: "nft -f",
            suffix: "",
            text: render(plan, TABLE),
        }]
    }
}

/// The ruleset text, in table `table` (tests use their own table names).
pub fn render(plan: &Plan, table: &str) -> String {
    let mut out = String::new();
    header(&mut out, plan);
    let _ = writeln!(out, "table inet {table} {{}}");
    let _ = writeln!(out, "delete table inet {table}\n");
    let _ = writeln!(out, "table inet {table} {{");
    for set in &plan.sets {
        set_def(&mut out, set);
    }
    let lists = Lists::of(plan);
    out.push_str(&lists.defs);
    forward_chain(&mut out, plan, &lists);
    out.push_str("}\n");
    out
}

/// The accept rule that `plan.rules[index]` becomes in [`render`]'s
/// forward chain, without indentation; `None` for an index out of range.
pub fn rule_text(plan: &Plan, index: usize) -> Option<String> {
    let rule = plan.rules.get(index)?;
    let mut out = String::new();
    rule_lines(&mut out, plan, rule, &Lists::of(plan));
    accept_lines(&out)
}

/// The accept lines of [`rule_lines`] (two for a window that crosses
/// midnight in UTC), without indentation, one per line.
fn accept_lines(out: &str) -> Option<String> {
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" counter accept comment "))
        .map(str::trim_start)
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// [`rule_text`] of every rule of the plan, in order (one pass over the
/// plan, for callers that explain many packets).
pub fn rule_texts(plan: &Plan) -> Vec<String> {
    let lists = Lists::of(plan);
    plan.rules
        .iter()
        .map(|rule| {
            let mut out = String::new();
            rule_lines(&mut out, plan, rule, &lists);
            accept_lines(&out).unwrap_or_default()
        })
        .collect()
}

fn header(out: &mut String, plan: &Plan) {
    out.push_str("#!/usr/sbin/nft -f\n");
    out.push_str("# Generated by conduit from the zone-and-conduit policy. Do not edit:\n");
    out.push_str("# change the policy and compile again. Load with `nft -f FILE`.\n");
    let _ = writeln!(
        out,
        "# conduit {}, plan digest {}",
        env!("CARGO_PKG_VERSION"),
        plan.digest()
    );
    if let Some(t) = &plan.target {
        let _ = writeln!(out, "# target: {}", sanitize(t, 120));
    }
    let mode = match plan.mode {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor (nothing is dropped; would-be drops are logged)",
    };
    let _ = writeln!(out, "# mode: {mode}");
    let _ = writeln!(out, "# as of: {} (times and dates are UTC)", plan.as_of);
    for note in super::plan::utc_conversion_notes(plan) {
        let _ = writeln!(out, "# {}", sanitize(&note, 400));
    }
    out.push('\n');
}

fn set_def(out: &mut String, set: &AddrSet) {
    let ty = match set.family {
        Family::V4 => "ipv4_addr",
        Family::V6 => "ipv6_addr",
    };
    let elements: Vec<String> = set.elements().iter().map(ToString::to_string).collect();
    let _ = writeln!(out, "\tset {} {{", set_name(&set.name));
    let _ = writeln!(out, "\t\ttype {ty}");
    out.push_str("\t\tflags interval\n");
    let _ = writeln!(
        out,
        "\t\tcomment \"{}\"",
        sanitize(&set.what, COMMENT_BYTES)
    );
    let _ = writeln!(out, "\t\telements = {{ {} }}", elements.join(", "));
    out.push_str("\t}\n\n");
}

/// Address lists (asset endpoints, mixed sides) and port lists of more
/// than one element: each distinct list is a named set, defined once and
/// shared by every rule that uses it (`@l_1a2b3c4d5e6f_v4`, `@p_0ade5e854365`, named by a digest of their elements). Anonymous sets
/// would say the same, but the kernel creates and names them one by one,
/// scanning all sets of the table each time, so a ruleset of many
/// thousand anonymous sets takes minutes to load; named, deduplicated
/// lists are far fewer and far cheaper. One element needs no set at all.
#[derive(Default)]
struct Lists {
    addrs: BTreeMap<(Family, Vec<(u128, u128)>), String>,
    ports: BTreeMap<String, String>,
    /// Every list name given, to catch a clash of short digests.
    names: BTreeSet<String>,
    defs: String,
}

/// Hex digits of a list name's digest (48 bits: a clash is unlikely below
/// millions of lists, and handled when it happens).
const LIST_ID_LEN: usize = 12;

/// nft keeps names of at most 255 bytes (`NFT_NAME_MAXLEN` minus the NUL).
pub const NAME_MAX: usize = 255;

/// The nft name of a plan set: the plan's name when it fits, else its
/// first bytes, a digest of the whole name and the family suffix
/// (`z_<zone>_v4` keeps its `_v4`), exactly [`NAME_MAX`] bytes. The same
/// zone always gets the same name; [`Nftables::unsupported`] checks that
/// no two sets end up with one name.
fn set_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.len() <= NAME_MAX {
        return name.into();
    }
    let digest = content_id(name, 16);
    let suffix = name.rsplit_once('_').map_or("", |(_, s)| s);
    let keep = NAME_MAX - digest.len() - suffix.len() - 2;
    let head: String = name.chars().take(keep).collect();
    format!("{head}_{digest}_{suffix}").into()
}

impl Lists {
    fn of(plan: &Plan) -> Lists {
        let mut lists = Lists::default();
        for rule in &plan.rules {
            for m in [&rule.src, &rule.dst] {
                if let AddrMatch::Inline(r) = m {
                    lists.add_addrs(rule.family, r);
                }
            }
            if let L4::Tcp(p) | L4::Udp(p) = &rule.l4 {
                lists.add_ports(p);
                lists.add_ports(&rule.sports);
            }
        }
        lists
    }

    fn add_addrs(&mut self, family: Family, ranges: &RangeSet) {
        let items = addr_items(ranges, family);
        let key = (family, ranges.ranges().to_vec());
        if items.len() < 2 || self.addrs.contains_key(&key) {
            return;
        }
        let name = self.unique(
            &format!("l_{{}}_{}", family.suffix()),
            &format!("{family:?} {}", items.join(",")),
        );
        let ty = match family {
            Family::V4 => "ipv4_addr",
            Family::V6 => "ipv6_addr",
        };
        let _ = writeln!(
            self.defs,
            "\tset {name} {{\n\t\ttype {ty}\n\t\tflags interval\n\t\tcomment \"address list\"\n\t\telements = {{ {} }}\n\t}}\n",
            items.join(", ")
        );
        self.addrs.insert(key, name);
    }

    fn add_ports(&mut self, ranges: &[PortRange]) {
        let items = port_items(ranges);
        let key = items.join(", ");
        if items.len() < 2 || self.ports.contains_key(&key) {
            return;
        }
        let name = self.unique("p_{}", &key);
        let _ = writeln!(
            self.defs,
            "\tset {name} {{\n\t\ttype inet_service\n\t\tflags interval\n\t\tcomment \"port list\"\n\t\telements = {{ {key} }}\n\t}}\n"
        );
        self.ports.insert(key, name);
    }

    /// The name of a list from its content: `pattern` with `{}` replaced
    /// by a short digest of `content`, or the full digest in the (unlikely)
    /// case that the short one is taken.
    fn unique(&mut self, pattern: &str, content: &str) -> String {
        let short = pattern.replace("{}", &content_id(content, LIST_ID_LEN));
        let name = if self.names.insert(short.clone()) {
            short
        } else {
            pattern.replace("{}", &content_id(content, 64))
        };
        self.names.insert(name.clone());
        name
    }

    /// `@z_line1_v4`, `10.30.0.5`, `10.0.3.5-10.0.3.6` or `@l_1a2b3c4d5e6f_v4`.
    fn addr(&self, m: &AddrMatch, family: Family) -> String {
        match m {
            AddrMatch::Set(name) => format!("@{}", set_name(name)),
            AddrMatch::Inline(ranges) => {
                let items = addr_items(ranges, family);
                match items.as_slice() {
                    [one] => one.clone(),
                    _ => self
                        .addrs
                        .get(&(family, ranges.ranges().to_vec()))
                        .map_or_else(
                            || format!("{{ {} }}", items.join(", ")),
                            |n| format!("@{n}"),
                        ),
                }
            }
            // Refused in `unsupported` (E0530): never reaches the text.
            AddrMatch::Fqdn(_) => String::new(),
        }
    }

    /// `502`, `1024-65535` or `@p_0ade5e854365`.
    fn ports(&self, ranges: &[PortRange]) -> String {
        let items = port_items(ranges);
        match items.as_slice() {
            [one] => one.clone(),
            _ => {
                let key = items.join(", ");
                self.ports
                    .get(&key)
                    .map_or_else(|| format!("{{ {key} }}"), |n| format!("@{n}"))
            }
        }
    }
}

/// Set elements as nft writes them (a single host without `/32`).
fn addr_items(ranges: &RangeSet, family: Family) -> Vec<String> {
    ranges
        .elements(family)
        .iter()
        .map(|e| match e {
            Element::Prefix(a, len) if u32::from(*len) == family.bits() => a.to_string(),
            other => other.to_string(),
        })
        .collect()
}

fn port_items(ranges: &[PortRange]) -> Vec<String> {
    ranges.iter().map(ToString::to_string).collect()
}

fn forward_chain(out: &mut String, plan: &Plan, lists: &Lists) {
    let (policy, invalid) = match plan.mode {
        Mode::Enforce => ("drop", "counter drop comment \"invalid state\"".to_string()),
        Mode::Monitor => (
            "accept",
            "counter accept comment \"monitor: would drop invalid state\"".to_string(),
        ),
    };
    out.push_str("\tchain forward {\n");
    let _ = writeln!(
        out,
        "\t\ttype filter hook forward priority filter; policy {policy};"
    );
    out.push_str("\t\tct state established,related accept\n");
    if plan.log_denied {
        let prefix = match plan.mode {
            Mode::Enforce => PREFIX_INVALID,
            Mode::Monitor => PREFIX_MONITOR,
        };
        let _ = writeln!(
            out,
            "\t\tct state invalid {LOG_LIMIT} log prefix \"{prefix}\" level info"
        );
    }
    let _ = writeln!(out, "\t\tct state invalid {invalid}");
    for rule in &plan.rules {
        rule_lines(out, plan, rule, lists);
    }
    default_rule(out, plan);
    out.push_str("\t}\n");
}

fn default_rule(out: &mut String, plan: &Plan) {
    let (prefix, last) = match plan.mode {
        Mode::Enforce => (PREFIX_DENY, "counter drop comment \"default deny\""),
        Mode::Monitor => (
            PREFIX_MONITOR,
            "counter accept comment \"monitor: would drop (default deny)\"",
        ),
    };
    if plan.log_denied {
        let _ = writeln!(out, "\t\t{LOG_LIMIT} log prefix \"{prefix}\" level info");
    }
    let _ = writeln!(out, "\t\t{last}");
}

/// The accept rule of a plan rule, preceded by its log rule when it logs
/// (a separate rule, so that the rate limit never stops the accept); one
/// such pair per UTC part of a zoned window.
fn rule_lines(out: &mut String, plan: &Plan, rule: &Rule, lists: &Lists) {
    for window in super::plan::utc_alternatives(plan, rule) {
        rule_pair(out, rule, window.as_ref(), lists);
    }
}

fn rule_pair(out: &mut String, rule: &Rule, window: Option<&Window>, lists: &Lists) {
    let matches = matches(rule, window, lists);
    if let Some(log) = rule.log {
        let prefix = match log {
            LogAs::Allow => LogAs::Allow.prefix(),
            LogAs::WouldDrop => LogAs::WouldDrop.prefix(),
        };
        let _ = writeln!(
            out,
            "\t\t{matches} {LOG_LIMIT} log prefix \"{prefix}\" level info"
        );
    }
    let _ = writeln!(
        out,
        "\t\t{matches} counter accept comment \"{}\"",
        sanitize(&rule.comment, COMMENT_BYTES)
    );
}

fn matches(rule: &Rule, window: Option<&Window>, lists: &Lists) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(i) = &rule.iif {
        parts.push(format!("iifname \"{}\"", sanitize(i, 15)));
    }
    if let Some(o) = &rule.oif {
        parts.push(format!("oifname \"{}\"", sanitize(o, 15)));
    }
    let ip = match rule.family {
        Family::V4 => "ip",
        Family::V6 => "ip6",
    };
    parts.push(format!(
        "{ip} saddr {} {ip} daddr {}",
        lists.addr(&rule.src, rule.family),
        lists.addr(&rule.dst, rule.family)
    ));
    if let Some(l4) = l4(rule, lists) {
        parts.push(l4);
    }
    if let Some(w) = window.map(window_match).filter(|m| !m.is_empty()) {
        parts.push(w);
    }
    if let Some(d) = rule.expires.filter(|d| date_to_unix(*d) <= CLOCK_MAX_SECS) {
        parts.push(format!("meta time < {}", date_to_unix(d)));
    }
    parts.push("ct state new".to_string());
    parts.join(" ")
}

/// The layer-4 match of one rule: destination and source ports
/// (`udp dport 47808 udp sport 47808`), or the ICMP/ICMPv6 type and code
/// of the rule's family (`meta l4proto ipv6-icmp icmpv6 type 128`).
fn l4(rule: &Rule, lists: &Lists) -> Option<String> {
    let sport = |proto: &str| {
        if rule.sports.is_empty() {
            String::new()
        } else {
            format!(" {proto} sport {}", lists.ports(&rule.sports))
        }
    };
    let (icmp, word) = match rule.family {
        Family::V4 => ("icmp", "icmp"),
        Family::V6 => ("ipv6-icmp", "icmpv6"),
    };
    Some(match &rule.l4 {
        L4::Tcp(p) => format!("tcp dport {}{}", lists.ports(p), sport("tcp")),
        L4::Udp(p) => format!("udp dport {}{}", lists.ports(p), sport("udp")),
        L4::Icmp(None) => format!("meta l4proto {icmp}"),
        L4::Icmp(Some(t)) => match rule.icmp_code {
            None => format!("meta l4proto {icmp} {word} type {t}"),
            Some(c) => format!("meta l4proto {icmp} {word} type {t} {word} code {c}"),
        },
        L4::Proto(n) => format!("meta l4proto {n}"),
        L4::Any => return None,
    })
}

/// `meta day 1-5 meta hour 21600-64799`: days (0 = Sunday) and the
/// window in UTC seconds of the day, end inclusive.
fn window_match(w: &Window) -> String {
    let mut parts = Vec::new();
    if w.days.len() < 7 {
        parts.push(format!("meta day {}", days(w)));
    }
    if w.start_sec > 0 || w.end_sec < 86_400 {
        let end = w.end_sec.saturating_sub(1).max(w.start_sec);
        parts.push(format!("meta hour {}-{}", w.start_sec, end));
    }
    parts.join(" ")
}

/// `1-5` when the days are consecutive (a range: no anonymous set, which
/// the kernel creates and names one by one), `3` for one day, else
/// `{ 0, 6 }`.
fn days(w: &Window) -> String {
    let mut nums: Vec<u8> = w.days.iter().map(|d| day_number(*d)).collect();
    nums.sort_unstable();
    let consecutive = nums.windows(2).all(|p| matches!(p, [a, b] if a + 1 == *b));
    match (nums.first(), nums.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) if consecutive => format!("{a}-{b}"),
        _ => {
            let items: Vec<String> = nums.iter().map(ToString::to_string).collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

fn day_number(d: Weekday) -> u8 {
    match d {
        Weekday::Sun => 0,
        Weekday::Mon => 1,
        Weekday::Tue => 2,
        Weekday::Wed => 3,
        Weekday::Thu => 4,
        Weekday::Fri => 5,
        Weekday::Sat => 6,
    }
}
