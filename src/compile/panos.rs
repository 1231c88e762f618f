//! Palo Alto PAN-OS backend (`panos`): one XML configuration file for
//! `load config partial` (one command per owned node, see
//! docs/backends/panos.md) and a second file with exactly those commands.
//!
//! Shape: under `vsys1`, the zones, address objects (one per prefix or
//! range) and address groups (per zone and per address list), service
//! objects per (protocol, port range) and service groups, custom
//! applications for ICMP and other IP protocols, schedule objects, and the
//! security rulebase: one rule per plan rule in plan order, then an explicit
//! final rule that denies and logs (allows and logs in monitor mode).
//!
//! Schedules: a window alone is a recurring schedule; an expiry alone is a
//! non-recurring range from the compile date to the expiry; a window with
//! an expiry is a non-recurring schedule with one member per occurrence
//! until the expiry (a recurring schedule cannot end), at most
//! [`OCCURRENCE_CAP`] of them, else error E0505.

use super::addr::{Element, Family};
use super::plan::{Plan, RuleKind};
use super::text::sanitize;
use super::vendor::{
    self, description, is_alnum, is_word, is_word_dot, timing, xml_escape, AddressBook, NameClash,
    NameRules, Namespace, Occurrence, ServiceBook, ServiceObject, SvcProto, SvcRef, TextRules,
    Timing, Weekly,
};
use super::{Backend, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::model::{Date, Mode, Weekday};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub struct Panos;

/// Zone names: at most 31 characters.
/// PAN-OS's predefined destination zone of routed IPv4 multicast.
pub const MULTICAST_ZONE: &str = "multicast";

pub const ZONE_NAMES: NameRules = NameRules {
    vendor: "PAN-OS",
    kind: "zone",
    max_len: 31,
    allowed: is_word_dot,
    first: is_alnum,
    replacement: '_',
    case_insensitive: false,
};
/// Rule names: at most 63 characters.
pub const RULE_NAMES: NameRules = NameRules {
    kind: "security rule",
    max_len: 63,
    ..ZONE_NAMES
};
/// Address and address-group names (one namespace): at most 63.
pub const ADDRESS_NAMES: NameRules = NameRules {
    kind: "address object",
    max_len: 63,
    ..ZONE_NAMES
};
/// Service and service-group names: at most 63. Custom applications are
/// `conduit-` plus the stem (`conduit-icmp_8`), within their 31.
pub const SERVICE_NAMES: NameRules = NameRules {
    kind: "service object",
    max_len: 63,
    ..ZONE_NAMES
};
/// Schedule names: at most 31, `[A-Za-z0-9_-]`.
pub const SCHEDULE_NAMES: NameRules = NameRules {
    kind: "schedule",
    max_len: 31,
    allowed: is_word,
    ..ZONE_NAMES
};
/// Descriptions: at most 1023 characters (XML-escaped on output).
pub const DESCRIPTIONS: TextRules = TextRules {
    max_bytes: 1023,
    forbidden: &[],
    replacement: ' ',
};
/// Most members of one non-recurring schedule conduit writes.
pub const OCCURRENCE_CAP: usize = 1024;
/// The final rule.
pub const FINAL_RULE: &str = "conduit-final";
/// Prefix of custom application names (predefined ones such as `icmp`
/// cannot be redefined).
pub const APP_PREFIX: &str = "conduit-";
pub const VSYS: &str = "vsys1";

impl Backend for Panos {
    /// The device keeps its own clock: a target profile's `clock`.
    fn device_clock(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "panos"
    }

    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic> {
        let mut refused = super::plan::fqdn_refusals(plan, "panos", |name, _| {
            name.starts_with("*.").then(|| {
                "cannot match a wildcard: a PAN-OS FQDN address object names one host".to_string()
            })
        });
        refused.extend(super::plan::multicast_refusals(plan, "panos", |family| {
            (family == Family::V6).then(|| {
                "cannot pass IPv6 multicast: PAN-OS routes IPv4 multicast only".to_string()
            })
        }));
        // Every refusal in one run: names, groups, and what building the
        // configuration finds (names, schedules, clock).
        if let Err(d) = Config::of(plan) {
            refused.extend(d);
        }
        refused
    }

    fn emit(&self, plan: &Plan) -> Vec<OutputFile> {
        let (xml, commands) = match Config::of(plan) {
            Ok(c) => (c.render(plan), c.commands()),
            Err(_) => (String::new(), String::new()),
        };
        vec![
            OutputFile {
                role: "load config partial",
                suffix: "",
                text: xml,
            },
            OutputFile {
                role: "PAN-OS configure-mode commands",
                suffix: ".load",
                text: commands,
            },
        ]
    }

    fn valid_interface(&self, name: &str) -> bool {
        vendor::valid_vendor_ifname(name)
    }

    fn interface_kind(&self) -> &'static str {
        "a PAN-OS interface name"
    }

    fn interface_hint(&self) -> &'static str {
        vendor::VENDOR_IFNAME_HINT
    }
}

