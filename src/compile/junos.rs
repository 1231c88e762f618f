//! Juniper SRX backend (`junos-srx`): one configuration file for
//! `load replace` (Junos brace syntax with `replace:` tags).
//!
//! Shape: the global address book (one address per prefix or range, one
//! address-set per zone and per address list), the custom applications (one
//! term each, application-sets for port lists), one scheduler per distinct
//! window and expiry, the security zones (bound to interfaces with a target
//! profile), and the global policy list: one policy per plan rule, in plan
//! order, then an explicit final policy that denies and logs (permits and
//! logs in monitor mode). Global policies with `from-zone`/`to-zone` lists
//! keep one ordered list for the whole device, so the first match is the
//! plan's.
//!
//! Ownership: `security policies`, `security address-book global`,
//! `applications` and `schedulers` are replaced whole; each policy zone is
//! replaced with a target profile (its interfaces are the profile's) and
//! merged without one. Nothing else is touched. See docs/backends/junos-srx.md.

use super::addr::{Element, Family};
use super::plan::{Plan, Rule, RuleKind};
use super::text::sanitize;
use super::vendor::{
    self, description, is_alnum, is_word, is_word_dot, timing, AddressBook, NameClash, NameRules,
    Namespace, ServiceBook, SvcProto, SvcRef, TextRules, Timing, Weekly,
};
use super::{Backend, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::model::Mode;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub struct JunosSrx;

/// Zone, policy and scheduler names: 1 to 63 of `[A-Za-z0-9_-]`.
pub const ZONE_NAMES: NameRules = NameRules {
    vendor: "Junos SRX",
    kind: "security zone",
    max_len: 63,
    allowed: is_word,
    first: is_alnum,
    replacement: '_',
    case_insensitive: false,
};
pub const POLICY_NAMES: NameRules = NameRules {
    kind: "policy",
    ..ZONE_NAMES
};
pub const SCHEDULER_NAMES: NameRules = NameRules {
    kind: "scheduler",
    ..ZONE_NAMES
};
/// Address-book and application names: 1 to 63 of `[A-Za-z0-9_.-]`.
pub const ADDRESS_NAMES: NameRules = NameRules {
    kind: "address-book entry",
    allowed: is_word_dot,
    ..ZONE_NAMES
};
pub const APPLICATION_NAMES: NameRules = NameRules {
    kind: "application",
    allowed: is_word_dot,
    ..ZONE_NAMES
};
/// Policy descriptions: at most 900 characters, no `"`.
pub const DESCRIPTIONS: TextRules = TextRules {
    max_bytes: 900,
    forbidden: &['"'],
    replacement: '\'',
};
/// The final policy.
pub const FINAL_POLICY: &str = "conduit-final";

impl Backend for JunosSrx {
    /// The device keeps its own clock: a target profile's `clock`.
    fn device_clock(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "junos-srx"
    }

    fn unsupported(&self, plan: &Plan) -> Vec<Diagnostic> {
        let mut refused = super::plan::fqdn_refusals(plan, "junos-srx", |name, _| {
            name.starts_with("*.").then(|| {
                "cannot match a wildcard: an SRX `dns-name` address names one host".to_string()
            })
        });
        // Every refusal in one run: the wildcard names and what building
        // the configuration finds (names, schedules, clock).
        if let Err(d) = Config::of(plan) {
            refused.extend(d);
        }
        refused
    }

    fn emit(&self, plan: &Plan) -> Vec<OutputFile> {
        let text = match Config::of(plan) {
            Ok(c) => c.render(plan),
            Err(_) => String::new(),
        };
        vec![OutputFile {
            role: "load replace",
            suffix: "",
            text,
        }]
    }

    fn valid_interface(&self, name: &str) -> bool {
        vendor::valid_vendor_ifname(name)
    }

    fn interface_kind(&self) -> &'static str {
        "a Junos interface name"
    }

    fn interface_hint(&self) -> &'static str {
        vendor::VENDOR_IFNAME_HINT
    }
}

/// Every name and object of the configuration, decided before any text.
struct Config {
    /// Policy zone → (device name, interface).
    zones: BTreeMap<String, (String, Option<String>)>,
    addrs: AddressBook,
    apps: ServiceBook,
    /// Scheduler key → (name, timing), in first-use order.
    schedulers: Vec<(String, Timing)>,
    /// Per plan rule, in order.
    policies: Vec<Policy>,
    final_name: String,
}

/// The names one plan rule's policy uses.
struct Policy {
    /// Index of the plan rule.
    rule: usize,
    name: String,
    scheduler: Option<String>,
    src: String,
    dst: String,
    app: String,
}

