//! A tiny builder for hand-made models: zones, services and conduits by name.

use conduit::model::*;
use conduit::source::Span;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

pub struct ConduitSpec {
    pub name: String,
    pub from: Vec<String>,
    pub both: bool,
    pub to: Vec<String>,
    pub services: Vec<String>,
    pub vendor: bool,
    pub monitor: bool,
    pub schedule: bool,
    pub expires: Option<Date>,
    pub mfa: bool,
}

#[derive(Default)]
pub struct Builder {
    zones: Vec<Zone>,
    services: Vec<Service>,
    conduits: Vec<ConduitSpec>,
}

pub fn zone(name: &str, class: ZoneClass, purdue: Option<Purdue>, sl: Option<u8>) -> Zone {
    Zone {
        name: name.to_string(),
        span: Span::default(),
        purdue: purdue.map(|p| Spanned::new(p, Span::default())),
        class,
        class_explicit: true,
        sl: sl.map(|l| Spanned::new(SlVector::uniform(l), Span::default())),
        owner: None,
        description: None,
        shutdown_authority: None,
        site: None,
        networks: Vec::new(),
        assets: Vec::new(),
        wireless: false,
        temporary: false,
        monitored: false,
        bpcs: None,
    }
}

pub fn asset(name: &str, role: Role) -> Asset {
    Asset {
        name: name.to_string(),
        span: Span::default(),
        address: Spanned::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), Span::default()),
        role: Some(role),
        vendor: None,
        description: None,
        patchable: true,
        critical: false,
        safety: false,
        temporary: false,
        wireless: false,
        external_link: false,
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
            .service("https", true, true, &[])
            .service("ssh", true, true, &[Tag::Pivot])
            .service("rdp", true, false, &[Tag::Pivot])
            .service("modbus", false, false, &[Tag::Write])
            .service("s7comm", false, false, &[Tag::Write])
            .service("ntp", false, false, &[])
            .service("telnet", false, false, &[Tag::Pivot, Tag::Legacy])
            .service("teamviewer", true, true, &[Tag::Pivot, Tag::RemoteTool])
            .service("mqtt-tls", true, true, &[Tag::Write])
    }

    /// A zone of `class` (`it`, `dmz`, `ot`, `safety`, `external`) with SL-T `sl`.
    pub fn z(mut self, name: &str, class: &str, sl: u8) -> Builder {
        let class = ZoneClass::parse(class).unwrap();
        let purdue = match class {
            ZoneClass::External => None,
            ZoneClass::It => Some(Purdue::L4),
            ZoneClass::Dmz => Some(Purdue::L3_5),
            ZoneClass::Ot => Some(Purdue::L2),
            ZoneClass::Safety => Some(Purdue::L1),
        };
        self.zones.push(zone(name, class, purdue, Some(sl)));
        self
    }

    /// Adds an asset to the last zone.
    pub fn a(mut self, name: &str, role: Role) -> Builder {
        self.zones
            .last_mut()
            .unwrap()
            .assets
            .push(asset(name, role));
        self
    }

    pub fn service(mut self, name: &str, auth: bool, enc: bool, tags: &[Tag]) -> Builder {
        self.services.push(Service {
            name: name.to_string(),
            span: Span::default(),
            builtin: true,
            inline: false,
            matches: Vec::new(),
            authenticated: auth,
            encrypted: enc,
            tags: tags.iter().copied().collect(),
            description: None,
            includes: Vec::new(),
            own: Vec::new(),
        });
        self
    }

    /// `c(name, "a, b.x", "->", "c", "ssh, modbus")`.
    pub fn c(self, name: &str, from: &str, arrow: &str, to: &str, services: &str) -> Builder {
        self.cx(name, from, arrow, to, services, |_| {})
    }

    pub fn cx(
        mut self,
        name: &str,
        from: &str,
        arrow: &str,
        to: &str,
        services: &str,
        f: impl FnOnce(&mut ConduitSpec),
    ) -> Builder {
        let list = |s: &str| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        };
        let mut spec = ConduitSpec {
            name: name.to_string(),
            from: list(from),
            both: arrow == "<->",
            to: list(to),
            services: list(services),
            vendor: false,
            monitor: false,
            schedule: false,
            expires: None,
            mfa: false,
        };
        f(&mut spec);
        self.conduits.push(spec);
        self
    }

    pub fn build(mut self) -> Model {
        self.zones.sort_by(|a, b| a.name.cmp(&b.name));
        self.services.sort_by(|a, b| a.name.cmp(&b.name));
        self.conduits.sort_by(|a, b| a.name.cmp(&b.name));
        let mut m = Model {
            zones: self.zones,
            services: self.services,
            conduits: Vec::new(),
            waivers: Vec::new(),
            groups: Vec::new(),
            hosts: Vec::new(),
            fqdns: Vec::new(),
        };
        let conduits = self.conduits.iter().map(|s| resolve(&m, s)).collect();
        m.conduits = conduits;
        m
    }
}

fn endpoint(m: &Model, text: &str) -> Endpoint {
    let (z, a) = match text.split_once('.') {
        Some((z, a)) => (z, Some(a)),
        None => (text, None),
    };
    let zone = m.zone_by_name(z).unwrap_or_else(|| panic!("no zone {z}"));
    let asset = a.map(|a| {
        m.zone(zone)
            .assets
            .iter()
            .position(|x| x.name == a)
            .unwrap_or_else(|| panic!("no asset {text}")) as u32
    });
    Endpoint {
        zone,
        asset,
        span: Span::default(),
        kind: Default::default(),
    }
}

fn resolve(m: &Model, s: &ConduitSpec) -> Conduit {
    Conduit {
        name: s.name.clone(),
        span: Span::default(),
        flow_span: Span::default(),
        initiators: s.from.iter().map(|e| endpoint(m, e)).collect(),
        responders: s.to.iter().map(|e| endpoint(m, e)).collect(),
        direction: if s.both {
            Direction::Both
        } else {
            Direction::Forward
        },
        services: s
            .services
            .iter()
            .map(|n| {
                Spanned::new(
                    m.service_by_name(n)
                        .unwrap_or_else(|| panic!("no service {n}")),
                    Span::default(),
                )
            })
            .collect(),
        sl: None,
        justification: None,
        ticket: None,
        owner: None,
        vendor: s.vendor.then(|| "Vendor".to_string()),
        expires: s.expires.map(|d| Spanned::new(d, Span::default())),
        schedule: s.schedule.then(|| {
            Spanned::new(
                Schedule {
                    days: BTreeSet::new(),
                    start_minute: 480,
                    end_minute: 1020,
                    text: "mon-fri 08:00-17:00".to_string(),
                    zone: None,
                },
                Span::default(),
            )
        }),
        mode: if s.monitor {
            Mode::Monitor
        } else {
            Mode::Enforce
        },
        log: false,
        untrusted_transit: false,
        controls: if s.mfa {
            [Control::Mfa].into_iter().collect()
        } else {
            BTreeSet::new()
        },
        controls_span: None,
    }
}
