//! An independent reader of the nftables output: parses the sets, maps,
//! chains and forward rules conduit writes (set lookups, wide-side chains,
//! walked rules) and evaluates a packet the way the kernel would, then
//! compares verdict and deciding conduit with the plan's evaluator on
//! random policies and packets. A set element with the wrong conduit,
//! port, protocol or direction, a lost condition, or two set rules
//! claiming one packet fails here without root.

use crate::prop::{random_model, random_packet, Rng, AS_OF};
use conduit::compile::addr::{self, Family};
use conduit::compile::eval::{proto_number, Packet, PacketL4, Verdict};
use conduit::compile::plan::{self, Plan};
use conduit::compile::{self, PlanOptions};
use conduit::model::{Date, Mode, ZoneId};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One field value of an element: an inclusive range of numbers.
type Field = (u128, u128);

#[derive(Debug)]
struct Element {
    key: Vec<Field>,
    comment: String,
    verdict: Option<String>,
}

#[derive(Debug, Default)]
pub struct Ruleset {
    sets: BTreeMap<String, Vec<Element>>,
    chains: BTreeMap<String, Vec<String>>,
}

fn parse_addr(s: &str) -> Field {
    if let Some((a, b)) = s.split_once('-') {
        let (a, b): (IpAddr, IpAddr) = (a.parse().unwrap(), b.parse().unwrap());
        return (addr::to_int(a), addr::to_int(b));
    }
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (a.parse::<IpAddr>().unwrap(), l.parse::<u32>().unwrap()),
        None => {
            let a: IpAddr = s.parse().unwrap();
            (a, Family::of(a).bits())
        }
    };
    let bits = Family::of(a).bits();
    let lo = addr::to_int(a);
    let size = if bits - len >= 128 {
        u128::MAX
    } else {
        (1u128 << (bits - len)) - 1
    };
    (lo, lo + size)
}

fn parse_num(s: &str) -> Field {
    let num = |x: &str| -> u128 {
        match x {
            "tcp" => 6,
            "udp" => 17,
            "icmp" => 1,
            "ipv6-icmp" => 58,
            n => n.parse().unwrap(),
        }
    };
    match s.split_once('-') {
        Some((a, b)) if !s.starts_with("ipv6") => (num(a), num(b)),
        _ => (num(s), num(s)),
    }
}

fn parse_field(s: &str) -> Field {
    if s.contains('.') || s.contains(':') {
        parse_addr(s)
    } else {
        parse_num(s)
    }
}

/// Splits at `sep` outside double quotes.
fn split_outside_quotes<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut i) = (0, false, 0);
    let bytes = s.as_bytes();
    while i < s.len() {
        if bytes[i] == b'"' {
            quoted = !quoted;
        } else if !quoted && s[i..].starts_with(sep) {
            out.push(&s[start..i]);
            i += sep.len();
            start = i;
            continue;
        }
        i += 1;
    }
    out.push(&s[start..]);
    out
}

fn parse_element(text: &str) -> Element {
    let (body, verdict) = match text.rsplit_once(" : ") {
        Some((b, v)) if !v.contains('"') => (b, Some(v.trim().to_string())),
        _ => (text, None),
    };
    let (key, comment) = match body.split_once(" comment \"") {
        Some((k, c)) => (k, c.trim_end_matches('"').to_string()),
        None => (body, String::new()),
    };
    Element {
        key: key.split(" . ").map(|f| parse_field(f.trim())).collect(),
        comment,
        verdict,
    }
}

