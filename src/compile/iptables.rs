//! iptables backend: an `iptables-restore` file and an `ip6tables-restore`
//! file, always as a pair.
//!
//! The files own only conduit's chains in the `filter` table: the
//! `conduit-fwd` chain, which decides every forwarded packet and ends with
//! the default verdict itself, and the `cdt-*` chains it jumps to. Loaded
//! with `iptables-restore --noflush FILE`, one commit declares (and so
//! empties) these chains and fills them; INPUT, OUTPUT, the FORWARD policy,
//! foreign FORWARD rules and the other tables stay as they are. The one
//! rule outside them, the FORWARD jump into `conduit-fwd`, is added once
//! by a guarded command ([`hook_command`]), so loading twice leaves an
//! identical `iptables-save`. No ipset is needed:
//! a set with one prefix or range is matched inline (`-s`, `-m iprange`);
//! a larger set becomes a chain of per-element jumps, defined once and
//! shared by every rule that uses it (see [`Body`]), which is how the
//! internet zone ("everything not inside") is expressed. The file grows
//! with rules plus set elements, not their product.
//!
//! `-m time` runs in UTC (no `--kerneltz`), like the nftables backend, so
//! one policy means the same hours on both (docs/backends/iptables.md).

use super::addr::{Element, Family};
use super::plan::{
    date_to_unix, AddrMatch, LogAs, Plan, Rule, Window, L4, PREFIX_DENY, PREFIX_INVALID,
    PREFIX_MONITOR,
};
use super::text::{hms, sanitize};
use super::{Backend, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode, PortRange, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// `xt_comment` keeps at most 255 bytes.
const COMMENT_BYTES: usize = 240;
const LOG_LIMIT: &str = "-m limit --limit 10/sec --limit-burst 20";
/// The expiry dates `-m time --datestop` can express: it takes the last
/// second before the expiry, and iptables reads only the years 1970-2038.
const EXPIRY_FIRST: Date = Date {
    year: 1970,
    month: 1,
    day: 2,
};
const EXPIRY_LAST: Date = Date {
    year: 2039,
    month: 1,
    day: 1,
};
/// `xt_multiport` takes at most 15 ports (a range counts twice).
const MULTIPORT_SLOTS: usize = 15;

pub struct Iptables;

impl Backend for Iptables {
    fn name(&self) -> &'static str {
        "iptables"
    }

    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic> {
        let mut errors =
            super::plan::expiry_limits(plan, "iptables", EXPIRY_FIRST, Some(EXPIRY_LAST));
        errors.extend(super::plan::fqdn_refusals(plan, "iptables", |_, _| {
            Some(super::plan::NO_DNS_OBJECTS.to_string())
        }));
        errors
    }

    fn warnings(&self, plan: &Plan) -> Vec<Diagnostic> {
        super::plan::utc_conversion_warnings(plan, "iptables")
    }

    /// Both families, always: a policy without IPv6 still denies IPv6
    /// forwarding, and `FILE.v6` of an earlier run never outlives the
    /// policy that wrote it.
    ///
    /// Both files carry the same `# pair:` line, a digest of both, so a
    /// loader can tell a matching pair from files of two different runs.
    fn emit(&self, plan: &Plan) -> Vec<OutputFile> {
        let (v4, v6) = (render(plan, Family::V4), render(plan, Family::V6));
        let pair = format!("# pair: {:016x}\n", fnv1a(&[&v4, &v6]));
        let with_pair = |text: &str| match text.find("*filter\n") {
            Some(at) => format!(
                "{}{pair}{}",
                text.get(..at).unwrap_or(""),
                text.get(at..).unwrap_or("")
            ),
            None => format!("{pair}{text}"),
        };
        vec![
            OutputFile {
                role: "iptables-restore",
                suffix: "",
                text: with_pair(&v4),
            },
            OutputFile {
                role: "ip6tables-restore",
                suffix: ".v6",
                text: with_pair(&v6),
            },
        ]
    }
}

