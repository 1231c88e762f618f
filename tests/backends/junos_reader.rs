//! An independent reader of the Junos SRX text conduit emits: it parses the
//! brace syntax itself (statements, blocks, `[ ]` lists, quoted strings,
//! `#` and `/* */` comments, `replace:` tags), builds the address book,
//! applications, schedulers, zones and global policies, and decides a new
//! connection at an instant the way the SRX documents it: the first global
//! policy whose zones, addresses, application and scheduler match.
//! Nothing here uses the plan or the backend code.

use conduit::compile::eval::PacketL4;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One statement: its words, and its block when it has one.
#[derive(Debug, Clone)]
pub struct Node {
    pub words: Vec<String>,
    pub tag: Option<String>,
    pub children: Option<Vec<Node>>,
}

impl Node {
    pub fn head(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(String::as_str)
    }
    pub fn kids(&self) -> &[Node] {
        self.children.as_deref().unwrap_or(&[])
    }
    /// The child statements whose first word is `head`.
    pub fn all<'a>(&'a self, head: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.kids().iter().filter(move |n| n.head() == head)
    }
    pub fn one(&self, head: &str) -> Option<&Node> {
        self.kids().iter().find(|n| n.head() == head)
    }
    /// Values after the first word (a `[ ]` list flattened).
    pub fn values(&self) -> Vec<String> {
        self.words.iter().skip(1).cloned().collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Semi,
    LBr,
    RBr,
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                if i + 1 >= chars.len() {
                    return Err("unterminated comment".into());
                }
                i += 2;
            }
            '{' => {
                out.push(Tok::Open);
                i += 1
            }
            '}' => {
                out.push(Tok::Close);
                i += 1
            }
            ';' => {
                out.push(Tok::Semi);
                i += 1
            }
            '[' => {
                out.push(Tok::LBr);
                i += 1
            }
            ']' => {
                out.push(Tok::RBr);
                i += 1
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string".into()),
                        Some('"') => break,
                        Some('\\') => {
                            if let Some(n) = chars.get(i + 1) {
                                s.push(*n);
                            }
                            i += 2;
                        }
                        Some('\n') => return Err("newline in a string".into()),
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push(Tok::Str(s));
            }
            _ => {
                let mut s = String::new();
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '{' | '}' | ';' | '[' | ']' | '"')
                {
                    s.push(chars[i]);
                    i += 1;
                }
                out.push(Tok::Word(s));
            }
        }
    }
    Ok(out)
}

/// Parses a whole configuration into its top-level statements.
pub fn parse(text: &str) -> Result<Vec<Node>, String> {
    let toks = tokenize(text)?;
    let mut pos = 0;
    let nodes = parse_block(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(format!("unexpected `}}` at token {pos}"));
    }
    Ok(nodes)
}

fn parse_block(toks: &[Tok], pos: &mut usize) -> Result<Vec<Node>, String> {
    let mut nodes = Vec::new();
    loop {
        match toks.get(*pos) {
            None | Some(Tok::Close) => return Ok(nodes),
            _ => {}
        }
        let mut words = Vec::new();
        let mut tag = None;
        let mut in_list = false;
        loop {
            match toks.get(*pos) {
                None => return Err("statement without `;` or block".into()),
                Some(Tok::Word(w)) if words.is_empty() && tag.is_none() && w.ends_with(':') => {
                    tag = Some(w.trim_end_matches(':').to_string());
                    *pos += 1;
                }
                Some(Tok::Word(w)) | Some(Tok::Str(w)) => {
                    words.push(w.clone());
                    *pos += 1;
                }
                Some(Tok::LBr) if !in_list => {
                    in_list = true;
                    *pos += 1;
                }
                Some(Tok::RBr) if in_list => {
                    in_list = false;
                    *pos += 1;
                }
                Some(Tok::Semi) if !in_list => {
                    *pos += 1;
                    nodes.push(Node {
                        words,
                        tag,
                        children: None,
                    });
                    break;
                }
                Some(Tok::Open) if !in_list => {
                    *pos += 1;
                    let children = parse_block(toks, pos)?;
                    if toks.get(*pos) != Some(&Tok::Close) {
                        return Err("unclosed block".into());
                    }
                    *pos += 1;
                    nodes.push(Node {
                        words,
                        tag,
                        children: Some(children),
                    });
                    break;
                }
                Some(t) => return Err(format!("unexpected {t:?}")),
            }
            if words.is_empty() && tag.is_none() {
                return Err("empty statement".into());
            }
        }
    }
}

