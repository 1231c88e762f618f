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
    render_split(plan, table, PART_RULES)
}

/// [`render`] with classes of more than `part_rules` rules spread over
/// several maps ([`render`] uses [`PART_RULES`]; tests use small numbers
/// to exercise the spread on small policies).
pub fn render_split(plan: &Plan, table: &str, part_rules: usize) -> String {
    let layout = Layout::with_parts(plan, part_rules);
    let mut out = String::new();
    header(&mut out, plan);
    let _ = writeln!(out, "table inet {table} {{}}");
    let _ = writeln!(out, "delete table inet {table}\n");
    let _ = writeln!(out, "table inet {table} {{");
    let walked = layout.walked(plan);
    let used: BTreeSet<&str> = walked
        .clone()
        .flat_map(|r| [&r.src, &r.dst])
        .filter_map(|m| match m {
            AddrMatch::Set(name) => Some(name.as_str()),
            AddrMatch::Inline(_) | AddrMatch::Fqdn(_) => None,
        })
        .chain(
            layout
                .targets
                .values()
                .filter_map(|t| t.wide.as_ref().map(|w| w.set.as_str())),
        )
        .collect();
    for set in plan.sets.iter().filter(|s| used.contains(s.name.as_str())) {
        set_def(&mut out, set);
    }
    let mut lists = Lists::of(walked);
    out.push_str(&lists.defs);
    let classes = layout.class_names(&mut lists);
    for (key, name) in &classes {
        class_def(&mut out, plan, &layout, key, name);
    }
    target_chains(&mut out, plan, &layout);
    let dispatch = Dispatch::of(&classes);
    dispatch.defs(&mut out);
    forward_chain(&mut out, plan, &layout, &classes, &lists, &dispatch);
    out.push_str("}\n");
    out
}

