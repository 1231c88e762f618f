//! Conduits: the flow line, endpoints, allowed services and attributes.

use super::*;

const CONDUIT_ATTRS: &[(&str, Times)] = &[
    ("allow", Times::Many),
    ("sl", Times::Once),
    ("justification", Times::Once),
    ("ticket", Times::Once),
    ("owner", Times::Once),
    ("vendor", Times::Once),
    ("expires", Times::Once),
    ("schedule", Times::Once),
    ("mode", Times::Once),
    ("log", Times::Once),
    ("untrusted-transit", Times::Once),
    ("controls", Times::Once),
    ("description", Times::Once),
];

impl Resolver {
    pub(super) fn conduit(&mut self, d: &Decl<'_>, id: ConduitId, model: &mut Model) -> Conduit {
        let mut c = Conduit {
            name: d.name.text.clone(),
            span: d.name.span,
            flow_span: d.name.span,
            initiators: Vec::new(),
            responders: Vec::new(),
            direction: Direction::Forward,
            services: Vec::new(),
            sl: None,
            justification: None,
            ticket: None,
            owner: None,
            vendor: None,
            expires: None,
            schedule: None,
            mode: Mode::Enforce,
            log: false,
            untrusted_transit: false,
            controls: BTreeSet::new(),
            controls_span: None,
        };
        let attrs = self
            .reader
            .attrs(d.item.block(), "conduit", CONDUIT_ATTRS, true);
        let (mut has_flow, mut has_allow) = (false, false);
        for (key, item) in attrs {
            match key {
                "->" => {
                    has_flow = true;
                    self.flow(item, &mut c, id, model);
                }
                "allow" => {
                    has_allow = true;
                    self.allow(item, &mut c, model);
                }
                "sl" => c.sl = self.sl(item),
                "justification" => c.justification = self.reader.text(item),
                "ticket" => c.ticket = self.reader.text(item),
                "owner" => c.owner = self.reader.text(item),
                "vendor" => c.vendor = self.reader.text(item),
                "description" => {
                    let _ = self.reader.text(item);
                }
                "expires" => c.expires = self.reader.value(item, values::date),
                "schedule" => c.schedule = self.reader.value(item, values::schedule),
                "mode" => {
                    c.mode = self
                        .reader
                        .value(item, |s| {
                            values::one_of(s, "mode", &[Mode::Enforce, Mode::Monitor], mode_str)
                        })
                        .map(|m| m.value)
                        .unwrap_or_default()
                }
                "log" => c.log = self.flag(item),
                "untrusted-transit" => c.untrusted_transit = self.flag(item),
                _ => {
                    c.controls_span = Some(item.span);
                    for arg in self.reader.list(item) {
                        match values::one_of(arg.text(), "control", &Control::ALL, Control::as_str)
                        {
                            Ok(ctl) => {
                                c.controls.insert(ctl);
                            }
                            Err(e) => self.reader.value_error(e, arg.span()),
                        }
                    }
                }
            }
        }
        self.multicast_services(&c, model);
        if !has_flow {
            self.push(
                Diagnostic::error("E0210", format!("conduit `{}` has no flow line", c.name))
                    .at(c.span, "who talks to whom?")
                    .with_help(
                        "add a line like `supervisory.hmi-1 -> line1` (initiator -> responder)",
                    ),
            );
        }
        if !has_allow {
            self.push(
                Diagnostic::error("E0211", format!("conduit `{}` allows no service", c.name))
                    .at(c.span, "nothing allowed")
                    .with_help("add `allow SERVICE`, e.g. `allow s7comm` or `allow tcp 8443`"),
            );
        }
        c
    }

