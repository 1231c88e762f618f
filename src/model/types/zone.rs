//! Zones and assets: Purdue level, class, security levels, roles.

use super::{AssetId, Spanned, ZoneId};
use crate::source::Span;
use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;

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

/// A multi-homed asset: one host with a leg (an address) in each of
/// several zones. Each leg is an [`Asset`] of its zone with the host's name
/// and attributes, so that every consumer of zones and assets sees an
/// ordinary asset; the host links the legs. Traffic between the legs
/// crosses inside the host, where no firewall sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    /// Span of the asset's name where it is declared.
    pub span: Span,
    /// One leg per zone (at least two), sorted by zone.
    pub legs: Vec<AssetId>,
    /// Declared `boundary-device true`: the host is the enforcement point
    /// of the conduits between its zones (a firewall, a data diode), not a
    /// bypass; NET-003 and the blast-radius bridge leave it out.
    pub boundary: bool,
}