// ---- the configuration as the device sees it ---------------------------

#[derive(Debug, Clone)]
pub enum Addr {
    Prefix(IpAddr, u8),
    Range(IpAddr, IpAddr),
    /// `dns-name NAME`: the device resolves it; no literal address matches.
    Dns(String),
}

#[derive(Debug, Clone)]
pub struct App {
    /// `tcp`, `udp`, `icmp`, `icmp6` or a number.
    pub protocol: String,
    pub ports: Option<(u16, u16)>,
    pub sports: Option<(u16, u16)>,
    pub icmp_type: Option<u8>,
    pub icmp_code: Option<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Day {
    pub all_day: bool,
    pub exclude: bool,
    pub start: u32,
    pub stop: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    pub dates: Option<(i64, i64)>,
    pub daily: Option<Day>,
    /// Monday first.
    pub days: BTreeMap<usize, Day>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: Option<String>,
    pub src: Vec<String>,
    pub dst: Vec<String>,
    pub apps: Vec<String>,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub permit: bool,
    pub log_init: bool,
    pub log_close: bool,
    pub scheduler: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Srx {
    pub addresses: BTreeMap<String, Addr>,
    pub address_sets: BTreeMap<String, (Vec<String>, Vec<String>)>,
    pub apps: BTreeMap<String, Vec<App>>,
    pub app_sets: BTreeMap<String, Vec<String>>,
    pub schedulers: BTreeMap<String, Scheduler>,
    /// Zone → its interfaces.
    pub zones: BTreeMap<String, Vec<String>>,
    pub policies: Vec<Policy>,
    pub policy_rematch: bool,
    /// Hierarchies the file replaces (`replace:` tags), as paths.
    pub replaced: Vec<String>,
}

fn time_of(s: &str) -> Result<u32, String> {
    let p: Vec<u32> = s
        .split(':')
        .map(|x| x.parse::<u32>().map_err(|e| format!("{s}: {e}")))
        .collect::<Result<_, _>>()?;
    match p.as_slice() {
        [h, m, sec] if *h < 24 && *m < 60 && *sec < 60 => Ok(h * 3600 + m * 60 + sec),
        [h, m] if *h < 24 && *m < 60 => Ok(h * 3600 + m * 60),
        _ => Err(format!("bad time {s}")),
    }
}

/// `2027-03-31.00:00` as UTC seconds.
fn date_time_of(s: &str) -> Result<i64, String> {
    let (d, t) = s.split_once('.').ok_or(format!("bad date-time {s}"))?;
    let date = conduit::model::Date::parse(d).ok_or(format!("bad date {d}"))?;
    Ok(date.days_since_epoch() * 86_400 + i64::from(time_of(t)?))
}

fn day_of(n: &Node) -> Result<Day, String> {
    let mut d = Day::default();
    // `daily all-day;` or `daily { all-day; }`, and likewise for times.
    let mut words: Vec<String> = n.values();
    for k in n.kids() {
        words.extend(k.words.clone());
    }
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "all-day" => d.all_day = true,
            "exclude" => d.exclude = true,
            "start-time" => d.start = time_of(it.next().ok_or("start-time")?)?,
            "stop-time" => {
                let t = time_of(it.next().ok_or("stop-time")?)?;
                // The device counts a stop time to the end of its second.
                d.stop = t + 1;
            }
            other => return Err(format!("unknown day option {other}")),
        }
    }
    Ok(d)
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn path_of(stack: &[&str], n: &Node) -> String {
    let mut p: Vec<String> = stack.iter().map(|s| s.to_string()).collect();
    p.extend(n.words.iter().cloned());
    p.join(" ")
}

fn collect_replaced(nodes: &[Node], stack: &mut Vec<String>, out: &mut Vec<String>) {
    for n in nodes {
        let refs: Vec<&str> = stack.iter().map(String::as_str).collect();
        if n.tag.as_deref() == Some("replace") {
            out.push(path_of(&refs, n));
        }
        if let Some(k) = &n.children {
            stack.push(n.words.join(" "));
            collect_replaced(k, stack, out);
            stack.pop();
        }
    }
}

impl Srx {
    pub fn read(text: &str) -> Result<Srx, String> {
        let top = parse(text)?;
        let root = Node {
            words: vec![],
            tag: None,
            children: Some(top),
        };
        let mut srx = Srx::default();
        collect_replaced(root.kids(), &mut Vec::new(), &mut srx.replaced);
        for sec in root.all("security") {
            for ab in sec.all("address-book") {
                for book in ab.kids() {
                    srx.address_book(book)?;
                }
            }
            for pol in sec.all("policies") {
                if pol.one("policy-rematch").is_some() {
                    srx.policy_rematch = true;
                }
                if pol.one("from-zone").is_some() {
                    return Err("zone-pair policies are not expected".into());
                }
                for g in pol.all("global") {
                    for p in g.all("policy") {
                        srx.policies.push(policy_of(p)?);
                    }
                }
            }
            for zs in sec.all("zones") {
                for z in zs.all("security-zone") {
                    let name = z.arg(1).ok_or("zone without name")?.to_string();
                    let ifs = z
                        .one("interfaces")
                        .map(|i| i.kids().iter().map(|k| k.head().to_string()).collect())
                        .unwrap_or_default();
                    srx.zones.insert(name, ifs);
                }
            }
        }
        for apps in root.all("applications") {
            for a in apps.all("application") {
                let name = a.arg(1).ok_or("application without name")?.to_string();
                let terms: Vec<&Node> = a.all("term").collect();
                let list = if terms.is_empty() {
                    vec![app_of(a)?]
                } else {
                    terms.iter().map(|t| app_of(t)).collect::<Result<_, _>>()?
                };
                srx.apps.insert(name, list);
            }
            for s in apps.all("application-set") {
                let name = s.arg(1).ok_or("application-set without name")?.to_string();
                let members = s
                    .kids()
                    .iter()
                    .filter(|k| matches!(k.head(), "application" | "application-set"))
                    .map(|k| k.arg(1).unwrap_or("").to_string())
                    .collect();
                srx.app_sets.insert(name, members);
            }
        }
        for ss in root.all("schedulers") {
            for s in ss.all("scheduler") {
                let name = s.arg(1).ok_or("scheduler without name")?.to_string();
                let mut sch = Scheduler::default();
                for k in s.kids() {
                    match k.head() {
                        "start-date" => {
                            let start = date_time_of(k.arg(1).ok_or("start-date")?)?;
                            if k.arg(2) != Some("stop-date") {
                                return Err("start-date without stop-date".into());
                            }
                            let stop = date_time_of(k.arg(3).ok_or("stop-date")?)?;
                            sch.dates = Some((start, stop));
                        }
                        "daily" => sch.daily = Some(day_of(k)?),
                        d => {
                            let i = DAYS
                                .iter()
                                .position(|x| *x == d)
                                .ok_or(format!("unknown scheduler statement {d}"))?;
                            sch.days.insert(i, day_of(k)?);
                        }
                    }
                }
                srx.schedulers.insert(name, sch);
            }
        }
        Ok(srx)
    }

