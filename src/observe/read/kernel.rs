//! Kernel log lines written by conduit's own nftables and iptables rules:
//! the `conduit-deny: `, `conduit-monitor: ` and `conduit-allow: ` log
//! prefixes followed by the kernel's `IN= OUT= … SRC= DST= … PROTO= SPT=
//! DPT=` fields, as journald or syslog prints them: a leading ISO 8601
//! timestamp (`journalctl -o short-iso`) or a syslog one (`Dec  1
//! 09:01:07`, read as UTC, its year from the reference date).
//!
//! Lines without one of those prefixes belong to other programs and are
//! skipped, as are `conduit-invalid: ` lines and TCP packets that do not
//! open a connection (no SYN, or SYN with ACK: monitor mode logs invalid
//! packets under the monitor prefix too).

use super::{addr, line_of, transport};
use crate::compile::plan::{PREFIX_ALLOW, PREFIX_DENY, PREFIX_MONITOR};
use crate::model::Date;
use crate::observe::{excerpt, time, Conn, Line};

#[derive(Debug, Clone)]
pub struct KernelReader {
    reference: Date,
}

impl KernelReader {
    pub fn new(reference: Date) -> KernelReader {
        KernelReader { reference }
    }

    pub fn line(&mut self, text: &str) -> Line {
        let Some(fields) = [PREFIX_DENY, PREFIX_MONITOR, PREFIX_ALLOW]
            .iter()
            .filter_map(|p| text.find(p).map(|i| (i, p.len())))
            .min()
            .and_then(|(i, n)| text.get(i + n..))
        else {
            return Line::Skip;
        };
        let stamp = match self.timestamp(text) {
            Ok(t) => t,
            Err(m) => return Line::Bad(m),
        };
        match packet(fields) {
            Ok(Some((src, dst, l4))) => line_of(Ok(Conn {
                ts: stamp,
                src,
                dst,
                l4,
                sport: None,
            })),
            Ok(None) => Line::Skip,
            Err(m) => Line::Bad(m),
        }
    }

    fn timestamp(&self, text: &str) -> Result<i64, String> {
        let first = text.split(' ').next().unwrap_or("");
        time::parse_iso(first)
            .or_else(|| time::parse_syslog(text, self.reference).map(|(t, _)| t))
            .ok_or_else(|| {
                format!(
                    "no ISO 8601 or syslog timestamp at the start: {}",
                    excerpt(text)
                )
            })
    }
}

type Packet = (
    std::net::IpAddr,
    std::net::IpAddr,
    crate::compile::eval::PacketL4,
);

/// The packet of `KEY=value` fields; `None` for a TCP packet that opens
/// no connection.
fn packet(fields: &str) -> Result<Option<Packet>, String> {
    let (mut src, mut dst, mut proto, mut dpt, mut icmp_type) = (None, None, None, None, None);
    let (mut syn, mut ack) = (false, false);
    for tok in fields.split_ascii_whitespace() {
        match tok.split_once('=') {
            Some(("SRC", v)) => src = src.or(Some(v)),
            Some(("DST", v)) => dst = dst.or(Some(v)),
            Some(("PROTO", v)) => proto = proto.or(Some(v)),
            Some(("DPT", v)) => dpt = dpt.or(Some(v)),
            Some(("TYPE", v)) => icmp_type = icmp_type.or(Some(v)),
            Some(_) => {}
            None if tok == "SYN" => syn = true,
            None if tok == "ACK" => ack = true,
            None => {}
        }
    }
    let src = addr(src.ok_or("no SRC=")?, "source")?;
    let dst = addr(dst.ok_or("no DST=")?, "destination")?;
    let proto = proto.ok_or("no PROTO=")?;
    let is_tcp = proto.eq_ignore_ascii_case("tcp");
    if is_tcp && (!syn || ack) {
        return Ok(None);
    }
    let port = if proto.to_ascii_lowercase().starts_with("icmp") {
        icmp_type
    } else {
        dpt
    };
    Ok(Some((src, dst, transport(proto, port)?)))
}