/// 64-bit FNV-1a over the texts, each followed by a zero byte.
fn fnv1a(texts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in texts {
        for b in t.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The chain that decides every forwarded packet.
pub const FORWARD_CHAIN: &str = "conduit-fwd";

/// The shell command that adds the FORWARD jump into [`FORWARD_CHAIN`]
/// once (first in FORWARD), and does nothing when it is there already.
pub fn hook_command(family: Family) -> String {
    let tool = match family {
        Family::V4 => "iptables",
        Family::V6 => "ip6tables",
    };
    format!(
        "{tool} -C FORWARD -j {FORWARD_CHAIN} 2>/dev/null || {tool} -I FORWARD 1 -j {FORWARD_CHAIN}"
    )
}

/// The restore file for one family.
pub fn render(plan: &Plan, family: Family) -> String {
    let mut body = Body::default();
    for rule in plan.rules_of(family) {
        body.rule(plan, rule);
    }
    let mut out = String::new();
    header(&mut out, plan, family);
    out.push_str("*filter\n");
    let _ = writeln!(out, ":{FORWARD_CHAIN} - [0:0]");
    for chain in &body.chains {
        let _ = writeln!(out, ":{chain} - [0:0]");
    }
    state_rules(&mut out, plan);
    for line in &body.forward {
        let _ = writeln!(out, "-A {FORWARD_CHAIN} {line}");
    }
    default_rules(&mut out, plan);
    for line in &body.lines {
        let _ = writeln!(out, "{line}");
    }
    out.push_str("COMMIT\n");
    out
}

fn header(out: &mut String, plan: &Plan, family: Family) {
    let tool = match family {
        Family::V4 => "iptables-restore",
        Family::V6 => "ip6tables-restore",
    };
    out.push_str("# Generated by conduit from the zone-and-conduit policy. Do not edit:\n");
    out.push_str("# change the policy and compile again. Owns only the chains below\n");
    out.push_str("# (INPUT, OUTPUT and other FORWARD rules are left alone). Load with\n");
    let _ = writeln!(out, "#   {tool} --noflush FILE");
    out.push_str("# and hook it into FORWARD once (a no-op when the jump is there):\n");
    let _ = writeln!(out, "#   {}", hook_command(family));
    let _ = writeln!(
        out,
        "# conduit {}, plan digest {}",
        env!("CARGO_PKG_VERSION"),
        plan.digest()
    );
    out.push_str("# The IPv4 and IPv6 files belong together: their `# pair:` lines match.\n");
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
}

fn state_rules(out: &mut String, plan: &Plan) {
    let _ = writeln!(
        out,
        "-A {FORWARD_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
    );
    let (prefix, verdict, comment) = match plan.mode {
        Mode::Enforce => (PREFIX_INVALID, "DROP", "invalid state"),
        Mode::Monitor => (
            PREFIX_MONITOR,
            "ACCEPT",
            "monitor: would drop invalid state",
        ),
    };
    if plan.log_denied {
        let _ = writeln!(
            out,
            "-A {FORWARD_CHAIN} -m conntrack --ctstate INVALID {LOG_LIMIT} -j LOG --log-prefix \"{prefix}\" --log-level 6"
        );
    }
    let _ = writeln!(
        out,
        "-A {FORWARD_CHAIN} -m conntrack --ctstate INVALID -m comment --comment \"{comment}\" -j {verdict}"
    );
}

fn default_rules(out: &mut String, plan: &Plan) {
    let (prefix, verdict, comment) = match plan.mode {
        Mode::Enforce => (PREFIX_DENY, "DROP", "default deny"),
        Mode::Monitor => (
            PREFIX_MONITOR,
            "ACCEPT",
            "monitor: would drop (default deny)",
        ),
    };
    if plan.log_denied {
        let _ = writeln!(
            out,
            "-A {FORWARD_CHAIN} {LOG_LIMIT} -j LOG --log-prefix \"{prefix}\" --log-level 6"
        );
    }
    let _ = writeln!(
        out,
        "-A {FORWARD_CHAIN} -m comment --comment \"{comment}\" -j {verdict}"
    );
}

/// Rules and chains of one family, built rule by rule.
///
/// A set of more than one element becomes a chain of one jump per element,
/// defined once per (set, direction, verdict) and shared by every rule that
/// uses it. The chain's jumps are terminal (ACCEPT, or a log chain that
/// accepts); when nothing matches, the chain returns and the caller goes on
/// with its next line, so a shared chain never ends a rule's evaluation
/// early. A rule with sets on both sides jumps to a pair chain that matches
/// its smaller side element by element and jumps into the shared chain of
/// the larger side: a packet matches at most one element of a set (the
/// elements are disjoint), so it reaches the verdict exactly when both its
/// source and its destination are in the rule's sets.
#[derive(Default)]
struct Body {
    /// User chains, in creation order.
    chains: Vec<String>,
    /// Chains already defined.
    defined: BTreeSet<String>,
    /// Match parts of the `-A conduit-fwd` lines.
    forward: Vec<String>,
    /// Full `-A CHAIN …` lines of the user chains.
    lines: Vec<String>,
    /// Content-derived id of each distinct address set (see [`set_id`]).
    set_ids: BTreeMap<Vec<(u128, u128)>, String>,
    /// Ids already given, to catch a digest clash.
    used_ids: BTreeSet<String>,
}

/// What a rule does once it matches.
#[derive(Debug, Clone, Copy)]
enum Verdict {
    Accept,
    Log(LogAs),
}

impl Verdict {
    fn of(rule: &Rule) -> Verdict {
        rule.log.map_or(Verdict::Accept, Verdict::Log)
    }

    /// Jump target.
    fn target(self) -> &'static str {
        match self {
            Verdict::Accept => "ACCEPT",
            Verdict::Log(LogAs::Allow) => "cdt-log-allow",
            Verdict::Log(LogAs::WouldDrop) => "cdt-log-monitor",
        }
    }

    /// Suffix of the set chains that end in this verdict.
    fn code(self) -> &'static str {
        match self {
            Verdict::Accept => "a",
            Verdict::Log(LogAs::Allow) => "l",
            Verdict::Log(LogAs::WouldDrop) => "m",
        }
    }
}

