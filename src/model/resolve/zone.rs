//! Zones and their assets: attributes, SL-T vectors, the safety-zone link.

use super::*;

const ZONE_ATTRS: &[(&str, Times)] = &[
    ("purdue", Times::Once),
    ("class", Times::Once),
    ("sl", Times::Once),
    ("owner", Times::Once),
    ("description", Times::Once),
    ("shutdown-authority", Times::Once),
    ("site", Times::Once),
    ("network", Times::Many),
    ("asset", Times::Many),
    ("wireless", Times::Once),
    ("temporary", Times::Once),
    ("monitored", Times::Once),
    ("bpcs", Times::Once),
];

const ASSET_ATTRS: &[(&str, Times)] = &[
    ("role", Times::Once),
    ("vendor", Times::Once),
    ("description", Times::Once),
    ("patchable", Times::Once),
    ("critical", Times::Once),
    ("safety", Times::Once),
    ("temporary", Times::Once),
    ("wireless", Times::Once),
    ("external-link", Times::Once),
    ("address", Times::Many),
    ("boundary-device", Times::Once),
];

impl Resolver {
    pub(super) fn zone(&mut self, d: &Decl<'_>) -> Zone {
        let mut z = Zone {
            name: d.name.text.clone(),
            span: d.name.span,
            purdue: None,
            class: ZoneClass::Ot,
            class_explicit: false,
            sl: None,
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
        };
        let mut class = None;
        // Asset names (borrowed from the syntax tree) → index in `z.assets`.
        let mut asset_names: BTreeMap<&str, usize> = BTreeMap::new();
        for (key, item) in self.reader.attrs(d.item.block(), "zone", ZONE_ATTRS, false) {
            match key {
                "purdue" => z.purdue = self.reader.value(item, values::purdue),
                "class" => {
                    class = self.reader.value(item, |s| {
                        values::one_of(s, "zone class", &ZoneClass::ALL, ZoneClass::as_str)
                    })
                }
                "sl" => z.sl = self.sl(item),
                "owner" => z.owner = self.reader.text(item),
                "description" => z.description = self.reader.text(item),
                "shutdown-authority" => z.shutdown_authority = self.reader.text(item),
                "site" => z.site = self.reader.text(item),
                "network" => {
                    if let Some(arg) = self.reader.one(item) {
                        match values::network(arg.text()) {
                            Ok((net, host_bits)) => {
                                if host_bits {
                                    self.push(
                                        Diagnostic::warning(
                                            "W0002",
                                            format!(
                                                "`{}` has host bits set; it means {net}",
                                                arg.text()
                                            ),
                                        )
                                        .at(arg.span(), "host bits set")
                                        .with_help(format!("write `network {net}`")),
                                    );
                                }
                                z.networks.push(Spanned::new(net, arg.span()));
                            }
                            Err(e) => self.reader.value_error(e, arg.span()),
                        }
                    }
                }
                "asset" => {
                    if let Some(a) = self.asset(item, &z.assets, &asset_names) {
                        if let Some(name) = item.args().first() {
                            asset_names.insert(name.arg.text(), z.assets.len());
                        }
                        if let Some(zone) = self.zone_ids.get(&z.name).copied() {
                            self.note_legs(item, zone, z.assets.len() as u32);
                        }
                        z.assets.push(a);
                    }
                }
                "wireless" => z.wireless = self.flag(item),
                "temporary" => z.temporary = self.flag(item),
                "monitored" => z.monitored = self.flag(item),
                _ => {} // bpcs: resolved once all zones have ids
            }
        }
        if let Some(c) = class {
            z.class = c.value;
            z.class_explicit = true;
        } else if let Some(p) = &z.purdue {
            z.class = p.value.default_class();
        }
        if z.networks.is_empty() {
            self.push(
                Diagnostic::error("E0111", format!("zone `{}` has no network", z.name))
                    .at(z.span, "no `network` in this zone")
                    .with_help(
                        "every zone needs at least one `network CIDR` so that it can be enforced",
                    ),
            );
        }
        z
    }

