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

use crate::source::Span;
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::fmt;
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

/// Purdue reference level. `L3_5` is the industrial DMZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purdue {
    L0,
    L1,
    L2,
    L3,
    L3_5,
    L4,
    L5,
}

impl Purdue {
    /// Level times two, so that 3.5 is an integer (7).
    pub fn twice(self) -> u8 {
        match self {
            Purdue::L0 => 0,
            Purdue::L1 => 2,
            Purdue::L2 => 4,
            Purdue::L3 => 6,
            Purdue::L3_5 => 7,
            Purdue::L4 => 8,
            Purdue::L5 => 10,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purdue::L0 => "0",
            Purdue::L1 => "1",
            Purdue::L2 => "2",
            Purdue::L3 => "3",
            Purdue::L3_5 => "3.5",
            Purdue::L4 => "4",
            Purdue::L5 => "5",
        }
    }

    pub fn parse(s: &str) -> Option<Purdue> {
        Some(match s {
            "0" => Purdue::L0,
            "1" => Purdue::L1,
            "2" => Purdue::L2,
            "3" => Purdue::L3,
            "3.5" => Purdue::L3_5,
            "4" => Purdue::L4,
            "5" => Purdue::L5,
            _ => return None,
        })
    }

    /// The class a zone gets when it names a level but no class.
    pub fn default_class(self) -> ZoneClass {
        match self {
            Purdue::L4 | Purdue::L5 => ZoneClass::It,
            Purdue::L3_5 => ZoneClass::Dmz,
            _ => ZoneClass::Ot,
        }
    }
}

/// What a zone is, for the rules and the blast radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ZoneClass {
    It,
    Dmz,
    Ot,
    Safety,
    External,
}

impl ZoneClass {
    pub const ALL: [ZoneClass; 5] = [
        ZoneClass::It,
        ZoneClass::Dmz,
        ZoneClass::Ot,
        ZoneClass::Safety,
        ZoneClass::External,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ZoneClass::It => "it",
            ZoneClass::Dmz => "dmz",
            ZoneClass::Ot => "ot",
            ZoneClass::Safety => "safety",
            ZoneClass::External => "external",
        }
    }

    pub fn parse(s: &str) -> Option<ZoneClass> {
        ZoneClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// IT side of the plant: enterprise or outside it.
    pub fn is_it_side(self) -> bool {
        matches!(self, ZoneClass::It | ZoneClass::External)
    }

    /// OT side: control and safety zones.
    pub fn is_ot_side(self) -> bool {
        matches!(self, ZoneClass::Ot | ZoneClass::Safety)
    }
}

/// The seven foundational requirements of IEC 62443-3-3, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fr {
    Iac,
    Uc,
    Si,
    Dc,
    Rdf,
    Tre,
    Ra,
}

impl Fr {
    pub const ALL: [Fr; 7] = [Fr::Iac, Fr::Uc, Fr::Si, Fr::Dc, Fr::Rdf, Fr::Tre, Fr::Ra];

    /// The keyword used in `sl { iac 3 … }`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fr::Iac => "iac",
            Fr::Uc => "uc",
            Fr::Si => "si",
            Fr::Dc => "dc",
            Fr::Rdf => "rdf",
            Fr::Tre => "tre",
            Fr::Ra => "ra",
        }
    }

    pub fn parse(s: &str) -> Option<Fr> {
        Fr::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A target security level per foundational requirement (each 0..=4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SlVector(pub [u8; 7]);

impl SlVector {
    pub fn uniform(level: u8) -> SlVector {
        SlVector([level; 7])
    }

    pub fn get(&self, fr: Fr) -> u8 {
        self.0.get(fr.index()).copied().unwrap_or(0)
    }

    /// The highest level over all FRs.
    pub fn max(&self) -> u8 {
        self.0.iter().copied().max().unwrap_or(0)
    }
}

impl fmt::Display for SlVector {
    /// `{2 2 0 1 3 1 3}` as in IEC 62443-3-3 Annex A.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g, h] = self.0;
        write!(f, "{{{a} {b} {c} {d} {e} {g} {h}}}")
    }
}

/// Function of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Plc,
    Hmi,
    Scada,
    Historian,
    EngineeringWorkstation,
    JumpHost,
    Gateway,
    SafetyController,
    Server,
    Workstation,
    Other,
    Erp,
    Mail,
    OfficePc,
    CorporateServer,
}