    fn address_book(&mut self, book: &Node) -> Result<(), String> {
        for a in book.all("address") {
            let name = a.arg(1).ok_or("address without name")?.to_string();
            let addr = if let Some(d) = a.one("dns-name") {
                Addr::Dns(d.arg(1).ok_or("dns-name without name")?.to_string())
            } else if let Some(p) = a.arg(2) {
                let net: ipnet::IpNet = p.parse().map_err(|e| format!("{p}: {e}"))?;
                Addr::Prefix(net.addr(), net.prefix_len())
            } else {
                let r = a.one("range-address").ok_or("address without value")?;
                let lo: IpAddr = r
                    .arg(1)
                    .ok_or("range")?
                    .parse()
                    .map_err(|e| format!("{e}"))?;
                let hi = r
                    .one("to")
                    .and_then(|t| t.kids().first())
                    .ok_or("range without to")?;
                let hi: IpAddr = hi.head().parse().map_err(|e| format!("{e}"))?;
                Addr::Range(lo, hi)
            };
            self.addresses.insert(name, addr);
        }
        for s in book.all("address-set") {
            let name = s.arg(1).ok_or("address-set without name")?.to_string();
            let addrs = s
                .all("address")
                .map(|k| k.arg(1).unwrap_or("").to_string())
                .collect();
            let sets = s
                .all("address-set")
                .map(|k| k.arg(1).unwrap_or("").to_string())
                .collect();
            self.address_sets.insert(name, (addrs, sets));
        }
        Ok(())
    }
}

fn app_of(n: &Node) -> Result<App, String> {
    let protocol = n
        .one("protocol")
        .and_then(|p| p.arg(1))
        .ok_or("application without protocol")?
        .to_string();
    let range = |key: &str| -> Result<Option<(u16, u16)>, String> {
        Ok(match n.one(key).and_then(|p| p.arg(1)) {
            None => None,
            Some(p) => Some(match p.split_once('-') {
                Some((a, b)) => (
                    a.parse().map_err(|_| "port")?,
                    b.parse().map_err(|_| "port")?,
                ),
                None => {
                    let v: u16 = p.parse().map_err(|_| "port")?;
                    (v, v)
                }
            }),
        })
    };
    let ports = range("destination-port")?;
    let sports = range("source-port")?;
    let number = |keys: [&str; 2]| -> Result<Option<u8>, String> {
        match keys.iter().find_map(|k| n.one(k).and_then(|p| p.arg(1))) {
            None => Ok(None),
            Some(t) => Ok(Some(t.parse().map_err(|_| format!("bad {keys:?}"))?)),
        }
    };
    let icmp_type = number(["icmp-type", "icmp6-type"])?;
    let icmp_code = number(["icmp-code", "icmp6-code"])?;
    Ok(App {
        protocol,
        ports,
        sports,
        icmp_type,
        icmp_code,
    })
}

fn policy_of(p: &Node) -> Result<Policy, String> {
    let name = p.arg(1).ok_or("policy without name")?.to_string();
    let m = p.one("match").ok_or("policy without match")?;
    let list = |h: &str| m.one(h).map(Node::values).unwrap_or_default();
    let then = p.one("then").ok_or("policy without then")?;
    let permit = then.one("permit").is_some();
    let deny = then.one("deny").is_some() || then.one("reject").is_some();
    if permit == deny {
        return Err(format!("policy {name}: exactly one action expected"));
    }
    let log = then.one("log");
    Ok(Policy {
        name,
        description: p
            .one("description")
            .and_then(|d| d.arg(1))
            .map(String::from),
        src: list("source-address"),
        dst: list("destination-address"),
        apps: list("application"),
        from: list("from-zone"),
        to: list("to-zone"),
        permit,
        log_init: log.is_some_and(|l| l.one("session-init").is_some()),
        log_close: log.is_some_and(|l| l.one("session-close").is_some()),
        scheduler: p
            .one("scheduler-name")
            .and_then(|s| s.arg(1))
            .map(String::from),
    })
}

fn to_int(a: IpAddr) -> (bool, u128) {
    match a {
        IpAddr::V4(v) => (true, u128::from(u32::from(v))),
        IpAddr::V6(v) => (false, u128::from(v)),
    }
}

/// What the device does with a new connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub permit: bool,
    pub logged: bool,
    pub policy: String,
}

