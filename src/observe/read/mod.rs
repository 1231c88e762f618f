//! One reader per log format, each turning a line into a [`Line`], and
//! the detection that picks one from the first meaningful line.
//!
//! Readers keep only the state a format's header gives (Zeek's field
//! order and separator, the CSV column order), so memory never grows with
//! the log.

mod csv;
mod kernel;
mod zeek;
mod zeek_json;

use super::Line;
use crate::compile::eval::PacketL4;
use crate::model::Date;

pub use csv::CsvReader;
pub use kernel::KernelReader;
pub use zeek::ZeekReader;
pub use zeek_json::ZeekJsonReader;

/// A log format, as named by `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// Zeek `conn.log`, tab-separated with `#` headers.
    Zeek,
    /// Zeek `conn.log` as JSON lines.
    ZeekJson,
    /// Kernel log lines of conduit's nftables/iptables rules.
    Kernel,
    /// `ts,src,dst,proto,port`.
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Zeek => "zeek",
            Format::ZeekJson => "zeek-json",
            Format::Kernel => "kernel",
            Format::Csv => "csv",
        }
    }

    /// The format a line looks like (the first non-blank line of a log).
    pub fn detect(line: &str) -> Format {
        let t = line.trim_start();
        if t.starts_with('#') {
            Format::Zeek
        } else if t.starts_with('{') {
            Format::ZeekJson
        } else if (!t.contains(' ') && t.matches(',').count() >= 3) || t.starts_with("ts,") {
            Format::Csv
        } else {
            Format::Kernel
        }
    }
}

/// A reader of one format, or one that detects it on the first
/// meaningful line.
#[derive(Debug)]
pub enum Reader {
    Auto { reference: Date },
    Zeek(ZeekReader),
    ZeekJson(ZeekJsonReader),
    Kernel(KernelReader),
    Csv(CsvReader),
}

impl Reader {
    /// A reader of `format`, or detecting the format when `None`.
    /// `reference` dates timestamps that carry no year (syslog).
    pub fn new(format: Option<Format>, reference: Date) -> Reader {
        match format {
            None => Reader::Auto { reference },
            Some(Format::Zeek) => Reader::Zeek(ZeekReader::default()),
            Some(Format::ZeekJson) => Reader::ZeekJson(ZeekJsonReader),
            Some(Format::Kernel) => Reader::Kernel(KernelReader::new(reference)),
            Some(Format::Csv) => Reader::Csv(CsvReader::default()),
        }
    }

    /// The format in use (`None` before detection).
    pub fn format(&self) -> Option<Format> {
        match self {
            Reader::Auto { .. } => None,
            Reader::Zeek(_) => Some(Format::Zeek),
            Reader::ZeekJson(_) => Some(Format::ZeekJson),
            Reader::Kernel(_) => Some(Format::Kernel),
            Reader::Csv(_) => Some(Format::Csv),
        }
    }

    /// One line, without its line terminator.
    pub fn line(&mut self, text: &str) -> Line {
        if let Reader::Auto { reference } = *self {
            if text.trim().is_empty() {
                return Line::Skip;
            }
            *self = Reader::new(Some(Format::detect(text)), reference);
        }
        let line = match self {
            Reader::Auto { .. } => Line::Skip,
            Reader::Zeek(r) => r.line(text),
            Reader::ZeekJson(r) => r.line(text),
            Reader::Kernel(r) => r.line(text),
            Reader::Csv(r) => r.line(text),
        };
        match line {
            // No packet has an IPv4 and an IPv6 end.
            Line::Conn(c) if c.src.is_ipv4() != c.dst.is_ipv4() => Line::Bad(format!(
                "source {} and destination {} are of different address families",
                c.src, c.dst
            )),
            other => other,
        }
    }
}

/// The transport of a connection from a protocol name (`tcp`, `udp`,
/// `icmp`, `icmpv6` in any case, or an IP protocol number) and its port
/// or ICMP type.
fn transport(proto: &str, port: Option<&str>) -> Result<PacketL4, String> {
    let port_num = || -> Result<u16, String> {
        let p = port.ok_or("no destination port")?;
        p.parse::<u16>()
            .map_err(|_| format!("invalid port {}", super::excerpt(p)))
    };
    let lower = proto.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "tcp" | "6" => PacketL4::Tcp(port_num()?),
        "udp" | "17" => PacketL4::Udp(port_num()?),
        "icmp" | "icmpv6" | "1" | "58" => match port {
            None | Some("") => PacketL4::Icmp(0),
            Some(t) => PacketL4::Icmp(
                t.parse::<u8>()
                    .map_err(|_| format!("invalid ICMP type {}", super::excerpt(t)))?,
            ),
        },
        other => match other.parse::<u8>() {
            Ok(n) => PacketL4::Proto(n),
            Err(_) => return Err(format!("unknown protocol {}", super::excerpt(proto))),
        },
    })
}

/// An address, or a message naming the field.
fn addr(s: &str, what: &str) -> Result<std::net::IpAddr, String> {
    s.parse()
        .map_err(|_| format!("invalid {what} address {}", super::excerpt(s)))
}

/// The [`Line`] for a parse result.
fn line_of(r: Result<super::Conn, String>) -> Line {
    match r {
        Ok(c) => Line::Conn(c),
        Err(m) => Line::Bad(m),
    }
}