impl Role {
    pub const ALL: [Role; 15] = [
        Role::Plc,
        Role::Hmi,
        Role::Scada,
        Role::Historian,
        Role::EngineeringWorkstation,
        Role::JumpHost,
        Role::Gateway,
        Role::SafetyController,
        Role::Server,
        Role::Workstation,
        Role::Other,
        Role::Erp,
        Role::Mail,
        Role::OfficePc,
        Role::CorporateServer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Plc => "plc",
            Role::Hmi => "hmi",
            Role::Scada => "scada",
            Role::Historian => "historian",
            Role::EngineeringWorkstation => "engineering-workstation",
            Role::JumpHost => "jump-host",
            Role::Gateway => "gateway",
            Role::SafetyController => "safety-controller",
            Role::Server => "server",
            Role::Workstation => "workstation",
            Role::Other => "other",
            Role::Erp => "erp",
            Role::Mail => "mail",
            Role::OfficePc => "office-pc",
            Role::CorporateServer => "corporate-server",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Business (enterprise IT) role, as opposed to an IACS role.
    pub fn is_business(self) -> bool {
        matches!(
            self,
            Role::Erp | Role::Mail | Role::OfficePc | Role::CorporateServer
        )
    }

    /// Industrial automation and control system role.
    pub fn is_iacs(self) -> bool {
        matches!(
            self,
            Role::Plc
                | Role::Hmi
                | Role::Scada
                | Role::Historian
                | Role::EngineeringWorkstation
                | Role::SafetyController
        )
    }
}

/// One host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub name: String,
    /// Span of the asset's name.
    pub span: Span,
    pub address: Spanned<IpAddr>,
    pub role: Option<Role>,
    pub vendor: Option<String>,
    pub description: Option<String>,
    pub patchable: bool,
    pub critical: bool,
    pub safety: bool,
    pub temporary: bool,
    pub wireless: bool,
    pub external_link: bool,
}

/// A zone: networks and assets with the same security requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    /// Span of the zone's name.
    pub span: Span,
    pub purdue: Option<Spanned<Purdue>>,
    /// The class as given, or as derived from `purdue` (`ot` when neither).
    pub class: ZoneClass,
    pub class_explicit: bool,
    /// SL-T; `None` when the zone declares none (a DOC-002 finding).
    pub sl: Option<Spanned<SlVector>>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub shutdown_authority: Option<String>,
    pub site: Option<String>,
    pub networks: Vec<Spanned<IpNet>>,
    pub assets: Vec<Asset>,
    pub wireless: bool,
    pub temporary: bool,
    pub monitored: bool,
    /// For a safety zone: the one control zone it may talk to.
    pub bpcs: Option<Spanned<ZoneId>>,
}

impl Zone {
    /// The zone's SL-T, or all zeros when none is declared.
    pub fn sl_t(&self) -> SlVector {
        self.sl.as_ref().map(|s| s.value).unwrap_or_default()
    }

    pub fn sl_of(&self, fr: Fr) -> u8 {
        self.sl_t().get(fr)
    }
}

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

/// One end of a conduit: a whole zone or one asset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    pub zone: ZoneId,
    pub asset: Option<u32>,
    pub span: Span,
}

impl Endpoint {
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

/// A calendar date (proleptic Gregorian), compared as `(year, month, day)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day against the month.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let year: u16 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        let day: u8 = d.parse().ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days of the week, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub fn parse(s: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A weekly time window: `"mon-fri 06:00-18:00"`.
///
/// Times are minutes after midnight, `start < end` (a window never wraps
/// past midnight; write two windows for a night shift). Times are local
/// time of the firewall that enforces them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Schedule {
    /// Days on which the window is open, Monday first.
    pub days: BTreeSet<Weekday>,
    pub start_minute: u16,
    pub end_minute: u16,
    /// The text as written, for comments and messages.
    pub text: String,
}

impl Schedule {
    pub fn format_minute(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }
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

    /// Whether the conduit has expired at `as_of` (`expires` is the last day
    /// on which access is still allowed... see docs/language.md: access ends
    /// at the start of the `expires` day).
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

    /// `zone` or `zone.asset` for an endpoint.
    pub fn endpoint_name(&self, ep: &Endpoint) -> String {
        let zone = self.zone(ep.zone);
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
