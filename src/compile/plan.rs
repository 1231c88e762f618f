//! The backend-neutral rule plan: which new connections the firewall
//! accepts, between which address sets, for which services, when, and what
//! it logs. Every backend is a pure translation of a [`Plan`] to text.
//!
//! Semantics (the contract each backend must keep, checked by the test
//! suite on real packets):
//! - packets of established or related connections pass; invalid ones are
//!   dropped (enforce) or counted and logged (monitor);
//! - a new connection passes when some [`Rule`] matches it: source in the
//!   rule's source set, destination in its destination set, the service's
//!   protocol and destination port, the interfaces when a target names them,
//!   inside the schedule window and before the expiry instant;
//! - everything else is denied: dropped and logged (rate-limited) in
//!   enforce mode, passed but counted and logged as "would drop" in monitor
//!   mode;
//! - a conduit in `mode monitor` inside an enforce policy gets, after its
//!   service rules, a scope rule that passes any other new connection along
//!   its flows and logs it as "would drop".
//!
//! Address sets follow the language's "most specific network wins": a zone
//! holding a wider network (the internet's `0.0.0.0/0`) owns only the
//! addresses no more specific zone claims, computed here once so that
//! backends only ever see plain sets.
//!
//! Times are UTC: the schedule window and the expiry instant are compared
//! with the firewall's UTC clock (see docs/backends/plan.md).

use super::addr::{self, Element, Family, RangeSet};
use crate::diagnostics::Diagnostic;
use crate::model::{
    is_icmp_error, Conduit, Date, Direction, Endpoint, EndpointKind, Mode, Model, PortRange, Proto,
    ServiceMatch, Weekday, ZoneId,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// What the CLI or a target profile asks of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    pub mode: Mode,
    pub log_denied: bool,
    /// Conduits expired at this date are left out (W0001).
    pub as_of: Date,
    /// Interface per zone (from a target profile). `None`: every conduit,
    /// matched by address only.
    pub interfaces: Option<BTreeMap<ZoneId, String>>,
    /// Name of the target, for the header.
    pub target: Option<String>,
}

/// A named address set of one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrSet {
    /// `z_<zone>_v4`.
    pub name: String,
    pub family: Family,
    pub ranges: RangeSet,
    /// `zone line1`, for comments.
    pub what: String,
}

impl AddrSet {
    pub fn contains(&self, addr: IpAddr) -> bool {
        Family::of(addr) == self.family && self.ranges.contains(addr::to_int(addr))
    }

    pub fn elements(&self) -> Vec<Element> {
        self.ranges.elements(self.family)
    }
}

/// Whole zones of at most this many ranges are listed inline when they
/// share a side with other zones or assets; larger ones keep their named
/// set (a rule then exists per set on that side).
pub const INLINE_ZONE_MAX: usize = 8;

/// How a rule matches the addresses of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrMatch {
    /// A named set of [`Plan::sets`]: one zone's addresses in one family.
    Set(String),
    /// Addresses listed in the rule (assets, small zones of a mixed side,
    /// multicast groups): an anonymous set, never empty.
    Inline(RangeSet),
    /// A DNS name the firewall resolves (`fqdn "NAME" in ZONE`; always a
    /// destination). The plan knows no address for it: it matches no
    /// literal address in [`Plan::verdict`], and a backend without DNS
    /// objects refuses it (E0530).
    Fqdn(String),
}

/// Layer-4 match of a rule (already specific to the rule's family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum L4 {
    Tcp(Vec<PortRange>),
    Udp(Vec<PortRange>),
    /// ICMP for v4 rules, ICMPv6 for v6 rules (the rule's family says
    /// which), optionally one type of that family; a code is in
    /// [`Rule::icmp_code`].
    Icmp(Option<u8>),
    /// Another IP protocol by number.
    Proto(u8),
    /// Any protocol (monitor scope rules).
    Any,
}

/// A weekly window: days and `[start, end)` in seconds after midnight on
/// the wall clock of `zone` (UTC when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub days: BTreeSet<Weekday>,
    pub start_sec: u32,
    pub end_sec: u32,
    /// The schedule as written, for comments.
    pub text: String,
    /// IANA time zone of the times; `None`: UTC.
    pub zone: Option<String>,
}

/// Warnings are given when a converted window stops being exact this many
/// days or fewer after `as_of` (W0014).
pub const EXACT_WARN_DAYS: i64 = 30;

/// The time matches a rule becomes on a firewall whose clock is UTC: one
/// `None` (no window), or one or two windows in UTC (see [`Window::to_utc`],
/// with the offset at 00:00 UTC of the plan's `as_of`).
pub fn utc_alternatives(plan: &Plan, rule: &Rule) -> Vec<Option<Window>> {
    match &rule.window {
        None => vec![None],
        Some(w) if w.zone.is_none() => vec![Some(w.clone())],
        Some(w) => w
            .to_utc(date_to_unix(plan.as_of))
            .windows
            .into_iter()
            .map(Some)
            .collect(),
    }
}

/// Header lines for a UTC firewall: one per time zone the plan's windows
/// use, with the offset applied and until when it is exact.
pub fn utc_conversion_notes(plan: &Plan) -> Vec<String> {
    let at = date_to_unix(plan.as_of);
    let mut zones = BTreeMap::new();
    for w in plan.rules.iter().filter_map(|r| r.window.as_ref()) {
        if let Some(z) = &w.zone {
            zones.entry(z.clone()).or_insert_with(|| w.to_utc(at));
        }
    }
    zones
        .into_iter()
        .map(|(zone, u)| {
            let until = match u.exact_until {
                Some(t) => format!("exact until {} (its next offset change)", crate::model::format_instant(t)),
                None => "exact (the zone has no offset change ahead)".to_string(),
            };
            format!(
                "schedules in {zone}: converted to UTC with offset {} in force at {} 00:00 UTC; {until}",
                crate::model::format_offset(u.offset),
                plan.as_of
            )
        })
        .collect()
}

