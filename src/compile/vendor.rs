//! What every vendor firewall backend (Junos SRX, PAN-OS, Cisco ASA,
//! FortiGate) needs on top of the [`Plan`]: names the device accepts,
//! deduplicated address and service objects, schedule facts and safe
//! descriptions. Pure functions of the plan; no vendor syntax here.
//!
//! # API
//!
//! **Names** ([`NameRules`], [`vendor_name`], [`Namespace`]). A vendor's
//! rules for one kind of name: maximum length, allowed characters, allowed
//! first character, the replacement for anything else, and whether the
//! device compares names without case. [`vendor_name`] keeps a name that
//! already fits unchanged; otherwise it replaces bad characters, cuts the
//! name and appends `<sep><8 hex>` of SHA-256 of the original name, so the
//! result is deterministic and content-derived (an unrelated change never
//! renames it). A [`Namespace`] hands out names of one device namespace
//! (zones, policies, address book, applications): [`Namespace::claim`]
//! returns the same name for the same input, and when two inputs would
//! share a name it retries with a 16-hex suffix and otherwise returns a
//! [`NameClash`], whose [`NameClash::diagnostic`] is error E0506.
//!
//! **Zones** ([`zones_of`]): the policy zones the rules use, each with its
//! interface under a target profile; error E0503 when one interface would
//! carry two zones (an interface belongs to one security zone).
//!
//! **Address objects** ([`AddressBook::build`]). One [`AddrObject`] per
//! distinct prefix or range of the plan (zone networks after "most
//! specific wins", asset addresses, merged host ranges), per family,
//! named from its content: `h_10.30.0.5`, `n_10.40.1.0_24`,
//! `r_10.0.3.5_10.0.3.6` (IPv6 `:` written `-`: `n_2001-db8-40--_64`).
//! One [`AddrGroup`] per zone set (`z_line1_v4`, from the plan's set name)
//! and per inline list of two or more elements (`l4_<8 hex>` of the list's
//! content), so names are stable when unrelated conduits change. An inline
//! list of one element is matched by its object directly.
//! [`AddressBook::resolve`] gives the [`AddrRef`] of a rule side.
//!
//! **Service objects** ([`ServiceBook::build`]). One [`ServiceObject`] per
//! (protocol, one port or port range) — `tcp_502`, `tcp_1024-65535`,
//! `udp_123`, `icmp`, `icmp_8`, `icmp6`, `ip_47` — and one [`ServiceGroup`]
//! per rule line of several ranges (`tcp_22_100-110`). A plan rule holds one
//! protocol, so a group never mixes one service's protocol with another's
//! ports (tcp 44818 + udp 2222 stays exactly that, never udp 44818).
//! [`ServiceBook::resolve`] gives the [`SvcRef`] of a rule (`Any` for a
//! monitor scope rule).
//!
//! **Schedules** ([`timing`], [`Weekly`], [`occurrences`], [`never_matches`]). A rule's window
//! and expiry as vendor-neutral facts: [`Timing::Always`], a weekly window
//! (days Monday first, start and end second of the day in UTC, whether all
//! days / the whole day), an end instant, or both. [`occurrences`] expands a
//! window into dated one-time intervals from a start date to the expiry
//! (adjacent ones merged), for devices whose recurring schedules cannot end;
//! beyond a cap it returns [`TooManyOccurrences`], whose
//! [`TooManyOccurrences::diagnostic`] is error E0505. [`hm`], [`hms`],
//! [`date_time`] and [`weekday_of`] format and split instants.
//!
//! **Interfaces** ([`valid_vendor_ifname`], [`VENDOR_IFNAME_HINT`]): what a
//! target profile may bind a zone to on a vendor device; a vendor backend
//! returns them from `Backend::valid_interface` / `interface_hint`.
//!
//! **Descriptions** ([`TextRules`], [`description`], [`xml_escape`]).
//! Policy text through [`super::text::sanitize`] (no control or bidi
//! characters, no `"` or `\`), plus the vendor's forbidden characters
//! replaced, cut to the vendor's byte budget. [`xml_escape`] for XML
//! formats.

use super::addr::{Element, Family, RangeSet};
use super::plan::{AddrMatch, Plan, Rule, Window, L4};
use super::text::sanitize;
use crate::diagnostics::Diagnostic;
use crate::model::{Date, PortRange, Weekday};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;

// ---------------------------------------------------------------- names

/// A vendor's rules for one kind of name.
#[derive(Debug, Clone, Copy)]
pub struct NameRules {
    /// The vendor, for messages (`Junos SRX`).
    pub vendor: &'static str,
    /// What is named (`zone`, `policy`, `address`), for messages.
    pub kind: &'static str,
    /// Maximum length in characters (all allowed characters are ASCII).
    pub max_len: usize,
    /// Characters allowed anywhere.
    pub allowed: fn(char) -> bool,
    /// Characters allowed first.
    pub first: fn(char) -> bool,
    /// Replaces a character that is not allowed; also separates the hash
    /// suffix. Must itself be allowed.
    pub replacement: char,
    /// The device compares these names without case.
    pub case_insensitive: bool,
}

