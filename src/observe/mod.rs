//! `conduit observe`: flow logs judged against the policy.
//!
//! A log is read line by line ([`stream`]), each line turned into a
//! connection by one reader per format ([`read`]), each connection judged
//! at its own timestamp by the firewall plan's evaluator
//! ([`crate::compile::eval`]) and counted per distinct flow
//! ([`aggregate`]). Memory grows with the number of distinct flows and
//! hosts, never with the length of the log. [`report`] prints the result,
//! [`propose`] turns deviations into reviewable conduits.
//!
//! Invariants: a malformed line is a [`LineError`] with its line number,
//! skipped and counted, never a panic; text taken from a log reaches no
//! output except as parsed addresses, numbers and protocol names, and
//! messages quoting a line escape its control characters.

pub mod aggregate;
pub mod inventory;
pub mod propose;
pub mod read;
pub mod report;
pub mod stream;
pub mod time;

use crate::compile::eval::PacketL4;
use std::net::IpAddr;

/// One connection attempt seen in a log: who opened it, to what, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conn {
    /// Seconds since 1970-01-01 UTC.
    pub ts: i64,
    /// The initiator.
    pub src: IpAddr,
    /// The responder.
    pub dst: IpAddr,
    pub l4: PacketL4,
    /// The initiator's TCP/UDP port, when the log has it (Zeek
    /// `id.orig_p`, the CSV column `sport`); for ICMP, the code.
    pub sport: Option<u16>,
}

/// What one log line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Conn(Conn),
    /// A header, comment, blank line or a line of no interest (another
    /// program's syslog line, a packet that opens no connection).
    Skip,
    /// A malformed line: the message says what is wrong.
    Bad(String),
}

/// A malformed line: file, 1-based line number, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// Code of a malformed log line in diagnostics (docs/observe.md).
pub const CODE_BAD_LINE: &str = "O0001";

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: warning[{CODE_BAD_LINE}]: {}",
            escape(&self.file),
            self.line,
            self.message
        )
    }
}

/// Transport name and port (or ICMP type) of a connection, as reported.
pub fn proto_name(l4: PacketL4) -> String {
    match l4 {
        PacketL4::Tcp(_) => "tcp".to_string(),
        PacketL4::Udp(_) => "udp".to_string(),
        PacketL4::Icmp(_) => "icmp".to_string(),
        PacketL4::Proto(n) => n.to_string(),
    }
}

/// Escapes control, bidirectional and line-separator characters (and the
/// backslash) as `\u{…}` so that quoted log text stays on one line and
/// shows what it holds.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let unsafe_char = c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        if c == '\\' {
            out.push_str("\\\\");
        } else if unsafe_char {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A short, escaped excerpt of untrusted text for a message.
pub fn excerpt(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    let more = if cut.len() < s.len() { "…" } else { "" };
    format!("`{}{more}`", escape(&cut))
}