/// W0014 for each conduit whose zoned window, converted for a UTC clock,
/// stops being exact within [`EXACT_WARN_DAYS`] of `as_of`. The message
/// names the conduit first (the CLI points it at the `schedule` line).
pub fn utc_conversion_warnings(plan: &Plan, backend: &str) -> Vec<Diagnostic> {
    let at = date_to_unix(plan.as_of);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for rule in &plan.rules {
        let Some(w) = rule.window.as_ref().filter(|w| w.zone.is_some()) else {
            continue;
        };
        let u = w.to_utc(at);
        let Some(until) = u.exact_until.filter(|t| t - at <= EXACT_WARN_DAYS * 86_400) else {
            continue;
        };
        if !seen.insert(rule.conduit.clone()) {
            continue;
        }
        let zone = w.zone.as_deref().unwrap_or("UTC");
        let next = crate::model::utc_offset(w.zone.as_deref(), until);
        out.push(
            Diagnostic::warning(
                "W0014",
                format!(
                    "conduit `{}`: its schedule in {zone} is compiled for the UTC clock of {backend} with offset {}; exact only until {}, when {zone} changes to {}",
                    super::text::sanitize(&rule.conduit, 120),
                    crate::model::format_offset(u.offset),
                    crate::model::format_instant(until),
                    crate::model::format_offset(next),
                ),
            )
            .with_help(format!(
                "compile and load the rules again after {} so that the window follows the change (until then they are exact)",
                crate::model::format_instant(until)
            )),
        );
    }
    out
}

/// A window on the UTC clock: what a [`Window`] in a time zone becomes on
/// a firewall whose clock is UTC, with the zone's offset at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtcWindows {
    /// One or two windows in UTC (two when the window crosses midnight in
    /// UTC: the part before midnight on the previous or same days, the part
    /// after it on the following days).
    pub windows: Vec<Window>,
    /// The offset used (seconds east of UTC).
    pub offset: i64,
    /// The instant the zone's offset next changes: the windows are exact
    /// until then, and one hour off after it. `None`: exact for ever (UTC
    /// or a zone without changes).
    pub exact_until: Option<i64>,
}

impl Window {
    /// This window on a UTC clock, with the zone's offset at `at` (UTC
    /// seconds), exact until the zone's next offset change.
    pub fn to_utc(&self, at: i64) -> UtcWindows {
        let zone = self.zone.as_deref();
        let offset = crate::model::utc_offset(zone, at);
        let exact_until = crate::model::next_transition(zone, at);
        let shift = |days: &BTreeSet<Weekday>, by: i64| -> BTreeSet<Weekday> {
            days.iter()
                .map(|d| crate::model::weekday_of_day(d.index() as i64 + 4 + by))
                .collect()
        };
        let (s, e) = (
            i64::from(self.start_sec) - offset,
            i64::from(self.end_sec) - offset,
        );
        let mut windows = Vec::new();
        // Cut [s, e) at the UTC midnights it crosses; the piece on UTC
        // day `k` (relative to the local day) is [max(s, 86400k), min(e, 86400(k+1))).
        for k in -1i64..=1 {
            let (lo, hi) = (s.max(86_400 * k), e.min(86_400 * (k + 1)));
            if lo >= hi {
                continue;
            }
            let sec = |v: i64| u32::try_from(v - 86_400 * k).unwrap_or(0);
            windows.push(Window {
                days: shift(&self.days, k),
                start_sec: sec(lo),
                end_sec: sec(hi),
                text: self.text.clone(),
                zone: None,
            });
        }
        UtcWindows {
            windows,
            offset,
            exact_until,
        }
    }
}

impl Window {
    /// Whether every day and the whole day are covered (no match needed).
    pub fn is_always(&self) -> bool {
        self.days.len() == 7 && self.start_sec == 0 && self.end_sec >= 86_400
    }
}

/// What a rule logs before it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAs {
    /// Accepted traffic of a conduit with `log true` or in monitor mode.
    Allow,
    /// Traffic enforce mode would drop, passed because of monitor mode.
    WouldDrop,
}

/// Fixed log prefixes, shared by all backends (at most 29 bytes for iptables).
pub const PREFIX_ALLOW: &str = "conduit-allow: ";
pub const PREFIX_DENY: &str = "conduit-deny: ";
pub const PREFIX_INVALID: &str = "conduit-invalid: ";
pub const PREFIX_MONITOR: &str = "conduit-monitor: ";

impl LogAs {
    pub fn prefix(self) -> &'static str {
        match self {
            LogAs::Allow => PREFIX_ALLOW,
            LogAs::WouldDrop => PREFIX_MONITOR,
        }
    }
}

/// Why a rule exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// One conduit, one direction, one service line, one family (and
    /// interface pair when a target names interfaces).
    Allow,
    /// Everything else along a monitored conduit's flow: passed and logged.
    MonitorScope,
}