/// The accept rule that `plan.rules[index]` becomes in [`render`]'s
/// forward chain, without indentation; `None` for an index out of range.
/// A rule held in a set is shown as the walked rule it stands for,
/// followed by the set that holds it (`# in set @c_1a2b3c4d5e6f_v4`).
pub fn rule_text(plan: &Plan, index: usize) -> Option<String> {
    plan.rules.get(index)?;
    rule_texts(plan)
        .into_iter()
        .nth(index)
        .filter(|t| !t.is_empty())
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
    let layout = Layout::of(plan);
    let mut lists = Lists::of(layout.walked(plan));
    let classes = layout.class_names(&mut lists);
    let mut set_of: BTreeMap<usize, &str> = BTreeMap::new();
    for (key, name) in &classes {
        for &i in layout.classes.get(key).into_iter().flatten() {
            set_of.entry(i).or_insert(name);
        }
    }
    for (&udp, tcp) in &layout.twins {
        if let Some(&name) = set_of.get(tcp) {
            set_of.insert(udp, name);
        }
    }
    plan.rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let mut out = String::new();
            rule_lines(&mut out, plan, rule, &lists);
            let line = accept_lines(&out).unwrap_or_default();
            match set_of.get(&i) {
                Some(name) => format!("{line} # in set @{name}"),
                None => line,
            }
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
    fn of<'a>(rules: impl Iterator<Item = &'a Rule>) -> Lists {
        let mut lists = Lists::default();
        for rule in rules {
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

fn forward_chain(
    out: &mut String,
    plan: &Plan,
    layout: &Layout,
    classes: &BTreeMap<ClassKey, String>,
    lists: &Lists,
    dispatch: &Dispatch,
) {
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
    for (segment, walk) in layout.walks.iter().enumerate() {
        if let Some(map) = dispatch.maps.get(&segment) {
            let _ = writeln!(
                out,
                "\t\tct state new meta l4proto . th dport vmap @{}",
                map.name
            );
        }
        for (key, name) in classes.range(ClassKey::first_of(segment)..) {
            if key.segment != segment {
                break;
            }
            if key.port.is_none() {
                lookup_rule(out, key, name);
            }
        }
        for &i in walk {
            if let Some(rule) = plan.rules.get(i) {
                rule_lines(out, plan, rule, lists);
            }
        }
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

/// Everything a walked rule matches, in nft order: interfaces, addresses,
/// protocol and ports, schedule (`window`: one UTC part of the rule's
/// window), expiry, `ct state new`.
fn matches(rule: &Rule, window: Option<&Window>, lists: &Lists) -> String {
    let mut parts: Vec<String> = interfaces(rule);
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
    parts.extend(times(rule, window));
    parts.push("ct state new".to_string());
    parts.join(" ")
}

fn interfaces(rule: &Rule) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(i) = &rule.iif {
        parts.push(format!("iifname \"{}\"", sanitize(i, 15)));
    }
    if let Some(o) = &rule.oif {
        parts.push(format!("oifname \"{}\"", sanitize(o, 15)));
    }
    parts
}

/// The schedule part `window` and the expiry of a rule.
fn times(rule: &Rule, window: Option<&Window>) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(w) = window {
        parts.push(window_match(w));
    }
    if let Some(d) = rule.expires.filter(|d| date_to_unix(*d) <= CLOCK_MAX_SECS) {
        parts.push(format!("meta time < {}", date_to_unix(d)));
    }
    parts.retain(|p| !p.is_empty());
    parts
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

// ---------------------------------------------------------------------------
// The packet path: set lookups for most rules, a short walk for the rest.
//
// A rule walk costs every new connection one rule evaluation per rule
// before the one that accepts it. Instead, each rule that fits a key
// becomes elements of a concatenated interval verdict map, keyed on
// `saddr . daddr . l4proto . dport` (or a shorter key), with per-element
// counters and comments; an element maps to `accept`, or to the chain of
// what its rule still checks (interfaces, schedule, expiry, a wide side,
// logging), one chain per distinct combination. A lookup costs about the
// same whatever the number of elements.
//
// The walk keeps its first-match meaning exactly. The plan's rules are cut
// into segments (a new one where the rule kind changes: allow rules, then
// monitor scope rules); inside a segment the set lookups come first, then
// the segment's walked rules in plan order. A rule goes into a set only
// when it overlaps (in addresses, protocol and ports, ignoring time and
// interfaces) no earlier rule of its segment. So a packet matches an
// element of at most one set rule, and when it does, no earlier rule can
// match it: that rule is the first match of the walk, and accepting it at
// once is what the walk would do. When its condition does not hold, the
// packet goes on to the walked rules, which are the remaining candidates in
// plan order. (See docs/backends/nftables.md.)
// ---------------------------------------------------------------------------

/// The fields a set is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    /// `meta l4proto tcp` then `saddr . daddr . th dport` (TCP with
    /// ports). The protocol selects the map instead of being a key field:
    /// a key of three fields costs `nft` and the kernel about a quarter
    /// less per element to load than one of four.
    Tcp,
    /// `meta l4proto udp` then `saddr . daddr . th dport` (UDP with ports).
    Udp,
    /// `meta l4proto { tcp, udp }` then `saddr . daddr . th dport`: a TCP
    /// rule and a UDP rule of one service with the same sides and ports
    /// (DNS, Kerberos, LDAP), one element for both (see
    /// [`Layout::merge_tcp_udp`]).
    TcpUdp,
    /// `saddr . daddr . meta l4proto` (ICMP without a type, IP protocols).
    Proto,
    /// `saddr . daddr` (any protocol: monitor scope rules).
    Addrs,
}

/// The key shape a rule's elements would have, or `None` when the rule
/// must be walked. This is the one place that decides what may go into a
/// set: it names every field of [`Rule`] (a field added to the plan fails
/// to compile here until someone decides whether sets can express it) and
/// every [`L4`] variant, and each field it lets through is either part of
/// the key or checked in the target chain ([`condition`], [`Target`]).
fn set_shape(rule: &Rule) -> Option<Shape> {
    let Rule {
        kind: _,          // segments
        conduit: _,       // comment only
        service: _,       // comment only
        family: _,        // one set per family
        src,              // key
        dst,              // key
        src_zones: _,     // vendor zones only
        dst_zones: _,     // vendor zones only
        iif: _,           // condition
        oif: _,           // condition
        l4,               // key
        sports,           // walked when it restricts the source port
        icmp_code,        // walked when it names a code
        dst_multicast: _, // a group is a plain destination address: key
        window,           // condition; a zoned window (one or two UTC parts) is walked
        expires: _,       // condition
        log: _,           // condition (the set is a map to a log chain)
        comment: _,       // element comment
    } = rule;
    let bounded = |m: &AddrMatch| match m {
        AddrMatch::Set(_) | AddrMatch::Inline(_) => true,
        AddrMatch::Fqdn(_) => false,
    };
    if !bounded(src) || !bounded(dst) || !sports.is_empty() || icmp_code.is_some() {
        return None;
    }
    if window.as_ref().is_some_and(|w| w.zone.is_some()) {
        return None;
    }
    match l4 {
        L4::Tcp(p) if !p.is_empty() => Some(Shape::Tcp),
        L4::Udp(p) if !p.is_empty() => Some(Shape::Udp),
        L4::Tcp(_) | L4::Udp(_) => None,
        L4::Icmp(None) | L4::Proto(_) => Some(Shape::Proto),
        L4::Icmp(Some(_)) => None,
        L4::Any => Some(Shape::Addrs),
    }
}

/// Interfaces, schedule and expiry of a rule: what its target chain must
/// check besides the key (empty for most rules).
fn condition(rule: &Rule) -> String {
    let mut parts = interfaces(rule);
    // Only rules without a zoned window reach a map (see `set_shape`).
    parts.extend(times(rule, rule.window.as_ref()));
    parts.join(" ")
}

/// One verdict map: the set rules of a segment and family with the same
/// key fields. Set rules of a segment never overlap, so one map holds them
/// all, whatever their conditions: each element maps to `accept` or to the
/// chain of its rule's [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ClassKey {
    segment: usize,
    family: Family,
    shape: Shape,
    /// `Some(true)`: the destination is left out of the key (a wide
    /// destination), `Some(false)`: the source.
    wide_dst: Option<bool>,
    /// A port with a map of its own (see [`Layout::by_port`]): the key is
    /// `saddr . daddr`, looked up from the port's dispatch chain; `None`
    /// for the rest of the shape (port ranges, less used ports).
    port: Option<u16>,
    /// Which of `parts` maps of the same key fields this one is: a class
    /// of more than [`PART_RULES`] rules is spread over several maps by a
    /// hash of each rule's conduit name (see [`Layout::split`]).
    part: u32,
    parts: u32,
}

/// Rules per map before a class is spread over several maps. Loading a
/// concatenated interval map costs the kernel more per element the larger
/// the map is (the `pipapo` tables are rebuilt as elements are added), so
/// several maps of at most about 30,000 elements load in half the time of
/// one large one; a packet is then looked up in each of them, a constant
/// number of lookups whichever conduit allows it. Elements of one segment
/// never overlap, so the order of these lookups does not matter.
const PART_RULES: usize = 8_192;

/// What an element's rule still checks after the lookup: its condition
/// (interfaces, schedule, expiry), its wide side and its logging. With
/// none of them, the element's verdict is `accept`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    condition: String,
    /// 0: none, 1: allow, 2: would drop.
    log: u8,
    wide: Option<Wide>,
}