fn clash(c: NameClash) -> Vec<Diagnostic> {
    vec![c.diagnostic()]
}

impl Config {
    fn of(plan: &Plan) -> Result<Config, Vec<Diagnostic>> {
        let mismatches = vendor::clock_mismatches(plan, "Junos SRX", false);
        if !mismatches.is_empty() {
            return Err(mismatches);
        }
        let zones = vendor::zones_of(plan, "Junos SRX")?;
        let mut zone_ns = Namespace::new(ZONE_NAMES);
        let mut named = BTreeMap::new();
        for (zone, iface) in zones {
            let name = zone_ns.claim(&zone).map_err(clash)?;
            named.insert(zone, (name, iface));
        }
        let addrs = AddressBook::build(plan, &mut Namespace::new(ADDRESS_NAMES)).map_err(clash)?;
        let apps =
            ServiceBook::build(plan, &mut Namespace::new(APPLICATION_NAMES)).map_err(clash)?;
        let mut policy_ns = Namespace::new(POLICY_NAMES);
        let final_name = policy_ns.claim(FINAL_POLICY).map_err(clash)?;
        let mut sched_ns = Namespace::new(SCHEDULER_NAMES);
        let mut schedulers: Vec<(String, Timing)> = Vec::new();
        let mut by_key: BTreeMap<String, String> = BTreeMap::new();
        let mut per_conduit: BTreeMap<&str, usize> = BTreeMap::new();
        let mut policies = Vec::new();
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
            let name = policy_ns.claim(&stem).map_err(clash)?;
            let t = timing(rule);
            let sched = match &t {
                Timing::Always => None,
                other => {
                    let key = scheduler_stem(other);
                    let name = match by_key.get(&key) {
                        Some(n) => n.clone(),
                        None => {
                            let n = sched_ns.claim(&key).map_err(clash)?;
                            by_key.insert(key, n.clone());
                            schedulers.push((n.clone(), other.clone()));
                            n
                        }
                    };
                    Some(name)
                }
            };
            let refs = (
                addrs.resolve(&rule.src, rule.family),
                addrs.resolve(&rule.dst, rule.family),
                apps.resolve(rule),
            );
            let (Some(src), Some(dst), Some(app)) = refs else {
                return Err(vec![Diagnostic::error(
                    "E0506",
                    format!("policy `{name}` refers to an object the configuration lacks"),
                )
                .with_help(
                    "this is a bug in conduit: please report it with the policy",
                )]);
            };
            let app = match app {
                SvcRef::Any => "any".to_string(),
                SvcRef::Object(n) | SvcRef::Group(n) => n.clone(),
            };
            policies.push(Policy {
                rule: index,
                name,
                scheduler: sched,
                src: src.name().to_string(),
                dst: dst.name().to_string(),
                app,
            });
        }
        Ok(Config {
            zones: named,
            addrs,
            apps,
            schedulers,
            policies,
            final_name,
        })
    }

    fn render(&self, plan: &Plan) -> String {
        let mut out = String::new();
        header(&mut out, plan);
        out.push_str("security {\n");
        self.address_book(&mut out);
        self.policies(&mut out, plan);
        self.zones_block(&mut out);
        out.push_str("}\n");
        self.applications(&mut out);
        self.schedulers_block(&mut out, plan);
        out
    }

    fn address_book(&self, out: &mut String) {
        out.push_str("    address-book {\n        replace: global {\n");
        for o in &self.addrs.objects {
            match o.element {
                Element::Prefix(ip, len) => {
                    let _ = writeln!(out, "            address {} {ip}/{len};", o.name);
                }
                Element::Range(lo, hi) => {
                    let _ = writeln!(
                        out,
                        "            address {} {{\n                range-address {lo} {{\n                    to {{\n                        {hi};\n                    }}\n                }}\n            }}",
                        o.name
                    );
                }
            }
        }
        // DNS names (checked by the language: nothing to quote).
        for o in &self.addrs.fqdns {
            let _ = writeln!(
                out,
                "            address {} {{\n                dns-name {};\n            }}",
                o.name, o.fqdn
            );
        }
        for g in &self.addrs.groups {
            let _ = writeln!(out, "            address-set {} {{", g.name);
            let _ = writeln!(
                out,
                "                description \"{}\";",
                srx_description(&g.what)
            );
            for m in &g.members {
                let _ = writeln!(out, "                address {m};");
            }
            out.push_str("            }\n");
        }
        out.push_str("        }\n    }\n");
    }

    fn policies(&self, out: &mut String, plan: &Plan) {
        out.push_str("    replace: policies {\n        global {\n");
        for p in &self.policies {
            if let Some(rule) = plan.rules.get(p.rule) {
                self.policy(out, rule, p);
            }
        }
        self.final_policy(out, plan);
        out.push_str("        }\n        policy-rematch;\n    }\n");
    }

    fn zone_list(&self, zones: &[String]) -> String {
        let names: Vec<&str> = zones
            .iter()
            .filter_map(|z| self.zones.get(z).map(|(n, _)| n.as_str()))
            .collect();
        list(&names)
    }

    fn policy(&self, out: &mut String, rule: &Rule, p: &Policy) {
        let _ = writeln!(out, "            policy {} {{", p.name);
        let _ = writeln!(
            out,
            "                description \"{}\";",
            srx_description(&rule.comment)
        );
        out.push_str("                match {\n");
        let _ = writeln!(out, "                    source-address {};", p.src);
        let _ = writeln!(out, "                    destination-address {};", p.dst);
        let _ = writeln!(out, "                    application {};", p.app);
        let _ = writeln!(
            out,
            "                    from-zone {};",
            self.zone_list(&rule.src_zones)
        );
        let _ = writeln!(
            out,
            "                    to-zone {};",
            self.zone_list(&rule.dst_zones)
        );
        out.push_str("                }\n                then {\n                    permit;\n");
        if rule.log.is_some() {
            out.push_str(
                "                    log {\n                        session-init;\n                        session-close;\n                    }\n",
            );
        }
        out.push_str("                    count;\n                }\n");
        if let Some(s) = &p.scheduler {
            let _ = writeln!(out, "                scheduler-name {s};");
        }
        out.push_str("            }\n");
    }

    fn final_policy(&self, out: &mut String, plan: &Plan) {
        let (action, what) = match plan.mode {
            Mode::Enforce => ("deny", "default deny"),
            Mode::Monitor => ("permit", "monitor: would drop (default deny)"),
        };
        let _ = writeln!(out, "            policy {} {{", self.final_name);
        let _ = writeln!(out, "                description \"{what}\";");
        out.push_str(
            "                match {\n                    source-address any;\n                    destination-address any;\n                    application any;\n                }\n",
        );
        let _ = writeln!(
            out,
            "                then {{\n                    {action};"
        );
        if plan.log_denied || plan.mode == Mode::Monitor {
            out.push_str("                    log {\n                        session-init;\n");
            if plan.mode == Mode::Monitor {
                out.push_str("                        session-close;\n");
            }
            out.push_str("                    }\n");
        }
        out.push_str("                    count;\n                }\n            }\n");
    }

    fn zones_block(&self, out: &mut String) {
        out.push_str("    zones {\n");
        for (name, iface) in self.zones.values() {
            match iface {
                Some(i) => {
                    let _ = writeln!(
                        out,
                        "        replace: security-zone {name} {{\n            interfaces {{\n                {i};\n            }}\n        }}"
                    );
                }
                None => {
                    let _ = writeln!(out, "        security-zone {name};");
                }
            }
        }
        out.push_str("    }\n");
    }

    fn applications(&self, out: &mut String) {
        if self.apps.objects.is_empty() {
            return;
        }
        out.push_str("replace: applications {\n");
        for o in &self.apps.objects {
            let _ = writeln!(out, "    application {} {{", o.name);
            match o.proto {
                SvcProto::Tcp => out.push_str("        protocol tcp;\n"),
                SvcProto::Udp => out.push_str("        protocol udp;\n"),
                SvcProto::Icmp(Family::V4) => out.push_str("        protocol icmp;\n"),
                SvcProto::Icmp(Family::V6) => out.push_str("        protocol icmp6;\n"),
                SvcProto::Ip(n) => {
                    let _ = writeln!(out, "        protocol {n};");
                }
            }
            if let Some(p) = o.sports {
                let _ = writeln!(out, "        source-port {p};");
            }
            if let Some(p) = o.ports {
                let _ = writeln!(out, "        destination-port {p};");
            }
            let icmp = if o.proto == SvcProto::Icmp(Family::V6) {
                "icmp6"
            } else {
                "icmp"
            };
            if let Some(t) = o.icmp_type {
                let _ = writeln!(out, "        {icmp}-type {t};");
            }
            if let Some(c) = o.icmp_code {
                let _ = writeln!(out, "        {icmp}-code {c};");
            }
            out.push_str("    }\n");
        }
        for g in &self.apps.groups {
            let _ = writeln!(out, "    application-set {} {{", g.name);
            for m in &g.members {
                let _ = writeln!(out, "        application {m};");
            }
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }

    fn schedulers_block(&self, out: &mut String, plan: &Plan) {
        if self.schedulers.is_empty() {
            return;
        }
        out.push_str("replace: schedulers {\n");
        for (name, t) in &self.schedulers {
            let _ = writeln!(out, "    scheduler {name} {{");
            let (weekly, until) = match t {
                Timing::Always => (None, None),
                Timing::Weekly(w) => (Some(w), None),
                Timing::Until(d) => (None, Some(*d)),
                Timing::WeeklyUntil(w, d) => (Some(w), Some(*d)),
            };
            if let Some(d) = until {
                // 00:00 UTC of both dates, on the device clock.
                let clock = plan.clock.as_deref();
                let at = |date: crate::model::Date| {
                    let (day, sec) = vendor::date_time(date.days_since_epoch() * 86_400, clock);
                    format!("{day}.{}", vendor::hm(sec))
                };
                let _ = writeln!(
                    out,
                    "        start-date {} stop-date {};",
                    at(plan.as_of),
                    at(d)
                );
            }
            if let Some(w) = weekly {
                day_lines(out, w);
            }
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
}

/// A quoted description: sanitized (no `"`, `\`, control characters),
/// at most 900 characters, and without `/*` or `*/`, so that no Junos
/// parser, however lenient, could see a comment in it.
fn srx_description(raw: &str) -> String {
    description(raw, &DESCRIPTIONS)
        .replace("/*", "/ *")
        .replace("*/", "* /")
}

/// `monday { start-time 06:00:00 stop-time 18:00:00; }` per day, or one
/// `daily` block for every day.
fn day_lines(out: &mut String, w: &Weekly) {
    let what = if w.all_day {
        "all-day;".to_string()
    } else {
        format!(
            "start-time {} stop-time {};",
            vendor::hms(w.start_sec),
            stop_time(w.end_sec)
        )
    };
    if w.all_days {
        let _ = writeln!(out, "        daily {{\n            {what}\n        }}");
        return;
    }
    for d in &w.days {
        let _ = writeln!(
            out,
            "        {} {{\n            {what}\n        }}",
            vendor::day_word(*d)
        );
    }
}

/// The stop time of a window ending at `end_sec` (exclusive): the last
/// second inside the window, since Junos keeps a policy active through its
/// stop-time second (and has no 24:00:00). `18:00` ends at `17:59:59`.
pub fn stop_time(end_sec: u32) -> String {
    vendor::hms(end_sec.clamp(1, 86_400) - 1)
}

/// Content-derived scheduler name: `mon-tue-wed-thu-fri_0600-1800_until_2027-03-31`.
fn scheduler_stem(t: &Timing) -> String {
    let hhmm = |s: u32| vendor::hm(s).replace(':', "");
    let weekly = |w: &Weekly| {
        let days: Vec<&str> = w.days.iter().map(|d| d.as_str()).collect();
        format!(
            "{}_{}-{}",
            days.join("-"),
            hhmm(w.start_sec),
            hhmm(w.end_sec)
        )
    };
    match t {
        Timing::Always => "always".to_string(),
        Timing::Weekly(w) => weekly(w),
        Timing::Until(d) => format!("until_{d}"),
        Timing::WeeklyUntil(w, d) => format!("{}_until_{d}", weekly(w)),
    }
}

/// `a` or `[ a b ]`.
fn list(items: &[&str]) -> String {
    match items {
        [one] => (*one).to_string(),
        [] => "any".to_string(),
        many => format!("[ {} ]", many.join(" ")),
    }
}

fn header(out: &mut String, plan: &Plan) {
    out.push_str("# Generated by conduit from the zone-and-conduit policy. Do not edit:\n");
    out.push_str("# change the policy and compile again. Load with `load replace FILE`,\n");
    out.push_str("# check with `commit check`, apply with `commit confirmed`.\n");
    out.push_str("# Replaced whole: security policies, security address-book global,\n");
    out.push_str("# applications, schedulers, and the security zones listed below.\n");
    if let Some(t) = &plan.target {
        let _ = writeln!(out, "# target: {}", sanitize(t, 120));
    }
    let mode = match plan.mode {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor (nothing is denied; would-be denies are logged)",
    };
    let _ = writeln!(out, "# mode: {mode}");
    let clock = plan.clock.as_deref().unwrap_or("UTC");
    let _ = writeln!(out, "# {}", vendor::as_of_text(plan.as_of, clock));
}