/// One accept rule for new connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub kind: RuleKind,
    pub conduit: String,
    /// Service name (`None` for a scope rule).
    pub service: Option<String>,
    pub family: Family,
    pub src: AddrMatch,
    pub dst: AddrMatch,
    /// Names of the zones whose addresses make up `src` / `dst` (sorted,
    /// never empty): the native security zones of vendor backends.
    pub src_zones: Vec<String>,
    pub dst_zones: Vec<String>,
    /// `dst` is multicast groups (`multicast ADDR in ZONE`), delivered into
    /// `dst_zones`: a vendor whose ordinary policy cannot pass routed
    /// multicast must use its multicast construct or refuse (E0531).
    /// Connection tracking treats every new group flow as a new connection.
    pub dst_multicast: bool,
    pub iif: Option<String>,
    pub oif: Option<String>,
    pub l4: L4,
    /// Source ports of a `tcp`/`udp` rule (`udp 47808 from 47808`), in
    /// normal form; empty: any source port (always empty for other L4).
    pub sports: Vec<PortRange>,
    /// ICMP/ICMPv6 code of an `L4::Icmp(Some(type))` rule; `None`: every code.
    pub icmp_code: Option<u8>,
    pub window: Option<Window>,
    /// Access ends at 00:00 UTC of this day.
    pub expires: Option<Date>,
    pub log: Option<LogAs>,
    /// Untrusted text for the rule comment: backends must sanitize it.
    pub comment: String,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub mode: Mode,
    pub log_denied: bool,
    pub as_of: Date,
    pub target: Option<String>,
    /// Address families the policy uses at all: a backend must filter
    /// every one of them, even when no rule of that family exists.
    pub families: BTreeSet<Family>,
    /// Sorted by name; only the sets some rule uses.
    pub sets: Vec<AddrSet>,
    /// In a stable order: conduit, direction, interface pair, family,
    /// address parts, service line; allow rules before scope rules.
    pub rules: Vec<Rule>,
    /// Every interface the target profile names, sorted and distinct
    /// (empty without a profile): vendor backends bind a rule set to each,
    /// also to one that no rule uses, so that it denies by default.
    pub interfaces: Vec<String>,
    /// The device clock's IANA time zone from the target profile
    /// (`clock`); `None`: UTC. Set by the caller after [`build`].
    pub clock: Option<String>,
}

impl Plan {
    pub fn set(&self, name: &str) -> Option<&AddrSet> {
        self.sets
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.sets.get(i))
    }

    /// The addresses an address match stands for (`None` for a set name
    /// the plan does not define).
    /// `None` also for a DNS name, whose addresses only the firewall knows.
    pub fn ranges<'a>(&'a self, m: &'a AddrMatch) -> Option<&'a RangeSet> {
        match m {
            AddrMatch::Set(name) => self.set(name).map(|s| &s.ranges),
            AddrMatch::Inline(r) => Some(r),
            AddrMatch::Fqdn(_) => None,
        }
    }

    pub fn has_family(&self, family: Family) -> bool {
        self.rules.iter().any(|r| r.family == family)
    }

    pub fn rules_of(&self, family: Family) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.family == family)
    }

    /// A digest of everything the plan says (16 hex digits of SHA-256), for
    /// the header of generated files: the same policy meaning gives the
    /// same digest, whatever the order of its statements, files and
    /// comments, and any change of meaning changes it.
    pub fn digest(&self) -> String {
        use std::fmt::Write as _;
        let mut w = DigestWriter(Sha256::new());
        let _ = write!(w, "{self:?}");
        hex(&w.0.finalize()).chars().take(16).collect()
    }
}

/// Feeds formatted text into a hash without building the string.
struct DigestWriter(Sha256);