    pub(super) fn resolve_bpcs(&mut self, decls: &BTreeMap<String, Decl<'_>>, model: &mut Model) {
        for (i, d) in decls.values().enumerate() {
            let Some(block) = d.item.block() else {
                continue;
            };
            let Some(item) = block
                .items
                .iter()
                .find(|it| it.key().is_some_and(|k| k.text == "bpcs"))
            else {
                continue;
            };
            let Some(arg) = self.reader.one(item) else {
                continue;
            };
            let target = self.zone_ref(arg.text(), arg.span());
            let Some(zone) = model.zones.get_mut(i) else {
                continue;
            };
            if zone.class != ZoneClass::Safety {
                self.push(
                    Diagnostic::error(
                        "E0212",
                        format!(
                            "zone `{}` names a BPCS zone but is not a safety zone",
                            zone.name
                        ),
                    )
                    .at(item.span, "`bpcs` is only for safety zones")
                    .with_help("add `class safety` to the zone, or remove `bpcs`"),
                );
                continue;
            }
            match target {
                Some(t) if t == ZoneId(i as u32) => self.push(
                    Diagnostic::error("E0212", "a safety zone cannot be its own BPCS zone")
                        .at(arg.span(), "names itself")
                        .with_help("name the basic process control zone this safety zone talks to"),
                ),
                Some(t) => zone.bpcs = Some(Spanned::new(t, arg.span())),
                None => {}
            }
        }
    }

    pub(super) fn sl(&mut self, item: &Item) -> Option<Spanned<SlVector>> {
        match (item.args(), item.block()) {
            ([_], None) => self
                .reader
                .value(item, values::level)
                .map(|l| Spanned::new(SlVector::uniform(l.value), l.span)),
            ([], Some(block)) => self.sl_vector(block),
            _ => {
                self.push(
                    Diagnostic::error("E0106", "`sl` takes one level or a block of seven")
                        .at(
                            item.span,
                            "expected `sl N` or `sl { iac N uc N si N dc N rdf N tre N ra N }`",
                        )
                        .with_help(
                            "SL-T is 0-4, for all foundational requirements or for each one",
                        ),
                );
                None
            }
        }
    }

    pub(super) fn sl_vector(&mut self, block: &Block) -> Option<Spanned<SlVector>> {
        let mut words: Vec<&Word> = Vec::new();
        for it in &block.items {
            if let ItemKind::Attr { key, args, .. } = &it.kind {
                words.push(key);
                words.extend(args.iter().filter_map(|a| a.arg.as_word()));
            }
        }
        let mut levels: [Option<u8>; 7] = [None; 7];
        let mut ok = true;
        for pair in words.chunks(2) {
            let [fr, lv] = pair else {
                if let Some(w) = pair.first() {
                    self.push(
                        Diagnostic::error("E0106", format!("`{}` has no level", w.text))
                            .at(w.span, "expected a level after this")
                            .with_help("write each requirement with its level, e.g. `rdf 3`"),
                    );
                }
                return None;
            };
            let Some(f) = Fr::parse(&fr.text) else {
                self.push(
                    Diagnostic::error(
                        "E0106",
                        format!("`{}` is not a foundational requirement", fr.text),
                    )
                    .at(fr.span, "unknown requirement")
                    .with_help("the seven are iac, uc, si, dc, rdf, tre, ra (FR1..FR7)"),
                );
                ok = false;
                continue;
            };
            match values::level(&lv.text) {
                Ok(l) => {
                    if let Some(slot) = levels.get_mut(f.index()) {
                        *slot = Some(l);
                    }
                }
                Err(e) => {
                    self.reader.value_error(e, lv.span);
                    ok = false;
                }
            }
        }
        let missing: Vec<&str> = Fr::ALL
            .iter()
            .filter(|f| levels.get(f.index()).copied().flatten().is_none())
            .map(|f| f.as_str())
            .collect();
        if ok && !missing.is_empty() {
            self.push(
                Diagnostic::error("E0106", format!("SL-T vector lacks {}", missing.join(", ")))
                    .at(block.span, "incomplete SL-T vector")
                    .with_help("give all seven: `sl { iac N uc N si N dc N rdf N tre N ra N }`, or one level for all: `sl N`"),
            );
            return None;
        }
        let v = SlVector(levels.map(|l| l.unwrap_or(0)));
        ok.then_some(Spanned::new(v, block.span))
    }