/// `[A-Za-z0-9]`.
pub fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// `[A-Za-z0-9_-]`.
pub fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `[A-Za-z0-9_.-]`.
pub fn is_word_dot(c: char) -> bool {
    is_word(c) || c == '.'
}

/// Hex digits of SHA-256 of `text`, `len` of them (at most 64).
pub fn short_hash(text: &str, len: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out.truncate(len.min(64));
    out
}

/// `raw` as a name the device accepts: unchanged when it already fits,
/// else bad characters replaced, cut, and an 8-hex content hash appended.
pub fn vendor_name(raw: &str, rules: &NameRules) -> String {
    vendor_name_with(raw, rules, 8, false)
}

fn fits(raw: &str, rules: &NameRules) -> bool {
    let mut chars = raw.chars();
    chars
        .next()
        .is_some_and(|c| (rules.first)(c) && (rules.allowed)(c))
        && chars.all(rules.allowed)
        && raw.chars().count() <= rules.max_len
}

fn vendor_name_with(raw: &str, rules: &NameRules, hash_len: usize, force: bool) -> String {
    if !force && fits(raw, rules) {
        return raw.to_string();
    }
    let mut stem: String = raw
        .chars()
        .map(|c| {
            if (rules.allowed)(c) && c.is_ascii() {
                c
            } else {
                rules.replacement
            }
        })
        .collect();
    if !stem.chars().next().is_some_and(rules.first) {
        stem.insert(0, 'x');
    }
    let keep = rules.max_len.saturating_sub(hash_len + 1).max(1);
    let stem: String = stem.chars().take(keep).collect();
    let stem = stem.trim_end_matches(rules.replacement);
    let stem = if stem.is_empty() { "x" } else { stem };
    format!("{stem}{}{}", rules.replacement, short_hash(raw, hash_len))
}

/// Two different policy names that would share one device name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClash {
    pub vendor: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub first: String,
    pub second: String,
}

impl NameClash {
    /// Error E0506.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            "E0506",
            format!(
                "{} {} name `{}` would stand for both `{}` and `{}`",
                self.vendor,
                self.kind,
                self.name,
                sanitize(&self.first, 120),
                sanitize(&self.second, 120)
            ),
        )
        .with_help("rename one of them in the policy")
    }
}

/// The names handed out in one device namespace.
#[derive(Debug, Clone)]
pub struct Namespace {
    rules: NameRules,
    /// Folded device name → the input it stands for.
    taken: BTreeMap<String, String>,
    /// Input → device name.
    given: BTreeMap<String, String>,
}

impl Namespace {
    pub fn new(rules: NameRules) -> Namespace {
        Namespace {
            rules,
            taken: BTreeMap::new(),
            given: BTreeMap::new(),
        }
    }

    pub fn rules(&self) -> &NameRules {
        &self.rules
    }

    fn fold(&self, name: &str) -> String {
        if self.rules.case_insensitive {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        }
    }

    /// The device name of `raw` in this namespace (the same every time).
    pub fn claim(&mut self, raw: &str) -> Result<String, NameClash> {
        if let Some(name) = self.given.get(raw) {
            return Ok(name.clone());
        }
        let mut clash = None;
        for hash_len in [8, 16] {
            let name = vendor_name_with(raw, &self.rules, hash_len, hash_len > 8);
            let key = self.fold(&name);
            match self.taken.get(&key) {
                Some(other) => {
                    clash.get_or_insert(NameClash {
                        vendor: self.rules.vendor,
                        kind: self.rules.kind,
                        name,
                        first: other.clone(),
                        second: raw.to_string(),
                    });
                }
                None => {
                    self.taken.insert(key, raw.to_string());
                    self.given.insert(raw.to_string(), name.clone());
                    return Ok(name);
                }
            }
        }
        Err(clash.unwrap_or(NameClash {
            vendor: self.rules.vendor,
            kind: self.rules.kind,
            name: raw.to_string(),
            first: raw.to_string(),
            second: raw.to_string(),
        }))
    }

    /// The name `raw` was given, if claimed.
    pub fn get(&self, raw: &str) -> Option<&str> {
        self.given.get(raw).map(String::as_str)
    }
}

/// A vendor interface name a target profile may bind a zone to
/// (`ge-0/0/4.101`, `ethernet1/4`, `reth0.10`, `GigabitEthernet0/1`,
/// `port4`): 1 to 63 characters of letters, digits, `/`, `.`, `:`, `-`, `_`,
/// starting with a letter. Nothing that needs quoting in any vendor format.
pub fn valid_vendor_ifname(name: &str) -> bool {
    name.len() <= 63
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | ':' | '-' | '_'))
}

/// The hint for [`valid_vendor_ifname`].
pub const VENDOR_IFNAME_HINT: &str =
    "1 to 63 characters of letters, digits, `/`, `.`, `:`, `-` or `_`, starting with a letter";

// ---------------------------------------------------------------- zones