/// A side with many ranges (the internet: everything no inner zone
/// holds) would multiply a rule's elements by its range count, so it is
/// left out of the key: the elements then hold the other side, and map to
/// a chain that checks the wide side against its zone set and accepts.
/// The element is a pre-filter; only the chain accepts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Wide {
    /// Whether the destination (else the source) is the wide side.
    dst: bool,
    /// The plan set that holds it.
    set: String,
}

/// Elements a rule may expand to (sources x destinations x port ranges)
/// before a zone side is left out of the key.
const ELEMENTS_MAX: usize = 64;

impl ClassKey {
    /// The smallest key of a segment (for range queries).
    fn first_of(segment: usize) -> ClassKey {
        ClassKey {
            segment,
            family: Family::V4,
            shape: Shape::Tcp,
            wide_dst: None,
            port: None,
            part: 0,
            parts: 0,
        }
    }
}

impl Target {
    fn is_plain(&self) -> bool {
        self.condition.is_empty() && self.log == 0 && self.wide.is_none()
    }

    fn log(&self) -> Option<LogAs> {
        match self.log {
            1 => Some(LogAs::Allow),
            2 => Some(LogAs::WouldDrop),
            _ => None,
        }
    }
}

fn log_code(log: Option<LogAs>) -> u8 {
    match log {
        None => 0,
        Some(LogAs::Allow) => 1,
        Some(LogAs::WouldDrop) => 2,
    }
}

/// Where each rule goes: a map (with its target) or its segment's walk.
#[derive(Debug, Default)]
struct Layout {
    /// Rule indices per map, in plan order.
    classes: BTreeMap<ClassKey, Vec<usize>>,
    /// The target of every rule in a map.
    targets: BTreeMap<usize, Target>,
    /// Per segment, the walked rule indices in plan order.
    walks: Vec<Vec<usize>>,
    /// UDP rules whose elements their TCP twin's hold, by the twin.
    twins: BTreeMap<usize, usize>,
    /// The ports with maps of their own, per map they left (segment,
    /// family, shape): that map holds a rule's other ports.
    own_ports: BTreeSet<(usize, Family, Shape, u16)>,
}

impl Layout {
    fn of(plan: &Plan) -> Layout {
        Layout::with_parts(plan, PART_RULES)
    }

    fn with_parts(plan: &Plan, part_rules: usize) -> Layout {
        let mut layout = Layout::default();
        let buckets = Buckets::of(plan);
        // Earlier rules per (segment, family, source bucket, destination
        // bucket): only rules of one bucket pair can overlap.
        let mut earlier: BTreeMap<(usize, Family, usize, usize), Vec<usize>> = BTreeMap::new();
        // Rules of wide maps per (map, bucket of the side kept in the key).
        let mut wide_rules: BTreeMap<(ClassKey, usize), Vec<usize>> = BTreeMap::new();
        let mut kind = None;
        let mut complete = true;
        for (i, rule) in plan.rules.iter().enumerate() {
            if kind != Some(rule.kind) || layout.walks.is_empty() {
                kind = Some(rule.kind);
                layout.walks.push(Vec::new());
            }
            let segment = layout.walks.len() - 1;
            let (Some(src), Some(dst)) = (
                buckets.of_side(rule.family, &rule.src_zones),
                buckets.of_side(rule.family, &rule.dst_zones),
            ) else {
                complete = false;
                break;
            };
            let group = earlier.entry((segment, rule.family, src, dst)).or_default();
            let overlapped = group
                .iter()
                .filter_map(|&j| plan.rules.get(j))
                .any(|other| overlaps(plan, rule, other));
            group.push(i);
            let placed = match (set_shape(rule), overlapped) {
                (Some(shape), false) => wide_side(plan, rule).and_then(|wide| {
                    let key = ClassKey {
                        segment,
                        family: rule.family,
                        shape,
                        wide_dst: wide.as_ref().map(|w| w.dst),
                        port: None,
                        part: 0,
                        parts: 1,
                    };
                    if let Some(w) = &wide {
                        // Elements of one map must not overlap: with a side
                        // left out, the rules must differ in the rest.
                        let kept = if w.dst { src } else { dst };
                        let list = wide_rules.entry((key, kept)).or_default();
                        let clash = list
                            .iter()
                            .filter_map(|&j| plan.rules.get(j))
                            .any(|other| overlaps_without(plan, rule, other, Some(w)));
                        if clash {
                            return None;
                        }
                        list.push(i);
                    }
                    Some((key, wide))
                }),
                _ => None,
            };
            match placed {
                Some((key, wide)) => {
                    layout.classes.entry(key).or_default().push(i);
                    layout.targets.insert(
                        i,
                        Target {
                            condition: condition(rule),
                            log: log_code(rule.log),
                            wide,
                        },
                    );
                }
                None => {
                    if let Some(walk) = layout.walks.last_mut() {
                        walk.push(i);
                    }
                }
            }
        }
        if !complete {
            // A rule side without zones (none today): walk everything.
            return Layout {
                classes: BTreeMap::new(),
                targets: BTreeMap::new(),
                walks: vec![(0..plan.rules.len()).collect()],
                twins: BTreeMap::new(),
                own_ports: BTreeSet::new(),
            };
        }
        layout.merge_tcp_udp(plan);
        layout.by_port(plan, (part_rules / PORT_SHARE).max(1));
        layout.split(plan, part_rules.max(1));
        layout
    }