impl std::fmt::Write for DigestWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A short name derived from content (`len` hex digits of its SHA-256,
/// at most 64), for generated set, list and chain names: the name follows
/// what it holds, so an unrelated change in the policy never renames it.
pub fn content_id(content: &str, len: usize) -> String {
    hex(&Sha256::digest(content.as_bytes()))
        .chars()
        .take(len)
        .collect()
}

/// Seconds since 1970-01-01 UTC of 00:00 on `date`.
pub fn date_to_unix(date: Date) -> i64 {
    date.days_since_epoch() * 86_400
}

/// E0510 for every conduit whose expiry date lies outside what a backend
/// can express, `[first, last]` (`last: None` for no upper limit): a
/// firewall that cannot hold the date must not hold the rule either.
pub fn expiry_limits(
    plan: &Plan,
    backend: &str,
    first: Date,
    last: Option<Date>,
) -> Vec<Diagnostic> {
    let mut seen: BTreeSet<(&str, Date)> = BTreeSet::new();
    for rule in &plan.rules {
        if let Some(d) = rule.expires {
            if d < first || last.is_some_and(|l| d > l) {
                seen.insert((rule.conduit.as_str(), d));
            }
        }
    }
    let range = match last {
        Some(l) => format!("from {first} to {l}"),
        None => format!("from {first} on"),
    };
    seen.into_iter()
        .map(|(conduit, d)| {
            Diagnostic::error(
                "E0510",
                format!(
                    "conduit `{conduit}` expires {d}: {backend} can express expiry dates {range} only"
                ),
            )
            .with_help(format!(
                "set `expires` within {range}, or compile for a backend that can hold the date"
            ))
        })
        .collect()
}

/// Why nftables and iptables refuse a DNS name: they match addresses only,
/// and resolving at compile time would freeze addresses a cloud service
/// changes.
pub const NO_DNS_OBJECTS: &str = "matches addresses only and has no DNS name objects (resolving the name when compiling would freeze addresses the service changes)";

/// E0530 for every DNS-name destination a backend cannot express:
/// `refuse(name, family)` gives the reason (`None`: the backend accepts
/// it). One error per conduit and name; the message names the conduit and
/// the name first, so that the CLI can point it at the endpoint.
pub fn fqdn_refusals(
    plan: &Plan,
    backend: &str,
    refuse: impl Fn(&str, Family) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for rule in &plan.rules {
        if let AddrMatch::Fqdn(name) = &rule.dst {
            let key = (rule.conduit.as_str(), name.as_str());
            if seen.contains_key(&key) {
                continue;
            }
            if let Some(why) = refuse(name, rule.family) {
                seen.insert(key, why);
            }
        }
    }
    seen.into_iter()
        .map(|((conduit, name), why)| {
            Diagnostic::error(
                "E0530",
                format!("conduit `{conduit}` sends to DNS name `{name}`: {backend} {why}"),
            )
            .with_help(
                "write the service's addresses as a zone's `network`, or compile for a backend whose DNS objects can hold the name (see docs/language.md, \"fqdn\")",
            )
        })
        .collect()
}

/// E0531 for every multicast destination a backend cannot pass:
/// `refuse(family)` gives the reason (`None`: the backend accepts it).
/// One error per conduit; the message names the conduit first.
pub fn multicast_refusals(
    plan: &Plan,
    backend: &str,
    refuse: impl Fn(Family) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for rule in plan.rules.iter().filter(|r| r.dst_multicast) {
        if seen.contains_key(rule.conduit.as_str()) {
            continue;
        }
        if let Some(why) = refuse(rule.family) {
            seen.insert(&rule.conduit, why);
        }
    }
    seen.into_iter()
        .map(|(conduit, why)| {
            Diagnostic::error(
                "E0531",
                format!("conduit `{conduit}` sends to a multicast group: {backend} {why}"),
            )
            .with_help(
                "compile this conduit for a backend that passes routed multicast (see docs/language.md, \"multicast\"), or remove the group",
            )
        })
        .collect()
}

/// Builds the plan. Diagnostics: W0001 for every conduit already expired.
pub fn build(model: &Model, opts: &PlanOptions) -> (Plan, Vec<Diagnostic>) {
    let mut b = Builder {
        model,
        opts,
        sets: BTreeMap::new(),
        rules: Vec::new(),
        zone_ranges: effective_zone_ranges(model),
    };
    let mut diags = Vec::new();
    for conduit in &model.conduits {
        if conduit.expired_at(opts.as_of) {
            diags.push(expired_warning(conduit, opts.as_of));
            continue;
        }
        let before = b.rules.len();
        if b.conduit(conduit) && b.rules.len() == before {
            diags.push(no_rule_warning(model, conduit));
        }
    }
    (b.finish(), diags)
}

fn expired_warning(conduit: &Conduit, as_of: Date) -> Diagnostic {
    let mut d = Diagnostic::warning(
        "W0001",
        format!(
            "conduit `{}` expired before {as_of}: left out of the firewall",
            conduit.name
        ),
    );
    if let Some(e) = &conduit.expires {
        d = d.at(e.span, format!("access ended at the start of {}", e.value));
    }
    d.with_help("renew `expires` or remove the conduit")
}

fn no_rule_warning(model: &Model, conduit: &Conduit) -> Diagnostic {
    let errors_only = conduit.services.iter().all(|s| {
        model
            .service(s.value)
            .matches
            .iter()
            .all(|m| m.icmp_type.is_some_and(|t| is_icmp_error(m.proto, t)))
    });
    if errors_only {
        return Diagnostic::warning(
            "W0003",
            format!(
                "conduit `{}` compiles to no firewall rule: it allows only ICMP error types",
                conduit.name
            ),
        )
        .at(
            conduit.flow_span,
            "errors never start a connection (W0008 on each line)",
        )
        .with_help(
            "remove the conduit: errors about allowed connections pass as conntrack `related`",
        );
    }
    Diagnostic::warning(
        "W0003",
        format!(
            "conduit `{}` compiles to no firewall rule: its ends share no address family",
            conduit.name
        ),
    )
    .at(
        conduit.flow_span,
        "no IPv4 or IPv6 address on both sides (for these services)",
    )
    .with_help("give both ends addresses of the same family, or remove the conduit")
}

/// Per zone and family: its networks minus every more specific network of
/// another zone (equal networks go to the zone listed first, as in
/// [`Model::zone_of_addr`]).
fn effective_zone_ranges(model: &Model) -> BTreeMap<(ZoneId, Family), RangeSet> {
    // Every network as (family, first, last, prefix length, zone index),
    // sorted so that a network comes before everything it contains; the
    // networks a network contains follow it while their first address is
    // inside it (CIDR blocks nest or are disjoint).
    let mut nets: Vec<(Family, u128, u128, u8, usize)> = Vec::new();
    for (zi, zone) in model.zones.iter().enumerate() {
        for net in &zone.networks {
            let (f, lo, hi) = addr::net_range(&net.value);
            nets.push((f, lo, hi, net.value.prefix_len(), zi));
        }
    }
    nets.sort_unstable();
    let mut mine: BTreeMap<(usize, Family), Vec<(u128, u128)>> = BTreeMap::new();
    let mut others: BTreeMap<(usize, Family), Vec<(u128, u128)>> = BTreeMap::new();
    for (i, &(f, lo, hi, len, zi)) in nets.iter().enumerate() {
        mine.entry((zi, f)).or_default().push((lo, hi));
        let before = nets.get(..i).unwrap_or(&[]);
        let after = nets.get(i + 1..).unwrap_or(&[]);
        // Equal networks of zones listed earlier (sorted just before).
        let equal_earlier = before
            .iter()
            .rev()
            .take_while(|n| n.0 == f && n.1 == lo && n.3 == len);
        let inside = after.iter().take_while(|n| n.0 == f && n.1 <= hi);
        let beaten: Vec<(u128, u128)> = equal_earlier
            .filter(|n| n.4 != zi)
            .chain(inside.filter(|n| n.4 != zi && (n.3 > len || n.4 < zi)))
            .map(|n| (n.1, n.2))
            .collect();
        if !beaten.is_empty() {
            others.entry((zi, f)).or_default().extend(beaten);
        }
    }
    let mut out = BTreeMap::new();
    for ((zi, f), ranges) in mine {
        let zid = ZoneId(u32::try_from(zi).unwrap_or(u32::MAX));
        let set = RangeSet::from_ranges(ranges).minus(&RangeSet::from_ranges(
            others.remove(&(zi, f)).unwrap_or_default(),
        ));
        if !set.is_empty() {
            out.insert((zid, f), set);
        }
    }
    out
}

struct Builder<'a> {
    model: &'a Model,
    opts: &'a PlanOptions,
    /// name → set, so that each set is defined once.
    sets: BTreeMap<String, AddrSet>,
    rules: Vec<Rule>,
    zone_ranges: BTreeMap<(ZoneId, Family), RangeSet>,
}