    pub(super) fn flow(&mut self, item: &Item, c: &mut Conduit, id: ConduitId, model: &mut Model) {
        let ItemKind::Flow {
            initiators,
            arrow,
            responders,
            ..
        } = &item.kind
        else {
            return;
        };
        c.flow_span = item.span;
        c.direction = match arrow {
            crate::syntax::tree::ArrowKind::Forward => Direction::Forward,
            crate::syntax::tree::ArrowKind::Both => Direction::Both,
        };
        let both = c.direction == Direction::Both;
        let ini = self.side(initiators, id, model, Some("an initiator"));
        let res = self.side(responders, id, model, both.then_some("a `<->` responder"));
        self.self_joins(c, &ini, &res, model);
        c.initiators = ini.into_iter().map(|(e, _)| e).collect();
        c.responders = res.into_iter().map(|(e, _)| e).collect();
        c.initiators.sort();
        c.initiators.dedup_by_key(|e| (e.zone, e.asset, e.kind));
        c.responders.sort();
        c.responders.dedup_by_key(|e| (e.zone, e.asset, e.kind));
    }

    /// One endpoint of a flow line. `opens`: where the endpoint would open
    /// connections (initiators, and responders of `<->`), which a
    /// multicast group or DNS name never does (E0224).
    fn flow_end(&mut self, e: &FlowEnd, model: &Model, opens: Option<&str>) -> Option<Endpoint> {
        let what = match e.kind {
            EndKind::Name => return self.endpoint(e, model),
            EndKind::Multicast => "a multicast group",
            EndKind::Fqdn => "a DNS name",
        };
        if let Some(side) = opens {
            self.push(
                Diagnostic::error("E0224", format!("{what} is only ever a destination, not {side}"))
                    .at(e.span, "cannot open connections")
                    .with_help("put it on the responder side of a `->` flow line; traffic from a group's members or from a cloud service needs its own conduit from their zone"),
            );
            return None;
        }
        let Some(zone_word) = &e.zone else {
            let example = match e.kind {
                EndKind::Fqdn => format!("fqdn \"{}\" in internet", e.word.text.escape_debug()),
                _ => format!("multicast {} in cell-a", e.word.text),
            };
            self.push(
                Diagnostic::error("E0225", format!("{what} needs the zone it is delivered into"))
                    .at(e.span, "no `in ZONE`")
                    .with_help(format!("name the zone the traffic reaches, e.g. `{example}`; firewalls and blast radius need it")),
            );
            return None;
        };
        let kind = match e.kind {
            EndKind::Multicast => {
                values::multicast_group(&e.word.text).map(EndpointKind::Multicast)
            }
            _ => values::dns_name(&e.word.text).map(|name| {
                let i = model.fqdns.binary_search(&name).unwrap_or(0);
                EndpointKind::Fqdn(u32::try_from(i).unwrap_or(0))
            }),
        };
        let kind = match kind {
            Ok(k) => k,
            Err(err) => {
                self.reader.value_error(err, e.word.span);
                return None;
            }
        };
        let zone = self.zone_ref(&zone_word.text, zone_word.span)?;
        let z = model.zone(zone);
        if e.kind == EndKind::Fqdn && z.class != ZoneClass::External {
            self.push(
                Diagnostic::warning(
                    "W0012",
                    format!("DNS name `{}` in zone `{}`, which is not external", e.word.text, z.name),
                )
                .at(e.span, "its addresses are whatever DNS answers")
                .with_label(zone_word.span, "not an `external` zone")
                .with_help("the firewall allows every address the name resolves to, inside this zone's networks or not; place DNS names in an external zone (`in internet`), or name an inner host as `zone.asset`"),
            );
        }
        Some(Endpoint {
            zone,
            asset: None,
            span: e.span,
            kind,
        })
    }

    /// E0226: a multicast group receives datagrams, never a TCP connection.
    fn multicast_services(&mut self, c: &Conduit, model: &Model) {
        let Some(group) = c
            .responders
            .iter()
            .find(|e| matches!(e.kind, EndpointKind::Multicast(_)))
        else {
            return;
        };
        for s in &c.services {
            let service = model.service(s.value);
            if service.matches.iter().any(|m| m.proto == Proto::Tcp) {
                self.push(
                    Diagnostic::error(
                        "E0226",
                        format!("conduit `{}` allows TCP service `{}` to a multicast group", c.name, service.name),
                    )
                    .at(s.span, "TCP never reaches a group")
                    .with_label(group.span, "multicast group")
                    .with_help("multicast carries UDP (EtherNet/IP implicit I/O is udp 2222, PTP udp 319-320); allow TCP services in a separate conduit to the hosts"),
                );
            }
        }
    }

