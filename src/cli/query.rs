//! `conduit query`: would the compiled firewall let this packet through,
//! and which conduit decides?
//!
//! Builds the same plan as `compile --backend` (address matching, every
//! conduit not expired at `--as-of`), asks it for the verdict on the first
//! packet of a new connection at the instant `--at`, and prints the
//! deciding conduit, service, direction, window and the nftables rule it
//! compiles to, or why the packet is denied ([`crate::compile::explain`]).
//! Exit codes: 0 allowed, 1 denied (also "would drop" in monitor mode),
//! 2 usage, I/O or a policy with errors.

use super::common::{load_or_exit, today};
use super::Exit;
use crate::compile::addr::Family;
use crate::compile::eval::{Packet, PacketL4, Verdict};
use crate::compile::explain::{self, describe_l4, Explanation};
use crate::compile::{plan, PlanOptions};
use crate::model::{Date, Direction, Mode};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryProto {
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// Policy files (`.zc`, `.yaml`) or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Source address of the connection.
    #[arg(long, value_name = "ADDR")]
    pub src: IpAddr,
    /// Destination address.
    #[arg(long, value_name = "ADDR")]
    pub dst: IpAddr,
    /// Transport protocol.
    #[arg(long, value_enum)]
    pub proto: QueryProto,
    /// Destination port.
    #[arg(long, value_name = "N")]
    pub port: u16,
    /// Source port (rules with `from PORTS` match only a known one).
    #[arg(long, value_name = "N")]
    pub sport: Option<u16>,
    /// Instant of the connection, ISO 8601 (`2026-12-01T14:30:00Z`,
    /// `2026-12-01T15:30+01:00`; no offset means UTC). Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<i64>,
    /// Compile as of this date (YYYY-MM-DD; default today, UTC): conduits
    /// expired by then are not in the firewall.
    #[arg(long, value_name = "DATE", value_parser = super::blast::parse_date)]
    pub as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    pub format: QueryFormat,
}

pub fn run(args: QueryArgs) -> Exit {
    if Family::of(args.src) != Family::of(args.dst) {
        eprintln!("error: --src and --dst must be of the same address family");
        return Exit::Usage;
    }
    // A policy with errors has no firewall to ask: no answer (2), so that
    // 1 always means "denied".
    let Ok(loaded) = load_or_exit(&args.paths) else {
        return Exit::Usage;
    };
    let opts = PlanOptions {
        mode: Mode::Enforce,
        log_denied: true,
        as_of: args.as_of.unwrap_or_else(today),
        interfaces: None,
        target: None,
    };
    let (plan, _) = plan::build(&loaded.model, &opts);
    let pkt = Packet {
        src: args.src,
        dst: args.dst,
        l4: match args.proto {
            QueryProto::Tcp => PacketL4::Tcp(args.port),
            QueryProto::Udp => PacketL4::Udp(args.port),
        },
        sport: args.sport,
        icmp_code: None,
        iif: None,
        oif: None,
        unix_time: args.at.unwrap_or_else(now_unix),
    };
    let e = explain::explain(&loaded.model, &plan, &pkt);
    let rule_text = e
        .rule
        .as_ref()
        .and_then(|r| explain::nftables_rule(&plan, r.index));
    let text = match args.format {
        QueryFormat::Text => text(&pkt, &e, rule_text.as_deref()),
        QueryFormat::Json => json(&pkt, &e, rule_text.as_deref()),
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return Exit::Usage;
    }
    match e.verdict {
        Verdict::Allow => Exit::Clean,
        Verdict::Deny | Verdict::WouldDrop => Exit::Findings,
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0)
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "allowed",
        Verdict::Deny => "denied",
        Verdict::WouldDrop => "would drop",
    }
}

fn text(pkt: &Packet, e: &Explanation, rule_text: Option<&str>) -> String {
    let mut out = format!(
        "{}: {} -> {} {} at {}\n",
        verdict_word(e.verdict),
        pkt.src,
        pkt.dst,
        describe_l4(pkt.l4),
        format_instant(pkt.unix_time)
    );
    let zone = |z: &Option<String>| z.clone().unwrap_or_else(|| "(no zone)".to_string());
    let _ = writeln!(
        out,
        "  zones      {} -> {}",
        zone(&e.src_zone),
        zone(&e.dst_zone)
    );
    if let Some(r) = &e.rule {
        let _ = writeln!(out, "  conduit    {}", r.conduit);
        match &r.service {
            Some(s) => {
                let _ = writeln!(out, "  service    {s}");
            }
            None => {
                out.push_str("  service    none (monitor scope: passed and logged as would drop)\n")
            }
        }
        let way = match (r.direction, r.reverse) {
            (Direction::Forward, _) => "initiator to responder of a `->` conduit",
            (Direction::Both, false) => "initiator to responder of a `<->` conduit",
            (Direction::Both, true) => "responder to initiator of a `<->` conduit",
        };
        let side = |name: &str, group: &Option<String>| match group {
            Some(g) => format!("{name} (group {g})"),
            None => name.to_string(),
        };
        let (from, to) = (side(&r.from, &r.from_group), side(&r.to, &r.to_group));
        let _ = writeln!(out, "  direction  {from} -> {to} ({way})");
        let window = r.window.as_deref().unwrap_or("always");
        let _ = writeln!(out, "  window     {window} (UTC)");
        match r.expires {
            Some(d) => {
                let _ = writeln!(out, "  expires    {d} (access ends at 00:00 UTC)");
            }
            None => out.push_str("  expires    never\n"),
        }
        if let Some(line) = rule_text {
            let _ = writeln!(out, "  nftables   {line}");
        }
    }
    for reason in &e.reasons {
        let _ = writeln!(out, "  why        {reason}");
    }
    out
}