pub fn parse(text: &str) -> Ruleset {
    let mut rs = Ruleset::default();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim();
        let head = t.strip_prefix("set ").or_else(|| t.strip_prefix("map "));
        if let Some(name) = head.and_then(|h| h.strip_suffix(" {")) {
            let mut elems = String::new();
            for l in lines.by_ref() {
                let l = l.trim();
                if l == "}" {
                    break;
                }
                if let Some(e) = l.strip_prefix("elements = { ") {
                    elems.push_str(e);
                } else if !elems.is_empty() {
                    elems.push(' ');
                    elems.push_str(l);
                }
            }
            let elems = elems.trim_end().trim_end_matches('}').trim_end();
            let list = split_outside_quotes(elems, ", ")
                .into_iter()
                .map(|e| parse_element(e.trim()))
                .collect();
            rs.sets.insert(name.to_string(), list);
        } else if let Some(name) = t.strip_prefix("chain ").and_then(|h| h.strip_suffix(" {")) {
            let mut rules = Vec::new();
            for l in lines.by_ref() {
                let l = l.trim();
                if l == "}" {
                    break;
                }
                rules.push(l.to_string());
            }
            rs.chains.insert(name.to_string(), rules);
        }
    }
    rs
}

/// The packet fields a key expression names.
fn field_value(name: &str, pkt: &Packet) -> Option<u128> {
    let fam = Family::of(pkt.src);
    Some(match name {
        "ip saddr" | "ip6 saddr" => addr::to_int(pkt.src),
        "ip daddr" | "ip6 daddr" => addr::to_int(pkt.dst),
        "meta l4proto" => u128::from(proto_number(pkt.l4, fam)),
        "th dport" => match pkt.l4 {
            PacketL4::Tcp(p) | PacketL4::Udp(p) => u128::from(p),
            _ => return None,
        },
        _ => panic!("unknown key field {name}"),
    })
}

enum Outcome {
    /// Accepted; whether logged as "would drop"; the comment.
    Accept(bool, String),
    Continue,
}

struct Eval<'a> {
    rs: &'a Ruleset,
    pkt: &'a Packet,
}