/// The policy zones of a plan and, with a target, each zone's interface.
/// Errors when an interface would carry two zones (an interface belongs to
/// exactly one security zone on vendor firewalls).
pub fn zones_of(
    plan: &Plan,
    vendor_name: &str,
) -> Result<BTreeMap<String, Option<String>>, Vec<Diagnostic>> {
    let mut zones: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut by_iface: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    for rule in &plan.rules {
        for (side, iface) in [(&rule.src_zones, &rule.iif), (&rule.dst_zones, &rule.oif)] {
            for z in side {
                zones.entry(z.clone()).or_insert_with(|| iface.clone());
                let Some(i) = iface else { continue };
                match by_iface.get(i) {
                    Some(other) if other != z => {
                        let msg = format!(
                            "zones `{}` and `{}` share interface `{}`: on {vendor_name} an interface belongs to one security zone",
                            sanitize(other, 80),
                            sanitize(z, 80),
                            sanitize(i, 80)
                        );
                        if !errors.iter().any(|d: &Diagnostic| d.message == msg) {
                            errors.push(Diagnostic::error("E0503", msg).with_help(
                                "give each zone its own interface (a VLAN sub-interface) in the target profile",
                            ));
                        }
                    }
                    Some(_) => {}
                    None => {
                        by_iface.insert(i.clone(), z.clone());
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(zones)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------- addresses

/// One address object: a prefix (a host is a full-length prefix) or range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrObject {
    pub name: String,
    pub family: Family,
    pub element: Element,
}

/// A named list of address objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrGroup {
    pub name: String,
    pub family: Family,
    /// Object names, in address order.
    pub members: Vec<String>,
    /// `zone line1` or `address list`, for descriptions.
    pub what: String,
}

/// How a rule side refers to its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrRef {
    Object(String),
    Group(String),
}

impl AddrRef {
    pub fn name(&self) -> &str {
        match self {
            AddrRef::Object(n) | AddrRef::Group(n) => n,
        }
    }
}

/// A DNS-name address object (`fqdn "NAME" in ZONE`), one per family the
/// rules use it in: a device resolves it, the plan knows no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FqdnObject {
    pub name: String,
    pub family: Family,
    /// Checked by the language: lower-case RFC 1123 labels, at most one
    /// leading `*.`; nothing a config would need to quote.
    pub fqdn: String,
}

impl FqdnObject {
    pub fn is_wildcard(&self) -> bool {
        self.fqdn.starts_with("*.")
    }
}

/// Content-derived stem of a DNS-name object: `d4_` / `d6_` and the name,
/// `d4w_` / `d6w_` and the name after `*.` for a wildcard (distinct names
/// never share a stem).
pub fn fqdn_stem(family: Family, fqdn: &str) -> String {
    let f = match family {
        Family::V4 => "d4",
        Family::V6 => "d6",
    };
    match fqdn.strip_prefix("*.") {
        Some(rest) => format!("{f}w_{rest}"),
        None => format!("{f}_{fqdn}"),
    }
}

/// Address objects and groups of a plan, deduplicated.
#[derive(Debug, Clone, Default)]
pub struct AddressBook {
    /// In the order first used (plan sets by name, then rule order).
    pub objects: Vec<AddrObject>,
    /// DNS-name objects, in the order first used.
    pub fqdns: Vec<FqdnObject>,
    pub groups: Vec<AddrGroup>,
    by_set: BTreeMap<String, AddrRef>,
    by_fqdn: BTreeMap<(Family, String), AddrRef>,
    by_list: BTreeMap<(Family, Vec<(u128, u128)>), AddrRef>,
    by_element: BTreeMap<String, String>,
}

/// Content-derived stem of an element's object name.
pub fn element_stem(e: &Element) -> String {
    let a = |ip: &IpAddr| ip.to_string().replace(':', "-");
    match e {
        Element::Prefix(ip, len) => {
            let full = match ip {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            };
            if *len == full {
                format!("h_{}", a(ip))
            } else {
                format!("n_{}_{len}", a(ip))
            }
        }
        Element::Range(lo, hi) => format!("r_{}_{}", a(lo), a(hi)),
    }
}

/// Content-derived name stem of an inline list (`l4_<8 hex>`).
pub fn list_stem(family: Family, ranges: &RangeSet) -> String {
    let mut key = String::new();
    for (lo, hi) in ranges.ranges() {
        let _ = write!(key, "{lo:x}-{hi:x},");
    }
    let f = match family {
        Family::V4 => "l4",
        Family::V6 => "l6",
    };
    format!("{f}_{}", short_hash(&key, 8))
}

impl AddressBook {
    /// Objects and groups for every set and inline list of `plan`, named
    /// in `ns` (objects and groups share it, as on the devices).
    pub fn build(plan: &Plan, ns: &mut Namespace) -> Result<AddressBook, NameClash> {
        let mut book = AddressBook::default();
        for set in &plan.sets {
            let members = book.objects_of(set.family, &set.ranges, ns)?;
            let name = ns.claim(&set.name)?;
            book.groups.push(AddrGroup {
                name: name.clone(),
                family: set.family,
                members,
                what: set.what.clone(),
            });
            book.by_set.insert(set.name.clone(), AddrRef::Group(name));
        }
        for rule in &plan.rules {
            for side in [&rule.src, &rule.dst] {
                if let AddrMatch::Fqdn(fqdn) = side {
                    book.fqdn_object(rule.family, fqdn, ns)?;
                }
                let AddrMatch::Inline(ranges) = side else {
                    continue;
                };
                let key = (rule.family, ranges.ranges().to_vec());
                if book.by_list.contains_key(&key) {
                    continue;
                }
                let mut members = book.objects_of(rule.family, ranges, ns)?;
                let r = if members.len() == 1 {
                    AddrRef::Object(members.remove(0))
                } else {
                    let name = ns.claim(&list_stem(rule.family, ranges))?;
                    book.groups.push(AddrGroup {
                        name: name.clone(),
                        family: rule.family,
                        members,
                        what: "address list".to_string(),
                    });
                    AddrRef::Group(name)
                };
                book.by_list.insert(key, r);
            }
        }
        Ok(book)
    }

    fn fqdn_object(
        &mut self,
        family: Family,
        fqdn: &str,
        ns: &mut Namespace,
    ) -> Result<(), NameClash> {
        let key = (family, fqdn.to_string());
        if self.by_fqdn.contains_key(&key) {
            return Ok(());
        }
        let name = ns.claim(&fqdn_stem(family, fqdn))?;
        self.fqdns.push(FqdnObject {
            name: name.clone(),
            family,
            fqdn: fqdn.to_string(),
        });
        self.by_fqdn.insert(key, AddrRef::Object(name));
        Ok(())
    }

    fn objects_of(
        &mut self,
        family: Family,
        ranges: &RangeSet,
        ns: &mut Namespace,
    ) -> Result<Vec<String>, NameClash> {
        let mut names = Vec::new();
        for e in ranges.elements(family) {
            let stem = element_stem(&e);
            if let Some(n) = self.by_element.get(&stem) {
                names.push(n.clone());
                continue;
            }
            let name = ns.claim(&stem)?;
            self.objects.push(AddrObject {
                name: name.clone(),
                family,
                element: e,
            });
            self.by_element.insert(stem, name.clone());
            names.push(name);
        }
        Ok(names)
    }

    /// The reference for one side of a rule of `family`.
    pub fn resolve(&self, m: &AddrMatch, family: Family) -> Option<&AddrRef> {
        match m {
            AddrMatch::Set(name) => self.by_set.get(name),
            AddrMatch::Inline(r) => self.by_list.get(&(family, r.ranges().to_vec())),
            AddrMatch::Fqdn(n) => self.by_fqdn.get(&(family, n.clone())),
        }
    }
}

// ---------------------------------------------------------------- services

/// The protocol of a service object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SvcProto {
    Tcp,
    Udp,
    /// ICMP (v4) or ICMPv6 (v6).
    Icmp(Family),
    /// Another IP protocol number (any port).
    Ip(u8),
}

/// One protocol with one port range, or one ICMP type, or a bare protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceObject {
    pub name: String,
    pub proto: SvcProto,
    /// Destination ports (TCP and UDP only).
    pub ports: Option<PortRange>,
    /// Source ports (TCP and UDP only; `None`: any source port).
    pub sports: Option<PortRange>,
    /// ICMP or ICMPv6 type, of the protocol's family (`None`: every type).
    pub icmp_type: Option<u8>,
    /// ICMP or ICMPv6 code (only with a type; `None`: every code).
    pub icmp_code: Option<u8>,
}