    /// Gives every single port that at least `port_rules` rules of a TCP,
    /// UDP or twin map allow a map of its own, keyed `saddr . daddr`: the
    /// forward chain looks up `meta l4proto . th dport` once in the
    /// segment's dispatch map, which jumps to the port's chain, which
    /// looks up the port's maps. A key of two fields loads about a tenth
    /// faster than one of three, and a packet is looked up in the maps of
    /// its own port, not in every map of its protocol. A rule with several
    /// ports is in the map of each such port, and in its shape's map for
    /// its other ports and ranges. Elements of one segment still never
    /// overlap: each map holds a part of some rules' keys.
    fn by_port(&mut self, plan: &Plan, port_rules: usize) {
        let mut count: BTreeMap<(ClassKey, u16), usize> = BTreeMap::new();
        for (key, rules) in &self.classes {
            if !Self::dispatchable(key) {
                continue;
            }
            for &i in rules {
                for port in single_ports(plan, i) {
                    *count.entry((*key, port)).or_default() += 1;
                }
            }
        }
        let own: BTreeSet<(ClassKey, u16)> = count
            .into_iter()
            .filter(|&(_, n)| n >= port_rules)
            .map(|(k, _)| k)
            .collect();
        if own.is_empty() {
            return;
        }
        self.own_ports = own
            .iter()
            .map(|(k, p)| (k.segment, k.family, k.shape, *p))
            .collect();
        let classes = std::mem::take(&mut self.classes);
        for (key, rules) in classes {
            if !Self::dispatchable(&key) {
                self.classes.insert(key, rules);
                continue;
            }
            for i in rules {
                let mut rest = false;
                for item in rule_ports(plan, i) {
                    let single = (item.lo == item.hi).then_some(item.lo);
                    match single.filter(|&p| own.contains(&(key, p))) {
                        Some(p) => {
                            let k = ClassKey {
                                port: Some(p),
                                ..key
                            };
                            let list = self.classes.entry(k).or_default();
                            if list.last() != Some(&i) {
                                list.push(i);
                            }
                        }
                        None => rest = true,
                    }
                }
                if rest {
                    self.classes.entry(key).or_default().push(i);
                }
            }
        }
    }

    /// Whether a map's rules may move to maps of their ports: port maps
    /// that hold both sides in the key.
    fn dispatchable(key: &ClassKey) -> bool {
        matches!(key.shape, Shape::Tcp | Shape::Udp | Shape::TcpUdp)
            && key.wide_dst.is_none()
            && key.port.is_none()
    }

