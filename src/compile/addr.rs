//! Address arithmetic for the rule plan: networks as inclusive integer
//! ranges, set difference, and the way back to prefixes and ranges.
//!
//! Invariant: a [`RangeSet`] is sorted, its ranges are disjoint and never
//! adjacent (merged), and every bound fits the family's width.

use ipnet::IpNet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IP version of a set or rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::V4, Family::V6];

    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// `v4` / `v6`, used in set names.
    pub fn suffix(self) -> &'static str {
        match self {
            Family::V4 => "v4",
            Family::V6 => "v6",
        }
    }

    pub fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }
}

/// An address as an integer of its family.
pub fn to_int(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The integer back as an address of `family` (truncated to its width).
pub fn from_int(family: Family, value: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(
            u32::try_from(value & u128::from(u32::MAX)).unwrap_or(u32::MAX),
        )),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

/// The inclusive range a network covers.
pub fn net_range(net: &IpNet) -> (Family, u128, u128) {
    let net = net.trunc();
    let family = Family::of(net.addr());
    let lo = to_int(net.network());
    let hi = to_int(net.broadcast());
    (family, lo, hi)
}

/// One element of a set as written in a firewall: a prefix or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    Prefix(IpAddr, u8),
    Range(IpAddr, IpAddr),
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Element::Prefix(a, len) => write!(f, "{a}/{len}"),
            Element::Range(a, b) => write!(f, "{a}-{b}"),
        }
    }
}

/// Sorted, disjoint, merged inclusive ranges of one family.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangeSet {
    ranges: Vec<(u128, u128)>,
}

impl RangeSet {
    pub fn from_ranges(mut ranges: Vec<(u128, u128)>) -> RangeSet {
        ranges.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        RangeSet { ranges: merged }
    }

    pub fn ranges(&self) -> &[(u128, u128)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn contains(&self, value: u128) -> bool {
        self.ranges
            .iter()
            .any(|&(lo, hi)| lo <= value && value <= hi)
    }

    /// `self` without every address in `other`.
    pub fn minus(&self, other: &RangeSet) -> RangeSet {
        let mut out = Vec::new();
        for &(lo, hi) in &self.ranges {
            let mut cur = Some(lo);
            for &(olo, ohi) in &other.ranges {
                let Some(start) = cur else { break };
                if ohi < start || olo > hi {
                    continue;
                }
                if olo > start {
                    out.push((start, olo - 1));
                }
                cur = if ohi >= hi { None } else { Some(ohi + 1) };
            }
            if let Some(start) = cur {
                out.push((start, hi));
            }
        }
        RangeSet::from_ranges(out)
    }

    /// Whether some address lies in both sets (a merge of the two sorted
    /// lists).
    pub fn intersects(&self, other: &RangeSet) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            if a.1 < b.0 {
                i += 1;
            } else if b.1 < a.0 {
                j += 1;
            } else {
                return true;
            }
        }
        false
    }

    /// Whether every address of `self` is in `other` (each range of
    /// `self` lies inside one range of `other`, as both are merged).
    pub fn is_subset_of(&self, other: &RangeSet) -> bool {
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            while other.ranges.get(j).is_some_and(|o| o.1 < lo) {
                j += 1;
            }
            match other.ranges.get(j) {
                Some(&(olo, ohi)) if olo <= lo && hi <= ohi => {}
                _ => return false,
            }
        }
        true
    }

    /// The ranges as firewall elements: a prefix when a range is exactly
    /// one, a range otherwise.
    pub fn elements(&self, family: Family) -> Vec<Element> {
        self.ranges
            .iter()
            .map(|&(lo, hi)| match prefix_len(family, lo, hi) {
                Some(len) => Element::Prefix(from_int(family, lo), len),
                None => Element::Range(from_int(family, lo), from_int(family, hi)),
            })
            .collect()
    }
}

/// The prefix length when `[lo, hi]` is exactly one aligned prefix.
fn prefix_len(family: Family, lo: u128, hi: u128) -> Option<u8> {
    let size = hi.checked_sub(lo)?.checked_add(1);
    let bits = family.bits();
    let host_bits = match size {
        // The whole 128-bit space.
        None => 128,
        Some(size) if size.is_power_of_two() => size.trailing_zeros(),
        Some(_) => return None,
    };
    if host_bits > bits || (host_bits < 128 && lo % (1u128 << host_bits) != 0) {
        return None;
    }
    if hi > family.max() {
        return None;
    }
    u8::try_from(bits - host_bits).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn intersection_and_subset_of_range_sets() {
        let r = |v: &[(u128, u128)]| RangeSet::from_ranges(v.to_vec());
        let a = r(&[(1, 5), (10, 20)]);
        assert!(a.intersects(&r(&[(5, 6)])));
        assert!(a.intersects(&r(&[(0, 0), (20, 30)])));
        assert!(!a.intersects(&r(&[(6, 9), (21, 30)])));
        assert!(!a.intersects(&RangeSet::default()));
        assert!(r(&[(2, 3), (12, 20)]).is_subset_of(&a));
        assert!(!r(&[(2, 3), (12, 21)]).is_subset_of(&a));
        assert!(!r(&[(4, 11)]).is_subset_of(&a));
        assert!(RangeSet::default().is_subset_of(&a));
        assert!(a.is_subset_of(&a));
    }

    fn set(nets: &[&str]) -> RangeSet {
        RangeSet::from_ranges(
            nets.iter()
                .map(|n| {
                    let (_, lo, hi) = net_range(&n.parse().unwrap());
                    (lo, hi)
                })
                .collect(),
        )
    }

    fn show(s: &RangeSet, f: Family) -> Vec<String> {
        s.elements(f).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn everything_minus_inside_networks() {
        let all = set(&["0.0.0.0/0"]);
        let inside = set(&["10.10.0.0/16", "10.20.0.0/24"]);
        let rest = all.minus(&inside);
        assert_eq!(
            show(&rest, Family::V4),
            [
                "0.0.0.0-10.9.255.255",
                "10.11.0.0-10.19.255.255",
                "10.20.1.0-255.255.255.255"
            ]
        );
        assert!(!rest.contains(to_int("10.20.0.7".parse().unwrap())));
        assert!(rest.contains(to_int("10.20.1.7".parse().unwrap())));
    }

    #[test]
    fn whole_spaces_are_prefixes() {
        assert_eq!(show(&set(&["::/0"]), Family::V6), ["::/0"]);
        assert_eq!(show(&set(&["0.0.0.0/0"]), Family::V4), ["0.0.0.0/0"]);
        assert_eq!(show(&set(&["10.0.0.5/32"]), Family::V4), ["10.0.0.5/32"]);
    }

    #[test]
    fn adjacent_ranges_merge() {
        assert_eq!(
            show(&set(&["10.0.0.0/25", "10.0.0.128/25"]), Family::V4),
            ["10.0.0.0/24"]
        );
    }
}