/// One side of a rule: its elements and the id of their set.
struct Side {
    elements: Vec<Element>,
    id: String,
}

/// Characters of a set id: 9 base-32 digits (45 bits) of the SHA-256 of
/// the set's ranges, so that `cdt-s<id>-d<id>-a` stays within the 28
/// bytes of an iptables chain name (27 at most).
const SET_ID_LEN: usize = 9;

/// The id of an address set in chain names, derived from its addresses
/// alone: a new conduit elsewhere in the policy never renames a chain.
/// `salt` is 0 unless another set's digest took the id already (rules come
/// in a canonical order, so the outcome of such a clash is deterministic).
fn set_id(ranges: &[(u128, u128)], salt: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut text = String::new();
    for (lo, hi) in ranges {
        let _ = write!(text, "{lo:x}-{hi:x},");
    }
    if salt > 0 {
        let _ = write!(text, "#{salt}");
    }
    let digest = Sha256::digest(text.as_bytes());
    const DIGITS: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bits: u64 = 0;
    for b in digest.iter().take(8) {
        bits = (bits << 8) | u64::from(*b);
    }
    (0..SET_ID_LEN)
        .map(|i| {
            let v = (bits >> (59 - 5 * i)) & 31;
            DIGITS.get(v as usize).map_or('a', |d| char::from(*d))
        })
        .collect()
}

impl Body {
    fn rule(&mut self, plan: &Plan, rule: &Rule) {
        let verdict = Verdict::of(rule);
        let (Some(src), Some(dst)) = (
            self.side(plan, rule, &rule.src),
            self.side(plan, rule, &rule.dst),
        ) else {
            return;
        };
        self.verdict_chain(verdict);
        let (addrs, target) = match (src.elements.as_slice(), dst.elements.as_slice()) {
            ([s], [d]) => (
                vec![addr_match(s, "s"), addr_match(d, "d")],
                verdict.target().to_string(),
            ),
            ([s], _) => (vec![addr_match(s, "s")], self.set_chain(&dst, "d", verdict)),
            (_, [d]) => (vec![addr_match(d, "d")], self.set_chain(&src, "s", verdict)),
            _ if src.elements.len() <= dst.elements.len() => {
                (Vec::new(), self.pair_chain(&src, "s", &dst, "d", verdict))
            }
            _ => (Vec::new(), self.pair_chain(&dst, "d", &src, "s", verdict)),
        };
        let comment = format!(
            "-m comment --comment \"{}\"",
            sanitize(&rule.comment, COMMENT_BYTES)
        );
        // One rule per UTC part of a zoned window (see plan::utc_alternatives).
        let times: Vec<Option<String>> = super::plan::utc_alternatives(plan, rule)
            .iter()
            .map(|w| time_match(w.as_ref(), rule.expires))
            .collect();
        for l4 in l4_matches(rule) {
            for time in &times {
                let mut parts = interfaces(rule);
                parts.extend(addrs.iter().cloned());
                parts.extend(l4.iter().cloned());
                parts.push("-m conntrack --ctstate NEW".to_string());
                if let Some(t) = time {
                    parts.push(t.clone());
                }
                parts.push(comment.clone());
                parts.push(format!("-j {target}"));
                self.forward.push(parts.join(" "));
            }
        }
    }