/// One rule's worth of one conduit direction: a family, one address
/// match per side and the interfaces they sit behind.
struct FlowCtx<'a> {
    conduit: &'a Conduit,
    family: Family,
    src: AddrMatch,
    dst: AddrMatch,
    src_zones: Vec<String>,
    dst_zones: Vec<String>,
    dst_multicast: bool,
    iif: Option<String>,
    oif: Option<String>,
}

/// Endpoints of one side of a conduit behind one interface (`None`
/// without a target).
type SideGroups = BTreeMap<Option<String>, Vec<Endpoint>>;

/// One address match of a side, the zones owning its addresses, and
/// whether it is multicast groups.
type Part = (AddrMatch, Vec<String>, bool);

impl Builder<'_> {
    fn finish(self) -> Plan {
        Plan {
            mode: self.opts.mode,
            log_denied: self.opts.log_denied,
            as_of: self.opts.as_of,
            target: self.opts.target.clone(),
            families: model_families(self.model),
            sets: self.sets.into_values().collect(),
            rules: allow_rules_first(self.rules),
            interfaces: self
                .opts
                .interfaces
                .iter()
                .flat_map(|m| m.values().cloned())
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect(),
            clock: None,
        }
    }

    /// Rules of one conduit; whether the target sees any of its flows.
    ///
    /// Each direction matches its whole initiator side and whole responder
    /// side at once: one rule per (interface pair, family, address part
    /// pair, service line), where a side behind one interface is usually
    /// one part (see [`Builder::side_parts`]). This is the union of the
    /// per-endpoint-pair flows, because both sides of a flow match
    /// independently (source and inbound interface, destination and
    /// outbound interface).
    fn conduit(&mut self, conduit: &Conduit) -> bool {
        let mut directions = vec![(&conduit.initiators, &conduit.responders)];
        if conduit.direction == Direction::Both {
            directions.push((&conduit.responders, &conduit.initiators));
        }
        let mut seen = false;
        for (from, to) in directions {
            let from = self.groups(from);
            let to = self.groups(to);
            if from.is_empty() || to.is_empty() {
                continue;
            }
            seen = true;
            for (iif, from_eps) in &from {
                for (oif, to_eps) in &to {
                    for family in Family::ALL {
                        let srcs = self.side_parts(from_eps, family);
                        let dsts = self.side_parts(to_eps, family);
                        for (src, src_zones, _) in &srcs {
                            for (dst, dst_zones, multicast) in &dsts {
                                let flow = FlowCtx {
                                    conduit,
                                    family,
                                    src: src.clone(),
                                    dst: dst.clone(),
                                    src_zones: src_zones.clone(),
                                    dst_zones: dst_zones.clone(),
                                    dst_multicast: *multicast,
                                    iif: iif.clone(),
                                    oif: oif.clone(),
                                };
                                self.flow_rules(&flow);
                            }
                        }
                    }
                }
            }
        }
        seen
    }

    /// The endpoints of a side by interface: one group keyed `None` without
    /// a target; with a target, endpoints whose zone it does not see are
    /// left out.
    fn groups(&self, side: &[Endpoint]) -> SideGroups {
        let mut out = SideGroups::new();
        for ep in side {
            let key = match &self.opts.interfaces {
                None => None,
                Some(map) => match map.get(&ep.zone) {
                    Some(i) => Some(i.clone()),
                    None => continue,
                },
            };
            out.entry(key).or_default().push(*ep);
        }
        out
    }

    /// How the endpoints of one side group match in one family, as few
    /// address matches as possible (their union is exactly the side):
    /// - one whole zone (with or without its own assets): its named set;
    /// - otherwise every whole zone of more than [`INLINE_ZONE_MAX`]
    ///   ranges (the internet's "everything not inside") keeps its named
    ///   set, and everything else (assets, small zones) is one inline list.
    ///
    /// Multicast groups of the side are one more inline part (flagged, so
    /// a rule never mixes groups with host addresses), and every DNS name
    /// one [`AddrMatch::Fqdn`] part in each family.
    ///
    /// Empty when the side has no address of that family. Each part comes
    /// with the names of the zones that own its addresses.
    fn side_parts(&mut self, eps: &[Endpoint], family: Family) -> Vec<Part> {
        let mut parts: Vec<Part> = self
            .host_parts(eps, family)
            .into_iter()
            .map(|(m, zones)| (m, zones, false))
            .collect();
        parts.extend(self.special_parts(eps, family));
        parts
    }

    /// The multicast and DNS-name parts of a side (see [`Self::side_parts`]).
    fn special_parts(&self, eps: &[Endpoint], family: Family) -> Vec<Part> {
        let mut groups: Vec<(u128, u128)> = Vec::new();
        let mut group_zones: BTreeSet<&str> = BTreeSet::new();
        let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for ep in eps {
            let zone = self.model.zone(ep.zone).name.as_str();
            match ep.kind {
                EndpointKind::Zone => {}
                EndpointKind::Multicast(net) => {
                    let (f, lo, hi) = addr::net_range(&net);
                    if f == family {
                        groups.push((lo, hi));
                        group_zones.insert(zone);
                    }
                }
                EndpointKind::Fqdn(i) => {
                    names.entry(self.model.fqdn(i)).or_default().insert(zone);
                }
            }
        }
        let owned = |zones: BTreeSet<&str>| zones.into_iter().map(str::to_string).collect();
        let mut parts = Vec::new();
        if !groups.is_empty() {
            let m = AddrMatch::Inline(RangeSet::from_ranges(groups));
            parts.push((m, owned(group_zones), true));
        }
        for (name, zones) in names {
            parts.push((AddrMatch::Fqdn(name.to_string()), owned(zones), false));
        }
        parts
    }

    /// The zone and asset endpoints of a side (see [`Self::side_parts`]).
    fn host_parts(&mut self, eps: &[Endpoint], family: Family) -> Vec<(AddrMatch, Vec<String>)> {
        let eps: Vec<Endpoint> = eps
            .iter()
            .filter(|e| e.kind == EndpointKind::Zone)
            .copied()
            .collect();
        let eps = eps.as_slice();
        let mut zones: Vec<ZoneId> = eps
            .iter()
            .filter(|e| e.asset.is_none())
            .map(|e| e.zone)
            .filter(|z| self.zone_ranges.contains_key(&(*z, family)))
            .collect();
        zones.sort_unstable();
        zones.dedup();
        let in_whole_zone = |v: u128, b: &Self| {
            zones.iter().any(|z| {
                b.zone_ranges
                    .get(&(*z, family))
                    .is_some_and(|r| r.contains(v))
            })
        };
        let mut hosts: Vec<(u128, u128)> = Vec::new();
        let mut host_zones: BTreeSet<ZoneId> = BTreeSet::new();
        for ep in eps {
            let zone = self.model.zone(ep.zone);
            let Some(asset) = ep.asset.and_then(|i| zone.assets.get(i as usize)) else {
                continue;
            };
            let addr = asset.address.value;
            if Family::of(addr) != family {
                continue;
            }
            let v = addr::to_int(addr);
            if !in_whole_zone(v, self) {
                hosts.push((v, v));
                host_zones.insert(self.owner_of(ep.zone, v, family));
            }
        }
        let mut parts = Vec::new();
        let zone_name = |b: &Self, z: ZoneId| b.model.zone(z).name.clone();
        if let ([zone], true) = (zones.as_slice(), hosts.is_empty()) {
            let name = zone_name(self, *zone);
            parts.extend(self.zone_set(*zone, family).map(|m| (m, vec![name])));
            return parts;
        }
        for zone in zones {
            let Some(ranges) = self.zone_ranges.get(&(zone, family)) else {
                continue;
            };
            if ranges.ranges().len() > INLINE_ZONE_MAX {
                let name = zone_name(self, zone);
                parts.extend(self.zone_set(zone, family).map(|m| (m, vec![name])));
            } else {
                hosts.extend_from_slice(ranges.ranges());
                host_zones.insert(zone);
            }
        }
        if !hosts.is_empty() {
            let mut names: Vec<String> = host_zones.iter().map(|z| zone_name(self, *z)).collect();
            names.sort_unstable();
            parts.push((AddrMatch::Inline(RangeSet::from_ranges(hosts)), names));
        }
        parts
    }

    /// The zone that owns address `v` of an asset of zone `zone`: its own
    /// zone, unless a more specific network of another zone holds it (an
    /// asset of an external zone inside an inner network).
    fn owner_of(&self, zone: ZoneId, v: u128, family: Family) -> ZoneId {
        if self
            .zone_ranges
            .get(&(zone, family))
            .is_some_and(|r| r.contains(v))
        {
            return zone;
        }
        self.zone_ranges
            .iter()
            .find(|((_, f), r)| *f == family && r.contains(v))
            .map_or(zone, |((z, _), _)| *z)
    }

    /// Defines (once) and names the set of a zone in one family; `None`
    /// when the zone has no address of that family.
    fn zone_set(&mut self, zone_id: ZoneId, family: Family) -> Option<AddrMatch> {
        let zone = self.model.zone(zone_id);
        let ranges = self.zone_ranges.get(&(zone_id, family))?;
        let name = format!("z_{}_{}", zone.name, family.suffix());
        if !self.sets.contains_key(&name) {
            self.sets.insert(
                name.clone(),
                AddrSet {
                    name: name.clone(),
                    family,
                    ranges: ranges.clone(),
                    what: format!("zone {}", zone.name),
                },
            );
        }
        Some(AddrMatch::Set(name))
    }

    fn flow_rules(&mut self, flow: &FlowCtx<'_>) {
        let conduit = flow.conduit;
        let monitored = conduit.mode == Mode::Monitor;
        let log = (monitored || conduit.log).then_some(LogAs::Allow);
        // Services that match the same traffic (s7comm and s7comm-plus both
        // on TCP 102) share one rule naming all of them: a second, identical
        // rule would be shadowed and its counter would never move.
        let mut lines: Vec<(Line, Vec<&str>)> = Vec::new();
        for service_id in &conduit.services {
            let service = self.model.service(service_id.value);
            for m in &service.matches {
                let Some(l4) = l4_for(m, flow.family) else {
                    continue;
                };
                let l4 = Line {
                    l4,
                    sports: m.sports.clone(),
                    icmp_code: m.icmp_code,
                };
                match lines.iter_mut().find(|(seen, _)| *seen == l4) {
                    Some((_, names)) if names.contains(&service.name.as_str()) => {}
                    Some((_, names)) => names.push(&service.name),
                    None => lines.push((l4, vec![&service.name])),
                }
            }
        }
        for (line, names) in lines {
            let names = names.join(", ");
            let comment = describe(conduit, &format!("service {names}"));
            let mut rule = self.rule(flow, RuleKind::Allow, Some(names), line.l4, log, comment);
            rule.sports = line.sports;
            rule.icmp_code = line.icmp_code;
            self.rules.push(rule);
        }
        if monitored {
            let comment = describe(conduit, "monitor scope");
            let rule = self.rule(
                flow,
                RuleKind::MonitorScope,
                None,
                L4::Any,
                Some(LogAs::WouldDrop),
                comment,
            );
            self.rules.push(rule);
        }
    }

    fn rule(
        &self,
        flow: &FlowCtx<'_>,
        kind: RuleKind,
        service: Option<String>,
        l4: L4,
        log: Option<LogAs>,
        comment: String,
    ) -> Rule {
        let conduit = flow.conduit;
        // A monitored conduit passes everything along its flow: its scope
        // rule ignores the schedule (outside it, traffic is "would drop").
        let window = conduit
            .schedule
            .as_ref()
            .map(|s| window_of(&s.value))
            .filter(|w| !w.is_always() && kind == RuleKind::Allow);
        Rule {
            kind,
            conduit: conduit.name.clone(),
            service,
            family: flow.family,
            src: flow.src.clone(),
            dst: flow.dst.clone(),
            src_zones: flow.src_zones.clone(),
            dst_zones: flow.dst_zones.clone(),
            dst_multicast: flow.dst_multicast,
            iif: flow.iif.clone(),
            oif: flow.oif.clone(),
            l4,
            sports: Vec::new(),
            icmp_code: None,
            window,
            expires: conduit.expires.as_ref().map(|e| e.value),
            log,
            comment,
        }
    }
}