impl Srx {
    fn addr_contains(&self, name: &str, ip: IpAddr, depth: usize) -> bool {
        if depth > 8 {
            return false;
        }
        match name {
            "any" => return true,
            "any-ipv4" => return ip.is_ipv4(),
            "any-ipv6" => return ip.is_ipv6(),
            _ => {}
        }
        if let Some(a) = self.addresses.get(name) {
            let (v4, x) = to_int(ip);
            return match a {
                Addr::Prefix(p, len) => {
                    let (pv4, base) = to_int(*p);
                    let bits = if pv4 { 32 } else { 128 };
                    pv4 == v4 && {
                        let shift = bits - u32::from(*len);
                        if shift >= 128 {
                            true
                        } else {
                            (x >> shift) == (base >> shift)
                        }
                    }
                }
                Addr::Range(lo, hi) => {
                    let (lv4, l) = to_int(*lo);
                    let (_, h) = to_int(*hi);
                    lv4 == v4 && l <= x && x <= h
                }
                Addr::Dns(_) => false,
            };
        }
        if let Some((addrs, sets)) = self.address_sets.get(name) {
            return addrs.iter().any(|a| self.addr_contains(a, ip, depth + 1))
                || sets.iter().any(|s| self.addr_contains(s, ip, depth + 1));
        }
        false
    }