/// How a rule names its traffic: an application and a service.
struct Traffic {
    application: String,
    service: String,
}

struct PanRule {
    rule: usize,
    name: String,
    schedule: Option<String>,
    src: String,
    dst: String,
    traffic: Traffic,
}

enum ScheduleKind {
    Recurring(Weekly),
    Dated(Vec<Occurrence>),
}

struct Config {
    /// Policy zone → (device name, interface).
    zones: BTreeMap<String, (String, Option<String>)>,
    addrs: AddressBook,
    svcs: ServiceBook,
    schedules: Vec<(String, ScheduleKind)>,
    rules: Vec<PanRule>,
    final_name: String,
}

fn clash(c: NameClash) -> Vec<Diagnostic> {
    vec![c.diagnostic()]
}

/// TCP and UDP (also as bare protocol numbers) are service objects; ICMP
/// and other protocols are custom applications.
fn is_service(o: &ServiceObject) -> bool {
    matches!(
        o.proto,
        SvcProto::Tcp | SvcProto::Udp | SvcProto::Ip(6) | SvcProto::Ip(17)
    )
}

impl Config {
    fn of(plan: &Plan) -> Result<Config, Vec<Diagnostic>> {
        let mismatches = vendor::clock_mismatches(plan, "PAN-OS", true);
        if !mismatches.is_empty() {
            return Err(mismatches);
        }
        let mut zone_ns = Namespace::new(ZONE_NAMES);
        let mut zones = BTreeMap::new();
        for (zone, iface) in vendor::zones_of(plan, "PAN-OS")? {
            let name = zone_ns.claim(&zone).map_err(clash)?;
            zones.insert(zone, (name, iface));
        }
        let addrs = AddressBook::build(plan, &mut Namespace::new(ADDRESS_NAMES)).map_err(clash)?;
        let svcs = ServiceBook::build(plan, &mut Namespace::new(SERVICE_NAMES)).map_err(clash)?;
        let mut rule_ns = Namespace::new(RULE_NAMES);
        let final_name = rule_ns.claim(FINAL_RULE).map_err(clash)?;
        let mut sched_ns = Namespace::new(SCHEDULE_NAMES);
        let mut schedules = Vec::new();
        let mut by_key: BTreeMap<String, String> = BTreeMap::new();
        let mut per_conduit: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (index, rule) in plan.rules.iter().enumerate() {
            if vendor::never_matches(rule) {
                continue;
            }
            let n = per_conduit.entry(rule.conduit.as_str()).or_insert(0);
            *n += 1;
            let stem = match rule.kind {
                RuleKind::Allow => format!("{}-{n}", rule.conduit),
                RuleKind::MonitorScope => format!("{}-{n}-monitor", rule.conduit),
            };
            let name = rule_ns.claim(&stem).map_err(clash)?;
            let t = timing(rule);
            let schedule = match schedule_of(&t, plan.as_of, plan.clock.as_deref()) {
                Ok(None) => None,
                Ok(Some(kind)) => {
                    let key = schedule_stem(&t);
                    Some(match by_key.get(&key) {
                        Some(n) => n.clone(),
                        None => {
                            let n = sched_ns.claim(&key).map_err(clash)?;
                            by_key.insert(key, n.clone());
                            schedules.push((n.clone(), kind));
                            n
                        }
                    })
                }
                Err(e) => {
                    let d = e.diagnostic("PAN-OS", &rule.conduit);
                    if !errors.iter().any(|x: &Diagnostic| x.message == d.message) {
                        errors.push(d);
                    }
                    None
                }
            };
            let (Some(src), Some(dst), Some(svc)) = (
                addrs.resolve(&rule.src, rule.family),
                addrs.resolve(&rule.dst, rule.family),
                svcs.resolve(rule),
            ) else {
                return Err(vec![Diagnostic::error(
                    "E0506",
                    format!("rule `{name}` refers to an object the configuration lacks"),
                )
                .with_help(
                    "this is a bug in conduit: please report it with the policy",
                )]);
            };
            let traffic = traffic_of(svc, &svcs);
            rules.push(PanRule {
                rule: index,
                name,
                schedule,
                src: src.name().to_string(),
                dst: dst.name().to_string(),
                traffic,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            zones,
            addrs,
            svcs,
            schedules,
            rules,
            final_name,
        })
    }

    fn render(&self, plan: &Plan) -> String {
        let mut out = String::new();
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str("<!-- Generated by conduit from the zone-and-conduit policy. Do not edit: change the policy and compile again. -->\n");
        out.push_str("<!-- Load with the commands of the .load file (load config partial, mode replace), check with validate full, then commit. -->\n");
        let mode = match plan.mode {
            Mode::Enforce => "enforce",
            Mode::Monitor => "monitor (nothing is denied; would-be denies are logged)",
        };
        let clock = plan.clock.as_deref().unwrap_or("UTC");
        let _ = writeln!(
            out,
            "<!-- mode: {mode}; {} -->",
            vendor::as_of_text(plan.as_of, clock)
        );
        if let Some(t) = &plan.target {
            // No `--` inside an XML comment.
            let t = sanitize(t, 120).replace("--", "- ");
            let _ = writeln!(out, "<!-- target: {} -->", xml_escape(&t));
        }
        out.push_str(
            "<config>\n  <devices>\n    <entry name=\"localhost.localdomain\">\n      <vsys>\n",
        );
        let _ = writeln!(out, "        <entry name=\"{VSYS}\">");
        self.zones_xml(&mut out);
        self.addresses_xml(&mut out);
        self.services_xml(&mut out);
        self.schedules_xml(&mut out);
        self.applications_xml(&mut out);
        self.rules_xml(&mut out, plan);
        out.push_str("        </entry>\n      </vsys>\n    </entry>\n  </devices>\n</config>\n");
        out
    }

    fn zones_xml(&self, out: &mut String) {
        out.push_str("          <zone>\n");
        for (name, iface) in self.zones.values() {
            let _ = writeln!(out, "            <entry name=\"{}\">", xml_escape(name));
            match iface {
                Some(i) => {
                    let _ = writeln!(
                        out,
                        "              <network>\n                <layer3>\n                  <member>{}</member>\n                </layer3>\n              </network>",
                        xml_escape(i)
                    );
                }
                None => out.push_str("              <network>\n                <layer3/>\n              </network>\n"),
            }
            out.push_str("            </entry>\n");
        }
        out.push_str("          </zone>\n");
    }

    fn addresses_xml(&self, out: &mut String) {
        out.push_str("          <address>\n");
        for o in &self.addrs.objects {
            let (tag, value) = match o.element {
                Element::Prefix(ip, len) => ("ip-netmask", format!("{ip}/{len}")),
                Element::Range(lo, hi) => ("ip-range", format!("{lo}-{hi}")),
            };
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <{tag}>{value}</{tag}>\n            </entry>",
                xml_escape(&o.name)
            );
        }
        for o in &self.addrs.fqdns {
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <fqdn>{}</fqdn>\n            </entry>",
                xml_escape(&o.name),
                xml_escape(&o.fqdn)
            );
        }
        out.push_str("          </address>\n          <address-group>\n");
        for g in &self.addrs.groups {
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <static>",
                xml_escape(&g.name)
            );
            for m in &g.members {
                let _ = writeln!(out, "                <member>{}</member>", xml_escape(m));
            }
            let _ = writeln!(
                out,
                "              </static>\n              <description>{}</description>\n            </entry>",
                xml_escape(&description(&g.what, &DESCRIPTIONS))
            );
        }
        out.push_str("          </address-group>\n");
    }

    fn services_xml(&self, out: &mut String) {
        out.push_str("          <service>\n");
        for o in self.svcs.objects.iter().filter(|o| is_service(o)) {
            let (proto, ports) = match (o.proto, o.ports) {
                (SvcProto::Tcp, Some(p)) => ("tcp", p.to_string()),
                (SvcProto::Udp, Some(p)) => ("udp", p.to_string()),
                (SvcProto::Ip(17), _) | (SvcProto::Udp, None) => ("udp", "0-65535".to_string()),
                _ => ("tcp", "0-65535".to_string()),
            };
            let source = o
                .sports
                .map(|s| format!("\n                  <source-port>{s}</source-port>"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <protocol>\n                <{proto}>\n                  <port>{ports}</port>{source}\n                </{proto}>\n              </protocol>\n            </entry>",
                xml_escape(&o.name)
            );
        }
        out.push_str("          </service>\n          <service-group>\n");
        for g in &self.svcs.groups {
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <members>",
                xml_escape(&g.name)
            );
            for m in &g.members {
                let _ = writeln!(out, "                <member>{}</member>", xml_escape(m));
            }
            out.push_str("              </members>\n            </entry>\n");
        }
        out.push_str("          </service-group>\n");
    }

    fn applications_xml(&self, out: &mut String) {
        out.push_str("          <application>\n");
        for o in self.svcs.objects.iter().filter(|o| !is_service(o)) {
            let code = o
                .icmp_code
                .map(|c| format!("\n                  <code>{c}</code>"))
                .unwrap_or_default();
            let ident = match (o.proto, o.icmp_type) {
                (SvcProto::Icmp(Family::V4), Some(t)) => format!(
                    "<ident-by-icmp-type>\n                  <type>{t}</type>{code}\n                </ident-by-icmp-type>"
                ),
                (SvcProto::Icmp(Family::V6), Some(t)) => format!(
                    "<ident-by-icmp6-type>\n                  <type>{t}</type>{code}\n                </ident-by-icmp6-type>"
                ),
                (SvcProto::Icmp(Family::V4), None) => {
                    "<ident-by-ip-protocol>1</ident-by-ip-protocol>".to_string()
                }
                (SvcProto::Icmp(Family::V6), None) => {
                    "<ident-by-ip-protocol>58</ident-by-ip-protocol>".to_string()
                }
                (SvcProto::Ip(n), _) => {
                    format!("<ident-by-ip-protocol>{n}</ident-by-ip-protocol>")
                }
                (SvcProto::Tcp | SvcProto::Udp, _) => continue,
            };
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <category>networking</category>\n              <subcategory>ip-protocol</subcategory>\n              <technology>network-protocol</technology>\n              <risk>1</risk>\n              <default>\n                {ident}\n              </default>\n              <description>{}</description>\n            </entry>",
                xml_escape(&app_name(&o.name)),
                xml_escape(&format!("conduit: {}", o.name))
            );
        }
        out.push_str("          </application>\n");
    }

    fn schedules_xml(&self, out: &mut String) {
        out.push_str("          <schedule>\n");
        for (name, kind) in &self.schedules {
            let _ = writeln!(
                out,
                "            <entry name=\"{}\">\n              <schedule-type>",
                xml_escape(name)
            );
            match kind {
                ScheduleKind::Recurring(w) => {
                    let range = time_range(w);
                    if w.all_days {
                        let _ = writeln!(
                            out,
                            "                <recurring>\n                  <daily>\n                    <member>{range}</member>\n                  </daily>\n                </recurring>"
                        );
                    } else {
                        out.push_str("                <recurring>\n                  <weekly>\n");
                        for d in &w.days {
                            let _ = writeln!(
                                out,
                                "                    <{0}>\n                      <member>{range}</member>\n                    </{0}>",
                                vendor::day_word(*d)
                            );
                        }
                        out.push_str("                  </weekly>\n                </recurring>\n");
                    }
                }
                ScheduleKind::Dated(occ) => {
                    out.push_str("                <non-recurring>\n");
                    for o in occ {
                        let _ = writeln!(
                            out,
                            "                  <member>{}-{}</member>",
                            stamp(o.start),
                            stamp(o.end)
                        );
                    }
                    out.push_str("                </non-recurring>\n");
                }
            }
            out.push_str("              </schedule-type>\n            </entry>\n");
        }
        out.push_str("          </schedule>\n");
    }

    fn zone_members(&self, zones: &[String]) -> Vec<String> {
        zones
            .iter()
            .filter_map(|z| self.zones.get(z).map(|(n, _)| n.clone()))
            .collect()
    }

    fn rules_xml(&self, out: &mut String, plan: &Plan) {
        out.push_str("          <rulebase>\n            <security>\n              <rules>\n");
        for r in &self.rules {
            let Some(rule) = plan.rules.get(r.rule) else {
                continue;
            };
            let logged = rule.log.is_some();
            let entry = RuleXml {
                name: &r.name,
                from: self.zone_members(&rule.src_zones),
                // Routed multicast matches PAN-OS's predefined destination
                // zone `multicast`, whatever interfaces the group leaves by.
                to: if rule.dst_multicast {
                    vec![MULTICAST_ZONE.to_string()]
                } else {
                    self.zone_members(&rule.dst_zones)
                },
                source: &r.src,
                destination: &r.dst,
                application: &r.traffic.application,
                service: &r.traffic.service,
                allow: true,
                log_start: logged,
                log_end: true,
                schedule: r.schedule.as_deref(),
                description: description(&rule.comment, &DESCRIPTIONS),
            };
            entry.write(out);
        }
        let (allow, what) = match plan.mode {
            Mode::Enforce => (false, "default deny"),
            Mode::Monitor => (true, "monitor: would drop (default deny)"),
        };
        RuleXml {
            name: &self.final_name,
            from: vec!["any".to_string()],
            to: vec!["any".to_string()],
            source: "any",
            destination: "any",
            application: "any",
            service: "any",
            allow,
            log_start: allow,
            log_end: plan.log_denied || allow,
            schedule: None,
            description: what.to_string(),
        }
        .write(out);
        out.push_str("              </rules>\n            </security>\n          </rulebase>\n");
    }

    /// The `load config partial` commands that load exactly what conduit
    /// owns from the XML file (its name given on the first line).
    fn commands(&self) -> String {
        let base =
            format!("devices/entry[@name='localhost.localdomain']/vsys/entry[@name='{VSYS}']");
        let mut out = String::new();
        out.push_str(
            "# Configure-mode commands: import the XML file first (scp import configuration),\n",
        );
        out.push_str("# name it conduit.xml, then run these, `validate full`, and `commit`.\n");
        let mut load = |xpath: &str, mode: &str| {
            let _ = writeln!(
                out,
                "load config partial from conduit.xml from-xpath {base}/{xpath} to-xpath /config/{base}/{xpath} mode {mode}"
            );
        };
        for node in [
            "address",
            "address-group",
            "service",
            "service-group",
            "schedule",
            "application",
            "rulebase/security",
        ] {
            load(node, "replace");
        }
        for (name, iface) in self.zones.values() {
            // Without a target the zone is only declared: interface bindings
            // made on the firewall stay.
            let mode = if iface.is_some() { "replace" } else { "merge" };
            load(&format!("zone/entry[@name='{name}']"), mode);
        }
        out
    }
}

