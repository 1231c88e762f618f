//! `conduit inventory import`: an asset inventory in CSV (the columns of
//! NetBox's device and IP-address exports) becomes a draft `.zc` of zones
//! and assets.
//!
//! Zones come from the `zone` column, else from each row's subnet (the
//! `subnet` column or the prefix length of the address, `10.30.0.21/24`).
//! Roles are mapped to the language's roles; a value that maps to nothing,
//! an invalid address, a duplicate, an address outside its zone's subnets
//! is a [`Problem`] with its line number, and the row or value is left
//! out. A name found in several zones is one multi-homed device: the draft
//! declares it once, at top level, with an `address … in ZONE` per leg. Names are rewritten to the language's `[a-z0-9][a-z0-9_-]*`; every
//! other text reaches the draft only inside a quoted string with its
//! quotes and backslashes escaped and its control characters removed.

use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

/// Code of a value or row the import cannot use (docs/observe.md).
pub const CODE_VALUE: &str = "I0001";
/// Code of an error that makes the draft fail validation (overlapping zones).
pub const CODE_DRAFT: &str = "I0002";

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the CSV.
    pub line: u64,
    pub code: &'static str,
    pub message: String,
}

/// The draft policy and what was reported on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    pub problems: Vec<Problem>,
    pub zones: usize,
    pub assets: usize,
}

/// Accepted header names per column (case and spaces ignored).
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "device", "hostname", "dns_name"]),
    (
        "address",
        &[
            "address",
            "primary_ip",
            "primary_ip4",
            "primary_ip6",
            "ip",
            "ip_address",
        ],
    ),
    ("role", &["role", "device_role"]),
    ("site", &["site"]),
    ("zone", &["zone"]),
    ("subnet", &["subnet", "prefix", "network"]),
    ("purdue", &["purdue"]),
    ("vendor", &["vendor", "manufacturer"]),
    ("model", &["model", "device_type", "type"]),
    ("patchable", &["patchable"]),
    ("critical", &["critical"]),
    ("description", &["description"]),
];

/// Inventory role names (normalised: lower case, `-` for spaces) and the
/// language role each maps to.
const ROLES: &[(&str, &str)] = &[
    ("plc", "plc"),
    ("rtu", "plc"),
    ("pac", "plc"),
    ("controller", "plc"),
    ("hmi", "hmi"),
    ("operator-station", "hmi"),
    ("operator-workstation", "hmi"),
    ("operator-panel", "hmi"),
    ("scada", "scada"),
    ("scada-server", "scada"),
    ("historian", "historian"),
    ("data-historian", "historian"),
    ("engineering-workstation", "engineering-workstation"),
    ("engineering-station", "engineering-workstation"),
    ("ews", "engineering-workstation"),
    ("jump-host", "jump-host"),
    ("jump-server", "jump-host"),
    ("bastion", "jump-host"),
    ("gateway", "gateway"),
    ("protocol-gateway", "gateway"),
    ("router", "gateway"),
    ("firewall", "gateway"),
    ("safety-controller", "safety-controller"),
    ("safety-plc", "safety-controller"),
    ("sis-controller", "safety-controller"),
    ("server", "server"),
    ("workstation", "workstation"),
    ("pc", "workstation"),
    ("switch", "other"),
    ("access-point", "other"),
    ("other", "other"),
    ("erp", "erp"),
    ("mail", "mail"),
    ("office-pc", "office-pc"),
    ("corporate-server", "corporate-server"),
];

#[derive(Debug)]
struct Asset {
    name: String,
    address: IpAddr,
    role: Option<&'static str>,
    vendor: Option<String>,
    description: Option<String>,
    patchable: Option<bool>,
    critical: Option<bool>,
    line: u64,
}

#[derive(Debug, Default)]
struct Zone {
    networks: BTreeSet<IpNet>,
    site: Option<String>,
    purdue: Option<&'static str>,
    assets: Vec<Asset>,
    line: u64,
}

