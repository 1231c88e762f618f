//! Conduits (flows, services, controls, schedule, expiry) and waivers.

use super::{AssetId, ConduitId, Date, Schedule, ServiceId, SlVector, Spanned, ZoneId};
use crate::source::Span;
use std::collections::BTreeSet;

/// One end of a conduit: a whole zone or one asset in it, or a multicast
/// group or DNS name delivered into a zone (`kind`).
///
/// `zone` is always the zone the traffic reaches, so that the zone graph,
/// blast radius and `check` treat every kind alike: for `multicast ADDR in
/// ZONE` the zone the group is delivered into, for `fqdn "NAME" in ZONE`
/// the zone the name's addresses lie in (usually an external zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    pub zone: ZoneId,
    pub asset: Option<u32>,
    /// Before `span`, so that sorting puts equal endpoints side by side.
    pub kind: EndpointKind,
    pub span: Span,
}

/// What an endpoint's addresses are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum EndpointKind {
    /// The zone's networks, or the asset's address.
    #[default]
    Zone,
    /// A multicast group (inside 224.0.0.0/4 or ff00::/8, never a
    /// link-local scope): only ever a destination.
    Multicast(ipnet::IpNet),
    /// A DNS name, by index into [`super::Model::fqdns`]: only ever a
    /// destination, resolved by the firewall.
    Fqdn(u32),
}

impl Endpoint {
    /// A multicast group or a DNS name, never a source of connections.
    pub fn is_destination_only(&self) -> bool {
        self.kind != EndpointKind::Zone
    }

    pub fn asset_id(&self) -> Option<AssetId> {
        self.asset.map(|index| AssetId {
            zone: self.zone,
            index,
        })
    }
}

/// Which way new connections may be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// `->`: initiators to responders only.
    Forward,
    /// `<->`: either side may initiate.
    Both,
}

/// Enforcement mode of a conduit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Mode {
    #[default]
    Enforce,
    /// Log and count, do not block.
    Monitor,
}

/// Boundary controls declared on a conduit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Control {
    Mfa,
    JumpHost,
    Recording,
    IdleTimeout,
    Approval,
    Ids,
    FlowLogs,
    DpiAllowlist,
    Vpn,
    Ipsec,
    Macsec,
    Unidirectional,
    RateLimit,
    FailClose,
    IslandMode,
}

impl Control {
    pub const ALL: [Control; 15] = [
        Control::Mfa,
        Control::JumpHost,
        Control::Recording,
        Control::IdleTimeout,
        Control::Approval,
        Control::Ids,
        Control::FlowLogs,
        Control::DpiAllowlist,
        Control::Vpn,
        Control::Ipsec,
        Control::Macsec,
        Control::Unidirectional,
        Control::RateLimit,
        Control::FailClose,
        Control::IslandMode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Control::Mfa => "mfa",
            Control::JumpHost => "jump-host",
            Control::Recording => "recording",
            Control::IdleTimeout => "idle-timeout",
            Control::Approval => "approval",
            Control::Ids => "ids",
            Control::FlowLogs => "flow-logs",
            Control::DpiAllowlist => "dpi-allowlist",
            Control::Vpn => "vpn",
            Control::Ipsec => "ipsec",
            Control::Macsec => "macsec",
            Control::Unidirectional => "unidirectional",
            Control::RateLimit => "rate-limit",
            Control::FailClose => "fail-close",
            Control::IslandMode => "island-mode",
        }
    }

    pub fn parse(s: &str) -> Option<Control> {
        Control::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Allowed communication between zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conduit {
    pub name: String,
    /// Span of the conduit's name.
    pub span: Span,
    /// Span of the whole flow line (`a, b -> c`).
    pub flow_span: Span,
    pub initiators: Vec<Endpoint>,
    pub responders: Vec<Endpoint>,
    pub direction: Direction,
    pub services: Vec<Spanned<ServiceId>>,
    pub sl: Option<Spanned<SlVector>>,
    pub justification: Option<String>,
    pub ticket: Option<String>,
    pub owner: Option<String>,
    pub vendor: Option<String>,
    pub expires: Option<Spanned<Date>>,
    pub schedule: Option<Spanned<Schedule>>,
    pub mode: Mode,
    pub log: bool,
    pub untrusted_transit: bool,
    pub controls: BTreeSet<Control>,
    /// Span of the `controls` line, when present.
    pub controls_span: Option<Span>,
}

impl Conduit {
    pub fn has(&self, control: Control) -> bool {
        self.controls.contains(&control)
    }

    /// Vendor remote access (has a `vendor` attribute).
    pub fn is_vendor(&self) -> bool {
        self.vendor.is_some()
    }

    /// Whether the conduit has expired at `as_of`: access ends at 00:00 UTC
    /// at the start of the `expires` day (docs/language.md).
    pub fn expired_at(&self, as_of: Date) -> bool {
        self.expires.as_ref().is_some_and(|e| e.value <= as_of)
    }

    /// `(initiator, responder)` endpoint pairs in the directions that may
    /// open connections: one per pair for `->`, both ways for `<->`.
    pub fn flows(&self) -> Vec<(Endpoint, Endpoint)> {
        let mut out = Vec::new();
        for a in &self.initiators {
            for b in &self.responders {
                out.push((*a, *b));
                if self.direction == Direction::Both {
                    out.push((*b, *a));
                }
            }
        }
        out
    }
}

/// What a waiver applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaiverTarget {
    Zone(ZoneId),
    Conduit(ConduitId),
}

/// Kind of a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaiverKind {
    Compensating,
    RiskAcceptance,
    FalsePositive,
}

impl WaiverKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverKind::Compensating => "compensating",
            WaiverKind::RiskAcceptance => "risk-acceptance",
            WaiverKind::FalsePositive => "false-positive",
        }
    }

    pub fn parse(s: &str) -> Option<WaiverKind> {
        [
            WaiverKind::Compensating,
            WaiverKind::RiskAcceptance,
            WaiverKind::FalsePositive,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A documented decision to accept one rule's finding on one zone or conduit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Rule ID as written (`PRO-003`); checked against the rule pack by `check`.
    pub rule: Spanned<String>,
    pub target: WaiverTarget,
    /// Span of the whole `waive … on …` header.
    pub span: Span,
    pub kind: Option<WaiverKind>,
    pub approved_by: Option<String>,
    pub justification: Option<String>,
    pub compensating: Option<String>,
    pub expires: Option<Spanned<Date>>,
    pub ticket: Option<String>,
}

/// A named list of endpoints (`group win-l2 { a.b, c, d.e }`), usable
/// wherever a flow line lists endpoints. A conduit that names a group holds
/// the group's endpoints, exactly as if they were written out; the group
/// only remembers where it was used, so that messages can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// Span of the group's name.
    pub span: Span,
    /// The members as written, nested groups by name.
    pub members: Vec<Spanned<String>>,
    /// Every zone and asset the group stands for, nested groups expanded;
    /// sorted, without repeats. Spans point at the member as written.
    pub endpoints: Vec<Endpoint>,
    /// Each place a flow line names the group.
    pub uses: Vec<GroupUse>,
}

/// One mention of a group in a conduit's flow line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupUse {
    pub conduit: ConduitId,
    /// Span of the group's name in the flow line; every endpoint the group
    /// put into the conduit carries this span.
    pub span: Span,
}