struct RuleXml<'a> {
    name: &'a str,
    from: Vec<String>,
    to: Vec<String>,
    source: &'a str,
    destination: &'a str,
    application: &'a str,
    service: &'a str,
    allow: bool,
    log_start: bool,
    log_end: bool,
    schedule: Option<&'a str>,
    description: String,
}

impl RuleXml<'_> {
    fn write(&self, out: &mut String) {
        let members = |out: &mut String, tag: &str, items: &[&str]| {
            let _ = writeln!(out, "                  <{tag}>");
            for i in items {
                let _ = writeln!(
                    out,
                    "                    <member>{}</member>",
                    xml_escape(i)
                );
            }
            let _ = writeln!(out, "                  </{tag}>");
        };
        let yes = |b: bool| if b { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "                <entry name=\"{}\">",
            xml_escape(self.name)
        );
        let from: Vec<&str> = self.from.iter().map(String::as_str).collect();
        let to: Vec<&str> = self.to.iter().map(String::as_str).collect();
        members(out, "from", &from);
        members(out, "to", &to);
        members(out, "source", &[self.source]);
        members(out, "destination", &[self.destination]);
        members(out, "source-user", &["any"]);
        members(out, "category", &["any"]);
        members(out, "application", &[self.application]);
        members(out, "service", &[self.service]);
        members(out, "hip-profiles", &["any"]);
        let action = if self.allow { "allow" } else { "deny" };
        let _ = writeln!(out, "                  <action>{action}</action>");
        let _ = writeln!(
            out,
            "                  <log-start>{}</log-start>",
            yes(self.log_start)
        );
        let _ = writeln!(
            out,
            "                  <log-end>{}</log-end>",
            yes(self.log_end)
        );
        if let Some(s) = self.schedule {
            let _ = writeln!(
                out,
                "                  <schedule>{}</schedule>",
                xml_escape(s)
            );
        }
        let _ = writeln!(
            out,
            "                  <description>{}</description>",
            xml_escape(&self.description)
        );
        out.push_str("                </entry>\n");
    }
}