impl Eval<'_> {
    fn in_set(&self, name: &str, value: u128) -> bool {
        self.rs.sets[name]
            .iter()
            .any(|e| e.key[0].0 <= value && value <= e.key[0].1)
    }

    /// Whether a match expression list holds; consumes tokens from the
    /// front of `rest` and returns the remaining action text.
    fn matches<'r>(&self, mut rest: &'r str) -> Option<&'r str> {
        let pkt = self.pkt;
        let fam = Family::of(pkt.src);
        let ip = if fam == Family::V4 { "ip" } else { "ip6" };
        let t = pkt.unix_time;
        loop {
            rest = rest.trim_start();
            let (tok, after) = rest.split_once(' ').unwrap_or((rest, ""));
            let in_value = |v: &str, x: u128| -> bool {
                match v.strip_prefix('@') {
                    Some(name) => self.in_set(name, x),
                    None => v.split(", ").any(|e| {
                        let (lo, hi) = parse_field(e);
                        lo <= x && x <= hi
                    }),
                }
            };
            match tok {
                "iifname" | "oifname" => {
                    let (v, a) = value_of(after);
                    let want = v.trim_matches('"');
                    let got = if tok == "iifname" { &pkt.iif } else { &pkt.oif };
                    if got.as_deref() != Some(want) {
                        return None;
                    }
                    rest = a;
                }
                "ip" | "ip6" => {
                    if tok != ip {
                        return None;
                    }
                    let (which, a) = after.split_once(' ').unwrap();
                    if a.starts_with(". ") {
                        return self.lookup(rest);
                    }
                    let (v, a) = value_of(a);
                    let x = field_value(&format!("{ip} {which}"), pkt).unwrap();
                    if !in_value(v, x) {
                        return None;
                    }
                    rest = a;
                }
                "tcp" | "udp" => {
                    let (which, a) = after.split_once(' ').unwrap();
                    let (v, a) = value_of(a);
                    let port = match (tok, pkt.l4) {
                        ("tcp", PacketL4::Tcp(p)) | ("udp", PacketL4::Udp(p)) => p,
                        _ => return None,
                    };
                    let port = match which {
                        "dport" => port,
                        "sport" => pkt.sport?,
                        other => panic!("{tok} {other}"),
                    };
                    if !in_value(v, u128::from(port)) {
                        return None;
                    }
                    rest = a;
                }
                "icmp" | "icmpv6" => {
                    let (which, a) = after.split_once(' ').unwrap();
                    let (v, a) = value_of(a);
                    let want: u8 = v.parse().unwrap();
                    let ok = match (which, pkt.l4) {
                        ("type", PacketL4::Icmp(ty)) => ty == want,
                        ("code", PacketL4::Icmp(_)) => pkt.icmp_code == Some(want),
                        _ => false,
                    };
                    if !ok {
                        return None;
                    }
                    rest = a;
                }
                "meta" => {
                    let (what, a) = after.split_once(' ').unwrap();
                    if a.starts_with(". ") {
                        return self.lookup(rest);
                    }
                    let (v, a) = value_of(a);
                    let ok = match what {
                        "l4proto" => in_value(v, u128::from(proto_number(pkt.l4, fam))),
                        "day" => {
                            let day = (t.div_euclid(86_400) + 4).rem_euclid(7);
                            in_value(v, day as u128)
                        }
                        "hour" => in_value(v, t.rem_euclid(86_400) as u128),
                        "time" => {
                            let (n, a2) = a.split_once(' ').unwrap_or((a, ""));
                            let ok = t < n.parse::<i64>().unwrap();
                            if !ok {
                                return None;
                            }
                            rest = a2;
                            continue;
                        }
                        other => panic!("meta {other}"),
                    };
                    if !ok {
                        return None;
                    }
                    rest = a;
                }
                "ct" => {
                    let (_, a) = after.split_once(' ').unwrap();
                    let (state, a) = a.split_once(' ').unwrap_or((a, ""));
                    if state != "new" {
                        return None;
                    }
                    rest = a;
                }
                _ => return Some(rest),
            }
        }
    }

    /// A concatenated lookup `f1 . f2 ... @set REST` or `... vmap @map`:
    /// returns the action text, or for a map the element's verdict.
    fn lookup<'r>(&self, rest: &'r str) -> Option<&'r str> {
        let (fields, after) = rest.split_once(" @").map_or_else(
            || {
                let (f, a) = rest.split_once(" vmap @").unwrap();
                (f, a)
            },
            |(f, a)| (f, a),
        );
        let fields = fields.trim_end_matches(" vmap");
        let (name, action) = after.split_once(' ').unwrap_or((after, ""));
        let values: Option<Vec<u128>> = fields
            .split(" . ")
            .map(|f| field_value(f.trim(), self.pkt))
            .collect();
        let values = values?;
        let hits: Vec<&Element> = self.rs.sets[name]
            .iter()
            .filter(|e| {
                e.key.len() == values.len()
                    && e.key
                        .iter()
                        .zip(&values)
                        .all(|(k, v)| k.0 <= *v && *v <= k.1)
            })
            .collect();
        assert!(hits.len() <= 1, "elements of {name} overlap: {hits:?}");
        let e = hits.first()?;
        LAST.with(|l| *l.borrow_mut() = (e.comment.clone(), e.verdict.clone()));
        Some(action)
    }

    fn chain(&self, name: &str) -> Outcome {
        let rules = &self.rs.chains[name];
        let mut logged_would_drop = false;
        for rule in rules.iter().filter(|r| !r.starts_with("type ")) {
            LAST.with(|l| *l.borrow_mut() = (String::new(), None));
            let Some(action) = self.matches(rule) else {
                continue;
            };
            let action = action.strip_prefix("counter ").unwrap_or(action);
            let comment = action
                .split_once("comment \"")
                .map(|(_, c)| c.trim_end_matches('"').to_string());
            let (elem_comment, verdict) = LAST.with(|l| l.borrow().clone());
            if let Some(v) = verdict {
                if v == "accept" {
                    return Outcome::Accept(false, elem_comment);
                }
                let target = v.strip_prefix("jump ").unwrap();
                if let Outcome::Accept(wd, c) = self.chain(target) {
                    return Outcome::Accept(wd, if c.is_empty() { elem_comment } else { c });
                }
                continue;
            }
            if action.contains("log prefix \"conduit-monitor: \"") {
                logged_would_drop = true;
                continue;
            }
            if action.contains("log prefix") {
                continue;
            }
            if let Some(target) = action.strip_prefix("jump ") {
                if let Outcome::Accept(wd, c) = self.chain(target.trim()) {
                    return Outcome::Accept(wd, c);
                }
                continue;
            }
            if action.contains("accept") {
                let c = if elem_comment.is_empty() {
                    comment.unwrap_or_default()
                } else {
                    elem_comment
                };
                return Outcome::Accept(logged_would_drop, c);
            }
            if action.contains("drop") {
                return Outcome::Accept(false, "\u{0}drop".to_string());
            }
        }
        Outcome::Continue
    }
}

