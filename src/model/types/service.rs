//! Services: protocol and port matches with their security facts.

use crate::model::ServiceId;
use crate::source::Span;
use std::collections::BTreeSet;
use std::fmt;

/// Transport of a service line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    /// ICMP for IPv4 (`icmp`, optionally one type and code).
    Icmp,
    /// ICMPv6 (`icmpv6`, optionally one type and code).
    Icmp6,
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

/// A port list in its one canonical form: sorted, with overlapping and
/// adjacent ranges merged (`80-90, 85, 91` is `80-91`). Two lists mean the
/// same ports exactly when their normal forms are equal, and backends may
/// load the result as an interval set (nftables refuses overlapping
/// intervals in one set).
pub fn normalise_ports(ranges: &[PortRange]) -> Vec<PortRange> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<PortRange> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match out.last_mut() {
            Some(last) if u32::from(r.lo) <= u32::from(last.hi) + 1 => {
                last.hi = last.hi.max(r.hi);
            }
            _ => out.push(r),
        }
    }
    out
}

/// Indices of the entries of a port list as written that add no port to
/// the others: a repeated entry (the later one) or one inside other
/// entries. Leaving all of them out keeps every port of the list (each is
/// judged against the entries still kept), so a warning can say
/// "redundant" truthfully.
pub fn redundant_ports(entries: &[PortRange]) -> Vec<usize> {
    let mut dropped = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let others: Vec<PortRange> = entries
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i && !dropped.get(*j).copied().unwrap_or(true))
            .filter(|(j, o)| *j < i || *o != e)
            .map(|(_, o)| *o)
            .collect();
        let covered = normalise_ports(&others)
            .iter()
            .any(|r| r.lo <= e.lo && e.hi <= r.hi);
        if covered {
            if let Some(d) = dropped.get_mut(i) {
                *d = true;
            }
        }
    }
    dropped
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.then_some(i))
        .collect()
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
    /// ICMP or ICMPv6 type, for `icmp N` / `icmpv6 N`.
    pub icmp_type: Option<u8>,
    /// ICMP or ICMPv6 code, for `icmp N code C` (only with a type).
    pub icmp_code: Option<u8>,
    /// Source ports for tcp/udp (`udp 47808 from 47808`), in normal form;
    /// empty means any source port.
    pub sports: Vec<PortRange>,
}

/// ICMP error messages: they report on another packet and never start a
/// connection (RFC 792 / RFC 4443), so conntrack sees them as `related` to
/// the connection they report on, never as `new`.
pub fn is_icmp_error(proto: Proto, icmp_type: u8) -> bool {
    match proto {
        Proto::Icmp => matches!(icmp_type, 3 | 4 | 5 | 11 | 12),
        Proto::Icmp6 => matches!(icmp_type, 1..=4),
        _ => false,
    }
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
    /// The services a bundle includes (`include kerberos, ldap`), as
    /// written, sorted by id; empty for a plain service. `matches`,
    /// `authenticated`, `encrypted` and `tags` already hold the combined
    /// facts of the bundle and every member.
    pub includes: Vec<crate::model::Spanned<ServiceId>>,
    /// The lines written in the service itself (a bundle's own lines);
    /// equal to `matches` for a plain service.
    pub own: Vec<ServiceMatch>,
}

impl Service {
    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    fn r(lo: u16, hi: u16) -> PortRange {
        PortRange { lo, hi }
    }

    #[test]
    fn normal_form_sorts_and_merges_overlapping_and_adjacent_ranges() {
        assert_eq!(normalise_ports(&[r(80, 80), r(80, 80)]), [r(80, 80)]);
        assert_eq!(normalise_ports(&[r(85, 85), r(80, 90)]), [r(80, 90)]);
        assert_eq!(normalise_ports(&[r(91, 91), r(80, 90)]), [r(80, 91)]);
        assert_eq!(
            normalise_ports(&[r(5000, 5010), r(1, 1), r(3, 3)]),
            [r(1, 1), r(3, 3), r(5000, 5010)]
        );
        assert_eq!(
            normalise_ports(&[r(65535, 65535), r(1, 65534)]),
            [r(1, 65535)]
        );
    }

    #[test]
    fn redundant_entries_are_repeats_and_contained_ones() {
        assert_eq!(redundant_ports(&[r(80, 80), r(80, 80)]), [1]);
        assert_eq!(redundant_ports(&[r(80, 90), r(85, 85)]), [1]);
        assert_eq!(redundant_ports(&[r(85, 85), r(80, 90)]), [0]);
        assert!(redundant_ports(&[r(80, 80), r(81, 81)]).is_empty());
        // Covered only by two others together, and those two not dropped.
        let e = [r(1, 2), r(2, 3), r(1, 1), r(3, 3)];
        let d = redundant_ports(&e);
        let kept: Vec<PortRange> = (0..e.len())
            .filter(|i| !d.contains(i))
            .map(|i| e[i])
            .collect();
        assert_eq!(normalise_ports(&kept), normalise_ports(&e));
    }
}