    /// A service that allows the same ports over TCP and UDP gives a TCP
    /// rule and a UDP rule with the same sides, target and comment: they
    /// become one element per key in a map looked up for either protocol,
    /// so a conduit to a DNS server costs the load half the elements. The
    /// twins' elements are the TCP rule's keys, which no other rule of
    /// the TCP map overlaps, nor (being the UDP rule's keys too) any rule
    /// of the UDP map, so the maps of a segment still never overlap.
    fn merge_tcp_udp(&mut self, plan: &Plan) {
        let twin_key = |key: &ClassKey, i: usize| -> Option<String> {
            let rule = plan.rules.get(i)?;
            let ports = match &rule.l4 {
                L4::Tcp(p) | L4::Udp(p) => p,
                _ => return None,
            };
            Some(format!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                key.segment,
                key.family,
                key.wide_dst,
                rule.src,
                rule.dst,
                ports,
                self.targets.get(&i),
                element_comment(&rule.comment)
            ))
        };
        let mut udp: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (key, rules) in &self.classes {
            if key.shape == Shape::Udp {
                for &i in rules.iter().rev() {
                    if let Some(k) = twin_key(key, i) {
                        udp.entry(k).or_default().push(i);
                    }
                }
            }
        }
        if udp.is_empty() {
            return;
        }
        let mut twins = BTreeMap::new();
        for (key, rules) in &self.classes {
            if key.shape == Shape::Tcp {
                for &i in rules {
                    let found = twin_key(key, i)
                        .and_then(|k| udp.get_mut(&k))
                        .and_then(Vec::pop);
                    if let Some(u) = found {
                        twins.insert(
                            i,
                            (
                                u,
                                ClassKey {
                                    shape: Shape::TcpUdp,
                                    ..*key
                                },
                            ),
                        );
                    }
                }
            }
        }
        let merged: BTreeSet<usize> = twins.iter().flat_map(|(&t, &(u, _))| [t, u]).collect();
        for rules in self.classes.values_mut() {
            rules.retain(|i| !merged.contains(i));
        }
        self.classes.retain(|_, rules| !rules.is_empty());
        for (t, (u, key)) in twins {
            self.classes.entry(key).or_default().push(t);
            self.twins.insert(u, t);
        }
    }

    /// Spreads every class of more than [`PART_RULES`] rules over a power
    /// of two of maps, each rule by a hash of its conduit's name: a
    /// conduit added or removed moves no other conduit's elements to
    /// another map (unless the number of maps changes).
    fn split(&mut self, plan: &Plan, part_rules: usize) {
        let classes = std::mem::take(&mut self.classes);
        for (key, rules) in classes {
            let parts = rules.len().div_ceil(part_rules).next_power_of_two();
            if parts <= 1 {
                self.classes.insert(key, rules);
                continue;
            }
            let parts = u32::try_from(parts).unwrap_or(u32::MAX);
            for i in rules {
                let part = plan
                    .rules
                    .get(i)
                    .map_or(0, |r| fnv1a(part_of(r).as_bytes()) % u64::from(parts));
                let part_key = ClassKey {
                    part: u32::try_from(part).unwrap_or(0),
                    parts,
                    ..key
                };
                self.classes.entry(part_key).or_default().push(i);
            }
        }
    }

    /// The walked rules, in the order the chain holds them.
    fn walked<'a>(&'a self, plan: &'a Plan) -> impl Iterator<Item = &'a Rule> + Clone + 'a {
        self.walks
            .iter()
            .flatten()
            .filter_map(move |&i| plan.rules.get(i))
    }

    /// `c_<digest>_v4` per map, from what the map holds (its segment's
    /// ordinal, family and key fields), so that a conduit added elsewhere
    /// never renames a map.
    fn class_names(&self, lists: &mut Lists) -> BTreeMap<ClassKey, String> {
        self.classes
            .keys()
            .map(|k| {
                let mut content = format!(
                    "{} {:?} {:?} {:?}",
                    k.segment, k.family, k.shape, k.wide_dst
                );
                if let Some(port) = k.port {
                    content.push_str(&format!(" port {port}"));
                }
                if k.parts > 1 {
                    content.push_str(&format!(" part {} of {}", k.part, k.parts));
                }
                let name = lists.unique(&format!("c_{{}}_{}", k.family.suffix()), &content);
                (*k, name)
            })
            .collect()
    }

    /// The distinct targets that need a chain, per family.
    fn target_chains(&self, plan: &Plan) -> BTreeSet<(Family, &Target)> {
        self.targets
            .iter()
            .filter(|(_, t)| !t.is_plain())
            .filter_map(|(&i, t)| plan.rules.get(i).map(|r| (r.family, t)))
            .collect()
    }
}

/// A port gets a map of its own (see [`Layout::by_port`]) when this
/// share of a map's part size ([`PART_RULES`]), 512 rules, allow it: below
/// that a dispatch chain costs more than the field it saves.
const PORT_SHARE: usize = 16;

/// The port ranges of a TCP or UDP rule (empty for other rules).
fn rule_ports(plan: &Plan, i: usize) -> &[PortRange] {
    match plan.rules.get(i).map(|r| &r.l4) {
        Some(L4::Tcp(p) | L4::Udp(p)) => p,
        _ => &[],
    }
}

/// The single ports of a rule, each once.
fn single_ports(plan: &Plan, i: usize) -> BTreeSet<u16> {
    rule_ports(plan, i)
        .iter()
        .filter(|r| r.lo == r.hi)
        .map(|r| r.lo)
        .collect()
}

/// Whether some packet could match both rules (addresses, protocol and
/// ports; time and interfaces are ignored, which only ever says yes more
/// often).
fn overlaps(plan: &Plan, a: &Rule, b: &Rule) -> bool {
    overlaps_without(plan, a, b, None)
}

/// [`overlaps`], counting every address of the `wide` side as shared.
fn overlaps_without(plan: &Plan, a: &Rule, b: &Rule, wide: Option<&Wide>) -> bool {
    if a.family != b.family {
        return false;
    }
    let side = |x: &AddrMatch, y: &AddrMatch| match (plan.ranges(x), plan.ranges(y)) {
        (Some(x), Some(y)) => x.intersects(y),
        _ => true,
    };
    let (src, dst) = match wide {
        Some(w) if w.dst => (side(&a.src, &b.src), true),
        Some(_) => (true, side(&a.dst, &b.dst)),
        None => (side(&a.src, &b.src), side(&a.dst, &b.dst)),
    };
    src && dst && l4_overlaps(&a.l4, &b.l4, a.family)
}

/// Whether a set rule keeps both sides in its key (`Some(None)`), leaves
/// a wide zone side out (`Some(Some(_))`), or is walked (`None`: both
/// sides are wide).
fn wide_side(plan: &Plan, rule: &Rule) -> Option<Option<Wide>> {
    let count = |m: &AddrMatch| plan.ranges(m).map_or(usize::MAX, |r| r.ranges().len());
    let ports = match &rule.l4 {
        L4::Tcp(p) | L4::Udp(p) => p.len(),
        _ => 1,
    };
    let (src, dst) = (count(&rule.src), count(&rule.dst));
    let fits = |n: usize| n.saturating_mul(ports) <= ELEMENTS_MAX;
    if fits(src.saturating_mul(dst)) {
        return Some(None);
    }
    match (&rule.src, &rule.dst) {
        (_, AddrMatch::Set(set)) if fits(src) => Some(Some(Wide {
            dst: true,
            set: set.clone(),
        })),
        (AddrMatch::Set(set), _) if fits(dst) => Some(Some(Wide {
            dst: false,
            set: set.clone(),
        })),
        _ => None,
    }
}