/// Imports an inventory CSV. `Err` when the header lacks a name or an
/// address column, or the text is not CSV at all.
pub fn import(text: &str) -> Result<Draft, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| format!("cannot read the header: {e}"))?
        .clone();
    let col = columns(&header);
    if !col.contains_key("address") {
        return Err("the header has no address column (address, primary_ip, ip, ...)".to_string());
    }
    let mut st = State::default();
    for record in rdr.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let get = |c: &str| col.get(c).and_then(|&i| r.get(i)).filter(|v| !v.is_empty());
                st.row(line, &get);
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                st.problem(line, format!("not a CSV row: {e}"));
            }
        }
    }
    Ok(st.finish())
}

/// Column index per canonical column name.
fn columns(header: &csv::StringRecord) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        if let Some((canon, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
        {
            out.entry(*canon).or_insert(i);
        }
    }
    out
}

#[derive(Default)]
struct State {
    zones: BTreeMap<String, Zone>,
    addresses: BTreeMap<IpAddr, u64>,
    problems: Vec<Problem>,
}

impl State {
    fn problem(&mut self, line: u64, message: String) {
        self.problems.push(Problem {
            line,
            code: CODE_VALUE,
            message,
        });
    }

    fn row<'r>(&mut self, line: u64, get: &dyn Fn(&str) -> Option<&'r str>) {
        let Some(raw_addr) = get("address") else {
            self.problem(line, "no address: row left out".to_string());
            return;
        };
        let (addr_text, prefix) = raw_addr.split_once('/').unwrap_or((raw_addr, ""));
        let Ok(address) = addr_text.parse::<IpAddr>() else {
            self.problem(
                line,
                format!("invalid address {}: row left out", show(raw_addr)),
            );
            return;
        };
        if let Some(first) = self.addresses.get(&address) {
            self.problem(
                line,
                format!("address {address} already on line {first}: row left out"),
            );
            return;
        }
        let subnet = match self.subnet(line, get("subnet"), address, prefix) {
            Ok(s) => s,
            Err(()) => return,
        };
        let zone_name = match (get("zone"), subnet) {
            (Some(z), _) => match name_of(z) {
                Some(n) => n,
                None => {
                    self.problem(
                        line,
                        format!("zone {} gives no valid name: row left out", show(z)),
                    );
                    return;
                }
            },
            (None, Some(net)) => subnet_zone_name(get("site"), net),
            (None, None) => {
                self.problem(line, "no zone and no subnet: row left out".to_string());
                return;
            }
        };
        self.addresses.insert(address, line);
        let asset = self.asset(line, get, address);
        let purdue = get("purdue").and_then(|p| self.purdue(line, p));
        let zone = self.zones.entry(zone_name).or_insert_with(|| Zone {
            line,
            ..Zone::default()
        });
        zone.networks.extend(subnet);
        if zone.site.is_none() {
            zone.site = get("site").map(str::to_string);
        }
        if zone.purdue.is_none() {
            zone.purdue = purdue;
        }
        zone.assets.push(asset);
    }

    fn subnet(
        &mut self,
        line: u64,
        column: Option<&str>,
        address: IpAddr,
        prefix: &str,
    ) -> Result<Option<IpNet>, ()> {
        if let Some(s) = column {
            return match s.parse::<IpNet>() {
                Ok(n) => Ok(Some(n.trunc())),
                Err(_) => {
                    self.problem(line, format!("invalid subnet {}: row left out", show(s)));
                    Err(())
                }
            };
        }
        if prefix.is_empty() {
            return Ok(None);
        }
        let net = prefix
            .parse::<u8>()
            .ok()
            .and_then(|len| IpNet::new(address, len).ok());
        match net {
            Some(n) if n.prefix_len() < n.max_prefix_len() => Ok(Some(n.trunc())),
            Some(_) => Ok(None),
            None => {
                self.problem(
                    line,
                    format!("invalid prefix length /{}: row left out", show(prefix)),
                );
                Err(())
            }
        }
    }

    fn purdue(&mut self, line: u64, p: &str) -> Option<&'static str> {
        let v = ["0", "1", "2", "3", "3.5", "4", "5"]
            .into_iter()
            .find(|v| *v == p);
        if v.is_none() {
            self.problem(
                line,
                format!(
                    "purdue {} is not 0, 1, 2, 3, 3.5, 4 or 5: left out",
                    show(p)
                ),
            );
        }
        v
    }

    fn asset<'r>(
        &mut self,
        line: u64,
        get: &dyn Fn(&str) -> Option<&'r str>,
        address: IpAddr,
    ) -> Asset {
        let fallback = || format!("host-{}", address.to_string().replace(['.', ':'], "-"));
        let name = match get("name") {
            Some(n) => match name_of(n) {
                Some(v) => v,
                None => {
                    let f = fallback();
                    self.problem(
                        line,
                        format!("name {} gives no valid name: named {f}", show(n)),
                    );
                    f
                }
            },
            None => fallback(),
        };
        let role = get("role").and_then(|r| {
            let key = r.trim().to_lowercase().replace([' ', '_'], "-");
            let found = ROLES.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
            if found.is_none() {
                self.problem(
                    line,
                    format!("unknown role {}: asset left without a role", show(r)),
                );
            }
            found
        });
        let vendor = match (get("vendor"), get("model")) {
            (Some(v), Some(m)) => Some(format!("{v} {m}")),
            (v, m) => v.or(m).map(str::to_string),
        };
        let patchable = get("patchable").and_then(|v| self.boolean(line, "patchable", v));
        let critical = get("critical").and_then(|v| self.boolean(line, "critical", v));
        Asset {
            name,
            address,
            role,
            vendor,
            description: get("description").map(str::to_string),
            patchable,
            critical,
            line,
        }
    }

    fn boolean(&mut self, line: u64, what: &str, v: &str) -> Option<bool> {
        match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            _ => {
                self.problem(
                    line,
                    format!("{what} {} is not true or false: left out", show(v)),
                );
                None
            }
        }
    }

    fn finish(mut self) -> Draft {
        let mut zones = std::mem::take(&mut self.zones);
        for (name, zone) in &mut zones {
            self.settle(name, zone);
        }
        self.overlaps(&zones);
        let assets = zones.values().map(|z| z.assets.len()).sum();
        self.problems.sort_by_key(|p| p.line);
        Draft {
            text: render(&zones),
            problems: self.problems,
            zones: zones.len(),
            assets,
        }
    }

    /// Networks for a zone without subnets, assets outside the subnets,
    /// and unique asset names.
    fn settle(&mut self, name: &str, zone: &mut Zone) {
        if zone.networks.is_empty() {
            self.problem(
                zone.line,
                format!("zone `{name}` has no subnet: its networks are its hosts' own addresses"),
            );
            zone.networks = zone.assets.iter().map(|a| IpNet::from(a.address)).collect();
        }
        let nets = zone.networks.clone();
        let mut kept = Vec::new();
        for a in std::mem::take(&mut zone.assets) {
            if nets.iter().any(|n| n.contains(&a.address)) {
                kept.push(a);
            } else {
                self.problem(
                    a.line,
                    format!(
                        "{} is outside the subnets of zone `{name}`: row left out",
                        a.address
                    ),
                );
            }
        }
        let mut used: BTreeSet<String> = BTreeSet::new();
        for a in &mut kept {
            if used.contains(&a.name) {
                let renamed = (2..)
                    .map(|i| format!("{}-{i}", a.name))
                    .find(|n| !used.contains(n))
                    .unwrap_or_default();
                self.problem(
                    a.line,
                    format!(
                        "asset name `{}` repeats in zone `{name}`: named {renamed}",
                        a.name
                    ),
                );
                a.name = renamed;
            }
            used.insert(a.name.clone());
        }
        zone.assets = kept;
    }

    fn overlaps(&mut self, zones: &BTreeMap<String, Zone>) {
        let nets: Vec<(&IpNet, &str, u64)> = zones
            .iter()
            .flat_map(|(n, z)| z.networks.iter().map(move |net| (net, n.as_str(), z.line)))
            .collect();
        for (i, (a, za, _)) in nets.iter().enumerate() {
            for (b, zb, lb) in nets.iter().skip(i + 1) {
                if za != zb && (a.contains(*b) || b.contains(*a)) {
                    self.problems.push(Problem {
                        line: *lb,
                        code: CODE_DRAFT,
                        message: format!(
                            "network {b} of zone `{zb}` overlaps {a} of zone `{za}`: give each subnet one zone"
                        ),
                    });
                }
            }
        }
    }
}