    /// The elements of one side and the number of its set; `None` when the
    /// plan does not define it or it is empty.
    fn side(&mut self, plan: &Plan, rule: &Rule, m: &AddrMatch) -> Option<Side> {
        let ranges = plan.ranges(m)?;
        let elements = ranges.elements(rule.family);
        if elements.is_empty() {
            return None;
        }
        let key = ranges.ranges().to_vec();
        let id = match self.set_ids.get(&key) {
            Some(id) => id.clone(),
            None => {
                let mut salt = 0;
                let mut id = set_id(&key, salt);
                while self.used_ids.contains(&id) {
                    salt += 1;
                    id = set_id(&key, salt);
                }
                self.used_ids.insert(id.clone());
                self.set_ids.insert(key, id.clone());
                id
            }
        };
        Some(Side { elements, id })
    }

    /// Declares a chain once; whether it was new.
    fn declare(&mut self, name: &str) -> bool {
        if !self.defined.insert(name.to_string()) {
            return false;
        }
        self.chains.push(name.to_string());
        true
    }

    /// The shared log chain of a logging verdict (LOG, then ACCEPT).
    fn verdict_chain(&mut self, verdict: Verdict) {
        let Verdict::Log(log) = verdict else {
            return;
        };
        let chain = verdict.target();
        if self.declare(chain) {
            self.lines.push(format!(
                "-A {chain} {LOG_LIMIT} -j LOG --log-prefix \"{}\" --log-level 6",
                log.prefix()
            ));
            self.lines.push(format!("-A {chain} -j ACCEPT"));
        }
    }

    /// `cdt-s<id>-a`: one jump to the verdict per element of the set as source
    /// (`dir` `s`) or destination (`d`); defined once, returns on no match.
    fn set_chain(&mut self, side: &Side, dir: &str, verdict: Verdict) -> String {
        let name = format!("cdt-{dir}{}-{}", side.id, verdict.code());
        if self.declare(&name) {
            for e in &side.elements {
                self.lines.push(format!(
                    "-A {name} {} -j {}",
                    addr_match(e, dir),
                    verdict.target()
                ));
            }
        }
        name
    }

    /// `cdt-s<id>-d<id>-a`: each element of the first side jumps to the shared
    /// chain of the second side; defined once per pair of sets and verdict.
    fn pair_chain(
        &mut self,
        first: &Side,
        first_dir: &str,
        second: &Side,
        second_dir: &str,
        verdict: Verdict,
    ) -> String {
        let inner = self.set_chain(second, second_dir, verdict);
        let name = format!(
            "cdt-{first_dir}{}-{second_dir}{}-{}",
            first.id,
            second.id,
            verdict.code()
        );
        if self.declare(&name) {
            for e in &first.elements {
                self.lines
                    .push(format!("-A {name} {} -j {inner}", addr_match(e, first_dir)));
            }
        }
        name
    }
}

fn interfaces(rule: &Rule) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(i) = &rule.iif {
        parts.push(format!("-i {}", sanitize(i, 15)));
    }
    if let Some(o) = &rule.oif {
        parts.push(format!("-o {}", sanitize(o, 15)));
    }
    parts
}

