//! Resolution of declarations: zones, services, conduits, waivers.
//!
//! Two passes: first every top-level statement of every file is collected by
//! name (duplicates reported with both places), then each is read in name
//! order, so ids and output never depend on declaration or file order.
//! Integrity checks over the whole model (overlapping networks, addresses
//! outside their zone, shared addresses) run last, in [`super::integrity`].

use super::read::{Reader, Times};
use super::types::*;
use super::values::{self, is_valid_name, suggest};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::tree::{Arg, Block, Document, Item, ItemKind, Word};
use std::collections::{BTreeMap, BTreeSet};

/// One parsed file handed to resolution.
pub struct Input<'a> {
    pub file: FileId,
    pub doc: &'a Document,
    /// The built-in service catalog.
    pub builtin: bool,
}

struct Decl<'a> {
    name: &'a Word,
    item: &'a Item,
    builtin: bool,
}

const TOP: &[&str] = &["import", "zone", "service", "conduit", "waive"];

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
];

const SERVICE_ATTRS: &[(&str, Times)] = &[
    ("tcp", Times::Many),
    ("udp", Times::Many),
    ("icmp", Times::Many),
    ("proto", Times::Many),
    ("authenticated", Times::Once),
    ("encrypted", Times::Once),
    ("tags", Times::Once),
    ("description", Times::Once),
];

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

const WAIVER_ATTRS: &[(&str, Times)] = &[
    ("kind", Times::Once),
    ("approved-by", Times::Once),
    ("justification", Times::Once),
    ("compensating", Times::Once),
    ("expires", Times::Once),
    ("ticket", Times::Once),
];

/// Resolves parsed files into a model.
pub fn resolve(inputs: &[Input<'_>]) -> (Model, Vec<Diagnostic>) {
    let mut r = Resolver::default();
    let mut zones: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut services: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut conduits: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut waivers: Vec<&Item> = Vec::new();
    for input in inputs {
        for item in &input.doc.items {
            r.collect(
                item,
                input.builtin,
                &mut zones,
                &mut services,
                &mut conduits,
                &mut waivers,
            );
        }
    }
    r.zone_ids = zones
        .keys()
        .enumerate()
        .map(|(i, n)| (n.clone(), ZoneId(i as u32)))
        .collect();
    let mut model = Model {
        zones: zones.values().map(|d| r.zone(d)).collect(),
        ..Model::default()
    };
    r.asset_order = model.zones.iter().map(assets_by_name).collect();
    r.resolve_bpcs(&zones, &mut model);
    model.services = services.values().map(|d| r.service(d)).collect();
    r.service_ids = model
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), ServiceId(i as u32)))
        .collect();
    model.conduits = conduits
        .values()
        .map(|d| r.conduit(d, &mut model))
        .collect();
    model.waivers = waivers.iter().filter_map(|w| r.waiver(w, &model)).collect();
    model
        .waivers
        .sort_by(|a, b| (&a.rule.value, a.target, a.span).cmp(&(&b.rule.value, b.target, b.span)));
    let mut diags = r.reader.diags;
    diags.extend(super::integrity::check(&model));
    (model, diags)
}

#[derive(Default)]
struct Resolver {
    reader: Reader,
    zone_ids: BTreeMap<String, ZoneId>,
    /// Name of every service in the model, inline ones included, so that
    /// `allow` is a lookup rather than a scan of all services.
    service_ids: BTreeMap<String, ServiceId>,
    /// Per zone, the indices of its assets sorted by name, so that a
    /// `zone.asset` endpoint is a binary search rather than a scan.
    asset_order: Vec<Vec<u32>>,
}

impl Resolver {
    fn push(&mut self, d: Diagnostic) {
        self.reader.push(d);
    }