/// `zone`/`asset` name from inventory text: lower case, runs of other
/// characters as one `-`, starting with a letter or digit.
pub fn name_of(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    let out = out.trim_start_matches('_').to_string();
    (!out.is_empty()).then_some(out)
}

fn subnet_zone_name(site: Option<&str>, net: IpNet) -> String {
    let net = net.to_string().replace(['.', ':', '/'], "-");
    let net = name_of(&net).unwrap_or_default();
    match site.and_then(name_of) {
        Some(s) => format!("{s}-net-{net}"),
        None => format!("net-{net}"),
    }
}

/// A `.zc` string literal: quotes and backslashes escaped, control,
/// line-separator and bidirectional characters replaced by spaces.
pub fn zc_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control()
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) =>
            {
                out.push(' ')
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An escaped excerpt of inventory text for a message.
fn show(s: &str) -> String {
    super::excerpt(s)
}

fn render(zones: &BTreeMap<String, Zone>) -> String {
    let mut out = String::from(
        "# Draft zones and assets from `conduit inventory import`.\n\
         # Review each zone: give it purdue or class, sl and owner, and add the conduits.\n",
    );
    let mut multi: BTreeMap<&str, Vec<(&str, &Asset)>> = BTreeMap::new();
    for (zone, z) in zones {
        for a in &z.assets {
            multi
                .entry(a.name.as_str())
                .or_default()
                .push((zone.as_str(), a));
        }
    }
    multi.retain(|_, legs| legs.len() > 1);
    for (i, (name, z)) in zones.iter().enumerate() {
        // The canonical layout puts the first statement right under the
        // file's opening comment.
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "zone {name} {{");
        if let Some(p) = z.purdue {
            let _ = writeln!(out, "    purdue {p}");
        }
        if let Some(s) = &z.site {
            let _ = writeln!(out, "    site {}", zc_string(s));
        }
        for n in &z.networks {
            let _ = writeln!(out, "    network {n}");
        }
        for a in z
            .assets
            .iter()
            .filter(|a| !multi.contains_key(a.name.as_str()))
        {
            render_asset(&mut out, a);
        }
        out.push_str("}\n");
    }
    for (name, legs) in &multi {
        render_host(&mut out, name, legs);
    }
    out
}

