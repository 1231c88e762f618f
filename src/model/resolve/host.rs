//! Multi-homed assets: one host with an address in several zones.
//!
//! Two forms: at top level, `asset NAME { address ADDR in ZONE; … }` (every
//! leg names its zone), or inside a zone, `asset NAME ADDR { address ADDR2
//! in OTHER-ZONE }` (the written address is the leg in the enclosing zone).
//! Each leg becomes an asset of its zone with the host's name and
//! attributes, so `ZONE.NAME` is the leg in ZONE and the model's invariant
//! "every asset lies inside its zone" holds for each leg (E0206 otherwise);
//! [`Host`] links the legs.

use super::*;

/// One `address ADDR in ZONE` line.
struct Leg {
    zone: ZoneId,
    address: Spanned<std::net::IpAddr>,
    /// The whole line, for "second address in this zone".
    span: Span,
}

impl Resolver {
    /// Notes an in-zone asset that has extra legs.
    pub(super) fn note_legs(&mut self, item: &Item, zone: ZoneId, index: u32) {
        let has_legs = item.block().is_some_and(|b| {
            b.items
                .iter()
                .any(|it| it.key().is_some_and(|k| k.text == "address"))
        });
        if has_legs {
            self.pending_legs.push((item.span, AssetId { zone, index }));
        }
    }

    /// Adds every leg to its zone and records the hosts. Runs after zones
    /// are read and before any `zone.asset` is looked up.
    pub(super) fn hosts(
        &mut self,
        top: &BTreeMap<String, Decl<'_>>,
        zone_decls: &BTreeMap<String, Decl<'_>>,
        model: &mut Model,
    ) {
        let mut hosts: Vec<Host> = Vec::new();
        for d in top.values() {
            let mut template = zone::blank_asset(d.name);
            self.asset_attrs(&mut template, d.item.block());
            let legs = self.legs(d.item.block(), None, &d.name.text);
            if legs.is_empty() {
                self.push(
                    Diagnostic::error(
                        "E0111",
                        format!("asset `{}` is declared outside a zone but names no zone", d.name.text),
                    )
                    .at(d.name.span, "no `address … in ZONE` here")
                    .with_help(format!(
                        "give each address its zone: `asset {} {{ address 10.0.0.5 in ZONE-A; address 10.1.0.5 in ZONE-B }}`, or declare the asset inside its zone",
                        d.name.text
                    )),
                );
                continue;
            }
            let boundary = self.is_boundary(d.item.block());
            if let Some(h) = self.place(&template, d.name.span, None, legs, model) {
                hosts.push(Host { boundary, ..h });
            }
        }
        for (span, home) in std::mem::take(&mut self.pending_legs) {
            let Some(item) = find_asset_item(zone_decls, model, home, span) else {
                continue;
            };
            let template = model.asset(home).clone();
            let legs = self.legs(item.block(), Some(home.zone), &template.name);
            let boundary = self.is_boundary(item.block());
            if let Some(h) = self.place(&template, template.span, Some(home), legs, model) {
                hosts.push(Host { boundary, ..h });
            }
        }
        hosts.sort_by(|a, b| a.name.cmp(&b.name));
        for pair in hosts.windows(2) {
            if let [a, b] = pair {
                if a.name == b.name {
                    self.push(
                        Diagnostic::error(
                            "E0204",
                            format!("multi-homed asset `{}` is defined twice", b.name),
                        )
                        .at(b.span, "defined again here")
                        .with_label(a.span, "first defined here")
                        .with_help(
                            "a host is declared once, with all its addresses; rename one of them",
                        ),
                    );
                }
            }
        }
        model.hosts = hosts;
    }