fn window_of(s: &crate::model::Schedule) -> Window {
    Window {
        days: s.days.clone(),
        start_sec: u32::from(s.start_minute) * 60,
        end_sec: u32::from(s.end_minute) * 60,
        text: s.text.clone(),
        zone: s.zone.clone(),
    }
}

/// The layer-4 match of one service line of a flow: a rule key.
#[derive(PartialEq)]
struct Line {
    l4: L4,
    sports: Vec<PortRange>,
    icmp_code: Option<u8>,
}

/// The layer-4 match of a service line for one family; `None` when the
/// line cannot apply to that family (ICMP on IPv6, ICMPv6 on IPv4) or can
/// never start a connection (an ICMP error type: W0008; errors about an
/// allowed connection pass as conntrack `related`).
fn l4_for(m: &ServiceMatch, family: Family) -> Option<L4> {
    Some(match m.proto {
        Proto::Tcp => L4::Tcp(m.ports.clone()),
        Proto::Udp => L4::Udp(m.ports.clone()),
        Proto::Icmp | Proto::Icmp6 => {
            let fits = (m.proto == Proto::Icmp6) == (family == Family::V6);
            if !fits || m.icmp_type.is_some_and(|t| is_icmp_error(m.proto, t)) {
                return None;
            }
            L4::Icmp(m.icmp_type)
        }
        Proto::Other(n) => L4::Proto(n),
    })
}