fn app_name(stem: &str) -> String {
    format!("{APP_PREFIX}{stem}")
}

fn traffic_of(svc: &SvcRef, svcs: &ServiceBook) -> Traffic {
    let any = |s: &str| s.to_string();
    match svc {
        SvcRef::Any => Traffic {
            application: any("any"),
            service: any("any"),
        },
        SvcRef::Group(g) => Traffic {
            application: any("any"),
            service: g.clone(),
        },
        SvcRef::Object(n) => match svcs.object(n) {
            Some(o) if !is_service(o) => Traffic {
                application: app_name(n),
                service: any("any"),
            },
            _ => Traffic {
                application: any("any"),
                service: n.clone(),
            },
        },
    }
}

/// A rule's schedule; dated members as the device clock reads them.
fn schedule_of(
    t: &Timing,
    as_of: Date,
    clock: Option<&str>,
) -> Result<Option<ScheduleKind>, vendor::TooManyOccurrences> {
    Ok(match t {
        Timing::Always => None,
        Timing::Weekly(w) => Some(ScheduleKind::Recurring(w.clone())),
        Timing::Until(d) => Some(ScheduleKind::Dated(vendor::occurrences_on_clock(
            None,
            as_of,
            *d,
            OCCURRENCE_CAP,
            clock,
        )?)),
        Timing::WeeklyUntil(w, d) => {
            let window = w.window();
            Some(ScheduleKind::Dated(vendor::occurrences_on_clock(
                Some(&window),
                as_of,
                *d,
                OCCURRENCE_CAP,
                clock,
            )?))
        }
    })
}