    fn app_matches(&self, name: &str, l4: PacketL4, v4: bool, extra: Extra, depth: usize) -> bool {
        if name == "any" {
            return true;
        }
        if depth > 8 {
            return false;
        }
        if let Some(terms) = self.apps.get(name) {
            return terms.iter().any(|t| term_matches(t, l4, v4, extra));
        }
        self.app_sets.get(name).is_some_and(|m| {
            m.iter()
                .any(|a| self.app_matches(a, l4, v4, extra, depth + 1))
        })
    }

    fn scheduler_active(&self, name: &str, unix: i64) -> bool {
        let Some(s) = self.schedulers.get(name) else {
            return false;
        };
        if let Some((a, b)) = s.dates {
            if unix < a || unix >= b {
                return false;
            }
        }
        if s.daily.is_none() && s.days.is_empty() {
            return true;
        }
        let day = unix.div_euclid(86_400);
        let weekday = (day + 3).rem_euclid(7) as usize;
        let sec = unix.rem_euclid(86_400) as u32;
        let entry = s.days.get(&weekday).or(s.daily.as_ref());
        match entry {
            None => false,
            Some(d) if d.exclude => false,
            Some(d) if d.all_day => true,
            Some(d) => d.start <= sec && sec < d.stop,
        }
    }

    /// The zone an interface belongs to.
    pub fn zone_of_interface(&self, iface: &str) -> Option<&str> {
        self.zones
            .iter()
            .find(|(_, ifs)| ifs.iter().any(|i| i == iface))
            .map(|(z, _)| z.as_str())
    }

    /// The first policy that matches a new connection from zone `from` to
    /// zone `to` at `unix`.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        src: IpAddr,
        dst: IpAddr,
        l4: PacketL4,
        extra: Extra,
        unix: i64,
    ) -> Option<Decision> {
        let zone_ok = |list: &[String], z: Option<&str>| {
            list.is_empty() || z.is_some_and(|z| list.iter().any(|x| x == z || x == "any"))
        };
        for p in &self.policies {
            let ok = zone_ok(&p.from, from)
                && zone_ok(&p.to, to)
                && p.src.iter().any(|a| self.addr_contains(a, src, 0))
                && p.dst.iter().any(|a| self.addr_contains(a, dst, 0))
                && p.apps
                    .iter()
                    .any(|a| self.app_matches(a, l4, src.is_ipv4(), extra, 0))
                && p.scheduler
                    .as_ref()
                    .is_none_or(|s| self.scheduler_active(s, unix));
            if ok {
                return Some(Decision {
                    permit: p.permit,
                    logged: p.log_init,
                    policy: p.name.clone(),
                });
            }
        }
        None
    }
}

/// The source port and the ICMP code of a packet, when known.
pub type Extra = (Option<u16>, Option<u8>);

fn term_matches(t: &App, l4: PacketL4, v4: bool, extra: Extra) -> bool {
    let number = match (l4, v4) {
        (PacketL4::Tcp(_), _) => 6,
        (PacketL4::Udp(_), _) => 17,
        (PacketL4::Icmp(_), true) => 1,
        (PacketL4::Icmp(_), false) => 58,
        (PacketL4::Proto(n), _) => n,
    };
    let port_ok = |p: u16| {
        t.ports.is_none_or(|(a, b)| a <= p && p <= b)
            && t.sports
                .is_none_or(|(a, b)| extra.0.is_some_and(|s| a <= s && s <= b))
    };
    let icmp_ok = |ty: u8| {
        t.icmp_type.is_none_or(|w| w == ty) && t.icmp_code.is_none_or(|c| extra.1 == Some(c))
    };
    match (t.protocol.as_str(), l4) {
        ("tcp", PacketL4::Tcp(p)) | ("udp", PacketL4::Udp(p)) => port_ok(p),
        ("icmp", PacketL4::Icmp(ty)) if v4 => icmp_ok(ty),
        ("icmp6", PacketL4::Icmp(ty)) if !v4 => icmp_ok(ty),
        (n, _) => n.parse::<u8>().is_ok_and(|n| n == number),
    }
}

