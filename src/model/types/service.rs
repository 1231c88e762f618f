//! Services: protocol and port matches with their security facts.

use crate::source::Span;
use std::collections::BTreeSet;
use std::fmt;

/// Transport of a service line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    /// ICMP (v4) and ICMPv6, optionally one type.
    Icmp,
    /// Any other IP protocol by number.
    Other(u8),
}

/// An inclusive port range (`lo == hi` for a single port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl PortRange {
    pub fn single(port: u16) -> PortRange {
        PortRange { lo: port, hi: port }
    }

    pub fn width(&self) -> u32 {
        u32::from(self.hi) - u32::from(self.lo) + 1
    }

    pub fn contains(&self, port: u16) -> bool {
        self.lo <= port && port <= self.hi
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

/// One line of a service: a protocol and its destination ports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceMatch {
    pub proto: Proto,
    /// Destination ports for tcp/udp (never empty for them); empty otherwise.
    pub ports: Vec<PortRange>,
    /// ICMP type, for `icmp N`.
    pub icmp_type: Option<u8>,
}

/// Classification of a service, for rules and blast radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    /// Interactive, admin or code-download capable: a foothold.
    Pivot,
    /// Can write process values or programs.
    Write,
    /// Cleartext legacy IT service.
    Legacy,
    /// Third-party remote-access tool.
    RemoteTool,
    /// Person-to-person messaging (mail, chat).
    Messaging,
    /// Not routable; must never cross a zone boundary.
    Layer2,
}

impl Tag {
    pub const ALL: [Tag; 6] = [
        Tag::Pivot,
        Tag::Write,
        Tag::Legacy,
        Tag::RemoteTool,
        Tag::Messaging,
        Tag::Layer2,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Pivot => "pivot",
            Tag::Write => "write",
            Tag::Legacy => "legacy",
            Tag::RemoteTool => "remote-tool",
            Tag::Messaging => "messaging",
            Tag::Layer2 => "layer2",
        }
    }

    pub fn parse(s: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A named set of protocol/port matches with its security facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub span: Span,
    /// From the built-in catalog in `policies/services.zc`.
    pub builtin: bool,
    /// Written inline in a conduit (`allow tcp 8080`); `name` is then synthetic.
    pub inline: bool,
    pub matches: Vec<ServiceMatch>,
    pub authenticated: bool,
    pub encrypted: bool,
    pub tags: BTreeSet<Tag>,
    pub description: Option<String>,
}

impl Service {
    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}