    /// The endpoints of one side of a flow line, each with the group that
    /// put it there (a group expands to its members, spanned at its name).
    fn side(
        &mut self,
        ends: &[FlowEnd],
        id: ConduitId,
        model: &mut Model,
        opens: Option<&str>,
    ) -> Vec<(Endpoint, Option<usize>)> {
        let mut out = Vec::new();
        for e in ends {
            let group = match e.kind {
                EndKind::Name => self.group_index(&e.word.text),
                _ => None,
            };
            let Some(g) = group else {
                if let Some(ep) = self.flow_end(e, model, opens) {
                    out.push((ep, None));
                }
                continue;
            };
            let w = &e.word;
            if let Some(group) = model.groups.get_mut(g) {
                group.uses.push(GroupUse {
                    conduit: id,
                    span: w.span,
                });
                out.extend(
                    group
                        .endpoints
                        .iter()
                        .map(|e| (Endpoint { span: w.span, ..*e }, Some(g))),
                );
            }
        }
        out
    }

    /// A conduit never joins a zone to itself; through a group the error
    /// names the group and the member that causes it.
    fn self_joins(
        &mut self,
        c: &Conduit,
        ini: &[(Endpoint, Option<usize>)],
        res: &[(Endpoint, Option<usize>)],
        model: &Model,
    ) {
        let mut seen: BTreeSet<(ZoneId, Span, Span)> = BTreeSet::new();
        for (a, ga) in ini {
            let Some((b, gb)) = res.iter().find(|(b, _)| b.zone == a.zone) else {
                continue;
            };
            if !seen.insert((a.zone, a.span, b.span)) {
                continue;
            }
            let zone = &model.zone(a.zone).name;
            let via = [(a, ga), (b, gb)]
                .into_iter()
                .find_map(|(e, g)| g.and_then(|g| model.groups.get(g)).map(|g| (e, g)));
            let Some((member, group)) = via else {
                self.push(
                    Diagnostic::error("E0207", format!("conduit `{}` joins zone `{zone}` to itself", c.name))
                        .at(b.span, "same zone on both ends")
                        .with_label(a.span, "initiator in that zone")
                        .with_help("traffic inside a zone is not filtered by a conduit; a conduit joins two different zones"),
                );
                continue;
            };
            let other = if std::ptr::eq(member, a) { b } else { a };
            self.push(
                Diagnostic::error(
                    "E0221",
                    format!(
                        "conduit `{}` joins zone `{zone}` to itself through group `{}`",
                        c.name, group.name
                    ),
                )
                .at(member.span, format!("group `{}` holds `{}`", group.name, model.endpoint_name(member)))
                .with_label(other.span, format!("`{}` on the other side", model.endpoint_name(other)))
                .with_help(format!(
                    "traffic inside a zone is not filtered by a conduit; take `{}` out of group `{}`, or name the members this conduit needs",
                    model.endpoint_name(member),
                    group.name
                )),
            );
        }
    }

