//! Parsing attribute values: networks, addresses, ports, dates, schedules,
//! security levels. Each function returns the value or a [`ValueError`]
//! (code, message, hint) that the resolver turns into a diagnostic at the
//! value's span.

use super::types::*;
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Why a value was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub code: &'static str,
    pub message: String,
    pub help: String,
}

fn err(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> ValueError {
    ValueError {
        code,
        message: message.into(),
        help: help.into(),
    }
}

/// Whether `s` is a valid declared name: `[a-z0-9][a-z0-9_-]*`.
pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A network in CIDR notation. Returns the network and whether host bits
/// were set (the caller warns and uses the truncated network).
pub fn network(s: &str) -> Result<(IpNet, bool), ValueError> {
    leading_zeros("E0301", s)?;
    match s.parse::<IpNet>() {
        Ok(n) => Ok((n.trunc(), n.trunc() != n)),
        Err(_) if s.parse::<IpAddr>().is_ok() => Err(err(
            "E0301",
            format!("`{s}` is an address, not a network"),
            format!(
                "write a prefix length: `{s}/{}`",
                if s.contains(':') { 128 } else { 32 }
            ),
        )),
        Err(_) => Err(err(
            "E0301",
            format!("`{s}` is not a valid network"),
            "write a network in CIDR notation, e.g. `10.40.1.0/24` or `2001:db8:10::/48`",
        )),
    }
}

/// A network as written in the language: an address for a host prefix
/// (`239.192.1.5`), CIDR otherwise (`239.192.1.0/24`).
pub fn net_text(net: &IpNet) -> String {
    if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

/// A multicast group (`multicast ADDR[/LEN]`): an address or a network
/// without host bits, inside 224.0.0.0/4 or ff00::/8, and not of a scope
/// a router never forwards (224.0.0.0/24, IPv6 interface- and link-local
/// scopes `ffx1::/16`, `ffx2::/16`).
pub fn multicast_group(s: &str) -> Result<IpNet, ValueError> {
    let bad = || {
        err(
            "E0317",
            format!("`{s}` is not a multicast group"),
            "write an IPv4 group in 224.0.0.0/4 (`239.192.1.0/24`) or an IPv6 group in ff00::/8 (`ff0e::181`)",
        )
    };
    let net = if s.contains('/') {
        let (net, host_bits) = network(s).map_err(|_| bad())?;
        if host_bits {
            return Err(err(
                "E0317",
                format!("`{s}` has host bits set"),
                format!("write the group's network: `{}`", net_text(&net)),
            ));
        }
        net
    } else {
        IpNet::from(address(s).map_err(|_| bad())?)
    };
    let (first, last) = (net.network(), net.broadcast());
    if !first.is_multicast() || !last.is_multicast() {
        return Err(bad());
    }
    let local = match (first, last) {
        // Ranges from a multicast first address: local when they start
        // inside 224.0.0.0/24.
        (IpAddr::V4(a), IpAddr::V4(_)) => u32::from(a) <= 0xe000_00ff,
        // A network wider than /16 spans every scope, link-local too.
        (IpAddr::V6(a), IpAddr::V6(_)) => {
            let [_, flags_scope, ..] = a.octets();
            net.prefix_len() < 16 || flags_scope & 0x0f <= 2
        }
        _ => false,
    };
    if local {
        return Err(err(
            "E0318",
            format!("`{s}` is a link-local multicast scope: no router forwards it"),
            "224.0.0.0/24 and IPv6 interface- and link-local groups (ff01::/16, ff02::/16) never cross a firewall; use a routed group (239.192.0.0/14 for a site, ff05::/16 or ff0e::/16)",
        ));
    }
    Ok(net)
}

/// Longest DNS name (RFC 1035, without the trailing dot).
pub const DNS_NAME_MAX: usize = 253;
/// Longest DNS label.
pub const DNS_LABEL_MAX: usize = 63;

/// A DNS name for an `fqdn` endpoint, in lower case: labels of RFC 1123
/// letters, digits and inner hyphens (1-63 characters), at least two
/// labels, at most 253 characters, a top-level label that is not all
/// digits, and at most one leading `*.` (a wildcard over at least two
/// labels). Nothing else reaches a generated config.
pub fn dns_name(s: &str) -> Result<String, ValueError> {
    let shown: String = s.chars().flat_map(char::escape_debug).take(80).collect();
    let fail = |why: &str| {
        err(
            "E0319",
            format!("`{shown}` is not a valid DNS name: {why}"),
            "write a fully qualified name of letters, digits, `-` and `.`, optionally starting with `*.`: `*.azure-devices.net`",
        )
    };
    if s.len() > DNS_NAME_MAX {
        return Err(fail("longer than 253 characters"));
    }
    let lower = s.to_ascii_lowercase();
    let rest = lower.strip_prefix("*.").unwrap_or(&lower);
    let labels: Vec<&str> = rest.split('.').collect();
    if labels.len() < 2 {
        return Err(fail("a fully qualified name has at least two labels"));
    }
    for label in &labels {
        if label.is_empty() {
            return Err(fail("empty label (two dots, or a dot at an end)"));
        }
        if label.len() > DNS_LABEL_MAX {
            return Err(fail("a label is longer than 63 characters"));
        }
        if label.contains('*') {
            return Err(fail("`*` only as the whole first label (`*.example.com`)"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(fail("labels hold letters, digits and `-` only"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(fail("a label starts and ends with a letter or digit"));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(fail(
            "the last label is all digits (an address is not a name)",
        ));
    }
    Ok(lower)
}

/// An IPv4 or IPv6 address.
pub fn address(s: &str) -> Result<IpAddr, ValueError> {
    leading_zeros("E0302", s)?;
    s.parse::<IpAddr>().map_err(|_| {
        err(
            "E0302",
            format!("`{s}` is not a valid IP address"),
            "write one IPv4 or IPv6 address, e.g. `10.40.1.10` or `2001:db8:10::5`",
        )
    })
}

/// Rejects an IPv4 octet with a leading zero (`010.1.0.0`): some tools
/// read it as octal (8), others as decimal (10), so it is ambiguous.
fn leading_zeros(code: &'static str, s: &str) -> Result<(), ValueError> {
    let addr = s.split('/').next().unwrap_or(s);
    let v4 = addr.rsplit(':').next().unwrap_or(addr);
    let bad = v4.contains('.')
        && v4
            .split('.')
            .any(|o| o.len() > 1 && o.starts_with('0') && o.bytes().all(|b| b.is_ascii_digit()));
    if !bad {
        return Ok(());
    }
    let fixed: Vec<String> = v4
        .split('.')
        .map(|o| o.parse::<u32>().map_or(o.to_string(), |n| n.to_string()))
        .collect();
    Err(err(
        code,
        format!("`{s}` has an IPv4 octet with a leading zero"),
        format!(
            "leading zeros are read as octal by some tools and as decimal by others; \
             write `{}` if decimal is meant",
            s.replacen(v4, &fixed.join("."), 1)
        ),
    ))
}

/// A port (1-65535) or an inclusive range `a-b`.
pub fn port_range(s: &str) -> Result<PortRange, ValueError> {
    let bad = |why: &str| {
        err(
            "E0303",
            format!("`{s}` is not a valid port or port range: {why}"),
            "ports are 1-65535; a range is written `1740-1743`",
        )
    };
    let one = |p: &str| -> Result<u16, ValueError> {
        match p.parse::<u32>() {
            Ok(n) if (1..=65_535).contains(&n) => Ok(n as u16),
            Ok(_) => Err(bad("out of range")),
            Err(_) => Err(bad("not a number")),
        }
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (lo, hi) = (one(a)?, one(b)?);
            if lo > hi {
                return Err(bad("the range is reversed"));
            }
            Ok(PortRange { lo, hi })
        }
        None => one(s).map(PortRange::single),
    }
}

/// Whether a word looks like a port or range (used to group `tcp 502, 802`).
pub fn looks_like_port(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// `YYYY-MM-DD`.
pub fn date(s: &str) -> Result<Date, ValueError> {
    Date::parse(s).ok_or_else(|| {
        err(
            "E0304",
            format!("`{s}` is not a valid date"),
            "write an ISO date, YYYY-MM-DD, e.g. `2027-03-31`",
        )
    })
}

/// A security level 0..=4.
pub fn level(s: &str) -> Result<u8, ValueError> {
    match s.parse::<u8>() {
        Ok(n) if n <= 4 => Ok(n),
        _ => Err(err(
            "E0306",
            format!("`{s}` is not a security level"),
            "security levels are 0, 1, 2, 3 or 4 (IEC 62443-3-3)",
        )),
    }
}

/// A Purdue level.
pub fn purdue(s: &str) -> Result<Purdue, ValueError> {
    Purdue::parse(s).ok_or_else(|| {
        err(
            "E0307",
            format!("`{s}` is not a Purdue level"),
            "use 0, 1, 2, 3, 3.5 (industrial DMZ), 4 or 5",
        )
    })
}

/// `true` or `false`.
pub fn boolean(s: &str) -> Result<bool, ValueError> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(err(
            "E0309",
            format!("`{s}` is not `true` or `false`"),
            "write `true` or `false`",
        )),
    }
}

/// One of a fixed set of keywords.
pub fn one_of<T: Copy>(
    s: &str,
    what: &str,
    options: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, ValueError> {
    options
        .iter()
        .copied()
        .find(|o| name(*o) == s)
        .ok_or_else(|| {
            let list: Vec<&str> = options.iter().map(|o| name(*o)).collect();
            let hint = match suggest(s, list.iter().copied()) {
                Some(best) => format!(
                    "did you mean `{best}`? {what} is one of: {}",
                    list.join(", ")
                ),
                None => format!("{what} is one of: {}", list.join(", ")),
            };
            err("E0308", format!("`{s}` is not a valid {what}"), hint)
        })
}

/// A protocol number 0..=255 for `proto N`.
pub fn proto_number(s: &str) -> Result<u8, ValueError> {
    match s.parse::<u8>() {
        Ok(6) | Ok(17) => Err(err(
            "E0310",
            format!("protocol {s} is {}", if s == "6" { "TCP" } else { "UDP" }),
            "write `tcp PORTS` or `udp PORTS` so that ports are matched",
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(err(
            "E0310",
            format!("`{s}` is not an IP protocol number"),
            "write a number 0-255, e.g. `proto 47` for GRE",
        )),
    }
}

/// An ICMP or ICMPv6 code 0..=255 (`icmp 3 code 4`).
pub fn icmp_code(s: &str) -> Result<u8, ValueError> {
    s.parse::<u8>().map_err(|_| {
        err(
            "E0312",
            format!("`{s}` is not an ICMP code"),
            "write a number 0-255 after `code`, e.g. `icmp 3 code 4`",
        )
    })
}

/// An ICMP type 0..=255.
pub fn icmp_type(s: &str) -> Result<u8, ValueError> {
    s.parse::<u8>().map_err(|_| {
        err(
            "E0310",
            format!("`{s}` is not an ICMP type"),
            "write a number 0-255, e.g. `icmp 8` for echo request",
        )
    })
}

fn minute_of_day(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

fn day_set(s: &str) -> Option<BTreeSet<Weekday>> {
    let mut days = BTreeSet::new();
    if s == "daily" {
        return Some(Weekday::ALL.into_iter().collect());
    }
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (Weekday::parse(a)?, Weekday::parse(b)?);
                let mut i = a.index();
                loop {
                    days.insert(*Weekday::ALL.get(i)?);
                    if i == b.index() {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => {
                days.insert(Weekday::parse(part)?);
            }
        }
    }
    Some(days)
}

/// `"DAYS HH:MM-HH:MM [ZONE]"`: days are `mon`…`sun`, ranges `mon-fri`,
/// lists `mon,wed,fri`, or `daily`; the window must not wrap past
/// midnight; `ZONE` an IANA time zone name (`Europe/Berlin`), UTC when
/// absent (E0321 for a name the compiled-in database does not know).
pub fn schedule(s: &str) -> Result<Schedule, ValueError> {
    let bad = |why: &str| {
        err(
            "E0305",
            format!("`{s}` is not a valid schedule: {why}"),
            "write \"DAYS HH:MM-HH:MM\", e.g. \"mon-fri 06:00-18:00\" or \"daily 22:00-24:00\"",
        )
    };
    let mut parts = s.split_whitespace();
    let (Some(days), Some(window), zone, None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(
            "expected days, a time window and an optional time zone",
        ));
    };
    let days = day_set(days)
        .ok_or_else(|| bad("unknown day (use mon, tue, wed, thu, fri, sat, sun or daily)"))?;
    let (a, b) = window
        .split_once('-')
        .ok_or_else(|| bad("the window needs a start and an end"))?;
    let start = minute_of_day(a).ok_or_else(|| bad("times are HH:MM, 00:00 to 24:00"))?;
    let end = minute_of_day(b).ok_or_else(|| bad("times are HH:MM, 00:00 to 24:00"))?;
    if start >= end {
        return Err(err(
            "E0305",
            format!("`{s}`: the window ends before it starts"),
            "a window cannot cross midnight; write two conduits or use 24:00 as the end, e.g. \"mon-fri 22:00-24:00\"",
        ));
    }
    let zone = match zone {
        None => None,
        Some(z) => time_zone(z)?,
    };
    Ok(Schedule {
        days,
        start_minute: start,
        end_minute: end,
        zone,
        text: s.to_string(),
    })
}

/// An IANA time zone name; `None` for `UTC` (the default clock).
fn time_zone(z: &str) -> Result<Option<String>, ValueError> {
    match zone_lookup(z) {
        Ok(canon) if canon == "UTC" => Ok(None),
        Ok(canon) => Ok(Some(canon)),
        Err(Some(canon)) => Err(err(
            "E0321",
            format!("`{z}` is spelled differently in the time zone database"),
            format!("write `{canon}`"),
        )),
        Err(None) => {
            let names = zone_names();
            let hint = match suggest(z, names.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "write an IANA time zone name, e.g. `Europe/Berlin` or `America/New_York`, or leave it out for UTC".to_string(),
            };
            Err(err(
                "E0321",
                format!(
                    "`{z}` is not a time zone in the compiled-in database (tzdb {TZDB_RELEASE})"
                ),
                hint,
            ))
        }
    }
}

/// The closest candidate by edit distance, if it is close enough to help.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn schedules() {
        let s = schedule("mon-fri 06:00-18:00").unwrap();
        assert_eq!(s.days.len(), 5);
        assert_eq!((s.start_minute, s.end_minute), (360, 1080));
        assert_eq!(schedule("sat-mon 00:00-24:00").unwrap().days.len(), 3);
        assert_eq!(schedule("daily 22:00-24:00").unwrap().days.len(), 7);
        assert_eq!(schedule("mon,wed 08:00-09:00").unwrap().days.len(), 2);
        let z = schedule("mon-fri 06:00-18:00 Europe/Berlin").unwrap();
        assert_eq!(z.zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(schedule("mon 06:00-07:00 UTC").unwrap().zone, None);
        let e = schedule("mon 06:00-07:00 Europe/Berln").unwrap_err();
        assert_eq!(e.code, "E0321");
        assert!(e.help.contains("Europe/Berlin"), "{}", e.help);
        let e = schedule("mon 06:00-07:00 europe/berlin").unwrap_err();
        assert_eq!(
            (e.code, e.help.as_str()),
            ("E0321", "write `Europe/Berlin`")
        );
        assert_eq!(
            schedule("mon 06:00-07:00 Europe/Berlin x")
                .unwrap_err()
                .code,
            "E0305"
        );
        for bad in [
            "mon-fri",
            "mon-fri 18:00-06:00",
            "funday 01:00-02:00",
            "mon 25:00-26:00",
            "mon 6:00-7:00",
        ] {
            assert_eq!(schedule(bad).unwrap_err().code, "E0305", "{bad}");
        }
    }

    #[test]
    fn ports_and_networks() {
        assert_eq!(port_range("1740-1743").unwrap().width(), 4);
        assert!(port_range("0").is_err());
        assert!(port_range("65536").is_err());
        assert!(port_range("9-1").is_err());
        assert_eq!(
            network("10.0.0.5/24").unwrap(),
            ("10.0.0.0/24".parse().unwrap(), true)
        );
        assert_eq!(network("10.0.0.5").unwrap_err().code, "E0301");
        let e = network("010.001.000.000/24").unwrap_err();
        assert_eq!(e.code, "E0301");
        assert!(e.help.contains("`10.1.0.0/24`"), "{}", e.help);
        assert_eq!(address("10.1.0.010").unwrap_err().code, "E0302");
        assert!(address("10.1.0.010")
            .unwrap_err()
            .message
            .contains("leading zero"));
        assert!(network("10.0.0.0/8").is_ok() && address("10.0.0.0").is_ok());
        assert!(network("::/0").is_ok());
    }

    #[test]
    fn names_and_dates() {
        assert!(is_valid_name("filler-plc"));
        assert!(is_valid_name("l1_cell-2"));
        assert!(!is_valid_name("Filler"));
        assert!(!is_valid_name("-x"));
        assert!(date("2027-02-29").is_err());
        assert!(date("2028-02-29").is_ok());
        let d = Date::parse("2026-11-28").unwrap();
        assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d);
        assert_eq!(
            suggest("purdu", ["purdue", "owner"].into_iter()),
            Some("purdue")
        );
    }
}