/// `{ a, b } rest` or `a rest`: the value and what follows.
fn value_of(s: &str) -> (&str, &str) {
    if let Some(inner) = s.strip_prefix("{ ") {
        inner.split_once(" }").unwrap()
    } else {
        s.split_once(' ').unwrap_or((s, ""))
    }
}

thread_local! {
    static LAST: std::cell::RefCell<(String, Option<String>)> =
        const { std::cell::RefCell::new((String::new(), None)) };
}

/// The verdict and, when a conduit allows, the comment of what allowed it.
pub fn text_verdict(rs: &Ruleset, pkt: &Packet, mode: Mode) -> (Verdict, Option<String>) {
    let e = Eval { rs, pkt };
    match e.chain("forward") {
        Outcome::Accept(_, c) if c == "\u{0}drop" || c == "default deny" => (Verdict::Deny, None),
        Outcome::Accept(_, c) if c.starts_with("monitor: would drop") => (Verdict::WouldDrop, None),
        Outcome::Accept(true, _) => (Verdict::WouldDrop, None),
        Outcome::Accept(false, c) => (Verdict::Allow, Some(c)),
        Outcome::Continue => match mode {
            Mode::Enforce => (Verdict::Deny, None),
            Mode::Monitor => (Verdict::WouldDrop, None),
        },
    }
}

fn check_plan(
    plan: &Plan,
    rng: &mut Rng,
    model: &conduit::model::Model,
    ifaces: Option<&BTreeMap<ZoneId, String>>,
) {
    let b = compile::backend("nftables").unwrap();
    let text = compile::generate(b, plan).unwrap().remove(0).text;
    check_text(&text, plan, rng, model, ifaces);
    // The same rules with every map spread over parts of two rules each.
    let split = compile::nftables::render_split(plan, compile::nftables::TABLE, 2);
    check_text(&split, plan, rng, model, ifaces);
}

fn check_text(
    text: &str,
    plan: &Plan,
    rng: &mut Rng,
    model: &conduit::model::Model,
    ifaces: Option<&BTreeMap<ZoneId, String>>,
) {
    let rs = parse(text);
    for _ in 0..300 {
        let pkt = random_packet(rng, model, ifaces);
        let want = plan.verdict(&pkt);
        let (got, comment) = text_verdict(&rs, &pkt, plan.mode);
        assert_eq!(got, want, "{pkt:?}\n{text}");
        if want == Verdict::Allow {
            let i = plan.deciding_rule(&pkt).unwrap();
            let rule = &plan.rules[i];
            let got = comment.unwrap_or_default();
            let want = format!("conduit {} ", rule.conduit);
            assert!(
                got.starts_with(&want),
                "{got} is not {want}: {pkt:?}\n{text}"
            );
            if let Some(service) = &rule.service {
                assert!(got.contains(service.as_str()), "{got}: {service}");
            }
        }
    }
}

#[test]
fn nftables_text_agrees_with_the_plan_on_random_policies() {
    let as_of = Date::parse(AS_OF).unwrap();
    for seed in 0..150u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let model = random_model(&mut rng);
        let mode = if rng.chance(20) {
            Mode::Monitor
        } else {
            Mode::Enforce
        };
        let ifaces: Option<BTreeMap<ZoneId, String>> = rng.chance(30).then(|| {
            model
                .zone_ids()
                .filter(|_| rng.chance(80))
                .map(|z| (z, format!("if{}", z.0)))
                .collect()
        });
        let opts = PlanOptions {
            mode,
            log_denied: true,
            as_of,
            interfaces: ifaces.clone(),
            target: None,
        };
        let (plan, _) = plan::build(&model, &opts);
        check_plan(&plan, &mut rng, &model, ifaces.as_ref());
    }
}