    #[allow(clippy::too_many_arguments)]
    fn collect<'a>(
        &mut self,
        item: &'a Item,
        builtin: bool,
        zones: &mut BTreeMap<String, Decl<'a>>,
        services: &mut BTreeMap<String, Decl<'a>>,
        conduits: &mut BTreeMap<String, Decl<'a>>,
        waivers: &mut Vec<&'a Item>,
    ) {
        let Some(key) = item.key() else {
            self.push(
                Diagnostic::error("E0104", "a flow line must be inside a `conduit` block")
                    .at(item.span, "flow line at top level")
                    .with_help("write `conduit NAME { a -> b; allow SERVICE }`"),
            );
            return;
        };
        let kind = key.text.as_str();
        match kind {
            "import" => {
                if !matches!(item.args(), [a] if matches!(a.arg, Arg::Str(_)))
                    || item.block().is_some()
                {
                    self.push(
                        Diagnostic::error("E0106", "`import` takes one quoted file name")
                            .at(item.span, "expected `import \"FILE.zc\"`")
                            .with_help("paths are relative to the importing file"),
                    );
                }
            }
            "waive" => waivers.push(item),
            "zone" | "service" | "conduit" => {
                let Some(name) = self.decl_name(item, kind) else {
                    return;
                };
                let table = match kind {
                    "zone" => zones,
                    "service" => services,
                    _ => conduits,
                };
                if let Some(first) = table.get(&name.text) {
                    self.duplicate(kind, name, first);
                    return;
                }
                table.insert(
                    name.text.clone(),
                    Decl {
                        name,
                        item,
                        builtin,
                    },
                );
            }
            _ => {
                let help = match suggest(kind, TOP.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a policy file holds `import`, `zone`, `service`, `conduit` and `waive` statements".to_string(),
                };
                self.push(
                    Diagnostic::error("E0104", format!("unknown statement `{kind}`"))
                        .at(key.span, "not a statement")
                        .with_help(help),
                );
            }
        }
    }

    fn duplicate(&mut self, kind: &str, name: &Word, first: &Decl<'_>) {
        if first.builtin {
            self.push(
                Diagnostic::error(
                    "E0208",
                    format!(
                        "`{}` is a built-in service and cannot be redefined",
                        name.text
                    ),
                )
                .at(name.span, "redefined here")
                .with_label(first.name.span, "built-in definition")
                .with_help(
                    "give your service another name, e.g. `site-".to_string() + &name.text + "`",
                ),
            );
        } else {
            self.push(
                Diagnostic::error("E0204", format!("{kind} `{}` is defined twice", name.text))
                    .at(name.span, "defined again here")
                    .with_label(first.name.span, "first defined here")
                    .with_help(
                        "names are global across a policy and its imports; rename or remove one",
                    ),
            );
        }
    }

    /// `KIND NAME { … }`: the name, checked.
    fn decl_name<'a>(&mut self, item: &'a Item, kind: &str) -> Option<&'a Word> {
        let name = match item.args() {
            [only] => only.arg.as_word(),
            _ => None,
        };
        let Some(name) = name else {
            self.push(
                Diagnostic::error("E0106", format!("`{kind}` takes one name"))
                    .at(item.span, "expected a name")
                    .with_help(format!("write `{kind} NAME {{ … }}`")),
            );
            return None;
        };
        if item.block().is_none() {
            self.push(
                Diagnostic::error("E0111", format!("{kind} `{}` has no block", name.text))
                    .at(item.span, "expected `{` here")
                    .with_help(format!("write `{kind} {} {{ … }}`", name.text)),
            );
            return None;
        }
        self.check_name(name, kind).then_some(name)
    }

    fn check_name(&mut self, name: &Word, kind: &str) -> bool {
        if is_valid_name(&name.text) {
            return true;
        }
        self.push(
            Diagnostic::error("E0108", format!("`{}` is not a valid {kind} name", name.text))
                .at(name.span, "invalid name")
                .with_help("names are lower-case letters, digits, `-` and `_`, starting with a letter or digit"),
        );
        false
    }

    fn flag(&mut self, item: &Item) -> bool {
        self.reader
            .value(item, values::boolean)
            .map(|v| v.value)
            .unwrap_or(false)
    }

    fn zone(&mut self, d: &Decl<'_>) -> Zone {
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

    fn resolve_bpcs(&mut self, decls: &BTreeMap<String, Decl<'_>>, model: &mut Model) {
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

    fn zone_ref(&mut self, name: &str, span: Span) -> Option<ZoneId> {
        if let Some(id) = self.zone_ids.get(name) {
            return Some(*id);
        }
        let help = match suggest(name, self.zone_ids.keys().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                "declare the zone with `zone NAME { … }`, or import the file that does".to_string()
            }
        };
        self.push(
            Diagnostic::error("E0201", format!("unknown zone `{name}`"))
                .at(span, "no zone of this name")
                .with_help(help),
        );
        None
    }

    fn sl(&mut self, item: &Item) -> Option<Spanned<SlVector>> {
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

    fn sl_vector(&mut self, block: &Block) -> Option<Spanned<SlVector>> {
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
    fn asset(
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
            name: name.text.clone(),
            span: name.span,
            address,
            role: None,
            vendor: None,
            description: None,
            patchable: true,
            critical: false,
            safety: false,
            temporary: false,
            wireless: false,
            external_link: false,
        };
        for (key, it) in self.reader.attrs(item.block(), "asset", ASSET_ATTRS, false) {
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
                _ => a.external_link = self.flag(it),
            }
        }
        Some(a)
    }

    fn service(&mut self, d: &Decl<'_>) -> Service {
        let mut s = Service {
            name: d.name.text.clone(),
            span: d.name.span,
            builtin: d.builtin,
            inline: false,
            matches: Vec::new(),
            authenticated: false,
            encrypted: false,
            tags: BTreeSet::new(),
            description: None,
        };
        for (key, item) in self
            .reader
            .attrs(d.item.block(), "service", SERVICE_ATTRS, false)
        {
            match key {
                "tcp" | "udp" | "icmp" | "proto" => {
                    let args: Vec<&Arg> = item.args().iter().map(|a| &a.arg).collect();
                    if let Some(m) = self.service_match(key, &args, item.span) {
                        s.matches.push(m);
                    }
                }
                "authenticated" => s.authenticated = self.flag(item),
                "encrypted" => s.encrypted = self.flag(item),
                "tags" => {
                    for arg in self.reader.list(item) {
                        match values::one_of(arg.text(), "service tag", &Tag::ALL, Tag::as_str) {
                            Ok(t) => {
                                s.tags.insert(t);
                            }
                            Err(e) => self.reader.value_error(e, arg.span()),
                        }
                    }
                }
                _ => s.description = self.reader.text(item),
            }
        }
        if s.matches.is_empty() {
            self.push(
                Diagnostic::error("E0111", format!("service `{}` matches no traffic", s.name))
                    .at(s.span, "no `tcp`, `udp`, `icmp` or `proto` line")
                    .with_help("add e.g. `tcp 502` or `udp 47808`"),
            );
        }
        s.matches.sort();
        s
    }

    /// `tcp PORTS`, `udp PORTS`, `icmp [TYPE]`, `proto N`.
    fn service_match(&mut self, proto: &str, args: &[&Arg], span: Span) -> Option<ServiceMatch> {
        match proto {
            "tcp" | "udp" => {
                if args.is_empty() {
                    self.push(
                        Diagnostic::error("E0303", format!("`{proto}` needs ports"))
                            .at(span, "no ports given")
                            .with_help(format!(
                                "write e.g. `{proto} 502` or `{proto} 1740-1743, 2455`"
                            )),
                    );
                    return None;
                }
                let mut ports = Vec::new();
                for a in args {
                    match values::port_range(a.text()) {
                        Ok(p) => ports.push(p),
                        Err(e) => self.reader.value_error(e, a.span()),
                    }
                }
                ports.sort();
                ports.dedup();
                (ports.len() == args.len()).then(|| ServiceMatch {
                    proto: if proto == "tcp" {
                        Proto::Tcp
                    } else {
                        Proto::Udp
                    },
                    ports,
                    icmp_type: None,
                })
            }
            "icmp" => match args {
                [] => Some(ServiceMatch {
                    proto: Proto::Icmp,
                    ports: Vec::new(),
                    icmp_type: None,
                }),
                [t] => match values::icmp_type(t.text()) {
                    Ok(n) => Some(ServiceMatch {
                        proto: Proto::Icmp,
                        ports: Vec::new(),
                        icmp_type: Some(n),
                    }),
                    Err(e) => {
                        self.reader.value_error(e, t.span());
                        None
                    }
                },
                _ => {
                    self.push(
                        Diagnostic::error("E0106", "`icmp` takes at most one type")
                            .at(span, "too many values")
                            .with_help("write `icmp` for all types or `icmp 8` for one"),
                    );
                    None
                }
            },
            _ => match args {
                [n] => match values::proto_number(n.text()) {
                    Ok(p) => Some(ServiceMatch {
                        proto: Proto::Other(p),
                        ports: Vec::new(),
                        icmp_type: None,
                    }),
                    Err(e) => {
                        self.reader.value_error(e, n.span());
                        None
                    }
                },
                _ => {
                    self.push(
                        Diagnostic::error("E0106", "`proto` takes one protocol number")
                            .at(span, "expected `proto N`")
                            .with_help("e.g. `proto 47` for GRE"),
                    );
                    None
                }
            },
        }
    }

    fn conduit(&mut self, d: &Decl<'_>, model: &mut Model) -> Conduit {
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
                    self.flow(item, &mut c, model);
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

    fn flow(&mut self, item: &Item, c: &mut Conduit, model: &Model) {
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
        c.initiators = initiators
            .iter()
            .filter_map(|w| self.endpoint(w, model))
            .collect();
        c.responders = responders
            .iter()
            .filter_map(|w| self.endpoint(w, model))
            .collect();
        for a in &c.initiators {
            if let Some(b) = c.responders.iter().find(|b| b.zone == a.zone) {
                self.push(
                    Diagnostic::error("E0207", format!("conduit `{}` joins zone `{}` to itself", c.name, model.zone(a.zone).name))
                        .at(b.span, "same zone on both ends")
                        .with_label(a.span, "initiator in that zone")
                        .with_help("traffic inside a zone is not filtered by a conduit; a conduit joins two different zones"),
                );
            }
        }
        c.initiators.sort();
        c.initiators.dedup_by_key(|e| (e.zone, e.asset));
        c.responders.sort();
        c.responders.dedup_by_key(|e| (e.zone, e.asset));
    }

    fn endpoint(&mut self, w: &Word, model: &Model) -> Option<Endpoint> {
        let (zone_name, asset_name) = match w.text.split_once('.') {
            Some((z, a)) => (z, Some(a)),
            None => (w.text.as_str(), None),
        };
        let zone_span = Span::new(
            w.span.file,
            w.span.start as usize,
            w.span.start as usize + zone_name.len(),
        );
        let zone = self.zone_ref(zone_name, zone_span)?;
        let Some(asset_name) = asset_name else {
            return Some(Endpoint {
                zone,
                asset: None,
                span: w.span,
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

    /// `allow` arguments: service names, or inline `tcp PORTS` / `udp PORTS`
    /// / `icmp [TYPE]` / `proto N` groups.
    fn allow(&mut self, item: &Item, c: &mut Conduit, model: &mut Model) {
        let args = self.reader.list(item);
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let text = arg.text();
            i += 1;
            if matches!(arg, Arg::Word(_)) && matches!(text, "tcp" | "udp" | "icmp" | "proto") {
                let mut group: Vec<&Arg> = Vec::new();
                while let Some(next) = args.get(i) {
                    let takes = match text {
                        "tcp" | "udp" => values::looks_like_port(next.text()),
                        _ => group.is_empty() && next.text().chars().all(|ch| ch.is_ascii_digit()),
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
                        None => "define it with `service NAME { tcp PORT }`, or allow ports inline: `allow tcp 8443`; `conduit explain` lists the built-in catalog".to_string(),
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

    fn waiver(&mut self, item: &Item, model: &Model) -> Option<Waiver> {
        let args: Vec<&Arg> = item.args().iter().map(|a| &a.arg).collect();
        let [Arg::Word(rule), Arg::Word(on), Arg::Word(kind), Arg::Word(name)] = args.as_slice()
        else {
            self.push(
                Diagnostic::error(
                    "E0106",
                    "a waiver reads `waive RULE on zone|conduit NAME { … }`",
                )
                .at(item.span, "malformed waiver")
                .with_help("e.g. `waive PRO-003 on conduit vendor-to-plc { … }`"),
            );
            return None;
        };
        if on.text != "on" || !matches!(kind.text.as_str(), "zone" | "conduit") {
            self.push(
                Diagnostic::error(
                    "E0106",
                    "a waiver reads `waive RULE on zone|conduit NAME { … }`",
                )
                .at(on.span.to(kind.span), "expected `on zone` or `on conduit`")
                .with_help("e.g. `waive PRO-003 on conduit vendor-to-plc { … }`"),
            );
            return None;
        }
        let target = if kind.text == "zone" {
            WaiverTarget::Zone(self.zone_ref(&name.text, name.span)?)
        } else {
            match model.conduit_by_name(&name.text) {
                Some(id) => WaiverTarget::Conduit(id),
                None => {
                    let help =
                        match suggest(&name.text, model.conduits.iter().map(|c| c.name.as_str())) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "name a conduit declared in the policy".to_string(),
                        };
                    self.push(
                        Diagnostic::error("E0201", format!("unknown conduit `{}`", name.text))
                            .at(name.span, "no conduit of this name")
                            .with_help(help),
                    );
                    return None;
                }
            }
        };
        let mut w = Waiver {
            rule: Spanned::new(rule.text.clone(), rule.span),
            target,
            span: item.span,
            kind: None,
            approved_by: None,
            justification: None,
            compensating: None,
            expires: None,
            ticket: None,
        };
        if item.block().is_none() {
            self.push(
                Diagnostic::error("E0111", "a waiver needs a block with its reasons")
                    .at(item.span, "expected `{ kind …; justification …; approved-by …; expires … }`")
                    .with_help("a waiver records a documented decision: kind, justification, approved-by and expires are required"),
            );
        }
        for (key, it) in self
            .reader
            .attrs(item.block(), "waiver", WAIVER_ATTRS, false)
        {
            match key {
                "kind" => {
                    w.kind = self
                        .reader
                        .value(it, |s| {
                            values::one_of(
                                s,
                                "waiver kind",
                                &[
                                    WaiverKind::Compensating,
                                    WaiverKind::RiskAcceptance,
                                    WaiverKind::FalsePositive,
                                ],
                                WaiverKind::as_str,
                            )
                        })
                        .map(|k| k.value)
                }
                "approved-by" => w.approved_by = self.reader.text(it),
                "justification" => w.justification = self.reader.text(it),
                "compensating" => w.compensating = self.reader.text(it),
                "expires" => w.expires = self.reader.value(it, values::date),
                _ => w.ticket = self.reader.text(it),
            }
        }
        Some(w)
    }
}

/// Indices of a zone's assets sorted by name (names are unique in a zone).
fn assets_by_name(z: &Zone) -> Vec<u32> {
    let mut order: Vec<u32> = (0..z.assets.len() as u32).collect();
    order.sort_by(|a, b| {
        let name = |i: &u32| z.assets.get(*i as usize).map(|x| x.name.as_str());
        name(a).cmp(&name(b))
    });
    order
}

fn mode_str(m: Mode) -> &'static str {
    match m {
        Mode::Enforce => "enforce",
        Mode::Monitor => "monitor",
    }
}

/// The id of an inline service (`allow tcp 8443`), created on first use.
fn inline_service(
    model: &mut Model,
    ids: &mut BTreeMap<String, ServiceId>,
    m: ServiceMatch,
    span: Span,
) -> ServiceId {
    let ports: Vec<String> = m.ports.iter().map(|p| p.to_string()).collect();
    let name = match m.proto {
        Proto::Tcp => format!("tcp/{}", ports.join(",")),
        Proto::Udp => format!("udp/{}", ports.join(",")),
        Proto::Icmp => m
            .icmp_type
            .map(|t| format!("icmp/{t}"))
            .unwrap_or_else(|| "icmp".to_string()),
        Proto::Other(n) => format!("proto/{n}"),
    };
    if let Some(id) = ids.get(&name) {
        return *id;
    }
    let id = ServiceId(model.services.len() as u32);
    ids.insert(name.clone(), id);
    model.services.push(Service {
        name,
        span,
        builtin: false,
        inline: true,
        matches: vec![m],
        authenticated: false,
        encrypted: false,
        tags: BTreeSet::new(),
        description: None,
    });
    id
}