fn l4_overlaps(a: &L4, b: &L4, family: Family) -> bool {
    let proto = |l: &L4| match l {
        L4::Tcp(_) => Some(6),
        L4::Udp(_) => Some(17),
        L4::Icmp(_) => Some(match family {
            Family::V4 => 1,
            Family::V6 => 58,
        }),
        L4::Proto(n) => Some(*n),
        L4::Any => None,
    };
    if let (Some(x), Some(y)) = (proto(a), proto(b)) {
        if x != y {
            return false;
        }
    }
    match (a, b) {
        (L4::Tcp(p) | L4::Udp(p), L4::Tcp(q) | L4::Udp(q)) => p
            .iter()
            .any(|x| q.iter().any(|y| x.lo <= y.hi && y.lo <= x.hi)),
        (L4::Icmp(Some(x)), L4::Icmp(Some(y))) => x == y,
        _ => true,
    }
}

/// Groups of zones whose rule addresses can meet: two rules overlap only
/// if their sources share a group and their destinations share a group.
/// Zones named together on one rule side are one group, and so are zones
/// whose rule addresses intersect (a union-find over the zone names, then
/// a sweep over every side's ranges), so the groups are disjoint in
/// address space by construction, whatever the plan's zones look like.
struct Buckets {
    zone: BTreeMap<(Family, String), usize>,
    parent: Vec<usize>,
}

impl Buckets {
    fn of(plan: &Plan) -> Buckets {
        let mut b = Buckets {
            zone: BTreeMap::new(),
            parent: Vec::new(),
        };
        let mut ranges: BTreeMap<Family, Vec<(u128, u128, usize)>> = BTreeMap::new();
        for rule in &plan.rules {
            for (m, zones) in [(&rule.src, &rule.src_zones), (&rule.dst, &rule.dst_zones)] {
                let ids: Vec<usize> = zones.iter().map(|z| b.id(rule.family, z)).collect();
                let Some(&first) = ids.first() else { continue };
                for &other in &ids {
                    b.union(first, other);
                }
                if let Some(r) = plan.ranges(m) {
                    let list = ranges.entry(rule.family).or_default();
                    list.extend(r.ranges().iter().map(|&(lo, hi)| (lo, hi, first)));
                }
            }
        }
        for list in ranges.values_mut() {
            list.sort_unstable();
            let mut reach: Option<(u128, usize)> = None;
            for &(lo, hi, id) in list.iter() {
                match reach {
                    Some((end, owner)) if lo <= end => {
                        b.union(owner, id);
                        if hi > end {
                            reach = Some((hi, id));
                        }
                    }
                    _ => reach = Some((hi, id)),
                }
            }
        }
        b
    }

    fn id(&mut self, family: Family, zone: &str) -> usize {
        let next = self.parent.len();
        let id = *self.zone.entry((family, zone.to_string())).or_insert(next);
        if id == next {
            self.parent.push(next);
        }
        id
    }

    fn find(&self, mut x: usize) -> usize {
        while let Some(&p) = self.parent.get(x) {
            if p == x {
                break;
            }
            x = p;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            if let Some(slot) = self.parent.get_mut(ra.max(rb)) {
                *slot = ra.min(rb);
            }
        }
    }

    /// The group of a rule side (`None` for a side without zones).
    fn of_side(&self, family: Family, zones: &[String]) -> Option<usize> {
        let first = zones.first()?;
        let id = self.zone.get(&(family, first.clone()))?;
        Some(self.find(*id))
    }
}

/// The verdict map of one key shape: one element per combination of
/// source, destination and port range of each rule, each with the rule's
/// comment and its own counter, mapping to `accept` or to the rule's
/// target chain.
fn class_def(out: &mut String, plan: &Plan, layout: &Layout, key: &ClassKey, name: &str) {
    let addr = match key.family {
        Family::V4 => "ipv4_addr",
        Family::V6 => "ipv6_addr",
    };
    let addrs = match key.wide_dst {
        Some(_) => addr.to_string(),
        None => format!("{addr} . {addr}"),
    };
    let ty = match key.shape {
        Shape::Tcp | Shape::Udp | Shape::TcpUdp if key.port.is_some() => addrs,
        Shape::Tcp | Shape::Udp | Shape::TcpUdp => format!("{addrs} . inet_service"),
        Shape::Proto => format!("{addrs} . inet_proto"),
        Shape::Addrs => addrs,
    };
    let _ = writeln!(out, "\tmap {name} {{");
    let _ = writeln!(out, "\t\ttype {ty} : verdict");
    out.push_str("\t\tflags interval\n\t\tcounter\n");
    let _ = writeln!(
        out,
        "\t\tcomment \"{}\"",
        sanitize(&class_comment(key), COMMENT_BYTES)
    );
    out.push_str("\t\telements = { ");
    let mut first = true;
    for &i in layout.classes.get(key).into_iter().flatten() {
        let (Some(rule), Some(target)) = (plan.rules.get(i), layout.targets.get(&i)) else {
            continue;
        };
        let verdict = if target.is_plain() {
            "accept".to_string()
        } else {
            format!("jump {}", target_chain(rule.family, target))
        };
        let comment = sanitize(element_comment(&rule.comment), COMMENT_BYTES);
        let ports = match key.port {
            Some(_) => Ports::Own,
            None if Layout::dispatchable(key) => Ports::Except(layout, key),
            None => Ports::All,
        };
        for element in elements(plan, rule, target.wide.as_ref(), ports) {
            if !first {
                out.push_str(",\n\t\t\t     ");
            }
            first = false;
            let _ = write!(out, "{element} comment \"{comment}\" : {verdict}");
        }
    }
    out.push_str(" }\n\t}\n\n");
}