/// A DNS name as a device's FQDN object accepts it: labels of letters,
/// digits and inner `-`, at least two, at most 253 characters, an
/// optional leading `*.`; nothing that needs quoting.
pub fn dns_name_ok(s: &str) -> bool {
    let rest = s.strip_prefix("*.").unwrap_or(s);
    let labels: Vec<&str> = rest.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

// ---- the documented limits, checked on every emitted name --------------

/// Junos SRX limits (Junos security policy and address-book references).
pub fn lint(srx: &Srx, text: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let word = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let word_dot = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    for z in srx.zones.keys() {
        if !word(z) {
            errs.push(format!("zone name {z:?}"));
        }
    }
    for s in srx.schedulers.keys() {
        if !word(s) {
            errs.push(format!("scheduler name {s:?}"));
        }
    }
    for n in srx.addresses.keys().chain(srx.address_sets.keys()) {
        if !word_dot(n) {
            errs.push(format!("address name {n:?}"));
        }
    }
    for a in srx.addresses.values() {
        if let Addr::Dns(d) = a {
            if !dns_name_ok(d) || d.starts_with("*.") {
                errs.push(format!("dns-name {d:?} (one host name, no wildcard)"));
            }
        }
    }
    for n in srx.apps.keys().chain(srx.app_sets.keys()) {
        if !word_dot(n) || n.starts_with("junos-") {
            errs.push(format!("application name {n:?}"));
        }
    }
    for (n, terms) in &srx.apps {
        if terms.len() > 8 {
            errs.push(format!("application {n}: {} terms, at most 8", terms.len()));
        }
    }
    for p in &srx.policies {
        if !word(&p.name) {
            errs.push(format!("policy name {:?}", p.name));
        }
        if let Some(d) = &p.description {
            if d.chars().count() > 900 || d.contains('"') {
                errs.push(format!("policy {} description", p.name));
            }
        }
        for a in p.src.iter().chain(&p.dst) {
            if a != "any" && !srx.addresses.contains_key(a) && !srx.address_sets.contains_key(a) {
                errs.push(format!("policy {}: unknown address {a}", p.name));
            }
        }
        for a in &p.apps {
            if a != "any" && !srx.apps.contains_key(a) && !srx.app_sets.contains_key(a) {
                errs.push(format!("policy {}: unknown application {a}", p.name));
            }
        }
        for z in p.from.iter().chain(&p.to) {
            if !srx.zones.contains_key(z) {
                errs.push(format!("policy {}: unknown zone {z}", p.name));
            }
        }
        if let Some(s) = &p.scheduler {
            if !srx.schedulers.contains_key(s) {
                errs.push(format!("policy {}: unknown scheduler {s}", p.name));
            }
        }
    }
    for (n, (addrs, sets)) in &srx.address_sets {
        for a in addrs {
            if !srx.addresses.contains_key(a) {
                errs.push(format!("address-set {n}: unknown address {a}"));
            }
        }
        for s in sets {
            if !srx.address_sets.contains_key(s) {
                errs.push(format!("address-set {n}: unknown set {s}"));
            }
        }
    }
    for (n, members) in &srx.app_sets {
        for m in members {
            if !srx.apps.contains_key(m) && !srx.app_sets.contains_key(m) {
                errs.push(format!("application-set {n}: unknown member {m}"));
            }
        }
    }
    // Nothing but conduit's hierarchies is replaced.
    for r in &srx.replaced {
        let ok = r == "security address-book global"
            || r == "security policies"
            || r == "applications"
            || r == "schedulers"
            || r.starts_with("security zones security-zone ");
        if !ok {
            errs.push(format!("replaces {r}"));
        }
    }
    for line in text.lines() {
        if line.len() > 2048 {
            errs.push("line longer than 2048 characters".into());
        }
    }
    errs
}