/// `-s 10.0.0.0/8` or `-m iprange --src-range a-b` (dir `s` or `d`).
fn addr_match(e: &Element, dir: &str) -> String {
    match e {
        Element::Prefix(a, len) => format!("-{dir} {a}/{len}"),
        Element::Range(a, b) => {
            let which = if dir == "s" { "src" } else { "dst" };
            format!("-m iprange --{which}-range {a}-{b}")
        }
    }
}

/// One match list per `-A` line (port lists split for `multiport`; with
/// source ports, one line per pair of destination and source chunks).
fn l4_matches(rule: &Rule) -> Vec<Vec<String>> {
    let (icmp, flag) = match rule.family {
        Family::V4 => ("icmp", "--icmp-type"),
        Family::V6 => ("ipv6-icmp", "--icmpv6-type"),
    };
    let ports = |proto: &str, p: &[PortRange]| -> Vec<Vec<String>> {
        let dports = port_lines("d", p);
        let sports = if rule.sports.is_empty() {
            vec![Vec::new()]
        } else {
            port_lines("s", &rule.sports)
        };
        let mut out = Vec::new();
        for d in &dports {
            for s in &sports {
                let mut line = vec![format!("-p {proto}")];
                line.extend(d.iter().cloned());
                line.extend(s.iter().cloned());
                out.push(line);
            }
        }
        out
    };
    match &rule.l4 {
        L4::Tcp(p) => ports("tcp", p),
        L4::Udp(p) => ports("udp", p),
        L4::Icmp(None) => vec![vec![format!("-p {icmp}")]],
        L4::Icmp(Some(t)) => {
            let code = rule.icmp_code.map(|c| format!("/{c}")).unwrap_or_default();
            vec![vec![format!("-p {icmp} {flag} {t}{code}")]]
        }
        L4::Proto(n) => vec![vec![format!("-p {n}")]],
        L4::Any => vec![Vec::new()],
    }
}

/// Port matches of one direction (`d` or `s`): `--dport 502`, or
/// `-m multiport --dports …` chunks of at most 15 slots.
fn port_lines(dir: &str, ranges: &[PortRange]) -> Vec<Vec<String>> {
    if let [one] = ranges {
        let p = if one.lo == one.hi {
            one.lo.to_string()
        } else {
            format!("{}:{}", one.lo, one.hi)
        };
        return vec![vec![format!("--{dir}port {p}")]];
    }
    let mut lines = Vec::new();
    let mut chunk: Vec<String> = Vec::new();
    let mut used = 0;
    for r in ranges {
        let (item, cost) = if r.lo == r.hi {
            (r.lo.to_string(), 1)
        } else {
            (format!("{}:{}", r.lo, r.hi), 2)
        };
        if used + cost > MULTIPORT_SLOTS {
            lines.push(multiport(dir, &chunk));
            chunk.clear();
            used = 0;
        }
        chunk.push(item);
        used += cost;
    }
    if !chunk.is_empty() {
        lines.push(multiport(dir, &chunk));
    }
    lines
}

fn multiport(dir: &str, ports: &[String]) -> Vec<String> {
    vec![format!("-m multiport --{dir}ports {}", ports.join(","))]
}

/// `-m time` for a schedule window and an expiry date, in UTC (`--kerneltz`
/// is never used; a zoned window arrives here converted to UTC).
fn time_match(window: Option<&Window>, expires: Option<Date>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(w) = window {
        if w.start_sec > 0 || w.end_sec < 86_400 {
            let end = w.end_sec.saturating_sub(1).max(w.start_sec);
            parts.push(format!(
                "--timestart {} --timestop {}",
                hms(w.start_sec),
                hms(end)
            ));
        }
        if w.days.len() < 7 {
            let days: Vec<&str> = w.days.iter().map(|d| day_name(*d)).collect();
            parts.push(format!("--weekdays {}", days.join(",")));
        }
    }
    if let Some(d) = expires {
        // Access ends at 00:00 UTC of the expiry day; --datestop is inclusive.
        let last = Date::from_days_since_epoch((date_to_unix(d) - 1).div_euclid(86_400));
        parts.push(format!("--datestop {last}T23:59:59"));
    }
    (!parts.is_empty()).then(|| format!("-m time {}", parts.join(" ")))
}

fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}