    /// `names` maps the names in `existing` to their index.
    pub(super) fn asset(
        &mut self,
        item: &Item,
        existing: &[Asset],
        names: &BTreeMap<&str, usize>,
    ) -> Option<Asset> {
        let (name, addr) = match item.args() {
            [n, a] => (n.arg.as_word()?, &a.arg),
            _ => {
                self.push(
                    Diagnostic::error("E0106", "`asset` takes a name and an address")
                        .at(item.span, "expected `asset NAME ADDRESS`")
                        .with_help("e.g. `asset filler-plc 10.40.1.10 { role plc }`"),
                );
                return None;
            }
        };
        if !self.check_name(name, "asset") {
            return None;
        }
        if let Some(first) = names.get(name.text.as_str()).and_then(|i| existing.get(*i)) {
            self.push(
                Diagnostic::error(
                    "E0204",
                    format!("asset `{}` is defined twice in this zone", name.text),
                )
                .at(name.span, "defined again here")
                .with_label(first.span, "first defined here")
                .with_help("asset names are unique within a zone"),
            );
            return None;
        }
        let address = match values::address(addr.text()) {
            Ok(a) => Spanned::new(a, addr.span()),
            Err(e) => {
                self.reader.value_error(e, addr.span());
                return None;
            }
        };
        let mut a = Asset {
            address,
            ..blank_asset(name)
        };
        self.asset_attrs(&mut a, item.block());
        Some(a)
    }

    /// The attributes of an asset block (its `address` lines are legs,
    /// read by [`Resolver::hosts`]).
    pub(super) fn asset_attrs(&mut self, a: &mut Asset, block: Option<&Block>) {
        for (key, it) in self.reader.attrs(block, "asset", ASSET_ATTRS, false) {
            match key {
                "role" => {
                    a.role = self
                        .reader
                        .value(it, |s| {
                            values::one_of(s, "asset role", &Role::ALL, Role::as_str)
                        })
                        .map(|r| r.value)
                }
                "vendor" => a.vendor = self.reader.text(it),
                "description" => a.description = self.reader.text(it),
                "patchable" => {
                    a.patchable = self
                        .reader
                        .value(it, values::boolean)
                        .map(|v| v.value)
                        .unwrap_or(true)
                }
                "critical" => a.critical = self.flag(it),
                "safety" => a.safety = self.flag(it),
                "temporary" => a.temporary = self.flag(it),
                "wireless" => a.wireless = self.flag(it),
                "external-link" => a.external_link = self.flag(it),
                "boundary-device" => {
                    if let (true, Some(b)) = (self.flag(it), block) {
                        self.boundary_blocks.insert(b.span);
                    }
                }
                _ => {} // address: a leg in another zone
            }
        }
    }
}

/// An asset with default attributes and an unspecified address.
pub(super) fn blank_asset(name: &Word) -> Asset {
    Asset {
        name: name.text.clone(),
        span: name.span,
        address: Spanned::new(std::net::IpAddr::from([0, 0, 0, 0]), name.span),
        role: None,
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

/// Indices of a zone's assets sorted by name (names are unique in a zone).
pub(super) fn assets_by_name(z: &Zone) -> Vec<u32> {
    let mut order: Vec<u32> = (0..z.assets.len() as u32).collect();
    order.sort_by(|a, b| {
        let name = |i: &u32| z.assets.get(*i as usize).map(|x| x.name.as_str());
        name(a).cmp(&name(b))
    });
    order
}