/// Several service objects of one protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceGroup {
    pub name: String,
    pub members: Vec<String>,
}

/// How a rule refers to its service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvcRef {
    /// Every protocol (monitor scope rules).
    Any,
    Object(String),
    Group(String),
}

/// Service objects and groups of a plan, deduplicated.
#[derive(Debug, Clone, Default)]
pub struct ServiceBook {
    pub objects: Vec<ServiceObject>,
    pub groups: Vec<ServiceGroup>,
    by_stem: BTreeMap<String, String>,
    by_line: BTreeMap<String, SvcRef>,
}

/// Content-derived stems of one rule line's objects, with their contents;
/// and the stem of the line (its group, when several).
/// Objects: one per destination port range (times source port range,
/// `udp_47808_from_47808`), or one ICMP/ICMPv6 type and code.
fn line_parts(rule: &Rule) -> Option<(String, Vec<(String, ServiceObject)>)> {
    let obj = |stem: String, proto| {
        (
            stem,
            ServiceObject {
                name: String::new(),
                proto,
                ports: None,
                sports: None,
                icmp_type: None,
                icmp_code: None,
            },
        )
    };
    let (stem, parts) = match &rule.l4 {
        L4::Any => return None,
        L4::Tcp(p) | L4::Udp(p) => {
            let (word, proto) = match rule.l4 {
                L4::Tcp(_) => ("tcp", SvcProto::Tcp),
                _ => ("udp", SvcProto::Udp),
            };
            let sports: Vec<Option<PortRange>> = if rule.sports.is_empty() {
                vec![None]
            } else {
                rule.sports.iter().copied().map(Some).collect()
            };
            let mut parts = Vec::new();
            for r in p {
                for s in &sports {
                    let from = s.map(|s| format!("_from_{s}")).unwrap_or_default();
                    let (stem, mut o) = obj(format!("{word}_{r}{from}"), proto);
                    o.ports = Some(*r);
                    o.sports = *s;
                    parts.push((stem, o));
                }
            }
            let list = |l: &[PortRange]| -> String {
                l.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("_")
            };
            let from = if rule.sports.is_empty() {
                String::new()
            } else {
                format!("_from_{}", list(&rule.sports))
            };
            (format!("{word}_{}{from}", list(p)), parts)
        }
        L4::Icmp(t) => {
            let word = match rule.family {
                Family::V4 => "icmp",
                Family::V6 => "icmp6",
            };
            let stem = match (t, rule.icmp_code) {
                (Some(t), Some(c)) => format!("{word}_{t}_{c}"),
                (Some(t), None) => format!("{word}_{t}"),
                (None, _) => word.to_string(),
            };
            let (stem, mut o) = obj(stem, SvcProto::Icmp(rule.family));
            o.icmp_type = *t;
            o.icmp_code = t.and(rule.icmp_code);
            (stem.clone(), vec![(stem, o)])
        }
        L4::Proto(n) => {
            let stem = format!("ip_{n}");
            (stem.clone(), vec![obj(stem, SvcProto::Ip(*n))])
        }
    };
    Some((stem, parts))
}