    pub(super) fn endpoint(&mut self, w: &Word, model: &Model) -> Option<Endpoint> {
        let (zone_name, asset_name) = match w.text.split_once('.') {
            Some((z, a)) => (z, Some(a)),
            None => (w.text.as_str(), None),
        };
        let zone_span = Span::new(
            w.span.file,
            w.span.start as usize,
            w.span.start as usize + zone_name.len(),
        );
        if asset_name.is_none()
            && !self.group_ids.is_empty()
            && !self.zone_ids.contains_key(zone_name)
        {
            self.unknown_zone_or_group(w);
            return None;
        }
        let zone = self.zone_ref(zone_name, zone_span)?;
        let Some(asset_name) = asset_name else {
            return Some(Endpoint {
                zone,
                asset: None,
                span: w.span,
                kind: EndpointKind::Zone,
            });
        };
        let z = model.zone(zone);
        let name_of = |i: u32| z.assets.get(i as usize).map_or("", |a| a.name.as_str());
        let found = self.asset_order.get(zone.0 as usize).and_then(|order| {
            let k = order
                .binary_search_by(|i| name_of(*i).cmp(asset_name))
                .ok()?;
            order.get(k).copied()
        });
        match found {
            Some(i) => Some(Endpoint {
                zone,
                asset: Some(i),
                span: w.span,
                kind: EndpointKind::Zone,
            }),
            None => {
                let help = match suggest(asset_name, z.assets.iter().map(|a| a.name.as_str())) {
                    Some(s) => format!("did you mean `{}.{s}`?", z.name),
                    None if z.assets.is_empty() => format!(
                        "zone `{}` declares no assets; name the zone alone to mean all of it",
                        z.name
                    ),
                    None => format!(
                        "assets of `{}`: {}",
                        z.name,
                        z.assets
                            .iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.push(
                    Diagnostic::error(
                        "E0202",
                        format!("zone `{}` has no asset `{asset_name}`", z.name),
                    )
                    .at(w.span, "unknown asset")
                    .with_help(help),
                );
                None
            }
        }
    }

    fn unknown_zone_or_group(&mut self, w: &Word) {
        let names = self
            .zone_ids
            .keys()
            .chain(self.group_ids.keys())
            .map(String::as_str);
        let help = match suggest(&w.text, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "declare it with `zone NAME { … }` or `group NAME { … }`, or import the file that does".to_string(),
        };
        self.push(
            Diagnostic::error("E0201", format!("unknown zone or group `{}`", w.text))
                .at(w.span, "no zone or group of this name")
                .with_help(help),
        );
    }

    /// `allow` arguments: service names, or inline `tcp PORTS` / `udp PORTS`
    /// / `icmp [TYPE]` / `proto N` groups.
    pub(super) fn allow(&mut self, item: &Item, c: &mut Conduit, model: &mut Model) {
        let args = self.reader.list(item);
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let text = arg.text();
            i += 1;
            if matches!(arg, Arg::Word(_))
                && matches!(text, "tcp" | "udp" | "icmp" | "icmpv6" | "proto")
            {
                let mut group: Vec<&Arg> = Vec::new();
                while let Some(next) = args.get(i) {
                    let digits = |a: &Arg| a.text().chars().all(|ch| ch.is_ascii_digit());
                    let follows = args.get(i + 1).copied();
                    let takes = match text {
                        // `udp 47808 from 47808`: `from` only before a port.
                        "tcp" | "udp" => {
                            values::looks_like_port(next.text())
                                || (next.text() == "from"
                                    && follows.is_some_and(|f| values::looks_like_port(f.text())))
                        }
                        // `icmp 3 code 4`: `code` only after the type.
                        "icmp" | "icmpv6" => match group.len() {
                            0 => digits(next),
                            1 => next.text() == "code" && follows.is_some_and(digits),
                            2 => true,
                            _ => false,
                        },
                        _ => group.is_empty() && digits(next),
                    };
                    if !takes {
                        break;
                    }
                    group.push(next);
                    i += 1;
                }
                let span = group
                    .last()
                    .map(|g| arg.span().to(g.span()))
                    .unwrap_or(arg.span());
                if let Some(m) = self.service_match(text, &group, span) {
                    let id = inline_service(model, &mut self.service_ids, m, span);
                    c.services.push(Spanned::new(id, span));
                }
                continue;
            }
            match self
                .service_ids
                .get(text)
                .copied()
                .filter(|id| !model.service(*id).inline)
            {
                Some(id) => c.services.push(Spanned::new(id, arg.span())),
                None => {
                    let names = model
                        .services
                        .iter()
                        .filter(|s| !s.inline)
                        .map(|s| s.name.as_str());
                    let help = match suggest(text, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "define it with `service NAME { tcp PORT }`, or allow ports inline: `allow tcp 8443`; `conduit explain SERVICE` shows a built-in one, docs/language.md lists the catalog".to_string(),
                    };
                    self.push(
                        Diagnostic::error("E0203", format!("unknown service `{text}`"))
                            .at(arg.span(), "no service of this name")
                            .with_help(help),
                    );
                }
            }
        }
        c.services.sort_by_key(|s| s.value);
        c.services.dedup_by_key(|s| s.value);
    }
}

pub(super) fn mode_str(m: Mode) -> &'static str {
    match m {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor",
    }
}