    /// Puts each leg into its zone; a host when there are two legs or more.
    fn place(
        &mut self,
        template: &Asset,
        span: Span,
        home: Option<AssetId>,
        legs: Vec<Leg>,
        model: &mut Model,
    ) -> Option<Host> {
        let mut ids: Vec<AssetId> = home.into_iter().collect();
        let mut lines: BTreeMap<ZoneId, Span> = BTreeMap::new();
        if let Some(h) = home {
            lines.insert(h.zone, model.asset(h).address.span);
        }
        for leg in legs {
            let zone_name = model.zone(leg.zone).name.clone();
            if let Some(first) = lines.get(&leg.zone) {
                self.push(
                    Diagnostic::error(
                        "E0222",
                        format!("asset `{}` has two addresses in zone `{zone_name}`", template.name),
                    )
                    .at(leg.span, "second address in this zone")
                    .with_label(*first, "first address in this zone")
                    .with_help("a multi-homed asset has one address per zone; `ZONE.NAME` names that leg. Declare a second host under another name"),
                );
                continue;
            }
            lines.insert(leg.zone, leg.span);
            let Some(z) = model.zones.get_mut(leg.zone.0 as usize) else {
                continue;
            };
            if let Some(first) = z.assets.iter().find(|a| a.name == template.name) {
                self.push(
                    Diagnostic::error(
                        "E0204",
                        format!(
                            "asset `{}` is defined twice in zone `{zone_name}`",
                            template.name
                        ),
                    )
                    .at(leg.span, "a leg of this name in that zone")
                    .with_label(first.span, "asset already declared there")
                    .with_help(
                        "asset names are unique within a zone; rename the host or the zone's asset",
                    ),
                );
                continue;
            }
            ids.push(AssetId {
                zone: leg.zone,
                index: z.assets.len() as u32,
            });
            z.assets.push(Asset {
                address: leg.address,
                ..template.clone()
            });
        }
        ids.sort();
        (ids.len() >= 2).then(|| Host {
            name: template.name.clone(),
            span,
            legs: ids,
            boundary: false,
        })
    }

    fn is_boundary(&self, block: Option<&Block>) -> bool {
        block.is_some_and(|b| self.boundary_blocks.contains(&b.span))
    }

    /// The `address ADDR in ZONE` lines of an asset block. `home`: the
    /// zone the asset is declared in (its legs go elsewhere).
    fn legs(&mut self, block: Option<&Block>, home: Option<ZoneId>, name: &str) -> Vec<Leg> {
        let mut out = Vec::new();
        let items = block.map(|b| b.items.as_slice()).unwrap_or(&[]);
        for item in items
            .iter()
            .filter(|it| it.key().is_some_and(|k| k.text == "address"))
        {
            let (addr, zone) = match item.args() {
                [a, i, z] if i.arg.text() == "in" && matches!(i.arg, Arg::Word(_)) => {
                    (&a.arg, &z.arg)
                }
                _ => {
                    let help = match home {
                        Some(_) => format!("the address in this zone follows the name (`asset {name} ADDR`); an `address` line adds a leg in another zone: `address ADDR in ZONE`"),
                        None => "outside a zone every address names its zone: `address ADDR in ZONE`".to_string(),
                    };
                    self.push(
                        Diagnostic::error("E0106", "`address` takes an address and its zone")
                            .at(item.span, "expected `address ADDR in ZONE`")
                            .with_help(help),
                    );
                    continue;
                }
            };
            let Some(zone) = self.zone_ref(zone.text(), zone.span()) else {
                continue;
            };
            if Some(zone) == home {
                self.push(
                    Diagnostic::error(
                        "E0222",
                        format!("asset `{name}` has two addresses in its own zone"),
                    )
                    .at(item.span, "a second address in the zone it is declared in")
                    .with_help("a multi-homed asset has one address per zone; the address after the name is its leg here"),
                );
                continue;
            }
            match values::address(addr.text()) {
                Ok(a) => out.push(Leg {
                    zone,
                    address: Spanned::new(a, addr.span()),
                    span: item.span,
                }),
                Err(e) => self.reader.value_error(e, addr.span()),
            }
        }
        out
    }
}

/// The syntax item of an in-zone asset, found again by its span.
fn find_asset_item<'a>(
    zone_decls: &BTreeMap<String, Decl<'a>>,
    model: &Model,
    home: AssetId,
    span: Span,
) -> Option<&'a Item> {
    let zone = &model.zone(home.zone).name;
    zone_decls
        .get(zone)?
        .item
        .block()?
        .items
        .iter()
        .find(|it| it.span == span)
}