impl ServiceBook {
    /// Objects and groups for every rule line of `plan`, named in `ns`
    /// (objects and groups share it).
    pub fn build(plan: &Plan, ns: &mut Namespace) -> Result<ServiceBook, NameClash> {
        let mut book = ServiceBook::default();
        for rule in &plan.rules {
            let Some((line, parts)) = line_parts(rule) else {
                continue;
            };
            if book.by_line.contains_key(&line) {
                continue;
            }
            let mut members = Vec::new();
            for (stem, mut o) in parts {
                if let Some(n) = book.by_stem.get(&stem) {
                    members.push(n.clone());
                    continue;
                }
                let name = ns.claim(&stem)?;
                o.name = name.clone();
                book.objects.push(o);
                book.by_stem.insert(stem, name.clone());
                members.push(name);
            }
            let r = if members.len() == 1 {
                SvcRef::Object(members.remove(0))
            } else {
                let name = ns.claim(&line)?;
                book.groups.push(ServiceGroup {
                    name: name.clone(),
                    members,
                });
                SvcRef::Group(name)
            };
            book.by_line.insert(line, r);
        }
        Ok(book)
    }

    /// The service reference of a rule (`Any` for `L4::Any`).
    pub fn resolve(&self, rule: &Rule) -> Option<&SvcRef> {
        static ANY: SvcRef = SvcRef::Any;
        match line_parts(rule) {
            None => Some(&ANY),
            Some((line, _)) => self.by_line.get(&line),
        }
    }

    /// The object called `name`.
    pub fn object(&self, name: &str) -> Option<&ServiceObject> {
        self.objects.iter().find(|o| o.name == name)
    }
}

// ---------------------------------------------------------------- schedules

/// A weekly window as plain facts, on the wall clock of `zone` (UTC when
/// `None`); a backend writes them as they are only on a device whose clock
/// runs in that zone (see [`clock_mismatches`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weekly {
    /// Monday first.
    pub days: Vec<Weekday>,
    pub start_sec: u32,
    /// Exclusive; 86,400 for "to the end of the day".
    pub end_sec: u32,
    pub all_days: bool,
    pub all_day: bool,
    pub zone: Option<String>,
}

impl Weekly {
    pub fn of(w: &Window) -> Weekly {
        Weekly {
            days: w.days.iter().copied().collect(),
            start_sec: w.start_sec,
            end_sec: w.end_sec.min(86_400),
            all_days: w.days.len() == 7,
            all_day: w.start_sec == 0 && w.end_sec >= 86_400,
            zone: w.zone.clone(),
        }
    }

    /// The window these facts describe.
    pub fn window(&self) -> Window {
        Window {
            days: self.days.iter().copied().collect(),
            start_sec: self.start_sec,
            end_sec: self.end_sec,
            text: String::new(),
            zone: self.zone.clone(),
        }
    }
}