/// A name found in several zones is one device with a leg in each (the
/// rows of an IP-address export): a multi-homed asset at top level, with
/// the attributes of its first row.
fn render_host(out: &mut String, name: &str, legs: &[(&str, &Asset)]) {
    let _ = writeln!(out, "\nasset {name} {{");
    if let Some((_, first)) = legs.first() {
        for attr in attrs(first) {
            let _ = writeln!(out, "    {attr}");
        }
    }
    for (zone, a) in legs {
        let _ = writeln!(out, "    address {} in {zone}", a.address);
    }
    out.push_str("}\n");
}

fn render_asset(out: &mut String, a: &Asset) {
    let attrs = attrs(a);
    if attrs.is_empty() {
        let _ = writeln!(out, "    asset {} {}", a.name, a.address);
        return;
    }
    let _ = writeln!(out, "    asset {} {} {{", a.name, a.address);
    for attr in attrs {
        let _ = writeln!(out, "        {attr}");
    }
    out.push_str("    }\n");
}

fn attrs(a: &Asset) -> Vec<String> {
    let mut attrs: Vec<String> = Vec::new();
    if let Some(r) = a.role {
        attrs.push(format!("role {r}"));
    }
    if let Some(v) = &a.vendor {
        attrs.push(format!("vendor {}", zc_string(v)));
    }
    if let Some(d) = &a.description {
        attrs.push(format!("description {}", zc_string(d)));
    }
    if let Some(p) = a.patchable {
        attrs.push(format!("patchable {p}"));
    }
    if let Some(c) = a.critical {
        attrs.push(format!("critical {c}"));
    }
    attrs
}