/// The comment of a map element: the rule comment up to its first `; `
/// (`conduit NAME service SERVICE`), which names the conduit and is what
/// counters are read by; the justification and the rest stay in the
/// policy. Comment text is a large part of what `nft` parses for a map of
/// 100,000 elements.
fn element_comment(comment: &str) -> &str {
    comment.split_once("; ").map_or(comment, |(head, _)| head)
}

/// What decides a rule's map when a class is spread: its first source
/// zone, so that the elements of one zone (neighbours in address space)
/// share a map, which the kernel loads faster than scattered ones.
fn part_of(rule: &Rule) -> &str {
    rule.src_zones
        .first()
        .map_or(rule.conduit.as_str(), String::as_str)
}

/// 64-bit FNV-1a: a stable hash, the same on every machine and release.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a map holds, for its comment.
fn class_comment(key: &ClassKey) -> String {
    let what = match key.shape {
        Shape::Tcp => "tcp ports",
        Shape::Udp => "udp ports",
        Shape::TcpUdp => "the same ports over tcp and udp",
        Shape::Proto => "protocols",
        Shape::Addrs => "any protocol",
    };
    let side = match key.wide_dst {
        None => "",
        Some(true) => "; by source, the destination zone in the target chain",
        Some(false) => "; by destination, the source zone in the target chain",
    };
    let what = match (key.shape, key.port) {
        (Shape::Tcp, Some(port)) => format!("tcp port {port}"),
        (Shape::Udp, Some(port)) => format!("udp port {port}"),
        (_, Some(port)) => format!("port {port} over tcp and udp"),
        (_, None) => what.to_string(),
    };
    let part = if key.parts > 1 {
        format!(" (map {} of {})", key.part + 1, key.parts)
    } else {
        String::new()
    };
    format!("conduits: {what}{side}{part}")
}

/// Which port items of a rule a map holds.
#[derive(Clone, Copy)]
enum Ports<'a> {
    /// A port's own map: the port is not in the key.
    Own,
    /// Every item except the ports with maps of their own.
    Except(&'a Layout, &'a ClassKey),
    /// Every item (maps whose rules never move to port maps).
    All,
}

/// The elements of a set rule: `10.0.0.5 . 10.1.0.0/24 . 502` (in a map
/// of TCP ports).
fn elements(plan: &Plan, rule: &Rule, wide: Option<&Wide>, ports: Ports) -> Vec<String> {
    let (Some(src), Some(dst)) = (plan.ranges(&rule.src), plan.ranges(&rule.dst)) else {
        return Vec::new();
    };
    let (srcs, dsts) = match wide {
        None => (addr_items(src, rule.family), addr_items(dst, rule.family)),
        Some(w) if w.dst => (addr_items(src, rule.family), vec![String::new()]),
        Some(_) => (vec![String::new()], addr_items(dst, rule.family)),
    };
    let tails: Vec<String> = match (&rule.l4, rule.family) {
        // The protocol selects the map (see `Shape::Tcp`).
        (L4::Tcp(p) | L4::Udp(p), _) => match ports {
            // The port's dispatch chain selects the map: no port field.
            Ports::Own => vec![String::new()],
            Ports::All => p.iter().map(|r| format!(" . {r}")).collect(),
            Ports::Except(layout, key) => p
                .iter()
                .filter(|r| {
                    r.lo != r.hi
                        || !layout
                            .own_ports
                            .contains(&(key.segment, key.family, key.shape, r.lo))
                })
                .map(|r| format!(" . {r}"))
                .collect(),
        },
        (L4::Icmp(_), Family::V4) => vec![" . icmp".to_string()],
        (L4::Icmp(_), Family::V6) => vec![" . ipv6-icmp".to_string()],
        (L4::Proto(n), _) => vec![format!(" . {n}")],
        (L4::Any, _) => vec![String::new()],
    };
    let mut out = Vec::with_capacity(srcs.len() * dsts.len() * tails.len());
    for s in &srcs {
        for d in &dsts {
            for t in &tails {
                let sep = if s.is_empty() || d.is_empty() {
                    ""
                } else {
                    " . "
                };
                out.push(format!("{s}{sep}{d}{t}"));
            }
        }
    }
    out
}

/// `ct state new meta l4proto tcp ip saddr . ip daddr . th dport vmap
/// @c_1a2b3c4d5e6f_v4`.
fn lookup_rule(out: &mut String, key: &ClassKey, name: &str) {
    let ip = match key.family {
        Family::V4 => "ip",
        Family::V6 => "ip6",
    };
    let addrs = match key.wide_dst {
        Some(true) => format!("{ip} saddr"),
        Some(false) => format!("{ip} daddr"),
        None => format!("{ip} saddr . {ip} daddr"),
    };
    let fields = match key.shape {
        Shape::Tcp => format!("meta l4proto tcp {addrs} . th dport"),
        Shape::Udp => format!("meta l4proto udp {addrs} . th dport"),
        Shape::TcpUdp => format!("meta l4proto {{ tcp, udp }} {addrs} . th dport"),
        Shape::Proto => format!("{addrs} . meta l4proto"),
        Shape::Addrs => addrs,
    };
    let _ = writeln!(out, "\t\tct state new {fields} vmap @{name}");
}