/// Errors E0537 for rules whose weekly window is in another time zone than
/// the device clock (`plan.clock`, UTC when unset), when the backend writes
/// weekly windows as recurring schedules on that clock. `dated_with_expiry`:
/// the backend writes a window with an expiry as dated entries (instants,
/// exact on any clock), so only windows without an expiry must match.
pub fn clock_mismatches(plan: &Plan, vendor: &str, dated_with_expiry: bool) -> Vec<Diagnostic> {
    let clock = plan.clock.as_deref();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for rule in &plan.rules {
        let Some(w) = rule.window.as_ref().filter(|w| !w.is_always()) else {
            continue;
        };
        if w.zone.as_deref() == clock
            || (dated_with_expiry && rule.expires.is_some())
            || !seen.insert(rule.conduit.clone())
        {
            continue;
        }
        let zone = w.zone.as_deref().unwrap_or("UTC");
        let clock = clock.unwrap_or("UTC");
        out.push(
            Diagnostic::error(
                "E0537",
                format!(
                    "conduit `{}`: schedule in {zone}, but the {vendor} clock runs in {clock}",
                    sanitize(&rule.conduit, 120)
                ),
            )
            .with_help(format!(
                "set `clock: {zone}` in the target profile if the device's clock runs in {zone}, or write the schedule in {clock}"
            )),
        );
    }
    out
}

/// When a rule applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timing {
    Always,
    Weekly(Weekly),
    /// Until 00:00 UTC of the date (exclusive).
    Until(Date),
    WeeklyUntil(Weekly, Date),
}

/// A rule's schedule facts.
pub fn timing(rule: &Rule) -> Timing {
    let weekly = rule
        .window
        .as_ref()
        .filter(|w| !w.is_always())
        .map(Weekly::of);
    match (weekly, rule.expires) {
        (None, None) => Timing::Always,
        (Some(w), None) => Timing::Weekly(w),
        (None, Some(d)) => Timing::Until(d),
        (Some(w), Some(d)) => Timing::WeeklyUntil(w, d),
    }
}

/// Whether a rule can never match: its window has no day or is empty.
/// Backends may leave such a rule out (the device would never use it).
pub fn never_matches(rule: &Rule) -> bool {
    rule.window
        .as_ref()
        .is_some_and(|w| w.days.is_empty() || w.start_sec >= w.end_sec)
}

/// One dated interval `[start, end)` in UTC seconds since 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub start: i64,
    pub end: i64,
}

/// More occurrences than a device can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyOccurrences {
    pub needed: usize,
    pub cap: usize,
}

impl TooManyOccurrences {
    /// Error E0505 for `conduit` on `vendor`.
    pub fn diagnostic(&self, vendor: &str, conduit: &str) -> Diagnostic {
        Diagnostic::error(
            "E0505",
            format!(
                "conduit `{}` needs {} dated schedule entries on {vendor} (window and expiry), more than {}",
                sanitize(conduit, 120),
                self.needed,
                self.cap
            ),
        )
        .with_help(
            "bring `expires` closer, widen the schedule, or compile for a backend with recurring schedules that end",
        )
    }
}

/// Weekday of a date.
pub fn weekday_of(date: Date) -> Weekday {
    let i = (date.days_since_epoch() + 3).rem_euclid(7);
    Weekday::ALL
        .get(usize::try_from(i).unwrap_or(0))
        .copied()
        .unwrap_or(Weekday::Mon)
}

/// An instant as (date, second of the day) on a device clock in `clock`
/// (UTC when `None`).
pub fn date_time(unix: i64, clock: Option<&str>) -> (Date, u32) {
    let (day, sec) = crate::model::local_clock(clock, unix);
    (Date::from_days_since_epoch(day), sec)
}