fn json(pkt: &Packet, e: &Explanation, rule_text: Option<&str>) -> String {
    let verdict = match e.verdict {
        Verdict::Allow => "allow",
        Verdict::Deny => "deny",
        Verdict::WouldDrop => "would-drop",
    };
    let rule = e.rule.as_ref().map(|r| {
        serde_json::json!({
            "conduit": r.conduit,
            "service": r.service,
            "from": r.from,
            "to": r.to,
            "from_group": r.from_group,
            "to_group": r.to_group,
            "direction": match r.direction { Direction::Forward => "->", Direction::Both => "<->" },
            "reverse": r.reverse,
            "window": r.window,
            "expires": r.expires.map(|d| d.to_string()),
            "monitor_scope": r.monitor_scope,
            "nftables": rule_text,
        })
    });
    let reasons: Vec<String> = e.reasons.iter().map(ToString::to_string).collect();
    let doc = serde_json::json!({
        "verdict": verdict,
        "packet": {
            "src": pkt.src.to_string(),
            "dst": pkt.dst.to_string(),
            "l4": describe_l4(pkt.l4),
            "at": format_instant(pkt.unix_time),
        },
        "src_zone": e.src_zone,
        "dst_zone": e.dst_zone,
        "rule": rule,
        "reasons": reasons,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// `2026-12-01T14:30:00Z`.
pub fn format_instant(unix: i64) -> String {
    let date = Date::from_days_since_epoch(unix.div_euclid(86_400));
    let sec = unix.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        sec / 3600,
        sec % 3600 / 60,
        sec % 60
    )
}

/// Parses an ISO 8601 instant: `YYYY-MM-DD`, optionally `THH:MM[:SS[.f]]`
/// (or a space for `T`), optionally `Z` or `±HH:MM`; no offset means UTC.
/// Seconds since 1970-01-01 UTC.
pub fn parse_instant(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not an ISO 8601 instant (e.g. 2026-12-01T14:30:00Z)");
    let date_part = s.get(..10).ok_or_else(bad)?;
    let date = Date::parse(date_part).ok_or_else(bad)?;
    let mut unix = date.days_since_epoch() * 86_400;
    let rest = s.get(10..).ok_or_else(bad)?;
    if rest.is_empty() {
        return Ok(unix);
    }
    let rest = rest
        .strip_prefix('T')
        .or_else(|| rest.strip_prefix('t'))
        .or_else(|| rest.strip_prefix(' '))
        .ok_or_else(bad)?;
    let (clock, offset) = split_offset(rest).ok_or_else(bad)?;
    unix += clock_seconds(clock).ok_or_else(bad)?;
    Ok(unix - offset)
}

/// `14:30:00+01:00` → (`14:30:00`, 3600).
fn split_offset(s: &str) -> Option<(&str, i64)> {
    if let Some(clock) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((clock, 0));
    }
    let Some(pos) = s.rfind(['+', '-']) else {
        return Some((s, 0));
    };
    let (clock, off) = s.split_at(pos);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let off = off.get(1..)?;
    let (h, m) = match off.split_once(':') {
        Some((h, m)) => (h, m),
        None if off.len() == 4 => (off.get(..2)?, off.get(2..)?),
        None => (off, "00"),
    };
    let (h, m) = (two_digits(h, 23)?, two_digits(m, 59)?);
    Some((clock, sign * (h * 3600 + m * 60)))
}

fn clock_seconds(s: &str) -> Option<i64> {
    let mut parts = s.split(':');
    let h = two_digits(parts.next()?, 23)?;
    let m = two_digits(parts.next()?, 59)?;
    let sec = match parts.next() {
        None => 0,
        Some(p) => {
            let whole = p.split_once(['.', ',']).map_or(p, |(w, frac)| {
                if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    ""
                } else {
                    w
                }
            });
            two_digits(whole, 60)?
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

fn two_digits(s: &str, max: i64) -> Option<i64> {
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|v| *v <= max)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn instants() {
        let day = Date::parse("2026-12-01").unwrap().days_since_epoch() * 86_400;
        assert_eq!(parse_instant("2026-12-01"), Ok(day));
        assert_eq!(parse_instant("2026-12-01T14:30:00Z"), Ok(day + 52_200));
        assert_eq!(parse_instant("2026-12-01T14:30Z"), Ok(day + 52_200));
        assert_eq!(parse_instant("2026-12-01 14:30:00.250"), Ok(day + 52_200));
        assert_eq!(parse_instant("2026-12-01T15:30:00+01:00"), Ok(day + 52_200));
        assert_eq!(parse_instant("2026-12-01T13:30-0100"), Ok(day + 52_200));
        for bad in [
            "",
            "2026-13-01",
            "2026-12-01T",
            "2026-12-01T25:00Z",
            "2026-12-01T14:3Z",
            "2026-12-01T14:30:00+1:00",
            "2026-12-01T14:30:00.Z",
            "2026-12-01X14:30",
            "2026-12-01T14:30:00:00",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
        assert_eq!(format_instant(day + 52_200), "2026-12-01T14:30:00Z");
    }
}
