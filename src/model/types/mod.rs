//! The resolved model: zones, assets, services, conduits and waivers with
//! every name turned into an id and every value checked.
//!
//! Invariants (established by resolution, relied on by every later phase):
//! - ids index the vectors of [`Model`] and are always valid;
//! - zones, services and conduits are sorted by name, so iteration order is
//!   deterministic and independent of declaration order;
//! - networks of different zones do not overlap, except under a zone of class
//!   `external`, and every asset address lies inside one of its zone's networks;
//! - every conduit has at least one initiator, one responder and one service,
//!   and never joins a zone to itself.
//! - a group is already expanded into the conduits that name it (their
//!   endpoints carry the group name's span, see [`Model::group_of`]);
//! - a multi-homed host is one asset per zone (its legs, each inside its
//!   zone), linked by a [`Host`] in [`Model::hosts`].

mod conduit;
mod service;
mod time;
mod zone;

pub use conduit::*;
pub use service::*;
pub use time::*;
pub use zone::*;

use crate::source::Span;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ZoneId(pub u32);
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub u32);
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConduitId(pub u32);
/// An asset: its zone and its index in that zone's `assets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetId {
    pub zone: ZoneId,
    pub index: u32,
}

/// A value with the span it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// The whole resolved policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    /// Sorted by name.
    pub zones: Vec<Zone>,
    /// Sorted by name; built-in and policy services together, then inline ones.
    pub services: Vec<Service>,
    /// Sorted by name.
    pub conduits: Vec<Conduit>,
    /// In source order.
    pub waivers: Vec<Waiver>,
    /// Endpoint groups, sorted by name.
    pub groups: Vec<Group>,
    /// Multi-homed assets, sorted by name.
    pub hosts: Vec<Host>,
    /// Every DNS name an `fqdn` endpoint names, sorted and distinct
    /// ([`EndpointKind::Fqdn`] indexes it).
    pub fqdns: Vec<String>,
}

impl Model {
    pub fn zone(&self, id: ZoneId) -> &Zone {
        // Ids are created by resolution and always valid (module invariant).
        #[allow(clippy::indexing_slicing)]
        &self.zones[id.0 as usize]
    }

    pub fn service(&self, id: ServiceId) -> &Service {
        #[allow(clippy::indexing_slicing)]
        &self.services[id.0 as usize]
    }

    pub fn conduit(&self, id: ConduitId) -> &Conduit {
        #[allow(clippy::indexing_slicing)]
        &self.conduits[id.0 as usize]
    }

    pub fn asset(&self, id: AssetId) -> &Asset {
        #[allow(clippy::indexing_slicing)]
        &self.zone(id.zone).assets[id.index as usize]
    }

    pub fn zone_ids(&self) -> impl Iterator<Item = ZoneId> + '_ {
        (0..self.zones.len()).map(|i| ZoneId(i as u32))
    }

    pub fn conduit_ids(&self) -> impl Iterator<Item = ConduitId> + '_ {
        (0..self.conduits.len()).map(|i| ConduitId(i as u32))
    }

    pub fn zone_by_name(&self, name: &str) -> Option<ZoneId> {
        self.zones
            .binary_search_by(|z| z.name.as_str().cmp(name))
            .ok()
            .map(|i| ZoneId(i as u32))
    }

    pub fn conduit_by_name(&self, name: &str) -> Option<ConduitId> {
        self.conduits
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .ok()
            .map(|i| ConduitId(i as u32))
    }

    pub fn service_by_name(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .map(|i| ServiceId(i as u32))
    }

    pub fn group_by_name(&self, name: &str) -> Option<&Group> {
        self.groups
            .binary_search_by(|g| g.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.groups.get(i))
    }

    /// The group that put `ep` into conduit `c`, when the flow line named
    /// a group there rather than the endpoint itself.
    pub fn group_of(&self, c: ConduitId, ep: &Endpoint) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.uses.iter().any(|u| u.conduit == c && u.span == ep.span))
    }

    /// The multi-homed host an asset is a leg of.
    pub fn host_of(&self, id: AssetId) -> Option<&Host> {
        self.hosts.iter().find(|h| h.legs.contains(&id))
    }

    /// The zones each zone is bridged to by a multi-homed host that is not
    /// a declared boundary device (sorted, one list per zone).
    pub fn bridges(&self) -> Vec<Vec<ZoneId>> {
        let mut out = vec![Vec::new(); self.zones.len()];
        for h in self.hosts.iter().filter(|h| !h.boundary) {
            for a in &h.legs {
                for b in &h.legs {
                    if a.zone != b.zone {
                        if let Some(list) = out.get_mut(a.zone.0 as usize) {
                            list.push(b.zone);
                        }
                    }
                }
            }
        }
        for list in &mut out {
            list.sort();
            list.dedup();
        }
        out
    }

    /// The DNS name of an `fqdn` endpoint (empty for an unknown index).
    pub fn fqdn(&self, index: u32) -> &str {
        self.fqdns.get(index as usize).map_or("", String::as_str)
    }

    /// `zone` or `zone.asset` for an endpoint; `multicast ADDR in ZONE` or
    /// `fqdn "NAME" in ZONE` for the other kinds.
    pub fn endpoint_name(&self, ep: &Endpoint) -> String {
        let zone = self.zone(ep.zone);
        match ep.kind {
            EndpointKind::Zone => {}
            EndpointKind::Multicast(net) => {
                return format!(
                    "multicast {} in {}",
                    crate::model::values::net_text(&net),
                    zone.name
                )
            }
            EndpointKind::Fqdn(i) => return format!("fqdn \"{}\" in {}", self.fqdn(i), zone.name),
        }
        match ep.asset.and_then(|i| zone.assets.get(i as usize)) {
            Some(a) => format!("{}.{}", zone.name, a.name),
            None => zone.name.clone(),
        }
    }

    /// The zone owning an address: most specific network match.
    pub fn zone_of_addr(&self, addr: IpAddr) -> Option<ZoneId> {
        let mut best: Option<(u8, ZoneId)> = None;
        for (i, z) in self.zones.iter().enumerate() {
            for n in &z.networks {
                if n.value.contains(&addr) && best.is_none_or(|(len, _)| n.value.prefix_len() > len)
                {
                    best = Some((n.value.prefix_len(), ZoneId(i as u32)));
                }
            }
        }
        best.map(|(_, z)| z)
    }
}