/// The lower-case English name of a weekday (`monday`), as Junos, PAN-OS,
/// the ASA and FortiOS write it in schedules.
pub fn day_word(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// `HH:MM` of a second of the day (86,400 gives `24:00`).
pub fn hm(sec: u32) -> String {
    format!("{:02}:{:02}", sec / 3600, (sec / 60) % 60)
}

/// `HH:MM:SS` of a second of the day.
pub fn hms(sec: u32) -> String {
    super::text::hms(sec)
}

/// The window's intervals from 00:00 UTC of `from` to 00:00 UTC of
/// `until`, as instants, adjacent ones merged (a daily 00:00-24:00 window
/// is one interval). `None` for the window means every instant. A window
/// in a time zone is judged on that zone's wall clock, exactly through its
/// offset changes (a window that meets a fall-back hour may be two
/// intervals that day). At most `cap` intervals.
pub fn occurrences(
    window: Option<&Window>,
    from: Date,
    until: Date,
    cap: usize,
) -> Result<Vec<Occurrence>, TooManyOccurrences> {
    let (lo, hi) = (
        from.days_since_epoch() * 86_400,
        until.days_since_epoch() * 86_400,
    );
    let mut pieces: Vec<Occurrence> = Vec::new();
    match window {
        None if lo < hi => pieces.push(Occurrence { start: lo, end: hi }),
        None => {}
        Some(w) if w.start_sec < w.end_sec && !w.days.is_empty() => {
            let zone = w.zone.as_deref();
            // Local days that can reach [lo, hi): offsets are under a day.
            for day in (lo.div_euclid(86_400) - 1)..=(hi.div_euclid(86_400) + 1) {
                if !w.days.contains(&crate::model::weekday_of_day(day)) {
                    continue;
                }
                let (ls, le) = (
                    day * 86_400 + i64::from(w.start_sec),
                    day * 86_400 + i64::from(w.end_sec.min(86_400)),
                );
                let periods = crate::model::offset_periods(
                    zone,
                    (ls - 86_400).max(lo),
                    (le + 86_400).min(hi),
                );
                for (t0, t1, offset) in periods {
                    let start = (ls - offset).max(t0);
                    let end = (le - offset).min(t1);
                    if start < end {
                        pieces.push(Occurrence { start, end });
                    }
                }
            }
        }
        Some(_) => {}
    }
    pieces.sort_by_key(|o| (o.start, o.end));
    let mut out: Vec<Occurrence> = Vec::new();
    let mut needed = 0usize;
    for occ in pieces {
        match out.last_mut() {
            Some(prev) if prev.end >= occ.start => prev.end = prev.end.max(occ.end),
            _ => {
                needed += 1;
                if needed <= cap {
                    out.push(occ);
                }
            }
        }
    }
    if needed > cap {
        return Err(TooManyOccurrences { needed, cap });
    }
    Ok(out)
}

/// What the device clock in `clock` (UTC when `None`) shows at an instant,
/// as seconds of its wall clock since 1970 (format it with
/// `date_time(reading, None)`).
pub fn reading(unix: i64, clock: Option<&str>) -> i64 {
    unix + crate::model::utc_offset(clock, unix)
}

/// [`occurrences`] as the device clock in `clock` reads them (see
/// [`reading`]), for devices that write dated entries in local time. A
/// window in the device's own zone is laid out on its wall clock directly,
/// so a DST change never splits or reverses an entry (the device reads the
/// entry as it reads its clock); a window in another zone is converted
/// instant by instant.
pub fn occurrences_on_clock(
    window: Option<&Window>,
    from: Date,
    until: Date,
    cap: usize,
    clock: Option<&str>,
) -> Result<Vec<Occurrence>, TooManyOccurrences> {
    let Some(w) = window.filter(|w| w.zone.as_deref() == clock && clock.is_some()) else {
        return Ok(occurrences(window, from, until, cap)?
            .into_iter()
            .map(|o| Occurrence {
                start: reading(o.start, clock),
                end: reading(o.end, clock),
            })
            .collect());
    };
    let lo = reading(from.days_since_epoch() * 86_400, clock);
    let hi = reading(until.days_since_epoch() * 86_400, clock);
    let mut out: Vec<Occurrence> = Vec::new();
    let mut needed = 0usize;
    if w.start_sec >= w.end_sec {
        return Ok(out);
    }
    for day in lo.div_euclid(86_400)..=hi.div_euclid(86_400) {
        if !w.days.contains(&crate::model::weekday_of_day(day)) {
            continue;
        }
        let start = (day * 86_400 + i64::from(w.start_sec)).max(lo);
        let end = (day * 86_400 + i64::from(w.end_sec.min(86_400))).min(hi);
        if start >= end {
            continue;
        }
        match out.last_mut() {
            Some(prev) if prev.end == start => prev.end = end,
            _ => {
                needed += 1;
                if needed <= cap {
                    out.push(Occurrence { start, end });
                }
            }
        }
    }
    if needed > cap {
        return Err(TooManyOccurrences { needed, cap });
    }
    Ok(out)
}

// ---------------------------------------------------------------- text

/// A vendor's rules for a free-text field.
#[derive(Debug, Clone, Copy)]
pub struct TextRules {
    pub max_bytes: usize,
    /// Characters the field must not hold (beyond `"`, `\` and control
    /// characters, which [`sanitize`] always removes).
    pub forbidden: &'static [char],
    pub replacement: char,
}

/// Policy text made safe for a vendor description field.
pub fn description(raw: &str, rules: &TextRules) -> String {
    let replaced: String = raw
        .chars()
        .map(|c| {
            if rules.forbidden.contains(&c) {
                rules.replacement
            } else {
                c
            }
        })
        .collect();
    sanitize(&replaced, rules.max_bytes)
}

/// `&`, `<`, `>`, `"` and `'` as XML entities.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `as of: DATE (times and dates are UTC: keep the device clock in UTC)`,
/// or `… on the device clock: keep it in ZONE` for a device whose clock
/// runs in another zone: the header line of a vendor configuration that
/// says how to read its times.
pub fn as_of_text(as_of: crate::model::Date, clock: &str) -> String {
    if clock == "UTC" {
        format!("as of: {as_of} (times and dates are UTC: keep the device clock in UTC)")
    } else {
        format!("as of: {as_of} (times and dates are on the device clock: keep it in {clock})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const SRX: NameRules = NameRules {
        vendor: "Junos SRX",
        kind: "zone",
        max_len: 63,
        allowed: is_word,
        first: is_alnum,
        replacement: '_',
        case_insensitive: false,
    };

    #[test]
    fn names_that_fit_stay_and_others_get_a_content_hash() {
        assert_eq!(vendor_name("line1", &SRX), "line1");
        let n = vendor_name("cell.1 ops", &SRX);
        assert!(n.starts_with("cell_1_ops_") && n.len() == 19, "{n}");
        assert_eq!(n, vendor_name("cell.1 ops", &SRX));
        let long = "a".repeat(100);
        let n = vendor_name(&long, &SRX);
        assert_eq!(n.len(), 63);
        assert_ne!(n, vendor_name(&"a".repeat(101), &SRX));
        assert!(vendor_name("_x", &SRX).starts_with("x_x_"));
        assert!(fits(&vendor_name("\"; rm -rf /\n", &SRX), &SRX));
    }

    #[test]
    fn namespace_is_stable_and_resolves_clashes() {
        let mut ns = Namespace::new(SRX);
        let a = ns.claim("a b").unwrap();
        assert_eq!(ns.claim("a b").unwrap(), a);
        // Someone writes the hashed form literally: the second gets a longer hash.
        let b = ns.claim(&a).unwrap();
        assert_ne!(a, b);
        let mut ci = Namespace::new(NameRules {
            case_insensitive: true,
            ..SRX
        });
        let x = ci.claim("Line").unwrap();
        let y = ci.claim("line").unwrap();
        assert_ne!(x.to_ascii_lowercase(), y.to_ascii_lowercase());
    }

    fn window(days: &[Weekday], start: u32, end: u32) -> Window {
        Window {
            days: days.iter().copied().collect(),
            start_sec: start,
            end_sec: end,
            text: String::new(),
            zone: None,
        }
    }

    #[test]
    fn zoned_occurrences_follow_the_zone_through_dst() {
        // Europe/Berlin 06:00-18:00 on Fri/Sat/Sun/Mon around the spring
        // change (Sunday 2027-03-28, 01:00 UTC): 05:00-17:00 UTC before,
        // 04:00-16:00 UTC from Sunday.
        let mut w = window(
            &[Weekday::Fri, Weekday::Sat, Weekday::Sun, Weekday::Mon],
            6 * 3600,
            18 * 3600,
        );
        w.zone = Some("Europe/Berlin".to_string());
        let from = Date::parse("2027-03-26").unwrap();
        let until = Date::parse("2027-03-30").unwrap();
        let occ = occurrences(Some(&w), from, until, 10).unwrap();
        let hours: Vec<(String, u32, u32)> = occ
            .iter()
            .map(|o| {
                let (d, s) = date_time(o.start, None);
                (d.to_string(), s / 3600, date_time(o.end, None).1 / 3600)
            })
            .collect();
        assert_eq!(
            hours,
            [
                ("2027-03-26".to_string(), 5, 17),
                ("2027-03-27".to_string(), 5, 17),
                ("2027-03-28".to_string(), 4, 16),
                ("2027-03-29".to_string(), 4, 16)
            ]
        );
        // On the device's Berlin clock the same instants read 06:00-18:00.
        assert_eq!(date_time(occ[3].start, Some("Europe/Berlin")).1, 6 * 3600);
        // Pacific/Auckland (+13:00 in March) 06:00-18:00 Monday is
        // 17:00 Sunday to 05:00 Monday UTC: the day shifts.
        let mut nz = window(&[Weekday::Mon], 6 * 3600, 18 * 3600);
        nz.zone = Some("Pacific/Auckland".to_string());
        let occ = occurrences(Some(&nz), from, until, 10).unwrap();
        assert_eq!(occ.len(), 1);
        let (d, s) = date_time(occ[0].start, None);
        assert_eq!((d.to_string(), s / 3600), ("2027-03-28".to_string(), 17));
    }

    #[test]
    fn occurrences_until_expiry_are_dated_and_capped() {
        let w = window(&[Weekday::Mon, Weekday::Tue], 6 * 3600, 18 * 3600);
        // 2026-11-30 is a Monday.
        let from = Date::parse("2026-11-28").unwrap();
        let until = Date::parse("2026-12-08").unwrap();
        let occ = occurrences(Some(&w), from, until, 10).unwrap();
        let days: Vec<String> = occ
            .iter()
            .map(|o| date_time(o.start, None).0.to_string())
            .collect();
        assert_eq!(days, ["2026-11-30", "2026-12-01", "2026-12-07"]);
        assert_eq!(date_time(occ[0].end, None).1, 18 * 3600);
        let err = occurrences(Some(&w), from, until, 2).unwrap_err();
        assert_eq!(err.needed, 3);
        // A whole-day window on consecutive days merges.
        let all = window(&Weekday::ALL, 0, 86_400);
        assert_eq!(occurrences(Some(&all), from, until, 1).unwrap().len(), 1);
        assert_eq!(weekday_of(Date::parse("2026-11-30").unwrap()), Weekday::Mon);
    }

    #[test]
    fn descriptions_are_defused() {
        let rules = TextRules {
            max_bytes: 20,
            forbidden: &['<', '>'],
            replacement: ' ',
        };
        let d = description("a\"b */ <c>\nd ]]> & e and more text", &rules);
        assert!(!d.contains(['"', '<', '\n']), "{d}");
        assert!(d.len() <= 20);
        assert_eq!(xml_escape("<&]]>'\""), "&lt;&amp;]]&gt;&apos;&quot;");
    }
}