/// Allow rules before monitor scope rules (a stable partition), so that
/// traffic a conduit allows is never logged as "would drop".
fn allow_rules_first(rules: Vec<Rule>) -> Vec<Rule> {
    let (mut allow, scope): (Vec<Rule>, Vec<Rule>) =
        rules.into_iter().partition(|r| r.kind == RuleKind::Allow);
    allow.extend(scope);
    allow
}

fn model_families(model: &Model) -> BTreeSet<Family> {
    let nets = model
        .zones
        .iter()
        .flat_map(|z| z.networks.iter().map(|n| Family::of(n.value.addr())));
    let assets = model
        .zones
        .iter()
        .flat_map(|z| z.assets.iter().map(|a| Family::of(a.address.value)));
    nets.chain(assets).collect()
}

/// Rule comment: conduit, what the rule is, then vendor, ticket and
/// justification as written (untrusted: backends sanitize and cut it).
fn describe(conduit: &Conduit, what: &str) -> String {
    let mut text = format!("conduit {} {what}", conduit.name);
    if let Some(v) = &conduit.vendor {
        text.push_str(&format!("; vendor {v}"));
    }
    if let Some(t) = &conduit.ticket {
        text.push_str(&format!("; ticket {t}"));
    }
    if let Some(j) = &conduit.justification {
        text.push_str(&format!("; {j}"));
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    fn plan_of(text: &str) -> (Plan, Vec<Diagnostic>) {
        let loaded = crate::load_str("t.zc", text);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let opts = PlanOptions {
            mode: Mode::Enforce,
            log_denied: true,
            as_of: Date::parse("2026-11-28").unwrap(),
            interfaces: None,
            target: None,
        };
        build(&loaded.model, &opts)
    }

    #[test]
    fn no_common_family_is_w0003() {
        let (plan, diags) = plan_of(
            "zone a {\n purdue 3\n network 10.1.0.0/24\n}\nzone b {\n purdue 2\n network 2001:db8::/48\n}\n\
             conduit x {\n a -> b\n allow tcp 22\n}\n",
        );
        assert!(plan.rules.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "W0003");
        assert!(diags[0].message.contains("address family"));
    }

    #[test]
    fn only_icmp_error_types_is_w0003_saying_so() {
        let (plan, diags) = plan_of(
            "zone a {\n network 10.1.0.0/24\n}\nzone b {\n network 10.2.0.0/24\n}\n\
             conduit x {\n a -> b\n allow icmp 3, icmp 11\n}\n",
        );
        assert!(plan.rules.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "W0003");
        assert!(
            diags[0].message.contains("only ICMP error types"),
            "{}",
            diags[0].message
        );
    }

    const THREE_ZONES: &str = "zone a {\n purdue 3\n network 10.1.0.0/24\n asset h1 10.1.0.5 { role hmi }\n asset h2 10.1.0.6 { role hmi }\n asset h3 10.1.0.9 { role hmi }\n}\n\
         zone b {\n purdue 2\n network 10.2.0.0/24\n}\nzone c {\n purdue 3\n network 10.3.0.0/24\n}\n";

    #[test]
    fn a_side_of_assets_is_one_rule_with_inline_addresses() {
        let (plan, _) = plan_of(&format!(
            "{THREE_ZONES}conduit x {{\n a.h1, a.h2, a.h3 -> b\n allow tcp 22\n}}\n"
        ));
        assert_eq!(plan.rules.len(), 1);
        let rule = &plan.rules[0];
        let AddrMatch::Inline(src) = &rule.src else {
            panic!("{:?}", rule.src)
        };
        // h1 and h2 are adjacent: one range.
        assert_eq!(src.ranges().len(), 2);
        assert_eq!(rule.dst, AddrMatch::Set("z_b_v4".to_string()));
        let names: Vec<&str> = plan.sets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["z_b_v4"]);
    }

    #[test]
    fn a_mixed_side_is_listed_and_each_interface_gets_its_rule() {
        let text = format!("{THREE_ZONES}conduit x {{\n a, c -> b\n allow tcp 22\n}}\n");
        let (plan, _) = plan_of(&text);
        assert_eq!(plan.rules.len(), 1);
        assert!(matches!(&plan.rules[0].src, AddrMatch::Inline(r) if r.ranges().len() == 2));
        assert_eq!(plan.rules[0].src_zones, ["a", "c"]);
        assert_eq!(plan.rules[0].dst_zones, ["b"]);

        let loaded = crate::load_str("t.zc", &text);
        let iface = |name: &str| {
            let id = loaded
                .model
                .zones
                .iter()
                .position(|z| z.name == name)
                .unwrap();
            ZoneId(u32::try_from(id).unwrap())
        };
        let interfaces = BTreeMap::from([
            (iface("a"), "eth1".to_string()),
            (iface("b"), "eth2".to_string()),
            (iface("c"), "eth3".to_string()),
        ]);
        let opts = PlanOptions {
            mode: Mode::Enforce,
            log_denied: true,
            as_of: Date::parse("2026-11-28").unwrap(),
            interfaces: Some(interfaces),
            target: None,
        };
        let (plan, _) = build(&loaded.model, &opts);
        let got: Vec<(Option<&str>, &AddrMatch)> = plan
            .rules
            .iter()
            .map(|r| (r.iif.as_deref(), &r.src))
            .collect();
        assert_eq!(
            got,
            [
                (Some("eth1"), &AddrMatch::Set("z_a_v4".to_string())),
                (Some("eth3"), &AddrMatch::Set("z_c_v4".to_string())),
            ]
        );
    }

    #[test]
    fn external_zone_owns_only_what_is_not_inside() {
        let (plan, _) = plan_of(
            "zone internet {\n class external\n network 0.0.0.0/0\n}\nzone b {\n purdue 2\n network 10.2.0.0/24\n}\n\
             zone c {\n purdue 3\n network 10.3.0.0/24\n}\nconduit x {\n internet -> b\n allow tcp 22\n}\n",
        );
        let set = plan.set("z_internet_v4").unwrap();
        assert!(set.contains("192.0.2.1".parse().unwrap()));
        assert!(!set.contains("10.3.0.9".parse().unwrap()));
        assert!(!set.contains("10.2.0.9".parse().unwrap()));
    }

    fn l4s(plan: &Plan) -> Vec<(String, L4)> {
        plan.rules
            .iter()
            .map(|r| (r.service.clone().unwrap_or_default(), r.l4.clone()))
            .collect()
    }

    fn ports(list: &[(u16, u16)]) -> Vec<PortRange> {
        list.iter().map(|&(lo, hi)| PortRange { lo, hi }).collect()
    }

    #[test]
    fn repeated_and_overlapping_ports_keep_the_whole_list() {
        let text = |allow: &str| {
            format!("{THREE_ZONES}service site-ssh {{\n tcp 22, 22\n}}\nconduit x {{\n a -> b\n allow {allow}\n}}\n")
        };
        let (plan, diags) = plan_of(&text("tcp 80, 80"));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(l4s(&plan), [("tcp/80".into(), L4::Tcp(ports(&[(80, 80)])))]);

        let (plan, _) = plan_of(&text("ssh, udp 1, 5000-5010, 1"));
        assert_eq!(
            l4s(&plan),
            [
                ("ssh".into(), L4::Tcp(ports(&[(22, 22)]))),
                (
                    "udp/1,5000-5010".into(),
                    L4::Udp(ports(&[(1, 1), (5000, 5010)]))
                ),
            ]
        );

        let (plan, _) = plan_of(&text("tcp 80-90, 85, 91"));
        assert_eq!(
            l4s(&plan),
            [("tcp/80-91".into(), L4::Tcp(ports(&[(80, 91)])))]
        );

        let (plan, _) = plan_of(&text("site-ssh"));
        assert_eq!(
            l4s(&plan),
            [("site-ssh".into(), L4::Tcp(ports(&[(22, 22)])))]
        );

        let loaded = crate::load_str("t.zc", &text("tcp 80-90, 85"));
        let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["W0004", "W0004"]);
    }

    #[test]
    fn services_matching_the_same_traffic_share_one_rule() {
        let (plan, _) = plan_of(&format!(
            "{THREE_ZONES}conduit x {{\n a -> b\n allow s7comm, s7comm-plus, modbus\n}}\n"
        ));
        let services: Vec<_> = plan
            .rules
            .iter()
            .map(|r| r.service.clone().unwrap())
            .collect();
        assert_eq!(services, ["modbus", "s7comm, s7comm-plus"]);
        assert!(plan.rules[1]
            .comment
            .contains("service s7comm, s7comm-plus"));
    }
}