/// The dispatch of a segment's ports with maps of their own: a map from
/// `meta l4proto . th dport` to one chain per protocol and port, which
/// looks up that port's maps (both families, every part; for TCP also the
/// twins' map, for UDP too).
#[derive(Default)]
struct Dispatch {
    maps: BTreeMap<usize, DispatchMap>,
}

struct DispatchMap {
    /// `ports_<digest>`, from the segment's ordinal.
    name: String,
    /// Per (protocol, port): the chain's name and its lookups
    /// (`ip saddr . ip daddr vmap @c_..._v4`).
    chains: BTreeMap<(&'static str, u16), (String, Vec<String>)>,
}

impl Dispatch {
    fn of(classes: &BTreeMap<ClassKey, String>) -> Dispatch {
        let mut d = Dispatch::default();
        for (key, name) in classes {
            let Some(port) = key.port else {
                continue;
            };
            let protos: &[&'static str] = match key.shape {
                Shape::Tcp => &["tcp"],
                Shape::Udp => &["udp"],
                Shape::TcpUdp => &["tcp", "udp"],
                // Only port shapes get port maps (`Layout::dispatchable`).
                Shape::Proto | Shape::Addrs => continue,
            };
            let ip = match key.family {
                Family::V4 => "ip",
                Family::V6 => "ip6",
            };
            let map = d.maps.entry(key.segment).or_insert_with(|| DispatchMap {
                name: format!(
                    "ports_{}",
                    content_id(&format!("segment {}", key.segment), LIST_ID_LEN)
                ),
                chains: BTreeMap::new(),
            });
            for &proto in protos {
                let (_, lookups) = map.chains.entry((proto, port)).or_insert_with(|| {
                    let content = format!("segment {} {proto} port {port}", key.segment);
                    (
                        format!("d_{}", content_id(&content, LIST_ID_LEN)),
                        Vec::new(),
                    )
                });
                lookups.push(format!("{ip} saddr . {ip} daddr vmap @{name}"));
            }
        }
        d
    }

    fn defs(&self, out: &mut String) {
        for map in self.maps.values() {
            for (name, lookups) in map.chains.values() {
                let _ = writeln!(out, "\tchain {name} {{");
                for l in lookups {
                    let _ = writeln!(out, "\t\t{l}");
                }
                out.push_str("\t}\n\n");
            }
            let _ = writeln!(out, "\tmap {} {{", map.name);
            out.push_str("\t\ttype inet_proto . inet_service : verdict\n");
            out.push_str("\t\tcomment \"ports with maps of their own\"\n");
            let elements: Vec<String> = map
                .chains
                .iter()
                .map(|((proto, port), (chain, _))| format!("{proto} . {port} : jump {chain}"))
                .collect();
            let _ = writeln!(
                out,
                "\t\telements = {{ {} }}\n\t}}\n",
                elements.join(",\n\t\t\t     ")
            );
        }
    }
}

/// `t_<digest>`: the chain of a target, named after what it checks, so
/// that it follows its content.
fn target_chain(family: Family, target: &Target) -> String {
    let content = format!("{family:?} {target:?}");
    format!("t_{}", content_id(&content, LIST_ID_LEN))
}

fn log_chain(log: LogAs) -> &'static str {
    match log {
        LogAs::Allow => "log_allow",
        LogAs::WouldDrop => "log_would_drop",
    }
}

/// The target chains (`meta day 1-5 meta hour 21600-64799 ip daddr
/// @z_internet_v4 counter accept`), then the chains logging targets jump
/// to: log (rate-limited, a rule of its own so that the limit never stops
/// the accept), then accept.
fn target_chains(out: &mut String, plan: &Plan, layout: &Layout) {
    let mut logs = BTreeSet::new();
    for (family, target) in layout.target_chains(plan) {
        let ip = match family {
            Family::V4 => "ip",
            Family::V6 => "ip6",
        };
        let mut parts = Vec::new();
        if !target.condition.is_empty() {
            parts.push(target.condition.clone());
        }
        if let Some(w) = &target.wide {
            let side = if w.dst { "daddr" } else { "saddr" };
            parts.push(format!("{ip} {side} @{}", set_name(&w.set)));
        }
        parts.push("counter".to_string());
        match target.log() {
            Some(log) => {
                logs.insert(log_code(Some(log)));
                parts.push(format!("jump {}", log_chain(log)));
            }
            None => parts.push("accept".to_string()),
        }
        let _ = writeln!(
            out,
            "\tchain {} {{\n\t\t{}\n\t}}\n",
            target_chain(family, target),
            parts.join(" ")
        );
    }
    for log in [LogAs::Allow, LogAs::WouldDrop] {
        if logs.contains(&log_code(Some(log))) {
            let _ = writeln!(
                out,
                "\tchain {} {{\n\t\t{LOG_LIMIT} log prefix \"{}\" level info\n\t\taccept\n\t}}\n",
                log_chain(log),
                log.prefix()
            );
        }
    }
}