/// A generated plant of 40 sites: its internet zone is over a hundred
/// ranges, so rules to and from it leave that side out of the key and
/// check it in a target chain (the wide path); shared zones meet every
/// site. Packets are drawn from the plant's own zones and assets.
#[test]
fn nftables_text_agrees_with_the_plan_on_a_generated_plant() {
    use crate::gen_plant::{generate, Params};
    let dir = std::env::temp_dir().join(format!("conduit-nft-reader-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in &generate(&Params::new(40, 1)).files {
        std::fs::write(dir.join(&f.name), &f.text).unwrap();
    }
    let loaded = conduit::load_policy(std::slice::from_ref(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    let model = loaded.model;
    let as_of = Date::parse("2026-12-01").unwrap();
    for mode in [Mode::Enforce, Mode::Monitor] {
        let opts = PlanOptions {
            mode,
            log_denied: true,
            as_of,
            interfaces: None,
            target: None,
        };
        let (plan, _) = plan::build(&model, &opts);
        let b = compile::backend("nftables").unwrap();
        let text = compile::generate(b, &plan).unwrap().remove(0).text;
        assert!(text.contains("ct state new meta l4proto tcp ip saddr . th dport vmap @c_"));
        // DNS and Kerberos of the domain conduits: TCP and UDP twins.
        assert!(text.contains(
            "ct state new meta l4proto { tcp, udp } ip saddr . ip daddr . th dport vmap @c_"
        ));
        // Spread over parts of 64 rules, every port of four rules or more
        // gets a map of its own behind the dispatch map.
        let split = compile::nftables::render_split(&plan, compile::nftables::TABLE, 64);
        assert!(split.contains("ct state new meta l4proto . th dport vmap @ports_"));
        plant_packets(&plan, &text, as_of);
        plant_packets(&plan, &split, as_of);
    }
}

/// Packets at the edges of a plant's rules, judged by the text and the plan.
fn plant_packets(plan: &Plan, text: &str, as_of: Date) {
    // Packets at the edges of the plan's own rules, both ways (the
    // way back is mostly denied: a swapped element would show).
    let rs = parse(text);
    let mut allowed = 0;
    for rule in plan.rules.iter().step_by(3) {
        let (Some(src), Some(dst)) = (plan.ranges(&rule.src), plan.ranges(&rule.dst)) else {
            continue;
        };
        let l4 = match &rule.l4 {
            plan::L4::Tcp(p) => PacketL4::Tcp(p[0].hi),
            plan::L4::Udp(p) => PacketL4::Udp(p[0].lo),
            _ => continue,
        };
        let (s0, d0) = (src.ranges()[0], dst.ranges()[0]);
        for (s, d) in [(s0.0, d0.1), (s0.1, d0.0), (d0.0, s0.1), (d0.1, s0.0)] {
            let pkt = Packet {
                src: addr::from_int(rule.family, s),
                dst: addr::from_int(rule.family, d),
                l4,
                sport: None,
                icmp_code: None,
                iif: None,
                oif: None,
                unix_time: date_unix_noon(as_of),
            };
            let (got, comment) = text_verdict(&rs, &pkt, plan.mode);
            let want = plan.verdict(&pkt);
            assert_eq!(got, want, "{pkt:?} {}", rule.comment);
            if want == Verdict::Allow {
                allowed += 1;
                let first = &plan.rules[plan.deciding_rule(&pkt).unwrap()];
                let c = comment.unwrap_or_default();
                assert!(c.starts_with(&format!("conduit {} ", first.conduit)), "{c}");
            }
        }
    }
    assert!(allowed > 100, "{allowed}");
}

/// Noon UTC of a Wednesday near `date` (inside most schedule windows).
fn date_unix_noon(date: Date) -> i64 {
    let days = date.days_since_epoch();
    // 1970-01-01 was a Thursday; move to the next Wednesday.
    let wed = days + (2 - (days + 3).rem_euclid(7)).rem_euclid(7);
    wed * 86_400 + 12 * 3600
}
