//! Resolution of declarations: zones, services, conduits, waivers.
//!
//! Two passes: first every top-level statement of every file is collected by
//! name (duplicates reported with both places), then each is read in name
//! order, so ids and output never depend on declaration or file order.
//! Integrity checks over the whole model (overlapping networks, addresses
//! outside their zone, shared addresses) run last, in [`super::integrity`].

mod conduit;
mod group;
mod host;
mod service;
mod waiver;
mod zone;

use service::inline_service;
use zone::assets_by_name;

use super::read::{Reader, Times};
use super::types::*;
use super::values::{self, is_valid_name, suggest};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::tree::{Arg, Block, Document, EndKind, FlowEnd, Item, ItemKind, Word};
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

const TOP: &[&str] = &[
    "import", "zone", "service", "conduit", "waive", "group", "asset",
];

/// Resolves parsed files into a model.
pub fn resolve(inputs: &[Input<'_>]) -> (Model, Vec<Diagnostic>) {
    let mut r = Resolver::default();
    let mut zones: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut services: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut conduits: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut groups: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut hosts: BTreeMap<String, Decl<'_>> = BTreeMap::new();
    let mut waivers: Vec<&Item> = Vec::new();
    for input in inputs {
        for item in &input.doc.items {
            r.collect(
                item,
                input.builtin,
                &mut zones,
                &mut services,
                &mut conduits,
                &mut groups,
                &mut hosts,
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
    r.hosts(&hosts, &zones, &mut model);
    r.asset_order = model.zones.iter().map(assets_by_name).collect();
    r.resolve_bpcs(&zones, &mut model);
    model.services = services.values().map(|d| r.service(d)).collect();
    r.service_ids = model
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), ServiceId(i as u32)))
        .collect();
    r.resolve_includes(&mut model);
    r.groups(&groups, &mut model);
    model.fqdns = fqdns_of(conduits.values());
    model.conduits = conduits
        .values()
        .enumerate()
        .map(|(i, d)| r.conduit(d, ConduitId(i as u32), &mut model))
        .collect();
    service::canonical_inline_order(&mut model);
    model.waivers = waivers.iter().filter_map(|w| r.waiver(w, &model)).collect();
    model
        .waivers
        .sort_by(|a, b| (&a.rule.value, a.target, a.span).cmp(&(&b.rule.value, b.target, b.span)));
    let mut diags = r.reader.diags;
    diags.extend(super::integrity::check(&model));
    (model, diags)
}

/// Every valid DNS name of an `fqdn` endpoint, sorted and distinct, so
/// that [`EndpointKind::Fqdn`] indices follow the names, not the order of
/// declarations.
fn fqdns_of<'a>(conduits: impl Iterator<Item = &'a Decl<'a>>) -> Vec<String> {
    let mut names = BTreeSet::new();
    for d in conduits {
        for item in d.item.block().map_or(&[][..], |b| b.items.as_slice()) {
            if let ItemKind::Flow {
                initiators,
                responders,
                ..
            } = &item.kind
            {
                let ends = initiators.iter().chain(responders);
                for e in ends.filter(|e| e.kind == EndKind::Fqdn) {
                    if let Ok(name) = values::dns_name(&e.word.text) {
                        names.insert(name);
                    }
                }
            }
        }
    }
    names.into_iter().collect()
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
    /// The `include` lines of each named service in id order, as
    /// written: resolved once every service has its id.
    pending_includes: Vec<Vec<(String, Span)>>,
    /// Group name → index in `Model::groups` (groups named like a zone left out).
    group_ids: BTreeMap<String, usize>,
    /// In-zone assets with `address … in ZONE` legs: (item span, the asset).
    pending_legs: Vec<(Span, AssetId)>,
    /// Blocks of assets declared `boundary-device true`.
    boundary_blocks: BTreeSet<Span>,
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
        groups: &mut BTreeMap<String, Decl<'a>>,
        hosts: &mut BTreeMap<String, Decl<'a>>,
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
            "zone" | "service" | "conduit" | "group" | "asset" => {
                let Some(name) = self.decl_name(item, kind) else {
                    return;
                };
                let table = match kind {
                    "zone" => zones,
                    "service" => services,
                    "group" => groups,
                    "asset" => hosts,
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
                    None => "a policy file holds `import`, `zone`, `asset`, `group`, `service`, `conduit` and `waive` statements".to_string(),
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
}