/// `06:00-18:00`; PAN-OS has no `24:00`, the end of the day is `23:59`.
pub fn time_range(w: &Weekly) -> String {
    let end = if w.end_sec >= 86_400 {
        "23:59".to_string()
    } else {
        vendor::hm(w.end_sec)
    };
    format!("{}-{end}", vendor::hm(w.start_sec))
}

/// `2027/03/31@00:00` of a device clock reading ([`vendor::reading`]).
pub fn stamp(reading: i64) -> String {
    let (d, sec) = vendor::date_time(reading, None);
    format!(
        "{:04}/{:02}/{:02}@{}",
        d.year,
        d.month,
        d.day,
        vendor::hm(sec)
    )
}

/// `s_12345_0600-1800_u20270331` (days 1 = Monday).
fn schedule_stem(t: &Timing) -> String {
    let hhmm = |s: u32| vendor::hm(s).replace(':', "");
    let weekly = |w: &Weekly| {
        let days: String = w
            .days
            .iter()
            .map(|d| {
                let i = Weekday::ALL.iter().position(|x| x == d).unwrap_or(0) + 1;
                char::from(b'0' + u8::try_from(i).unwrap_or(0))
            })
            .collect();
        format!("s_{days}_{}-{}", hhmm(w.start_sec), hhmm(w.end_sec))
    };
    let date = |d: &Date| format!("{:04}{:02}{:02}", d.year, d.month, d.day);
    match t {
        Timing::Always => "always".to_string(),
        Timing::Weekly(w) => weekly(w),
        Timing::Until(d) => format!("s_u{}", date(d)),
        Timing::WeeklyUntil(w, d) => format!("{}_u{}", weekly(w), date(d)),
    }
}
